/**
 * `gmm-init`: the seeded starting models (k-means++, random,
 * random_from_data) of a sharded fit, drawn once by one worker from the
 * concatenated shards exactly as the in-process fit draws them, so every
 * round of every worker starts from the same bits. It holds all the rows in
 * memory once: for data past one machine, pass an explicit init fitted on a
 * sample instead.
 */
import { startingModels, checkDrawnInit } from "../../gmm/multivariate/fit";
import { referenceRows } from "../../gmm/multivariate/kernels";
import type { GmmMvModel } from "../../gmm/multivariate/types";
import { checkMvFitOptions } from "../../gmm/multivariate/validate";
import { toWireModel } from "../codec";
import type { WireModel } from "../codec";
import { resolveForRead } from "../data-root";
import type { GmmInitPayload } from "../schema";
import { readShardRows } from "../shards";
import type { ShardRows } from "../shards";
import type { JobContext } from "./context";

function concatenate(parts: ShardRows[]): ShardRows {
  if (parts.length === 1) return parts[0];
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const first = parts[0];
  const out = new (first.constructor as new (n: number) => ShardRows)(total);
  let at = 0;
  for (const part of parts) {
    out.set(part as never, at);
    at += part.length;
  }
  return out;
}

export async function runGmmInit(payload: GmmInitPayload, ctx: JobContext): Promise<{ models: WireModel[] }> {
  const dtype = payload.shards[0].dtype, dims = payload.shards[0].dims;
  const parts: ShardRows[] = [];
  for (const [i, ref] of payload.shards.entries()) {
    if (ref.dtype !== dtype || ref.dims !== dims) throw new RangeError(`data.shards[${i}] is ${ref.dtype} x ${ref.dims}, shard 0 is ${dtype} x ${dims}: shards of one fit share dtype and dims`);
    parts.push(await readShardRows(await resolveForRead(ctx.realRoot, "shard path", ref.path), ref));
    await ctx.progress({ done: i + 1, total: payload.shards.length });
  }
  const data = concatenate(parts);
  const columns = Uint32Array.from(payload.columns);
  const layout = { rowWidth: dims, columns, d: columns.length, n: data.length / dims };
  const rows = referenceRows({ data: data as never, layout, sampleWeight: undefined });
  const options = checkMvFitOptions(
    { components: payload.components, iterations: 1, covariance: payload.covariance, init: payload.init, nInit: payload.nInit, seed: payload.seed, regCovar: payload.regCovar },
    layout.d,
  );
  const models: GmmMvModel[] = [];
  for (const model of startingModels(rows, options)) {
    checkDrawnInit(model, payload.regCovar);
    models.push(model);
  }
  return { models: models.map(toWireModel) };
}
