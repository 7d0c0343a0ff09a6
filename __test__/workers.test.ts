/**
 * worker_threads and memory: the addon loads and works in workers, survives
 * workers being created and terminated (even mid-call), and repeated calls
 * keep RSS flat. Every kernel comes from scripts/kernel-probes.cjs, so a new
 * kernel is covered by adding one probe there.
 *
 * Workers and the memory loops run the built package (dist/, which npm test
 * builds before jest); the churn and RSS loops run in their own processes so
 * jest's own memory does not blur the numbers.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";

import { backend } from "../ts";

const root = path.join(__dirname, "..");
const entry = path.join(root, "dist", "index.js");
const fixtures = path.join(__dirname, "fixtures");
const THREADS = 2;

interface CheckMessage {
  backend: string;
  errors: string[];
}

function runWorker(mode: "check" | "inflight"): Promise<CheckMessage | string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(fixtures, "worker-kernels.cjs"), { workerData: { entry, threads: THREADS, mode } });
    worker.once("error", reject);
    worker.once("message", async (message: CheckMessage | string) => {
      await worker.terminate();
      resolve(message);
    });
  });
}

function runScript(script: string, args: string[], nodeFlags: string[] = []) {
  const result = spawnSync(process.execPath, ["--expose-gc", ...nodeFlags, path.join(fixtures, script), entry, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, FASTKERNELS_BACKEND: undefined, NAPI_RS_NATIVE_LIBRARY_PATH: undefined },
    maxBuffer: 16 << 20,
  });
  if (result.status !== 0) throw new Error(`${script} exited with ${result.status} (signal ${result.signal}):\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

beforeAll(() => {
  if (!fs.existsSync(entry)) throw new Error("dist/index.js is missing: run npm run build:ts first (npm test does)");
});

test("the native backend is loaded (these tests must not silently run on the reference)", () => {
  expect(backend).toBe("native");
});

describe("worker_threads", () => {
  test("the addon loads in a worker and every kernel gives its known answer there (both backends)", async () => {
    const message = (await runWorker("check")) as CheckMessage;
    expect(message.errors).toEqual([]);
    expect(message.backend).toBe("native");
  });

  test("four workers calling kernels at once all get the right answers", async () => {
    const messages = (await Promise.all(Array.from({ length: 4 }, () => runWorker("check")))) as CheckMessage[];
    for (const message of messages) {
      expect(message.errors).toEqual([]);
      expect(message.backend).toBe("native");
    }
  });

  test("a worker terminated while its native async calls run does not take the process down", async () => {
    expect(await runWorker("inflight")).toBe("started");
    // The main thread's addon and pool still work afterwards.
    const message = (await runWorker("check")) as CheckMessage;
    expect(message.errors).toEqual([]);
  });

  test("50 workers created and terminated in a loop (half of them mid-call): no crash, memory bounded", () => {
    const report = runScript("worker-churn.cjs", ["50", String(THREADS)]);
    console.log(`worker churn: RSS after every 10 workers (MiB): ${report.rss.join(", ")}`);
    expect(report.errors).toEqual([]);
    expect(report.nativeWorkers).toBe(report.checkWorkers);
    expect(report.rss).toHaveLength(5);
    // A worker's isolate, heap and addon instance take megabytes; leaking
    // them would add well over 100 MiB across the last 40 workers.
    const [after10, , , , after50] = report.rss as number[];
    expect(after50).toBeLessThan(after10 * 1.5);
  }, 180_000);
});

describe("memory", () => {
  test("10,000 calls of each kernel keep RSS flat after warm-up (< 10% growth)", () => {
    // V8 grows its young generation with the allocation rate (a few MiB at a
    // time, long after warm-up); pinning its size keeps that heap sizing out
    // of the measurement, so what remains would be a real leak.
    const report = runScript("worker-rss-loop.cjs", ["10000", String(THREADS)], ["--min-semi-space-size=16", "--max-semi-space-size=16"]);
    expect(report.backend).toBe("native");
    const rows = report.results as Array<{ name: string; before: number; after: number; growth: number; ms: number }>;
    console.log(
      "RSS over 10,000 calls per kernel:\n" +
        rows.map((r) => `  ${r.name}: ${(r.before / 2 ** 20).toFixed(1)} -> ${(r.after / 2 ** 20).toFixed(1)} MiB (${(100 * r.growth).toFixed(2)}%, ${r.ms} ms)`).join("\n"),
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect({ name: row.name, growthUnder10Percent: row.growth < 0.1 }).toEqual({ name: row.name, growthUnder10Percent: true });
  }, 180_000);
});
