/**
 * MDS benchmarks: distance matrix (vs. the time to write n*n doubles),
 * SMACOF (300 iterations, eps = 0) and classical MDS against the JS peer
 * @saehrimnir/druidjs. Answers are checked before timing.
 * Run after `npm run build:native` (release): `npm run bench:mds`.
 */
import { availableParallelism } from "node:os";
import v8 from "node:v8";
import vm from "node:vm";

import * as druid from "@saehrimnir/druidjs";

// ts/ is CommonJS: named re-exports are not visible to ESM, so take the namespace.
import fastkernels from "../ts/index.js";
import { runGroup, saveResults, seededRandom, size } from "./harness.js";

const { classicalMds, computeDistanceMatrix, smacof } = fastkernels;
const all = availableParallelism();
// MDS_BENCH=distances or MDS_BENCH=smacof runs one part only (default: both).
const part = process.env.MDS_BENCH ?? "all";

// Native matrices are external buffers whose finalizers (which free the
// memory) run on a later turn of the event loop, after a GC. A tight
// synchronous loop therefore keeps every result alive and makes every call
// page-fault fresh memory (at n = 10,000, 800 MB per matrix, the run was
// killed for memory). Each distance-matrix call, for every case alike, first
// yields one event-loop turn (at n = 10,000 after a full GC), as a program
// that returns to the event loop would; this sits inside the timed call and
// costs well under a millisecond (a few ms for the GC at n = 10,000).
v8.setFlagsFromString("--expose-gc");
const collect = vm.runInNewContext("gc") as () => void;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const afterTurn = (big: boolean, run: () => unknown) => async () => {
  if (big) collect();
  await nextTurn();
  return run();
};

function randomPoints(n: number, dims: number, seed: number): Float64Array {
  const rng = seededRandom(seed);
  return Float64Array.from({ length: n * dims }, () => rng());
}

/** Symmetric weights: 30% zero, the rest uniform in [0.25, 2.25); a path keeps the graph connected. */
function randomWeights(n: number, seed: number): Float64Array {
  const rng = seededRandom(seed);
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = rng() < 0.3 ? 0 : 0.25 + 2 * rng();
      w[i * n + j] = v;
      w[j * n + i] = v;
    }
    if (i > 0 && w[(i - 1) * n + i] === 0) {
      w[(i - 1) * n + i] = 1;
      w[i * n + i - 1] = 1;
    }
  }
  return w;
}

function checkDistances(points: Float64Array, dims: number) {
  return (result: unknown) => {
    const d = result as Float64Array;
    const n = points.length / dims;
    if (d.length !== n * n) throw new Error("wrong length");
    const rng = seededRandom(1);
    for (let t = 0; t < 200; t++) {
      const i = Math.floor(rng() * n), j = Math.floor(rng() * n);
      let s = 0;
      for (let k = 0; k < dims; k++) s += (points[i * dims + k] - points[j * dims + k]) ** 2;
      if (Math.abs(d[i * n + j] - Math.sqrt(s)) > 1e-12 * Math.max(1, Math.sqrt(s)) || d[i * n + j] !== d[j * n + i]) {
        throw new Error(`d[${i}][${j}] = ${d[i * n + j]}, expected ${Math.sqrt(s)}`);
      }
    }
  };
}

for (const n of part === "smacof" ? [] : size([2000, 10000], [200])) {
  for (const dims of [2, 10, 100]) {
    const points = randomPoints(n, dims, n + dims);
    const big = n > 2000;
    // The TS reference is timed at n = 2,000 only (n = 10,000: minutes per call).
    const cases = [
      { name: "fill Float64Array(n*n)", run: afterTurn(big, () => new Float64Array(n * n).fill(1)) },
      ...(big ? [] : [{ name: "reference", run: afterTurn(big, () => computeDistanceMatrix(points, dims, { threads: 0 })), check: checkDistances(points, dims), units: (n * (n - 1)) / 2 }]),
      { name: "native 1 thread", run: afterTurn(big, () => computeDistanceMatrix(points, dims, { threads: 1 })), check: checkDistances(points, dims), units: (n * (n - 1)) / 2 },
      { name: `native ${all} threads`, run: afterTurn(big, () => computeDistanceMatrix(points, dims, { threads: all })), check: checkDistances(points, dims), units: (n * (n - 1)) / 2 },
    ];
    const rows = await runGroup(`computeDistanceMatrix n=${n} dims=${dims}`, cases, {
      unitLabel: "ns/pair",
      iterations: big ? 3 : 5,
      warmupIterations: big ? 1 : 2,
      time: big ? 0 : 500,
      ratios: [
        [`native ${all} threads`, "native 1 thread"],
        ["fill Float64Array(n*n)", `native ${all} threads`],
        ["fill Float64Array(n*n)", "native 1 thread"],
        ...(big ? [] : ([[`native ${all} threads`, "reference"]] as Array<[string, string]>)),
      ],
    });
    if (dims === 100) {
      // 3 flops per coordinate (sub, mul, add) per pair, each pair once: 3 * dims * n(n-1)/2.
      const flops = ((n * (n - 1)) / 2) * dims * 3;
      for (const r of rows) if (r.name.startsWith("native")) console.log(`  ${r.name}: ${(flops / (r.medianMs * 1e6)).toFixed(2)} GFLOP/s`);
    }
  }
}

for (const n of part === "distances" ? [] : size([1000, 2000], [200])) {
  const points = randomPoints(n, 10, 7 * n);
  const d = computeDistanceMatrix(points, 10);
  const rows = Array.from({ length: n }, (_, i) => Array.from(points.subarray(i * 10, (i + 1) * 10)));
  const opts = { init: "random" as const, seed: 1, maxIter: 300, eps: 0 };
  const checkSmacof = (result: unknown) => {
    const r = result as { iterations: number; normalizedStress: number; embedding: Float64Array };
    if (r.iterations !== 300) throw new Error(`ran ${r.iterations} iterations, expected 300`);
    if (!(r.normalizedStress > 0 && r.normalizedStress < 0.5)) throw new Error(`stress-1 ${r.normalizedStress}`);
  };
  const checkDruid = (result: unknown) => {
    const m = result as druid.Matrix;
    if (m.shape[0] !== n || m.shape[1] !== 2) throw new Error("druid: wrong shape");
  };
  await runGroup(`SMACOF n=${n} (from 10-d data, 300 iterations)`, [
    ...(n <= 1000 ? [{ name: "reference", run: () => smacof(d, n, { ...opts, threads: 0 }), check: checkSmacof }] : []),
    { name: "native 1 thread", run: () => smacof(d, n, { ...opts, threads: 1 }), check: checkSmacof },
    { name: `native ${all} threads`, run: () => smacof(d, n, { ...opts, threads: all }), check: checkSmacof },
    { name: "druidjs SMACOF", run: () => new druid.SMACOF(druid.Matrix.from(rows), { d: 2, iterations: 300, epsilon: 0, seed: 1 }).transform(), check: checkDruid },
  ], {
    iterations: 3,
    warmupIterations: 1,
    time: 0,
    ratios: [
      [`native ${all} threads`, "native 1 thread"],
      [`native ${all} threads`, "druidjs SMACOF"],
      ...(n <= 1000 ? ([[`native ${all} threads`, "reference"]] as Array<[string, string]>) : []),
    ],
  });
  // Weighted SMACOF (issue 15): the same data and start, 30% of the pairs
  // missing (weight 0), the others weighted uniformly in [0.25, 2.25); the
  // unweighted call on the same matrix is timed alongside for the ratio.
  const weights = randomWeights(n, 11 * n);
  const checkWeighted = (result: unknown) => {
    checkSmacof(result);
    const r = result as { normalizedStress: number };
    if (weightedStress1 !== undefined && Math.abs(r.normalizedStress - weightedStress1) > 1e-6 * weightedStress1) {
      throw new Error(`weighted stress-1 ${r.normalizedStress}, the first backend gave ${weightedStress1}`);
    }
    weightedStress1 ??= r.normalizedStress;
  };
  let weightedStress1: number | undefined;
  await runGroup(`weighted SMACOF n=${n} (from 10-d data, 30% of weights zero, 300 iterations)`, [
    ...(n <= 1000 ? [{ name: "reference", run: () => smacof(d, n, { ...opts, weights, threads: 0 }), check: checkWeighted }] : []),
    { name: "native 1 thread", run: () => smacof(d, n, { ...opts, weights, threads: 1 }), check: checkWeighted },
    { name: `native ${all} threads`, run: () => smacof(d, n, { ...opts, weights, threads: all }), check: checkWeighted },
    { name: "unweighted smacof, all threads", run: () => smacof(d, n, { ...opts, threads: all }), check: checkSmacof },
  ], {
    iterations: 3,
    warmupIterations: 1,
    time: 0,
    ratios: [
      [`native ${all} threads`, "native 1 thread"],
      ["unweighted smacof, all threads", `native ${all} threads`],
      ...(n <= 1000 ? ([[`native ${all} threads`, "reference"]] as Array<[string, string]>) : []),
    ],
  });
  await runGroup(`classical MDS n=${n} (from 10-d data)`, [
    { name: "reference", run: () => classicalMds(d, n, 2, { threads: 0 }) },
    { name: "native 1 thread", run: () => classicalMds(d, n, 2, { threads: 1 }) },
    { name: `native ${all} threads`, run: () => classicalMds(d, n, 2, { threads: all }) },
    { name: "druidjs MDS", run: () => new druid.MDS(druid.Matrix.from(rows), { d: 2, seed: 1 }).transform(), check: checkDruid },
  ], {
    iterations: 3,
    warmupIterations: 1,
    time: 0,
    ratios: [[`native ${all} threads`, "native 1 thread"], [`native ${all} threads`, "druidjs MDS"], [`native ${all} threads`, "reference"]],
  });
}

saveResults("mds");
