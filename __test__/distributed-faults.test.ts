/**
 * Fault tolerance and refusals on real parts: a worker SIGKILLed in the
 * middle of a shard job (BullMQ's stalled-job recovery hands the job to
 * another worker: same bits), malformed payloads and unknown job names (a
 * failed job with a clear failedReason; the worker keeps serving), paths
 * outside the data root (refused), duplicate job ids (one job), and abort
 * (pending child jobs removed, AbortError).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { Queue, QueueEvents } from "bullmq";

import { fitGmm } from "../ts/gmm";
import type { GmmMvFit } from "../ts/gmm/multivariate/types";
import { connect, shardFile } from "../ts/distributed";
import type { DistributedClient } from "../ts/distributed";
import { GMM_STATS_CHUNK } from "../ts/limits.generated";
import { RedisCluster } from "./helpers/redis-cluster";
import { expectSameFit, mixtureBytes, mixtureRows, writeRows } from "./helpers/distributed-data";

let cluster: RedisCluster;
let dir: string;
let outside: string;
const clients: DistributedClient[] = [];
const closers: Array<() => Promise<unknown>> = [];

// 4 shards of 2^20 8-bit RGB rows: a shard job takes ~0.1 s on one thread, long enough to be killed in.
const BIG = 4 << 20;
const big = mixtureBytes(BIG, 3, 21);
const SMALL = 2 * GMM_STATS_CHUNK;
const small = mixtureRows(SMALL, 2, 22);
const init3 = {
  weights: Float64Array.of(0.3, 0.3, 0.4),
  means: Float64Array.of(0.1, 0.2, 0.1, 0.35, 0.45, 0.35, 0.6, 0.7, 0.6),
  covariances: Float64Array.from({ length: 27 }, (_, i) => (i % 9) % 4 === 0 ? 0.02 : 0),
};

async function client(queue: string): Promise<DistributedClient> {
  const c = await connect({ redis: cluster.url, queue });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "fk-dist-faults-"));
  outside = mkdtempSync(path.join(tmpdir(), "fk-dist-outside-"));
  writeRows(dir, "big.u8", big);
  writeRows(dir, "small.f64", small);
  writeRows(outside, "secret.f64", small);
  symlinkSync(path.join(outside, "secret.f64"), path.join(dir, "escape.f64"));
  mkdirSync(path.join(dir, "sub"));
  cluster = await RedisCluster.start();
}, 60000);

afterAll(async () => {
  for (const c of clients) await c.close();
  for (const close of closers) await close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

test("SIGKILL of a worker in the middle of a shard job: another worker takes the job over, the fit has the same bits", async () => {
  const fast = { lockDuration: 1000, stalledInterval: 500 };
  const victim = await cluster.startWorker({ queue: "kill", dataRoot: dir, ...fast });
  const survivor = await cluster.startWorker({ queue: "kill", dataRoot: dir, ...fast });
  const c = await client("kill");
  const shards = await shardFile("big.u8", { dtype: "uint8", dims: 3, shards: 4, root: dir });
  const options = { components: 3, iterations: 4, init: init3 };
  const fitting = c.fitGmm(shards, options);
  const line = await victim.waitFor(/job gmm-stats \S+\.r2\.\d+ started/);
  await victim.kill("SIGKILL");
  const jobId = / (\S+) started/.exec(line)![1];
  expect(victim.lines.some((l) => l.includes(`${jobId} done`))).toBe(false);
  const fit = await fitting;
  // The killed job was run again by the survivor (stalled-job recovery), and the answer is unchanged.
  expect(survivor.lines.some((l) => l.includes(`job gmm-stats ${jobId} done`))).toBe(true);
  expectSameFit(fit, fitGmm(big, { ...options, dims: 3 }) as GmmMvFit);
  await survivor.kill("SIGTERM");
});

test("malformed payloads and unknown job names fail with a clear failedReason; the worker keeps serving", async () => {
  const worker = await cluster.startWorker({ queue: "bad", dataRoot: dir });
  const queue = new Queue("bad", { connection: { url: cluster.url } });
  const events = new QueueEvents("bad", { connection: { url: cluster.url, maxRetriesPerRequest: null } });
  closers.push(() => queue.close(), () => events.close());
  await events.waitUntilReady();
  const failed = async (name: string, data: unknown) => {
    const job = await queue.add(name, data);
    await expect(job.waitUntilFinished(events)).rejects.toThrow();
    return (await queue.getJob(job.id!))!.failedReason;
  };
  expect(await failed("rm-rf", {})).toBe('unknown job name "rm-rf": fastkernels workers run gmm-stats, gmm-round, gmm-init, segment-image, match-points');
  expect(await failed("gmm-stats", { version: 1, fitId: "x" })).toBe("invalid gmm-stats payload: data.start is required");
  expect(await failed("gmm-stats", "not an object")).toBe('invalid gmm-stats payload: data must be an object, got "not an object"');
  expect(await failed("gmm-round", { version: 2, fitId: "x", start: 0, round: 1, shards: 1, regCovar: 0 })).toBe(
    "invalid gmm-round payload: data.version must be 1 (this worker's payload format), got 2",
  );
  const ref = { path: "small.f64", offset: -1, length: 10, dtype: "float64", dims: 2 };
  const model = { dims: 2, covariance: "full", weights: "AAAA", means: "", covariances: "" };
  expect(await failed("gmm-stats", { version: 1, fitId: "x", start: 0, round: 1, shard: 0, rowOffset: 0, ref, columns: [0, 1], model })).toBe(
    "invalid gmm-stats payload: data.ref.offset must be an integer >= 0, got -1",
  );
  expect(await failed("gmm-stats", { version: 1, fitId: "x", start: 0, round: 1, shard: 0, rowOffset: 0, ref: { ...ref, offset: 0 }, columns: [0, 1], model, extra: 1 })).toBe(
    'invalid gmm-stats payload: data has an unknown key "extra"',
  );
  // A well-formed model that is not one: the kernel's own message.
  expect(await failed("gmm-stats", { version: 1, fitId: "x", start: 0, round: 1, shard: 0, rowOffset: 0, ref: { ...ref, offset: 0 }, columns: [0, 1], model })).toMatch(
    /^gmm-stats: data\.model\.weights must hold whole float64 values, got 3 bytes/,
  );
  expect(worker.alive).toBe(true);
  // Same job id twice: one job (shard results are keyed by fit, start, round and shard).
  const a = await queue.add("rm-rf", {}, { jobId: "fit.s0.r1.0" });
  const b = await queue.add("rm-rf", { other: true }, { jobId: "fit.s0.r1.0" });
  expect(b.id).toBe(a.id);
  await expect(a.waitUntilFinished(events)).rejects.toThrow(/unknown job name/);
  expect((await queue.getJob("fit.s0.r1.0"))!.data).toEqual({});
  // Still serving: a whole fit.
  const c = await client("bad");
  const shards = await shardFile("small.f64", { dtype: "float64", dims: 2, shards: 2, root: dir });
  const fit = await c.fitGmm(shards, { components: 2, iterations: 3, init: "original" });
  expectSameFit(fit, fitGmm(small, { dims: 2, components: 2, iterations: 3, init: "original" }) as GmmMvFit);
});

test("paths outside the data root (.., absolute, a symlink leading out) are refused and say so", async () => {
  await cluster.startWorker({ queue: "root", dataRoot: dir });
  const c = await client("root");
  const shard = (p: string) => [{ path: p, offset: 0, length: SMALL, dtype: "float64" as const, dims: 2 }];
  const options = { components: 2, iterations: 2, init: "original" as const };
  await expect(c.fitGmm(shard(`../${path.basename(outside)}/secret.f64`), options)).rejects.toThrow(
    /shard 0 \(\.\.\/fk-dist-outside-\w+\/secret\.f64\) failed in EM iteration 1: gmm-stats: shard path "\.\.\/fk-dist-outside-\w+\/secret\.f64" is outside the data root; job paths must stay inside the worker's data root/,
  );
  await expect(c.fitGmm(shard(path.join(outside, "secret.f64")), options)).rejects.toThrow(/is absolute \(outside the data root\)/);
  await expect(c.fitGmm(shard("sub/../../etc/passwd"), options)).rejects.toThrow(/is outside the data root/);
  await expect(c.fitGmm(shard("escape.f64"), options)).rejects.toThrow(/shard path "escape\.f64" resolves \(through a symlink\) outside the data root/);
  // Inside the root, through `..`, is fine.
  const fit = await c.fitGmm(shard("sub/../small.f64"), options);
  expectSameFit(fit, fitGmm(small, { ...options, dims: 2 }) as GmmMvFit);
});

test("abort: pending child jobs are removed, the call rejects with an AbortError", async () => {
  const worker = await cluster.startWorker({ queue: "abort", dataRoot: dir });
  const c = await client("abort");
  const shards = await shardFile("big.u8", { dtype: "uint8", dims: 3, shards: 4, root: dir });
  const controller = new AbortController();
  const fitting = c.fitGmm(shards, { components: 3, iterations: 4, init: init3 }, {
    signal: controller.signal,
    onProgress: (e) => e.shardsDone === 1 && controller.abort(),
  });
  await expect(fitting).rejects.toMatchObject({ name: "AbortError" });
  const counts = await c.queue.getJobCounts("wait", "waiting-children", "delayed", "prioritized", "active", "completed", "failed");
  expect(counts).toEqual({ wait: 0, "waiting-children": 0, delayed: 0, prioritized: 0, active: 0, completed: 0, failed: 0 });
  // Shards that had not started never ran.
  expect(worker.lines.filter((l) => /job gmm-stats \S+ started/.test(l)).length).toBeLessThan(4);
  await expect(c.fitGmm(shards, { components: 3, iterations: 1, init: init3 }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
});

test("a missing shard file fails the fit with the worker's reason", async () => {
  writeFileSync(path.join(dir, "short.f64"), Buffer.alloc(16));
  const c = await client("root");
  await expect(c.fitGmm([{ path: "short.f64", offset: 0, length: 5, dtype: "float64", dims: 2 }], { components: 1, iterations: 1, init: "original" })).rejects.toThrow(
    /shard 0 \(short\.f64\) failed in EM iteration 1: gmm-stats: shard "short\.f64" rows 0 \+ 5 run past the end of the file \(1 rows of 16 bytes\)/,
  );
});
