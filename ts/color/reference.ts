/**
 * The TypeScript reference of the CIE94 two-image difference: plain loops,
 * written to be read next to the original program (alexhagiopol/gmm,
 * image_processing.py + gmm_segmentation.py) and next to crates/color, whose
 * operations it performs in the same order.
 *
 * What is matched from the original, quirks included (see the README):
 * - Images arrive here as ordinary R, G, B; the original read them with
 *   OpenCV (B, G, R) and treated that array as linear RGB, so channel 0 of
 *   its conversion is blue. We read the channels back to front.
 * - XYZ = pixelRow · M (numpy `matmul(pixels, M)`), i.e. the transpose of the
 *   textbook sRGB/D65 matrix is applied.
 * - Channels in [0, 1] (8-bit values / 255) against a white point on the
 *   0..100 scale; Lab threshold 0.008856, slopes 903.3 and 7.787, and
 *   `t^(1/3)` computed as `pow(t, 1/3)`.
 * - CIE94 with kL = kC = kH = 1, K1 = 0.045, K2 = 0.015, S_C and S_H from the
 *   first image's chroma, ΔH² = ΔE76² − ΔL² − ΔC².
 * - Normalisation `(d + min) / (max - min)`.
 */
import type { Cie94Normalization, RgbImage as RgbSource } from "./types";

/** Rows of the original's matrix. */
const M = [
  [0.412453, 0.35758, 0.180423],
  [0.212671, 0.71516, 0.072169],
  [0.019334, 0.119193, 0.950227],
] as const;
const X_N = 95.047;
const Y_N = 100.0;
const Z_N = 108.883;
const THRESHOLD = 0.008856;

const K_L = 1.0;
const K_C = 1.0;
const K_H = 1.0;
const K_1 = 0.045;
const K_2 = 0.015;
const S_L = 1.0;

function channel(image: RgbSource, index: number, bytes: boolean): number {
  return bytes ? image[index] / 255 : image[index];
}

function labF(t: number): number {
  return t > THRESHOLD ? Math.pow(t, 1 / 3) : 7.787 * t + 16 / 116;
}

/** Lab of pixel `i`, written into `out` as [L, a, b]. */
function pixelLab(image: RgbSource, i: number, bytes: boolean, out: Float64Array): void {
  // The original's channel 0 is blue (OpenCV's B, G, R order).
  const c0 = channel(image, 3 * i + 2, bytes);
  const c1 = channel(image, 3 * i + 1, bytes);
  const c2 = channel(image, 3 * i, bytes);
  const x = c0 * M[0][0] + c1 * M[1][0] + c2 * M[2][0];
  const y = c0 * M[0][1] + c1 * M[1][1] + c2 * M[2][1];
  const z = c0 * M[0][2] + c1 * M[1][2] + c2 * M[2][2];
  const yr = y / Y_N;
  const fx = labF(x / X_N);
  const fy = labF(yr);
  const fz = labF(z / Z_N);
  out[0] = yr > THRESHOLD ? 116 * Math.pow(yr, 1 / 3) - 16 : 903.3 * yr;
  out[1] = 500 * (fx - fy);
  out[2] = 200 * (fy - fz);
}

/** ΔE94 between two Lab colours, S_C and S_H from the first. */
export function cie94Reference(l1: number, a1: number, b1: number, l2: number, a2: number, b2: number): number {
  const deltaL = l1 - l2;
  const c1 = Math.sqrt(a1 * a1 + b1 * b1);
  const c2 = Math.sqrt(a2 * a2 + b2 * b2);
  const deltaC = c1 - c2;
  const dl = l2 - l1;
  const da = a2 - a1;
  const db = b2 - b1;
  const deltaE = Math.sqrt(dl * dl + da * da + db * db);
  const deltaHSquared = deltaE * deltaE - deltaL * deltaL - deltaC * deltaC;
  const sC = 1 + K_1 * c1;
  const sH = 1 + K_2 * c1;
  const lTerm = deltaL / (K_L * S_L);
  const cTerm = deltaC / (K_C * sC);
  const hScale = K_H * sH;
  const sum = lTerm * lTerm + cTerm * cTerm + deltaHSquared / (hScale * hScale);
  // ΔH² can round below zero for hue-free changes; the original would give NaN.
  return Math.sqrt(Math.max(sum, 0));
}

/** Rescales in place; a constant image (max == min) becomes zeros. */
export function normalizeReference(values: Float64Array, normalization: Cie94Normalization): void {
  if (normalization === "none" || values.length === 0) return;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  if (range === 0) {
    values.fill(0);
    return;
  }
  const offset = normalization === "original" ? min : -min;
  for (let i = 0; i < values.length; i++) values[i] = (values[i] + offset) / range;
}

/** Arguments already validated: lengths are 3 * width * height. */
export function cie94DifferenceReference(
  rgbA: RgbSource,
  rgbB: RgbSource,
  pixels: number,
  normalization: Cie94Normalization,
): Float64Array {
  const bytesA = rgbA.BYTES_PER_ELEMENT === 1;
  const bytesB = rgbB.BYTES_PER_ELEMENT === 1;
  const labA = new Float64Array(3);
  const labB = new Float64Array(3);
  const out = new Float64Array(pixels);
  for (let i = 0; i < pixels; i++) {
    pixelLab(rgbA, i, bytesA, labA);
    pixelLab(rgbB, i, bytesB, labB);
    out[i] = cie94Reference(labA[0], labA[1], labA[2], labB[0], labB[1], labB[2]);
  }
  normalizeReference(out, normalization);
  return out;
}
