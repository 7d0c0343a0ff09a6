/**
 * The Gaussian-mixture family's two-image mode: the CIE94 colour difference
 * of two RGB images, which the original program segments instead of a
 * grayscale image. An entry of the kernel table: structural checks once,
 * then the float-range scan and the work in the backend that runs (the
 * native kernel, crates/color, or the TypeScript reference).
 */
import { once, registerKernel } from "../dispatch/kernel";
import { isTypedArrayOf, widenFloats } from "../validate";
import type { FloatArray } from "../validate";
import { cie94DifferenceReference } from "./reference";
import type { Cie94AsyncOptions, Cie94Normalization, Cie94Options, RgbImage } from "./types";
import { assertRgbImage, checkedNormalization, checkedPixels, scanRgbImage } from "./validate";

export type { Cie94AsyncOptions, Cie94Normalization, Cie94Options, RgbImage } from "./types";

interface CheckedCall {
  rgbA: RgbImage;
  rgbB: RgbImage;
  width: number;
  height: number;
  pixels: number;
  normalization: Cie94Normalization;
}

function check(rgbA: unknown, rgbB: unknown, width: unknown, height: unknown, options: unknown): CheckedCall {
  const pixels = checkedPixels(width, height);
  assertRgbImage("rgbA", rgbA, pixels);
  assertRgbImage("rgbB", rgbB, pixels);
  const normalization = checkedNormalization("options.normalization", (options as Cie94Options | undefined)?.normalization);
  return { rgbA, rgbB, width: width as number, height: height as number, pixels, normalization };
}

/** The reference's view of an image: 8-bit as is, float32 widened (exactly) to float64. */
function referenceImage(image: RgbImage): Uint8Array | Float64Array {
  return isTypedArrayOf(image, "Uint8Array") ? (image as Uint8Array) : widenFloats(image as FloatArray);
}

const cie94Kernel = registerKernel<
  [rgbA: RgbImage, rgbB: RgbImage, width: number, height: number, options?: unknown],
  CheckedCall,
  Float64Array
>({
  name: "cie94Difference",
  optionsIndex: 4,
  optionKeys: ["normalization"],
  prepare: ([rgbA, rgbB, width, height, options]) => check(rgbA, rgbB, width, height, options),
  reference: (call) =>
    once(() => {
      const a = referenceImage(call.rgbA);
      const b = referenceImage(call.rgbB);
      scanRgbImage("rgbA", a);
      scanRgbImage("rgbB", b);
      return cie94DifferenceReference(a, b, call.pixels, call.normalization);
    }),
  // The output is allocated here (V8-owned) and filled by the kernel; each
  // image goes as it is (8-bit, float64 or float32), the kernel reads any pair.
  native: (call, b, threads) => {
    const out = new Float64Array(call.pixels);
    b.colorCie94Difference(call.rgbA, call.rgbB, call.width, call.height, call.normalization, out, threads);
    return out;
  },
  nativeAsync: async (call, b, { threads, borrow }) => {
    const out = new Float64Array(call.pixels);
    const layout = { width: call.width, height: call.height, normalization: call.normalization, borrow };
    await b.colorCie94DifferenceAsync(call.rgbA, call.rgbB, layout, out, threads);
    return out;
  },
  copyInputs: (call) => ({ ...call, rgbA: call.rgbA.slice(), rgbB: call.rgbB.slice() }),
});

/**
 * Per-pixel CIE94 colour difference ΔE94 of two images of `width x height`
 * pixels, then rescaled like the original program (see
 * `options.normalization`). The result is the data the original's two-image
 * mode segments with a Gaussian mixture.
 *
 * @param rgbA first image (the reference for S_C and S_H): interleaved R, G,
 *   B, row-major, `3 * width * height` values; a Uint8Array is read as
 *   value / 255, a Float64Array or Float32Array must hold values in [0, 1].
 * @param rgbB second image, same shape; may use the other array type.
 * @param width pixels per row, integer >= 1.
 * @param height rows, integer >= 1.
 * @param options `threads` (0 = TypeScript reference, n = native threads,
 *   default all cores) and `normalization` (default `"original"`).
 * @returns Float64Array of `width * height` values, row-major.
 * @throws TypeError for a wrong array or option type; RangeError for a
 *   wrong length, a non-integer or non-positive dimension, a float channel
 *   outside [0, 1] or an unknown normalization.
 */
export function cie94Difference(
  rgbA: RgbImage,
  rgbB: RgbImage,
  width: number,
  height: number,
  options?: Cie94Options,
): Float64Array {
  return cie94Kernel.sync(rgbA, rgbB, width, height, options);
}

/**
 * `cie94Difference` off the event loop. Both backends copy the inputs
 * before the promise is returned (unless `borrow: true`); `options.signal` aborts before the work
 * starts (the pass itself is not interruptible: one pass over the pixels).
 */
export function cie94DifferenceAsync(
  rgbA: RgbImage,
  rgbB: RgbImage,
  width: number,
  height: number,
  options?: Cie94AsyncOptions,
): Promise<Float64Array> {
  return cie94Kernel.async(rgbA, rgbB, width, height, options);
}

export { JUST_PERCEPTIBLE_DELTA_E, thresholdedSubtractionInit } from "./subtraction-init";
export type { MixtureInit, ThresholdedSubtractionOptions } from "./subtraction-init";
