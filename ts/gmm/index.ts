/**
 * Gaussian-mixture image segmentation: the stable E-step kernels, EM fitting
 * and prediction. Each function is an entry of the kernel table
 * (`./kernels.ts`): structural checks here, value checks and the work in the
 * backend that runs (`threads: 0` the TypeScript reference, otherwise native).
 */
import type { AsyncKernelOptions, KernelOptions } from "../threads";
import { expsumKernel, fitKernel, logLikelihoodKernel, predictKernel, probaKernel, responsibilitiesKernel } from "./kernels";
import type { PerSampleArgs } from "./kernels";
import type { ExpsumResult, FitGmmAsyncOptions, FitGmmOptions, GmmData, GmmFit, GmmModel } from "./types";
import { mvFitKernel, mvPredictKernel, mvProbaKernel } from "./multivariate/kernels";
import type { FitGmmMvAsyncOptions, FitGmmMvOptions, GmmMvDataAsyncOptions, GmmMvDataOptions, GmmMvFit, GmmMvModel } from "./multivariate/types";
import { isMultivariateModel, wantsMultivariate } from "./multivariate/validate";

export type { ExpsumResult, FitGmmAsyncOptions, FitGmmOptions, GmmData, GmmFit, GmmInit, GmmModel } from "./types";
export { DEFAULT_VARIANCE_FLOOR, MAX_LABEL_COMPONENTS } from "./validate";
export * from "./multivariate";

/** Samples of the per-sample kernels. A Float32Array is widened to float64 (one copy). */
export type Intensities = Float64Array | Float32Array;

/**
 * The original's `compute_expsum_stable`: `P[i,k] = ln w_k + ln N(x_i | mu_k, sigma_k)`,
 * `pMax[i] = max_k P[i,k]` (running max from -Infinity) and
 * `expsum[i] = sum_k exp(P[i,k] - pMax[i])`. `p` holds K planes of N values.
 * Call it with the original's positional arrays or with a model object
 * (`{ weights, means, stdevs | variances }`).
 *
 * @throws TypeError for wrong argument types or unknown option keys;
 * RangeError for K = 0, length mismatches, weights < 0 (or all 0),
 * stdevs <= 0, non-finite values, empty intensities, N x K past MAX_OUTPUT_ELEMENTS.
 */
export function computeExpsumStable(intensities: Intensities, weights: Float64Array, means: Float64Array, stdevs: Float64Array, options?: KernelOptions): ExpsumResult;
export function computeExpsumStable(intensities: Intensities, model: GmmModel, options?: KernelOptions): ExpsumResult;
export function computeExpsumStable(...args: PerSampleArgs): ExpsumResult {
  return expsumKernel.sync(...args);
}

/**
 * `computeExpsumStable` off the event loop. Inputs are copied before the
 * promise is returned (or lent with `borrow: true`); an abort of
 * `options.signal` before it settles rejects it with an AbortError (the same
 * holds for every `...Async` function).
 */
export function computeExpsumStableAsync(intensities: Intensities, weights: Float64Array, means: Float64Array, stdevs: Float64Array, options?: AsyncKernelOptions): Promise<ExpsumResult>;
export function computeExpsumStableAsync(intensities: Intensities, model: GmmModel, options?: AsyncKernelOptions): Promise<ExpsumResult>;
export function computeExpsumStableAsync(...args: PerSampleArgs): Promise<ExpsumResult> {
  return expsumKernel.async(...args);
}

/** Log-likelihood `sum_i (pMax[i] + ln expsum[i])` of the mixture on the intensities. */
export function computeLogLikelihoodStable(intensities: Intensities, weights: Float64Array, means: Float64Array, stdevs: Float64Array, options?: KernelOptions): number;
export function computeLogLikelihoodStable(intensities: Intensities, model: GmmModel, options?: KernelOptions): number;
export function computeLogLikelihoodStable(...args: PerSampleArgs): number {
  return logLikelihoodKernel.sync(...args);
}

export function computeLogLikelihoodStableAsync(intensities: Intensities, weights: Float64Array, means: Float64Array, stdevs: Float64Array, options?: AsyncKernelOptions): Promise<number>;
export function computeLogLikelihoodStableAsync(intensities: Intensities, model: GmmModel, options?: AsyncKernelOptions): Promise<number>;
export function computeLogLikelihoodStableAsync(...args: PerSampleArgs): Promise<number> {
  return logLikelihoodKernel.async(...args);
}

/** Responsibilities `r[k*N + i] = exp(P[i,k] - pMax[i]) / expsum[i]`, K planes of N values. */
export function computeExpectationResponsibilities(intensities: Intensities, weights: Float64Array, means: Float64Array, stdevs: Float64Array, options?: KernelOptions): Float64Array;
export function computeExpectationResponsibilities(intensities: Intensities, model: GmmModel, options?: KernelOptions): Float64Array;
export function computeExpectationResponsibilities(...args: PerSampleArgs): Float64Array {
  return responsibilitiesKernel.sync(...args);
}

export function computeExpectationResponsibilitiesAsync(intensities: Intensities, weights: Float64Array, means: Float64Array, stdevs: Float64Array, options?: AsyncKernelOptions): Promise<Float64Array>;
export function computeExpectationResponsibilitiesAsync(intensities: Intensities, model: GmmModel, options?: AsyncKernelOptions): Promise<Float64Array>;
export function computeExpectationResponsibilitiesAsync(...args: PerSampleArgs): Promise<Float64Array> {
  return responsibilitiesKernel.async(...args);
}

/**
 * Fits a K-component Gaussian mixture to `data` by EM.
 *
 * One-dimensional path (no `dims` other than 1 and none of `covariance`,
 * `columns`, `sampleWeight`, `nInit`, `seed`, a string `init` or an `init`
 * with `covariances`): the original's updates, unchanged. 8-bit pixels
 * (Uint8Array or Uint8ClampedArray) are read as `v / 255` and fitted on
 * their 256-bin histogram. See `FitGmmOptions`.
 *
 * Multivariate path (any of those options): N x d row-major data, the four
 * covariance types of scikit-learn's GaussianMixture, seeded inits, sample
 * weights; returns a `GmmMvFit`. See `FitGmmMvOptions` and the README.
 */
export function fitGmm(data: GmmData, options: FitGmmOptions): GmmFit;
export function fitGmm(data: GmmData, options: FitGmmMvOptions): GmmMvFit;
export function fitGmm(data: GmmData, options: FitGmmOptions | FitGmmMvOptions): GmmFit | GmmMvFit {
  return wantsMultivariate(options) ? mvFitKernel.sync(data, options) : fitKernel.sync(data, options);
}

/**
 * `fitGmm` off the event loop. `options.signal` stops it at the next
 * iteration; `options.onProgress` (alias `onIteration`) receives
 * `{ done, total, logLikelihood }` after every iteration.
 */
export function fitGmmAsync(data: GmmData, options: FitGmmAsyncOptions): Promise<GmmFit>;
export function fitGmmAsync(data: GmmData, options: FitGmmMvAsyncOptions): Promise<GmmMvFit>;
export function fitGmmAsync(data: GmmData, options: FitGmmAsyncOptions | FitGmmMvAsyncOptions): Promise<GmmFit | GmmMvFit> {
  return wantsMultivariate(options) ? mvFitKernel.async(data, options) : fitKernel.async(data, options);
}

/**
 * Segmentation labels: for every sample (row) the component of largest
 * responsibility (ties: lowest index). Labels are bytes, so the model may
 * have at most 256 components (RangeError otherwise). A multivariate model
 * reads rows of `options.dims` values (default: the model's d), `options.columns` used.
 */
export function predictGmm(data: GmmData, model: GmmModel, options?: KernelOptions): Uint8Array;
export function predictGmm(data: GmmData, model: GmmMvModel, options?: GmmMvDataOptions): Uint8Array;
export function predictGmm(data: GmmData, model: GmmModel | GmmMvModel, options?: GmmMvDataOptions): Uint8Array {
  return isMultivariateModel(model) ? mvPredictKernel.sync(data, model, options) : predictKernel.sync(data, model as GmmModel, options);
}

/** `predictGmm` off the event loop. */
export function predictGmmAsync(data: GmmData, model: GmmModel, options?: AsyncKernelOptions): Promise<Uint8Array>;
export function predictGmmAsync(data: GmmData, model: GmmMvModel, options?: GmmMvDataAsyncOptions): Promise<Uint8Array>;
export function predictGmmAsync(data: GmmData, model: GmmModel | GmmMvModel, options?: GmmMvDataAsyncOptions): Promise<Uint8Array> {
  return isMultivariateModel(model) ? mvPredictKernel.async(data, model, options) : predictKernel.async(data, model as GmmModel, options);
}

/**
 * Responsibilities of every component for every sample. A 1-D model gives
 * K planes of N values (`r[k*N + i]`, as before); a multivariate model gives
 * N x K row-major values (`r[i*K + k]`, scikit-learn's `predict_proba` layout).
 */
export function predictProba(data: GmmData, model: GmmModel, options?: KernelOptions): Float64Array;
export function predictProba(data: GmmData, model: GmmMvModel, options?: GmmMvDataOptions): Float64Array;
export function predictProba(data: GmmData, model: GmmModel | GmmMvModel, options?: GmmMvDataOptions): Float64Array {
  return isMultivariateModel(model) ? mvProbaKernel.sync(data, model, options) : probaKernel.sync(data, model as GmmModel, options);
}

/** `predictProba` off the event loop. */
export function predictProbaAsync(data: GmmData, model: GmmModel, options?: AsyncKernelOptions): Promise<Float64Array>;
export function predictProbaAsync(data: GmmData, model: GmmMvModel, options?: GmmMvDataAsyncOptions): Promise<Float64Array>;
export function predictProbaAsync(data: GmmData, model: GmmModel | GmmMvModel, options?: GmmMvDataAsyncOptions): Promise<Float64Array> {
  return isMultivariateModel(model) ? mvProbaKernel.async(data, model, options) : probaKernel.async(data, model as GmmModel, options);
}
