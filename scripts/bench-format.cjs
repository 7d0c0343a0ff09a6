// The one format of benchmark results, `bench-results.json` at the repository
// root, written by `npm run bench` (benches/run.ts) and read by
// scripts/readme-tables.cjs. Shared by both, and able to convert the older
// per-benchmark files (benches/results/<bench>.json) into it.
//
// {
//   "format": 1,
//   "source": "npm run bench" | "converted from benches/results/*.json (...)",
//   "quick": false,            // FASTKERNELS_BENCH_QUICK=1 shrinks every size
//   "date": ISO string,
//   "machine": { "cpu", "cores", "memory", "os", "node", "rustc" },
//   "versions": { "fastkernels", "commit", "@napi-rs/cli", "tinybench", ... },
//   "benches": { "<bench>": { "ran": true } | { "ran": false, "reason": "..." } },
//   "rows": [ {
//     "bench": "gmm",                      // benches/<bench>.bench.ts
//     "case": "fitGmm K=3 x 8 iterations, 1600x900, Float64Array",
//     "label": "native, 2 threads",       // the row's name in the bench
//     "backend": "native" | "js" | "<peer library>" | "baseline",
//     "threads": 2,                        // null where it does not apply
//     "median_ms": 37.8, "min_ms": 32.1, "samples": 30,
//     "per_unit_ns": 3.28, "unit": "ns/pixel-iter",   // when the case has units
//     "ratios": { "reference (TS)": 35.4 }             // this row's speed-up over each named row
//   }, ... ]
// }
//
// Rows of other shapes (the async bench's event-loop gaps) carry their own
// measurements ("kind": "event-loop-gaps": total_ms, p50_gap_ms, p99_gap_ms,
// max_gap_ms; "kind": "sync-part": sync_ms) instead of median/min.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const RESULTS = path.join(root, "bench-results.json");
const QUICK_RESULTS = path.join(root, "bench-results.quick.json");
const LEGACY_DIR = path.join(root, "benches", "results");

/** backend and thread count from a row label such as "native, 2 threads" or "reference (TS)". */
function classify(label) {
  const threads = /(\d+) threads?\b/.exec(label);
  if (/\bnative\b/i.test(label)) return { backend: "native", threads: threads ? Number(threads[1]) : null };
  if (/reference|\bTS\b/.test(label)) return { backend: "js", threads: 1 };
  if (/^fill\b/i.test(label)) return { backend: "baseline", threads: 1 };
  const peer = /(druidjs|kdbush|scikit-learn)/i.exec(label);
  if (peer) return { backend: peer[1].toLowerCase(), threads: threads ? Number(threads[1]) : 1 };
  return { backend: "other", threads: threads ? Number(threads[1]) : null };
}

/** Rows of one tinybench group (benches/harness.ts Row[] and its ratios) in the common format. */
function groupRows(bench, title, group, unit) {
  const rows = group.rows.map((r) => ({
    bench,
    case: title,
    label: r.name,
    ...classify(r.name),
    median_ms: r.medianMs,
    min_ms: r.minMs,
    samples: r.samples,
    ...(r.perUnitNs !== undefined && r.perUnitNs !== null ? { per_unit_ns: r.perUnitNs, ...(unit ? { unit } : {}) } : {}),
  }));
  for (const [pair, ratio] of Object.entries(group.ratios || {})) {
    const [faster, slower] = pair.split(" vs ");
    const row = rows.find((r) => r.label === faster);
    if (row) row.ratios = { ...(row.ratios || {}), [slower]: ratio };
  }
  return rows;
}

/** "AMD EPYC, 2 cores, Node v20.20.2, linux-x64" -> machine fields. */
function parseMachine(text) {
  const m = /^(.*), (\d+) cores, Node (v[\d.]+), (\S+)$/.exec(text || "");
  return m ? { cpu: m[1], cores: Number(m[2]), memory: null, os: m[4], node: m[3], rustc: null } : { cpu: text || null };
}

// The per-unit labels the benches passed to runGroup (legacy files did not keep them).
const LEGACY_UNITS = [
  ["computeExpsumStable", "ns/pixel"],
  ["fitGmm", "ns/pixel-iter"],
  ["computeDistanceMatrix", "ns/pair"],
  ["original example", "ns/call"],
  ["1M polygons", "ns/point"],
];

/** Converts one legacy benches/results/<bench>.json object into rows. */
function legacyRows(bench, legacy) {
  if (legacy.groups) {
    return Object.entries(legacy.groups).flatMap(([title, group]) => {
      const unit = LEGACY_UNITS.find(([prefix]) => title.startsWith(prefix))?.[1];
      return groupRows(bench, title, group, unit);
    });
  }
  const rows = [];
  for (const g of legacy.gaps || []) {
    rows.push({
      bench, kind: "event-loop-gaps", case: `${g.operation}, ${g.size}`, label: g.operation, backend: "native", threads: null,
      total_ms: g.totalMs, ticks: g.ticks, p50_gap_ms: g.p50GapMs, p99_gap_ms: g.p99GapMs, max_gap_ms: g.maxGapMs,
    });
  }
  for (const s of legacy.syncPart || []) {
    rows.push({ bench, kind: "sync-part", case: `${s.operation}, ${s.size}`, label: s.operation, backend: "native", threads: null, sync_ms: s.syncMs ?? s.copyMs, borrow_sync_ms: s.borrowMs, memcpy_ms: s.memcpyMs });
  }
  return rows;
}

const LEGACY_BENCHES = ["gmm", "polygon", "mds", "async"];

/** The committed per-benchmark files, converted (what the README shows until a full `npm run bench`). */
function fromLegacy() {
  const rows = [];
  const benches = {};
  let machine = null;
  for (const bench of LEGACY_BENCHES) {
    const file = path.join(LEGACY_DIR, `${bench}.json`);
    if (!fs.existsSync(file)) {
      benches[bench] = { ran: false, reason: `no ${path.relative(root, file)}` };
      continue;
    }
    const legacy = JSON.parse(fs.readFileSync(file, "utf8"));
    machine = machine || parseMachine(legacy.machine);
    benches[bench] = { ran: true, ...(legacy.note ? { note: legacy.note } : {}) };
    rows.push(...legacyRows(bench, legacy));
  }
  return {
    format: 1,
    source: `converted from ${LEGACY_BENCHES.map((b) => `benches/results/${b}.json`).join(", ")} (runs before bench-results.json existed)`,
    quick: false,
    date: null,
    machine,
    versions: {},
    benches,
    rows,
  };
}

/** bench-results.json when a full run wrote it, else the converted legacy files. */
function loadResults() {
  if (fs.existsSync(RESULTS)) {
    const results = JSON.parse(fs.readFileSync(RESULTS, "utf8"));
    if (results.quick) throw new Error("bench-results.json comes from a FASTKERNELS_BENCH_QUICK run: the README needs a full run");
    return results;
  }
  return fromLegacy();
}

module.exports = { RESULTS, QUICK_RESULTS, classify, groupRows, parseMachine, legacyRows, fromLegacy, loadResults };
