/**
 * TypeScript reference of classical MDS and metric SMACOF, the same
 * algorithms (and operation order) as `crates/mds/src/{classical,smacof}.rs`.
 *
 * SMACOF follows scikit-learn 1.9.1's `_smacof_single` (metric=True): the
 * Guttman transform X <- B(X) X / n, stress = sum_{i<j} (d_ij - delta_ij)^2,
 * stop when (old_stress - stress) / sum_{i<j} d_ij^2 < eps. It is written as
 * a generator that yields after every iteration, so the sync API runs it to
 * the end and the async API yields to the event loop in between.
 */
import { mulberry32 } from "../random";
import { squaredDistance } from "./reference";
import { NonMetricModel } from "./reference-nonmetric";
import type { DisparityMap } from "./reference-nonmetric";
import { weightedPass, weightFactor } from "./reference-weighted";
import type { SmacofSettings } from "./validate";

const OVERSAMPLING = 10;
const RESIDUAL_TOLERANCE = 1e-10;
const MAX_SUBSPACE_ITERATIONS = 500;
const START_SEED = 0x5eed;
const ZERO_DISTANCE = 1e-5;

/** Eigenvalues (descending) and eigenvectors (columns, row-major p x p) by cyclic Jacobi. */
function symmetricEigen(a: Float64Array, p: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(p * p);
  for (let k = 0; k < p; k++) v[k * p + k] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) if (c !== r) off += m[r * p + c] * m[r * p + c];
    let total = 0;
    for (let k = 0; k < p * p; k++) total += m[k] * m[k];
    if (off <= 1e-32 * total || off === 0) break;
    for (let r = 0; r < p; r++) {
      for (let c = r + 1; c < p; c++) {
        const arc = m[r * p + c];
        if (arc === 0) continue;
        const theta = (m[c * p + c] - m[r * p + r]) / (2 * arc);
        const sign = theta < 0 || Object.is(theta, -0) ? -1 : 1;
        const t = theta === 0 ? 1 : sign / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cos = 1 / Math.sqrt(t * t + 1);
        const sin = t * cos;
        for (let k = 0; k < p; k++) {
          const mkr = m[k * p + r], mkc = m[k * p + c];
          m[k * p + r] = cos * mkr - sin * mkc;
          m[k * p + c] = sin * mkr + cos * mkc;
        }
        for (let k = 0; k < p; k++) {
          const mrk = m[r * p + k], mck = m[c * p + k];
          m[r * p + k] = cos * mrk - sin * mck;
          m[c * p + k] = sin * mrk + cos * mck;
        }
        for (let k = 0; k < p; k++) {
          const vkr = v[k * p + r], vkc = v[k * p + c];
          v[k * p + r] = cos * vkr - sin * vkc;
          v[k * p + c] = sin * vkr + cos * vkc;
        }
      }
    }
  }
  const order = Array.from({ length: p }, (_, k) => k).sort((x, y) => m[y * p + y] - m[x * p + x] || x - y);
  const values = new Float64Array(p);
  const vectors = new Float64Array(p * p);
  order.forEach((old, k) => {
    values[k] = m[old * p + old];
    for (let r = 0; r < p; r++) vectors[r * p + k] = v[r * p + old];
  });
  return { values, vectors };
}

function centreColumns(v: Float64Array, n: number, p: number): Float64Array {
  const mean = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let c = 0; c < p; c++) mean[c] += v[i * p + c];
  for (let c = 0; c < p; c++) mean[c] /= n;
  const out = Float64Array.from(v);
  for (let i = 0; i < n; i++) for (let c = 0; c < p; c++) out[i * p + c] -= mean[c];
  return out;
}

/** W = B V with B = -1/2 J (delta^2) J, never formed. */
function applyB(d: Float64Array, n: number, v: Float64Array, p: number): Float64Array {
  const centred = centreColumns(v, n, p);
  const w = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = d[i * n + j] * d[i * n + j];
      for (let c = 0; c < p; c++) w[i * p + c] += a * centred[j * p + c];
    }
  }
  const out = centreColumns(w, n, p);
  for (let k = 0; k < out.length; k++) out[k] *= -0.5;
  return out;
}

function columnDot(a: Float64Array, b: Float64Array, n: number, p: number, ca: number, cb: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i * p + ca] * b[i * p + cb];
  return s;
}

function orthonormalize(v: Float64Array, n: number, p: number, rng: () => number): void {
  for (let c = 0; c < p; c++) {
    for (let attempt = 0; attempt < 4; attempt++) {
      const before = Math.sqrt(columnDot(v, v, n, p, c, c));
      for (let pass = 0; pass < 2; pass++) {
        for (let prev = 0; prev < c; prev++) {
          const proj = columnDot(v, v, n, p, prev, c);
          for (let i = 0; i < n; i++) v[i * p + c] -= proj * v[i * p + prev];
        }
      }
      const norm = Math.sqrt(columnDot(v, v, n, p, c, c));
      if (norm > 1e-8 * before && norm > 1e-300) {
        for (let i = 0; i < n; i++) v[i * p + c] /= norm;
        break;
      }
      for (let i = 0; i < n; i++) v[i * p + c] = rng() - 0.5;
    }
  }
}

function timesSmall(v: Float64Array, s: Float64Array, n: number, p: number): Float64Array {
  const out = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < p; k++) {
      const x = v[i * p + k];
      for (let c = 0; c < p; c++) out[i * p + c] += x * s[k * p + c];
    }
  }
  return out;
}

/** Classical (Torgerson) MDS by subspace iteration with Rayleigh-Ritz. */
export function classicalMdsReference(d: Float64Array, n: number, dims: number): Float64Array {
  const p = Math.min(dims + OVERSAMPLING, n);
  const rng = mulberry32(START_SEED);
  let v: Float64Array = new Float64Array(n * p);
  for (let k = 0; k < v.length; k++) v[k] = rng() - 0.5;
  orthonormalize(v, n, p, rng);
  for (let iteration = 1; ; iteration++) {
    const w = applyB(d, n, v, p);
    const h = new Float64Array(p * p);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) h[a * p + b] = columnDot(v, w, n, p, a, b);
    for (let a = 0; a < p; a++) {
      for (let b = a + 1; b < p; b++) {
        const m = 0.5 * (h[a * p + b] + h[b * p + a]);
        h[a * p + b] = m;
        h[b * p + a] = m;
      }
    }
    const { values: theta, vectors: s } = symmetricEigen(h, p);
    const u = timesSmall(v, s, n, p);
    const bu = timesSmall(w, s, n, p);
    let scale = 0;
    for (const t of theta) scale = Math.max(scale, Math.abs(t));
    scale = Math.max(scale, 1e-300);
    let worst = 0;
    for (let k = 0; k < dims; k++) {
      let r = 0;
      for (let i = 0; i < n; i++) r += (bu[i * p + k] - theta[k] * u[i * p + k]) ** 2;
      worst = Math.max(worst, Math.sqrt(r));
    }
    if (worst <= RESIDUAL_TOLERANCE * scale || iteration >= MAX_SUBSPACE_ITERATIONS) {
      return embed(u, theta, n, p, dims);
    }
    v = bu;
    orthonormalize(v, n, p, rng);
  }
}

function embed(u: Float64Array, theta: Float64Array, n: number, p: number, dims: number): Float64Array {
  const x = new Float64Array(n * dims);
  for (let k = 0; k < dims; k++) {
    const scale = Math.sqrt(Math.max(theta[k], 0));
    let lead = 0;
    for (let i = 1; i < n; i++) if (Math.abs(u[i * p + k]) > Math.abs(u[lead * p + k])) lead = i;
    const sign = u[lead * p + k] < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) x[i * dims + k] = sign * scale * u[i * p + k];
  }
  return x;
}

export interface SmacofOutcome {
  embedding: Float64Array;
  stress: number;
  normalizedStress: number;
  iterations: number;
  converged: boolean;
  /** A non-metric fit's disparity map (what `transform` needs), else undefined. */
  map?: DisparityMap;
}

export interface IterationEvent {
  iteration: number;
  stress: number;
}

/** One Guttman pass: fills `next` from `x`; returns [stress, sum of squares] of x over pairs i < j. */
function pass(d: Float64Array, n: number, x: Float64Array, dims: number, next: Float64Array): [number, number] {
  let stress = 0;
  let squares = 0;
  const acc = new Float64Array(dims);
  for (let i = 0; i < n; i++) {
    acc.fill(0);
    let rowStress = 0;
    let rowSquares = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const q = squaredDistance(x, i, x, j, dims);
      const dist = Math.sqrt(q);
      const delta = d[i * n + j];
      rowStress += (dist - delta) * (dist - delta);
      rowSquares += q;
      const ratio = delta / (dist === 0 ? ZERO_DISTANCE : dist);
      for (let k = 0; k < dims; k++) acc[k] += ratio * (x[i * dims + k] - x[j * dims + k]);
    }
    for (let k = 0; k < dims; k++) next[i * dims + k] = acc[k] * (1 / n);
    stress += rowStress;
    squares += rowSquares;
  }
  return [stress / 2, squares / 2];
}

/** One Guttman step of the metric loop: fills `next` from `x`; returns [stress, sum of squares] of x. */
type Step = (x: Float64Array, next: Float64Array) => [number, number];

function* majorise(s: SmacofSettings, start: Float64Array, counter: { value: number }, step: Step): Generator<IterationEvent, SmacofOutcome> {
  let x: Float64Array = Float64Array.from(start);
  let next: Float64Array = new Float64Array(x.length);
  step(x, next);
  [x, next] = [next, x];
  let oldStress = Number.NaN;
  for (let iteration = 1; ; iteration++) {
    const [stress, squares] = step(x, next);
    counter.value += 1;
    yield { iteration: counter.value, stress };
    const converged = iteration > 1 && (oldStress - stress) / squares < s.eps;
    if (converged || iteration >= s.maxIter) {
      return { embedding: x, stress, normalizedStress: Math.sqrt(stress / squares), iterations: iteration, converged };
    }
    oldStress = stress;
    [x, next] = [next, x];
  }
}

/** scikit-learn's non-metric loop: disparities, a Guttman step with them, the stress of the new X against them. */
function* nonMetric(d: Float64Array, n: number, s: SmacofSettings, start: Float64Array, counter: { value: number }): Generator<IterationEvent, SmacofOutcome> {
  const model = new NonMetricModel(d, n);
  let x: Float64Array = Float64Array.from(start);
  let next: Float64Array = new Float64Array(x.length);
  let oldStress = Number.NaN;
  for (let iteration = 1; ; iteration++) {
    model.update(iteration === 1, x, s.outputDims);
    pass(model.disparities, n, x, s.outputDims, next);
    [x, next] = [next, x];
    const [stress, squares] = model.measure(x, s.outputDims);
    counter.value += 1;
    yield { iteration: counter.value, stress };
    const converged = iteration > 1 && (oldStress - stress) / squares < s.eps;
    if (converged || iteration >= s.maxIter) {
      return { embedding: x, stress, normalizedStress: Math.sqrt(stress / squares), iterations: iteration, converged, map: model.map() };
    }
    oldStress = stress;
  }
}

function runOnce(d: Float64Array, n: number, s: SmacofSettings, start: Float64Array, counter: { value: number }): Generator<IterationEvent, SmacofOutcome> {
  if (s.nonMetric) return nonMetric(d, n, s, start, counter);
  const w = s.weights;
  if (w) {
    const l = weightFactor(w, n);
    return majorise(s, start, counter, (x, next) => weightedPass(d, w, l, n, x, s.outputDims, next));
  }
  return majorise(s, start, counter, (x, next) => pass(d, n, x, s.outputDims, next));
}

/** SMACOF, yielding after every iteration (numbered across runs when nInit > 1). */
export function* smacofReference(d: Float64Array, n: number, s: SmacofSettings): Generator<IterationEvent, SmacofOutcome> {
  const counter = { value: 0 };
  if (s.init === "classical") return yield* runOnce(d, n, s, classicalMdsReference(d, n, s.outputDims), counter);
  if (typeof s.init !== "string") return yield* runOnce(d, n, s, s.init, counter);
  const rng = mulberry32(s.seed);
  let best: SmacofOutcome | undefined;
  for (let r = 0; r < s.nInit; r++) {
    const start = new Float64Array(n * s.outputDims);
    for (let k = 0; k < start.length; k++) start[k] = rng();
    const result = yield* runOnce(d, n, s, start, counter);
    if (best === undefined || result.stress < best.stress) best = result;
  }
  return best as SmacofOutcome;
}

/** Runs a generator to its end, passing every event to `onEvent`. */
export function drain<E, R>(steps: Generator<E, R>, onEvent?: (event: E) => void): R {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    onEvent?.(step.value);
  }
}
