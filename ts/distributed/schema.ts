/**
 * Job payloads, validated by the worker before anything runs: every job
 * name has one schema, unknown keys are refused, and a payload that does
 * not match fails its job with a message naming the field (the worker keeps
 * serving). Clients build payloads with the same types.
 */
import { GMM_MAX_COMPONENTS, GMM_MAX_DIMS, GMM_MAX_ITERATIONS, GMM_STATS_CHUNK } from "../limits.generated";
import { assertInteger, assertNumber, show } from "../validate";
import type { CovarianceType } from "../gmm/multivariate/types";
import type { WireModel } from "./codec";

/** Every job name a worker serves. */
export const JOB_NAMES = ["gmm-stats", "gmm-round", "gmm-init", "segment-image", "match-points"] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** The payload format; a worker refuses others (a client from another release). */
export const PAYLOAD_VERSION = 1;

export const SHARD_DTYPES = ["float64", "float32", "uint8"] as const;
export type ShardDtype = (typeof SHARD_DTYPES)[number];

/**
 * Rows `offset .. offset + length` of a raw little-endian row-major file of
 * `dims` values per row, `path` relative to the worker's data root.
 */
export interface ShardRef {
  path: string;
  offset: number;
  length: number;
  dtype: ShardDtype;
  dims: number;
}

export interface GmmStatsPayload {
  version: 1;
  fitId: string;
  start: number;
  round: number;
  shard: number;
  /** Global index of the shard's first row (a multiple of GMM_STATS_CHUNK). */
  rowOffset: number;
  ref: ShardRef;
  columns: number[];
  model: WireModel;
}

export interface GmmRoundPayload {
  version: 1;
  fitId: string;
  start: number;
  round: number;
  shards: number;
  regCovar: number;
}

export const SEEDED_INITS = ["kmeans++", "random", "random_from_data"] as const;

export interface GmmInitPayload {
  version: 1;
  shards: ShardRef[];
  columns: number[];
  components: number;
  covariance: CovarianceType;
  init: (typeof SEEDED_INITS)[number];
  nInit: number;
  seed: number;
  regCovar: number;
}

/** The segment options a job may carry (files are named by the worker). */
export interface SegmentJobOptions {
  components: number;
  iterations: number;
  tol?: number;
  channel?: "blue" | "green" | "red" | "luma";
  colorSpace?: "gray" | "rgb" | "lab";
  covariance?: CovarianceType;
  secondImage?: string;
  subtractionThreshold?: number;
  postprocess?: boolean;
  /** Also write `<name>.labels.png`. */
  labels?: boolean;
}

export interface SegmentImagePayload {
  version: 1;
  input: string;
  /** Output folder relative to the data root; default: the input's folder. */
  outDir?: string;
  options: SegmentJobOptions;
}

/**
 * One shard of points (rows of x, y: dims 2, float64 or float32) matched
 * against a serialised PolygonIndex; the best match per point is written as
 * little-endian int32 (-1: none) to `output`.
 */
export interface MatchPointsPayload {
  version: 1;
  /** `PolygonIndex#serialize()` bytes, relative to the data root. */
  index: string;
  ref: ShardRef;
  /** A number >= 0, or "Infinity" (JSON has no Infinity). */
  maxDist: number | "Infinity";
  output: string;
}

const COVARIANCES = ["full", "diag", "spherical", "tied"];
const MAX_PATH = 4096;
const MAX_SHARDS = 100_000;

type Obj = Record<string, unknown>;

function object(name: string, value: unknown, required: readonly string[], optional: readonly string[] = []): Obj {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new TypeError(`${name} must be an object, got ${show(value)}`);
  const o = value as Obj;
  for (const key of Object.keys(o)) {
    if (!required.includes(key) && !optional.includes(key)) throw new TypeError(`${name} has an unknown key ${JSON.stringify(key)}`);
  }
  for (const key of required) if (o[key] === undefined) throw new TypeError(`${name}.${key} is required`);
  return o;
}

function oneOf(name: string, value: unknown, allowed: readonly string[]): void {
  if (typeof value !== "string" || !allowed.includes(value)) {
    throw new RangeError(`${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${show(value)}`);
  }
}

function relativePath(name: string, value: unknown): void {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_PATH || value.includes("\0")) {
    throw new TypeError(`${name} must be a non-empty path (at most ${MAX_PATH} characters, no NUL), got ${show(value)}`);
  }
}

function bool(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== "boolean") throw new TypeError(`${name} must be a boolean, got ${show(value)}`);
}

function version(name: string, value: unknown): void {
  if (value !== PAYLOAD_VERSION) throw new RangeError(`${name}.version must be ${PAYLOAD_VERSION} (this worker's payload format), got ${show(value)}`);
}

function fitId(name: string, value: unknown): void {
  if (typeof value !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(value)) {
    throw new TypeError(`${name} must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -, got ${show(value)}`);
  }
}

export function checkShardRef(name: string, value: unknown): ShardRef {
  const o = object(name, value, ["path", "offset", "length", "dtype", "dims"]);
  relativePath(`${name}.path`, o.path);
  assertInteger(`${name}.offset`, o.offset, 0);
  assertInteger(`${name}.length`, o.length, 1);
  oneOf(`${name}.dtype`, o.dtype, SHARD_DTYPES);
  assertInteger(`${name}.dims`, o.dims, 1, GMM_MAX_DIMS);
  return o as unknown as ShardRef;
}

function columns(name: string, value: unknown, dims: number): void {
  if (!Array.isArray(value) || value.length === 0 || value.length > dims) {
    throw new TypeError(`${name} must be an array of 1 to dims = ${dims} column indices, got ${show(value)}`);
  }
  value.forEach((c, i) => assertInteger(`${name}[${i}]`, c, 0, dims - 1));
}

function wireModel(name: string, value: unknown): void {
  const o = object(name, value, ["dims", "covariance", "weights", "means", "covariances"]);
  assertInteger(`${name}.dims`, o.dims, 1, GMM_MAX_DIMS);
  oneOf(`${name}.covariance`, o.covariance, COVARIANCES);
  for (const key of ["weights", "means", "covariances"]) {
    if (typeof o[key] !== "string") throw new TypeError(`${name}.${key} must be a base64 string, got ${show(o[key])}`);
  }
}

function checkGmmStats(value: unknown): GmmStatsPayload {
  const o = object("data", value, ["version", "fitId", "start", "round", "shard", "rowOffset", "ref", "columns", "model"]);
  version("data", o.version);
  fitId("data.fitId", o.fitId);
  assertInteger("data.start", o.start, 0);
  assertInteger("data.round", o.round, 1, GMM_MAX_ITERATIONS);
  assertInteger("data.shard", o.shard, 0, MAX_SHARDS - 1);
  assertInteger("data.rowOffset", o.rowOffset, 0);
  if (o.rowOffset % GMM_STATS_CHUNK !== 0) throw new RangeError(`data.rowOffset must be a multiple of GMM_STATS_CHUNK = ${GMM_STATS_CHUNK}, got ${o.rowOffset}`);
  const ref = checkShardRef("data.ref", o.ref);
  columns("data.columns", o.columns, ref.dims);
  wireModel("data.model", o.model);
  return o as unknown as GmmStatsPayload;
}

function checkGmmRound(value: unknown): GmmRoundPayload {
  const o = object("data", value, ["version", "fitId", "start", "round", "shards", "regCovar"]);
  version("data", o.version);
  fitId("data.fitId", o.fitId);
  assertInteger("data.start", o.start, 0);
  assertInteger("data.round", o.round, 1, GMM_MAX_ITERATIONS);
  assertInteger("data.shards", o.shards, 1, MAX_SHARDS);
  assertNumber("data.regCovar", o.regCovar, { min: 0, max: Number.MAX_VALUE });
  return o as unknown as GmmRoundPayload;
}

function checkGmmInit(value: unknown): GmmInitPayload {
  const o = object("data", value, ["version", "shards", "columns", "components", "covariance", "init", "nInit", "seed", "regCovar"]);
  version("data", o.version);
  if (!Array.isArray(o.shards) || o.shards.length === 0 || o.shards.length > MAX_SHARDS) {
    throw new TypeError(`data.shards must be an array of 1 to ${MAX_SHARDS} shard references, got ${show(o.shards)}`);
  }
  const refs = o.shards.map((s, i) => checkShardRef(`data.shards[${i}]`, s));
  columns("data.columns", o.columns, refs[0].dims);
  assertInteger("data.components", o.components, 1, GMM_MAX_COMPONENTS);
  oneOf("data.covariance", o.covariance, COVARIANCES);
  oneOf("data.init", o.init, SEEDED_INITS);
  assertInteger("data.nInit", o.nInit, 1, 1000);
  assertInteger("data.seed", o.seed, 0, 2 ** 32 - 1);
  assertNumber("data.regCovar", o.regCovar, { min: 0, max: Number.MAX_VALUE });
  return o as unknown as GmmInitPayload;
}

const SEGMENT_KEYS = ["components", "iterations", "tol", "channel", "colorSpace", "covariance", "secondImage", "subtractionThreshold", "postprocess", "labels"];

export function checkSegmentJobOptions(name: string, value: unknown): SegmentJobOptions {
  const o = object(name, value, ["components", "iterations"], SEGMENT_KEYS);
  // Ranges of the numbers are segmentImage's to check (with its own messages).
  for (const key of ["components", "iterations", "tol", "subtractionThreshold"]) {
    if (o[key] !== undefined && typeof o[key] !== "number") throw new TypeError(`${name}.${key} must be a number, got ${show(o[key])}`);
  }
  if (o.channel !== undefined) oneOf(`${name}.channel`, o.channel, ["blue", "green", "red", "luma"]);
  if (o.colorSpace !== undefined) oneOf(`${name}.colorSpace`, o.colorSpace, ["gray", "rgb", "lab"]);
  if (o.covariance !== undefined) oneOf(`${name}.covariance`, o.covariance, COVARIANCES);
  if (o.secondImage !== undefined) relativePath(`${name}.secondImage`, o.secondImage);
  bool(`${name}.postprocess`, o.postprocess);
  bool(`${name}.labels`, o.labels);
  return o as unknown as SegmentJobOptions;
}

function checkSegmentImage(value: unknown): SegmentImagePayload {
  const o = object("data", value, ["version", "input", "options"], ["outDir"]);
  version("data", o.version);
  relativePath("data.input", o.input);
  if (o.outDir !== undefined) relativePath("data.outDir", o.outDir);
  checkSegmentJobOptions("data.options", o.options);
  return o as unknown as SegmentImagePayload;
}

function checkMatchPoints(value: unknown): MatchPointsPayload {
  const o = object("data", value, ["version", "index", "ref", "maxDist", "output"]);
  version("data", o.version);
  relativePath("data.index", o.index);
  const ref = checkShardRef("data.ref", o.ref);
  if (ref.dims !== 2 || ref.dtype === "uint8") throw new RangeError(`data.ref must be float64 or float32 rows of dims 2 (x, y), got ${ref.dtype} x ${ref.dims}`);
  if (o.maxDist !== "Infinity") assertNumber("data.maxDist", o.maxDist, { min: 0, max: Number.MAX_VALUE });
  relativePath("data.output", o.output);
  return o as unknown as MatchPointsPayload;
}

export interface Payloads {
  "gmm-stats": GmmStatsPayload;
  "gmm-round": GmmRoundPayload;
  "gmm-init": GmmInitPayload;
  "segment-image": SegmentImagePayload;
  "match-points": MatchPointsPayload;
}

const CHECKS: { [N in JobName]: (value: unknown) => Payloads[N] } = {
  "gmm-stats": checkGmmStats,
  "gmm-round": checkGmmRound,
  "gmm-init": checkGmmInit,
  "segment-image": checkSegmentImage,
  "match-points": checkMatchPoints,
};

export function isJobName(name: unknown): name is JobName {
  return typeof name === "string" && (JOB_NAMES as readonly string[]).includes(name);
}

/** The payload of job `name`, checked; throws a TypeError/RangeError naming the field. */
export function checkPayload<N extends JobName>(name: N, value: unknown): Payloads[N] {
  return CHECKS[name](value) as Payloads[N];
}
