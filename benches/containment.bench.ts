/**
 * Containment benchmark (run `npm run build:native` first): 1M points x 100k
 * polygons on a 10,000 x 10,000 plane. The polygons are seeded star shapes
 * of 10-14 corners, radius 15-40, every tenth with a square hole, so a point
 * lies in about one polygon on average (some in none, some in several).
 *
 * - fastkernels `PolygonIndex.containing` (every containing polygon per point,
 *   CSR) and `bestMatch(points, { mode: "containment" })`, native 1 thread
 *   and all threads, index prebuilt (the containment grid is built by a
 *   first call before timing; its time is printed).
 * - The JS peer: flatbush over the polygons' bounding boxes, then turf's
 *   `booleanPointInPolygon` on each candidate (boundary counts as inside,
 *   turf's default; random points never land on one here), the containing
 *   polygons sorted by index.
 *
 * Answers are checked before timing: every case gives the same CSR for
 * every point (turf: on the points it is timed on). If the turf peer needs
 * more than about 20 s for the 1M points, it is timed on the first 100k
 * points and its per-point time is multiplied out to 1M: the row says so.
 */
import { availableParallelism, loadavg } from "node:os";

import booleanPointInPolygon from "@turf/boolean-point-in-polygon";
import Flatbush from "flatbush";

import fastkernels from "../ts/index.js";
import { addRows, runGroup, saveResults, seededRandom, size } from "./harness.js";

const { PolygonIndex } = fastkernels;
const ALL = availableParallelism();

interface Data {
  x: Float64Array;
  y: Float64Array;
  offsets: Uint32Array;
  rings: Uint32Array;
  /** The same polygons as GeoJSON Polygon geometries (closed rings), for turf. */
  geometries: Array<{ type: "Polygon"; coordinates: number[][][] }>;
  boxes: Float64Array;
}

function starPolygons(count: number, side: number): Data {
  const rand = seededRandom(15_2026);
  const x: number[] = [];
  const y: number[] = [];
  const offsets = [0];
  const rings = [0];
  const geometries: Data["geometries"] = [];
  const boxes = new Float64Array(4 * count);
  for (let i = 0; i < count; i++) {
    const cx = rand() * side;
    const cy = rand() * side;
    const r = 15 + rand() * 25;
    const corners = 10 + Math.floor(rand() * 5);
    const shell: number[][] = [];
    for (let k = 0; k < corners; k++) {
      const a = (2 * Math.PI * (k + rand() * 0.8)) / corners;
      const rr = r * (0.5 + rand() * 0.5);
      shell.push([cx + rr * Math.cos(a), cy + rr * Math.sin(a)]);
    }
    const polygonRings = [shell];
    if (i % 10 === 0) {
      const h = r * 0.2;
      polygonRings.push([[cx - h, cy - h], [cx - h, cy + h], [cx + h, cy + h], [cx + h, cy - h]]);
    }
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const ring of polygonRings) {
      for (const [px, py] of ring) {
        x.push(px);
        y.push(py);
        x0 = Math.min(x0, px);
        y0 = Math.min(y0, py);
        x1 = Math.max(x1, px);
        y1 = Math.max(y1, py);
      }
      offsets.push(x.length);
    }
    rings.push(offsets.length - 1);
    boxes.set([x0, y0, x1, y1], 4 * i);
    geometries.push({ type: "Polygon", coordinates: polygonRings.map((ring) => [...ring, ring[0]]) });
  }
  return { x: Float64Array.from(x), y: Float64Array.from(y), offsets: Uint32Array.from(offsets), rings: Uint32Array.from(rings), geometries, boxes };
}

/** The JS peer over the first `count` points: flatbush candidates, turf's test, sorted ids (CSR). */
function turfPeer(data: Data) {
  const n = data.geometries.length;
  const tree = new Flatbush(n);
  for (let i = 0; i < n; i++) tree.add(data.boxes[4 * i], data.boxes[4 * i + 1], data.boxes[4 * i + 2], data.boxes[4 * i + 3]);
  tree.finish();
  return (points: Float64Array, count: number) => {
    const offsets = new Int32Array(count + 1);
    const polygons: number[] = [];
    for (let p = 0; p < count; p++) {
      const pt = [points[2 * p], points[2 * p + 1]];
      const found = tree.search(pt[0], pt[1], pt[0], pt[1]).filter((i) => booleanPointInPolygon(pt, data.geometries[i]));
      found.sort((a, b) => a - b);
      for (const i of found) polygons.push(i);
      offsets[p + 1] = polygons.length;
    }
    return { offsets, polygons: Int32Array.from(polygons) };
  };
}

interface Csr {
  offsets: Int32Array;
  polygons: Int32Array;
}

/** `got` equals `expected` on its first `count` points. */
function sameCsr(expected: Csr, label: string, count = expected.offsets.length - 1) {
  return (result: unknown) => {
    const got = result as Csr;
    const end = expected.offsets[count];
    const ok = got.offsets.length >= count + 1 && got.offsets.subarray(0, count + 1).every((v, i) => v === expected.offsets[i]) &&
      got.polygons.length >= end && got.polygons.subarray(0, end).every((v, i) => v === expected.polygons[i]);
    if (!ok) throw new Error(`${label}: containing polygons differ from the reference`);
  };
}

function sameInt32(expected: Int32Array, label: string) {
  return (result: unknown) => {
    const got = result as Int32Array;
    if (got.length !== expected.length || got.some((v, i) => v !== expected[i])) throw new Error(`${label}: answer differs from the reference`);
  };
}

async function containment(): Promise<void> {
  const polygonCount = size(100_000, 5_000);
  const pointCount = size(1_000_000, 50_000);
  const side = size(10_000, 2_236);
  let t = performance.now();
  const data = starPolygons(polygonCount, side);
  console.log(`generated ${polygonCount} polygons (${data.x.length} vertices) in ${(performance.now() - t).toFixed(0)} ms`);
  const rand = seededRandom(99);
  const points = Float64Array.from({ length: 2 * pointCount }, () => rand() * side);

  const flat = { x: data.x, y: data.y, offsets: data.offsets, rings: data.rings };
  const index = new PolygonIndex(flat, { threads: ALL });
  t = performance.now();
  const expected = index.containing(points, { threads: ALL });
  console.log(`first native containing call (builds the containment grid, then answers), ${ALL} threads: ${(performance.now() - t).toFixed(0)} ms`);
  const hits = expected.polygons.length;
  const inNone = expected.offsets.reduce((n, v, i) => n + (i > 0 && v === expected.offsets[i - 1] ? 1 : 0), 0);
  console.log(`${hits} point-polygon hits; ${inNone} of ${pointCount} points in no polygon`);
  const expectedBest = index.bestMatch(points, { mode: "containment", threads: ALL });

  const peer = turfPeer(data);
  // A first timing on 100k points decides whether the full 1M fits in the budget.
  const probeCount = Math.min(pointCount, size(100_000, 5_000));
  t = performance.now();
  sameCsr(expected, "turf + flatbush", probeCount)(peer(points, probeCount));
  const probeMs = performance.now() - t;
  const turfCount = (probeMs * pointCount) / probeCount > 20_000 ? probeCount : pointCount;
  console.log(`turf + flatbush on ${probeCount} points: ${probeMs.toFixed(0)} ms; timing it on ${turfCount} points`);

  const title = `containment: ${pointCount / 1e6}M points x ${polygonCount / 1e3}k polygons (prebuilt indexes)`;
  await runGroup(
    title,
    [
      { name: "containing, native 1 thread", run: () => index.containing(points, { threads: 1 }), check: sameCsr(expected, "native 1"), units: pointCount },
      { name: `containing, native ${ALL} threads`, run: () => index.containing(points, { threads: ALL }), check: sameCsr(expected, "native all"), units: pointCount },
      { name: "bestMatch containment, native 1 thread", run: () => index.bestMatch(points, { mode: "containment", threads: 1 }), check: sameInt32(expectedBest, "best 1"), units: pointCount },
      { name: `bestMatch containment, native ${ALL} threads`, run: () => index.bestMatch(points, { mode: "containment", threads: ALL }), check: sameInt32(expectedBest, "best all"), units: pointCount },
      ...(turfCount === pointCount
        ? [{ name: "turf booleanPointInPolygon + flatbush", run: () => peer(points, pointCount), check: sameCsr(expected, "turf + flatbush"), units: pointCount }]
        : []),
    ],
    {
      unitLabel: "ns/point",
      iterations: 3,
      time: 0,
      warmupIterations: 1,
      ratios: [
        [`containing, native ${ALL} threads`, "containing, native 1 thread"],
        ...(turfCount === pointCount
          ? ([
              ["containing, native 1 thread", "turf booleanPointInPolygon + flatbush"],
              [`containing, native ${ALL} threads`, "turf booleanPointInPolygon + flatbush"],
            ] as Array<[string, string]>)
          : []),
      ],
    },
  );
  if (turfCount !== pointCount) {
    // Too slow for the full set: three timed runs on the subset, scaled to all points.
    const runs: number[] = [];
    for (let r = 0; r < 3; r++) {
      t = performance.now();
      peer(points, turfCount);
      runs.push(performance.now() - t);
    }
    runs.sort((a, b) => a - b);
    const scale = pointCount / turfCount;
    const name = `turf booleanPointInPolygon + flatbush (timed on ${turfCount / 1e3}k points, x${scale})`;
    addRows(title, [{ name, medianMs: runs[1] * scale, minMs: runs[0] * scale, samples: 3, perUnitNs: (runs[1] * 1e6) / turfCount }], [
      ["containing, native 1 thread", name],
      [`containing, native ${ALL} threads`, name],
    ]);
  }
}

console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(", ")} on ${ALL} cores`);
await containment();
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(", ")}`);
saveResults("containment");
