/**
 * Admission of native async calls (crates/node/src/run.rs): at most one job
 * per core is in the rayon pools, the rest wait in a FIFO queue holding only
 * their own inputs. On main, 2,000 concurrent fitGmmAsync calls on 300k
 * samples crashed with SIGSEGV: workers waiting inside a rayon join stole
 * other top-level jobs and nested them on one stack without bound.
 *
 * Scale here: 3,000 concurrent fitGmmAsync calls on 20,000 samples each (10
 * EM iterations, 3-8 s and ~500 MB peak RSS on the 2-core machine; the queued
 * calls hold their input copies), then 1,000 concurrent calls across the
 * families. `node scripts/stress-admission.cjs` runs the full size (300k
 * samples, 3,000 mixed calls); it is not part of npm test.
 *
 * Runs in its own process (the built package, dist/) so that a crash is an
 * exit signal this test can see, not the end of jest.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.join(__dirname, "..");
const entry = path.join(root, "dist", "index.js");

interface BatchReport {
  calls: number;
  ms: number;
  mismatches: string[];
  mismatchCount: number;
}

interface Report {
  fits: BatchReport;
  mixed: BatchReport & { kinds: string[] };
  threadsBefore: number | null;
  threadsPeak: number | null;
  peakRssMiB: number;
}

const SCALE = { fits: 3000, samples: 20_000, iterations: 10, mixed: 1000, mixedSamples: 20_000 };

let report: Report;

beforeAll(() => {
  if (!fs.existsSync(entry)) throw new Error("dist/index.js is missing: run npm run build:ts first (npm test does)");
  const result = spawnSync(process.execPath, [path.join(__dirname, "fixtures", "admission.cjs"), entry, JSON.stringify(SCALE)], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, FASTKERNELS_BACKEND: undefined, NAPI_RS_NATIVE_LIBRARY_PATH: undefined },
    maxBuffer: 16 << 20,
  });
  // A crash (SIGSEGV from a stack overflow, an abort) must fail the suite, not skip it.
  if (result.status !== 0 || result.signal !== null) {
    throw new Error(`admission.cjs exited with ${result.status} (signal ${result.signal}):\n${result.stderr}`);
  }
  report = JSON.parse(result.stdout) as Report;
  console.log(
    `${report.fits.calls} concurrent fitGmmAsync on ${SCALE.samples} samples: ${report.fits.ms} ms; ` +
      `${report.mixed.calls} mixed async calls: ${report.mixed.ms} ms; ` +
      `threads ${report.threadsBefore} before, at most ${report.threadsPeak}; peak RSS ${report.peakRssMiB} MiB`,
  );
}, 120_000);

test("3,000 concurrent fitGmmAsync calls all resolve, bit for bit equal to the sync fitGmm", () => {
  expect(report.fits.calls).toBe(SCALE.fits);
  expect(report.fits.mismatches).toEqual([]);
  expect(report.fits.mismatchCount).toBe(0);
});

test("1,000 concurrent async calls across the families all resolve, bit for bit equal to their sync twins", () => {
  expect(report.mixed.calls).toBe(SCALE.mixed);
  expect(report.mixed.kinds).toEqual(
    expect.arrayContaining(["fitGmmAsync", "computeExpsumStableAsync", "cie94DifferenceAsync", "smacofAsync", "mdsAsync", "PolygonIndex#bestMatchAsync"]),
  );
  expect(report.mixed.mismatches).toEqual([]);
  expect(report.mixed.mismatchCount).toBe(0);
});
