/**
 * Public types of the Gaussian-mixture family.
 */
import type { AsyncKernelOptions, KernelOptions } from "../threads";

/** Per-sample outputs of the stable E-step (the original's `compute_expsum_stable`). */
export interface ExpsumResult {
  /** `expsum[i] = sum_k exp(P[i,k] - pMax[i])`, length N. */
  expsum: Float64Array;
  /** `P[i,k] = ln w_k + ln N(x_i | mu_k, sigma_k)`, K planes of N values: `p[k*N + i]`. */
  p: Float64Array;
  /** `pMax[i] = max_k P[i,k]`, length N. */
  pMax: Float64Array;
}

/**
 * A fitted (or hand-made) one-dimensional Gaussian mixture. A `fitGmm`
 * result is a `GmmModel`. Give `stdevs` or `variances` (if both are given,
 * `stdevs` is used). Weights need not sum to 1.
 */
export interface GmmModel {
  means: Float64Array;
  weights: Float64Array;
  stdevs?: Float64Array;
  variances?: Float64Array;
}

/** Starting parameters of a fit, one value per component. */
export interface GmmInit {
  means: Float64Array;
  variances: Float64Array;
  weights: Float64Array;
}

export interface FitGmmOptions extends KernelOptions {
  /** Number of mixture components K (integer >= 1). Required. */
  components: number;
  /** Number of EM iterations (integer >= 1). Required. */
  iterations: number;
  /** Row width: 1 here (any other value, or a multivariate-only option, selects the multivariate fit). */
  dims?: 1;
  /**
   * Early stop: after iteration i >= 2, stop when `|LL_i - LL_{i-1}| <= tol * N`
   * (N = number of samples) and set `converged`. Default: undefined, every
   * iteration runs (as in the original).
   */
  tol?: number;
  /**
   * Starting parameters. Default: the original's, means `linspace(0, 1, K)`,
   * variances `10/255`, weights 1 (not normalised).
   */
  init?: GmmInit;
  /**
   * A variance that falls below this value after an M-step is raised to it
   * (only then, so ordinary fits are untouched). Absolute, chosen for
   * intensities in [0, 1]. Default 1e-12. Must be > 0.
   */
  varianceFloor?: number;
  /** Added to every variance after each M-step (scikit-learn's `reg_covar`). Default 0. */
  regCovar?: number;
}

export interface FitGmmAsyncOptions extends FitGmmOptions, AsyncKernelOptions {
  /** Alias of `onProgress`, kept from 0.1. */
  onIteration?: AsyncKernelOptions["onProgress"];
}

/** The result of `fitGmm`; also usable as a `GmmModel`. */
export interface GmmFit {
  means: Float64Array;
  variances: Float64Array;
  stdevs: Float64Array;
  weights: Float64Array;
  /** Log-likelihood of the parameters after each iteration (length `iterations`). */
  logLikelihoods: Float64Array;
  /** Iterations run (less than requested only when `tol` stopped the fit). */
  iterations: number;
  /** True when `tol` stopped the fit early. */
  converged: boolean;
}

/**
 * Samples of a fit or prediction: values (a Float32Array is widened to
 * float64, one copy), or 8-bit pixels read as `v / 255` (Uint8Array, or
 * Uint8ClampedArray such as canvas `ImageData.data`, read in place).
 */
export type GmmData = Float64Array | Float32Array | Uint8Array | Uint8ClampedArray;
