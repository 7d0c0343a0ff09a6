/**
 * Public functions of the multivariate Gaussian mixtures (`fitGmm`,
 * `predictGmm` and `predictProba` route here from `ts/gmm/index.ts`).
 */
import type { AsyncKernelOptions, KernelOptions } from "../../threads";
import type { GmmData, GmmModel } from "../types";
import { aicKernel, bicKernel, distinctKernel, meanScoreKernel, mergeKernel, mStepKernel, sampleKernel, scoreSamplesKernel, statisticsKernel } from "./kernels";
import type {
  DistinctColors,
  GmmLayoutOptions,
  GmmMStepAsyncOptions,
  GmmMStepOptions,
  GmmMStepResult,
  GmmMvDataAsyncOptions,
  GmmMvDataOptions,
  GmmMvModel,
  GmmSample,
  GmmScoreAsyncOptions,
  GmmScoreOptions,
  GmmStatistics,
  GmmStatisticsAsyncOptions,
  GmmStatisticsOptions,
  SampleGmmAsyncOptions,
  SampleGmmOptions,
} from "./types";

export type * from "./types";
export { GMM_STATS_CHUNK, GMM_MAX_DIMS } from "./validate";
export { gmmFromJSON, gmmToJSON } from "./json";
export { fitGmmStream } from "./stream";

/** Any model the estimator functions take: multivariate, or a 1-D `GmmModel` (read as d = 1). */
export type AnyGmmModel = GmmMvModel | GmmModel;

/**
 * Per-row log-likelihood `ln sum_k w_k N(x_i | mu_k, Sigma_k)` (scikit-learn's
 * `score_samples`). Rows are read with `options.dims` (default: the model's
 * d) and `options.columns`.
 */
export function scoreSamples(data: GmmData, model: AnyGmmModel, options?: GmmMvDataOptions): Float64Array {
  return scoreSamplesKernel.sync(data, model, options);
}
export function scoreSamplesAsync(data: GmmData, model: AnyGmmModel, options?: GmmMvDataAsyncOptions): Promise<Float64Array> {
  return scoreSamplesKernel.async(data, model, options);
}

/** Mean per-row log-likelihood (weighted by `options.sampleWeight`). */
export function score(data: GmmData, model: AnyGmmModel, options?: GmmScoreOptions): number {
  return meanScoreKernel.sync(data, model, options);
}
export function scoreAsync(data: GmmData, model: AnyGmmModel, options?: GmmScoreAsyncOptions): Promise<number> {
  return meanScoreKernel.async(data, model, options);
}

/** Bayesian information criterion `-2 LL + p ln n` (n = sum of weights; p free parameters, scikit-learn's count). */
export function bic(data: GmmData, model: AnyGmmModel, options?: GmmScoreOptions): number {
  return bicKernel.sync(data, model, options);
}
export function bicAsync(data: GmmData, model: AnyGmmModel, options?: GmmScoreAsyncOptions): Promise<number> {
  return bicKernel.async(data, model, options);
}

/** Akaike information criterion `-2 LL + 2 p`. */
export function aic(data: GmmData, model: AnyGmmModel, options?: GmmScoreOptions): number {
  return aicKernel.sync(data, model, options);
}
export function aicAsync(data: GmmData, model: AnyGmmModel, options?: GmmScoreAsyncOptions): Promise<number> {
  return aicKernel.async(data, model, options);
}

/** n rows drawn from the mixture (seeded mulberry32, Box-Muller normals): `{ data (n x d), labels }`. */
export function sampleGmm(model: AnyGmmModel, n: number, options?: SampleGmmOptions): GmmSample {
  return sampleKernel.sync(model, n, options);
}
export function sampleGmmAsync(model: AnyGmmModel, n: number, options?: SampleGmmAsyncOptions): Promise<GmmSample> {
  return sampleKernel.async(model, n, options);
}

/**
 * The E-step statistics of `model` over a shard of rows whose first row has
 * the global index `options.rowOffset` (a multiple of GMM_STATS_CHUNK): one
 * partial per chunk of GMM_STATS_CHUNK rows, see `GmmStatistics`.
 */
export function gmmStatistics(data: GmmData, model: GmmMvModel, options?: GmmStatisticsOptions): GmmStatistics {
  return statisticsKernel.sync(data, model, options);
}
export function gmmStatisticsAsync(data: GmmData, model: GmmMvModel, options?: GmmStatisticsAsyncOptions): Promise<GmmStatistics> {
  return statisticsKernel.async(data, model, options);
}

/** Concatenates the statistics of two contiguous shards, `a` first (a's rows a multiple of the chunk size). */
export function mergeGmmStatistics(a: GmmStatistics, b: GmmStatistics): GmmStatistics {
  return mergeKernel.sync(a, b);
}

/** The M-step: chunk partials folded in chunk order, then scikit-learn's formulas with `regCovar` (default 1e-6). */
export function gmmMStep(stats: GmmStatistics, options?: GmmMStepOptions): GmmMStepResult {
  return mStepKernel.sync(stats, options);
}
export function gmmMStepAsync(stats: GmmStatistics, options?: GmmMStepAsyncOptions): Promise<GmmMStepResult> {
  return mStepKernel.async(stats, options);
}

/** Distinct colours of 8-bit pixels (`options.dims` channels, `options.columns` used, at most 4) and their counts. */
export function countDistinctColors(pixels: Uint8Array | Uint8ClampedArray, options?: GmmLayoutOptions & KernelOptions): DistinctColors {
  return distinctKernel.sync(pixels, options);
}
export function countDistinctColorsAsync(pixels: Uint8Array | Uint8ClampedArray, options?: GmmLayoutOptions & AsyncKernelOptions): Promise<DistinctColors> {
  return distinctKernel.async(pixels, options);
}
