import { cie94Difference, JUST_PERCEPTIBLE_DELTA_E, thresholdedSubtractionInit } from "../ts";

function expectValues(actual: Float64Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, 14));
}

describe("thresholdedSubtractionInit", () => {
  test("splits at the threshold and takes statistics from the data (hand-computed)", () => {
    const init = thresholdedSubtractionInit(Float64Array.of(0, 1, 3, 5), {
      threshold: 2.3,
      data: Float64Array.of(0.1, 0.2, 0.7, 0.9),
    });
    expectValues(init.means, [0.15, 0.8]);
    expectValues(init.variances, [0.0025, 0.01]);
    expectValues(init.stdevs, [0.05, 0.1]);
    expectValues(init.weights, [0.5, 0.5]);
  });

  test("by default fits the original's normalisation (d + min) / (max - min) with threshold 2.3", () => {
    expect(JUST_PERCEPTIBLE_DELTA_E).toBe(2.3);
    // Normalised: [0.5, 0.75, 1, 1.5, 1.5]; background = the first two.
    const init = thresholdedSubtractionInit(Float64Array.of(1, 2, 3, 5, 5));
    expectValues(init.means, [0.625, 4 / 3]);
    expectValues(init.variances, [0.015625, (1 / 9 + 1 / 36 + 1 / 36) / 3]);
    expectValues(init.weights, [0.4, 0.6]);
  });

  test("a pixel exactly at the threshold is background, like the original's <=", () => {
    const init = thresholdedSubtractionInit(Float64Array.of(2, 2.3, 2.4, 9), { data: Float64Array.of(0, 0.5, 0.6, 1) });
    expectValues(init.weights, [0.5, 0.5]);
    expectValues(init.means, [0.25, 0.8]);
  });

  test("chains with cie94Difference on a synthetic two-image pair", () => {
    const [width, height] = [20, 10];
    const background = new Uint8Array(3 * width * height).fill(90);
    const scene = Uint8Array.from(background);
    // An object in the right half that differs strongly, plus mild texture elsewhere.
    for (let i = 0; i < width * height; i++) {
      if (i % width >= 10) scene.fill(220 + (i % 7), 3 * i, 3 * i + 3);
      else scene[3 * i + (i % 3)] = 90 + (i % 5);
    }
    const deltaE = cie94Difference(background, scene, width, height, { normalization: "none" });
    const data = cie94Difference(background, scene, width, height);
    const init = thresholdedSubtractionInit(deltaE, { threshold: 1, data });
    expectValues(init.weights, [0.5, 0.5]);
    expect(init.means[1]).toBeGreaterThan(init.means[0]);
    // Default data = the default normalisation of deltaE.
    expect(thresholdedSubtractionInit(deltaE, { threshold: 1 })).toEqual(init);
  });

  test("bad input is a TypeError or RangeError naming the argument", () => {
    const d = Float64Array.of(0, 1, 3, 5);
    expect(() => thresholdedSubtractionInit([1, 2] as never)).toThrow(new TypeError("deltaE must be a Float64Array, got Array(2)"));
    expect(() => thresholdedSubtractionInit(new Float64Array(0))).toThrow(RangeError);
    expect(() => thresholdedSubtractionInit(Float64Array.of(0, Number.NaN))).toThrow(new RangeError("deltaE[1] must be a finite number, got NaN"));
    expect(() => thresholdedSubtractionInit(d, { threshold: Number.NaN })).toThrow(RangeError);
    expect(() => thresholdedSubtractionInit(d, { threshold: "1" as never })).toThrow(TypeError);
    expect(() => thresholdedSubtractionInit(d, { data: new Float64Array(3) })).toThrow(
      new RangeError("options.data must have length 4 (one value per pixel of deltaE), got length 3"),
    );
    expect(() => thresholdedSubtractionInit(d, { threshold: 10 })).toThrow(
      "options.threshold 10 leaves the foreground empty (no pixel has deltaE > threshold); deltaE spans [0, 5]",
    );
    expect(() => thresholdedSubtractionInit(d, { threshold: -1 })).toThrow(/leaves the background empty/);
    expect(() => thresholdedSubtractionInit(d, { threshold: 2, data: Float64Array.of(0.3, 0.3, 0.5, 0.6) })).toThrow(
      /puts 2 pixel\(s\) with one and the same data value in the background/,
    );
  });
});
