/**
 * The original's "BG-FG thresholded subtraction" initialisation of a
 * two-component mixture for its two-image mode: pixels whose raw ΔE94 is at
 * most the threshold seed the background component (index 0), the others
 * the foreground component (index 1). Means, population variances and
 * weights are then taken from the data the mixture is fitted to (the
 * normalised difference), exactly as the original does.
 */
import { once, registerKernel } from "../dispatch/kernel";
import { assertAllFinite, assertFloat64Array, assertLength, assertNonEmpty, assertNumber, withDefault } from "../validate";
import { normalizeReference } from "./reference";

/** The CIE's "just perceptible" ΔE, suggested by the original's help text. */
export const JUST_PERCEPTIBLE_DELTA_E = 2.3;

export interface ThresholdedSubtractionOptions {
  /** Accepted for uniformity with the other kernels; this one has no native kernel (both run the same TypeScript). */
  threads?: number;
  /** Raw ΔE94 above which a pixel is foreground. Default 2.3 (just perceptible). */
  threshold?: number;
  /**
   * The values the mixture will be fitted to, one per pixel. Default: `deltaE`
   * rescaled like the original (`(d + min) / (max - min)`), which is what
   * `cie94Difference(a, b, w, h)` returns.
   */
  data?: Float64Array;
}

/** Initial mixture state; usable as `fitGmm`'s `init` (stdevs is extra). */
export interface MixtureInit {
  means: Float64Array;
  variances: Float64Array;
  stdevs: Float64Array;
  weights: Float64Array;
}

/**
 * Initial state of a K = 2 mixture from a thresholded difference image.
 *
 * @param deltaE raw ΔE94 per pixel (`cie94Difference(a, b, w, h, { normalization: "none" })`).
 * @param options `threshold` (default 2.3) and `data` (default: the original's normalisation of `deltaE`).
 * @returns means, variances, stdevs and weights of [background, foreground];
 *   the weights are the two classes' pixel fractions.
 * @throws TypeError for wrong array types; RangeError for empty or
 *   non-finite input, a length mismatch, a threshold that leaves one class
 *   empty, or a class whose data values are all equal (variance 0, from
 *   which EM cannot start).
 */
export function thresholdedSubtractionInit(deltaE: Float64Array, options?: ThresholdedSubtractionOptions): MixtureInit {
  return subtractionInitKernel.sync(deltaE, options);
}

interface SubtractionCall {
  deltaE: Float64Array;
  threshold: number;
  data: Float64Array | undefined;
}

/**
 * An entry of the kernel table without a native kernel: both backends run
 * the TypeScript below (one pass over the pixels), so `threads` only selects
 * nothing; the value scans (finite deltaE and data) run in it.
 */
const subtractionInitKernel = registerKernel<[deltaE: Float64Array, options?: unknown], SubtractionCall, MixtureInit>({
  name: "thresholdedSubtractionInit",
  optionsIndex: 1,
  optionKeys: ["threshold", "data"],
  prepare: ([deltaE, options]) => {
    assertFloat64Array("deltaE", deltaE);
    assertNonEmpty("deltaE", deltaE);
    const o = options as ThresholdedSubtractionOptions | undefined;
    const threshold = withDefault(o?.threshold, JUST_PERCEPTIBLE_DELTA_E);
    assertNumber("options.threshold", threshold, { min: -Infinity, max: Infinity });
    const data = o?.data;
    if (data !== undefined) {
      assertFloat64Array("options.data", data);
      assertLength("options.data", data, deltaE.length, "one value per pixel of deltaE");
    }
    return { deltaE, threshold, data };
  },
  reference: (call) => once(() => subtractionInit(call)),
  native: (call) => subtractionInit(call),
});

function subtractionInit({ deltaE, threshold, data: given }: SubtractionCall): MixtureInit {
  assertAllFinite("deltaE", deltaE);
  let data: Float64Array;
  if (given === undefined) {
    data = Float64Array.from(deltaE);
    normalizeReference(data, "original");
  } else {
    data = given;
    assertAllFinite("options.data", data);
  }

  // Class 0 = background (deltaE <= threshold), 1 = foreground.
  const counts = [0, 0];
  const sums = [0, 0];
  for (let i = 0; i < deltaE.length; i++) {
    const k = deltaE[i] <= threshold ? 0 : 1;
    counts[k] += 1;
    sums[k] += data[i];
  }
  const names = ["background", "foreground"];
  for (const k of [0, 1]) {
    if (counts[k] === 0) {
      const [lo, hi] = minMax(deltaE);
      const side = k === 0 ? "<=" : ">";
      throw new RangeError(
        `options.threshold ${threshold} leaves the ${names[k]} empty (no pixel has deltaE ${side} threshold); ` +
          `deltaE spans [${lo}, ${hi}]`,
      );
    }
  }
  const means = Float64Array.of(sums[0] / counts[0], sums[1] / counts[1]);
  // Population variance about the class mean, as numpy's np.var.
  const squares = [0, 0];
  for (let i = 0; i < deltaE.length; i++) {
    const k = deltaE[i] <= threshold ? 0 : 1;
    const d = data[i] - means[k];
    squares[k] += d * d;
  }
  const variances = Float64Array.of(squares[0] / counts[0], squares[1] / counts[1]);
  for (const k of [0, 1]) {
    if (!(variances[k] > 0)) {
      throw new RangeError(
        `options.threshold ${threshold} puts ${counts[k]} pixel(s) with one and the same data value in the ${names[k]}: ` +
          "its initial variance would be 0, from which EM cannot start",
      );
    }
  }
  const total = counts[0] + counts[1];
  return {
    means,
    variances,
    stdevs: variances.map(Math.sqrt),
    weights: Float64Array.of(counts[0] / total, counts[1] / total),
  };
}

function minMax(values: Float64Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}
