/**
 * Seeded starting models of the multivariate fit, computed in TypeScript for
 * both backends (the native fit receives the drawn model as an explicit init,
 * so both backends start from the same bits). Like scikit-learn's
 * `_initialize_parameters`, each init makes responsibilities (hard for
 * k-means++ and random_from_data, random for 'random') and applies one
 * weighted M-step to them with `regCovar`.
 *
 * - 'kmeans++': k-means++ seeding (D^2 sampling weighted by the sample
 *   weights, one candidate per centre), then Lloyd iterations until the
 *   labels stop changing or KMEANS_LLOYD_ITERATIONS ran (scikit-learn runs
 *   KMeans to convergence with greedy seeding, so draws differ from it).
 * - 'random': uniform responsibilities normalised per row (scikit-learn's).
 * - 'random_from_data': K distinct rows of weight > 0 drawn with
 *   probability proportional to their weight, one per component.
 * - 'original': not seeded: means `linspace(0, 1, K)` in every column,
 *   covariances `10/255` on the diagonal, weights `1/K`.
 */
import type { Rows } from "./reference";
import { accumulateRow, mStep, mirrorPartial, readRow } from "./reference";
import type { CovarianceType, GmmMvModel } from "./types";
import { covarianceLength, statsStride } from "./validate";

/** Most Lloyd iterations of the k-means++ init. */
export const KMEANS_LLOYD_ITERATIONS = 20;

/** The rows as a dense n x d Float64Array. */
function denseRows(rows: Rows): Float64Array {
  const x = new Float64Array(rows.n * rows.d);
  const row = new Float64Array(rows.d);
  for (let i = 0; i < rows.n; i++) {
    readRow(rows, i, row);
    x.set(row, i * rows.d);
  }
  return x;
}

const weightOf = (rows: Rows, i: number) => (rows.weights ? rows.weights[i] : 1);

/** One M-step (with regCovar) from responsibilities `resp(i, r)` written into r (length K). */
function modelFromResponsibilities(
  rows: Rows,
  x: Float64Array,
  k: number,
  type: CovarianceType,
  regCovar: number,
  resp: (i: number, r: Float64Array) => void,
): GmmMvModel {
  const d = rows.d;
  const acc = new Float64Array(statsStride(type, k, d));
  const r = new Float64Array(k);
  for (let i = 0; i < rows.n; i++) {
    const w = weightOf(rows, i);
    if (w === 0) continue;
    resp(i, r);
    accumulateRow(acc, 0, k, d, type, x.subarray(i * d, (i + 1) * d), w, 0, r);
  }
  mirrorPartial(acc, 0, k, d, type);
  return mStep(acc, k, d, type, regCovar);
}

function squaredDistance(x: Float64Array, i: number, centres: Float64Array, c: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = x[i * d + j] - centres[c * d + j];
    s += t * t;
  }
  return s;
}

/** Index drawn with probability proportional to `mass(i)` (u in [0, 1)); the last positive index on round-off. */
function drawIndex(n: number, mass: (i: number) => number, total: number, u: number): number {
  const target = u * total;
  let cumulative = 0;
  let last = -1;
  for (let i = 0; i < n; i++) {
    const m = mass(i);
    if (m <= 0) continue;
    last = i;
    cumulative += m;
    if (target < cumulative) return i;
  }
  return last;
}

function kmeansLabels(rows: Rows, x: Float64Array, k: number, rng: () => number): Int32Array {
  const { n, d } = rows;
  const centres = new Float64Array(k * d);
  const d2 = new Float64Array(n);
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += weightOf(rows, i);
  const first = drawIndex(n, (i) => weightOf(rows, i), totalWeight, rng());
  centres.set(x.subarray(first * d, (first + 1) * d), 0);
  for (let i = 0; i < n; i++) d2[i] = squaredDistance(x, i, centres, 0, d);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += weightOf(rows, i) * d2[i];
    const pick = total > 0 ? drawIndex(n, (i) => weightOf(rows, i) * d2[i], total, rng()) : drawIndex(n, (i) => weightOf(rows, i), totalWeight, rng());
    centres.set(x.subarray(pick * d, (pick + 1) * d), c * d);
    for (let i = 0; i < n; i++) d2[i] = Math.min(d2[i], squaredDistance(x, i, centres, c, d));
  }
  const labels = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * d), mass = new Float64Array(k);
  for (let iteration = 0; iteration < KMEANS_LLOYD_ITERATIONS; iteration++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      let best = 0, bestD = squaredDistance(x, i, centres, 0, d);
      for (let c = 1; c < k; c++) {
        const s = squaredDistance(x, i, centres, c, d);
        if (s < bestD) [best, bestD] = [c, s];
      }
      if (labels[i] !== best) changed = true;
      labels[i] = best;
    }
    if (!changed) break;
    sums.fill(0);
    mass.fill(0);
    for (let i = 0; i < n; i++) {
      const w = weightOf(rows, i);
      mass[labels[i]] += w;
      for (let j = 0; j < d; j++) sums[labels[i] * d + j] += w * x[i * d + j];
    }
    // An empty cluster keeps its centre.
    for (let c = 0; c < k; c++) if (mass[c] > 0) for (let j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j] / mass[c];
  }
  return labels;
}

export function kmeansPlusPlusInit(rows: Rows, k: number, type: CovarianceType, regCovar: number, rng: () => number): GmmMvModel {
  const x = denseRows(rows);
  const labels = kmeansLabels(rows, x, k, rng);
  return modelFromResponsibilities(rows, x, k, type, regCovar, (i, r) => {
    r.fill(0);
    r[labels[i]] = 1;
  });
}

export function randomInit(rows: Rows, k: number, type: CovarianceType, regCovar: number, rng: () => number): GmmMvModel {
  const x = denseRows(rows);
  const resp = new Float64Array(rows.n * k);
  for (let i = 0; i < resp.length; i++) resp[i] = rng();
  return modelFromResponsibilities(rows, x, k, type, regCovar, (i, r) => {
    let s = 0;
    for (let c = 0; c < k; c++) s += resp[i * k + c];
    for (let c = 0; c < k; c++) r[c] = resp[i * k + c] / s;
  });
}

export function randomFromDataInit(rows: Rows, k: number, type: CovarianceType, regCovar: number, rng: () => number): GmmMvModel {
  const x = denseRows(rows);
  const chosen = new Int32Array(rows.n).fill(-1);
  let available = 0;
  for (let i = 0; i < rows.n; i++) if (weightOf(rows, i) > 0) available++;
  if (available < k) {
    throw new RangeError(`options.init = 'random_from_data' needs at least options.components = ${k} rows of weight > 0, got ${available}`);
  }
  for (let c = 0; c < k; c++) {
    const mass = (i: number) => (chosen[i] >= 0 ? 0 : weightOf(rows, i));
    let total = 0;
    for (let i = 0; i < rows.n; i++) total += mass(i);
    chosen[drawIndex(rows.n, mass, total, rng())] = c;
  }
  return modelFromResponsibilities(rows, x, k, type, regCovar, (i, r) => {
    r.fill(0);
    if (chosen[i] >= 0) r[chosen[i]] = 1;
  });
}

/** The original's start, carried to d columns: means linspace(0, 1, K) per column, covariances 10/255 I, weights 1/K. */
export function originalInit(k: number, d: number, type: CovarianceType): GmmMvModel {
  const means = new Float64Array(k * d);
  for (let c = 0; c < k; c++) means.fill(k === 1 ? 0 : c / (k - 1), c * d, (c + 1) * d);
  const covariances = new Float64Array(covarianceLength(type, k, d));
  const variance = 10 / 255;
  if (type === "full" || type === "tied") {
    const matrices = type === "full" ? k : 1;
    for (let m = 0; m < matrices; m++) for (let j = 0; j < d; j++) covariances[m * d * d + j * d + j] = variance;
  } else {
    covariances.fill(variance);
  }
  return { dims: d, covariance: type, weights: new Float64Array(k).fill(1 / k), means, covariances };
}
