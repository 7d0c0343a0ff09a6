/**
 * The original's clean-up of the segmentation image: grey-level opening then
 * closing with a 5 × 5 all-ones square centred on the pixel. The window is
 * clipped at the borders (erosion is the minimum and dilation the maximum of
 * the part inside the image), which is what OpenCV's default border value
 * for erode/dilate (the neutral element) amounts to.
 */

/** Half-width of the 5 × 5 window. */
export const POSTPROCESS_RADIUS = 2;

/**
 * Minimum (`max = false`) or maximum over the clipped (2r+1) × (2r+1) window;
 * the square is separable, so rows first, then columns (a clipped square is
 * the product of two clipped intervals). The comparison is written out in
 * both branches so each loop stays monomorphic.
 */
function filter(src: Float64Array, width: number, height: number, max: boolean, r: number): Float64Array {
  const rows = new Float64Array(src.length);
  for (let y = 0; y < height; y++) {
    const base = y * width;
    for (let x = 0; x < width; x++) {
      const from = base + Math.max(0, x - r);
      const to = base + Math.min(width - 1, x + r);
      let v = src[from];
      if (max) {
        for (let t = from + 1; t <= to; t++) if (src[t] > v) v = src[t];
      } else {
        for (let t = from + 1; t <= to; t++) if (src[t] < v) v = src[t];
      }
      rows[base + x] = v;
    }
  }
  const out = new Float64Array(src.length);
  for (let y = 0; y < height; y++) {
    const from = Math.max(0, y - r) * width;
    const to = Math.min(height - 1, y + r) * width;
    for (let x = 0; x < width; x++) {
      let v = rows[from + x];
      if (max) {
        for (let t = from + width + x; t <= to + x; t += width) if (rows[t] > v) v = rows[t];
      } else {
        for (let t = from + width + x; t <= to + x; t += width) if (rows[t] < v) v = rows[t];
      }
      out[y * width + x] = v;
    }
  }
  return out;
}

/** Grey-level erosion (minimum over the clipped 5 × 5 window). */
export function erode(values: Float64Array, width: number, height: number): Float64Array {
  return filter(values, width, height, false, POSTPROCESS_RADIUS);
}

/** Grey-level dilation (maximum over the clipped 5 × 5 window). */
export function dilate(values: Float64Array, width: number, height: number): Float64Array {
  return filter(values, width, height, true, POSTPROCESS_RADIUS);
}

/**
 * Opening (erode, dilate) then closing (dilate, erode) of a `width × height`
 * row-major image with the 5 × 5 all-ones square; returns a new array.
 *
 * @throws RangeError when `values.length !== width * height` or a dimension is not an integer >= 1.
 */
export function postprocess(values: Float64Array, width: number, height: number): Float64Array {
  if (!(values instanceof Float64Array)) throw new TypeError("values must be a Float64Array");
  if (!Number.isSafeInteger(width) || width < 1 || !Number.isSafeInteger(height) || height < 1) {
    throw new RangeError(`width and height must be integers >= 1, got ${width} x ${height}`);
  }
  if (values.length !== width * height) {
    throw new RangeError(`values must have length ${width * height} (width x height), got length ${values.length}`);
  }
  const opened = dilate(erode(values, width, height), width, height);
  return erode(dilate(opened, width, height), width, height);
}
