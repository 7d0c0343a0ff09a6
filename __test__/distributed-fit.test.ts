/**
 * Sharded fitGmm on real parts (redis-server + worker processes): the
 * result has the bits of the in-process fit on the concatenated data with
 * 1, 2 and 3 workers, for the seeded default init (drawn once by a worker),
 * an explicit init with tol, 'original' with 8-bit data, and d = 1.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { fitGmm } from "../ts/gmm";
import type { GmmMvFit } from "../ts/gmm/multivariate/types";
import { connect, shardFile } from "../ts/distributed";
import type { DistributedClient } from "../ts/distributed";
import { GMM_STATS_CHUNK } from "../ts/limits.generated";
import { RedisCluster } from "./helpers/redis-cluster";
import { expectSameFit, mixtureBytes, mixtureRows, writeRows } from "./helpers/distributed-data";

let cluster: RedisCluster;
let client: DistributedClient;
let dir: string;
const QUEUE = "fit";

const N2 = 5 * GMM_STATS_CHUNK + 777;
const rows2 = mixtureRows(N2, 2, 11);
const N1 = 4 * GMM_STATS_CHUNK + 5;
const rows1 = mixtureRows(N1, 1, 12);
const N3 = 3 * GMM_STATS_CHUNK + 100;
const bytes3 = mixtureBytes(N3, 3, 13);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "fk-dist-fit-"));
  writeRows(dir, "two.f64", rows2);
  writeRows(dir, "one.f32", Float32Array.from(rows1));
  writeRows(dir, "rgb.u8", bytes3);
  cluster = await RedisCluster.start();
  await cluster.startWorker({ queue: QUEUE, dataRoot: dir });
  client = await connect({ redis: cluster.url, queue: QUEUE });
}, 60000);

afterAll(async () => {
  await client?.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("1 worker: default init (k-means++ drawn once by a worker), d = 2, 3 shards == fitGmm bit for bit", async () => {
  const shards = await shardFile("two.f64", { dtype: "float64", dims: 2, shards: 3, root: dir });
  expect(shards.map((s) => [s.offset, s.length])).toEqual([[0, 2 * GMM_STATS_CHUNK], [2 * GMM_STATS_CHUNK, 2 * GMM_STATS_CHUNK], [4 * GMM_STATS_CHUNK, GMM_STATS_CHUNK + 777]]);
  const events: number[] = [];
  const fit = await client.fitGmm(shards, { components: 3, iterations: 6, seed: 5 }, { onProgress: (e) => e.logLikelihood !== undefined && events.push(e.done) });
  expectSameFit(fit, fitGmm(rows2, { dims: 2, components: 3, iterations: 6, seed: 5 }) as GmmMvFit);
  expect(events).toEqual([1, 2, 3, 4, 5, 6]);
  expect(JSON.parse(JSON.stringify(fit)).format).toBe("fastkernels-gmm");
});

test("2 workers: explicit init, diag covariance, tol (converges early) == fitGmm bit for bit", async () => {
  await cluster.startWorker({ queue: QUEUE, dataRoot: dir });
  const shards = await shardFile("two.f64", { dtype: "float64", dims: 2, shards: 5, root: dir });
  const init = { weights: Float64Array.of(0.3, 0.3, 0.4), means: Float64Array.of(0.1, 0.1, 0.3, 0.3, 0.6, 0.6), covariances: Float64Array.of(0.01, 0.01, 0.01, 0.01, 0.01, 0.01) };
  const options = { components: 3, iterations: 50, covariance: "diag" as const, init, tol: 1e-6 };
  const fit = await client.fitGmm(shards, options);
  const expected = fitGmm(rows2, { ...options, dims: 2 }) as GmmMvFit;
  expect(expected.converged).toBe(true);
  expectSameFit(fit, expected);
});

test("3 workers: 8-bit rows (dims 3, columns [0, 2]), 'original' init, and d = 1 float32 == fitGmm bit for bit", async () => {
  await cluster.startWorker({ queue: QUEUE, dataRoot: dir });
  expect(cluster.workers).toHaveLength(3);
  const rgb = await shardFile("rgb.u8", { dtype: "uint8", dims: 3, shards: 3, root: dir });
  const options = { components: 2, iterations: 5, init: "original" as const, columns: [0, 2] };
  expectSameFit(await client.fitGmm(rgb, options), fitGmm(bytes3, { ...options, dims: 3 }) as GmmMvFit);
  // d = 1: the multivariate path (an explicit covariance selects it in-process; the 1-D kernel is another path).
  const one = await shardFile("one.f32", { dtype: "float32", dims: 1, shards: 4, root: dir });
  const fit1 = await client.fitGmm(one, { components: 3, iterations: 7, covariance: "full" });
  expectSameFit(fit1, fitGmm(Float32Array.from(rows1), { components: 3, iterations: 7, covariance: "full" }) as GmmMvFit);
  expect(fit1.stdevs).toHaveLength(3);
  // Every worker took part.
  for (const worker of cluster.workers) expect(worker.lines.some((l) => /job gmm-stats \S+ done/.test(l))).toBe(true);
});

test("shards that do not align to GMM_STATS_CHUNK and unknown options are refused before any job", async () => {
  const bad = [
    { path: "two.f64", offset: 0, length: 1000, dtype: "float64" as const, dims: 2 },
    { path: "two.f64", offset: 1000, length: 1000, dtype: "float64" as const, dims: 2 },
  ];
  await expect(client.fitGmm(bad, { components: 2, iterations: 2 })).rejects.toThrow(/shards\[0\]\.length must be a multiple of GMM_STATS_CHUNK = 16384/);
  const shards = await shardFile("two.f64", { dtype: "float64", dims: 2, shards: 2, root: dir });
  await expect(client.fitGmm(shards, { components: 2, iterations: 2, threads: 2 } as never)).rejects.toThrow(/unknown key "threads"/);
  await expect(client.fitGmm(shards, { components: 2, iterations: 2, dims: 3 })).rejects.toThrow(/options.dims must equal the shards' dims = 2/);
});
