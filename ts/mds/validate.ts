/**
 * Argument checks of the MDS family: the structural checks the dispatcher
 * runs before either backend (O(1) per argument), and the value scans the
 * reference backend runs itself (Rust runs the same ones for native calls).
 */
import { assertAllFinite, assertFloat64Array, assertFloatArray, assertInteger, assertNumber, assertOptions, isTypedArrayOf, show, withDefault } from "../validate";
import type { FloatArray } from "../validate";

/** Largest n*n for an n x n matrix: the longest Float64Array Node 20 can create (2^32, so n <= 65,536). */
export const MAX_MATRIX_ELEMENTS = 2 ** 32;

/** Dissimilarities must satisfy |a_ij - a_ji| <= SYMMETRY_TOLERANCE * max(1, |a_ij|, |a_ji|). */
export const SYMMETRY_TOLERANCE = 1e-9;

/**
 * Checks `points` (n rows x `dims`, the width of one data row; a
 * Float64Array, or a Float32Array the backend widens) and returns n.
 * Structural only: the finite-value scan runs in the backend (`scanFinite`
 * in the reference, the kernel crate in Rust).
 */
export function checkPoints(name: string, points: unknown, dims: unknown): number {
  assertFloatArray(name, points);
  assertInteger("dims", dims, 1);
  if (points.length === 0 || points.length % dims !== 0) {
    throw new RangeError(`${name}.length must be a positive multiple of dims = ${dims} (n rows x dims), got ${points.length}`);
  }
  return points.length / dims;
}

/** The reference backend's value scan: every value finite (Rust runs the same check). */
export function scanFinite(name: string, values: ArrayLike<number>): void {
  assertAllFinite(name, values);
}

/** Throws before any allocation when an n x n matrix is over the limit. */
export function checkMatrixSize(name: string, n: number): void {
  if (n * n > MAX_MATRIX_ELEMENTS) {
    throw new RangeError(
      `${name}: n = ${n} needs an n x n matrix of ${n * n} elements, more than the limit of ${MAX_MATRIX_ELEMENTS} (n <= 65536); use fewer points`,
    );
  }
}

/** Allocates an n x n matrix or throws a RangeError naming the argument. */
export function allocateMatrix(name: string, n: number): Float64Array {
  checkMatrixSize(name, n);
  try {
    return new Float64Array(n * n);
  } catch {
    throw new RangeError(`${name}: n = ${n} needs an n x n matrix of ${n * n} doubles, which could not be allocated; use fewer points`);
  }
}

export function checkSquare(name: string, matrix: unknown, n: number): asserts matrix is Float64Array {
  assertFloat64Array(name, matrix);
  if (matrix.length !== n * n) {
    throw new RangeError(`${name} must have length ${n * n} (n x n with n = ${n}), got length ${matrix.length}`);
  }
}

/**
 * Dissimilarities, structurally: a Float64Array (or a Float32Array the
 * backend widens) of n x n values, n >= 2, within the size limit.
 */
export function checkDissimilarities(d: unknown, n: unknown): asserts d is FloatArray {
  assertFloatArray("dissimilarities", d);
  assertInteger("n", n, 2);
  checkMatrixSize("dissimilarities", n);
  if (d.length !== n * n) {
    throw new RangeError(`dissimilarities must have length ${n * n} (n x n with n = ${n}), got length ${d.length}`);
  }
}

/**
 * The reference backend's value scan of dissimilarities: finite, >= 0, zero
 * diagonal, symmetric. The native kernel runs the same checks in Rust.
 */
export function scanDissimilarities(d: Float64Array, n: number): void {
  for (let k = 0; k < d.length; k++) {
    const v = d[k];
    if (!(Number.isFinite(v) && v >= 0)) {
      throw new RangeError(`dissimilarities[${k}] must be a finite number >= 0, got ${show(v)}`);
    }
  }
  for (let i = 0; i < n; i++) {
    if (d[i * n + i] !== 0) {
      throw new RangeError(`dissimilarities[${i * n + i}] (diagonal, row ${i}) must be 0, got ${show(d[i * n + i])}`);
    }
    for (let j = i + 1; j < n; j++) {
      const a = d[i * n + j];
      const b = d[j * n + i];
      if (Math.abs(a - b) > SYMMETRY_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b))) {
        throw new RangeError(`dissimilarities must be symmetric: [${i}][${j}] = ${show(a)} but [${j}][${i}] = ${show(b)}`);
      }
    }
  }
}

/** How SMACOF starts. */
export type SmacofInit = "classical" | "random" | Float64Array;

export interface SmacofSettings {
  /** Embedding dimension. */
  outputDims: number;
  maxIter: number;
  eps: number;
  init: SmacofInit;
  nInit: number;
  seed: number;
  /** Non-metric SMACOF (isotonic disparities, scikit-learn's metric=False). */
  nonMetric: boolean;
  /** Per-pair weights (n x n), or undefined for the unweighted stress. */
  weights: Float64Array | undefined;
}

/** The option keys of `smacof` and `mds` besides the common ones. */
export const SMACOF_OPTION_KEYS = ["outputDims", "maxIter", "eps", "init", "nInit", "seed", "nonMetric", "weights"] as const;

/** The same words as the kernel crate (`smacof.rs`). */
export const NON_METRIC_WEIGHTS =
  "options.weights cannot be combined with options.nonMetric: true (weighted non-metric SMACOF is not implemented)";

/** Renamed option keys, suggested when the old name is passed. */
export const SMACOF_RENAMED_KEYS: Readonly<Record<string, string>> = { dims: "outputDims" };

interface SmacofOptionLike {
  outputDims?: unknown;
  maxIter?: unknown;
  eps?: unknown;
  init?: unknown;
  nInit?: unknown;
  seed?: unknown;
  nonMetric?: unknown;
  weights?: unknown;
}

/**
 * Checks SMACOF options for n points (keys already checked by the
 * dispatcher) into settings with defaults. Structural: a given start
 * configuration's values are scanned by the backend.
 */
export function checkSmacofOptions(options: unknown, n: number): SmacofSettings {
  assertOptions("options", options);
  const o = (options ?? {}) as SmacofOptionLike;
  const outputDims = withDefault(o.outputDims, 2);
  assertInteger("options.outputDims", outputDims, 1, n);
  const maxIter = withDefault(o.maxIter, 300);
  assertInteger("options.maxIter", maxIter, 1, 2 ** 32 - 1);
  const eps = withDefault(o.eps, 1e-6);
  assertNumber("options.eps", eps, { min: 0, max: Number.MAX_VALUE });
  const init = withDefault(o.init, "classical");
  if (typeof init === "string") {
    if (init !== "classical" && init !== "random") {
      throw new RangeError(`options.init must be "classical", "random" or a Float64Array, got ${show(init)}`);
    }
  } else if (isTypedArrayOf(init, "Float64Array")) {
    const x = init as Float64Array;
    if (x.length !== n * outputDims) {
      throw new RangeError(`options.init must have length ${n * outputDims} (n x outputDims), got length ${x.length}`);
    }
  } else {
    throw new TypeError(`options.init must be "classical", "random" or a Float64Array, got ${show(init)}`);
  }
  const nInit = withDefault(o.nInit, 1);
  assertInteger("options.nInit", nInit, 1, 1000);
  if (nInit > 1 && init !== "random") {
    throw new RangeError(`options.nInit must be 1 unless options.init is "random", got ${nInit}`);
  }
  const seed = withDefault(o.seed, 0);
  assertInteger("options.seed", seed, 0, 2 ** 32 - 1);
  const nonMetric = withDefault(o.nonMetric, false);
  if (typeof nonMetric !== "boolean") throw new TypeError(`options.nonMetric must be a boolean or undefined, got ${show(nonMetric)}`);
  const weights = o.weights;
  if (weights !== undefined) {
    assertFloat64Array("options.weights", weights);
    if (weights.length !== n * n) {
      throw new RangeError(`options.weights must have length ${n * n} (n x n with n = ${n}), got length ${weights.length}`);
    }
    if (nonMetric) throw new RangeError(NON_METRIC_WEIGHTS);
  }
  return { outputDims, maxIter, eps, init: init as SmacofInit, nInit, seed, nonMetric, weights };
}

/**
 * The reference backend's scan of SMACOF weights (Rust: `check_weights`):
 * finite and >= 0 (index order), symmetric within the tolerance (row by
 * row), every point with a positive weight to another point, the graph of
 * positive weights connected (breadth-first from point 0).
 */
export function scanWeights(w: Float64Array, n: number): void {
  for (let k = 0; k < w.length; k++) {
    const v = w[k];
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`options.weights[${k}] must be a finite number >= 0, got ${show(v)}`);
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = w[i * n + j];
      const b = w[j * n + i];
      if (Math.abs(a - b) > SYMMETRY_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b))) {
        throw new RangeError(`options.weights must be symmetric: [${i}][${j}] = ${show(a)} but [${j}][${i}] = ${show(b)}`);
      }
    }
  }
  for (let i = 0; i < n; i++) {
    let any = false;
    for (let j = 0; j < n && !any; j++) any = j !== i && w[i * n + j] > 0;
    if (!any) throw new RangeError(`options.weights: point ${i} has no positive weight to another point (every point needs at least one)`);
  }
  const seen = new Uint8Array(n);
  const queue = [0];
  seen[0] = 1;
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head];
    for (let j = 0; j < n; j++) {
      if (!seen[j] && j !== i && w[i * n + j] > 0) {
        seen[j] = 1;
        queue.push(j);
      }
    }
  }
  const unreached = seen.indexOf(0);
  if (unreached >= 0) {
    throw new RangeError(
      `options.weights: the positive weights do not connect the points (point ${unreached} cannot be reached from point 0); weighted SMACOF needs a connected graph`,
    );
  }
}

/** Non-metric SMACOF needs a pair to rank (Rust: `check_non_metric`). */
export function scanNonMetric(d: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (d[i * n + j] !== 0) return;
  throw new RangeError("dissimilarities: options.nonMetric needs at least one positive dissimilarity off the diagonal");
}

/** Settings of `transform`. */
export interface TransformSettings {
  maxIter: number;
  eps: number;
  /** m x n weights of the new points, or undefined (all 1). */
  weights: Float64Array | undefined;
}

export const TRANSFORM_OPTION_KEYS = ["maxIter", "eps", "weights"] as const;

/** Structural checks of a transform call; returns m. */
export function checkTransform(newDissimilarities: unknown, n: number): number {
  assertFloatArray("newDissimilarities", newDissimilarities);
  if (newDissimilarities.length === 0 || newDissimilarities.length % n !== 0) {
    throw new RangeError(
      `newDissimilarities.length must be a positive multiple of n = ${n} (m new points x n fitted points), got ${newDissimilarities.length}`,
    );
  }
  return newDissimilarities.length / n;
}

export function checkTransformOptions(options: unknown, m: number, n: number): TransformSettings {
  assertOptions("options", options);
  const o = (options ?? {}) as { maxIter?: unknown; eps?: unknown; weights?: unknown };
  const maxIter = withDefault(o.maxIter, 300);
  assertInteger("options.maxIter", maxIter, 1, 2 ** 32 - 1);
  const eps = withDefault(o.eps, 1e-6);
  assertNumber("options.eps", eps, { min: 0, max: Number.MAX_VALUE });
  const weights = o.weights;
  if (weights !== undefined) {
    assertFloat64Array("options.weights", weights);
    if (weights.length !== m * n) {
      throw new RangeError(`options.weights must have length ${m * n} (m x n = ${m} x ${n}), got length ${weights.length}`);
    }
  }
  return { maxIter, eps, weights };
}

/** The reference backend's value scan of a transform call (Rust: `transform.rs`). */
export function scanTransform(d: Float64Array, weights: Float64Array | undefined, n: number): void {
  for (let k = 0; k < d.length; k++) {
    const v = d[k];
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`newDissimilarities[${k}] must be a finite number >= 0, got ${show(v)}`);
  }
  if (!weights) return;
  for (let k = 0; k < weights.length; k++) {
    const v = weights[k];
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`options.weights[${k}] must be a finite number >= 0, got ${show(v)}`);
  }
  for (let r = 0; r < weights.length / n; r++) {
    let any = false;
    for (let j = 0; j < n && !any; j++) any = weights[r * n + j] > 0;
    if (!any) throw new RangeError(`options.weights: new point ${r} has no positive weight`);
  }
}
