/**
 * Shared benchmark harness on tinybench: every case is checked before it is
 * timed, warmed up, then reported as median and min latency; ratios against a
 * named baseline row are printed with the table. Under `npm run bench`
 * (benches/run.ts) each bench's rows go to the runner, which writes the one
 * `bench-results.json` (format: scripts/bench-format.cjs) that the README's
 * tables are generated from. `FASTKERNELS_BENCH_QUICK=1` shrinks every size
 * (a plumbing check, never recorded as results).
 */
import { writeFileSync } from "node:fs";
import { cpus, availableParallelism } from "node:os";
import { createRequire } from "node:module";
import path from "node:path";

import { Bench } from "tinybench";

// A default import: tsx compiles ts/ as CommonJS whose named exports ESM cannot see.
import random from "../ts/random.js";

/** A common-format row (scripts/bench-format.cjs). */
export type ResultRow = Record<string, unknown> & { bench: string; case: string };

const format = createRequire(import.meta.url)("../scripts/bench-format.cjs") as {
  groupRows(bench: string, title: string, group: { rows: Row[]; ratios: Record<string, number> }, unit?: string): ResultRow[];
};

/** `FASTKERNELS_BENCH_QUICK=1`: every bench shrinks its sizes and timing to prove the plumbing. */
export const QUICK = process.env.FASTKERNELS_BENCH_QUICK === "1";

/** `full` normally, `quick` under FASTKERNELS_BENCH_QUICK=1. */
export function size<T>(full: T, quick: T): T {
  return QUICK ? quick : full;
}

export interface BenchCase {
  /** Row label, e.g. "native, 2 threads". */
  name: string;
  /** The work to time. Its return value goes to a sink so it cannot be optimised away. */
  run: () => unknown | Promise<unknown>;
  /** Called once with the case's result before timing; throws if the answer is wrong. */
  check?: (result: unknown) => void;
  /** Work units per call (pixel-iterations, queries...) for the per-unit column. */
  units?: number;
}

export interface GroupOptions {
  /** Per-unit column label, e.g. "ns/pixel-iter". Requires `units` on cases. */
  unitLabel?: string;
  /** Names of rows to compare: each entry prints `a / b` as a speed ratio. */
  ratios?: Array<[faster: string, slower: string]>;
  /** Minimum timed iterations (default 5) and time budget in ms (default 1000). */
  iterations?: number;
  time?: number;
  warmupIterations?: number;
}

export interface Row {
  name: string;
  medianMs: number;
  minMs: number;
  samples: number;
  perUnitNs?: number;
}

let sink = 0;
function consume(value: unknown): void {
  // Touch the result so the JIT must produce it.
  if (value && typeof value === "object" && "length" in (value as object)) sink += (value as { length: number }).length;
  else if (typeof value === "number") sink += value;
  else sink += value === undefined ? 0 : 1;
}

export function machineDescription(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return `${cpu}, ${availableParallelism()} cores, Node ${process.version}, ${process.platform}-${process.arch}`;
}

const results: Record<string, { machine: string; rows: Row[]; ratios: Record<string, number>; unit?: string }> = {};

export async function runGroup(title: string, cases: BenchCase[], options: GroupOptions = {}): Promise<Row[]> {
  for (const c of cases) {
    if (c.check) {
      const result = await c.run();
      c.check(result);
    }
  }
  const bench = new Bench({
    iterations: QUICK ? 2 : (options.iterations ?? 5),
    time: QUICK ? 0 : (options.time ?? 1000),
    warmup: true,
    warmupIterations: QUICK ? 1 : (options.warmupIterations ?? 2),
    warmupTime: 0,
  });
  for (const c of cases) {
    bench.add(c.name, async () => consume(await c.run()));
  }
  await bench.run();
  const rows: Row[] = bench.tasks.map((task, i) => {
    const result = task.result;
    if (result.state !== "completed") {
      throw new Error(`benchmark ${title} / ${task.name} did not complete: ${result.state === "errored" ? result.error.message : result.state}`);
    }
    const units = cases[i].units;
    return {
      name: task.name,
      medianMs: result.latency.p50,
      minMs: result.latency.min,
      samples: result.latency.samplesCount,
      perUnitNs: units ? (result.latency.p50 * 1e6) / units : undefined,
    };
  });
  console.log(`\n## ${title}`);
  const table = rows.map((r) => {
    const row: Record<string, string | number> = {
      case: r.name,
      "median ms": Number(r.medianMs.toPrecision(4)),
      "min ms": Number(r.minMs.toPrecision(4)),
      samples: r.samples,
    };
    if (options.unitLabel && r.perUnitNs !== undefined) row[options.unitLabel] = Number(r.perUnitNs.toPrecision(4));
    return row;
  });
  console.table(table);
  const ratios: Record<string, number> = {};
  for (const [faster, slower] of options.ratios ?? []) {
    const a = rows.find((r) => r.name === faster);
    const b = rows.find((r) => r.name === slower);
    if (!a || !b) throw new Error(`ratio ${faster} vs ${slower}: no such row in ${title}`);
    const ratio = b.medianMs / a.medianMs;
    ratios[`${faster} vs ${slower}`] = ratio;
    console.log(`  ${faster} is ${ratio.toFixed(2)}x ${slower} (median)`);
  }
  results[title] = { machine: machineDescription(), rows, ratios, unit: options.unitLabel };
  return rows;
}

/**
 * Adds rows measured outside tinybench (a one-off timing of a slow case, an
 * external program) to a group `runGroup` ran, with ratios against its rows
 * (`[faster, slower]` by row name, either side may be a new row).
 */
export function addRows(title: string, extra: Row[], ratios: Array<[faster: string, slower: string]> = []): void {
  const group = results[title];
  if (!group) throw new Error(`addRows: no group ${title}`);
  group.rows.push(...extra);
  console.table(extra.map((r) => ({ case: r.name, "median ms": Number(r.medianMs.toPrecision(4)), "min ms": Number(r.minMs.toPrecision(4)), samples: r.samples })));
  for (const [faster, slower] of ratios) {
    const a = group.rows.find((r) => r.name === faster);
    const b = group.rows.find((r) => r.name === slower);
    if (!a || !b) throw new Error(`ratio ${faster} vs ${slower}: no such row in ${title}`);
    const ratio = b.medianMs / a.medianMs;
    group.ratios[`${faster} vs ${slower}`] = ratio;
    console.log(`  ${faster} is ${ratio.toFixed(2)}x ${slower} (median)`);
  }
}

/** Hands rows to the runner (`npm run bench`), which merges them into bench-results.json. */
export function saveRows(bench: string, rows: ResultRow[]): void {
  const out = process.env.FASTKERNELS_BENCH_OUT;
  if (!out) {
    console.log(`\n(${rows.length} rows not recorded: \`npm run bench -- ${bench}\` records them in bench-results.json)`);
    return;
  }
  writeFileSync(path.join(out, `${bench}.json`), `${JSON.stringify({ bench, sink, rows }, null, 2)}\n`);
}

/** Saves every group run so far as the rows of `bench`. */
export function saveResults(bench: string): void {
  saveRows(
    bench,
    Object.entries(results).flatMap(([title, group]) => format.groupRows(bench, title, group, group.unit)),
  );
}

/** Deterministic data for benchmarks: mulberry32, the project's one seeded generator. */
export const seededRandom = random.mulberry32;
