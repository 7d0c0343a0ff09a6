/**
 * Wire forms of what jobs carry through Redis. Float64 arrays travel as
 * base64 of their little-endian bytes, not as JSON numbers: JSON would turn
 * -0 into 0 and NaN into null, and the sharded fit promises the bits.
 */
import type { CovarianceType, GmmMvModel, GmmStatistics } from "../gmm/multivariate/types";

/** A model as it travels in a job payload or result. */
export interface WireModel {
  dims: number;
  covariance: CovarianceType;
  weights: string;
  means: string;
  covariances: string;
}

/** Statistics of one shard as a child job returns them. */
export interface WireStatistics {
  shard: number;
  format: 1;
  dims: number;
  covariance: CovarianceType;
  components: number;
  rowOffset: number;
  rows: number;
  chunkSize: number;
  isa: string;
  stride: number;
  chunks: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function encodeFloat64(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("base64");
}

/** Decodes base64 written by `encodeFloat64`; anything else is a TypeError naming `name`. */
export function decodeFloat64(name: string, text: unknown): Float64Array {
  if (typeof text !== "string" || text.length % 4 !== 0 || !BASE64.test(text)) {
    throw new TypeError(`${name} must be base64 of little-endian float64 values, got ${typeof text === "string" ? `${text.length} characters that are not` : typeof text}`);
  }
  const bytes = Buffer.from(text, "base64");
  if (bytes.byteLength % 8 !== 0) throw new TypeError(`${name} must hold whole float64 values, got ${bytes.byteLength} bytes`);
  const out = new Float64Array(bytes.byteLength / 8);
  Buffer.from(out.buffer).set(bytes);
  return out;
}

export function toWireModel(model: GmmMvModel): WireModel {
  return {
    dims: model.dims,
    covariance: model.covariance,
    weights: encodeFloat64(model.weights),
    means: encodeFloat64(model.means),
    covariances: encodeFloat64(model.covariances),
  };
}

/** The model's arrays decoded; shapes and values are checked by the kernels that take it. */
export function fromWireModel(name: string, wire: WireModel): GmmMvModel {
  return {
    dims: wire.dims,
    covariance: wire.covariance,
    weights: decodeFloat64(`${name}.weights`, wire.weights),
    means: decodeFloat64(`${name}.means`, wire.means),
    covariances: decodeFloat64(`${name}.covariances`, wire.covariances),
  };
}

export function toWireStatistics(shard: number, stats: GmmStatistics): WireStatistics {
  const { format, dims, covariance, components, rowOffset, rows, chunkSize, isa, stride } = stats;
  return { shard, format, dims, covariance, components, rowOffset, rows, chunkSize, isa, stride, chunks: encodeFloat64(stats.chunks) };
}

/** Statistics decoded; `mergeGmmStatistics` / `gmmMStep` check their structure. */
export function fromWireStatistics(name: string, wire: WireStatistics): GmmStatistics {
  const { format, dims, covariance, components, rowOffset, rows, chunkSize, isa, stride } = wire;
  return { format, dims, covariance, components, rowOffset, rows, chunkSize, isa, stride, chunks: decodeFloat64(`${name}.chunks`, wire.chunks) };
}
