/**
 * Multidimensional scaling: distance kernels, classical MDS and metric
 * SMACOF. Each function is an entry of the kernel table (`./kernels.ts`):
 * structural checks once, then the value checks and the work in the backend
 * that runs (`threads: 0` the TypeScript reference, otherwise native).
 *
 * `dims` always means the width of one data row (coordinates per point);
 * the embedding dimension is `outputDims` (an argument of `classicalMds`,
 * an option of `smacof` and `mds`).
 */
import type { AsyncKernelOptions, KernelOptions } from "../threads";
import {
  classicalMdsKernel,
  distanceMatrixKernel,
  distFromPointKernel,
  mdsErrorKernel,
  mdsKernel,
  mseKernel,
  smacofKernel,
  updateDistanceMatrixKernel,
} from "./kernels";
import type { SmacofProgressEvent, SmacofResult, TransformAsyncOptions, TransformOptions } from "./kernels";
import type { IterationEvent } from "./reference-smacof";
import { MAX_MATRIX_ELEMENTS, SYMMETRY_TOLERANCE } from "./validate";
import type { SmacofInit } from "./validate";

export { MAX_MATRIX_ELEMENTS, SYMMETRY_TOLERANCE };
export type { SmacofInit, SmacofProgressEvent, SmacofResult, TransformAsyncOptions, TransformOptions };

/**
 * The full n x n Euclidean distance matrix of `points` (n rows x `dims`,
 * row-major): symmetric, zero diagonal, each pair computed once.
 * RangeError when n*n exceeds {@link MAX_MATRIX_ELEMENTS} (checked before
 * anything is allocated) or memory, or for a non-finite coordinate.
 */
export function computeDistanceMatrix(points: Float64Array | Float32Array, dims: number, options?: KernelOptions): Float64Array {
  return distanceMatrixKernel.sync(points, dims, options);
}

/** {@link computeDistanceMatrix} off the event loop. The points are copied before it returns (or lent with `borrow: true`). */
export function computeDistanceMatrixAsync(points: Float64Array | Float32Array, dims: number, options?: AsyncKernelOptions): Promise<Float64Array> {
  return distanceMatrixKernel.async(points, dims, options);
}

/** Recomputes row i and column i of `distances` in place after point i moved. */
export function updateDistanceMatrix(
  points: Float64Array | Float32Array,
  dims: number,
  distances: Float64Array,
  i: number,
  options?: KernelOptions,
): void {
  updateDistanceMatrixKernel.sync(points, dims, distances, i, options);
}

/** Distances from every row of `points` to the point `y` (length `dims`). */
export function distFromPoint(points: Float64Array | Float32Array, dims: number, y: Float64Array, options?: KernelOptions): Float64Array {
  return distFromPointKernel.sync(points, dims, y, options);
}

/** Sum of squared differences of two equally long arrays (not divided by the length, as the original). */
export function mse(a: Float64Array, b: Float64Array, options?: KernelOptions): number {
  return mseKernel.sync(a, b, options);
}

/**
 * Squared error between two n x n matrices. The result type depends on `i`
 * (kept from the original API):
 * - `i` omitted or undefined: the total sum over the whole matrix, a number;
 * - `i = -1`: a Float64Array of the n per-row errors;
 * - `0 <= i < n`: the error of row i, a number.
 */
export function computeMdsError(goal: Float64Array, current: Float64Array, n: number, i?: undefined, options?: KernelOptions): number;
export function computeMdsError(goal: Float64Array, current: Float64Array, n: number, i: -1, options?: KernelOptions): Float64Array;
export function computeMdsError(goal: Float64Array, current: Float64Array, n: number, i: number, options?: KernelOptions): number | Float64Array;
export function computeMdsError(
  goal: Float64Array,
  current: Float64Array,
  n: number,
  i?: number,
  options?: KernelOptions,
): number | Float64Array {
  return mdsErrorKernel.sync(goal, current, n, i, options);
}

/**
 * Classical (Torgerson) MDS: an n x `outputDims` embedding from the top
 * `outputDims` eigenvectors of the double-centred squared dissimilarities
 * (negative eigenvalues clipped to 0; each axis signed so that its
 * largest-magnitude coordinate is positive).
 */
export function classicalMds(dissimilarities: Float64Array | Float32Array, n: number, outputDims: number, options?: KernelOptions): Float64Array {
  return classicalMdsKernel.sync(dissimilarities, n, outputDims, options);
}

/** {@link classicalMds} off the event loop. The dissimilarities are copied before it returns (or lent with `borrow: true`). */
export function classicalMdsAsync(dissimilarities: Float64Array | Float32Array, n: number, outputDims: number, options?: AsyncKernelOptions): Promise<Float64Array> {
  return classicalMdsKernel.async(dissimilarities, n, outputDims, options);
}

/**
 * Options of {@link smacof} and {@link mds}. Unknown keys are a TypeError;
 * the former `dims` option is refused with the suggestion `outputDims`.
 */
export interface SmacofOptions extends KernelOptions {
  /** Embedding dimension, 1..n. Default 2. (Formerly `dims`.) */
  outputDims?: number;
  /** Maximum iterations (Guttman transforms) per run, >= 1. Default 300. */
  maxIter?: number;
  /** Convergence tolerance on (old stress - stress) / sum_{i<j} d_ij^2 (scikit-learn 1.9). With 0 a run stops only when the stress stops decreasing. Default 1e-6. */
  eps?: number;
  /** Start: "classical" (Torgerson MDS, default), "random" (uniform [0,1) from mulberry32(seed)) or an n x outputDims Float64Array. */
  init?: SmacofInit;
  /** Runs from random starts, keeping the lowest stress; > 1 only with init "random". Default 1. */
  nInit?: number;
  /** Seed of the random start, an integer 0..2^32-1. Default 0. */
  seed?: number;
  /**
   * Non-metric SMACOF, as scikit-learn 1.9.1's `metric=False`: disparities by
   * isotonic regression of the distances on the dissimilarities (ties share
   * one disparity), scaled to sum of squares n (n - 1) / 2; zero off-diagonal
   * dissimilarities are missing (disparity 0). Default false.
   */
  nonMetric?: boolean;
  /**
   * Per-pair weights, n x n: symmetric (as the dissimilarities), finite,
   * >= 0; zero = missing dissimilarity; every point needs a positive weight
   * and the positive weights must connect all points. Weighted SMACOF
   * (Guttman transform with V^+). Not with `nonMetric`.
   */
  weights?: Float64Array;
}

/** Options of {@link smacofAsync} and {@link mdsAsync}. */
export interface SmacofAsyncOptions extends SmacofOptions, Omit<AsyncKernelOptions, "onProgress"> {
  /** Called after every iteration with `{ done, total, stress }` (see {@link SmacofProgressEvent}). */
  onProgress?: (event: SmacofProgressEvent) => void;
  /** Alias of `onProgress` (its event also has `iteration`, equal to `done`). */
  onIteration?: (event: SmacofProgressEvent) => void;
}

export type { IterationEvent };

/**
 * Metric MDS of an n x n dissimilarity matrix by SMACOF (Guttman transform),
 * as scikit-learn 1.9.1's `smacof(metric=True)`; B is never formed.
 */
export function smacof(dissimilarities: Float64Array | Float32Array, n: number, options?: SmacofOptions): SmacofResult {
  return smacofKernel.sync(dissimilarities, n, options);
}

/** The whole job from raw points (n rows x `dims`): Euclidean distances, then {@link smacof}. */
export function mds(points: Float64Array | Float32Array, dims: number, options?: SmacofOptions): SmacofResult {
  return mdsKernel.sync(points, dims, options);
}

/**
 * {@link smacof} off the event loop. `options.signal` stops it at the next
 * iteration; `options.onProgress` (alias `onIteration`) receives
 * `{ done, total, stress }` after every iteration, all of them before the
 * promise resolves. Inputs are copied before it returns (or lent with `borrow: true`).
 */
export function smacofAsync(dissimilarities: Float64Array | Float32Array, n: number, options?: SmacofAsyncOptions): Promise<SmacofResult> {
  return smacofKernel.async(dissimilarities, n, options);
}

/** {@link mds} off the event loop, with `signal` and `onProgress` as {@link smacofAsync}. */
export function mdsAsync(points: Float64Array | Float32Array, dims: number, options?: SmacofAsyncOptions): Promise<SmacofResult> {
  return mdsKernel.async(points, dims, options);
}
