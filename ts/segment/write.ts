/** Writing segmentations as 8-bit greyscale PNG through sharp. */
import { writeFile } from "node:fs/promises";

import { loadSharp } from "./sharp";

export interface WriteSegmentationOptions {
  /**
   * How the values become bytes: `"values"` (default for a Float64Array):
   * round(255 × v), clamped to 0..255; `"labels"` (default for a
   * Uint8Array): the bytes as they are (component indices 0 .. K-1).
   */
  kind?: "values" | "labels";
}

/** Values in [0, 1] as bytes: round(255 × v), clamped to 0..255 (NaN gives 0). */
export function toBytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(255 * values[i]);
    out[i] = v > 255 ? 255 : v > 0 ? v : 0;
  }
  return out;
}

function asBytes(values: Float64Array | Uint8Array, options?: WriteSegmentationOptions): Uint8Array {
  const kind = options?.kind ?? (values instanceof Uint8Array ? "labels" : "values");
  if (kind === "labels") {
    if (!(values instanceof Uint8Array)) throw new TypeError("labels must be a Uint8Array");
    return values;
  }
  if (kind !== "values") throw new RangeError(`options.kind must be "values" or "labels", got ${JSON.stringify(kind)}`);
  return toBytes(values);
}

/** An 8-bit greyscale PNG of `width × height` bytes, in memory. */
export async function encodeGrayPng(bytes: Uint8Array, width: number, height: number): Promise<Buffer> {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1 || bytes.length !== width * height) {
    throw new RangeError(`expected ${width} x ${height} values, got ${bytes.length}`);
  }
  const sharp = await loadSharp();
  return sharp(bytes, { raw: { width, height, channels: 1 } }).toColourspace("b-w").png().toBuffer();
}

/** An 8-bit RGB PNG of `width × height` interleaved R, G, B pixels, in memory. */
export async function encodeRgbPng(bytes: Uint8Array, width: number, height: number): Promise<Buffer> {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1 || bytes.length !== 3 * width * height) {
    throw new RangeError(`expected ${width} x ${height} x 3 values, got ${bytes.length}`);
  }
  const sharp = await loadSharp();
  return sharp(bytes, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/**
 * Writes a segmentation as an 8-bit greyscale PNG: values (round(255 × v))
 * or labels (bytes as they are), see `options.kind`.
 */
export async function writeSegmentation(
  path: string,
  valuesOrLabels: Float64Array | Uint8Array,
  width: number,
  height: number,
  options?: WriteSegmentationOptions,
): Promise<void> {
  await writeFile(path, await encodeGrayPng(asBytes(valuesOrLabels, options), width, height));
}
