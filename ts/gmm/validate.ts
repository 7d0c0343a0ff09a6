/**
 * Checks shared by both backends of the GMM family: every public function
 * validates here once, then dispatches. Messages name the argument and value.
 */
import { assertAllFinite, assertAtMost, assertFloat64Array, assertInteger, assertLength, assertNonEmpty, assertNumber, assertOptions, isTypedArrayOf, show, withDefault } from "../validate";
import type { FitGmmOptions, GmmInit, GmmModel } from "./types";

/** Data after the structural checks: float values or 8-bit pixels. */
export type CheckedData = Float64Array | Float32Array | Uint8Array;

/** A checked mixture: three arrays of the same length K >= 1. */
export interface CheckedMixture {
  weights: Float64Array;
  means: Float64Array;
  stdevs: Float64Array;
}

import {
  GMM_DEFAULT_VARIANCE_FLOOR as DEFAULT_VARIANCE_FLOOR,
  GMM_MAX_COMPONENTS,
  GMM_MAX_ITERATIONS,
  GMM_MAX_LABELS as MAX_LABEL_COMPONENTS,
  MAX_OUTPUT_ELEMENTS,
} from "../limits.generated";

export { DEFAULT_VARIANCE_FLOOR, MAX_LABEL_COMPONENTS };

/** Most elements one output typed array may hold (see `MAX_OUTPUT_ELEMENTS`). */
export const MAX_OUTPUT_LENGTH = MAX_OUTPUT_ELEMENTS;

/** The option keys of `fitGmm` besides the common ones. */
export const FIT_OPTION_KEYS = ["components", "iterations", "tol", "init", "varianceFloor", "regCovar"] as const;

/**
 * The keys `fitGmm` accepts on its 1-D path: the 1-D keys, `dims` (1 there)
 * and the multivariate-only keys (absent there: any of them routes the call
 * to the multivariate path), so a typo is suggested among all of them.
 */
export const PUBLIC_FIT_OPTION_KEYS = [...FIT_OPTION_KEYS, "dims", "covariance", "columns", "sampleWeight", "nInit", "seed"] as const;

/** K planes of N values must fit in one Float64Array. */
export function checkPlanesFit(dataName: string, n: number, k: number): void {
  if (n * k > MAX_OUTPUT_LENGTH) {
    throw new RangeError(
      `${dataName}.length × K = ${n} × ${k} = ${n * k} values would exceed the largest typed array (${MAX_OUTPUT_LENGTH} elements, MAX_OUTPUT_ELEMENTS); process the data in smaller parts`,
    );
  }
}

function assertScales(name: string, values: Float64Array): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(Number.isFinite(v) && v > 0)) {
      throw new RangeError(`${name}[${i}] must be a finite number > 0, got ${show(v)}`);
    }
  }
}

function assertWeights(name: string, values: Float64Array): void {
  let positive = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(Number.isFinite(v) && v >= 0)) {
      throw new RangeError(`${name}[${i}] must be a finite number >= 0, got ${show(v)}`);
    }
    if (v > 0) positive = true;
  }
  if (!positive) throw new RangeError(`${name} must contain at least one value > 0, got all zeros`);
}

function assertComponentCount(name: string, values: Float64Array): void {
  if (values.length === 0) {
    throw new RangeError(`${name} must have at least 1 component (K >= 1), got length 0`);
  }
  if (values.length > GMM_MAX_COMPONENTS) {
    throw new RangeError(`${name}.length must be at most ${GMM_MAX_COMPONENTS} (GMM_MAX_COMPONENTS), got ${values.length}`);
  }
}

/** weights, means, stdevs: Float64Arrays of one length K >= 1, finite, stdevs > 0, weights >= 0. */
export function checkMixture(weights: unknown, means: unknown, stdevs: unknown, prefix = ""): CheckedMixture {
  const w = `${prefix}weights`, m = `${prefix}means`, s = `${prefix}stdevs`;
  assertFloat64Array(w, weights);
  assertFloat64Array(m, means);
  assertFloat64Array(s, stdevs);
  assertComponentCount(w, weights);
  assertLength(m, means, weights.length, `one value per component, like ${w}`);
  assertLength(s, stdevs, weights.length, `one value per component, like ${w}`);
  assertWeights(w, weights);
  assertAllFinite(m, means);
  assertScales(s, stdevs);
  return { weights, means, stdevs };
}

/** Float samples after the structural checks: float64, or float32 widened by the backend that runs. */
export type FloatData = Float64Array | Float32Array;

/**
 * Intensities for the per-sample kernels: a non-empty Float64Array or
 * Float32Array. Structural only: the finite-value scan (and the float32
 * widening) runs in the backend that does the work.
 */
export function checkIntensities(name: string, values: unknown): FloatData {
  if (!isTypedArrayOf(values, "Float64Array") && !isTypedArrayOf(values, "Float32Array")) {
    throw new TypeError(`${name} must be a Float64Array or a Float32Array, got ${show(values)}`);
  }
  assertNonEmpty(name, values as FloatData);
  return values as FloatData;
}

/** Float64 values for the reference: float32 input widened (exactly). */
export function asFloat64(values: FloatData): Float64Array {
  return isTypedArrayOf(values, "Float64Array") ? (values as Float64Array) : Float64Array.from(values);
}

/**
 * Fit or prediction data: a non-empty Float64Array/Float32Array of values,
 * or 8-bit pixels (Uint8Array, or Uint8ClampedArray such as canvas
 * ImageData.data, viewed as a Uint8Array without a copy).
 */
export function checkData(name: string, data: unknown): CheckedData {
  if (isTypedArrayOf(data, "Uint8Array") || isTypedArrayOf(data, "Uint8ClampedArray")) {
    const bytes = data as Uint8Array;
    assertNonEmpty(name, bytes);
    return isTypedArrayOf(data, "Uint8Array") ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  if (isTypedArrayOf(data, "Float64Array") || isTypedArrayOf(data, "Float32Array")) return checkIntensities(name, data);
  throw new TypeError(
    `${name} must be a Float64Array, Float32Array, Uint8Array or Uint8ClampedArray, got ${show(data)}`,
  );
}

/**
 * The data scan of the reference backend: every value finite. The native
 * backend runs the same check in Rust with the same message.
 */
export function scanFinite(name: string, values: ArrayLike<number>): void {
  assertAllFinite(name, values);
}

/** A model for prediction: `stdevs`, or else `variances` (converted by sqrt). */
export function checkModel(name: string, model: unknown): CheckedMixture {
  if (model === null || typeof model !== "object" || Array.isArray(model)) {
    throw new TypeError(`${name} must be a GmmModel object ({ means, weights, stdevs | variances }), got ${show(model)}`);
  }
  const { means, weights, stdevs, variances } = model as GmmModel;
  if (stdevs !== undefined) return checkMixture(weights, means, stdevs, `${name}.`);
  if (variances === undefined) {
    throw new TypeError(`${name} must have stdevs or variances, got neither`);
  }
  assertFloat64Array(`${name}.variances`, variances);
  assertScales(`${name}.variances`, variances);
  return checkMixture(weights, means, variances.map(Math.sqrt), `${name}.`);
}

/** Fit options with every default filled in. */
export interface ResolvedFitOptions {
  components: number;
  iterations: number;
  tol: number | undefined;
  init: GmmInit;
  varianceFloor: number;
  regCovar: number;
}

/** The original's initialisation: means linspace(0, 1, K), variances 10/255, weights 1. */
export function originalInit(components: number): GmmInit {
  const means = new Float64Array(components);
  for (let k = 0; k < components; k++) means[k] = components === 1 ? 0 : k / (components - 1);
  return {
    means,
    variances: new Float64Array(components).fill(10 / 255),
    weights: new Float64Array(components).fill(1),
  };
}

export function checkFitOptions(options: unknown, name = "options"): ResolvedFitOptions {
  if (options === undefined) {
    throw new TypeError(`${name} must be an object with components and iterations, got undefined`);
  }
  assertOptions(name, options);
  const o = options as FitGmmOptions;
  assertInteger(`${name}.components`, o.components, 1);
  assertAtMost(`${name}.components`, o.components, GMM_MAX_COMPONENTS, "GMM_MAX_COMPONENTS");
  assertInteger(`${name}.iterations`, o.iterations, 1);
  assertAtMost(`${name}.iterations`, o.iterations, GMM_MAX_ITERATIONS, "GMM_MAX_ITERATIONS");
  if (o.tol !== undefined) assertNumber(`${name}.tol`, o.tol, { min: 0, max: Number.MAX_VALUE });
  const varianceFloor = withDefault(o.varianceFloor, DEFAULT_VARIANCE_FLOOR);
  assertNumber(`${name}.varianceFloor`, varianceFloor, { min: 0, exclusiveMin: true, max: Number.MAX_VALUE });
  const regCovar = withDefault(o.regCovar, 0);
  assertNumber(`${name}.regCovar`, regCovar, { min: 0, max: Number.MAX_VALUE });
  let init: GmmInit;
  if (o.init === undefined) {
    init = originalInit(o.components);
  } else {
    assertOptions(`${name}.init`, o.init);
    const { means, variances, weights } = o.init;
    const p = `${name}.init.`;
    assertFloat64Array(`${p}means`, means);
    assertFloat64Array(`${p}variances`, variances);
    assertFloat64Array(`${p}weights`, weights);
    const why = `one value per component, options.components = ${o.components}`;
    assertLength(`${p}means`, means, o.components, why);
    assertLength(`${p}variances`, variances, o.components, why);
    assertLength(`${p}weights`, weights, o.components, why);
    assertAllFinite(`${p}means`, means);
    assertScales(`${p}variances`, variances);
    assertWeights(`${p}weights`, weights);
    init = { means, variances, weights };
  }
  return { components: o.components, iterations: o.iterations, tol: o.tol, init, varianceFloor, regCovar };
}
