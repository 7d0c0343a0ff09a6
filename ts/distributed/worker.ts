/**
 * `startWorker`: a BullMQ worker serving the fastkernels job names. Every
 * payload is checked against its schema before anything runs; an unknown
 * name, a malformed payload, a path outside the data root or a kernel's
 * TypeError/RangeError fails that job at once (BullMQ's UnrecoverableError:
 * no retries, `failedReason` says why) and the worker keeps serving. Other
 * errors (storage hiccups) are retried as the job's `attempts` allow.
 */
import { Worker, UnrecoverableError } from "bullmq";
import type { Job } from "bullmq";

import { redisConnection } from "./connection";
import type { RedisTarget } from "./connection";
import { realDataRoot } from "./data-root";
import type { JobContext } from "./jobs/context";
import { runGmmInit } from "./jobs/gmm-init";
import { runGmmRound } from "./jobs/gmm-round";
import { runGmmStats } from "./jobs/gmm-stats";
import { runSegmentImage } from "./jobs/segment-image";
import { runMatchPoints } from "./jobs/match-points";
import { checkPayload, isJobName, JOB_NAMES } from "./schema";
import type { JobName, Payloads } from "./schema";
import { ShardCache } from "./shards";
import { assertInteger, show } from "../validate";
import { MAX_THREADS } from "../threads";

export const DEFAULT_QUEUE = "fastkernels";

export interface StartWorkerOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`), or ioredis options. */
  connection: RedisTarget;
  /** Queue name. Default `"fastkernels"`. */
  queue?: string;
  /** Jobs this process runs at once. Default 1 (each job uses `threads` native threads). */
  concurrency?: number;
  /** Native threads per kernel call; 0 = TypeScript reference. Default every core. */
  threads?: number;
  /** Folder that job paths are relative to. Default: the current folder. */
  dataRoot?: string;
  /** Bytes of shard rows kept in memory across EM rounds. Default 1 GiB. */
  cacheBytes?: number;
  /** BullMQ lock duration, ms (a dead worker's job is recovered after about this long). Default 30000. */
  lockDuration?: number;
  /** BullMQ stalled-job check interval, ms. Default 30000. */
  stalledInterval?: number;
  /** Times a job may stall before it fails. Default 1 (BullMQ's). */
  maxStalledCount?: number;
  /** Where the worker's lines go. Default: nowhere. */
  log?: (line: string) => void;
  /** Also log every job's start and end (not only failures). */
  logJobs?: boolean;
}

export interface WorkerHandle {
  /** Real path of the data root. */
  readonly dataRoot: string;
  /** The BullMQ worker (events, `cancelJob`, ...). */
  readonly worker: Worker;
  /** Waits for the running jobs, then disconnects. */
  close(): Promise<void>;
}

type Run = (payload: never, ctx: JobContext) => Promise<unknown>;
const RUNS: { [N in JobName]: (payload: Payloads[N], ctx: JobContext) => Promise<unknown> } = {
  "gmm-stats": runGmmStats,
  "gmm-round": runGmmRound,
  "gmm-init": runGmmInit,
  "segment-image": runSegmentImage,
  "match-points": runMatchPoints,
};

/** Errors that would be the same on a retry: fail the job once, with its message. */
function deterministic(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  return name === "TypeError" || name === "RangeError" || name === "DataRootError" || name === "AbortError" || /not found under the data root/.test(String((error as Error)?.message));
}

function positive(name: string, value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  assertInteger(name, value, 1, max);
  return value;
}

export async function startWorker(options: StartWorkerOptions): Promise<WorkerHandle> {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object with connection, got ${show(options)}`);
  const queue = options.queue ?? DEFAULT_QUEUE;
  if (typeof queue !== "string" || !/^[A-Za-z0-9_.-]{1,100}$/.test(queue)) throw new TypeError(`options.queue must be 1 to 100 characters of A-Z, a-z, 0-9, _, . and -, got ${show(queue)}`);
  const concurrency = positive("options.concurrency", options.concurrency, 1, 1024);
  if (options.threads !== undefined) assertInteger("options.threads", options.threads, 0, MAX_THREADS);
  const realRoot = await realDataRoot(options.dataRoot ?? ".");
  const cache = new ShardCache(positive("options.cacheBytes", options.cacheBytes, 2 ** 30));
  const log = options.log ?? (() => undefined);

  const processor = async (job: Job, _token?: string, signal?: AbortSignal): Promise<unknown> => {
    const name = job.name;
    if (!isJobName(name)) {
      throw new UnrecoverableError(`unknown job name ${JSON.stringify(name)}: fastkernels workers run ${JOB_NAMES.join(", ")}`);
    }
    let payload: Payloads[typeof name];
    try {
      payload = checkPayload(name, job.data);
    } catch (error) {
      throw new UnrecoverableError(`invalid ${name} payload: ${(error as Error).message}`);
    }
    const ctx: JobContext = {
      realRoot,
      threads: options.threads,
      cache,
      signal,
      progress: (value) => job.updateProgress(value),
      childrenValues: () => job.getChildrenValues(),
    };
    const started = performance.now();
    if (options.logJobs) log(`job ${name} ${job.id} started`);
    try {
      const result = await (RUNS[name] as Run)(payload as never, ctx);
      if (options.logJobs) log(`job ${name} ${job.id} done in ${(performance.now() - started).toFixed(1)} ms`);
      return result;
    } catch (error) {
      const message = `${name}: ${(error as Error)?.message ?? String(error)}`;
      log(`job ${name} ${job.id} failed: ${message}`);
      if (deterministic(error)) throw new UnrecoverableError(message);
      throw error;
    }
  };

  const worker = new Worker(queue, processor, {
    connection: redisConnection(options.connection, true),
    concurrency,
    ...(options.lockDuration === undefined ? {} : { lockDuration: positive("options.lockDuration", options.lockDuration, 30000) }),
    ...(options.stalledInterval === undefined ? {} : { stalledInterval: positive("options.stalledInterval", options.stalledInterval, 30000) }),
    ...(options.maxStalledCount === undefined ? {} : { maxStalledCount: positive("options.maxStalledCount", options.maxStalledCount, 1) }),
  });
  // Connection errors (ioredis prints host and port, never credentials) are
  // retried by ioredis; a repeated one is printed once until it changes.
  let lastError = "";
  worker.on("error", (error) => {
    if (error.message !== lastError) log(`worker error: ${(lastError = error.message)}`);
  });
  await worker.waitUntilReady();
  return {
    dataRoot: realRoot,
    worker,
    close: () => worker.close(),
  };
}
