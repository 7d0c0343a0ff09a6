/**
 * Shards: references to rows of raw files on storage every worker sees
 * (never the bytes themselves in Redis). `shardFile` cuts a file into
 * references whose boundaries are multiples of GMM_STATS_CHUNK rows, so the
 * statistics of the shards merge into the bits of the whole; workers read
 * a shard's rows with `readShardRows`, keeping recent shards in memory
 * across EM rounds (one read per shard per worker, not one per round).
 */
import type { Stats } from "node:fs";
import { open, stat } from "node:fs/promises";
import path from "node:path";

import { GMM_STATS_CHUNK } from "../limits.generated";
import { assertInteger, show } from "../validate";
import { SHARD_DTYPES } from "./schema";
import type { ShardDtype, ShardRef } from "./schema";

export type ShardRows = Float64Array | Float32Array | Uint8Array;

const BYTES: Record<ShardDtype, number> = { float64: 8, float32: 4, uint8: 1 };

export function bytesPerRow(dtype: ShardDtype, dims: number): number {
  return BYTES[dtype] * dims;
}

export interface ShardFileOptions {
  dtype: ShardDtype;
  /** Values per row. */
  dims: number;
  /** How many references to cut (fewer when the file has fewer chunks of GMM_STATS_CHUNK rows). */
  shards: number;
  /** Where `file` is found from this process (the folder workers use as data root). Default: the current folder. */
  root?: string;
  /** Rows of the file, when this process cannot see the file (no `stat`). */
  rows?: number;
}

/** Row counts of `shards` near-equal pieces of `rows`, every piece but the last a multiple of GMM_STATS_CHUNK. */
export function shardLengths(rows: number, shards: number): number[] {
  const chunks = Math.ceil(rows / GMM_STATS_CHUNK);
  const pieces = Math.min(shards, chunks);
  const lengths: number[] = [];
  let left = rows;
  for (let i = 0; i < pieces; i++) {
    const own = Math.floor(chunks / pieces) + (i < chunks % pieces ? 1 : 0);
    const length = Math.min(own * GMM_STATS_CHUNK, left);
    lengths.push(length);
    left -= length;
  }
  return lengths;
}

/**
 * References to all rows of `file` (a raw little-endian row-major file of
 * `dims` values of `dtype` per row) in `shards` pieces; `file` is kept as
 * given: it must be the path relative to the workers' data root.
 */
export async function shardFile(file: string, options: ShardFileOptions): Promise<ShardRef[]> {
  if (typeof file !== "string" || file.length === 0) throw new TypeError(`file must be a non-empty path, got ${show(file)}`);
  if (path.isAbsolute(file)) throw new RangeError(`file must be relative to the workers' data root, got the absolute path ${JSON.stringify(file)}`);
  const { dtype, dims, shards } = options ?? ({} as ShardFileOptions);
  if (!(SHARD_DTYPES as readonly unknown[]).includes(dtype)) throw new RangeError(`options.dtype must be one of ${SHARD_DTYPES.join(", ")}, got ${show(dtype)}`);
  assertInteger("options.dims", dims, 1);
  assertInteger("options.shards", shards, 1);
  const width = bytesPerRow(dtype, dims);
  let rows = options.rows;
  if (rows === undefined) {
    const { size } = await stat(path.resolve(options.root ?? ".", file));
    if (size % width !== 0) throw new RangeError(`${file} has ${size} bytes, not a whole number of rows of ${dims} ${dtype} values (${width} bytes)`);
    rows = size / width;
  }
  assertInteger("rows", rows, 1);
  const refs: ShardRef[] = [];
  let offset = 0;
  for (const length of shardLengths(rows, shards)) {
    refs.push({ path: file.split(path.sep).join("/"), offset, length, dtype, dims });
    offset += length;
  }
  return refs;
}

function allocate(dtype: ShardDtype, values: number): ShardRows {
  return dtype === "float64" ? new Float64Array(values) : dtype === "float32" ? new Float32Array(values) : new Uint8Array(values);
}

/** Shards read recently, least recently used dropped first past `maxBytes`. */
export class ShardCache {
  private readonly entries = new Map<string, ShardRows>();
  private bytes = 0;
  constructor(readonly maxBytes: number) {}

  get(key: string): ShardRows | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, rows: ShardRows): void {
    if (rows.byteLength > this.maxBytes) return;
    this.entries.set(key, rows);
    this.bytes += rows.byteLength;
    for (const [oldest, value] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= value.byteLength;
    }
  }
}

/** The cache key of `ref` in a file described by `info`, after checking that the rows are in the file. */
function shardKey(real: string, ref: ShardRef, info: Stats): string {
  if (!info.isFile()) throw new RangeError(`shard ${JSON.stringify(ref.path)} is not a regular file`);
  const width = bytesPerRow(ref.dtype, ref.dims);
  const fileRows = Math.floor(info.size / width);
  if (ref.offset + ref.length > fileRows) {
    throw new RangeError(`shard ${JSON.stringify(ref.path)} rows ${ref.offset} + ${ref.length} run past the end of the file (${fileRows} rows of ${width} bytes)`);
  }
  return [real, ref.dtype, ref.dims, ref.offset, ref.length, info.size, info.mtimeMs, info.ino].join("|");
}

/**
 * The rows of `ref` from the file at `real` (already resolved inside the
 * data root). Cached by file identity (size and mtime too, so a rewritten
 * file is read again); a hit costs one `stat`, which matters when a round
 * of a sharded fit is tens of milliseconds.
 */
export async function readShardRows(real: string, ref: ShardRef, cache?: ShardCache): Promise<ShardRows> {
  if (cache) {
    const hit = cache.get(shardKey(real, ref, await stat(real)));
    if (hit) return hit;
  }
  const handle = await open(real, "r");
  try {
    const key = shardKey(real, ref, await handle.stat());
    const rows = allocate(ref.dtype, ref.length * ref.dims);
    const target = new Uint8Array(rows.buffer);
    const width = bytesPerRow(ref.dtype, ref.dims);
    let done = 0;
    while (done < target.byteLength) {
      const { bytesRead } = await handle.read(target, done, Math.min(target.byteLength - done, 1 << 30), ref.offset * width + done);
      if (bytesRead === 0) throw new RangeError(`shard ${JSON.stringify(ref.path)} ended early (file truncated while reading)`);
      done += bytesRead;
    }
    cache?.set(key, rows);
    return rows;
  } finally {
    await handle.close();
  }
}
