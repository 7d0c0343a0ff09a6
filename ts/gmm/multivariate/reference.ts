/**
 * The TypeScript reference of the multivariate GMM path: plain loops, the
 * oracle of the native kernels. Semantics are scikit-learn's GaussianMixture
 * (`_compute_precision_cholesky`, `_estimate_log_gaussian_prob`,
 * `_estimate_gaussian_parameters`); the statistics are summed in fixed
 * chunks (`GMM_STATS_CHUNK` rows aligned to the global row index, rows in
 * order inside a chunk, chunk partials folded in chunk order from zeros),
 * the representation `gmmStatistics` / `mergeGmmStatistics` / `gmmMStep`
 * expose, so a sharded fit has the bits of the in-process one.
 *
 * Inputs are already validated (shapes, model values); the data and weight
 * scans are done by the callers in `kernels.ts`.
 */
import { choleskyLower, invertLower } from "./cholesky";
import type { CovarianceType, GmmMvModel } from "./types";
import { GMM_STATS_CHUNK, statsStride } from "./validate";

/** `ln(2 pi)`. */
const LOG_2PI = Math.log(2 * Math.PI);

/** scikit-learn adds `10 * eps` to every N_k. */
export const NK_EPSILON = 10 * Number.EPSILON;

/** Rows as the reference reads them. */
export interface Rows {
  /** float64 values (float32 already widened) or 8-bit values read as v / 255. */
  values: Float64Array | Uint8Array;
  bytes: boolean;
  rowWidth: number;
  columns: Uint32Array;
  d: number;
  n: number;
  /** Per-row weights (undefined: 1 each). */
  weights: Float64Array | undefined;
}

/** Row i's model columns into `out` (8-bit values as `v / 255`, as the 1-D path). */
export function readRow(rows: Rows, i: number, out: Float64Array): void {
  const base = i * rows.rowWidth;
  if (rows.bytes) for (let j = 0; j < rows.d; j++) out[j] = rows.values[base + rows.columns[j]] / 255;
  else for (let j = 0; j < rows.d; j++) out[j] = rows.values[base + rows.columns[j]];
}

/** Per-component constants of the log-densities. */
export interface Precision {
  k: number;
  d: number;
  type: CovarianceType;
  means: Float64Array;
  logWeights: Float64Array;
  /** `ln det` of the precision Cholesky factor (scikit-learn's `_compute_log_det_cholesky`). */
  logDet: Float64Array;
  /** full: K x (L^-1, d x d lower); tied: one L^-1; diag: K x d `1/sqrt(var)`; spherical: K `1/sqrt(var)`. */
  factor: Float64Array;
}

/** What is not positive definite: `component 2 covariance` or `the tied covariance`. */
export type PdFailure = (what: string) => Error;

/** The error of an M-step whose covariance is not PD after regCovar. */
export function afterRegCovar(regCovar: number): PdFailure {
  return (what) => new RangeError(`${what} is not positive definite after regCovar = ${String(regCovar)}; increase options.regCovar`);
}

/** Precision Cholesky factors of a model; `fail` makes the error of a covariance that is not PD. */
export function precision(model: GmmMvModel, fail: PdFailure): Precision {
  const k = model.weights.length, d = model.dims, type = model.covariance, cov = model.covariances;
  const logWeights = new Float64Array(k);
  for (let c = 0; c < k; c++) logWeights[c] = Math.log(model.weights[c]);
  const logDet = new Float64Array(k);
  let factor: Float64Array;
  if (type === "full" || type === "tied") {
    const matrices = type === "full" ? k : 1;
    factor = new Float64Array(matrices * d * d);
    const l = new Float64Array(d * d), inv = new Float64Array(d * d);
    for (let m = 0; m < matrices; m++) {
      if (!choleskyLower(cov, m * d * d, d, l)) throw fail(type === "tied" ? "the tied covariance" : `component ${m} covariance`);
      invertLower(l, d, inv);
      factor.set(inv, m * d * d);
      let det = 0;
      for (let j = 0; j < d; j++) det += Math.log(inv[j * d + j]);
      if (type === "tied") logDet.fill(det);
      else logDet[m] = det;
    }
  } else {
    factor = new Float64Array(cov.length);
    for (let i = 0; i < cov.length; i++) {
      if (!(cov[i] > 0)) throw fail(`component ${type === "diag" ? Math.floor(i / d) : i} covariance`);
      factor[i] = 1 / Math.sqrt(cov[i]);
    }
    for (let c = 0; c < k; c++) {
      if (type === "diag") {
        let det = 0;
        for (let j = 0; j < d; j++) det += Math.log(factor[c * d + j]);
        logDet[c] = det;
      } else {
        logDet[c] = d * Math.log(factor[c]);
      }
    }
  }
  return { k, d, type, means: model.means, logWeights, logDet, factor };
}

/**
 * `lp[k] = ln w_k + ln N(x | mu_k, Sigma_k)` =
 * `(-0.5 (d ln 2pi + q) + logDet_k) + ln w_k` with `q = |P^T (x - mu_k)|^2`
 * (P the precision Cholesky factor), q saturating at Number.MAX_VALUE.
 */
export function logProbs(p: Precision, x: Float64Array, diff: Float64Array, lp: Float64Array): void {
  const { k, d, type, means, factor } = p;
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) diff[j] = x[j] - means[c * d + j];
    let q = 0;
    if (type === "full" || type === "tied") {
      const base = type === "full" ? c * d * d : 0;
      for (let j = 0; j < d; j++) {
        let y = 0;
        for (let i = 0; i <= j; i++) y += factor[base + j * d + i] * diff[i];
        q += y * y;
      }
    } else {
      for (let j = 0; j < d; j++) {
        const y = diff[j] * (type === "diag" ? factor[c * d + j] : factor[c]);
        q += y * y;
      }
    }
    if (!(q < Number.MAX_VALUE)) q = Number.MAX_VALUE;
    lp[c] = -0.5 * (d * LOG_2PI + q) + p.logDet[c] + p.logWeights[c];
  }
}

/** log-sum-exp of `lp` (running max from -Infinity); writes the responsibilities `exp(lp - lse)` into `r` when given. */
export function logSumExp(lp: Float64Array, k: number, r?: Float64Array): number {
  let max = -Infinity;
  for (let c = 0; c < k; c++) if (lp[c] > max) max = lp[c];
  let s = 0;
  for (let c = 0; c < k; c++) s += Math.exp(lp[c] - max);
  const lse = max + Math.log(s);
  if (r) for (let c = 0; c < k; c++) r[c] = Math.exp(lp[c] - lse);
  return lse;
}

/**
 * Adds one row to the partial at `out[base..]`: `[weightSum, logLikelihood,
 * resp (K), sumX (K*d), sumXX]`. With `wr = w * r_k`: resp += wr,
 * sumX += wr * x_j, full: sumXX[a][b] += (wr * x_a) * x_b for b >= a (the
 * lower half mirrored at the end of the chunk), diag/spherical:
 * += (wr * x_j) * x_j, tied: sumXX[a][b] += (w * x_a) * x_b.
 */
export function accumulateRow(
  out: Float64Array,
  base: number,
  k: number,
  d: number,
  type: CovarianceType,
  x: Float64Array,
  w: number,
  lse: number,
  r: Float64Array,
): void {
  out[base] += w;
  out[base + 1] += w * lse;
  const sx = base + 2 + k;
  const sxx = sx + k * d;
  for (let c = 0; c < k; c++) {
    const wr = w * r[c];
    out[base + 2 + c] += wr;
    for (let j = 0; j < d; j++) out[sx + c * d + j] += wr * x[j];
    if (type === "full") {
      const m = sxx + c * d * d;
      for (let a = 0; a < d; a++) {
        const t = wr * x[a];
        for (let b = a; b < d; b++) out[m + a * d + b] += t * x[b];
      }
    } else if (type !== "tied") {
      for (let j = 0; j < d; j++) out[sxx + c * d + j] += wr * x[j] * x[j];
    }
  }
  if (type === "tied") {
    for (let a = 0; a < d; a++) {
      const t = w * x[a];
      for (let b = a; b < d; b++) out[sxx + a * d + b] += t * x[b];
    }
  }
}

/** Copies the upper triangle of the partial's sumXX matrices to their lower triangle. */
export function mirrorPartial(out: Float64Array, base: number, k: number, d: number, type: CovarianceType): void {
  if (type !== "full" && type !== "tied") return;
  const sxx = base + 2 + k + k * d;
  const matrices = type === "full" ? k : 1;
  for (let m = 0; m < matrices; m++) {
    const o = sxx + m * d * d;
    for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) out[o + b * d + a] = out[o + a * d + b];
  }
}

/**
 * The chunk partials of one E-step over `rows` (whose first row has a global
 * index that is a multiple of GMM_STATS_CHUNK): ceil(n / CHUNK) partials of
 * `statsStride` values. Rows of weight 0 contribute nothing (skipped).
 */
export function chunkPartials(rows: Rows, p: Precision): Float64Array {
  const { k, d, type } = p;
  const stride = statsStride(type, k, d);
  const chunks = Math.ceil(rows.n / GMM_STATS_CHUNK);
  const out = new Float64Array(chunks * stride);
  const x = new Float64Array(d), diff = new Float64Array(d), lp = new Float64Array(k), r = new Float64Array(k);
  for (let c = 0; c < chunks; c++) {
    const base = c * stride;
    const end = Math.min(rows.n, (c + 1) * GMM_STATS_CHUNK);
    for (let i = c * GMM_STATS_CHUNK; i < end; i++) {
      const w = rows.weights ? rows.weights[i] : 1;
      if (w === 0) continue;
      readRow(rows, i, x);
      logProbs(p, x, diff, lp);
      const lse = logSumExp(lp, k, r);
      accumulateRow(out, base, k, d, type, x, w, lse, r);
    }
    mirrorPartial(out, base, k, d, type);
  }
  return out;
}

/** `acc = ((0 + p0) + p1) + ...`, element by element, in chunk order. */
export function foldPartials(chunks: Float64Array, stride: number, acc = new Float64Array(stride)): Float64Array {
  for (let base = 0; base < chunks.length; base += stride) {
    for (let e = 0; e < stride; e++) acc[e] += chunks[base + e];
  }
  return acc;
}

/**
 * The M-step from folded sums (scikit-learn's formulas, `regCovar` on the
 * diagonal). `W = acc[0]`, `N_k = resp_k + 10 eps`, `w_k = N_k / W`,
 * `mu_k = sumX_k / N_k`;
 * full: `Sigma_k[a][b] = (sumXX_k[a][b] / N_k - mu_a mu_b) (+ reg on a = b)`;
 * diag: `((sumXX_kj / N_k - 2 ((mu_j sumX_kj) / N_k)) + mu_j^2) + reg`;
 * spherical: the mean of the diag values;
 * tied: `(sumXX[a][b] - sum_k (N_k mu_ka) mu_kb) / W (+ reg on a = b)`.
 */
export function mStep(acc: Float64Array, k: number, d: number, type: CovarianceType, regCovar: number): GmmMvModel {
  const total = acc[0];
  const sx = 2 + k;
  const sxx = sx + k * d;
  const weights = new Float64Array(k);
  const means = new Float64Array(k * d);
  const nk = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    nk[c] = acc[2 + c] + NK_EPSILON;
    weights[c] = nk[c] / total;
    for (let j = 0; j < d; j++) means[c * d + j] = acc[sx + c * d + j] / nk[c];
  }
  const covariances = new Float64Array(type === "full" ? k * d * d : type === "diag" ? k * d : type === "spherical" ? k : d * d);
  if (type === "full") {
    for (let c = 0; c < k; c++) {
      const m = c * d * d;
      for (let a = 0; a < d; a++) {
        for (let b = 0; b < d; b++) {
          let v = acc[sxx + m + a * d + b] / nk[c] - means[c * d + a] * means[c * d + b];
          if (a === b) v += regCovar;
          covariances[m + a * d + b] = v;
        }
      }
    }
  } else if (type === "tied") {
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        let means2 = 0;
        for (let c = 0; c < k; c++) means2 += nk[c] * means[c * d + a] * means[c * d + b];
        let v = (acc[sxx + a * d + b] - means2) / total;
        if (a === b) v += regCovar;
        covariances[a * d + b] = v;
      }
    }
  } else {
    for (let c = 0; c < k; c++) {
      let sum = 0;
      for (let j = 0; j < d; j++) {
        const mu = means[c * d + j];
        const avgX2 = acc[sxx + c * d + j] / nk[c];
        const avgXMeans = (mu * acc[sx + c * d + j]) / nk[c];
        const v = avgX2 - 2 * avgXMeans + mu * mu + regCovar;
        if (type === "diag") covariances[c * d + j] = v;
        else sum += v;
      }
      if (type === "spherical") covariances[c] = sum / d;
    }
  }
  return { dims: d, covariance: type, weights, means, covariances };
}

/** Per-row log-likelihood `ln sum_k w_k N(x_i | ...)` (scikit-learn's score_samples). */
export function scoreSamples(rows: Rows, p: Precision): Float64Array {
  const out = new Float64Array(rows.n);
  const x = new Float64Array(p.d), diff = new Float64Array(p.d), lp = new Float64Array(p.k);
  for (let i = 0; i < rows.n; i++) {
    readRow(rows, i, x);
    logProbs(p, x, diff, lp);
    out[i] = logSumExp(lp, p.k);
  }
  return out;
}

/** Labels: argmax_k of `ln w_k + ln N` (ties: lowest index). */
export function predict(rows: Rows, p: Precision): Uint8Array {
  const out = new Uint8Array(rows.n);
  const x = new Float64Array(p.d), diff = new Float64Array(p.d), lp = new Float64Array(p.k);
  for (let i = 0; i < rows.n; i++) {
    readRow(rows, i, x);
    logProbs(p, x, diff, lp);
    let best = 0;
    for (let c = 1; c < p.k; c++) if (lp[c] > lp[best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Responsibilities, N x K row-major (`r[i*K + k]`). */
export function proba(rows: Rows, p: Precision): Float64Array {
  const out = new Float64Array(rows.n * p.k);
  const x = new Float64Array(p.d), diff = new Float64Array(p.d), lp = new Float64Array(p.k), r = new Float64Array(p.k);
  for (let i = 0; i < rows.n; i++) {
    readRow(rows, i, x);
    logProbs(p, x, diff, lp);
    logSumExp(lp, p.k, r);
    out.set(r, i * p.k);
  }
  return out;
}

/** Free parameters of a model (scikit-learn's `_n_parameters`). */
export function parameterCount(type: CovarianceType, k: number, d: number): number {
  const cov = type === "full" ? (k * d * (d + 1)) / 2 : type === "diag" ? k * d : type === "tied" ? (d * (d + 1)) / 2 : k;
  return cov + k * d + k - 1;
}
