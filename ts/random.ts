/**
 * mulberry32, the one seeded generator of the project: SMACOF's random
 * initialisation (mirrored in `crates/mds/src/random.rs`, so both backends
 * draw the same configurations for the same seed), the demo scene, the tests'
 * and the benchmarks' data.
 */
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
