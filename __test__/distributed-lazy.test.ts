/**
 * bullmq and ioredis load only from `fastkernels/distributed`: the root
 * entry (and a kernel call) loads neither; the subpath, ESM and CJS, does.
 * Runs on the build (dist/), as a user's require would.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.join(__dirname, "..");

function probe(script: string, type: "commonjs" | "module" = "commonjs"): Record<string, unknown> {
  const args = type === "module" ? ["--input-type=module", "-e", script] : ["-e", script];
  const stdout = execFileSync(process.execPath, args, { cwd: root, encoding: "utf8", env: { ...process.env, FASTKERNELS_SILENT: "1" } });
  return JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, unknown>;
}

const LOADED = `
const loaded = (name) => Object.keys(require.cache).some((k) => k.includes(require("node:path").sep + "node_modules" + require("node:path").sep + name + require("node:path").sep));
`;

test("require('fastkernels') and a kernel call load neither bullmq nor ioredis", () => {
  const result = probe(`${LOADED}
const fk = require("fastkernels");
fk.fitGmm(Float64Array.of(0.1, 0.2, 0.8, 0.9), { components: 2, iterations: 2 });
console.log(JSON.stringify({ bullmq: loaded("bullmq"), ioredis: loaded("ioredis") }));
`);
  expect(result).toEqual({ bullmq: false, ioredis: false });
});

test("require('fastkernels/distributed') and import('fastkernels/distributed') expose the client and the worker", () => {
  const cjs = probe(`${LOADED}
const d = require("fastkernels/distributed");
console.log(JSON.stringify({ bullmq: loaded("bullmq"), connect: typeof d.connect, startWorker: typeof d.startWorker, shardFile: typeof d.shardFile }));
`);
  expect(cjs).toEqual({ bullmq: true, connect: "function", startWorker: "function", shardFile: "function" });
  const esm = probe(
    `import * as d from "fastkernels/distributed"; import fk from "fastkernels/distributed";
console.log(JSON.stringify({ connect: typeof d.connect, startWorker: typeof d.startWorker, same: fk.connect === d.connect, names: d.JOB_NAMES }));`,
    "module",
  );
  expect(esm).toEqual({ connect: "function", startWorker: "function", same: true, names: ["gmm-stats", "gmm-round", "gmm-init", "segment-image", "match-points"] });
});
