/**
 * Draws from a mixture (scikit-learn's `sample`, with the project's
 * generator): mulberry32(seed) uniforms; for each row the component is
 * drawn first (u * sum(w) against the cumulative weights), then d standard
 * normals by Box-Muller (`normalFrom`, `ts/demo/random.ts`, drawing from the
 * same stream), `x = mu + L z` with `L` the Cholesky factor of the
 * component's covariance. Runs in TypeScript for both backends.
 */
import { normalFrom } from "../../demo/random";
import { mulberry32 } from "../../random";
import { choleskyLower } from "./cholesky";
import type { GmmMvModel, GmmSample } from "./types";

export function sampleGmm(model: GmmMvModel, n: number, seed: number): GmmSample {
  const { dims: d, covariance: type, weights, means, covariances } = model;
  const k = weights.length;
  const uniform = mulberry32(seed);
  const normal = normalFrom(uniform);
  // Scale factors: full/tied a Cholesky factor per matrix, diag/spherical standard deviations.
  const matrices = type === "full" ? k : type === "tied" ? 1 : 0;
  const factors = new Float64Array(matrices * d * d);
  const l = new Float64Array(d * d);
  for (let m = 0; m < matrices; m++) {
    choleskyLower(covariances, m * d * d, d, l);
    factors.set(l, m * d * d);
  }
  let totalWeight = 0;
  for (let c = 0; c < k; c++) totalWeight += weights[c];
  let lastPositive = 0;
  for (let c = 0; c < k; c++) if (weights[c] > 0) lastPositive = c;
  const data = new Float64Array(n * d);
  const labels = new Uint32Array(n);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const target = uniform() * totalWeight;
    let c = lastPositive;
    let cumulative = 0;
    for (let t = 0; t < k; t++) {
      cumulative += weights[t];
      if (weights[t] > 0 && target < cumulative) {
        c = t;
        break;
      }
    }
    labels[i] = c;
    for (let j = 0; j < d; j++) z[j] = normal();
    for (let a = 0; a < d; a++) {
      let v = means[c * d + a];
      if (type === "full" || type === "tied") {
        const base = type === "full" ? c * d * d : 0;
        for (let b = 0; b <= a; b++) v += factors[base + a * d + b] * z[b];
      } else {
        v += Math.sqrt(type === "diag" ? covariances[c * d + a] : covariances[c]) * z[a];
      }
      data[i * d + a] = v;
    }
  }
  return { data, labels };
}
