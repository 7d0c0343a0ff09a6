/**
 * Checks of the two-image difference's arguments: structural ones before
 * either backend, the float range scan in the backend that runs.
 */
import { assertInteger, isTypedArrayOf, show } from "../validate";
import type { Cie94Normalization, RgbImage } from "./types";

/** Largest width or height: the binding receives them as u32. */
const MAX_DIMENSION = 0xffffffff;

const NORMALIZATIONS: readonly Cie94Normalization[] = ["original", "minMax", "none"];

export function assertRgbImage(name: string, value: unknown, pixels: number): asserts value is RgbImage {
  const ok = isTypedArrayOf(value, "Uint8Array") || isTypedArrayOf(value, "Float64Array") || isTypedArrayOf(value, "Float32Array");
  if (!ok) {
    throw new TypeError(`${name} must be a Uint8Array, a Float64Array or a Float32Array of interleaved RGB values, got ${show(value)}`);
  }
  const image = value as RgbImage;
  if (image.length !== 3 * pixels) {
    throw new RangeError(
      `${name} must have length ${3 * pixels} (3 interleaved RGB values per pixel of width x height), got length ${image.length}`,
    );
  }
}

/**
 * The reference backend's scan of a float image: every channel in [0, 1]
 * (NaN fails). The kernel crate runs the same check for native calls.
 */
export function scanRgbImage(name: string, image: RgbImage): void {
  if (isTypedArrayOf(image, "Uint8Array")) return;
  for (let i = 0; i < image.length; i++) {
    const v = image[i];
    // Written so that NaN fails too.
    if (!(v >= 0 && v <= 1)) {
      throw new RangeError(`${name}[${i}] must be a finite number from 0 to 1, got ${show(v)}`);
    }
  }
}

/** Validates width and height; returns the pixel count. */
export function checkedPixels(width: unknown, height: unknown): number {
  assertInteger("width", width, 1, MAX_DIMENSION);
  assertInteger("height", height, 1, MAX_DIMENSION);
  return width * height;
}

export function checkedNormalization(name: string, value: unknown): Cie94Normalization {
  if (value === undefined) return "original";
  if (typeof value !== "string") {
    throw new TypeError(`${name} must be "original", "minMax" or "none", got ${show(value)}`);
  }
  if (!NORMALIZATIONS.includes(value as Cie94Normalization)) {
    throw new RangeError(`${name} must be "original", "minMax" or "none", got ${show(value)}`);
  }
  return value as Cie94Normalization;
}
