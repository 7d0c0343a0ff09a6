/**
 * The demo's synthetic grayscale scene: three intensity regions plus
 * Gaussian noise, generated from a seed so the demo needs no image file and
 * every run sees the same pixels.
 */
import { mulberry32, normalFrom } from "./random";

/** Intensity and noise of each region, darkest first (ground truth). */
export const SCENE_REGIONS = [
  { name: "background", level: 0.2, noise: 0.05 },
  { name: "disc", level: 0.55, noise: 0.06 },
  { name: "bar", level: 0.85, noise: 0.04 },
] as const;

export interface Scene {
  width: number;
  height: number;
  /** Row-major intensities in [0, 1]. */
  intensities: Float64Array;
  /** Row-major region index into SCENE_REGIONS for every pixel. */
  truth: Uint8Array;
}

/** Which region covers pixel (x, y): a disc left of centre and a slanted bar. */
function regionAt(x: number, y: number, width: number, height: number): number {
  const u = x / width;
  const v = y / height;
  // The bar is drawn over the disc so that both shapes touch the background.
  if (Math.abs(u - 0.62 - 0.25 * (v - 0.5)) < 0.09 && v > 0.12 && v < 0.88) return 2;
  const du = (u - 0.35) * (width / height);
  const dv = v - 0.5;
  if (du * du + dv * dv < 0.3 * 0.3) return 1;
  return 0;
}

export function generateScene(width: number, height: number, seed = 1): Scene {
  const normal = normalFrom(mulberry32(seed));
  const intensities = new Float64Array(width * height);
  const truth = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const region = regionAt(x, y, width, height);
      const { level, noise } = SCENE_REGIONS[region];
      truth[i] = region;
      // Clamped like a real sensor: intensities stay in the original's [0, 1].
      intensities[i] = Math.min(1, Math.max(0, level + noise * normal()));
    }
  }
  return { width, height, intensities, truth };
}
