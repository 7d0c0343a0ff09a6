/**
 * The original's post-processing (opening then closing, 5 x 5 square, window
 * clipped at the borders) against a brute-force oracle.
 */
import { dilate, erode, postprocess } from "../ts/segment/postprocess";
import { mulberry32 } from "./helpers/random";

/** Minimum or maximum over every in-image pixel of the 5 x 5 window, by brute force. */
function bruteForce(values: Float64Array, width: number, height: number, pick: "min" | "max"): Float64Array {
  const out = new Float64Array(values.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = pick === "min" ? Infinity : -Infinity;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
          const s = values[yy * width + xx];
          v = pick === "min" ? Math.min(v, s) : Math.max(v, s);
        }
      }
      out[y * width + x] = v;
    }
  }
  return out;
}

function oracle(values: Float64Array, width: number, height: number): Float64Array {
  const e = (v: Float64Array) => bruteForce(v, width, height, "min");
  const d = (v: Float64Array) => bruteForce(v, width, height, "max");
  return e(d(d(e(values))));
}

/** A segmentation-like image: a few levels (the component means) in blobs, plus isolated speckles. */
function segmentationLike(width: number, height: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const levels = [0.1, 0.45, 0.8, 0.95];
  const values = new Float64Array(width * height);
  const cx = random() * width;
  const cy = random() * height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const r = Math.hypot(x - cx, y - cy);
      let v = levels[Math.min(3, Math.floor(r / 4) % 3)];
      if (random() < 0.08) v = levels[Math.floor(random() * 4)];
      values[y * width + x] = v;
    }
  }
  return values;
}

const SIZES: [number, number][] = [
  [1, 1], [1, 7], [7, 1], [2, 2], [3, 5], [4, 4], [5, 5], [6, 9], [13, 8], [31, 17], [40, 40],
];

describe("postprocess (opening then closing, 5 x 5, clipped window)", () => {
  test.each(SIZES)("%i x %i: equals the brute-force oracle on random values and on segmentation-like images", (width, height) => {
    for (let seed = 1; seed <= 6; seed++) {
      const random = mulberry32(seed * 7919 + width * 31 + height);
      const noise = Float64Array.from({ length: width * height }, () => random());
      expect(postprocess(noise, width, height)).toEqual(oracle(noise, width, height));
      expect(erode(noise, width, height)).toEqual(bruteForce(noise, width, height, "min"));
      expect(dilate(noise, width, height)).toEqual(bruteForce(noise, width, height, "max"));
      const blobs = segmentationLike(width, height, seed);
      expect(postprocess(blobs, width, height)).toEqual(oracle(blobs, width, height));
    }
  });

  test("removes a speckle, fills a pinhole, keeps a constant image and its input", () => {
    const width = 9;
    const height = 9;
    const speckle = new Float64Array(81).fill(0.2);
    speckle[40] = 0.9;
    const copy = speckle.slice();
    expect(postprocess(speckle, width, height)).toEqual(new Float64Array(81).fill(0.2));
    expect(speckle).toEqual(copy);
    const pinhole = new Float64Array(81).fill(0.7);
    pinhole[40] = 0.1;
    expect(postprocess(pinhole, width, height)).toEqual(new Float64Array(81).fill(0.7));
  });

  test("rejects a wrong length or size", () => {
    expect(() => postprocess(new Float64Array(5), 2, 2)).toThrow(RangeError);
    expect(() => postprocess(new Float64Array(0), 0, 0)).toThrow(RangeError);
    expect(() => postprocess([1, 2] as unknown as Float64Array, 2, 1)).toThrow(TypeError);
  });
});
