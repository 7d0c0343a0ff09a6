/**
 * Point-to-polygon matching benchmarks (run `npm run build:native` first).
 *
 * 1. The original's example (1000 polygons x 100 points, maxDist 10) through
 *    the original API (`matchPointsToPolygons`, which builds an index from
 *    the Polygon objects on every call) and through a prebuilt PolygonIndex
 *    (one `bestMatch` call for all 100 points = one "query"); TS reference vs
 *    native; the JS peer kdbush (centers indexed, `within` per point, the
 *    smallest area picked) prebuilt.
 * 2. 1M polygons x 1M points, radius 10 on a 10,000 x 10,000 plane: native
 *    threads 1 vs all, and kdbush. (The brute-force reference would need
 *    1e12 distance tests and is left out.)
 * Every case's answer is checked against the others before timing.
 */
import { availableParallelism, loadavg } from "node:os";

import KDBush from "kdbush";

// The package is CommonJS: a default import sees every export (named imports miss re-exported classes).
import fastkernels from "../ts/index.js";
import type { Polygon } from "../ts/index.js";
import { runGroup, saveResults, seededRandom, size } from "./harness.js";

const { generateExample, generateOnePolygon, matchPointsToPolygons, PolygonIndex } = fastkernels;
const ALL = availableParallelism();

/** kdbush peer: centers in a KD-tree; per point `within` then the exact test and the smallest area (ties: lowest index). */
function kdbushPeer(centers: Float64Array, areas: Float64Array) {
  const n = areas.length;
  const tree = new KDBush(n);
  for (let i = 0; i < n; i++) tree.add(centers[2 * i], centers[2 * i + 1]);
  tree.finish();
  return (points: Float64Array, maxDist: number): Int32Array => {
    const out = new Int32Array(points.length / 2);
    for (let p = 0; p < out.length; p++) {
      const px = points[2 * p];
      const py = points[2 * p + 1];
      let best = -1;
      for (const i of tree.within(px, py, maxDist)) {
        const dx = centers[2 * i] - px;
        const dy = centers[2 * i + 1] - py;
        if (!(Math.sqrt(dx * dx + dy * dy) < maxDist)) continue; // kdbush's `within` is inclusive
        if (best === -1 || areas[i] < areas[best] || (areas[i] === areas[best] && i < best)) best = i;
      }
      out[p] = best;
    }
    return out;
  };
}

function sameInt32(expected: Int32Array, label: string) {
  return (result: unknown) => {
    const got = result as Int32Array;
    if (got.length !== expected.length || got.some((v, i) => v !== expected[i])) throw new Error(`${label}: answer differs from the reference`);
  };
}

async function originalExample(): Promise<void> {
  const [polygons, points] = generateExample();
  const flat = Float64Array.from(points.flatMap((p) => Array.from(p)));
  const reference = matchPointsToPolygons(polygons, points, 10, { threads: 0 });
  const expectedPairs = reference.map(([p, poly]) => `${points.indexOf(p as Float64Array)}:${polygons.indexOf(poly)}`).join(",");
  const checkPairs = (result: unknown) => {
    const got = (result as Array<[Float64Array, Polygon]>).map(([p, poly]) => `${points.indexOf(p)}:${polygons.indexOf(poly)}`).join(",");
    if (got !== expectedPairs) throw new Error("matchPointsToPolygons: answer differs from the reference");
  };
  const index1 = new PolygonIndex(polygons, { threads: 1 });
  const indexAll = new PolygonIndex(polygons, { threads: ALL });
  const indexRef = new PolygonIndex(polygons, { threads: 0 });
  const expectedBest = indexRef.bestMatch(flat, 10, { threads: 0 });
  const peer = kdbushPeer(indexRef.centers, indexRef.areas);
  await runGroup(
    "original example: 1000 polygons x 100 points, maxDist 10 (per call)",
    [
      { name: "matchPointsToPolygons, TS reference", run: () => matchPointsToPolygons(polygons, points, 10, { threads: 0 }), check: checkPairs, units: 1 },
      { name: "matchPointsToPolygons, native 1 thread", run: () => matchPointsToPolygons(polygons, points, 10, { threads: 1 }), check: checkPairs, units: 1 },
      { name: `matchPointsToPolygons, native ${ALL} threads`, run: () => matchPointsToPolygons(polygons, points, 10, { threads: ALL }), check: checkPairs, units: 1 },
      { name: "prebuilt PolygonIndex.bestMatch, TS reference", run: () => indexRef.bestMatch(flat, 10, { threads: 0 }), check: sameInt32(expectedBest, "reference"), units: 1 },
      { name: "prebuilt PolygonIndex.bestMatch, native 1 thread", run: () => index1.bestMatch(flat, 10, { threads: 1 }), check: sameInt32(expectedBest, "native 1"), units: 1 },
      { name: `prebuilt PolygonIndex.bestMatch, native ${ALL} threads`, run: () => indexAll.bestMatch(flat, 10, { threads: ALL }), check: sameInt32(expectedBest, "native all"), units: 1 },
      { name: "kdbush peer, prebuilt", run: () => peer(flat, 10), check: sameInt32(expectedBest, "kdbush"), units: 1 },
    ],
    {
      unitLabel: "ns/call",
      time: 1500,
      iterations: 50,
      ratios: [
        ["matchPointsToPolygons, native 1 thread", "matchPointsToPolygons, TS reference"],
        ["prebuilt PolygonIndex.bestMatch, native 1 thread", "prebuilt PolygonIndex.bestMatch, TS reference"],
        ["prebuilt PolygonIndex.bestMatch, native 1 thread", "kdbush peer, prebuilt"],
        [`prebuilt PolygonIndex.bestMatch, native ${ALL} threads`, "prebuilt PolygonIndex.bestMatch, native 1 thread"],
      ],
    },
  );
}

/** 1M copies of the original's polygon, scaled by 0.5-2 (so areas differ) and shifted uniformly over the plane; flat buffers. */
function millionPolygons(count: number, side: number) {
  const rand = seededRandom(20240611);
  const one = generateOnePolygon();
  const nv = one.x.length;
  const x = new Float64Array(count * nv);
  const y = new Float64Array(count * nv);
  const offsets = new Uint32Array(count + 1);
  for (let i = 0; i < count; i++) {
    const scale = 0.5 + 1.5 * rand();
    const dx = rand() * side;
    const dy = rand() * side;
    for (let v = 0; v < nv; v++) {
      x[i * nv + v] = one.x[v] * scale + dx;
      y[i * nv + v] = one.y[v] * scale + dy;
    }
    offsets[i + 1] = (i + 1) * nv;
  }
  return { x, y, offsets };
}

async function million(): Promise<void> {
  const count = size(1_000_000, 10_000);
  const side = size(10_000, 1_000);
  const data = millionPolygons(count, side);
  const rand = seededRandom(7);
  const points = Float64Array.from({ length: 2 * count }, () => rand() * side);
  let t = performance.now();
  new PolygonIndex(data, { threads: 1 });
  console.log(`native PolygonIndex build, 1M polygons (10M vertices), 1 thread: ${(performance.now() - t).toFixed(0)} ms`);
  t = performance.now();
  const index = new PolygonIndex(data, { threads: ALL });
  console.log(`native PolygonIndex build, 1M polygons (10M vertices), ${ALL} threads: ${(performance.now() - t).toFixed(0)} ms`);
  t = performance.now();
  const peer = kdbushPeer(index.centers, index.areas);
  console.log(`kdbush build over the 1M centers: ${(performance.now() - t).toFixed(0)} ms`);
  const expected = index.bestMatch(points, 10, { threads: ALL });
  const matched = expected.reduce((n, v) => n + (v >= 0 ? 1 : 0), 0);
  console.log(`${matched} of ${count} points have a polygon within 10`);
  await runGroup(
    "1M polygons x 1M points, radius 10, 10,000 x 10,000 plane (prebuilt indexes)",
    [
      { name: "PolygonIndex.bestMatch, native 1 thread", run: () => index.bestMatch(points, 10, { threads: 1 }), check: sameInt32(expected, "native 1"), units: count },
      { name: `PolygonIndex.bestMatch, native ${ALL} threads`, run: () => index.bestMatch(points, 10, { threads: ALL }), check: sameInt32(expected, "native all"), units: count },
      { name: "kdbush peer", run: () => peer(points, 10), check: sameInt32(expected, "kdbush"), units: count },
    ],
    {
      unitLabel: "ns/point",
      iterations: 3,
      time: 0,
      warmupIterations: 1,
      ratios: [
        [`PolygonIndex.bestMatch, native ${ALL} threads`, "PolygonIndex.bestMatch, native 1 thread"],
        [`PolygonIndex.bestMatch, native ${ALL} threads`, "kdbush peer"],
        ["PolygonIndex.bestMatch, native 1 thread", "kdbush peer"],
      ],
    },
  );
  console.log("CPU time vs wall time (the main thread waits, so CPU time is the pool's):");
  for (const threads of [1, ALL, 1, ALL]) {
    cpuAndWall(`bestMatch, ${threads} thread${threads > 1 ? "s" : ""}`, () => index.bestMatch(points, 10, { threads }), 3);
  }
}

/**
 * Wall and process CPU time of a few runs. On a shared machine a 2-thread run
 * that is no faster than 1 thread either was starved (CPU/wall near 1: the
 * workers together got one core) or does more work (CPU time above the
 * 1-thread run's); this tells the two apart.
 */
function cpuAndWall(label: string, run: () => unknown, repeats = 4): void {
  const rows: Array<{ wall: number; cpu: number }> = [];
  for (let r = 0; r < repeats; r++) {
    const before = process.cpuUsage();
    const t = performance.now();
    run();
    const wall = performance.now() - t;
    const used = process.cpuUsage(before);
    rows.push({ wall, cpu: (used.user + used.system) / 1000 });
  }
  rows.sort((a, b) => a.wall - b.wall);
  const med = rows[Math.floor(rows.length / 2)];
  console.log(`  ${label}: wall min ${rows[0].wall.toFixed(0)} ms / median ${med.wall.toFixed(0)} ms; CPU ${med.cpu.toFixed(0)} ms; CPU/wall ${(med.cpu / med.wall).toFixed(2)} (cores actually used)`);
}

/** The machine is often shared: print the load average next to the figures. */
function showLoad(when: string): void {
  console.log(`load average ${when}: ${loadavg().map((l) => l.toFixed(2)).join(", ")} (1, 5, 15 min) on ${ALL} cores`);
}

showLoad("before");
await originalExample();
showLoad("after the original example");
await million();
showLoad("after 1M x 1M");
saveResults("polygon");
