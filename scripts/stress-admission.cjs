#!/usr/bin/env node
// Full-size stress of the admission of native async calls (not part of npm
// test; __test__/admission.test.ts runs a small scale of the same workload):
// 3,000 concurrent fitGmmAsync calls on 300k samples each, then a 3,000-call
// mixed batch across the families, every result compared bit for bit with
// the sync call. Prints timing, the OS thread count and peak RSS. On main,
// 2,000 such fits crashed with SIGSEGV (unbounded nesting on a rayon stack).
//
// Needs the release addon (npm run build:native) and dist/ (npm run build:ts).
// Memory: every queued call holds its own copy of its input (300k doubles =
// 2.4 MB), so 3,000 fits need about 7 GB.
// Usage: node scripts/stress-admission.cjs [fits] [samples]
"use strict";
const os = require("node:os");
const path = require("node:path");
const { performance } = require("node:perf_hooks");

const root = path.join(__dirname, "..");
const { run } = require(path.join(root, "__test__", "fixtures", "admission.cjs"));
const fk = require(path.join(root, "dist", "index.js"));

const fits = Number(process.argv[2] ?? 3000);
const samples = Number(process.argv[3] ?? 300_000);
const options = { fits, samples, iterations: 10, mixed: 3000, mixedSamples: 50_000 };

const started = performance.now();
run(fk, options).then(
  (report) => {
    const { fits: f, mixed: m } = report;
    console.log(`cores: ${os.availableParallelism()}, backend: ${fk.backend}`);
    console.log(`${f.calls} concurrent fitGmmAsync on ${samples} samples (${options.iterations} iterations): ${(f.ms / 1000).toFixed(1)} s, ${f.mismatchCount} differ from sync fitGmm`);
    console.log(`${m.calls} concurrent mixed async calls (${m.kinds.join(", ")}): ${(m.ms / 1000).toFixed(1)} s, ${m.mismatchCount} differ from sync`);
    for (const line of [...f.mismatches, ...m.mismatches]) console.log(`  mismatch: ${line}`);
    console.log(`OS threads: ${report.threadsBefore} before, at most ${report.threadsPeak} during`);
    console.log(`peak RSS: ${report.peakRssMiB} MiB; total ${((performance.now() - started) / 1000).toFixed(1)} s`);
    process.exitCode = f.mismatchCount + m.mismatchCount === 0 ? 0 : 1;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
