/**
 * Optional PNG output of the demo through sharp (a dependency, loaded
 * lazily). Should it fail to load (no prebuilt libvips for the platform), the
 * demo skips the images and says why instead of failing.
 */

/** Writes an 8-bit grayscale PNG; resolves to null, or to why it could not. */
export async function writeGrayPng(file: string, pixels: Uint8Array, width: number, height: number): Promise<string | null> {
  let sharp: typeof import("sharp");
  try {
    sharp = (await import("sharp")).default;
  } catch (error) {
    return `sharp is not installed (${(error as Error).message.split("\n")[0]})`;
  }
  try {
    await sharp(pixels, { raw: { width, height, channels: 1 } })
      .toColourspace("b-w")
      .png()
      .toFile(file);
    return null;
  } catch (error) {
    return `sharp could not write ${file}: ${(error as Error).message}`;
  }
}

/** Intensities in [0, 1] as 8-bit gray levels. */
export function toGray(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round(255 * Math.min(1, Math.max(0, values[i])));
  return out;
}
