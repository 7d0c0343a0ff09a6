/**
 * `fastkernels worker`: a long-running BullMQ worker process. bullmq is
 * loaded only when the command runs (the other commands never load it).
 */
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";

import { MAX_THREADS } from "../threads";
import { redactRedisUrl } from "./redact";

interface WorkerCliOptions {
  redis?: string;
  queue: string;
  concurrency: number;
  threads?: number;
  dataRoot: string;
  lockDuration?: number;
  stalledInterval?: number;
  cacheMb: number;
  logJobs?: boolean;
}

function integer(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
}

export function addWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description("Serve fastkernels jobs (sharded GMM fits, batch segmentation) from a BullMQ queue on Redis until SIGINT/SIGTERM.")
    .option("--redis <url>", "redis://[user:password@]host:port[/db] (default: $FASTKERNELS_REDIS_URL, which keeps a password out of the process list)")
    .option("--queue <name>", "queue name", "fastkernels")
    .option("--concurrency <n>", "jobs at once in this process", integer(1, 1024), 1)
    .option("--threads <n>", "native threads per job (0 = TypeScript reference; default every core)", integer(0, MAX_THREADS))
    .option("--data-root <dir>", "folder that job paths are relative to; nothing outside it is read or written", ".")
    .option("--lock-duration <ms>", "BullMQ job lock: a dead worker's job is taken over after about this long", integer(100, 3_600_000))
    .option("--stalled-interval <ms>", "how often this worker looks for stalled jobs", integer(100, 3_600_000))
    .option("--cache-mb <n>", "shard rows kept in memory across EM rounds (MiB)", integer(1, 1 << 24), 1024)
    .option("--log-jobs", "print a line when each job starts and ends")
    .action(async (opts: WorkerCliOptions) => {
      const url = opts.redis ?? process.env.FASTKERNELS_REDIS_URL;
      if (!url) {
        console.error("fastkernels worker: --redis <url> (or the environment variable FASTKERNELS_REDIS_URL) is required");
        process.exitCode = 2;
        return;
      }
      const log = (line: string) => console.log(`fastkernels worker: ${line}`);
      log(`connecting to ${redactRedisUrl(url)} (queue ${opts.queue})`);
      const { startWorker } = await import("./worker.js");
      const handle = await startWorker({
        connection: url,
        queue: opts.queue,
        concurrency: opts.concurrency,
        ...(opts.threads === undefined ? {} : { threads: opts.threads }),
        dataRoot: opts.dataRoot,
        ...(opts.lockDuration === undefined ? {} : { lockDuration: opts.lockDuration }),
        ...(opts.stalledInterval === undefined ? {} : { stalledInterval: opts.stalledInterval }),
        cacheBytes: opts.cacheMb * 2 ** 20,
        log,
        logJobs: opts.logJobs === true,
      });
      log(`serving queue ${opts.queue} on ${redactRedisUrl(url)}, data root ${handle.dataRoot}, concurrency ${opts.concurrency}, threads ${opts.threads ?? "all"}`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          log(`${signal}: finishing running jobs`);
          handle.close().then(resolve, resolve);
        };
        process.once("SIGINT", () => stop("SIGINT"));
        process.once("SIGTERM", () => stop("SIGTERM"));
      });
      log("stopped");
    });
}
