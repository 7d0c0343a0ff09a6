/**
 * The client side of batch segmentation: one `segment-image` job per image
 * (any worker takes any image), one `SegmentSummary` per image in input
 * order. Paths are relative to the workers' data root.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";

import { abortError } from "../errors";
import type { SegmentSummary } from "../segment/types";
import { assertAbortSignal, show } from "../validate";
import type { ClientParts } from "./client";
import { checkSegmentJobOptions, PAYLOAD_VERSION } from "./schema";
import type { SegmentImagePayload, SegmentJobOptions } from "./schema";
import { removeUnstarted, waitForJob } from "./wait";

export interface SegmentBatchOptions extends SegmentJobOptions {
  /** Output folder (relative to the data root); default: next to each input. */
  outDir?: string;
}

export interface SegmentBatchProgress {
  /** Images finished. */
  done: number;
  total: number;
}

export interface SegmentCallOptions {
  signal?: AbortSignal;
  onProgress?: (event: SegmentBatchProgress) => void;
}

export async function segmentImagesBatch(parts: ClientParts, paths: readonly string[], options: SegmentBatchOptions, call: SegmentCallOptions = {}): Promise<SegmentSummary[]> {
  if (!Array.isArray(paths) || paths.length === 0 || paths.some((p) => typeof p !== "string" || p.length === 0)) {
    throw new TypeError(`paths must be a non-empty array of image paths (relative to the workers' data root), got ${show(paths)}`);
  }
  const { outDir, ...rest } = options ?? ({} as SegmentBatchOptions);
  const jobOptions = checkSegmentJobOptions("options", rest);
  if (outDir !== undefined && (typeof outDir !== "string" || outDir.length === 0)) throw new TypeError(`options.outDir must be a non-empty path, got ${show(outDir)}`);
  const targets = paths.map((p) => `${outDir ?? path.posix.dirname(p)}/${path.posix.basename(p, path.posix.extname(p))}`);
  const seen = new Set<string>();
  for (const [i, t] of targets.entries()) {
    if (seen.has(t)) throw new RangeError(`paths[${i}] = ${JSON.stringify(paths[i])} would write the same files as an earlier image (${t}.*)`);
    seen.add(t);
  }
  assertAbortSignal("signal", call.signal);
  const { signal, onProgress } = call;
  if (signal?.aborted) throw abortError(signal);

  const batch = randomUUID();
  const { queue, events } = parts;
  const jobs = await queue.addBulk(
    paths.map((input, i) => ({
      name: "segment-image",
      data: { version: PAYLOAD_VERSION, input, ...(outDir === undefined ? {} : { outDir }), options: jobOptions } satisfies SegmentImagePayload,
      opts: { jobId: `${batch}.${i}`, attempts: 2, backoff: { type: "exponential", delay: 500 } },
    })),
  );
  let done = 0;
  const settled = await Promise.allSettled(
    jobs.map((job) =>
      waitForJob(job, events, signal).then((summary) => {
        onProgress?.({ done: ++done, total: jobs.length });
        return summary as SegmentSummary;
      }),
    ),
  );
  if (signal?.aborted) {
    await removeUnstarted(queue, jobs.map((j) => j.id as string));
    throw abortError(signal);
  }
  const failures = settled.flatMap((s, i) => (s.status === "rejected" ? [`${paths[i]}: ${(s.reason as Error).message}`] : []));
  await Promise.allSettled(jobs.map((job) => job.remove()));
  if (failures.length) throw new Error(`segmentImages: ${failures.length} of ${paths.length} image(s) failed: ${failures.join("; ")}`);
  return settled.map((s) => (s as PromiseFulfilledResult<SegmentSummary>).value);
}
