/**
 * Shared benchmark harness on tinybench: every case is checked before it is
 * timed, warmed up, then reported as median and min latency; ratios against a
 * named baseline row are printed with the table. Results also go to
 * `benches/results/<group>.json` for the README.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, availableParallelism } from "node:os";
import path from "node:path";

import { Bench } from "tinybench";

// A default import: tsx compiles ts/ as CommonJS whose named exports ESM cannot see.
import random from "../ts/random.js";

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

const results: Record<string, { machine: string; rows: Row[]; ratios: Record<string, number> }> = {};

export async function runGroup(title: string, cases: BenchCase[], options: GroupOptions = {}): Promise<Row[]> {
  for (const c of cases) {
    if (c.check) {
      const result = await c.run();
      c.check(result);
    }
  }
  const bench = new Bench({
    iterations: options.iterations ?? 5,
    time: options.time ?? 1000,
    warmup: true,
    warmupIterations: options.warmupIterations ?? 2,
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
  results[title] = { machine: machineDescription(), rows, ratios };
  return rows;
}

/** Writes every group run so far to benches/results/<file>.json. */
export function saveResults(file: string): void {
  const dir = path.join(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${file}.json`), `${JSON.stringify({ machine: machineDescription(), sink, groups: results }, null, 2)}\n`);
}

/** Deterministic data for benchmarks: mulberry32, the project's one seeded generator. */
export const seededRandom = random.mulberry32;
