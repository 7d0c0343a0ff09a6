/**
 * `match-points`: one shard of points against a serialised PolygonIndex
 * (`PolygonIndex.deserialize`, checked on load; kept per worker while the
 * file is unchanged), best match per point written as little-endian int32
 * next to the other shards' results.
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";

import { PolygonIndex } from "../../polygon/polygon-index";
import { ensureFolder, resolveForRead, resolveForWrite } from "../data-root";
import type { MatchPointsPayload } from "../schema";
import { readShardRows } from "../shards";
import type { JobContext } from "./context";

export interface MatchPointsResult {
  /** The result file, relative to the data root: `length` little-endian int32. */
  path: string;
  offset: number;
  length: number;
  dtype: "int32";
  /** Points with a match (>= 0). */
  matched: number;
}

const loaded = new Map<string, Promise<PolygonIndex>>();

async function loadIndex(real: string, threads: number | undefined): Promise<PolygonIndex> {
  const info = await stat(real);
  const key = [real, info.size, info.mtimeMs, info.ino, threads].join("|");
  let index = loaded.get(key);
  if (!index) {
    // One index per worker process: a newer file (or another one) replaces it.
    loaded.clear();
    index = readFile(real).then((bytes) => PolygonIndex.deserialize(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), threads === undefined ? undefined : { threads }));
    index.catch(() => loaded.delete(key));
    loaded.set(key, index);
  }
  return index;
}

export async function runMatchPoints(payload: MatchPointsPayload, ctx: JobContext): Promise<MatchPointsResult> {
  const index = await loadIndex(await resolveForRead(ctx.realRoot, "index", payload.index), ctx.threads);
  const points = await readShardRows(await resolveForRead(ctx.realRoot, "points shard path", payload.ref.path), payload.ref);
  await ensureFolder(ctx.realRoot, "output folder", path.posix.dirname(payload.output));
  const output = await resolveForWrite(ctx.realRoot, "output", payload.output);
  const best = await index.bestMatchAsync(points as Float64Array | Float32Array, payload.maxDist === "Infinity" ? Infinity : payload.maxDist, {
    ...(ctx.threads === undefined ? {} : { threads: ctx.threads }),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    borrow: true,
  });
  await writeFile(output, new Uint8Array(best.buffer, best.byteOffset, best.byteLength));
  let matched = 0;
  for (const m of best) if (m >= 0) matched++;
  return { path: payload.output, offset: payload.ref.offset, length: payload.ref.length, dtype: "int32", matched };
}
