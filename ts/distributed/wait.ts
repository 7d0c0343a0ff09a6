/**
 * Waiting on BullMQ jobs from a client: a job's end (or the caller's
 * abort), a failed flow parent explained by its failed child's own
 * `failedReason` (BullMQ only says `child ... failed`), and the removal of
 * a flow's jobs that have not run yet.
 */
import { Job } from "bullmq";
import type { Queue, QueueEvents } from "bullmq";

import { abortError } from "../errors";

/** The job's return value, or its failure as an Error; rejects with an AbortError when `signal` aborts first. */
export function waitForJob(job: Job, events: QueueEvents, signal?: AbortSignal): Promise<unknown> {
  const finished = job.waitUntilFinished(events).then((value: unknown) => (typeof value === "string" ? JSON.parse(value) : value));
  if (!signal) return finished;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    finished.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The first failed child's `failedReason` (in `childIds` order), with its index. */
export async function failedChild(queue: Queue, childIds: readonly string[]): Promise<{ index: number; reason: string } | undefined> {
  for (const [index, id] of childIds.entries()) {
    const job = await Job.fromId(queue, id);
    if (job?.failedReason) return { index, reason: job.failedReason };
  }
  return undefined;
}

/**
 * Removes a flow: its children that have not run (at once), then the parent
 * with every child, retrying while a child is still active (a locked job
 * cannot be removed) for at most `patienceMs`.
 */
export async function removeFlow(queue: Queue, parentId: string, patienceMs: number): Promise<void> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    const parent = await Job.fromId(queue, parentId);
    if (!parent) return;
    try {
      await parent.removeUnprocessedChildren();
      await parent.remove({ removeChildren: true });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

/** Removes jobs that have not started (waiting, delayed, prioritized); active and finished ones are left. */
export async function removeUnstarted(queue: Queue, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const job = await Job.fromId(queue, id);
    if (!job) continue;
    const state = await job.getState();
    if (state === "waiting" || state === "delayed" || state === "prioritized" || state === "waiting-children") {
      await job.remove().catch(() => undefined);
    }
  }
}
