/**
 * `gmm-stats` (a child of one EM round): the E-step statistics of one shard
 * for the round's model. The shard's rows come from storage (cached across
 * rounds); the statistics kernel runs off the event loop (async twin), so
 * lock renewals keep flowing while it computes.
 */
import { gmmStatisticsAsync } from "../../gmm/multivariate";
import { fromWireModel, toWireStatistics } from "../codec";
import type { WireStatistics } from "../codec";
import { resolveForRead } from "../data-root";
import type { GmmStatsPayload } from "../schema";
import { readShardRows } from "../shards";
import type { JobContext } from "./context";

export async function runGmmStats(payload: GmmStatsPayload, ctx: JobContext): Promise<WireStatistics> {
  const { ref } = payload;
  const real = await resolveForRead(ctx.realRoot, "shard path", ref.path);
  const rows = await readShardRows(real, ref, ctx.cache);
  const model = fromWireModel("data.model", payload.model);
  const stats = await gmmStatisticsAsync(rows, model, {
    dims: ref.dims,
    columns: payload.columns,
    rowOffset: payload.rowOffset,
    ...(ctx.threads === undefined ? {} : { threads: ctx.threads }),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    // The cached rows are never written: no defensive copy.
    borrow: true,
  });
  return toWireStatistics(payload.shard, stats);
}
