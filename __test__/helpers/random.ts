/** Seeded pseudo-random numbers for tests (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates (Box-Muller) from a seeded uniform source. */
export function normalSource(random: () => number): () => number {
  return () => {
    const u = Math.max(random(), 1e-300);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

/** A synthetic grayscale "scene": three noisy intensity levels in [0, 1]. */
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

export function sceneBytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from(sceneValues(n, seed), (v) => Math.round(v * 255));
}

/** n values uniform in [lo, hi) from mulberry32(seed). */
export function randomArray(n: number, seed: number, lo = 0, hi = 1): Float64Array {
  const rng = mulberry32(seed);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = lo + (hi - lo) * rng();
  return out;
}
