/**
 * Public types of the multivariate Gaussian mixtures (issue 13): models,
 * fit options and results, mergeable statistics, the JSON form.
 */
import type { AsyncKernelOptions, KernelOptions } from "../../threads";

/** scikit-learn's `covariance_type`. */
export type CovarianceType = "full" | "diag" | "spherical" | "tied";

/**
 * A d-dimensional Gaussian mixture of K components (plain object, serialisable
 * with `gmmToJSON`). `means` is K x d row-major; `covariances` is K x d x d
 * (full), K x d (diag), K (spherical) or d x d (tied). Weights need not sum to 1.
 */
export interface GmmMvModel {
  dims: number;
  covariance: CovarianceType;
  weights: Float64Array;
  means: Float64Array;
  covariances: Float64Array;
}

/** The JSON form of a model (`gmmToJSON`, `model.toJSON()`, `gmmFromJSON`). */
export interface GmmJSON {
  format: "fastkernels-gmm";
  version: 1;
  dims: number;
  covariance: CovarianceType;
  weights: number[];
  means: number[];
  covariances: number[];
}

/** A fitted multivariate mixture: the model plus the fit's trace. */
export interface GmmMvFit extends GmmMvModel {
  /**
   * Total log-likelihood `sum_i w_i ln p(x_i)` of the E-step of every
   * iteration (the parameters *before* that iteration's M-step), as
   * scikit-learn's `lower_bound_` times the weight sum. Length `iterations`.
   */
  logLikelihoods: Float64Array;
  /** Iterations run by the returned start (fewer than requested only when `tol` stopped it). */
  iterations: number;
  /** True when `tol` stopped the fit early. */
  converged: boolean;
  /** For d = 1 only: the K variances (`covariances` expanded to one value per component). */
  variances?: Float64Array;
  /** For d = 1 only: `sqrt(variances)`. */
  stdevs?: Float64Array;
}

/** An explicit starting model of a multivariate fit (shapes as in `GmmMvModel`). */
export interface GmmMvInitModel {
  weights: Float64Array;
  means: Float64Array;
  covariances: Float64Array;
}

/** Starting parameters of a multivariate fit. */
export type GmmMvInit = "original" | "kmeans++" | "random" | "random_from_data" | GmmMvInitModel;

/** How rows are read from `data`: `dims` values per row, `columns` of them used. */
export interface GmmLayoutOptions {
  /** Width of one row of `data` (values or 8-bit channels per row). */
  dims?: number;
  /** Which columns of a row the model uses, e.g. `[0, 1, 2]` of RGBA; default all `dims`. */
  columns?: readonly number[] | Uint32Array;
}

export interface FitGmmMvOptions extends KernelOptions, GmmLayoutOptions {
  /** Number of mixture components K (integer >= 1). Required. */
  components: number;
  /** Most EM iterations (integer >= 1). Required. */
  iterations: number;
  /**
   * Early stop, scikit-learn's meaning: after iteration i >= 2, stop when
   * `|LL_i - LL_{i-1}| / sum(w) < tol`. Default: none, every iteration runs.
   */
  tol?: number;
  /** Default `"full"`. */
  covariance?: CovarianceType;
  /** Default `"kmeans++"` when the model has d > 1 columns, `"original"` for d = 1. */
  init?: GmmMvInit;
  /** Starts (seeded inits only); the one with the best final log-likelihood is returned. Default 1. */
  nInit?: number;
  /** Seed of mulberry32 for the k-means++ / random inits. Default 0. */
  seed?: number;
  /** One weight >= 0 per row: weight w acts as w copies of the row. */
  sampleWeight?: Float64Array;
  /** Added to the covariance diagonal after every M-step. Default 1e-6 (scikit-learn's). */
  regCovar?: number;
}

export interface FitGmmMvAsyncOptions extends FitGmmMvOptions, AsyncKernelOptions {
  onIteration?: AsyncKernelOptions["onProgress"];
}

/** Options of `predictGmm`, `predictProba`, `scoreSamples` on a multivariate model. */
export interface GmmMvDataOptions extends KernelOptions, GmmLayoutOptions {}
export interface GmmMvDataAsyncOptions extends GmmMvDataOptions, AsyncKernelOptions {}

/** Options of `score`, `bic`, `aic`. */
export interface GmmScoreOptions extends GmmMvDataOptions {
  /** One weight >= 0 per row (weighted mean; bic/aic use n = sum of weights). */
  sampleWeight?: Float64Array;
}
export interface GmmScoreAsyncOptions extends GmmScoreOptions, AsyncKernelOptions {}

/**
 * Mergeable sufficient statistics of one E-step over a shard of rows:
 * one partial per chunk of `chunkSize` rows aligned to the global row index,
 * `chunks` = the partials in chunk order, `stride` values each:
 * `[weightSum, logLikelihood, resp (K), sumX (K*d), sumXX]` with sumXX
 * K*d*d (full), K*d (diag, spherical: the squares) or d*d (tied: sum w x x^T).
 */
export interface GmmStatistics {
  format: 1;
  /** Model dimension d. */
  dims: number;
  covariance: CovarianceType;
  components: number;
  /** Global index of the shard's first row (a multiple of chunkSize). */
  rowOffset: number;
  /** Rows of the shard. */
  rows: number;
  chunkSize: number;
  /** Instruction set of the kernels that computed it ("js" for the reference). */
  isa: string;
  chunks: Float64Array;
  stride: number;
}

export interface GmmStatisticsOptions extends GmmMvDataOptions {
  /** Global row index of `data`'s first row; a multiple of GMM_STATS_CHUNK. Default 0. */
  rowOffset?: number;
  sampleWeight?: Float64Array;
}
export interface GmmStatisticsAsyncOptions extends GmmStatisticsOptions, AsyncKernelOptions {}

export interface GmmMStepOptions extends KernelOptions {
  /** Default 1e-6. */
  regCovar?: number;
}
export interface GmmMStepAsyncOptions extends GmmMStepOptions, AsyncKernelOptions {}

/** The model of an M-step, with the totals of the E-step it came from. */
export interface GmmMStepResult extends GmmMvModel {
  /** Folded `sum_i w_i ln p(x_i)` of the statistics (the E-step's model). */
  logLikelihood: number;
  /** Folded sum of the row weights. */
  weightSum: number;
}

export interface SampleGmmOptions extends KernelOptions {
  /** mulberry32 seed. Default 0. */
  seed?: number;
}
export interface SampleGmmAsyncOptions extends SampleGmmOptions, AsyncKernelOptions {}

/** `sampleGmm`'s draw: n x d values (row-major) and each row's component. */
export interface GmmSample {
  data: Float64Array;
  labels: Uint32Array;
}

/** `countDistinctColors`: the distinct rows (8-bit, d per row, ascending) and how often each occurs. */
export interface DistinctColors {
  colors: Uint8Array;
  counts: Float64Array;
  dims: number;
}

/** Options of `fitGmmStream` (async only): a fit's options without data-bound inits. */
export interface FitGmmStreamOptions extends AsyncKernelOptions, GmmLayoutOptions {
  components: number;
  iterations: number;
  tol?: number;
  covariance?: CovarianceType;
  /** Required: an explicit model or `"original"` (the other inits need the data in memory). */
  init: "original" | GmmMvInitModel;
  regCovar?: number;
}

/** One chunk of a stream: whole rows. */
export type GmmStreamChunk = Float64Array | Float32Array | Uint8Array | Uint8ClampedArray;
