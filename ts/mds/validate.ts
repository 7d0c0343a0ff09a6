/**
 * Argument checks of the MDS family, run once before dispatch so that both
 * backends throw the same errors for the same bad input.
 */
import { assertAbortSignal, assertAllFinite, assertFloat64Array, assertInteger, assertNumber, assertOptions, isTypedArrayOf, show } from "../validate";

/** Largest n*n for an n x n matrix: the longest Float64Array Node 20 can create (2^32, so n <= 65,536). */
export const MAX_MATRIX_ELEMENTS = 2 ** 32;

/** Dissimilarities must satisfy |a_ij - a_ji| <= SYMMETRY_TOLERANCE * max(1, |a_ij|, |a_ji|). */
export const SYMMETRY_TOLERANCE = 1e-9;

/** Checks `points` (n rows x dims) and returns n. */
export function checkPoints(name: string, points: unknown, dims: unknown): number {
  assertFloat64Array(name, points);
  assertInteger("dims", dims, 1);
  if (points.length === 0 || points.length % dims !== 0) {
    throw new RangeError(`${name}.length must be a positive multiple of dims = ${dims} (n rows x dims), got ${points.length}`);
  }
  assertAllFinite(name, points);
  return points.length / dims;
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

/** A square, symmetric matrix of finite non-negative numbers with a zero diagonal. */
export function checkDissimilarities(d: unknown, n: unknown): asserts d is Float64Array {
  assertFloat64Array("dissimilarities", d);
  assertInteger("n", n, 2);
  checkMatrixSize("dissimilarities", n);
  checkSquare("dissimilarities", d, n);
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

export function checkFiniteArray(name: string, a: unknown): asserts a is Float64Array {
  assertFloat64Array(name, a);
  assertAllFinite(name, a);
}

/** How SMACOF starts. */
export type SmacofInit = "classical" | "random" | Float64Array;

export interface SmacofSettings {
  dims: number;
  maxIter: number;
  eps: number;
  init: SmacofInit;
  nInit: number;
  seed: number;
}

export interface SmacofOptionLike {
  dims?: unknown;
  maxIter?: unknown;
  eps?: unknown;
  init?: unknown;
  nInit?: unknown;
  seed?: unknown;
  onIteration?: unknown;
  signal?: unknown;
}

/** Validates SMACOF options for n points into settings with defaults. */
export function checkSmacofOptions(options: unknown, n: number, isAsync: boolean): SmacofSettings {
  assertOptions("options", options);
  const o = (options ?? {}) as SmacofOptionLike;
  const dims = o.dims ?? 2;
  assertInteger("options.dims", dims, 1, n);
  const maxIter = o.maxIter ?? 300;
  assertInteger("options.maxIter", maxIter, 1, 2 ** 32 - 1);
  const eps = o.eps ?? 1e-6;
  assertNumber("options.eps", eps, { min: 0, max: Number.MAX_VALUE });
  const init = o.init ?? "classical";
  if (typeof init === "string") {
    if (init !== "classical" && init !== "random") {
      throw new RangeError(`options.init must be "classical", "random" or a Float64Array, got ${show(init)}`);
    }
  } else if (isTypedArrayOf(init, "Float64Array")) {
    const x = init as Float64Array;
    if (x.length !== n * dims) {
      throw new RangeError(`options.init must have length ${n * dims} (n x dims), got length ${x.length}`);
    }
    assertAllFinite("options.init", x);
  } else {
    throw new TypeError(`options.init must be "classical", "random" or a Float64Array, got ${show(init)}`);
  }
  const nInit = o.nInit ?? 1;
  assertInteger("options.nInit", nInit, 1, 1000);
  if (nInit > 1 && init !== "random") {
    throw new RangeError(`options.nInit must be 1 unless options.init is "random", got ${nInit}`);
  }
  const seed = o.seed ?? 0;
  assertInteger("options.seed", seed, 0, 2 ** 32 - 1);
  if (isAsync) {
    assertAbortSignal("options.signal", o.signal);
    if (o.onIteration !== undefined && typeof o.onIteration !== "function") {
      throw new TypeError(`options.onIteration must be a function or undefined, got ${show(o.onIteration)}`);
    }
  }
  return { dims, maxIter, eps, init: init as SmacofInit, nInit, seed };
}
