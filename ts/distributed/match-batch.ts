/**
 * The client side of sharded matching: the PolygonIndex is serialised once
 * to a file on shared storage (`index.serialize()`), each `match-points`
 * job matches one shard of points and writes its best matches to a result
 * file; the call returns the result references, in shard order.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";

import { abortError } from "../errors";
import { assertAbortSignal, assertNumber, show } from "../validate";
import type { ClientParts } from "./client";
import type { MatchPointsResult } from "./jobs/match-points";
import { checkShardRef, PAYLOAD_VERSION } from "./schema";
import type { MatchPointsPayload, ShardRef } from "./schema";
import { removeUnstarted, waitForJob } from "./wait";

export type { MatchPointsResult };

export interface MatchCallOptions {
  signal?: AbortSignal;
  onProgress?: (event: { done: number; total: number }) => void;
  /** Folder for the result files (relative to the data root); default: next to each points file. */
  outDir?: string;
}

/** Where shard `ref`'s best matches go: `<outDir>/<points stem>.<first>-<end>.best.i32`. */
export function matchOutputPath(ref: ShardRef, outDir: string | undefined): string {
  const stem = path.posix.basename(ref.path, path.posix.extname(ref.path));
  return path.posix.join(outDir ?? path.posix.dirname(ref.path), `${stem}.${ref.offset}-${ref.offset + ref.length}.best.i32`);
}

export async function matchPointsBatch(
  parts: ClientParts,
  indexPath: string,
  pointShards: readonly ShardRef[],
  maxDist: number,
  call: MatchCallOptions = {},
): Promise<MatchPointsResult[]> {
  if (typeof indexPath !== "string" || indexPath.length === 0) throw new TypeError(`indexPath must be the path of a PolygonIndex#serialize() file (relative to the data root), got ${show(indexPath)}`);
  if (!Array.isArray(pointShards) || pointShards.length === 0) throw new TypeError(`pointShards must be a non-empty array of shard references (shardFile with dims 2), got ${show(pointShards)}`);
  const refs = pointShards.map((s, i) => {
    const ref = checkShardRef(`pointShards[${i}]`, s);
    if (ref.dims !== 2 || ref.dtype === "uint8") throw new RangeError(`pointShards[${i}] must be float64 or float32 rows of dims 2 (x, y), got ${ref.dtype} x ${ref.dims}`);
    return ref;
  });
  assertNumber("maxDist", maxDist, { min: 0 });
  assertAbortSignal("signal", call.signal);
  const { signal, onProgress, outDir } = call;
  if (outDir !== undefined && (typeof outDir !== "string" || outDir.length === 0)) throw new TypeError(`outDir must be a non-empty path, got ${show(outDir)}`);
  const outputs = refs.map((ref) => matchOutputPath(ref, outDir));
  if (new Set(outputs).size !== outputs.length) throw new RangeError("two point shards would write the same result file (the same rows of the same file twice?)");
  if (signal?.aborted) throw abortError(signal);

  const batch = randomUUID();
  const { queue, events } = parts;
  const jobs = await queue.addBulk(
    refs.map((ref, i) => ({
      name: "match-points",
      data: { version: PAYLOAD_VERSION, index: indexPath, ref, maxDist: maxDist === Infinity ? "Infinity" : maxDist, output: outputs[i] } satisfies MatchPointsPayload,
      opts: { jobId: `${batch}.${i}`, attempts: 3, backoff: { type: "exponential", delay: 500 } },
    })),
  );
  let done = 0;
  const settled = await Promise.allSettled(
    jobs.map((job) =>
      waitForJob(job, events, signal).then((result) => {
        onProgress?.({ done: ++done, total: jobs.length });
        return result as MatchPointsResult;
      }),
    ),
  );
  if (signal?.aborted) {
    await removeUnstarted(queue, jobs.map((j) => j.id as string));
    throw abortError(signal);
  }
  await Promise.allSettled(jobs.map((job) => job.remove()));
  const failures = settled.flatMap((s, i) => (s.status === "rejected" ? [`shard ${i} (${refs[i].path}): ${(s.reason as Error).message}`] : []));
  if (failures.length) throw new Error(`matchPoints: ${failures.length} of ${refs.length} shard(s) failed: ${failures.join("; ")}`);
  return settled.map((s) => (s as PromiseFulfilledResult<MatchPointsResult>).value);
}
