/**
 * TypeScript reference of the out-of-sample transform, the same algorithm
 * as `crates/mds/src/transform.rs`: per new point, a closed-form start
 * (least-squares trilateration around the weighted centroid; the centroid
 * itself when the system is not positive definite), then single-point
 * Guttman steps with the fitted points fixed, in lockstep sweeps, each point
 * stopping by the fit's rule.
 */
import type { DisparityMap } from "./reference-nonmetric";
import { mapDisparity } from "./reference-nonmetric";

const ZERO_DISTANCE = 1e-5;

export interface FittedModel {
  embedding: Float64Array;
  n: number;
  dims: number;
  map: DisparityMap | undefined;
}

function solveSmall(g: Float64Array, r: Float64Array, p: number): Float64Array | undefined {
  let trace = 0;
  for (let k = 0; k < p; k++) trace += g[k * p + k];
  if (!(trace > 0 && Number.isFinite(trace))) return undefined;
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = g[i * p + j];
      for (let k = 0; k < j; k++) s -= g[i * p + k] * g[j * p + k];
      if (i === j) {
        if (!(s > 1e-12 * trace)) return undefined;
        g[i * p + i] = Math.sqrt(s);
      } else {
        g[i * p + j] = s / g[j * p + j];
      }
    }
  }
  for (let i = 0; i < p; i++) {
    let s = r[i];
    for (let k = 0; k < i; k++) s -= g[i * p + k] * r[k];
    r[i] = s / g[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = r[i];
    for (let k = i + 1; k < p; k++) s -= g[k * p + i] * r[k];
    r[i] = s / g[i * p + i];
  }
  return r;
}

function start(fit: FittedModel, t: Float64Array, w: (j: number) => number): Float64Array {
  const { n, dims, embedding: x } = fit;
  const c = new Float64Array(dims);
  let total = 0;
  for (let j = 0; j < n; j++) {
    total += w(j);
    for (let k = 0; k < dims; k++) c[k] += w(j) * x[j * dims + k];
  }
  for (let k = 0; k < dims; k++) c[k] /= total;
  const g = new Float64Array(dims * dims);
  const r = new Float64Array(dims);
  const u = new Float64Array(dims);
  for (let j = 0; j < n; j++) {
    const wj = w(j);
    if (wj === 0) continue;
    let uu = 0;
    for (let k = 0; k < dims; k++) {
      u[k] = x[j * dims + k] - c[k];
      uu += u[k] * u[k];
    }
    const rhs = -0.5 * wj * (t[j] * t[j] - uu);
    for (let a = 0; a < dims; a++) {
      r[a] += rhs * u[a];
      for (let b = 0; b < dims; b++) g[a * dims + b] += wj * u[a] * u[b];
    }
  }
  const z = solveSmall(g, r, dims);
  if (z) for (let k = 0; k < dims; k++) c[k] += z[k];
  return c;
}

function step(fit: FittedModel, t: Float64Array, w: (j: number) => number, y: Float64Array, next: Float64Array): [number, number] {
  const { n, dims, embedding: x } = fit;
  next.fill(0);
  let stress = 0, squares = 0, total = 0;
  for (let j = 0; j < n; j++) {
    const wj = w(j);
    if (wj === 0) continue;
    let q = 0;
    for (let k = 0; k < dims; k++) q += (y[k] - x[j * dims + k]) ** 2;
    const d = Math.sqrt(q);
    stress += wj * (d - t[j]) ** 2;
    squares += wj * q;
    total += wj;
    const ratio = t[j] / (d === 0 ? ZERO_DISTANCE : d);
    for (let k = 0; k < dims; k++) next[k] += wj * (x[j * dims + k] + ratio * (y[k] - x[j * dims + k]));
  }
  for (let k = 0; k < dims; k++) next[k] /= total;
  return [stress, squares];
}

export interface SweepEvent {
  iteration: number;
  stress: number;
}

/** Places the new points; yields after every sweep with the summed stress. */
export function* transformReference(
  fit: FittedModel,
  newDissimilarities: Float64Array,
  weights: Float64Array | undefined,
  maxIter: number,
  eps: number,
): Generator<SweepEvent, Float64Array> {
  const { n, dims } = fit;
  const m = newDissimilarities.length / n;
  const states = Array.from({ length: m }, (_, r) => {
    const t = new Float64Array(n);
    for (let j = 0; j < n; j++) t[j] = mapDisparity(fit.map, newDissimilarities[r * n + j]);
    const w = (j: number) => (weights ? weights[r * n + j] : 1);
    const y: Float64Array = start(fit, t, w);
    const next: Float64Array = new Float64Array(dims);
    return { t, w, y, next, oldStress: Number.NaN, stress: 0, done: false };
  });
  for (let sweep = 1; sweep <= maxIter; sweep++) {
    for (const s of states) {
      if (s.done) continue;
      const [stress, squares] = step(fit, s.t, s.w, s.y, s.next);
      s.stress = stress;
      const converged = sweep > 1 && (s.oldStress - stress) / squares < eps;
      if (converged || sweep === maxIter) {
        s.done = true;
      } else {
        s.oldStress = stress;
        [s.y, s.next] = [s.next, s.y];
      }
    }
    let total = 0;
    for (const s of states) total += s.stress;
    yield { iteration: sweep, stress: total };
    if (states.every((s) => s.done)) break;
  }
  const out = new Float64Array(m * dims);
  states.forEach((s, r) => out.set(s.y, r * dims));
  return out;
}
