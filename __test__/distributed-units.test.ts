/**
 * The pieces of the distributed layer that need no Redis: the wire codec
 * (bit-exact, -0 and NaN payloads included), shard cutting, the data-root
 * checks, and the round's merge refusing statistics of two instruction sets.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { gmmStatistics } from "../ts/gmm";
import type { GmmMvModel } from "../ts/gmm/multivariate/types";
import { decodeFloat64, encodeFloat64, toWireStatistics } from "../ts/distributed/codec";
import { realDataRoot, resolveForRead, resolveForWrite } from "../ts/distributed/data-root";
import { runGmmRound } from "../ts/distributed/jobs/gmm-round";
import type { JobContext } from "../ts/distributed/jobs/context";
import { readShardRows, ShardCache, shardFile, shardLengths } from "../ts/distributed/shards";
import { GMM_STATS_CHUNK } from "../ts/limits.generated";

test("float64 arrays travel bit for bit (-0, NaN payloads, subnormals)", () => {
  const bits = new Float64Array([-0, 0, Number.MIN_VALUE, -Number.MAX_VALUE, Infinity, 1 / 3]);
  const nan = new DataView(new ArrayBuffer(8));
  nan.setBigUint64(0, 0x7ff8_0000_dead_beefn, true);
  const values = Float64Array.of(...bits, nan.getFloat64(0, true));
  const back = decodeFloat64("x", encodeFloat64(values));
  expect(Buffer.from(back.buffer).equals(Buffer.from(values.buffer))).toBe(true);
  expect(() => decodeFloat64("x", "AAA")).toThrow(/x must be base64 of little-endian float64 values/);
  expect(() => decodeFloat64("x", "AAAA")).toThrow("x must hold whole float64 values, got 3 bytes");
  expect(() => decodeFloat64("x", 5)).toThrow(/x must be base64/);
});

test("shardLengths: near-equal pieces, all but the last whole chunks", () => {
  const C = GMM_STATS_CHUNK;
  expect(shardLengths(5 * C + 7, 3)).toEqual([2 * C, 2 * C, C + 7]);
  expect(shardLengths(10, 4)).toEqual([10]);
  expect(shardLengths(12_000_000, 16).reduce((a, b) => a + b, 0)).toBe(12_000_000);
  for (const length of shardLengths(12_000_000, 16).slice(0, -1)) expect(length % C).toBe(0);
});

describe("data root", () => {
  let dir: string, outside: string, root: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "fk-root-"));
    outside = mkdtempSync(path.join(tmpdir(), "fk-out-"));
    mkdirSync(path.join(dir, "a"));
    writeFileSync(path.join(dir, "a", "x.bin"), "x");
    writeFileSync(path.join(outside, "secret"), "s");
    symlinkSync(path.join(outside, "secret"), path.join(dir, "link"));
    symlinkSync(outside, path.join(dir, "linkdir"));
    symlinkSync(path.join(dir, "a"), path.join(dir, "inner"));
    root = await realDataRoot(dir);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  test("reads resolve inside the root, through .. and inner symlinks", async () => {
    expect(await resolveForRead(root, "f", "a/../a/x.bin")).toBe(path.join(root, "a", "x.bin"));
    expect(await resolveForRead(root, "f", "inner/x.bin")).toBe(path.join(root, "a", "x.bin"));
    await expect(resolveForRead(root, "f", "a/nope")).rejects.toThrow('f "a/nope" not found under the data root');
  });

  test.each([
    ["../x", /f "\.\.\/x" is outside the data root; job paths must stay inside the worker's data root \(--data-root\)/],
    ["/etc/passwd", /f "\/etc\/passwd" is absolute \(outside the data root\)/],
    ["link", /f "link" resolves \(through a symlink\) outside the data root/],
    ["linkdir/secret", /f "linkdir\/secret" resolves \(through a symlink\) outside the data root/],
  ])("read %s is refused", async (rel, message) => {
    await expect(resolveForRead(root, "f", rel)).rejects.toThrow(message);
  });

  test("writes: new files inside the root; symlinks leading out refused", async () => {
    expect(await resolveForWrite(root, "o", "a/new.png")).toBe(path.join(root, "a", "new.png"));
    expect(await resolveForWrite(root, "o", ".")).toBe(root);
    await expect(resolveForWrite(root, "o", "link")).rejects.toThrow(/o "link" is a symlink leading outside the data root/);
    await expect(resolveForWrite(root, "o", "linkdir/new")).rejects.toThrow(/resolves \(through a symlink\) outside the data root/);
    await expect(resolveForWrite(root, "o", "../new")).rejects.toThrow(/is outside the data root/);
  });

  test("shardFile refuses absolute paths and files that are not whole rows", async () => {
    await expect(shardFile("/abs.f64", { dtype: "float64", dims: 1, shards: 1 })).rejects.toThrow(/relative to the workers' data root/);
    await expect(shardFile("a/x.bin", { dtype: "float64", dims: 1, shards: 1, root: dir })).rejects.toThrow("a/x.bin has 1 bytes, not a whole number of rows of 1 float64 values (8 bytes)");
  });
});

test("ShardCache keeps the most recent shards within its budget", () => {
  const cache = new ShardCache(24);
  cache.set("a", new Float64Array(1));
  cache.set("b", new Float64Array(1));
  cache.get("a");
  cache.set("c", new Float64Array(2));
  expect([cache.get("a") !== undefined, cache.get("b") !== undefined, cache.get("c") !== undefined]).toEqual([true, false, true]);
  cache.set("huge", new Float64Array(100));
  expect(cache.get("huge")).toBeUndefined();
});

test("readShardRows: a cache hit is the same rows; a rewritten file is read again; bounds are checked on hits too", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "fk-shard-rows-"));
  try {
    const file = path.join(dir, "rows.f64");
    writeFileSync(file, Buffer.from(Float64Array.of(1, 2, 3, 4).buffer));
    const cache = new ShardCache(1 << 20);
    const ref = { path: "rows.f64", offset: 1, length: 2, dtype: "float64", dims: 1 } as const;
    const first = await readShardRows(file, ref, cache);
    expect(Array.from(first)).toEqual([2, 3]);
    expect(await readShardRows(file, ref, cache)).toBe(first);
    // Same size, new contents and mtime: read again.
    writeFileSync(file, Buffer.from(Float64Array.of(5, 6, 7, 8).buffer));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const second = await readShardRows(file, ref, cache);
    expect(second).not.toBe(first);
    expect(Array.from(second)).toEqual([6, 7]);
    // Truncated below the shard: refused although the rows are cached.
    writeFileSync(file, Buffer.from(Float64Array.of(9, 9).buffer));
    await expect(readShardRows(file, ref, cache)).rejects.toThrow('shard "rows.f64" rows 1 + 2 run past the end of the file (2 rows of 8 bytes)');
    await expect(readShardRows(dir, ref, cache)).rejects.toThrow('shard "rows.f64" is not a regular file');
    await expect(readShardRows(dir, ref)).rejects.toThrow(/EISDIR|is not a regular file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a round refuses to merge statistics of two instruction sets, and says so", async () => {
  const model: GmmMvModel = { dims: 1, covariance: "full", weights: Float64Array.of(0.5, 0.5), means: Float64Array.of(0.2, 0.8), covariances: Float64Array.of(0.05, 0.05) };
  const data = Float64Array.from({ length: 2 * GMM_STATS_CHUNK }, (_, i) => (i % 7) / 7);
  const first = gmmStatistics(data.subarray(0, GMM_STATS_CHUNK), model, { threads: 0 });
  const second = gmmStatistics(data.subarray(GMM_STATS_CHUNK), model, { rowOffset: GMM_STATS_CHUNK, threads: 0 });
  const ctx = (values: unknown[]): JobContext => ({
    realRoot: "/",
    threads: 0,
    cache: new ShardCache(1),
    signal: undefined,
    progress: async () => undefined,
    childrenValues: async () => Object.fromEntries(values.map((v, i) => [`bull:q:${i}`, v])),
  });
  const payload = { version: 1 as const, fitId: "f", start: 0, round: 1, shards: 2, regCovar: 1e-6 };
  const ok = await runGmmRound(payload, ctx([toWireStatistics(1, second), toWireStatistics(0, first)]));
  expect(ok.isa).toBe("js");
  await expect(runGmmRound(payload, ctx([toWireStatistics(0, first), toWireStatistics(1, { ...second, isa: "x86_64-avx2" })]))).rejects.toThrow(
    "merging shard 1 (isa x86_64-avx2) into shards 0..0 (isa js): statistics computed with js and x86_64-avx2 cannot be merged bit for bit; use workers on the same instruction set",
  );
  await expect(runGmmRound(payload, ctx([toWireStatistics(0, first)]))).rejects.toThrow("round 1 expected the statistics of 2 shards, got 1");
  await expect(runGmmRound(payload, ctx([toWireStatistics(0, first), toWireStatistics(0, second)]))).rejects.toThrow(/not one of 0\.\.1 exactly once/);
});
