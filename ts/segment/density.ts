/**
 * The numbers the report's charts are drawn from: the fitted mixture's
 * densities on [0, 1], the posterior of each component, and the samples'
 * histogram as a density. Pure functions; no charting library.
 */
import type { SegmentSummary } from "./types";

type Model = SegmentSummary["model"];

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** `points` evenly spaced x in [0, 1], both ends included. */
export function unitGrid(points: number): number[] {
  if (!Number.isInteger(points) || points < 2) throw new RangeError(`points must be an integer >= 2, got ${points}`);
  const x = new Array<number>(points);
  for (let i = 0; i < points; i++) x[i] = i / (points - 1);
  return x;
}

/** `ln(w N(x | mu, sigma))`; -Infinity for a zero weight or a degenerate (sigma <= 0, non-finite) component. */
function logWeightedNormal(x: number, weight: number, mean: number, stdev: number): number {
  if (!(weight > 0) || !(stdev > 0) || !Number.isFinite(stdev) || !Number.isFinite(mean)) return -Infinity;
  const z = (x - mean) / stdev;
  return Math.log(weight) - Math.log(stdev) - LN_SQRT_2PI - 0.5 * z * z;
}

function checkModel(model: Model): number {
  const k = model.weights.length;
  if (model.means.length !== k || model.stdevs.length !== k) {
    throw new RangeError(`model has ${k} weights, ${model.means.length} means and ${model.stdevs.length} stdevs`);
  }
  return k;
}

/**
 * Each weighted component density `w_k N(x | mu_k, sigma_k)` and the mixture
 * (their sum) at `points` (default 512) evenly spaced x in [0, 1]. The
 * standard deviations are `model.stdevs`; a component with a non-positive
 * or non-finite stdev or weight has no density to draw and contributes 0.
 */
export function mixtureCurves(model: Model, points = 512): { x: number[]; components: number[][]; mixture: number[] } {
  const k = checkModel(model);
  const x = unitGrid(points);
  const components: number[][] = [];
  const mixture = new Array<number>(points).fill(0);
  for (let c = 0; c < k; c++) {
    const curve = new Array<number>(points);
    for (let i = 0; i < points; i++) {
      curve[i] = Math.exp(logWeightedNormal(x[i], model.weights[c], model.means[c], model.stdevs[c]));
      mixture[i] += curve[i];
    }
    components.push(curve);
  }
  return { x, components, mixture };
}

/**
 * The posterior `p(k | x) = w_k N(x | k) / sum_j w_j N(x | j)` of each
 * component at `points` evenly spaced x in [0, 1], computed in the log
 * domain so it stays defined where every density underflows. Where no
 * component has a density at all, every posterior is NaN.
 */
export function posteriorCurves(model: Model, points = 512): { x: number[]; posteriors: number[][] } {
  const k = checkModel(model);
  const x = unitGrid(points);
  const posteriors: number[][] = Array.from({ length: k }, () => new Array<number>(points));
  const logs = new Array<number>(k);
  for (let i = 0; i < points; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      logs[c] = logWeightedNormal(x[i], model.weights[c], model.means[c], model.stdevs[c]);
      if (logs[c] > max) max = logs[c];
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(logs[c] - max);
    for (let c = 0; c < k; c++) posteriors[c][i] = max === -Infinity ? NaN : Math.exp(logs[c] - max) / sum;
  }
  return { x, posteriors };
}

/** Default bin count: 51 for 8-bit planes (five gray levels per bin, so no comb of 3- and 4-level bins), 64 otherwise. */
export function defaultBins(data: Float64Array | Uint8Array): number {
  return data instanceof Uint8Array ? 51 : 64;
}

/**
 * The samples' histogram on [0, 1] as a density: `bins` equal bins
 * `[x0, x1)` (the last one closed), `density = count / (n * width)`, so
 * `sum density * (x1 - x0) = 1` for any non-empty data. An 8-bit plane is
 * read as `v / 255`; float values outside [0, 1] are counted in the end
 * bins and NaN is skipped. Empty data (or all NaN) gives zero density.
 */
export function histogramDensity(data: Float64Array | Uint8Array, bins = defaultBins(data)): { x0: number[]; x1: number[]; density: number[] } {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be an integer >= 1, got ${bins}`);
  const counts = new Array<number>(bins).fill(0);
  let n = 0;
  if (data instanceof Uint8Array) {
    // Integer arithmetic: level v sits at v/255, exactly on a bin edge when v * bins is a multiple of 255.
    for (let i = 0; i < data.length; i++) counts[Math.min(bins - 1, Math.floor((data[i] * bins) / 255))]++;
    n = data.length;
  } else {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (Number.isNaN(v)) continue;
      counts[Math.min(bins - 1, Math.max(0, Math.floor(v * bins)))]++;
      n++;
    }
  }
  const x0 = new Array<number>(bins);
  const x1 = new Array<number>(bins);
  const density = new Array<number>(bins);
  for (let b = 0; b < bins; b++) {
    x0[b] = b / bins;
    x1[b] = (b + 1) / bins;
    density[b] = n === 0 ? 0 : counts[b] / (n * (x1[b] - x0[b]));
  }
  return { x0, x1, density };
}
