/** Seeded mixture data for the distributed tests, and a bitwise comparison of fits. */
import { writeFileSync } from "node:fs";
import path from "node:path";

import type { GmmMvFit } from "../../ts/gmm/multivariate/types";
import { mulberry32 } from "./random";
import { normalSource } from "./gmm-scene";

/** n rows of d values around K = 3 centres (row-major float64). */
export function mixtureRows(n: number, d: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const normal = normalSource(random);
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(random() * 3);
    for (let j = 0; j < d; j++) out[i * d + j] = 0.25 * k + 0.1 * j + (0.03 + 0.02 * k) * normal();
  }
  return out;
}

/**
 * 8-bit rows around K = 3 colours (triangular noise). Past 65536 rows the
 * first 65536 repeat: drawing millions of values inside jest's sandbox takes
 * tens of seconds, and the fits only need many rows, not fresh ones.
 */
export function mixtureBytes(n: number, d: number, seed: number): Uint8Array {
  const random = mulberry32(seed);
  const out = new Uint8Array(n * d);
  const fresh = Math.min(n, 65536);
  for (let i = 0; i < fresh; i++) {
    const k = Math.floor(random() * 3);
    for (let j = 0; j < d; j++) {
      const v = 40 + 70 * k + 10 * j + (8 + 4 * k) * (random() + random() - 1);
      out[i * d + j] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
  for (let at = fresh * d; at < out.length; at += fresh * d) out.copyWithin(at, 0, Math.min(fresh * d, out.length - at));
  return out;
}

export function writeRows(dir: string, name: string, values: Float64Array | Float32Array | Uint8Array): string {
  writeFileSync(path.join(dir, name), Buffer.from(values.buffer, values.byteOffset, values.byteLength));
  return name;
}

function sameBits(name: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new Error(`${name}: length ${a.length} != ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) throw new Error(`${name}[${i}]: ${a[i]} != ${b[i]} (not the same bits)`);
  }
}

/** Every array element identical (Object.is), and the same trace. */
export function expectSameFit(actual: GmmMvFit, expected: GmmMvFit): void {
  expect({ dims: actual.dims, covariance: actual.covariance, iterations: actual.iterations, converged: actual.converged }).toEqual({
    dims: expected.dims,
    covariance: expected.covariance,
    iterations: expected.iterations,
    converged: expected.converged,
  });
  sameBits("weights", actual.weights, expected.weights);
  sameBits("means", actual.means, expected.means);
  sameBits("covariances", actual.covariances, expected.covariances);
  sameBits("logLikelihoods", actual.logLikelihoods, expected.logLikelihoods);
  if (expected.variances) sameBits("variances", actual.variances as Float64Array, expected.variances);
  if (expected.stdevs) sameBits("stdevs", actual.stdevs as Float64Array, expected.stdevs);
}
