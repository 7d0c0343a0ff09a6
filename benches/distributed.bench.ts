/**
 * Scale-out overhead: the same EM fit (12 M float64 samples, d = 1 through
 * the multivariate path, K = 3, 10 iterations, one explicit start) in
 * process and on BullMQ workers (16 shards; 1 worker with every core, 2
 * workers with one thread each) over a local redis-server. Each sharded fit
 * is checked bit for bit against the in-process one before timing. The
 * overhead per EM round is (sharded - in-process) / 10; a second case with
 * 16 shards of one 16384-row chunk each isolates what a round costs in
 * Redis round trips and job scheduling; a third runs the same flow shape
 * with no-op jobs on a bare BullMQ worker (benches/noop-worker.ts): the
 * engine's own floor on this machine. Workers run 2 jobs at once
 * (`--concurrency 2`): one job's Redis hand-off overlaps the next one's
 * kernel, and the native admission queue keeps the cores from being
 * oversubscribed.
 *
 * `npm run bench:distributed` (needs redis-server on PATH and the native addon).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";

import { FlowProducer, QueueEvents } from "bullmq";

// ts/ is CommonJS: take its names from the default exports.
import fastkernels from "../ts/index.js";
import distributed from "../ts/distributed/index.js";
import helpers from "../__test__/helpers/redis-cluster.js";
import { machineDescription, runGroup, saveRows, seededRandom, size } from "./harness.js";
import type { ResultRow, Row } from "./harness.js";

const { fitGmm, GMM_STATS_CHUNK, backend } = fastkernels;
const { connect, shardFile } = distributed;
const { Proc, RedisCluster, TSX_IMPORT } = helpers;
if (backend !== "native") throw new Error("the distributed bench needs the native addon: run `npm run build:native` first");

const ITERATIONS = 10;
const SHARDS = 16;
const N = size(12_000_000, 400_000);
const TINY = SHARDS * GMM_STATS_CHUNK;
const CORES = availableParallelism();
/** Jobs per worker at once: the next shard's kernel runs while the last one's result goes to Redis. */
const CONCURRENCY = 2;
const init = { weights: Float64Array.of(0.3, 0.4, 0.3), means: Float64Array.of(0.15, 0.5, 0.9), covariances: Float64Array.of(0.01, 0.01, 0.01) };
const options = { components: 3, iterations: ITERATIONS, covariance: "full" as const, init };

function samples(n: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = [0.2, 0.55, 0.85][i % 3] + (random() - 0.5) * 0.2;
  return x;
}

function sameBits(a: { weights: Float64Array; means: Float64Array; covariances: Float64Array; logLikelihoods: Float64Array }, b: typeof a): void {
  for (const key of ["weights", "means", "covariances", "logLikelihoods"] as const) {
    const x = a[key], y = b[key];
    if (x.length !== y.length || x.some((v, i) => !Object.is(v, y[i]))) throw new Error(`sharded fit differs from the in-process fit in ${key}`);
  }
}

/**
 * 10 rounds of the sharded fit's flow shape (16 children returning a small
 * value, a parent reading them, the client waiting on the parent through
 * QueueEvents and removing the flow off the critical path) on a bare BullMQ
 * worker process: the cost of the engine alone, as a share of `inProcess`.
 */
async function engineFloor(cluster: { url: string }, inProcessMs: number): Promise<ResultRow[]> {
  const queue = "noop";
  const child = spawn(process.execPath, [...TSX_IMPORT, path.join(import.meta.dirname, "noop-worker.ts"), cluster.url, queue, String(CONCURRENCY)], { stdio: ["ignore", "pipe", "pipe"] });
  const worker = new Proc(child, "no-op worker");
  const flows = new FlowProducer({ connection: { url: cluster.url } });
  const events = new QueueEvents(queue, { connection: { url: cluster.url, maxRetriesPerRequest: null } });
  try {
    await worker.waitFor(/^ready$/, 30000);
    await events.waitUntilReady();
    let fit = 0;
    const rounds = async () => {
      const removals: Promise<unknown>[] = [];
      fit++;
      for (let round = 0; round < ITERATIONS; round++) {
        const id = `f${fit}.r${round}`;
        const node = await flows.add({
          name: "noop-round",
          queueName: queue,
          data: { round },
          opts: { jobId: id },
          children: Array.from({ length: SHARDS }, (_, shard) => ({ name: "noop-shard", queueName: queue, data: { shard, model: init.means.join(",") }, opts: { jobId: `${id}.${shard}`, removeOnComplete: true } })),
        });
        await node.job.waitUntilFinished(events);
        removals.push(node.job.remove({ removeChildren: true }).catch(() => undefined));
      }
      await Promise.allSettled(removals);
      return fit;
    };
    const label = `bare BullMQ worker, concurrency ${CONCURRENCY}`;
    const title = `BullMQ alone: ${ITERATIONS} rounds of ${SHARDS} no-op children + a parent (the engine's floor; overhead = % of the ${N / 1e6}M in-process fit)`;
    const [row] = await runGroup(title, [{ name: label, run: rounds }], { iterations: 5, warmupIterations: 1, time: 0 });
    console.log(`  ${label}: ${(row.medianMs / ITERATIONS).toFixed(1)} ms per round = ${((100 * row.medianMs) / inProcessMs).toFixed(1)}% of the in-process fit`);
    return [{ bench: "distributed", case: title, label, backend: "bullmq", threads: null, median_ms: row.medianMs, min_ms: row.minMs, samples: row.samples, overhead_ms: row.medianMs, overhead_pct: (100 * row.medianMs) / inProcessMs, per_round_ms: row.medianMs / ITERATIONS }];
  } finally {
    await Promise.allSettled([flows.close(), events.close()]);
    await worker.kill("SIGTERM");
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "fk-bench-dist-"));
  const cluster = await RedisCluster.start();
  const rows: ResultRow[] = [];
  try {
    const big = samples(N, 1);
    const tiny = samples(TINY, 2);
    writeFileSync(path.join(dir, "big.f64"), Buffer.from(big.buffer));
    writeFileSync(path.join(dir, "tiny.f64"), Buffer.from(tiny.buffer));
    const bigShards = await shardFile("big.f64", { dtype: "float64", dims: 1, shards: SHARDS, root: dir });
    const tinyShards = await shardFile("tiny.f64", { dtype: "float64", dims: 1, shards: SHARDS, root: dir });
    const setups = [
      { label: `BullMQ, 1 worker x ${CORES} threads, concurrency ${CONCURRENCY}`, queue: "one", workers: [CORES] },
      { label: `BullMQ, ${CORES} workers x 1 thread, concurrency ${CONCURRENCY}`, queue: "two", workers: Array.from({ length: CORES }, () => 1) },
    ];
    const clients: Awaited<ReturnType<typeof connect>>[] = [];
    for (const setup of setups) {
      for (const threads of setup.workers) await cluster.startWorker({ queue: setup.queue, dataRoot: dir, threads, concurrency: CONCURRENCY, logJobs: false });
      clients.push(await connect({ redis: cluster.url, queue: setup.queue }));
    }
    for (const [data, shards, title] of [
      [big, bigShards, `fitGmm ${N / 1e6}M samples, K=3 x ${ITERATIONS} iterations, ${SHARDS} shards`],
      [tiny, tinyShards, `fitGmm ${SHARDS} x 16384 samples (scheduling only), K=3 x ${ITERATIONS} iterations, ${SHARDS} shards`],
    ] as const) {
      const expected = fitGmm(data, options) as never;
      const inProcess = `in-process, native, ${CORES} threads`;
      const measured: Row[] = await runGroup(
        title,
        [
          { name: inProcess, run: () => fitGmm(data, options) },
          ...setups.map((setup, i) => ({ name: setup.label, run: () => clients[i].fitGmm(shards, options), check: (fit: unknown) => sameBits(fit as never, expected) })),
        ],
        { iterations: 3, warmupIterations: 1, time: 0 },
      );
      const base = measured[0];
      for (const row of measured) {
        const overhead = row.medianMs - base.medianMs;
        const sharded = row !== base;
        rows.push({
          bench: "distributed",
          case: title,
          label: row.name,
          backend: sharded ? "bullmq" : "native",
          threads: sharded ? null : CORES,
          median_ms: row.medianMs,
          min_ms: row.minMs,
          samples: row.samples,
          ...(sharded ? { overhead_ms: overhead, overhead_pct: (100 * overhead) / base.medianMs, per_round_ms: overhead / ITERATIONS } : {}),
        });
        if (sharded) console.log(`  ${row.name}: overhead ${overhead.toFixed(1)} ms (${((100 * overhead) / base.medianMs).toFixed(1)}%), ${(overhead / ITERATIONS).toFixed(1)} ms per EM round`);
      }
    }
    for (const c of clients) await c.close();
    rows.push(...(await engineFloor(cluster, rows[0].median_ms as number)));
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${machineDescription()}`);
  saveRows("distributed", rows);
}

await main();
