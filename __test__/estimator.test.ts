import { cie94Difference, fitGmm, GmmEstimator, thresholdedSubtractionInit } from "../ts";
import type { IterationState } from "../ts";
import { generateScene } from "../ts/demo/scene";
import { native } from "../ts/native";

const BACKENDS = native ? [0, 2] : [0];
const scene = generateScene(48, 32, 7);
const source = { image: scene.intensities, width: scene.width, height: scene.height };

function expectRelative(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(Math.abs(expected[i]), 1e-300);
    if (!(Math.abs(actual[i] - expected[i]) / scale <= tolerance)) {
      throw new Error(`element ${i}: ${actual[i]} vs ${expected[i]}`);
    }
  }
}

describe("GmmEstimator, single image", () => {
  test("initialize reproduces the original's evenly spaced start", () => {
    const estimator = new GmmEstimator({ threads: 0 });
    const init = estimator.initialize(source, { components: 3, iterations: 5 });
    expect(Array.from(init.means)).toEqual([0, 0.5, 1]);
    expect(Array.from(init.variances)).toEqual([10 / 255, 10 / 255, 10 / 255]);
    expect(Array.from(init.stdevs)).toEqual(new Array(3).fill(Math.sqrt(10 / 255)));
    expect(Array.from(init.weights)).toEqual([1, 1, 1]);
    expect(Array.from(init.logLikelihoods)).toEqual([0, 0, 0, 0, 0]);
    expect(init.method).toBe("evenlySpaced");
    expect(init.dataMatrix).toBe(scene.intensities);
  });

  test.each(BACKENDS)("each iteration is one fitGmm iteration: same states as one fitGmm call (threads = %i)", (threads) => {
    const estimator = new GmmEstimator({ threads });
    estimator.initialize(source, { components: 3, iterations: 6 });
    const seen: IterationState[] = [];
    const states = estimator.executeExpectationMaximization({ onIteration: (s) => seen.push(s) });
    expect(seen).toEqual(states);
    expect(states.map((s) => s.iteration)).toEqual([0, 1, 2, 3, 4, 5]);
    const fit = fitGmm(scene.intensities, { components: 3, iterations: 6, threads });
    const last = states[5];
    expectRelative(last.means, fit.means, 1e-12);
    expectRelative(last.variances, fit.variances, 1e-12);
    expectRelative(last.stdevs, fit.stdevs, 1e-12);
    expectRelative(last.weights, fit.weights, 1e-12);
    expectRelative(estimator.logLikelihoods, fit.logLikelihoods, 1e-12);
    expect(estimator.current).toBe(last);
    // Every intermediate state is the fit with that many iterations.
    const three = fitGmm(scene.intensities, { components: 3, iterations: 3, threads });
    expectRelative(states[2].means, three.means, 1e-12);
  });

  test("native and reference estimators agree", () => {
    if (!native) return;
    const run = (threads: number) => {
      const estimator = new GmmEstimator({ threads });
      estimator.initialize(source, { components: 3, iterations: 4 });
      return estimator.executeExpectationMaximization();
    };
    const [reference, fast] = [run(0), run(2)];
    for (let i = 0; i < 4; i++) {
      expectRelative(fast[i].means, reference[i].means, 1e-9);
      expectRelative(fast[i].stdevs, reference[i].stdevs, 1e-9);
      expectRelative([fast[i].logLikelihood], [reference[i].logLikelihood], 1e-9);
    }
  });

  test.each(BACKENDS)("on-demand responsibilities, expsum, log-likelihood and segmentation (threads = %i)", (threads) => {
    const estimator = new GmmEstimator({ threads });
    estimator.initialize({ image: Uint8Array.from(scene.intensities, (v) => Math.round(255 * v)), width: 48, height: 32 }, { components: 3, iterations: 3 });
    estimator.executeExpectationMaximization();
    const n = 48 * 32;
    const r = estimator.computeExpectationResponsibilities();
    expect(r.length).toBe(3 * n);
    for (const i of [0, 100, n - 1]) expect(r[i] + r[n + i] + r[2 * n + i]).toBeCloseTo(1, 12);
    expect(estimator.computeExpsumStable().p.length).toBe(3 * n);
    expect(estimator.computeLogLikelihoodStable()).toBeCloseTo(estimator.logLikelihoods[2], 6);
    const labels = estimator.segmentation();
    expect(labels.length).toBe(n);
    for (const i of [0, 100, n - 1]) {
      const best = [0, 1, 2].reduce((a, k) => (r[k * n + i] > r[a * n + i] ? k : a), 0);
      expect(labels[i]).toBe(best);
    }
  });

  test("executeExpectationMaximizationAsync gives the sync states and honours an abort", async () => {
    for (const threads of BACKENDS) {
      const estimator = new GmmEstimator({ threads });
      estimator.initialize(source, { components: 2, iterations: 3 });
      const sync = estimator.executeExpectationMaximization();
      expect(await estimator.executeExpectationMaximizationAsync()).toEqual(sync);
      const controller = new AbortController();
      const run = estimator.executeExpectationMaximizationAsync({ onIteration: () => controller.abort(), signal: controller.signal });
      await expect(run).rejects.toMatchObject({ name: "AbortError" });
      expect(estimator.history.length).toBe(1);
    }
  });
});

describe("GmmEstimator, two images", () => {
  const [width, height] = [24, 16];
  const first = new Uint8Array(3 * width * height);
  const second = new Uint8Array(3 * width * height);
  for (let i = 0; i < width * height; i++) {
    const texture = (i * 37) % 11;
    first.fill(80 + texture, 3 * i, 3 * i + 3);
    const inObject = i % width >= 12 && Math.floor(i / width) >= 4;
    second.fill(inObject ? 200 + texture : 80 + ((i * 13) % 5), 3 * i, 3 * i + 3);
  }
  const pair = { firstImage: first, secondImage: second, width, height };

  test.each(BACKENDS)("thresholded subtraction start, data = the CIE94 difference (threads = %i)", (threads) => {
    const estimator = new GmmEstimator({ threads });
    const init = estimator.initialize(pair, { components: 2, iterations: 4, subtractionThreshold: 2.3 });
    const data = cie94Difference(first, second, width, height, { threads });
    expect(init.dataMatrix).toEqual(data);
    const expected = thresholdedSubtractionInit(cie94Difference(first, second, width, height, { threads, normalization: "none" }), { threshold: 2.3, data });
    expect(init.method).toBe("thresholdedSubtraction");
    expect(init.means).toEqual(expected.means);
    expect(init.variances).toEqual(expected.variances);
    expect(init.weights).toEqual(expected.weights);
    const states = estimator.executeExpectationMaximization();
    const fit = fitGmm(data, { components: 2, iterations: 4, init: expected, threads });
    expectRelative(states[3].means, fit.means, 1e-12);
    expectRelative(estimator.logLikelihoods, fit.logLikelihoods, 1e-12);
  });

  test("without a threshold the start is evenly spaced", () => {
    const init = new GmmEstimator().initialize(pair, { components: 3, iterations: 2 });
    expect(init.method).toBe("evenlySpaced");
    expect(Array.from(init.means)).toEqual([0, 0.5, 1]);
  });
});

describe("GmmEstimator errors", () => {
  test("using it before initialize", () => {
    expect(() => new GmmEstimator().executeExpectationMaximization()).toThrow("GmmEstimator: call initialize() before using the estimator");
    expect(() => new GmmEstimator().segmentation()).toThrow(/call initialize\(\)/);
  });

  test("bad sources and options name the argument", () => {
    const e = new GmmEstimator({ threads: 0 });
    const o = { components: 2, iterations: 2 };
    expect(() => new GmmEstimator({ threads: -1 })).toThrow(new RangeError("options.threads must be an integer from 0 to 256, got -1"));
    expect(() => e.initialize(null as never, o)).toThrow(TypeError);
    expect(() => e.initialize({ image: [1, 2] as never, width: 2, height: 1 }, o)).toThrow(new TypeError("source.image must be a Uint8Array or a Float64Array, got Array(2)"));
    expect(() => e.initialize({ image: new Float64Array(11), width: 4, height: 3 }, o)).toThrow(
      new RangeError("source.image must have length 12 (one value per pixel of width x height), got length 11"),
    );
    expect(() => e.initialize({ image: Float64Array.of(0, Number.POSITIVE_INFINITY), width: 2, height: 1 }, o)).toThrow(
      new RangeError("source.image[1] must be a finite number, got Infinity"),
    );
    expect(() => e.initialize({ image: new Float64Array(2), width: 0, height: 1 }, o)).toThrow(RangeError);
    expect(() => e.initialize(source, { components: 0, iterations: 2 })).toThrow(new RangeError("options.components must be an integer from 1 to 256, got 0"));
    expect(() => e.initialize(source, { components: 2, iterations: 0 })).toThrow(new RangeError("options.iterations must be an integer >= 1, got 0"));
    expect(() => e.initialize(source, undefined as never)).toThrow(TypeError);
    expect(() => e.initialize(source, { ...o, subtractionThreshold: 2.3 })).toThrow(
      new RangeError("options.subtractionThreshold needs two images (source.firstImage and source.secondImage)"),
    );
    const rgb = new Uint8Array(3 * 48 * 32);
    expect(() => e.initialize({ firstImage: rgb, secondImage: rgb, width: 48, height: 32 }, { components: 3, iterations: 2, subtractionThreshold: 1 })).toThrow(
      new RangeError("options.subtractionThreshold needs options.components = 2 (background and foreground), got 3"),
    );
    expect(() => e.initialize({ firstImage: rgb, secondImage: rgb.subarray(3), width: 48, height: 32 }, o)).toThrow(/source.secondImage must have length 4608/);
    e.initialize(source, o);
    expect(() => e.executeExpectationMaximization({ onIteration: 5 as never })).toThrow(new TypeError("options.onIteration must be a function, got 5"));
  });
});

describe("GmmEstimator steps on one prepared fit", () => {
  test("every recorded state is, bit for bit, the fit of that many iterations (8-bit and float data)", () => {
    for (const threads of BACKENDS) {
      for (const image of [scene.intensities, Float64Array.from(scene.intensities, (v) => v / 255)]) {
        const estimator = new GmmEstimator({ threads });
        estimator.initialize({ image, width: scene.width, height: scene.height }, { components: 3, iterations: 4 });
        const states = estimator.executeExpectationMaximization();
        expect(states).toHaveLength(4);
        for (const [i, state] of states.entries()) {
          const fit = fitGmm(image, { components: 3, iterations: i + 1, threads });
          expect(Array.from(state.means)).toEqual(Array.from(fit.means));
          expect(Array.from(state.variances)).toEqual(Array.from(fit.variances));
          expect(Array.from(state.stdevs)).toEqual(Array.from(fit.stdevs));
          expect(Array.from(state.weights)).toEqual(Array.from(fit.weights));
          expect(state.logLikelihood).toBe(fit.logLikelihoods[i]);
        }
      }
    }
  });
});
