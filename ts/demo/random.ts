/**
 * Seeded randomness for the demo scene (and the tests that reuse it): the
 * same seed gives the same image on every machine, so demo runs compare.
 */

export { mulberry32 } from "../random";

/** Standard normal samples by Box-Muller from a uniform generator. */
export function normalFrom(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    // 1 - u keeps the logarithm's argument in (0, 1].
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}
