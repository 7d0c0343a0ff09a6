import { mulberry32 } from "../../ts/random";

export { mulberry32 };

/** n values uniform in [lo, hi) from mulberry32(seed). */
export function randomArray(n: number, seed: number, lo = 0, hi = 1): Float64Array {
  const rng = mulberry32(seed);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = lo + (hi - lo) * rng();
  return out;
}
