/** Seeded synthetic grayscale scenes for the GMM tests. */
import { mulberry32 } from "./random";

/** Standard normal deviates (Box-Muller) from a seeded uniform source. */
export function normalSource(random: () => number): () => number {
  return () => {
    const u = Math.max(random(), 1e-300);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

/** Three noisy intensity levels (0.2, 0.5, 0.85) in random order, clipped to [0, 1]. */
export function sceneValues(n: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const normal = normalSource(random);
  const levels: Array<[number, number]> = [[0.2, 0.05], [0.5, 0.08], [0.85, 0.04]];
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const [m, s] = levels[Math.floor(random() * 3)];
    x[i] = Math.min(1, Math.max(0, m + s * normal()));
  }
  return x;
}

/** The same scene as 8-bit pixels. */
export function sceneBytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from(sceneValues(n, seed), (v) => Math.round(v * 255));
}
