/**
 * The native pools are bounded: calls with every `threads` value from 1 to 64
 * (and a scattered sequence up to 256) leave the process with a small, fixed
 * number of OS threads. On main, one pool per distinct value held 2,087
 * threads after threads = 1..64. Pools have min(threads, cores) workers and
 * at most 4 are cached (crates/node/src/pool.rs), so the bound checked here is
 * cores x 4 above the count before any call.
 *
 * Runs in its own process (the built package, dist/) so that jest's own
 * threads and the pools of other suites do not count. Linux only
 * (/proc/self/status).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.join(__dirname, "..");
const entry = path.join(root, "dist", "index.js");

interface Report {
  baseline: number;
  afterSync: number;
  afterAsync: number;
  after: number;
  peak: number;
  cores: number;
  differing: number;
}

function run(): Report {
  const result = spawnSync(process.execPath, [path.join(__dirname, "fixtures", "threads-bounded.cjs"), entry], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, FASTKERNELS_BACKEND: undefined, NAPI_RS_NATIVE_LIBRARY_PATH: undefined },
  });
  if (result.status !== 0) throw new Error(`threads-bounded.cjs exited with ${result.status} (signal ${result.signal}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as Report;
}

beforeAll(() => {
  if (!fs.existsSync(entry)) throw new Error("dist/index.js is missing: run npm run build:ts first (npm test does)");
  if (!fs.existsSync("/proc/self/status")) throw new Error("this test counts threads in /proc/self/status (Linux)");
});

test("threads = 1..64 (sync and async) and up to 256 keep the OS thread count bounded, with identical results", () => {
  const report = run();
  console.log(`OS threads: ${report.baseline} before any call, ${report.afterSync} after sync threads = 1..64, ${report.afterAsync} after 64 concurrent async calls, ${report.after} after 200 scattered values up to 256, peak ${report.peak}; ${report.cores} cores`);
  // The bound: far from one thread per requested thread.
  expect(report.peak).toBeLessThan(report.baseline + 64);
  // The design's bound: at most 4 cached pools of at most `cores` workers.
  expect(report.peak).toBeLessThanOrEqual(report.baseline + report.cores * 4);
  expect(report.after).toBeLessThanOrEqual(report.baseline + report.cores * 4);
  // Clamping the pool size changes no result.
  expect(report.differing).toBe(0);
});
