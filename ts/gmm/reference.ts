/**
 * The TypeScript reference of the GMM family: plain loops written for
 * clarity. It is the oracle the native kernels are tested against and the
 * fallback when no addon is loaded. Inputs are already validated.
 *
 * Both backends evaluate `P[i,k] = ln w_k + ln N(x_i | mu_k, sigma_k)` with
 * the same operations in the same order (see `logDensity`).
 */
import { isTypedArrayOf } from "../validate";
import type { ExpsumResult, GmmFit } from "./types";

/** Samples as the reference reads them: float64 values or 8-bit pixels. */
type GmmData = Float64Array | Uint8Array;
import type { CheckedMixture, ResolvedFitOptions } from "./validate";

/** `ln sqrt(2 pi)`. */
const HALF_LN_2PI = 0.9189385332046728;

/** Below this responsibility mass a component captured no samples (see README). */
export const EMPTY_MASS = 1e-300;

/** Per-component constants of the log-density. */
interface Prepared {
  k: number;
  means: Float64Array;
  invStdevs: Float64Array;
  /** `ln w - ln sigma - ln sqrt(2 pi)`; -Infinity for a zero weight. */
  logNorms: Float64Array;
}

function prepare(mix: CheckedMixture): Prepared {
  const k = mix.weights.length;
  const invStdevs = new Float64Array(k);
  const logNorms = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    invStdevs[c] = 1 / mix.stdevs[c];
    logNorms[c] = Math.log(mix.weights[c]) - Math.log(mix.stdevs[c]) - HALF_LN_2PI;
  }
  return { k, means: mix.means, invStdevs, logNorms };
}

/**
 * `ln w + ln N(x | mu, sigma)`. The squared standardised distance saturates
 * at Number.MAX_VALUE so the value stays finite however far `x` is.
 */
function logDensity(m: Prepared, c: number, x: number): number {
  const z = (x - m.means[c]) * m.invStdevs[c];
  let q = z * z;
  if (!(q < Number.MAX_VALUE)) q = Number.MAX_VALUE;
  return m.logNorms[c] - 0.5 * q;
}

/** Fills `p` with `P[x, c]` for every component and returns `Pmax` (the max starts at -Infinity). */
function logDensities(m: Prepared, x: number, p: Float64Array): number {
  let pMax = -Infinity;
  for (let c = 0; c < m.k; c++) {
    p[c] = logDensity(m, c, x);
    if (p[c] > pMax) pMax = p[c];
  }
  return pMax;
}

export function computeExpsumStable(x: Float64Array, mix: CheckedMixture): ExpsumResult {
  const m = prepare(mix);
  const n = x.length;
  const expsum = new Float64Array(n);
  const p = new Float64Array(n * m.k);
  const pMax = new Float64Array(n);
  const row = new Float64Array(m.k);
  for (let i = 0; i < n; i++) {
    const max = logDensities(m, x[i], row);
    let sum = 0;
    for (let c = 0; c < m.k; c++) {
      p[c * n + i] = row[c];
      sum += Math.exp(row[c] - max);
    }
    expsum[i] = sum;
    pMax[i] = max;
  }
  return { expsum, p, pMax };
}

export function computeLogLikelihoodStable(x: Float64Array, mix: CheckedMixture): number {
  const m = prepare(mix);
  const row = new Float64Array(m.k);
  let ll = 0;
  for (let i = 0; i < x.length; i++) {
    const max = logDensities(m, x[i], row);
    let sum = 0;
    for (let c = 0; c < m.k; c++) sum += Math.exp(row[c] - max);
    ll += max + Math.log(sum);
  }
  return ll;
}

/**
 * `r[k*N + i] = exp(P - Pmax) / expsum`: the original's
 * `exp(P - (Pmax + ln expsum))` without rounding the large sum.
 */
export function computeExpectationResponsibilities(x: Float64Array, mix: CheckedMixture): Float64Array {
  const m = prepare(mix);
  const n = x.length;
  const r = new Float64Array(n * m.k);
  const row = new Float64Array(m.k);
  for (let i = 0; i < n; i++) {
    const max = logDensities(m, x[i], row);
    let sum = 0;
    for (let c = 0; c < m.k; c++) {
      row[c] = Math.exp(row[c] - max);
      sum += row[c];
    }
    for (let c = 0; c < m.k; c++) r[c * n + i] = row[c] / sum;
  }
  return r;
}

/** 8-bit pixels as the original reads them: `v / 255`. */
export function byteValues(bytes: Uint8Array): Float64Array {
  const x = new Float64Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) x[i] = bytes[i] / 255;
  return x;
}

function asValues(data: GmmData): Float64Array {
  return isTypedArrayOf(data, "Float64Array") ? (data as Float64Array) : byteValues(data as Uint8Array);
}

/** Labels: the component with the largest responsibility (= largest P; ties: lowest index). */
export function predictGmm(data: GmmData, mix: CheckedMixture): Uint8Array {
  const m = prepare(mix);
  const x = asValues(data);
  const labels = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let best = 0;
    let bestP = -Infinity;
    for (let c = 0; c < m.k; c++) {
      const p = logDensity(m, c, x[i]);
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    labels[i] = best;
  }
  return labels;
}

export function predictProba(data: GmmData, mix: CheckedMixture): Float64Array {
  return computeExpectationResponsibilities(asValues(data), mix);
}

/** Samples with multiplicities: every pixel (count 1), or the occupied 8-bit bins. */
interface WeightedSamples {
  x: Float64Array;
  counts: Float64Array | null;
  total: number;
}

function weightedSamples(data: GmmData): WeightedSamples {
  if (isTypedArrayOf(data, "Float64Array")) return { x: data as Float64Array, counts: null, total: data.length };
  const bytes = data as Uint8Array;
  const histogram = new Float64Array(256);
  for (let i = 0; i < bytes.length; i++) histogram[bytes[i]]++;
  const values: number[] = [];
  const counts: number[] = [];
  for (let v = 0; v < 256; v++) {
    if (histogram[v] > 0) {
      values.push(v / 255);
      counts.push(histogram[v]);
    }
  }
  return { x: Float64Array.from(values), counts: Float64Array.from(counts), total: bytes.length };
}

/** E-step statistics about the current means (`S1 = sum r (x - mu)`, `S2 = sum r (x - mu)^2`) and the log-likelihood. */
interface PassStats {
  s0: Float64Array;
  s1: Float64Array;
  s2: Float64Array;
  logLikelihood: number;
}

function evaluate(samples: WeightedSamples, mix: CheckedMixture): PassStats {
  const m = prepare(mix);
  const { x, counts } = samples;
  const s0 = new Float64Array(m.k);
  const s1 = new Float64Array(m.k);
  const s2 = new Float64Array(m.k);
  const row = new Float64Array(m.k);
  let logLikelihood = 0;
  for (let i = 0; i < x.length; i++) {
    const count = counts ? counts[i] : 1;
    const max = logDensities(m, x[i], row);
    let sum = 0;
    for (let c = 0; c < m.k; c++) {
      row[c] = Math.exp(row[c] - max);
      sum += row[c];
    }
    logLikelihood += count * (max + Math.log(sum));
    for (let c = 0; c < m.k; c++) {
      const r = count * (row[c] / sum);
      const d = x[i] - m.means[c];
      s0[c] += r;
      s1[c] += r * d;
      s2[c] += r * d * d;
    }
  }
  return { s0, s1, s2, logLikelihood };
}

/**
 * EM with the original's updates, as a generator that yields after every
 * iteration (the async variant awaits between steps). Each iteration is one
 * evaluation: its statistics give the next M-step and its log-likelihood is
 * that of the parameters just computed.
 */
export function* fitGmmSteps(
  data: GmmData,
  options: ResolvedFitOptions,
  trajectory?: number[],
): Generator<{ done: number; total: number; logLikelihood: number }, GmmFit, void> {
  const samples = weightedSamples(data);
  const k = options.components;
  const means = Float64Array.from(options.init.means);
  const variances = Float64Array.from(options.init.variances);
  const weights = Float64Array.from(options.init.weights);
  const stdevs = variances.map(Math.sqrt);
  const logLikelihoods: number[] = [];
  let converged = false;

  let stats = evaluate(samples, { weights, means, stdevs });
  for (let iteration = 1; iteration <= options.iterations; iteration++) {
    for (let c = 0; c < k; c++) {
      const nk = stats.s0[c];
      if (nk > EMPTY_MASS) {
        const shift = stats.s1[c] / nk;
        const variance = stats.s2[c] / nk - shift * shift + options.regCovar;
        means[c] += shift;
        variances[c] = variance >= options.varianceFloor ? variance : options.varianceFloor;
        stdevs[c] = Math.sqrt(variances[c]);
      }
      weights[c] = nk / samples.total;
    }
    stats = evaluate(samples, { weights, means, stdevs });
    logLikelihoods.push(stats.logLikelihood);
    trajectory?.push(...means, ...variances, ...weights);
    yield { done: iteration, total: options.iterations, logLikelihood: stats.logLikelihood };
    const n = logLikelihoods.length;
    if (options.tol !== undefined && n >= 2 && Math.abs(logLikelihoods[n - 1] - logLikelihoods[n - 2]) <= options.tol * samples.total) {
      converged = true;
      break;
    }
  }
  return {
    means,
    variances,
    stdevs,
    weights,
    logLikelihoods: Float64Array.from(logLikelihoods),
    iterations: logLikelihoods.length,
    converged,
  };
}

export function fitGmm(data: GmmData, options: ResolvedFitOptions): GmmFit {
  const steps = fitGmmSteps(data, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
