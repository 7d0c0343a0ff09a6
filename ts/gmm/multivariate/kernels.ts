/**
 * The multivariate GMM entries of the kernel table: structural checks in
 * `prepare`, the reference (`./reference.ts`, stepped), the native entries
 * calling the binding of design 13 (`gmmMv*`). Seeded inits (k-means++,
 * random, random_from_data) are drawn in TypeScript for both backends and
 * passed to the native fit as explicit inits; `nInit` restarts loop here.
 */
import { once, registerKernel } from "../../dispatch/kernel";
import type { NativeAsyncContext } from "../../dispatch/kernel";
import { native } from "../../native";
import type { ProgressEvent } from "../../threads";
import { assertInteger, assertNumber, assertOptions, isTypedArrayOf, show, withDefault } from "../../validate";
import { asFloat64, checkModel, scanFinite } from "../validate";
import type { CheckedData } from "../validate";
import type { GmmModel } from "../types";
import { countDistinctColors } from "./distinct";
import { better, checkDrawnInit, fitSteps, startingModels, withScalarViews } from "./fit";
import { withToJSON } from "./json";
import * as reference from "./reference";
import type { Precision, Rows } from "./reference";
import { sampleGmm } from "./sample";
import type {
  CovarianceType,
  DistinctColors,
  GmmMStepResult,
  GmmMvFit,
  GmmMvModel,
  GmmSample,
  GmmStatistics,
} from "./types";
import {
  checkLabelComponents,
  checkLayout,
  checkMvFitOptions,
  checkMvModel,
  checkRowsTimes,
  checkSampleWeight,
  checkStatistics,
  DEFAULT_REG_COVAR,
  GMM_STATS_CHUNK,
  isMultivariateModel,
  LAYOUT_KEYS,
  MV_FIT_OPTION_KEYS,
  scanSampleWeight,
  statsStride,
} from "./validate";
import type { Layout, MvFitOptions } from "./validate";
import { MAX_OUTPUT_ELEMENTS } from "../../limits.generated";
import type { GmmMvDataArgs, GmmMvFitOutput, GmmMvFitParams, GmmMvModelArgs, GmmMvStatisticsOutput, GmmProgress } from "../../../index";

/** Synchronous calls lend their inputs. */
const LENT = true;

// ---- the binding (crates/node/src/gmm_multivariate.rs) --------------------

type MvProgress = (event: GmmProgress) => void;


function modelArgs(model: GmmMvModel): GmmMvModelArgs {
  const { covariance, dims, weights, means, covariances } = model;
  return { covariance, dims, weights, means, covariances };
}

function layoutArgs(layout: Layout, sampleWeight?: Float64Array): GmmMvDataArgs {
  return sampleWeight === undefined
    ? { rowWidth: layout.rowWidth, columns: layout.columns }
    : { rowWidth: layout.rowWidth, columns: layout.columns, sampleWeight };
}

// ---- shared pieces -------------------------------------------------------

/** A data call: checked data, its layout, optional weights. */
export interface MvDataCall {
  data: CheckedData;
  layout: Layout;
  sampleWeight: Float64Array | undefined;
}

function isBytes(data: CheckedData): data is Uint8Array {
  return data.BYTES_PER_ELEMENT === 1;
}

/** The reference's rows: float data scanned (and float32 widened), weights scanned. */
export function referenceRows(call: MvDataCall, allowZeroWeights = false): Rows {
  let values: Float64Array | Uint8Array;
  if (isBytes(call.data)) {
    values = call.data;
  } else {
    values = asFloat64(call.data);
    scanFinite("data", values);
  }
  if (call.sampleWeight) scanSampleWeight(call.sampleWeight, allowZeroWeights);
  return { values, bytes: isBytes(call.data), ...call.layout, weights: call.sampleWeight };
}

function copyData(call: MvDataCall): MvDataCall {
  return { data: call.data.slice(), layout: call.layout, sampleWeight: call.sampleWeight?.slice() };
}

function copyModel(model: GmmMvModel): GmmMvModel {
  return { ...model, weights: model.weights.slice(), means: model.means.slice(), covariances: model.covariances.slice() };
}

/** A model given to a data kernel has been checked PD: its precision cannot fail. */
const CHECKED_MODEL = (what: string) => new RangeError(`model: ${what} is not positive definite`);

function optionsOf(options: unknown): Record<string, unknown> {
  assertOptions("options", options);
  return (options ?? {}) as Record<string, unknown>;
}

/**
 * A model for the new estimator functions: a multivariate model, or a 1-D
 * `GmmModel` (`{ weights, means, stdevs | variances }`) read as d = 1 'diag'.
 */
export function anyModel(name: string, model: unknown): GmmMvModel {
  if (isMultivariateModel(model)) return checkMvModel(name, model);
  const mix = checkModel(name, model);
  const { variances, stdevs } = model as GmmModel;
  const covariances = stdevs === undefined && variances !== undefined ? variances : mix.stdevs.map((s) => s * s);
  return { dims: 1, covariance: "diag", weights: mix.weights, means: mix.means, covariances };
}

/** A model-and-data call (`predictGmm`, `predictProba`, `scoreSamples`, `score`, `gmmStatistics`). */
export interface MvModelCall extends MvDataCall {
  model: GmmMvModel;
}

function modelCall(data: unknown, model: unknown, options: unknown, oneDimensional: boolean): MvModelCall {
  const m = oneDimensional ? anyModel("model", model) : checkMvModel("model", model);
  const o = optionsOf(options);
  const { data: checked, layout } = checkLayout("data", data, o, m.dims, m.dims);
  return { data: checked, layout, sampleWeight: checkSampleWeight(o.sampleWeight, layout.n), model: m };
}

function copyModelCall(call: MvModelCall): MvModelCall {
  return { ...copyData(call), model: copyModel(call.model) };
}

function modelPrecision(call: MvModelCall): Precision {
  return reference.precision(call.model, CHECKED_MODEL);
}

// ---- fit -------------------------------------------------------------------

export interface MvFitCall extends MvDataCall {
  options: MvFitOptions;
}

function fitParams(o: MvFitOptions, init: GmmMvModel): GmmMvFitParams {
  const params: GmmMvFitParams = { components: o.components, iterations: o.iterations, regCovar: o.regCovar, init: modelArgs(init), trace: false };
  if (o.tol !== undefined) params.tol = o.tol;
  return params;
}

/** The starting models for a native fit: explicit, original, or drawn from the (scanned) data in TS. */
function nativeStarts(call: MvFitCall): Generator<GmmMvModel, void, void> {
  const seeded = typeof call.options.init === "string" && call.options.init !== "original";
  // Unseeded inits do not read the data: the native side scans it.
  const rows = seeded ? referenceRows(call) : ({ ...call.layout, values: new Float64Array(0), bytes: false, weights: call.sampleWeight } as Rows);
  return startingModels(rows, call.options);
}

function nativeFitResult(call: MvFitCall, out: GmmMvFitOutput): GmmMvFit {
  const { weights, means, covariances, logLikelihoods, iterations, converged } = out;
  return withScalarViews({ dims: call.layout.d, covariance: call.options.covariance, weights, means, covariances, logLikelihoods, iterations, converged });
}

function keepBest(best: GmmMvFit | undefined, candidate: GmmMvFit): GmmMvFit {
  return best === undefined || better(Array.from(candidate.logLikelihoods), Array.from(best.logLikelihoods)) ? candidate : best;
}

export const mvFitKernel = registerKernel<[data: unknown, options: unknown], MvFitCall, GmmMvFit>({
  name: "fitGmm.multivariate",
  optionsIndex: 1,
  optionKeys: MV_FIT_OPTION_KEYS,
  progressAliases: ["onIteration"],
  prepare: ([data, options]) => {
    if (options === undefined) throw new TypeError("options must be an object with components and iterations, got undefined");
    const o = optionsOf(options);
    const { data: checked, layout } = checkLayout("data", data, o, 1);
    const sampleWeight = checkSampleWeight(o.sampleWeight, layout.n);
    return { data: checked, layout, sampleWeight, options: checkMvFitOptions(o, layout.d) };
  },
  *reference(call) {
    return withToJSON(yield* fitSteps(referenceRows(call), call.options));
  },
  native: (call, b, threads) => {
    const binding = b;
    const seeded = typeof call.options.init === "string";
    let best: GmmMvFit | undefined;
    for (const init of nativeStarts(call)) {
      if (seeded) checkDrawnInit(init, call.options.regCovar);
      const out = binding.gmmMvFit(call.data, LENT, layoutArgs(call.layout, call.sampleWeight), fitParams(call.options, init), threads);
      best = keepBest(best, nativeFitResult(call, out));
    }
    return withToJSON(best as GmmMvFit);
  },
  nativeAsync: async (call, b, context: NativeAsyncContext) => {
    const binding = b;
    const o = call.options;
    const seeded = typeof o.init === "string";
    let best: GmmMvFit | undefined;
    let progressEvents = 0;
    let run = 0;
    for (const init of nativeStarts(call)) {
      if (seeded) checkDrawnInit(init, o.regCovar);
      const base = run * o.iterations;
      const sink = context.onProgress;
      const onProgress: MvProgress | undefined = sink
        ? (e) => sink({ ...e, done: base + e.done, total: o.iterations * o.nInit } as ProgressEvent)
        : undefined;
      const layout = { ...layoutArgs(call.layout, call.sampleWeight), borrow: context.borrow };
      const out = await binding.gmmMvFitAsync(call.data, layout, fitParams(o, init), context.threads, context.token, onProgress);
      progressEvents += out.progressEvents;
      best = keepBest(best, nativeFitResult(call, out.fit));
      run++;
    }
    return Object.assign(withToJSON(best as GmmMvFit), { progressEvents });
  },
  copyInputs: (call) => ({
    ...copyData(call),
    options: typeof call.options.init === "string" ? call.options : { ...call.options, init: copyModel(call.options.init) },
  }),
});

// ---- per-row kernels -----------------------------------------------------

export const mvPredictKernel = registerKernel<[data: unknown, model: unknown, options?: unknown], MvModelCall, Uint8Array>({
  name: "predictGmm.multivariate",
  optionsIndex: 2,
  optionKeys: LAYOUT_KEYS,
  prepare: ([data, model, options]) => {
    const call = modelCall(data, model, options, false);
    checkLabelComponents(call.model.weights.length);
    return call;
  },
  reference: (call) => once(() => reference.predict(referenceRows(call), modelPrecision(call))),
  native: (call, b, threads) => {
    const out = new Uint8Array(call.layout.n);
    b.gmmMvPredict(call.data, LENT, layoutArgs(call.layout), modelArgs(call.model), out, threads);
    return out;
  },
  nativeAsync: async (call, b, { threads, borrow }) => {
    const out = new Uint8Array(call.layout.n);
    await b.gmmMvPredictAsync(call.data, borrow, layoutArgs(call.layout), modelArgs(call.model), out, threads);
    return out;
  },
  copyInputs: copyModelCall,
});

export const mvProbaKernel = registerKernel<[data: unknown, model: unknown, options?: unknown], MvModelCall, Float64Array>({
  name: "predictProba.multivariate",
  optionsIndex: 2,
  optionKeys: LAYOUT_KEYS,
  prepare: ([data, model, options]) => {
    const call = modelCall(data, model, options, false);
    checkRowsTimes(call.layout.n, call.model.weights.length, "rows x K");
    return call;
  },
  reference: (call) => once(() => reference.proba(referenceRows(call), modelPrecision(call))),
  native: (call, b, threads) => {
    const out = new Float64Array(call.layout.n * call.model.weights.length);
    b.gmmMvProba(call.data, LENT, layoutArgs(call.layout), modelArgs(call.model), out, threads);
    return out;
  },
  nativeAsync: async (call, b, { threads, borrow }) => {
    const out = new Float64Array(call.layout.n * call.model.weights.length);
    await b.gmmMvProbaAsync(call.data, borrow, layoutArgs(call.layout), modelArgs(call.model), out, threads);
    return out;
  },
  copyInputs: copyModelCall,
});

export const scoreSamplesKernel = registerKernel<[data: unknown, model: unknown, options?: unknown], MvModelCall, Float64Array>({
  name: "scoreSamples",
  optionsIndex: 2,
  optionKeys: LAYOUT_KEYS,
  prepare: ([data, model, options]) => modelCall(data, model, options, true),
  reference: (call) => once(() => reference.scoreSamples(referenceRows(call), modelPrecision(call))),
  native: (call, b, threads) => {
    const out = new Float64Array(call.layout.n);
    b.gmmMvScoreSamples(call.data, LENT, layoutArgs(call.layout), modelArgs(call.model), out, threads);
    return out;
  },
  nativeAsync: async (call, b, { threads, borrow }) => {
    const out = new Float64Array(call.layout.n);
    await b.gmmMvScoreSamplesAsync(call.data, borrow, layoutArgs(call.layout), modelArgs(call.model), out, threads);
    return out;
  },
  copyInputs: copyModelCall,
});

/** `sum_i w_i s_i` and `sum_i w_i` over per-row scores (sequential sums, the same for both backends). */
function weightedTotal(scores: Float64Array, weights: Float64Array | undefined): { total: number; weightSum: number } {
  if (weights) scanSampleWeight(weights);
  let total = 0, weightSum = 0;
  for (let i = 0; i < scores.length; i++) {
    const w = weights ? weights[i] : 1;
    if (w === 0) continue;
    total += w * scores[i];
    weightSum += w;
  }
  return { total, weightSum };
}

/** `score`, `bic`, `aic`: one per-row pass, then a weighted sum in TypeScript. */
function scoreKernel(name: string, finish: (total: number, weightSum: number, model: GmmMvModel) => number) {
  const nativeScores = scoreSamplesKernel.definition;
  return registerKernel<[data: unknown, model: unknown, options?: unknown], MvModelCall, number>({
    name,
    optionsIndex: 2,
    optionKeys: [...LAYOUT_KEYS, "sampleWeight"],
    prepare: ([data, model, options]) => modelCall(data, model, options, true),
    reference: (call) =>
      once(() => {
        const { total, weightSum } = weightedTotal(reference.scoreSamples(referenceRows(call), modelPrecision(call)), call.sampleWeight);
        return finish(total, weightSum, call.model);
      }),
    native: (call, b, threads) => {
      const { total, weightSum } = weightedTotal(nativeScores.native(call, b, threads), call.sampleWeight);
      return finish(total, weightSum, call.model);
    },
    nativeAsync: async (call, b, context) => {
      const scores = await (nativeScores.nativeAsync as NonNullable<typeof nativeScores.nativeAsync>)(call, b, context);
      const { total, weightSum } = weightedTotal(scores, call.sampleWeight);
      return finish(total, weightSum, call.model);
    },
    copyInputs: copyModelCall,
  });
}

const parameters = (m: GmmMvModel) => reference.parameterCount(m.covariance, m.weights.length, m.dims);

export const meanScoreKernel = scoreKernel("score", (total, weightSum) => total / weightSum);
export const bicKernel = scoreKernel("bic", (total, weightSum, m) => -2 * total + parameters(m) * Math.log(weightSum));
export const aicKernel = scoreKernel("aic", (total, _weightSum, m) => -2 * total + 2 * parameters(m));

// ---- statistics, merge, M-step -------------------------------------------

export interface StatisticsCall extends MvModelCall {
  rowOffset: number;
}

function statisticsResult(call: StatisticsCall, chunks: Float64Array, isa: string): GmmStatistics {
  const { model, layout } = call;
  return {
    format: 1,
    dims: model.dims,
    covariance: model.covariance,
    components: model.weights.length,
    rowOffset: call.rowOffset,
    rows: layout.n,
    chunkSize: GMM_STATS_CHUNK,
    isa,
    chunks,
    stride: statsStride(model.covariance, model.weights.length, model.dims),
  };
}

function fromNativeStatistics(call: StatisticsCall, out: GmmMvStatisticsOutput): GmmStatistics {
  return statisticsResult(call, out.chunks, out.isa);
}

export const statisticsKernel = registerKernel<[data: unknown, model: unknown, options?: unknown], StatisticsCall, GmmStatistics>({
  name: "gmmStatistics",
  optionsIndex: 2,
  optionKeys: [...LAYOUT_KEYS, "rowOffset", "sampleWeight"],
  prepare: ([data, model, options]) => {
    const call = modelCall(data, model, options, false);
    const rowOffset = withDefault(optionsOf(options).rowOffset, 0);
    assertInteger("options.rowOffset", rowOffset, 0);
    if (rowOffset % GMM_STATS_CHUNK !== 0) {
      throw new RangeError(`options.rowOffset must be a multiple of GMM_STATS_CHUNK = ${GMM_STATS_CHUNK} (chunks are aligned to the global row index), got ${rowOffset}`);
    }
    const stride = statsStride(call.model.covariance, call.model.weights.length, call.model.dims);
    checkRowsTimes(Math.ceil(call.layout.n / GMM_STATS_CHUNK), stride, "chunks x stride");
    return { ...call, rowOffset };
  },
  reference: (call) => once(() => statisticsResult(call, reference.chunkPartials(referenceRows(call, true), modelPrecision(call)), "js")),
  native: (call, b, threads) =>
    fromNativeStatistics(call, b.gmmMvStatistics(call.data, LENT, layoutArgs(call.layout, call.sampleWeight), modelArgs(call.model), call.rowOffset, threads)),
  nativeAsync: async (call, b, { threads, borrow }) =>
    fromNativeStatistics(
      call,
      await b.gmmMvStatisticsAsync(call.data, borrow, layoutArgs(call.layout, call.sampleWeight), modelArgs(call.model), call.rowOffset, threads),
    ),
  copyInputs: (call) => ({ ...copyModelCall(call), rowOffset: call.rowOffset }),
});

function mergeStatistics(a: GmmStatistics, b: GmmStatistics): GmmStatistics {
  for (const key of ["dims", "covariance", "components"] as const) {
    if (a[key] !== b[key]) throw new RangeError(`b.${key} must equal a.${key} = ${show(a[key])}, got ${show(b[key])}`);
  }
  if (a.isa !== b.isa) {
    throw new RangeError(`statistics computed with ${a.isa} and ${b.isa} cannot be merged bit for bit; use workers on the same instruction set`);
  }
  if (a.rows % a.chunkSize !== 0) {
    throw new RangeError(`a.rows must be a multiple of chunkSize = ${a.chunkSize} (only the last shard may end inside a chunk), got ${a.rows}`);
  }
  const next = a.rowOffset + a.rows;
  if (b.rowOffset !== next) {
    throw new RangeError(`b.rowOffset must be a.rowOffset + a.rows = ${next} (shards contiguous, merged in order), got ${b.rowOffset}`);
  }
  const chunks = new Float64Array(a.chunks.length + b.chunks.length);
  chunks.set(a.chunks, 0);
  chunks.set(b.chunks, a.chunks.length);
  return { ...a, rows: a.rows + b.rows, chunks };
}

export const mergeKernel = registerKernel<[a: unknown, b: unknown, options?: unknown], [GmmStatistics, GmmStatistics], GmmStatistics>({
  name: "mergeGmmStatistics",
  optionsIndex: 2,
  optionKeys: [],
  prepare: ([a, b]) => {
    const sa = checkStatistics("a", a), sb = checkStatistics("b", b);
    if (sa.chunks.length + sb.chunks.length > MAX_OUTPUT_ELEMENTS) throw new RangeError("the merged statistics would exceed the largest typed array (MAX_OUTPUT_ELEMENTS)");
    return [sa, sb];
  },
  reference: ([a, b]) => once(() => mergeStatistics(a, b)),
  native: ([a, b]) => mergeStatistics(a, b),
  nativeAsync: async ([a, b]) => mergeStatistics(a, b),
});

export interface MStepCall {
  stats: GmmStatistics;
  regCovar: number;
  acc: Float64Array;
}

function modelShape(type: CovarianceType, k: number, d: number): GmmMvModel {
  const covariances = new Float64Array(type === "full" ? k * d * d : type === "diag" ? k * d : type === "spherical" ? k : d * d);
  return { dims: d, covariance: type, weights: new Float64Array(k), means: new Float64Array(k * d), covariances };
}

/** The M-step on folded sums `acc` (one partial): reference, or the native M-step with a single chunk (0 + acc = acc). */
export function mStepOnSums(acc: Float64Array, type: CovarianceType, k: number, d: number, regCovar: number, threads: number): GmmMvModel {
  if (acc[0] <= 0) {
    throw new RangeError("the statistics' weight sum is 0 (no row of weight > 0); an M-step needs at least one row of weight > 0");
  }
  let model: GmmMvModel;
  if (threads === 0 || !native) {
    model = reference.mStep(acc, k, d, type, regCovar);
  } else {
    const out = native.gmmMvMStep(acc, acc.length, modelArgs(modelShape(type, k, d)), regCovar);
    model = { dims: d, covariance: type, weights: out.weights, means: out.means, covariances: out.covariances };
  }
  reference.precision(model, reference.afterRegCovar(regCovar));
  return model;
}

function mStepResult(call: MStepCall, threads: number): GmmMStepResult {
  const { stats, acc } = call;
  const model = mStepOnSums(acc, stats.covariance, stats.components, stats.dims, call.regCovar, threads);
  return withToJSON({ ...model, logLikelihood: acc[1], weightSum: acc[0] });
}

export const mStepKernel = registerKernel<[stats: unknown, options?: unknown], MStepCall, GmmMStepResult>({
  name: "gmmMStep",
  optionsIndex: 1,
  optionKeys: ["regCovar"],
  prepare: ([stats, options]) => {
    const s = checkStatistics("stats", stats);
    const regCovar = withDefault(optionsOf(options).regCovar, DEFAULT_REG_COVAR);
    assertNumber("options.regCovar", regCovar, { min: 0, max: Number.MAX_VALUE });
    // The fold is O(chunks x stride): done here, in chunk order, for both backends.
    return { stats: s, regCovar, acc: reference.foldPartials(s.chunks, s.stride) };
  },
  reference: (call) => once(() => mStepResult(call, 0)),
  native: (call, _b, threads) => mStepResult(call, threads),
  nativeAsync: async (call, _b, { threads }) => mStepResult(call, threads),
});

// ---- sampling, distinct colours ------------------------------------------

interface SampleCall {
  model: GmmMvModel;
  n: number;
  seed: number;
}

export const sampleKernel = registerKernel<[model: unknown, n: unknown, options?: unknown], SampleCall, GmmSample>({
  name: "sampleGmm",
  optionsIndex: 2,
  optionKeys: ["seed"],
  prepare: ([model, n, options]) => {
    const m = anyModel("model", model);
    assertInteger("n", n, 1);
    checkRowsTimes(n, m.dims, "n x d");
    const seed = withDefault(optionsOf(options).seed, 0);
    assertInteger("options.seed", seed, 0, 2 ** 32 - 1);
    return { model: m, n, seed };
  },
  // Sampling runs in TypeScript for both backends (same draws).
  reference: (call) => once(() => sampleGmm(call.model, call.n, call.seed)),
  native: (call) => sampleGmm(call.model, call.n, call.seed),
  nativeAsync: async (call) => sampleGmm(call.model, call.n, call.seed),
  copyInputs: (call) => ({ ...call, model: copyModel(call.model) }),
});

interface DistinctCall {
  pixels: Uint8Array;
  layout: Layout;
}

export const distinctKernel = registerKernel<[pixels: unknown, options?: unknown], DistinctCall, DistinctColors>({
  name: "countDistinctColors",
  optionsIndex: 1,
  optionKeys: LAYOUT_KEYS,
  prepare: ([pixels, options]) => {
    if (!isTypedArrayOf(pixels, "Uint8Array") && !isTypedArrayOf(pixels, "Uint8ClampedArray")) {
      throw new TypeError(`pixels must be a Uint8Array or Uint8ClampedArray of 8-bit channels, got ${show(pixels)}`);
    }
    const { data, layout } = checkLayout("pixels", pixels, optionsOf(options), 1);
    if (layout.d > 4) throw new RangeError(`countDistinctColors counts colours of at most 4 channels, got ${layout.d} columns`);
    return { pixels: data as Uint8Array, layout };
  },
  reference: (call) => once(() => countDistinctColors(call.pixels, call.layout)),
  native: (call, b, threads) => {
    const { colors, counts } = b.gmmMvDistinctColors(call.pixels, LENT, call.layout.rowWidth, call.layout.columns, threads);
    return { colors, counts, dims: call.layout.d };
  },
  nativeAsync: async (call, b, { threads, borrow }) => {
    const { colors, counts } = await b.gmmMvDistinctColorsAsync(call.pixels, borrow, call.layout.rowWidth, call.layout.columns, threads);
    return { colors, counts, dims: call.layout.d };
  },
  copyInputs: (call) => ({ ...call, pixels: call.pixels.slice() }),
});

