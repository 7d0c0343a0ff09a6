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

/** The channels of a colour section: their names and the range their charts span. */
export interface ChannelAxis {
  /** Short name: "R", "G", "B" or "L*", "a*", "b*". */
  name: string;
  /** Axis title. */
  title: string;
  /** [lo, hi] of the chart's x axis. */
  domain: [number, number];
}

/**
 * The axes of a 3-D (rgb / lab) section. rgb is fitted on v / 255, so its
 * axes are [0, 1]; lab axes span the data's range of that channel (L* in
 * [0, 100], a* and b* roughly [-128, 127] for sRGB input), with the
 * components' means inside.
 */
export function channelAxes(colorSpace: "rgb" | "lab", data: Float64Array | Uint8Array, model: Model): ChannelAxis[] {
  if (colorSpace === "rgb") {
    return ["red", "green", "blue"].map((c) => ({ name: c[0].toUpperCase(), title: `${c} (v / 255)`, domain: [0, 1] as [number, number] }));
  }
  return ["L*", "a*", "b*"].map((name, j) => {
    let lo = Infinity, hi = -Infinity;
    for (let i = j; i < data.length; i += 3) {
      if (data[i] < lo) lo = data[i];
      if (data[i] > hi) hi = data[i];
    }
    for (let k = 0; k < model.weights.length; k++) {
      lo = Math.min(lo, model.means[3 * k + j]);
      hi = Math.max(hi, model.means[3 * k + j]);
    }
    if (!(hi > lo)) [lo, hi] = [lo - 1, lo + 1];
    return { name, title: `${name} (CIE Lab)`, domain: [lo, hi] as [number, number] };
  });
}

/** `points` evenly spaced x in [lo, hi], both ends included. */
function grid(lo: number, hi: number, points: number): number[] {
  return unitGrid(points).map((t) => lo + t * (hi - lo));
}

/**
 * The marginal of a 3-D mixture along channel `j`, which is exactly the 1-D
 * mixture of the components' `(w_k, mu_kj, Sigma_k[j][j])` (`model.stdevs`
 * holds the K x 3 per-channel standard deviations), at `points` evenly spaced
 * x of `domain`: each weighted component density and their sum.
 */
export function marginalCurves(model: Model, j: number, domain: [number, number], points = 512): { x: number[]; components: number[][]; mixture: number[] } {
  const k = model.weights.length;
  const d = model.dims ?? 1;
  if (!(j >= 0 && j < d) || model.means.length !== k * d || model.stdevs.length !== k * d) {
    throw new RangeError(`marginalCurves needs a K x d model and a channel j < d = ${d}, got j = ${j}`);
  }
  const x = grid(domain[0], domain[1], points);
  const components: number[][] = [];
  const mixture = new Array<number>(points).fill(0);
  for (let c = 0; c < k; c++) {
    const curve = x.map((v) => Math.exp(logWeightedNormal(v, model.weights[c], model.means[c * d + j], model.stdevs[c * d + j])));
    curve.forEach((v, i) => (mixture[i] += v));
    components.push(curve);
  }
  return { x, components, mixture };
}

/**
 * The histogram of channel `j` of interleaved 3-D rows as a density on
 * `domain` (`bins` equal bins, values outside in the end bins; 8-bit rows
 * read as v / 255).
 */
export function channelHistogram(
  data: Float64Array | Uint8Array,
  j: number,
  domain: [number, number],
  bins = defaultBins(data),
): { x0: number[]; x1: number[]; density: number[] } {
  const [lo, hi] = domain;
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  const bytes = data instanceof Uint8Array;
  if (bytes && (lo !== 0 || hi !== 1)) throw new RangeError(`8-bit rows are read as v / 255: their domain is [0, 1], got [${lo}, ${hi}]`);
  let n = 0;
  for (let i = j; i < data.length; i += 3) {
    const v = data[i];
    if (Number.isNaN(v)) continue;
    // 8-bit rows are v / 255 on the domain [0, 1]: integer arithmetic, as histogramDensity.
    const b = bytes ? Math.floor((v * bins) / 255) : Math.floor((v - lo) / width);
    counts[Math.min(bins - 1, Math.max(0, b))]++;
    n++;
  }
  const x0 = counts.map((_, b) => lo + b * width);
  const x1 = counts.map((_, b) => lo + (b + 1) * width);
  return { x0, x1, density: counts.map((c) => (n === 0 ? 0 : c / (n * width))) };
}
