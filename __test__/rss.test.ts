/**
 * Outputs the GC can see: 1,000 calls of every output-returning kernel in a
 * synchronous loop (no await, so no event-loop turn in which finalizers of
 * external buffers could run), in a fresh process per kernel and backend
 * (`__test__/fixtures/rss-output-loop.cjs`). RSS may grow by at most
 * 300 MB over the loop: a result V8 can account for is collected during the
 * loop, one it cannot see (an external buffer whose size V8 is not told)
 * piles up until the loop ends (100k samples x K = 3 x 8 bytes x 3 outputs
 * x 1,000 calls is about 4 GB). `threads: 0` (ordinary ArrayBuffers) is the
 * baseline.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { backend } from "../ts";

const root = path.join(__dirname, "..");
const entry = path.join(root, "dist", "index.js");
const fixture = path.join(__dirname, "fixtures", "rss-output-loop.cjs");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { kernelNames } = require(fixture) as { kernelNames: string[] };

const CALLS = 1000;
const BOUND_MB = 300;
const MB = 1024 * 1024;

interface LoopReport {
  kernel: string;
  threads: number;
  before: number;
  after: number;
  peak: number;
  growth: number;
  peakGrowth: number;
  ms: number;
}

type Result = { report: LoopReport } | { error: string };

function runLoop(kernel: string, threads: number): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--expose-gc", fixture, entry, kernel, String(threads), String(CALLS)], {
      cwd: root,
      env: { ...process.env, FASTKERNELS_BACKEND: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ report: JSON.parse(stdout) as LoopReport });
      else resolve({ error: `exit code ${code}, signal ${signal}: ${stderr.trim().split("\n").slice(-3).join(" | ")}` });
    });
  });
}

const results = new Map<string, Result>();
const key = (kernel: string, threads: number) => `${kernel} (threads ${threads})`;

beforeAll(async () => {
  if (!fs.existsSync(entry)) throw new Error("dist/index.js is missing: run npm run build:ts first");
  const jobs: Array<[string, number]> = [];
  for (const kernel of kernelNames) for (const threads of [1, 0]) jobs.push([kernel, threads]);
  // Two processes at a time (two cores); each measures only its own RSS.
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const [kernel, threads] = jobs[next++];
      results.set(key(kernel, threads), await runLoop(kernel, threads));
    }
  };
  await Promise.all([worker(), worker()]);
  const rows = [...results].map(([name, r]) =>
    "report" in r
      ? { loop: name, "RSS growth MB": +(r.report.growth / MB).toFixed(1), "peak growth MB": +(r.report.peakGrowth / MB).toFixed(1), "loop s": +(r.report.ms / 1000).toFixed(2) }
      : { loop: name, error: r.error },
  );
  console.log(`RSS over ${CALLS} synchronous calls (bound ${BOUND_MB} MB):\n${rows.map((r) => JSON.stringify(r)).join("\n")}`);
}, 900_000);

test("the native backend is loaded (threads: 1 must really run native)", () => {
  expect(backend).toBe("native");
});

describe.each([1, 0])(`RSS growth over ${CALLS} synchronous calls stays under ${BOUND_MB} MB (threads %i)`, (threads) => {
  test.each(kernelNames)("%s", (kernel) => {
    const result = results.get(key(kernel, threads)) as Result;
    if ("error" in result) throw new Error(`${key(kernel, threads)} did not finish: ${result.error}`);
    const { growth, peakGrowth } = result.report;
    const figure = `${key(kernel, threads)}: RSS grew ${(growth / MB).toFixed(1)} MB (peak ${(peakGrowth / MB).toFixed(1)} MB) over ${CALLS} calls`;
    expect({ figure, underBound: peakGrowth < BOUND_MB * MB }).toEqual({ figure, underBound: true });
  });
});
