/**
 * Reading images through sharp (JPEG, PNG, WebP, TIFF, GIF: the first frame)
 * as 8-bit data, oriented by their EXIF tag like OpenCV's `imread`.
 */
import { access } from "node:fs/promises";

import { loadSharp } from "./sharp";
import type { ImageChannel, ImagePlane, RgbImageData } from "./types";

export const IMAGE_CHANNELS: readonly ImageChannel[] = ["blue", "green", "red", "luma"];

/** Index of the plane in sharp's R, G, B order. */
const RGB_INDEX = { red: 0, green: 1, blue: 2 } as const;

/** Throws `image not found: <path>` for a path that cannot be opened. */
async function assertReadable(path: string): Promise<void> {
  if (typeof path !== "string" || path === "") throw new TypeError(`path must be a non-empty string, got ${JSON.stringify(path)}`);
  try {
    await access(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw Object.assign(new Error(code === "ENOENT" ? `image not found: ${path}` : `cannot open image ${path} (${code})`), { code });
  }
}

function cannotRead(path: string, error: unknown): Error {
  const message = String((error as Error)?.message ?? error).split("\n")[0];
  return new Error(`cannot read image ${path}: ${message}`);
}

/** Raw 8-bit R, G, B of a file: greyscale files are expanded, alpha is dropped. */
async function decodeRgb(path: string): Promise<RgbImageData> {
  await assertReadable(path);
  const sharp = await loadSharp();
  try {
    const { data, info } = await sharp(path)
      .autoOrient()
      .removeAlpha()
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (error) {
    throw cannotRead(path, error);
  }
}

/**
 * One 8-bit plane of an image file.
 *
 * @param options.channel `"blue"` (default: the original reads files with
 *   OpenCV, B, G, R, and segments plane 0), `"green"`, `"red"`, or `"luma"`:
 *   sharp's greyscale conversion, which libvips computes as
 *   Y = 0.2126 R + 0.7152 G + 0.0722 B on linear light (sRGB decoded), then
 *   encoded back with the sRGB curve (so it is not OpenCV's
 *   0.299/0.587/0.114 on the encoded values). A greyscale file gives its
 *   grey values for every channel.
 * @throws Error `image not found: <path>`, or `cannot read image <path>: ...`.
 */
export async function readImagePlane(path: string, options?: { channel?: ImageChannel }): Promise<ImagePlane> {
  const channel = options?.channel ?? "blue";
  if (!IMAGE_CHANNELS.includes(channel)) {
    throw new RangeError(`options.channel must be one of ${IMAGE_CHANNELS.join(", ")}, got ${JSON.stringify(channel)}`);
  }
  if (channel !== "luma") {
    const rgb = await decodeRgb(path);
    const pixels = rgb.width * rgb.height;
    const plane = new Uint8Array(pixels);
    const offset = RGB_INDEX[channel];
    for (let i = 0; i < pixels; i++) plane[i] = rgb.data[3 * i + offset];
    return { data: plane, width: rgb.width, height: rgb.height };
  }
  await assertReadable(path);
  const sharp = await loadSharp();
  try {
    const { data, info } = await sharp(path)
      .autoOrient()
      .removeAlpha()
      .greyscale()
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1) throw new Error(`expected 1 channel after greyscale conversion, got ${info.channels}`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (error) {
    throw cannotRead(path, error);
  }
}

/** An image file as interleaved 8-bit R, G, B (two-image mode; see `cie94Difference`). */
export function readImageRgb(path: string): Promise<RgbImageData> {
  return decodeRgb(path);
}
