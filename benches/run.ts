/**
 * `npm run bench [-- <bench>...]`: runs every `benches/<bench>.bench.ts`
 * (or the named ones) whose prerequisites are present, one process each, and
 * writes ONE `bench-results.json` at the repository root (format:
 * scripts/bench-format.cjs): the machine, the versions, the date and every
 * row. Naming benches re-runs those and keeps the other benches' rows.
 * `npm run readme:tables` then regenerates the README's tables from it.
 *
 * `FASTKERNELS_BENCH_QUICK=1` shrinks every size and the timing to prove the
 * plumbing in a minute; it writes `bench-results.quick.json` instead, which
 * the README never uses.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, cpus, release, tmpdir, totalmem } from "node:os";
import path from "node:path";

// ts/ is CommonJS: take its names from the default export.
import fastkernels from "../ts/index.js";
import { QUICK } from "./harness.js";
import type { ResultRow } from "./harness.js";

const require = createRequire(import.meta.url);
const format = require("../scripts/bench-format.cjs") as { RESULTS: string; QUICK_RESULTS: string };

const root = path.join(import.meta.dirname, "..");
const benchDir = import.meta.dirname;

interface BenchStatus {
  ran: boolean;
  reason?: string;
  seconds?: number;
  /** When and at which commit this bench's rows were measured (a partial run keeps the other benches' own). */
  date?: string;
  commit?: string | null;
}

interface Results {
  format: 1;
  source: string;
  quick: boolean;
  date: string;
  machine: Record<string, unknown>;
  versions: Record<string, string | null>;
  benches: Record<string, BenchStatus>;
  rows: ResultRow[];
}

/** Why a bench cannot run here, or null. Benches not listed need nothing beyond the devDependencies. */
const prerequisites: Record<string, () => string | null> = {
  gmm: nativeAddon,
  "gmm-mv": nativeAddon,
  polygon: nativeAddon,
  containment: nativeAddon,
  mds: nativeAddon,
  async: nativeAddon,
  distributed: () => (onPath("redis-server") ? null : "redis-server is not installed"),
};

function nativeAddon(): string | null {
  return fastkernels.backend === "native" ? null : `the native addon is not loaded (${fastkernels.nativeUnavailableReason}); run npm run build:native`;
}

function onPath(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

function output(command: string, args: string[]): string | null {
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}

function packageVersion(name: string): string | null {
  try {
    return (JSON.parse(readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return null;
  }
}

function machine(): Record<string, unknown> {
  return {
    cpu: cpus()[0]?.model ?? null,
    cores: availableParallelism(),
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    os: `${process.platform}-${process.arch} ${release()}`,
    node: process.version,
    rustc: output("rustc", ["--version"]),
  };
}

function versions(): Record<string, string | null> {
  const dirty = output("git", ["status", "--porcelain", "--", "crates", "ts", "benches"]);
  const commit = output("git", ["rev-parse", "--short", "HEAD"]);
  return {
    fastkernels: (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version,
    commit: commit && dirty ? `${commit} (modified)` : commit,
    backend: fastkernels.backend,
    "@napi-rs/cli": packageVersion("@napi-rs/cli"),
    tinybench: packageVersion("tinybench"),
    kdbush: packageVersion("kdbush"),
    flatbush: packageVersion("flatbush"),
    "@turf/boolean-point-in-polygon": packageVersion("@turf/boolean-point-in-polygon"),
    "@saehrimnir/druidjs": packageVersion("@saehrimnir/druidjs"),
    "scikit-learn": output("python3", ["-c", "import sklearn; print(sklearn.__version__)"]),
  };
}

function main(): number {
  const all = readdirSync(benchDir)
    .filter((f) => f.endsWith(".bench.ts"))
    .map((f) => f.slice(0, -".bench.ts".length))
    .sort();
  const asked = process.argv.slice(2);
  for (const name of asked) if (!all.includes(name)) throw new Error(`no benches/${name}.bench.ts (have: ${all.join(", ")})`);
  const selected = asked.length > 0 ? asked : all;
  const file = QUICK ? format.QUICK_RESULTS : format.RESULTS;
  const previous: Results | null = asked.length > 0 && existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Results) : null;

  const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
  const out = mkdtempSync(path.join(tmpdir(), "fastkernels-bench-"));
  const benches: Record<string, BenchStatus> = {};
  const rows: ResultRow[] = [];
  let failed = false;
  try {
    for (const name of selected) {
      const missing = prerequisites[name]?.() ?? null;
      if (missing) {
        console.log(`\n# ${name}: skipped, ${missing}`);
        benches[name] = { ran: false, reason: missing };
        continue;
      }
      console.log(`\n# ${name}${QUICK ? " (FASTKERNELS_BENCH_QUICK=1: reduced sizes)" : ""}`);
      const started = Date.now();
      const run = spawnSync(process.execPath, [tsx, path.join(benchDir, `${name}.bench.ts`)], {
        cwd: root,
        stdio: "inherit",
        env: { ...process.env, FASTKERNELS_BENCH_OUT: out },
      });
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      const written = path.join(out, `${name}.json`);
      if (run.status !== 0 || !existsSync(written)) {
        failed = true;
        benches[name] = { ran: false, reason: run.status !== 0 ? `failed (exit ${run.status ?? run.signal})` : "wrote no rows", seconds };
        continue;
      }
      benches[name] = { ran: true, seconds, date: new Date().toISOString(), commit: versions().commit };
      rows.push(...(JSON.parse(readFileSync(written, "utf8")) as { rows: ResultRow[] }).rows);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }

  const kept = previous ? previous.rows.filter((r) => !selected.includes(r.bench)) : [];
  const results: Results = {
    format: 1,
    source: "npm run bench",
    quick: QUICK,
    date: new Date().toISOString(),
    machine: machine(),
    versions: versions(),
    benches: { ...(previous?.benches ?? {}), ...benches },
    rows: [...kept, ...rows],
  };
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(root, file)}: ${results.rows.length} rows (${Object.entries(benches).map(([b, s]) => `${b} ${s.ran ? "ran" : `not run: ${s.reason}`}`).join("; ")})`);
  if (!QUICK) console.log("now `npm run readme:tables` regenerates the README's tables from it");
  return failed ? 1 : 0;
}

process.exitCode = main();
