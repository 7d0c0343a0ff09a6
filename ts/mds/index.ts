/**
 * Multidimensional scaling: distance kernels, classical MDS and metric
 * SMACOF. Every function validates once, then runs the native kernel
 * (`threads` >= 1) or the TypeScript reference (`threads` = 0).
 */
import { runNativeAsync, runReferenceAsync } from "../async";
import { callNative } from "../errors";
import { native } from "../native";
import type { NativeBinding } from "../native";
import { resolveThreads } from "../threads";
import type { AsyncKernelOptions, KernelOptions } from "../threads";
import { assertInteger } from "../validate";
import {
  distanceMatrixReference,
  distFromPointReference,
  mseReference,
  rowErrorReference,
  rowErrorsReference,
  updateDistanceMatrixReference,
} from "./reference";
import { classicalMdsReference, drain, smacofReference } from "./reference-smacof";
import type { IterationEvent, SmacofOutcome } from "./reference-smacof";
import {
  checkDissimilarities,
  checkFiniteArray,
  checkMatrixSize,
  checkPoints,
  checkSmacofOptions,
  checkSquare,
  MAX_MATRIX_ELEMENTS,
  SYMMETRY_TOLERANCE,
} from "./validate";
import type { SmacofInit, SmacofSettings } from "./validate";

export { MAX_MATRIX_ELEMENTS, SYMMETRY_TOLERANCE };
export type { SmacofInit };

function binding(): NativeBinding {
  return native as NativeBinding;
}

/**
 * The full n x n Euclidean distance matrix of `points` (n rows x `dims`,
 * row-major): symmetric, zero diagonal, each pair computed once.
 * RangeError when n*n exceeds {@link MAX_MATRIX_ELEMENTS} or memory.
 */
export function computeDistanceMatrix(points: Float64Array, dims: number, options?: KernelOptions): Float64Array {
  const n = checkPoints("points", points, dims);
  checkMatrixSize("points", n);
  const threads = resolveThreads(options);
  if (threads === 0) return distanceMatrixReference(points, dims);
  return callNative(() => binding().mdsDistanceMatrix(points, dims, threads));
}

/** Recomputes row i and column i of `distances` in place after point i moved. */
export function updateDistanceMatrix(
  points: Float64Array,
  dims: number,
  distances: Float64Array,
  i: number,
  options?: KernelOptions,
): void {
  const n = checkPoints("points", points, dims);
  checkMatrixSize("points", n);
  checkSquare("distances", distances, n);
  assertInteger("i", i, 0, n - 1);
  const threads = resolveThreads(options);
  if (threads === 0) return updateDistanceMatrixReference(points, dims, distances, i);
  callNative(() => binding().mdsUpdateDistanceMatrix(points, dims, distances, i, threads));
}

/** Distances from every row of `points` to the point `y` (length `dims`). */
export function distFromPoint(points: Float64Array, dims: number, y: Float64Array, options?: KernelOptions): Float64Array {
  checkPoints("points", points, dims);
  checkFiniteArray("y", y);
  if (y.length !== dims) throw new RangeError(`y must have length ${dims} (dims), got length ${y.length}`);
  const threads = resolveThreads(options);
  if (threads === 0) return distFromPointReference(points, dims, y);
  return callNative(() => binding().mdsDistFromPoint(points, dims, y, threads));
}

/** Sum of squared differences of two equally long arrays (not divided by the length, as the original). */
export function mse(a: Float64Array, b: Float64Array, options?: KernelOptions): number {
  checkFiniteArray("a", a);
  checkFiniteArray("b", b);
  if (a.length !== b.length) throw new RangeError(`b must have the same length as a (${a.length}), got length ${b.length}`);
  const threads = resolveThreads(options);
  if (threads === 0) return mseReference(a, b);
  return callNative(() => binding().mdsMse(a, b, threads));
}

/**
 * Squared error between two n x n matrices: with `i` omitted (or undefined),
 * the total sum over the whole matrix; with `i = -1`, a Float64Array of the n
 * per-row errors; with 0 <= i < n, the error of row i.
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
  assertInteger("n", n, 1);
  checkMatrixSize("goal", n);
  checkSquare("goal", goal, n);
  checkSquare("current", current, n);
  checkFiniteArray("goal", goal);
  checkFiniteArray("current", current);
  if (i !== undefined) assertInteger("i", i, -1, n - 1);
  const threads = resolveThreads(options);
  if (threads === 0) {
    if (i === undefined) return mseReference(goal, current);
    return i < 0 ? rowErrorsReference(goal, current, n) : rowErrorReference(goal, current, n, i);
  }
  return callNative(() => {
    if (i === undefined) return binding().mdsErrorTotal(goal, current, n, threads);
    return i < 0 ? binding().mdsErrorRows(goal, current, n, threads) : binding().mdsErrorRow(goal, current, n, i, threads);
  });
}

/**
 * Classical (Torgerson) MDS: an n x dims embedding from the top `dims`
 * eigenvectors of the double-centred squared dissimilarities (negative
 * eigenvalues clipped to 0; each axis signed so that its largest-magnitude
 * coordinate is positive).
 */
export function classicalMds(dissimilarities: Float64Array, n: number, dims: number, options?: KernelOptions): Float64Array {
  checkDissimilarities(dissimilarities, n);
  assertInteger("dims", dims, 1, n);
  const threads = resolveThreads(options);
  if (threads === 0) return classicalMdsReference(dissimilarities, n, dims);
  return callNative(() => binding().mdsClassical(dissimilarities, n, dims, threads));
}

/** Options of {@link smacof} and {@link mds}. */
export interface SmacofOptions extends KernelOptions {
  /** Embedding dimension, 1..n. Default 2. */
  dims?: number;
  /** Maximum iterations (Guttman transforms) per run, >= 1. Default 300. */
  maxIter?: number;
  /** Convergence tolerance on (old stress - stress) / sum_{i<j} d_ij^2 (scikit-learn 1.9). With 0 a run stops only when the stress stops decreasing. Default 1e-6. */
  eps?: number;
  /** Start: "classical" (Torgerson MDS, default), "random" (uniform [0,1) from mulberry32(seed)) or an n x dims Float64Array. */
  init?: SmacofInit;
  /** Runs from random starts, keeping the lowest stress; > 1 only with init "random". Default 1. */
  nInit?: number;
  /** Seed of the random start, an integer 0..2^32-1. Default 0. */
  seed?: number;
}

/** Options of {@link smacofAsync} and {@link mdsAsync}. */
export interface SmacofAsyncOptions extends SmacofOptions, AsyncKernelOptions {
  /** Called after every iteration with its number (1-based, consecutive across nInit runs) and the stress. Default: none. */
  onIteration?: (event: IterationEvent) => void;
}

export type { IterationEvent };

/** The result of {@link smacof}. */
export interface SmacofResult {
  /** n x dims, row-major. */
  embedding: Float64Array;
  /** Raw stress of the embedding, scikit-learn's definition: sum over pairs i < j of (d_ij - delta_ij)^2. */
  stress: number;
  /** Kruskal's stress-1 of the embedding: sqrt(stress / sum_{i<j} d_ij^2). */
  normalizedStress: number;
  /** Iterations of the returned run. */
  iterations: number;
  /** True when the eps criterion stopped the run before maxIter. */
  converged: boolean;
}

function nativeParams(s: SmacofSettings) {
  const init = typeof s.init === "string" ? s.init : "given";
  return {
    params: { dims: s.dims, maxIter: s.maxIter, eps: s.eps, init, nInit: s.nInit, seed: s.seed },
    initEmbedding: typeof s.init === "string" ? undefined : s.init,
  };
}

function fromNative(out: { embedding: Float64Array; stress: number; normalizedStress: number; iterations: number; converged: boolean }): SmacofResult {
  return { embedding: out.embedding, stress: out.stress, normalizedStress: out.normalizedStress, iterations: out.iterations, converged: out.converged };
}

function fromReference(out: SmacofOutcome): SmacofResult {
  return { ...out };
}

/**
 * Metric MDS of an n x n dissimilarity matrix by SMACOF (Guttman transform),
 * as scikit-learn 1.9.1's `smacof(metric=True)`; B is never formed.
 */
export function smacof(dissimilarities: Float64Array, n: number, options?: SmacofOptions): SmacofResult {
  checkDissimilarities(dissimilarities, n);
  const settings = checkSmacofOptions(options, n, false);
  const threads = resolveThreads(options);
  if (threads === 0) return fromReference(drain(smacofReference(dissimilarities, n, settings)));
  const { params, initEmbedding } = nativeParams(settings);
  return fromNative(callNative(() => binding().mdsSmacof(dissimilarities, n, params, initEmbedding, threads)));
}

/** The whole job from raw points (n rows x `dims`): Euclidean distances, then {@link smacof}. */
export function mds(points: Float64Array, dims: number, options?: SmacofOptions): SmacofResult {
  const n = checkPoints("points", points, dims);
  assertInteger("n (points.length / dims)", n, 2);
  checkMatrixSize("points", n);
  const settings = checkSmacofOptions(options, n, false);
  const threads = resolveThreads(options);
  if (threads === 0) {
    return fromReference(drain(smacofReference(distanceMatrixReference(points, dims), n, settings)));
  }
  const { params, initEmbedding } = nativeParams(settings);
  return fromNative(callNative(() => binding().mdsFromPoints(points, dims, params, initEmbedding, threads)));
}

type NativeStart = (
  token: InstanceType<NativeBinding["CancelToken"]>,
  progress: ((event: IterationEvent) => void) | undefined,
) => Promise<{ embedding: Float64Array; stress: number; normalizedStress: number; iterations: number; converged: boolean; progressEvents: number }>;

/**
 * Runs a native async SMACOF. Progress events travel through a threadsafe
 * function and may be queued behind the result, so the promise resolves
 * only once all of them were delivered; none is delivered after it settles.
 * A throwing `onIteration` cancels the run and rejects with its error.
 */
async function runSmacofNative(options: SmacofAsyncOptions | undefined, start: NativeStart): Promise<SmacofResult> {
  const onIteration = options?.onIteration;
  let delivered = 0;
  let expected = -1;
  let settled = false;
  let callbackError: { error: unknown } | undefined;
  let drained: (() => void) | undefined;
  const outcome = await runNativeAsync(options?.signal, async (token) => {
    const progress = onIteration
      ? (event: IterationEvent) => {
          delivered++;
          if (!settled && callbackError === undefined) {
            try {
              onIteration({ iteration: event.iteration, stress: event.stress });
            } catch (error) {
              callbackError = { error };
              token.cancel();
            }
          }
          if (delivered === expected) drained?.();
        }
      : undefined;
    try {
      const out = await start(token, progress);
      expected = out.progressEvents;
      if (onIteration && delivered < expected) await new Promise<void>((resolve) => (drained = resolve));
      return out;
    } catch (error) {
      if (callbackError) throw callbackError.error;
      throw error;
    } finally {
      settled = true;
    }
  }).catch((error: unknown) => {
    if (callbackError) throw callbackError.error;
    throw error;
  });
  if (callbackError) throw callbackError.error;
  return fromNative(outcome);
}

async function runSmacofReference(
  options: SmacofAsyncOptions | undefined,
  steps: () => Generator<IterationEvent, SmacofOutcome>,
): Promise<SmacofResult> {
  const onIteration = options?.onIteration;
  return runReferenceAsync(options?.signal, async (checkpoint) => {
    const it = steps();
    for (;;) {
      const step = it.next();
      if (step.done) return fromReference(step.value);
      onIteration?.(step.value);
      await checkpoint();
    }
  });
}

/** {@link smacof} off the event loop, with `signal` and `onIteration`. Inputs are copied before it returns. */
export async function smacofAsync(dissimilarities: Float64Array, n: number, options?: SmacofAsyncOptions): Promise<SmacofResult> {
  checkDissimilarities(dissimilarities, n);
  const settings = checkSmacofOptions(options, n, true);
  const threads = resolveThreads(options);
  if (threads === 0) {
    const copy = Float64Array.from(dissimilarities);
    const s = { ...settings, init: typeof settings.init === "string" ? settings.init : Float64Array.from(settings.init) };
    return runSmacofReference(options, () => smacofReference(copy, n, s));
  }
  const { params, initEmbedding } = nativeParams(settings);
  return runSmacofNative(options, (token, progress) =>
    binding().mdsSmacofAsync(dissimilarities, n, params, initEmbedding, threads, token, progress),
  );
}

/** {@link mds} off the event loop, with `signal` and `onIteration`. Inputs are copied before it returns. */
export async function mdsAsync(points: Float64Array, dims: number, options?: SmacofAsyncOptions): Promise<SmacofResult> {
  const n = checkPoints("points", points, dims);
  assertInteger("n (points.length / dims)", n, 2);
  checkMatrixSize("points", n);
  const settings = checkSmacofOptions(options, n, true);
  const threads = resolveThreads(options);
  if (threads === 0) {
    const copy = Float64Array.from(points);
    const s = { ...settings, init: typeof settings.init === "string" ? settings.init : Float64Array.from(settings.init) };
    return runSmacofReference(options, () => smacofReference(distanceMatrixReference(copy, dims), n, s));
  }
  const { params, initEmbedding } = nativeParams(settings);
  return runSmacofNative(options, (token, progress) =>
    binding().mdsFromPointsAsync(points, dims, params, initEmbedding, threads, token, progress),
  );
}
