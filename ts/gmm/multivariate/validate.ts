/**
 * Structural checks of the multivariate GMM path (types, shapes, option
 * ranges, sizes against the limits): O(1) per argument, run once in
 * `prepare` before either backend. Small model arrays (K x d x d) are also
 * value-checked here, PD included, so a bad model is the same error from
 * both backends; the data and sampleWeight scans run in the backend.
 */
import { GMM_MAX_COMPONENTS, GMM_MAX_ITERATIONS, GMM_MAX_LABELS, MAX_OUTPUT_ELEMENTS, SYMMETRY_TOLERANCE } from "../../limits.generated";
import {
  assertAllFinite,
  assertAtMost,
  assertFloat64Array,
  assertInteger,
  assertLength,
  assertNumber,
  assertOptions,
  isTypedArrayOf,
  show,
  withDefault,
} from "../../validate";
import { checkData } from "../validate";
import type { CheckedData } from "../validate";
import { choleskyLower } from "./cholesky";
import type { CovarianceType, GmmMvInit, GmmMvModel } from "./types";

/**
 * Rows per chunk of the mergeable statistics (chunks aligned to the global
 * row index), and the most values per data row (`dims`) and model dimension
 * d of the multivariate path: both defined once in Rust.
 */
export { GMM_MAX_DIMS, GMM_STATS_CHUNK } from "../../limits.generated";
import { GMM_MAX_DIMS, GMM_STATS_CHUNK } from "../../limits.generated";

/** scikit-learn's default `reg_covar`, the multivariate path's default `regCovar`. */
export const DEFAULT_REG_COVAR = 1e-6;

/** Most `nInit` starts. */
export const GMM_MAX_N_INIT = 1000;

export const COVARIANCE_TYPES: readonly CovarianceType[] = ["full", "diag", "spherical", "tied"];

/** Options that only the multivariate path takes: any of them selects it. */
export const MV_ONLY_KEYS = ["covariance", "columns", "sampleWeight", "nInit", "seed"] as const;

/** Every option key of the multivariate fit (varianceFloor only to refuse it clearly). */
export const MV_FIT_OPTION_KEYS = [
  "components",
  "iterations",
  "tol",
  "init",
  "regCovar",
  "dims",
  "varianceFloor",
  ...MV_ONLY_KEYS,
] as const;

export const LAYOUT_KEYS = ["dims", "columns"] as const;

/**
 * True when `fitGmm`'s options ask for the multivariate path: `dims` other
 * than 1, any multivariate-only option, or `init` given as a string or with
 * `covariances`. Otherwise the 1-D path runs, unchanged.
 */
export function wantsMultivariate(options: unknown): boolean {
  if (options === null || typeof options !== "object" || Array.isArray(options)) return false;
  const o = options as Record<string, unknown>;
  if (o.dims !== undefined && o.dims !== 1) return true;
  if (MV_ONLY_KEYS.some((key) => o[key] !== undefined)) return true;
  const init = o.init;
  if (typeof init === "string") return true;
  return init !== null && typeof init === "object" && (init as Record<string, unknown>).covariances !== undefined;
}

/** True for a multivariate model (it has `covariances`, `covariance` or `dims`). */
export function isMultivariateModel(model: unknown): boolean {
  if (model === null || typeof model !== "object") return false;
  const m = model as Record<string, unknown>;
  return m.covariances !== undefined || m.covariance !== undefined || m.dims !== undefined;
}

/** How the rows of checked data are read. */
export interface Layout {
  /** Values per row of `data` (the `dims` option). */
  rowWidth: number;
  /** Model columns, length d. */
  columns: Uint32Array;
  /** Model dimension. */
  d: number;
  /** Rows. */
  n: number;
}

/** Length of `covariances` for a covariance type. */
export function covarianceLength(type: CovarianceType, k: number, d: number): number {
  switch (type) {
    case "full":
      return k * d * d;
    case "diag":
      return k * d;
    case "spherical":
      return k;
    case "tied":
      return d * d;
  }
}

function covarianceShape(type: CovarianceType, k: number, d: number): string {
  switch (type) {
    case "full":
      return `K x d x d = ${k} x ${d} x ${d} for covariance 'full'`;
    case "diag":
      return `K x d = ${k} x ${d} for covariance 'diag'`;
    case "spherical":
      return `K = ${k} for covariance 'spherical'`;
    case "tied":
      return `d x d = ${d} x ${d} for covariance 'tied'`;
  }
}

/** Values of sumXX per chunk partial. */
export function sumXXLength(type: CovarianceType, k: number, d: number): number {
  return type === "full" ? k * d * d : type === "tied" ? d * d : k * d;
}

/** Stride of one chunk partial: `2 + K + K*d + S`. */
export function statsStride(type: CovarianceType, k: number, d: number): number {
  return 2 + k + k * d + sumXXLength(type, k, d);
}

export function checkCovarianceType(name: string, value: unknown): CovarianceType {
  if (typeof value !== "string" || !(COVARIANCE_TYPES as readonly string[]).includes(value)) {
    throw new RangeError(`${name} must be one of 'full', 'diag', 'spherical', 'tied', got ${show(value)}`);
  }
  return value as CovarianceType;
}

function checkDims(name: string, value: unknown): number {
  assertInteger(name, value, 1);
  assertAtMost(name, value, GMM_MAX_DIMS, "GMM_MAX_DIMS");
  return value;
}

function checkColumns(name: string, value: unknown, rowWidth: number): Uint32Array {
  if (value === undefined) return Uint32Array.from({ length: rowWidth }, (_, j) => j);
  if (!Array.isArray(value) && !isTypedArrayOf(value, "Uint32Array")) {
    throw new TypeError(`${name} must be an array of column indices, got ${show(value)}`);
  }
  const list = value as ArrayLike<unknown>;
  if (list.length === 0 || list.length > rowWidth) {
    throw new RangeError(`${name} must list 1 to dims = ${rowWidth} columns, got length ${list.length}`);
  }
  const seen = new Set<number>();
  const columns = new Uint32Array(list.length);
  for (let j = 0; j < list.length; j++) {
    const c = list[j];
    if (typeof c !== "number" || !Number.isInteger(c) || c < 0 || c >= rowWidth) {
      throw new RangeError(`${name}[${j}] must be an integer from 0 to dims - 1 = ${rowWidth - 1}, got ${show(c)}`);
    }
    if (seen.has(c)) throw new RangeError(`${name} must not repeat a column, got ${c} twice`);
    seen.add(c);
    columns[j] = c;
  }
  return columns;
}

/** `dims` (row width, default `defaultDims`) and `columns` (default all), without data. */
export function checkRowOptions(options: { dims?: unknown; columns?: unknown }, defaultDims: number): { rowWidth: number; columns: Uint32Array } {
  const rowWidth = checkDims("options.dims", withDefault(options.dims, defaultDims));
  return { rowWidth, columns: checkColumns("options.columns", options.columns, rowWidth) };
}

/**
 * Data and its row layout: `dims` (row width, default `defaultDims`) and
 * `columns` (default all). `modelDims` (a model's d) must equal the number
 * of columns used.
 */
export function checkLayout(
  dataName: string,
  data: unknown,
  options: { dims?: unknown; columns?: unknown },
  defaultDims: number,
  modelDims?: number,
): { data: CheckedData; layout: Layout } {
  const checked = checkData(dataName, data);
  const { rowWidth, columns } = checkRowOptions(options, defaultDims);
  if (checked.length % rowWidth !== 0) {
    throw new RangeError(`${dataName}.length must be a multiple of dims = ${rowWidth}, got ${checked.length}`);
  }
  const d = columns.length;
  if (modelDims !== undefined && d !== modelDims) {
    const how = options.columns === undefined ? `rows of dims = ${rowWidth} values` : `options.columns selects ${d} columns`;
    throw new RangeError(`model.dims = ${modelDims} does not match the data: ${how}; pass options.dims (row width) and options.columns`);
  }
  return { data: checked, layout: { rowWidth, columns, d, n: checked.length / rowWidth } };
}

/** sampleWeight: a Float64Array with one weight per row (values scanned by the backend). */
export function checkSampleWeight(value: unknown, rows: number): Float64Array | undefined {
  if (value === undefined) return undefined;
  assertFloat64Array("options.sampleWeight", value);
  assertLength("options.sampleWeight", value, rows, "one weight per row of data");
  return value;
}

/**
 * The backend's scan of sampleWeight: finite, >= 0, and at least one > 0
 * unless `allowAllZero` (a shard's statistics may carry no weight; the
 * M-step refuses a zero total).
 */
export function scanSampleWeight(weights: Float64Array, allowAllZero = false): void {
  scanWeights("sampleWeight", weights, allowAllZero);
}

function scanWeights(name: string, weights: Float64Array, allowAllZero = false): void {
  let positive = false;
  for (let i = 0; i < weights.length; i++) {
    const v = weights[i];
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`${name}[${i}] must be a finite number >= 0, got ${show(v)}`);
    if (v > 0) positive = true;
  }
  if (!positive && !allowAllZero) throw new RangeError(`${name} must contain at least one value > 0, got all zeros`);
}

function checkComponents(name: string, k: number): void {
  if (k === 0) throw new RangeError(`${name} must have at least 1 component (K >= 1), got length 0`);
  assertAtMost(`${name}.length`, k, GMM_MAX_COMPONENTS, "GMM_MAX_COMPONENTS");
}

/** K x d x d and the statistics must fit in typed arrays. */
function checkModelSize(k: number, d: number): void {
  const full = k * d * d;
  if (full > MAX_OUTPUT_ELEMENTS) {
    throw new RangeError(`K x d x d = ${k} x ${d} x ${d} = ${full} values would exceed the largest typed array (${MAX_OUTPUT_ELEMENTS} elements, MAX_OUTPUT_ELEMENTS)`);
  }
}

/**
 * Covariance values of a given model: finite, symmetric (full, tied; within
 * SYMMETRY_TOLERANCE relative), positive definite.
 */
function checkCovarianceValues(name: string, type: CovarianceType, k: number, d: number, cov: Float64Array): void {
  assertAllFinite(`${name}.covariances`, cov);
  const matrices = type === "full" ? k : type === "tied" ? 1 : 0;
  for (let c = 0; c < matrices; c++) {
    const base = c * d * d;
    for (let a = 0; a < d; a++) {
      for (let b = a + 1; b < d; b++) {
        const x = cov[base + a * d + b], y = cov[base + b * d + a];
        if (Math.abs(x - y) > SYMMETRY_TOLERANCE * Math.max(1, Math.abs(x), Math.abs(y))) {
          throw new RangeError(`${name}.covariances must be symmetric: [${base + a * d + b}] = ${show(x)} but [${base + b * d + a}] = ${show(y)}`);
        }
      }
    }
    if (!choleskyLower(cov, base, d, new Float64Array(d * d))) {
      const what = type === "tied" ? "the tied covariance" : `component ${c} covariance`;
      throw new RangeError(`${name}.covariances: ${what} is not positive definite`);
    }
  }
  if (type === "diag" || type === "spherical") {
    for (let i = 0; i < cov.length; i++) {
      if (!(cov[i] > 0)) {
        const c = type === "diag" ? Math.floor(i / d) : i;
        throw new RangeError(`${name}.covariances: component ${c} covariance is not positive definite (covariances[${i}] = ${show(cov[i])})`);
      }
    }
  }
}

/** Explicit parameters (a model or an init): shapes for K and d, finite values, weights >= 0 not all 0, PD covariances. */
export function checkParameters(
  name: string,
  value: { weights?: unknown; means?: unknown; covariances?: unknown },
  type: CovarianceType,
  d: number,
  components?: number,
): { weights: Float64Array; means: Float64Array; covariances: Float64Array } {
  const { weights, means, covariances } = value;
  assertFloat64Array(`${name}.weights`, weights);
  assertFloat64Array(`${name}.means`, means);
  assertFloat64Array(`${name}.covariances`, covariances);
  const k = components ?? weights.length;
  if (components === undefined) checkComponents(`${name}.weights`, k);
  else assertLength(`${name}.weights`, weights, k, `one value per component, options.components = ${k}`);
  checkModelSize(k, d);
  assertLength(`${name}.means`, means, k * d, `K x d = ${k} x ${d}`);
  assertLength(`${name}.covariances`, covariances, covarianceLength(type, k, d), covarianceShape(type, k, d));
  scanWeights(`${name}.weights`, weights);
  assertAllFinite(`${name}.means`, means);
  checkCovarianceValues(name, type, k, d, covariances);
  return { weights, means, covariances };
}

/** A multivariate model argument, fully checked (it is small). */
export function checkMvModel(name: string, model: unknown): GmmMvModel {
  if (model === null || typeof model !== "object" || Array.isArray(model)) {
    throw new TypeError(`${name} must be a GmmMvModel object ({ dims, covariance, weights, means, covariances }), got ${show(model)}`);
  }
  const m = model as Record<string, unknown>;
  const d = checkDims(`${name}.dims`, m.dims);
  const covariance = checkCovarianceType(`${name}.covariance`, m.covariance);
  const p = checkParameters(name, m, covariance, d);
  return { dims: d, covariance, ...p };
}

/** Multivariate fit options, every default filled in (the init still to be drawn when seeded). */
export interface MvFitOptions {
  components: number;
  iterations: number;
  tol: number | undefined;
  covariance: CovarianceType;
  regCovar: number;
  init: Exclude<GmmMvInit, object> | GmmMvModel;
  nInit: number;
  seed: number;
}

const INIT_NAMES = ["original", "kmeans++", "random", "random_from_data"];

/**
 * The fit options of the multivariate path (layout and sampleWeight are
 * checked with the data). `d` is the model dimension.
 */
export function checkMvFitOptions(options: unknown, d: number, stream = false): MvFitOptions {
  if (options === undefined) throw new TypeError(`options must be an object with components and iterations, got undefined`);
  assertOptions("options", options);
  const o = options as Record<string, unknown>;
  assertInteger("options.components", o.components, 1);
  assertAtMost("options.components", o.components, GMM_MAX_COMPONENTS, "GMM_MAX_COMPONENTS");
  const components = o.components;
  checkModelSize(components, d);
  assertInteger("options.iterations", o.iterations, 1);
  assertAtMost("options.iterations", o.iterations, GMM_MAX_ITERATIONS, "GMM_MAX_ITERATIONS");
  if (o.tol !== undefined) assertNumber("options.tol", o.tol, { min: 0, max: Number.MAX_VALUE });
  if (o.varianceFloor !== undefined) {
    throw new RangeError(
      "options.varianceFloor applies to the one-dimensional fit only (dims 1 without multivariate options); the multivariate path has no floor: use options.regCovar",
    );
  }
  const covariance = checkCovarianceType("options.covariance", withDefault(o.covariance, "full"));
  const regCovar = withDefault(o.regCovar, DEFAULT_REG_COVAR);
  assertNumber("options.regCovar", regCovar, { min: 0, max: Number.MAX_VALUE });
  const nInit = withDefault(o.nInit, 1);
  assertInteger("options.nInit", nInit, 1, GMM_MAX_N_INIT);
  const seed = withDefault(o.seed, 0);
  assertInteger("options.seed", seed, 0, 2 ** 32 - 1);
  const rawInit = o.init === undefined ? (stream ? undefined : d > 1 ? "kmeans++" : "original") : o.init;
  let init: MvFitOptions["init"];
  if (rawInit === undefined) {
    throw new TypeError(
      "options.init is required by fitGmmStream: an explicit { weights, means, covariances } or 'original' (k-means++ and the random inits need the data in memory; fit a sample with fitGmm first)",
    );
  } else if (typeof rawInit === "string") {
    if (!INIT_NAMES.includes(rawInit) || (stream && rawInit !== "original")) {
      const allowed = stream ? "'original' or an explicit { weights, means, covariances }" : `one of ${INIT_NAMES.map((s) => `'${s}'`).join(", ")} or { weights, means, covariances }`;
      throw new RangeError(`options.init must be ${allowed}, got ${show(rawInit)}`);
    }
    init = rawInit as MvFitOptions["init"];
  } else {
    if (rawInit === null || typeof rawInit !== "object" || Array.isArray(rawInit)) {
      throw new TypeError(`options.init must be a string or { weights, means, covariances }, got ${show(rawInit)}`);
    }
    init = { dims: d, covariance, ...checkParameters("options.init", rawInit as Record<string, unknown>, covariance, d, components) };
  }
  if (nInit > 1 && (typeof init !== "string" || init === "original")) {
    throw new RangeError(`options.nInit must be 1 unless options.init is 'kmeans++', 'random' or 'random_from_data' (seeded), got ${nInit}`);
  }
  return { components, iterations: o.iterations, tol: o.tol as number | undefined, covariance, regCovar, init, nInit, seed };
}

/** Labels are bytes. */
export function checkLabelComponents(k: number): void {
  if (k > GMM_MAX_LABELS) {
    throw new RangeError(`predictGmm returns 8-bit labels, so model may have at most ${GMM_MAX_LABELS} components, got ${k}`);
  }
}

/** N x K values must fit in one Float64Array. */
export function checkRowsTimes(n: number, k: number, what: string): void {
  if (n * k > MAX_OUTPUT_ELEMENTS) {
    throw new RangeError(
      `${what} = ${n} x ${k} = ${n * k} values would exceed the largest typed array (${MAX_OUTPUT_ELEMENTS} elements, MAX_OUTPUT_ELEMENTS); process the data in smaller parts`,
    );
  }
}

/** A statistics object (from gmmStatistics / mergeGmmStatistics / JSON), structurally. */
export function checkStatistics(name: string, value: unknown): import("./types").GmmStatistics {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${name} must be a GmmStatistics object (from gmmStatistics), got ${show(value)}`);
  }
  const s = value as Record<string, unknown>;
  if (s.format !== 1) throw new RangeError(`${name}.format must be 1, got ${show(s.format)}`);
  const d = checkDims(`${name}.dims`, s.dims);
  const covariance = checkCovarianceType(`${name}.covariance`, s.covariance);
  assertInteger(`${name}.components`, s.components, 1, GMM_MAX_COMPONENTS);
  const k = s.components;
  checkModelSize(k, d);
  assertInteger(`${name}.chunkSize`, s.chunkSize, 1);
  if (s.chunkSize !== GMM_STATS_CHUNK) throw new RangeError(`${name}.chunkSize must be GMM_STATS_CHUNK = ${GMM_STATS_CHUNK}, got ${show(s.chunkSize)}`);
  assertInteger(`${name}.rowOffset`, s.rowOffset, 0);
  if (s.rowOffset % GMM_STATS_CHUNK !== 0) {
    throw new RangeError(`${name}.rowOffset must be a multiple of chunkSize = ${GMM_STATS_CHUNK}, got ${s.rowOffset}`);
  }
  assertInteger(`${name}.rows`, s.rows, 0);
  if (typeof s.isa !== "string") throw new TypeError(`${name}.isa must be a string, got ${show(s.isa)}`);
  const stride = statsStride(covariance, k, d);
  if (s.stride !== stride) throw new RangeError(`${name}.stride must be ${stride} (2 + K + K*d + sumXX for K = ${k}, d = ${d}, '${covariance}'), got ${show(s.stride)}`);
  assertFloat64Array(`${name}.chunks`, s.chunks);
  const expected = Math.ceil(s.rows / GMM_STATS_CHUNK) * stride;
  assertLength(`${name}.chunks`, s.chunks, expected, `one partial of ${stride} values per chunk of ${GMM_STATS_CHUNK} rows`);
  // Model-sized (chunks x stride), so scanned here once for both backends: a
  // NaN would otherwise surface only as an index into the folded sums.
  assertAllFinite(`${name}.chunks`, s.chunks);
  return value as unknown as import("./types").GmmStatistics;
}
