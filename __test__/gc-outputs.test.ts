/**
 * Outputs of native calls are memory the garbage collector sees. Native
 * results built from Rust memory (`Float64Array::new(vec)`) are external
 * ArrayBuffers whose finalizers run only when the event loop turns, so a
 * synchronous loop of 1,000 `computeDistanceMatrix` calls on 400 points grew
 * RSS by +1.3 GB. Outputs of known size are now allocated by the TS layer
 * (V8-owned) and filled in place; the others are copied into engine-owned
 * arrays. Each kernel runs 1,000 synchronous calls in a plain loop (no await)
 * in its own process (the built package, dist/) with `threads: 1`; RSS may
 * grow by less than 300 MB, though the loop returns gigabytes in total.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.join(__dirname, "..");
const fixture = path.join(__dirname, "fixtures", "gc-outputs.cjs");
const CALLS = 1000;
const LIMIT_MIB = 300;

interface Report {
  kernel: string;
  calls: number;
  backend: string;
  beforeMiB: number;
  peakMiB: number;
  afterMiB: number;
  growthMiB: number;
  returnedMiB: number;
  ms: number;
}

function run(kernel: string): Report {
  const result = spawnSync(process.execPath, [fixture, kernel, String(CALLS)], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, FASTKERNELS_BACKEND: "native", NAPI_RS_NATIVE_LIBRARY_PATH: undefined },
    maxBuffer: 1 << 20,
  });
  if (result.status !== 0 || result.signal !== null) {
    throw new Error(`gc-outputs.cjs ${kernel} exited with ${result.status} (signal ${result.signal}):\n${result.stderr}`);
  }
  return JSON.parse(result.stdout) as Report;
}

beforeAll(() => {
  if (!fs.existsSync(path.join(root, "dist", "index.js"))) throw new Error("dist/index.js is missing: run npm run build:ts first (npm test does)");
});

test.each(["computeDistanceMatrix", "PolygonIndex#nearest", "cie94Difference", "computeExpsumStable", "predictProba"])(
  "%s: 1,000 synchronous calls in a loop grow RSS by less than 300 MB",
  (kernel) => {
    const report = run(kernel);
    console.log(
      `${kernel}: ${report.calls} sync calls (threads 1, ${report.backend}) returned ${report.returnedMiB} MiB in ${report.ms} ms; ` +
        `RSS ${report.beforeMiB} -> peak ${report.peakMiB} MiB (+${report.growthMiB} MiB)`,
    );
    expect(report.backend).toBe("native");
    expect(report.calls).toBe(CALLS);
    expect(report.growthMiB).toBeLessThan(LIMIT_MIB);
  },
  120_000,
);
