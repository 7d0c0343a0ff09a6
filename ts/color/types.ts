/** Public types of the colour-difference functions. */
import type { AsyncKernelOptions, KernelOptions } from "../threads";

/**
 * How the ΔE94 image is rescaled:
 * - `"original"` (default): `(d + min) / (max - min)`, exactly what the
 *   original program fits (its `+ min` is kept, so values lie in
 *   `[2·min/(max−min), (max+min)/(max−min)]`, not [0, 1]);
 * - `"minMax"`: `(d - min) / (max - min)`, into [0, 1];
 * - `"none"`: raw ΔE94 values (what a subtraction threshold such as 2.3 is
 *   compared against).
 * A constant difference image (max == min, e.g. two identical images) cannot
 * be rescaled and becomes all zeros.
 */
export type Cie94Normalization = "original" | "minMax" | "none";

/** Options of `cie94Difference`. */
export interface Cie94Options extends KernelOptions {
  /** Rescaling of the result. Default `"original"`. */
  normalization?: Cie94Normalization;
}

/** Options of `cie94DifferenceAsync`. */
export interface Cie94AsyncOptions extends AsyncKernelOptions {
  /** Rescaling of the result. Default `"original"`. */
  normalization?: Cie94Normalization;
}

/**
 * An interleaved RGB image: 8-bit (read as value / 255) or floats in [0, 1]
 * (Float64Array, or Float32Array widened exactly to float64).
 */
export type RgbImage = Uint8Array | Float64Array | Float32Array;
