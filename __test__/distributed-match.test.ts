/**
 * Sharded point matching on BullMQ workers (real redis-server, two worker
 * processes): the PolygonIndex serialised once to a file, one job per shard
 * of points, each writing its best matches; the concatenated result files
 * equal `index.bestMatch` on all the points.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { PolygonIndex } from "../ts/polygon/polygon-index";
import { connect, shardFile } from "../ts/distributed";
import type { DistributedClient } from "../ts/distributed";
import { RedisCluster } from "./helpers/redis-cluster";
import { latticePoints, latticePolygons } from "./helpers/polygon-data";
import { writeRows } from "./helpers/distributed-data";

let cluster: RedisCluster;
let client: DistributedClient;
let dir: string;
const polygons = latticePolygons(31, 4000, 80);
const points = latticePoints(32, 50_000, 80);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "fk-dist-match-"));
  writeFileSync(path.join(dir, "index.fkpg"), new PolygonIndex(polygons).serialize());
  writeRows(dir, "points.f64", points);
  writeRows(dir, "points.f32", Float32Array.from(points));
  writeFileSync(path.join(dir, "broken.fkpg"), Buffer.from("not an index"));
  cluster = await RedisCluster.start();
  await Promise.all([cluster.startWorker({ queue: "match", dataRoot: dir }), cluster.startWorker({ queue: "match", dataRoot: dir })]);
  client = await connect({ redis: cluster.url, queue: "match" });
}, 60000);

afterAll(async () => {
  await client?.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function readResults(results: { path: string; length: number }[]): Int32Array {
  const parts = results.map((r) => {
    const bytes = readFileSync(path.join(dir, r.path));
    expect(bytes.byteLength).toBe(4 * r.length);
    return new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  });
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

test.each([
  ["float64", "points.f64", 3],
  ["float32", "points.f32", 1.5],
  ["float64, maxDist Infinity", "points.f64", Infinity],
] as const)("%s points in 4 shards == index.bestMatch on all points", async (_label, file, maxDist) => {
  const dtype = file.endsWith("f32") ? "float32" : "float64";
  const shards = await shardFile(file, { dtype, dims: 2, shards: 4, root: dir, rows: 50_000 });
  // shardFile aligns to GMM_STATS_CHUNK rows: 50 000 rows make 4 shards of 16384, 16384, 16384, 848.
  expect(shards.map((s) => s.length)).toEqual([16384, 16384, 16384, 848]);
  const progress: number[] = [];
  const results = await client.matchPoints("index.fkpg", shards, maxDist, { outDir: `out-${dtype}-${maxDist}`, onProgress: (e) => progress.push(e.done) });
  expect(progress).toEqual([1, 2, 3, 4]);
  expect(results.map((r) => [r.path, r.offset, r.length, r.dtype])).toEqual(
    shards.map((s) => [`out-${dtype}-${maxDist}/points.${s.offset}-${s.offset + s.length}.best.i32`, s.offset, s.length, "int32"]),
  );
  const input = dtype === "float32" ? Float32Array.from(points) : points;
  const expected = new PolygonIndex(polygons).bestMatch(input, maxDist);
  const actual = readResults(results);
  expect(actual).toEqual(expected);
  expect(results.reduce((n, r) => n + r.matched, 0)).toBe(expected.filter((m) => m >= 0).length);
});

test("a corrupt index file and an index outside the data root fail with the reason", async () => {
  const shards = await shardFile("points.f64", { dtype: "float64", dims: 2, shards: 1, root: dir });
  await expect(client.matchPoints("broken.fkpg", shards, 1)).rejects.toThrow(/matchPoints: 1 of 1 shard\(s\) failed: shard 0 \(points\.f64\): match-points: .+/);
  await expect(client.matchPoints("../index.fkpg", shards, 1)).rejects.toThrow(/index "\.\.\/index\.fkpg" is outside the data root/);
  await expect(client.matchPoints("index.fkpg", [{ ...shards[0], dims: 3 }], 1)).rejects.toThrow(/pointShards\[0\] must be float64 or float32 rows of dims 2/);
});
