/**
 * Checks shared by both backends of the GMM family: every public function
 * validates here once, then dispatches. Messages name the argument and value.
 */
import {
  assertAllFinite,
  assertFloat64Array,
  assertInteger,
  assertLength,
  assertNonEmpty,
  assertNumber,
  assertOptions,
  isTypedArrayOf,
  show,
} from "../validate";
import type { FitGmmOptions, GmmData, GmmInit, GmmModel } from "./types";

/** A checked mixture: three arrays of the same length K >= 1. */
export interface CheckedMixture {
  weights: Float64Array;
  means: Float64Array;
  stdevs: Float64Array;
}

/** The default variance floor (see `FitGmmOptions.varianceFloor`). */
export const DEFAULT_VARIANCE_FLOOR = 1e-12;

/** Largest K `predictGmm` accepts: its labels are bytes. */
export const MAX_LABEL_COMPONENTS = 256;

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

/** Intensities for the per-sample kernels: a non-empty Float64Array of finite values. */
export function checkIntensities(name: string, values: unknown): Float64Array {
  assertFloat64Array(name, values);
  assertNonEmpty(name, values);
  assertAllFinite(name, values);
  return values;
}

/** Fit or prediction data: a non-empty Float64Array of finite values, or a non-empty Uint8Array. */
export function checkData(name: string, data: unknown): GmmData {
  if (isTypedArrayOf(data, "Uint8Array")) {
    assertNonEmpty(name, data as Uint8Array);
    return data as Uint8Array;
  }
  if (isTypedArrayOf(data, "Float64Array")) return checkIntensities(name, data);
  throw new TypeError(`${name} must be a Float64Array or a Uint8Array, got ${show(data)}`);
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
  assertInteger(`${name}.iterations`, o.iterations, 1);
  if (o.tol !== undefined) assertNumber(`${name}.tol`, o.tol, { min: 0, max: Number.MAX_VALUE });
  const varianceFloor = o.varianceFloor ?? DEFAULT_VARIANCE_FLOOR;
  assertNumber(`${name}.varianceFloor`, varianceFloor, { min: 0, exclusiveMin: true, max: Number.MAX_VALUE });
  const regCovar = o.regCovar ?? 0;
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
