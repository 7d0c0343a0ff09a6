/**
 * `gmm-round` (the parent of one EM round): runs once every shard's
 * statistics are in, merges them in shard order (`mergeGmmStatistics`,
 * which refuses statistics of different instruction sets) and takes the
 * M-step. Its result is the next model plus the round's log-likelihood.
 */
import { gmmMStepAsync, mergeGmmStatistics } from "../../gmm/multivariate";
import type { GmmStatistics } from "../../gmm/multivariate/types";
import { encodeFloat64, fromWireStatistics, toWireModel } from "../codec";
import type { WireModel, WireStatistics } from "../codec";
import type { GmmRoundPayload } from "../schema";
import type { JobContext } from "./context";

export interface GmmRoundResult {
  model: WireModel;
  /** `[logLikelihood, weightSum]` of the round's E-step, as float64 base64 (bit-exact). */
  totals: string;
  isa: string;
}

export async function runGmmRound(payload: GmmRoundPayload, ctx: JobContext): Promise<GmmRoundResult> {
  const values = Object.values(await ctx.childrenValues()) as WireStatistics[];
  if (values.length !== payload.shards) {
    throw new RangeError(`round ${payload.round} expected the statistics of ${payload.shards} shards, got ${values.length}`);
  }
  const byShard: WireStatistics[] = [];
  for (const value of values) {
    const shard = value?.shard;
    if (!Number.isInteger(shard) || shard < 0 || shard >= payload.shards || byShard[shard] !== undefined) {
      throw new RangeError(`round ${payload.round}: a child returned statistics for shard ${String(shard)}, not one of 0..${payload.shards - 1} exactly once`);
    }
    byShard[shard] = value;
  }
  let merged: GmmStatistics | undefined;
  for (let i = 0; i < byShard.length; i++) {
    const stats = fromWireStatistics(`shard ${i}`, byShard[i]);
    try {
      merged = merged === undefined ? stats : mergeGmmStatistics(merged, stats);
    } catch (error) {
      throw new RangeError(`merging shard ${i} (isa ${stats.isa}) into shards 0..${i - 1} (isa ${merged?.isa}): ${(error as Error).message}`);
    }
  }
  const step = await gmmMStepAsync(merged as GmmStatistics, {
    regCovar: payload.regCovar,
    ...(ctx.threads === undefined ? {} : { threads: ctx.threads }),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  return { model: toWireModel(step), totals: encodeFloat64(Float64Array.of(step.logLikelihood, step.weightSum)), isa: (merged as GmmStatistics).isa };
}
