/**
 * The MDS family's entries in the kernel table: one declaration per
 * operation. `prepare` runs the structural checks (types, lengths, option
 * ranges, the n x n size limit before anything is allocated); the value
 * scans (finite coordinates, dissimilarities >= 0, symmetric, zero diagonal)
 * run in the backend: the reference below, or Rust for native calls.
 * `ts/mds/index.ts` exposes the entries under the public names.
 *
 * Native outputs of known size (distance matrices, row errors,
 * embeddings) are allocated here, so V8 owns and accounts for them, and
 * filled in place by the binding. Points and dissimilarities may be
 * Float32Array: the reference widens them first, the binding off-thread.
 */
import { once, registerKernel } from "../dispatch/kernel";
import type { NativeAsyncContext, Steps } from "../dispatch/kernel";
import type { NativeBinding } from "../native";
import type { ProgressEvent } from "../threads";
import { assertInteger } from "../validate";
import {
  distanceMatrixReference,
  distFromPointReference,
  mseReference,
  rowErrorReference,
  rowErrorsReference,
  updateDistanceMatrixReference,
} from "./reference";
import { classicalMdsReference, smacofReference } from "./reference-smacof";
import type { SmacofOutcome } from "./reference-smacof";
import type { DisparityMap } from "./reference-nonmetric";
import { transformReference } from "./reference-transform";
import {
  allocateMatrix,
  checkDissimilarities,
  checkMatrixSize,
  checkPoints,
  checkSmacofOptions,
  checkSquare,
  scanDissimilarities,
  scanFinite,
  scanNonMetric,
  scanTransform,
  scanWeights,
  checkTransform,
  checkTransformOptions,
  SMACOF_OPTION_KEYS,
  SMACOF_RENAMED_KEYS,
  TRANSFORM_OPTION_KEYS,
} from "./validate";
import type { SmacofSettings, TransformSettings } from "./validate";
import { assertFloat64Array, widenFloats } from "../validate";
import type { FloatArray } from "../validate";

/** Options of `SmacofResult.transform`. Unknown keys are a TypeError. */
export interface TransformOptions {
  /** Most sweeps (single-point Guttman steps per new point), >= 1. Default 300. */
  maxIter?: number;
  /** Per point: stop when (old stress - stress) / sum_j w_j d_j^2 < eps. Default 1e-6. */
  eps?: number;
  /** m x n weights of the new points' dissimilarities (>= 0, zero = missing, each row one positive). Default all 1. */
  weights?: Float64Array;
  threads?: number;
}

/** Options of `SmacofResult.transformAsync`. */
export interface TransformAsyncOptions extends TransformOptions {
  signal?: AbortSignal;
  borrow?: boolean;
  /** After every sweep: `{ done, total, stress }` (stress summed over the new points). */
  onProgress?: (event: SmacofProgressEvent) => void;
}

/** The result of `smacof` and `mds`. */
export interface SmacofResult {
  /** n x outputDims, row-major. */
  embedding: Float64Array;
  /**
   * Raw stress of the embedding, scikit-learn's definition: sum over pairs i < j of (d_ij - delta_ij)^2
   * (weighted: w_ij (d_ij - delta_ij)^2; non-metric: against the disparities of the last iteration).
   */
  stress: number;
  /** Kruskal's stress-1 of the embedding: sqrt(stress / sum_{i<j} d_ij^2) (weighted: w_ij d_ij^2 in the sum). */
  normalizedStress: number;
  /** Iterations of the returned run. */
  iterations: number;
  /** True when the eps criterion stopped the run before maxIter. */
  converged: boolean;
  /**
   * Places m new points (rows of `newDissimilarities`, m x n: their
   * dissimilarities to the n fitted points) into this embedding without
   * moving the fitted points; returns m x outputDims. A non-metric fit maps
   * the new dissimilarities through its fitted disparity function first.
   */
  transform(newDissimilarities: Float64Array | Float32Array, options?: TransformOptions): Float64Array;
  /** {@link SmacofResult.transform} off the event loop, with `signal` and `onProgress`. */
  transformAsync(newDissimilarities: Float64Array | Float32Array, options?: TransformAsyncOptions): Promise<Float64Array>;
}

/** What a fit keeps for `transform`: its dissimilarity model (non-metric: the disparity map). */
interface FitModel {
  /** The fit's embedding array (the same object as `result.embedding` at fit time). */
  embedding: Float64Array;
  n: number;
  dims: number;
  map: DisparityMap | undefined;
}

const models = new WeakMap<object, FitModel>();

/**
 * A SMACOF fit: the result fields are own properties (so results compare
 * as plain objects); `transform` lives on the prototype, its model in a
 * WeakMap.
 */
class SmacofFit implements SmacofResult {
  embedding: Float64Array;
  stress: number;
  normalizedStress: number;
  iterations: number;
  converged: boolean;
  constructor(out: Omit<SmacofResult, "transform" | "transformAsync">, n: number, map: DisparityMap | undefined) {
    this.embedding = out.embedding;
    this.stress = out.stress;
    this.normalizedStress = out.normalizedStress;
    this.iterations = out.iterations;
    this.converged = out.converged;
    models.set(this, { embedding: out.embedding, n, dims: out.embedding.length / n, map });
  }

  transform(newDissimilarities: Float64Array | Float32Array, options?: TransformOptions): Float64Array {
    return transformKernel.sync(this, newDissimilarities, options);
  }

  transformAsync(newDissimilarities: Float64Array | Float32Array, options?: TransformAsyncOptions): Promise<Float64Array> {
    return transformKernel.async(this, newDissimilarities, options);
  }
}

/**
 * Progress of `smacofAsync` / `mdsAsync`, after every iteration: `done` is
 * the iteration number (1-based, consecutive across nInit runs), `total`
 * the most iterations the call can run (`maxIter * nInit`; a converged run
 * stops earlier), `stress` the raw stress after it. `iteration` repeats
 * `done` for callers of the former `onIteration({ iteration, stress })`.
 */
export interface SmacofProgressEvent extends ProgressEvent {
  done: number;
  total: number;
  stress: number;
  iteration: number;
}

// ---- distance kernels ---------------------------------------------------

interface PointsCall {
  points: FloatArray;
  dims: number;
}

function rowsOf({ points, dims }: PointsCall): number {
  return points.length / dims;
}

export const distanceMatrixKernel = registerKernel<[points: FloatArray, dims: number, options?: unknown], PointsCall, Float64Array>({
  name: "computeDistanceMatrix",
  optionsIndex: 2,
  optionKeys: [],
  prepare: ([points, dims]) => {
    const n = checkPoints("points", points, dims);
    checkMatrixSize("points", n);
    return { points, dims };
  },
  reference: ({ points, dims }) =>
    once(() => {
      const x = widenFloats(points);
      scanFinite("points", x);
      return distanceMatrixReference(x, dims);
    }),
  native: (call, b, threads) => {
    const out = allocateMatrix("points", rowsOf(call));
    b.mdsDistanceMatrix(call.points, call.dims, out, threads);
    return out;
  },
  nativeAsync: async (call, b, { threads, borrow }) => {
    const out = allocateMatrix("points", rowsOf(call));
    await b.mdsDistanceMatrixAsync(call.points, borrow, call.dims, out, threads);
    return out;
  },
  copyInputs: ({ points, dims }) => ({ points: points.slice(), dims }),
});

interface UpdateCall extends PointsCall {
  distances: Float64Array;
  i: number;
}

export const updateDistanceMatrixKernel = registerKernel<
  [points: FloatArray, dims: number, distances: Float64Array, i: number, options?: unknown],
  UpdateCall,
  void
>({
  name: "updateDistanceMatrix",
  optionsIndex: 4,
  optionKeys: [],
  prepare: ([points, dims, distances, i]) => {
    const n = checkPoints("points", points, dims);
    checkMatrixSize("points", n);
    checkSquare("distances", distances, n);
    assertInteger("i", i, 0, n - 1);
    return { points, dims, distances, i };
  },
  reference: ({ points, dims, distances, i }) =>
    once(() => {
      const x = widenFloats(points);
      scanFinite("points", x);
      updateDistanceMatrixReference(x, dims, distances, i);
    }),
  native: ({ points, dims, distances, i }, b, threads) => b.mdsUpdateDistanceMatrix(points, dims, distances, i, threads),
});

interface PointCall extends PointsCall {
  y: Float64Array;
}

export const distFromPointKernel = registerKernel<[points: FloatArray, dims: number, y: Float64Array, options?: unknown], PointCall, Float64Array>({
  name: "distFromPoint",
  optionsIndex: 3,
  optionKeys: [],
  prepare: ([points, dims, y]) => {
    checkPoints("points", points, dims);
    assertFloat64Array("y", y);
    if (y.length !== dims) throw new RangeError(`y must have length ${dims} (dims), got length ${y.length}`);
    return { points, dims, y };
  },
  reference: ({ points, dims, y }) =>
    once(() => {
      const x = widenFloats(points);
      scanFinite("points", x);
      scanFinite("y", y);
      return distFromPointReference(x, dims, y);
    }),
  native: (call, b, threads) => {
    const out = new Float64Array(rowsOf(call));
    b.mdsDistFromPoint(call.points, call.dims, call.y, out, threads);
    return out;
  },
});

export const mseKernel = registerKernel<[a: Float64Array, b: Float64Array, options?: unknown], { a: Float64Array; b: Float64Array }, number>({
  name: "mse",
  optionsIndex: 2,
  optionKeys: [],
  prepare: ([a, b]) => {
    assertFloat64Array("a", a);
    assertFloat64Array("b", b);
    if (a.length !== b.length) throw new RangeError(`b must have the same length as a (${a.length}), got length ${b.length}`);
    return { a, b };
  },
  reference: ({ a, b }) =>
    once(() => {
      scanFinite("a", a);
      scanFinite("b", b);
      return mseReference(a, b);
    }),
  native: ({ a, b }, binding, threads) => binding.mdsMse(a, b, threads),
});

interface ErrorCall {
  goal: Float64Array;
  current: Float64Array;
  n: number;
  i: number | undefined;
}

export const mdsErrorKernel = registerKernel<
  [goal: Float64Array, current: Float64Array, n: number, i?: number, options?: unknown],
  ErrorCall,
  number | Float64Array
>({
  name: "computeMdsError",
  optionsIndex: 4,
  optionKeys: [],
  prepare: ([goal, current, n, i]) => {
    assertInteger("n", n, 1);
    checkMatrixSize("goal", n);
    checkSquare("goal", goal, n);
    checkSquare("current", current, n);
    if (i !== undefined) assertInteger("i", i, -1, n - 1);
    return { goal, current, n, i };
  },
  reference: ({ goal, current, n, i }) =>
    once(() => {
      scanFinite("goal", goal);
      scanFinite("current", current);
      if (i === undefined) return mseReference(goal, current);
      return i < 0 ? rowErrorsReference(goal, current, n) : rowErrorReference(goal, current, n, i);
    }),
  native: ({ goal, current, n, i }, b, threads) => {
    if (i === undefined) return b.mdsErrorTotal(goal, current, n, threads);
    if (i >= 0) return b.mdsErrorRow(goal, current, n, i, threads);
    const out = new Float64Array(n);
    b.mdsErrorRows(goal, current, n, out, threads);
    return out;
  },
});

// ---- classical MDS and SMACOF -------------------------------------------

interface ClassicalCall {
  d: FloatArray;
  n: number;
  outputDims: number;
}

export const classicalMdsKernel = registerKernel<
  [dissimilarities: FloatArray, n: number, outputDims: number, options?: unknown],
  ClassicalCall,
  Float64Array
>({
  name: "classicalMds",
  optionsIndex: 3,
  optionKeys: [],
  prepare: ([d, n, outputDims]) => {
    checkDissimilarities(d, n);
    assertInteger("outputDims", outputDims, 1, n);
    return { d, n, outputDims };
  },
  reference: ({ d, n, outputDims }) =>
    once(() => {
      const x = widenFloats(d);
      scanDissimilarities(x, n);
      return classicalMdsReference(x, n, outputDims);
    }),
  native: ({ d, n, outputDims }, b, threads) => {
    const out = new Float64Array(n * outputDims);
    b.mdsClassical(d, n, outputDims, out, threads);
    return out;
  },
  nativeAsync: async ({ d, n, outputDims }, b, { threads, borrow }) => {
    const out = new Float64Array(n * outputDims);
    await b.mdsClassicalAsync(d, borrow, n, outputDims, out, threads);
    return out;
  },
  copyInputs: ({ d, n, outputDims }) => ({ d: d.slice(), n, outputDims }),
});

/** Where SMACOF's dissimilarities come from: a matrix, or points (the `mds` call). */
type SmacofSource = { kind: "matrix"; d: FloatArray; n: number } | { kind: "points"; points: FloatArray; dims: number; n: number };

interface SmacofCall {
  source: SmacofSource;
  settings: SmacofSettings;
}

function totalIterations(s: SmacofSettings): number {
  return s.maxIter * s.nInit;
}

/** The binding's SMACOF parameters (the start configuration, threads and borrow included). */
function nativeParams(s: SmacofSettings, threads: number, borrow: boolean) {
  const init = typeof s.init === "string" ? s.init : "given";
  const initEmbedding = typeof s.init === "string" ? undefined : s.init;
  return {
    outputDims: s.outputDims, maxIter: s.maxIter, eps: s.eps, init, nInit: s.nInit, seed: s.seed, initEmbedding,
    nonMetric: s.nonMetric, weights: s.weights, threads, borrow,
  };
}

type NativeSmacofOutput = {
  stress: number; normalizedStress: number; iterations: number; converged: boolean; mapX?: Float64Array; mapY?: Float64Array;
};

function fromNative(embedding: Float64Array, n: number, out: NativeSmacofOutput): SmacofResult {
  const map = out.mapX && out.mapY ? { x: out.mapX, y: out.mapY } : undefined;
  return new SmacofFit(
    { embedding, stress: out.stress, normalizedStress: out.normalizedStress, iterations: out.iterations, converged: out.converged },
    n,
    map,
  );
}

/** The embedding buffer of a native SMACOF call (n x outputDims), allocated here so that V8 owns it. */
function embeddingBuffer({ source, settings }: SmacofCall): Float64Array {
  return new Float64Array(source.n * settings.outputDims);
}

function fromReference(out: SmacofOutcome, n: number): SmacofResult {
  const { map, ...fields } = out;
  return new SmacofFit(fields, n, map);
}

function* smacofSteps({ source, settings }: SmacofCall): Steps<SmacofResult> {
  let d: Float64Array;
  if (source.kind === "matrix") {
    d = widenFloats(source.d);
    scanDissimilarities(d, source.n);
  } else {
    const points = widenFloats(source.points);
    scanFinite("points", points);
    d = distanceMatrixReference(points, source.dims);
  }
  if (typeof settings.init !== "string") scanFinite("options.init", settings.init);
  if (settings.weights) scanWeights(settings.weights, source.n);
  if (settings.nonMetric) scanNonMetric(d, source.n);
  const total = totalIterations(settings);
  const steps = smacofReference(d, source.n, settings);
  for (;;) {
    const step = steps.next();
    if (step.done) return fromReference(step.value, source.n);
    const { iteration, stress } = step.value;
    const event: SmacofProgressEvent = { done: iteration, total, stress, iteration };
    yield event;
  }
}

function smacofNative(call: SmacofCall, b: NativeBinding, threads: number): SmacofResult {
  const { source, settings } = call;
  const params = nativeParams(settings, threads, true);
  const out = embeddingBuffer(call);
  return fromNative(
    out,
    source.n,
    source.kind === "matrix" ? b.mdsSmacof(source.d, source.n, params, out) : b.mdsFromPoints(source.points, source.dims, params, out),
  );
}

/**
 * A native async SMACOF. Progress events travel through a threadsafe
 * function and may be queued behind the result, so the promise resolves
 * only once all of them were delivered (the binding reports how many it
 * queued); none is delivered after it settles. A throwing callback cancels
 * the run (the dispatcher's relay) and the call rejects with its error.
 */
async function smacofNativeAsync(call: SmacofCall, b: NativeBinding, context: NativeAsyncContext): Promise<SmacofResult> {
  const { source, settings } = call;
  const { onProgress, token, threads, borrow } = context;
  const params = nativeParams(settings, threads, borrow);
  const embedding = embeddingBuffer(call);
  const total = totalIterations(settings);
  let delivered = 0;
  let expected = -1;
  let settled = false;
  let drained: (() => void) | undefined;
  const progress = onProgress
    ? (event: { iteration: number; stress: number }) => {
        delivered++;
        if (!settled) onProgress({ done: event.iteration, total, stress: event.stress, iteration: event.iteration });
        if (delivered === expected) drained?.();
      }
    : undefined;
  try {
    const out =
      source.kind === "matrix"
        ? await b.mdsSmacofAsync(source.d, source.n, params, embedding, token, progress)
        : await b.mdsFromPointsAsync(source.points, source.dims, params, embedding, token, progress);
    expected = out.progressEvents;
    if (progress && delivered < expected) await new Promise<void>((resolve) => (drained = resolve));
    return fromNative(embedding, source.n, out);
  } finally {
    settled = true;
  }
}

type SmacofArgs = [dissimilarities: FloatArray, n: number, options?: unknown];
type MdsArgs = [points: FloatArray, dims: number, options?: unknown];

function copySmacof({ source, settings }: SmacofCall): SmacofCall {
  const init = typeof settings.init === "string" ? settings.init : settings.init.slice();
  const copied: SmacofSource = source.kind === "matrix" ? { ...source, d: source.d.slice() } : { ...source, points: source.points.slice() };
  return { source: copied, settings: { ...settings, init, weights: settings.weights?.slice() } };
}

export const smacofKernel = registerKernel<SmacofArgs, SmacofCall, SmacofResult>({
  name: "smacof",
  optionsIndex: 2,
  optionKeys: SMACOF_OPTION_KEYS,
  renamedKeys: SMACOF_RENAMED_KEYS,
  progressAliases: ["onIteration"],
  prepare: ([d, n, options]) => {
    checkDissimilarities(d, n);
    return { source: { kind: "matrix", d, n }, settings: checkSmacofOptions(options, n) };
  },
  reference: smacofSteps,
  native: smacofNative,
  nativeAsync: smacofNativeAsync,
  copyInputs: copySmacof,
});

export const mdsKernel = registerKernel<MdsArgs, SmacofCall, SmacofResult>({
  name: "mds",
  optionsIndex: 2,
  optionKeys: SMACOF_OPTION_KEYS,
  renamedKeys: SMACOF_RENAMED_KEYS,
  progressAliases: ["onIteration"],
  prepare: ([points, dims, options]) => {
    const n = checkPoints("points", points, dims);
    assertInteger("n (points.length / dims)", n, 2);
    checkMatrixSize("points", n);
    return { source: { kind: "points", points, dims, n }, settings: checkSmacofOptions(options, n) };
  },
  reference: smacofSteps,
  native: smacofNative,
  nativeAsync: smacofNativeAsync,
  copyInputs: copySmacof,
});

// ---- out-of-sample transform --------------------------------------------

interface TransformCall {
  embedding: Float64Array;
  n: number;
  dims: number;
  map: DisparityMap | undefined;
  d: FloatArray;
  m: number;
  settings: TransformSettings;
}

type TransformArgs = [fit: SmacofResult, newDissimilarities: FloatArray, options?: unknown];

function transformNativeParams(call: TransformCall, threads: number, borrow: boolean) {
  return { dims: call.dims, maxIter: call.settings.maxIter, eps: call.settings.eps, threads, borrow };
}

export const transformKernel = registerKernel<TransformArgs, TransformCall, Float64Array>({
  name: "transform",
  optionsIndex: 2,
  optionKeys: TRANSFORM_OPTION_KEYS,
  progressAliases: ["onIteration"],
  prepare: ([fit, d, options]) => {
    const model = models.get(fit);
    if (!model) throw new TypeError("transform must be called on a result of smacof, mds, smacofAsync or mdsAsync");
    const { embedding, n, dims, map } = model;
    const m = checkTransform(d, n);
    const settings = checkTransformOptions(options, m, n);
    return { embedding, n, dims, map, d, m, settings };
  },
  reference: function* (call) {
    const d = widenFloats(call.d);
    scanTransform(d, call.settings.weights, call.n);
    const { maxIter, eps, weights } = call.settings;
    const steps = transformReference({ embedding: call.embedding, n: call.n, dims: call.dims, map: call.map }, d, weights, maxIter, eps);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      const { iteration, stress } = step.value;
      const event: SmacofProgressEvent = { done: iteration, total: maxIter, stress, iteration };
      yield event;
    }
  },
  native: (call, b, threads) => {
    const out = new Float64Array(call.m * call.dims);
    b.mdsTransform(call.embedding, call.map?.x, call.map?.y, call.d, call.settings.weights, transformNativeParams(call, threads, true), out);
    return out;
  },
  nativeAsync: async (call, b, { threads, borrow, token, onProgress }) => {
    const out = new Float64Array(call.m * call.dims);
    const total = call.settings.maxIter;
    let delivered = 0;
    let expected = -1;
    let settled = false;
    let drained: (() => void) | undefined;
    const progress = onProgress
      ? (event: { iteration: number; stress: number }) => {
          delivered++;
          if (!settled) onProgress({ done: event.iteration, total, stress: event.stress, iteration: event.iteration } as SmacofProgressEvent);
          if (delivered === expected) drained?.();
        }
      : undefined;
    try {
      expected = await b.mdsTransformAsync(
        call.embedding, call.map?.x, call.map?.y, call.d, call.settings.weights, transformNativeParams(call, threads, borrow), out, token, progress,
      );
      if (progress && delivered < expected) await new Promise<void>((resolve) => (drained = resolve));
      return out;
    } finally {
      settled = true;
    }
  },
  copyInputs: (call) => ({ ...call, d: call.d.slice(), settings: { ...call.settings, weights: call.settings.weights?.slice() } }),
});

