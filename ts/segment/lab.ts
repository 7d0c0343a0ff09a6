/**
 * CIE L*a*b* of 8-bit sRGB pixels for `segment --color-space lab`.
 *
 * The project's other Lab conversion (`ts/color/reference.ts`, crates/color)
 * is internal to the CIE94 two-image mode and reproduces the original
 * program's quirks on purpose (B, G, R read as linear RGB, no sRGB decoding,
 * the transposed matrix), so it is not CIE Lab of an sRGB file. This one is
 * the textbook conversion:
 * 1. sRGB decoding (IEC 61966-2-1): c = v / 255, linear = c / 12.92 when
 *    c <= 0.04045, else ((c + 0.055) / 1.055)^2.4;
 * 2. linear sRGB → XYZ with the sRGB/D65 matrix (Lindbloom's 7 digits);
 * 3. XYZ → Lab against the D65 white (0.95047, 1, 1.08883):
 *    f(t) = cbrt(t) for t > (6/29)^3, else t / (3 (6/29)^2) + 4/29;
 *    L = 116 f(Y) − 16, a = 500 (f(X) − f(Y)), b = 200 (f(Y) − f(Z)).
 * L is in 0..100, a and b roughly −128..127.
 */

const M = [
  [0.4124564, 0.3575761, 0.1804375],
  [0.2126729, 0.7151522, 0.072175],
  [0.0193339, 0.119192, 0.9503041],
] as const;
/** Inverse of M (XYZ → linear sRGB), Lindbloom's. */
const M_INV = [
  [3.2404542, -1.5371385, -0.4985314],
  [-0.969266, 1.8760108, 0.041556],
  [0.0556434, -0.2040259, 1.0572252],
] as const;
const WHITE = [0.95047, 1.0, 1.08883] as const;
const DELTA = 6 / 29;

/** Linear-light value of every 8-bit sRGB code. */
const LINEAR = new Float64Array(256);
for (let v = 0; v < 256; v++) {
  const c = v / 255;
  LINEAR[v] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

function f(t: number): number {
  return t > DELTA * DELTA * DELTA ? Math.cbrt(t) : t / (3 * DELTA * DELTA) + 4 / 29;
}

function fInverse(t: number): number {
  return t > DELTA ? t * t * t : 3 * DELTA * DELTA * (t - 4 / 29);
}

/**
 * Interleaved 8-bit R, G, B (3 bytes per pixel) → interleaved L, a, b
 * (Float64Array, 3 values per pixel), D65.
 */
export function srgbToLab(rgb: Uint8Array): Float64Array {
  if (!(rgb instanceof Uint8Array) || rgb.length % 3 !== 0) throw new RangeError("rgb must be a Uint8Array of 3 bytes per pixel");
  const out = new Float64Array(rgb.length);
  for (let i = 0; i < rgb.length; i += 3) {
    const r = LINEAR[rgb[i]];
    const g = LINEAR[rgb[i + 1]];
    const b = LINEAR[rgb[i + 2]];
    const fx = f((M[0][0] * r + M[0][1] * g + M[0][2] * b) / WHITE[0]);
    const fy = f((M[1][0] * r + M[1][1] * g + M[1][2] * b) / WHITE[1]);
    const fz = f((M[2][0] * r + M[2][1] * g + M[2][2] * b) / WHITE[2]);
    out[i] = 116 * fy - 16;
    out[i + 1] = 500 * (fx - fy);
    out[i + 2] = 200 * (fy - fz);
  }
  return out;
}

function encode(linear: number): number {
  const c = linear <= 0.0031308 ? 12.92 * linear : 1.055 * Math.pow(linear, 1 / 2.4) - 0.055;
  const v = Math.round(255 * c);
  return v > 255 ? 255 : v > 0 ? v : 0; // NaN gives 0
}

/** One Lab colour → 8-bit sRGB (the inverse of `srgbToLab`, clipped to the gamut by clamping). */
export function labToSrgb(l: number, a: number, b: number): [number, number, number] {
  const fy = (l + 16) / 116;
  const x = WHITE[0] * fInverse(fy + a / 500);
  const y = WHITE[1] * fInverse(fy);
  const z = WHITE[2] * fInverse(fy - b / 200);
  return [
    encode(M_INV[0][0] * x + M_INV[0][1] * y + M_INV[0][2] * z),
    encode(M_INV[1][0] * x + M_INV[1][1] * y + M_INV[1][2] * z),
    encode(M_INV[2][0] * x + M_INV[2][1] * y + M_INV[2][2] * z),
  ];
}
