/**
 * Batch segmentation on BullMQ workers (real redis-server, two worker
 * processes): one job per image, the files and models equal to the
 * single-machine `fastkernels segment --out-dir` run on the same images.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import sharp from "sharp";

import { connect } from "../ts/distributed";
import type { DistributedClient } from "../ts/distributed";
import type { SegmentSummary } from "../ts/segment";
import { RedisCluster, TSX_IMPORT } from "./helpers/redis-cluster";
import { mulberry32 } from "./helpers/random";

const root = path.join(__dirname, "..");
let cluster: RedisCluster;
let client: DistributedClient;
let dir: string;
const IMAGES = ["imgs/disc.png", "imgs/bars.png", "imgs/noise.png"];

async function makeImage(file: string, seed: number): Promise<void> {
  const width = 80, height = 56;
  const random = mulberry32(seed);
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const region = seed === 1 ? ((x - 40) ** 2 + (y - 28) ** 2 < 300 ? 1 : 0) : seed === 2 ? Math.floor(x / 27) : Math.floor(random() * 3);
      const base = [30, 120, 210][region];
      for (let c = 0; c < 3; c++) pixels[3 * (y * width + x) + c] = Math.min(255, base + 20 * c + Math.floor(random() * 25));
    }
  }
  await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toFile(path.join(dir, file));
}

function cli(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...TSX_IMPORT, path.join(root, "ts", "cli.ts"), "segment", ...args], { cwd: dir, env: { ...process.env, FASTKERNELS_SILENT: "1" } }, (error, _out, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(),
    );
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "fk-dist-seg-"));
  mkdirSync(path.join(dir, "imgs"));
  await Promise.all(IMAGES.map((file, i) => makeImage(file, i + 1)));
  cluster = await RedisCluster.start();
  await Promise.all([cluster.startWorker({ queue: "seg", dataRoot: dir }), cluster.startWorker({ queue: "seg", dataRoot: dir })]);
  client = await connect({ redis: cluster.url, queue: "seg" });
}, 60000);

afterAll(async () => {
  await client?.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function fitted(summary: SegmentSummary) {
  const { width, height, channel, colorSpace, components, model, logLikelihoods, iterations, converged } = summary;
  return { width, height, channel, colorSpace, components, model, logLikelihoods, iterations, converged };
}

test.each([
  ["gray (blue plane)", { components: 3, iterations: 6 }, [] as string[]],
  ["rgb, diag covariance", { components: 3, iterations: 4, colorSpace: "rgb" as const, covariance: "diag" as const }, ["--color-space", "rgb", "--covariance", "diag"]],
])("%s: segmentImages == `fastkernels segment --out-dir` (files byte for byte, same model)", async (label, options, flags) => {
  const outDir = `out-${label.split(" ")[0]}`;
  const progress: number[] = [];
  const summaries = await client.segmentImages(IMAGES, { ...options, outDir, labels: true }, { onProgress: (e) => progress.push(e.done) });
  expect(progress).toEqual([1, 2, 3]);
  await cli([...IMAGES, "--out-dir", `cli-${outDir}`, "--labels", "--components", String(options.components), "--iterations", String(options.iterations), "--quiet", ...flags]);
  for (const [i, file] of IMAGES.entries()) {
    const stem = path.basename(file, ".png");
    const summary = summaries[i];
    expect(summary.input).toBe(file);
    expect(summary.outputs).toEqual({ output: `${outDir}/${stem}.segmentation.png`, labels: `${outDir}/${stem}.labels.png`, json: `${outDir}/${stem}.json` });
    const single = JSON.parse(readFileSync(path.join(dir, `cli-${outDir}`, `${stem}.json`), "utf8")) as SegmentSummary;
    expect(fitted(summary)).toEqual(fitted(single));
    expect(JSON.parse(readFileSync(path.join(dir, summary.outputs.json!), "utf8"))).toEqual(JSON.parse(JSON.stringify(summary)));
    for (const kind of ["segmentation.png", "labels.png"]) {
      expect(readFileSync(path.join(dir, outDir, `${stem}.${kind}`)).equals(readFileSync(path.join(dir, `cli-${outDir}`, `${stem}.${kind}`)))).toBe(true);
    }
  }
  // Both workers took images.
  for (const worker of cluster.workers) expect(worker.lines.some((l) => /job segment-image \S+ done/.test(l))).toBe(true);
});

test("an image outside the data root or missing fails its job; the batch says which and why", async () => {
  await expect(client.segmentImages(["imgs/disc.png", "../elsewhere.png"], { components: 2, iterations: 2, outDir: "bad" })).rejects.toThrow(
    /segmentImages: 1 of 2 image\(s\) failed: \.\.\/elsewhere\.png: segment-image: input image "\.\.\/elsewhere\.png" is outside the data root/,
  );
  await expect(client.segmentImages(["imgs/none.png"], { components: 2, iterations: 2 })).rejects.toThrow(/input image "imgs\/none\.png" not found under the data root/);
  await expect(client.segmentImages(["imgs/disc.png"], { components: 2, iterations: 2, outDir: "../out" })).rejects.toThrow(/output folder "\.\.\/out" is outside the data root/);
  await expect(client.segmentImages(["a/x.png", "b/x.png"], { components: 2, iterations: 2, outDir: "o" })).rejects.toThrow(/would write the same files as an earlier image/);
});
