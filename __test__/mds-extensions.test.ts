/**
 * Weighted SMACOF, non-metric SMACOF and the out-of-sample transform.
 *
 * Tolerances:
 * - scikit-learn 1.9.1 non-metric fixtures (given init): same iteration
 *   count, embedding and both stresses within 1e-8 relative (scikit-learn
 *   evaluates the isotonic fit by interpolation and sums in numpy's pairwise
 *   order: rounding-level differences only);
 * - numpy weighted fixtures (textbook weighted SMACOF with pinv(V), written
 *   independently): same iterations, embedding and stresses within 1e-8;
 * - native vs reference after the same iterations: 1e-9 relative (same
 *   algorithms, other summation orders: the blocked Cholesky, the stripes);
 *   native results identical bit for bit for 1, 2 and 3 threads;
 * - transform: native vs reference 1e-9 on the same fit; a fitted point's own
 *   dissimilarity row lands within 1e-6 of its embedding (fit converged with
 *   eps = 0: until the stress stops decreasing); an exact configuration is recovered to 1e-9.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { computeDistanceMatrix, mds, smacof, smacofAsync } from "../ts";
import type { SmacofProgressEvent } from "../ts";
import { native } from "../ts/native";
import { randomArray } from "./helpers/random";

const NATIVE_THREADS = native ? [1, 2, 3] : [];
const BACKENDS = [0, ...NATIVE_THREADS.slice(0, 1)];

interface Run { maxIter: number; eps: number; embedding: number[]; stress: number; normalizedStress: number; iterations: number }
interface Case { n: number; dims: number; dissimilarities: number[]; weights?: number[]; init: number[]; runs: Run[] }
const load = (name: string) => JSON.parse(readFileSync(path.join(__dirname, "fixtures", name), "utf8")) as { cases: Case[] };
const nonMetricFixture = load("mds-sklearn-nonmetric.json");
const weightedFixture = load("mds-weighted-numpy.json");

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number): void {
  expect(actual.length).toBe(expected.length);
  let scale = 1;
  for (let k = 0; k < expected.length; k++) scale = Math.max(scale, Math.abs(expected[k]));
  for (let k = 0; k < expected.length; k++) {
    if (!(Math.abs(actual[k] - expected[k]) <= rel * scale)) {
      throw new Error(`element ${k}: ${actual[k]} vs ${expected[k]} (tolerance ${rel} x ${scale})`);
    }
  }
}

function expectRel(actual: number, expected: number, rel: number): void {
  if (!(Math.abs(actual - expected) <= rel * Math.max(Math.abs(expected), 1e-300))) {
    throw new Error(`${actual} vs ${expected} (relative tolerance ${rel})`);
  }
}

/** Symmetric random weights in [0.25, 2.25) with a share of zeros, kept connected by a path. */
function randomWeights(n: number, seed: number, zeroShare: number): Float64Array {
  const r = randomArray(n * n, seed);
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = r[i * n + j] < zeroShare ? 0 : 0.25 + 2 * r[j * n + i];
      w[i * n + j] = v;
      w[j * n + i] = v;
    }
  }
  for (let i = 0; i + 1 < n; i++) {
    if (w[i * n + i + 1] === 0) {
      w[i * n + i + 1] = 1;
      w[(i + 1) * n + i] = 1;
    }
  }
  return w;
}

describe("weighted SMACOF", () => {
  test.each(BACKENDS)("matches the numpy textbook implementation (pinv(V)) (threads = %i)", (threads) => {
    for (const c of weightedFixture.cases) {
      const d = new Float64Array(c.dissimilarities);
      for (const run of c.runs) {
        const r = smacof(d, c.n, {
          outputDims: c.dims, init: new Float64Array(c.init), weights: new Float64Array(c.weights!), maxIter: run.maxIter, eps: run.eps, threads,
        });
        expect(r.iterations).toBe(run.iterations);
        expectClose(r.embedding, run.embedding, 1e-8);
        expectRel(r.stress, run.stress, 1e-8);
        expectRel(r.normalizedStress, run.normalizedStress, 1e-8);
      }
    }
  });

  const n = 70;
  const pts = randomArray(n * 4, 31);
  const d = computeDistanceMatrix(pts, 4, { threads: 0 });
  const w = randomWeights(n, 32, 0.4);

  test("native == reference (1e-9) after the same iterations; identical bits for every thread count", () => {
    for (const init of ["random", "classical"] as const) {
      const opts = { init, seed: 3, maxIter: 60, eps: 0, weights: w };
      const ref = smacof(d, n, { ...opts, threads: 0 });
      expect(ref.iterations).toBe(60);
      const first = NATIVE_THREADS.length ? smacof(d, n, { ...opts, threads: 1 }) : ref;
      for (const threads of NATIVE_THREADS) {
        const r = smacof(d, n, { ...opts, threads });
        expect(r).toEqual(first);
        expectClose(r.embedding, ref.embedding, 1e-9);
        expectRel(r.stress, ref.stress, 1e-9);
        expectRel(r.normalizedStress, ref.normalizedStress, 1e-9);
      }
    }
  });

  test.each(BACKENDS)("unit weights give the unweighted result (1e-9) (threads = %i)", (threads) => {
    const ones = new Float64Array(n * n).fill(1);
    const opts = { init: "random" as const, seed: 8, maxIter: 40, eps: 0, threads };
    const plain = smacof(d, n, opts);
    const weighted = smacof(d, n, { ...opts, weights: ones });
    expectClose(weighted.embedding, plain.embedding, 1e-9);
    expectRel(weighted.stress, plain.stress, 1e-9);
  });

  test.each(BACKENDS)("zero weights are missing: their dissimilarities do not matter (threads = %i)", (threads) => {
    const scrambled = d.slice();
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (w[i * n + j] === 0) {
          scrambled[i * n + j] = 1000 + i;
          scrambled[j * n + i] = 1000 + i;
        }
      }
    }
    const opts = { init: "random" as const, seed: 2, maxIter: 30, weights: w, threads };
    expect(smacof(scrambled, n, opts)).toEqual(smacof(d, n, opts));
  });

  test.each(BACKENDS)("stress never increases; mds(points) == smacof(distances) with weights (threads = %i)", async (threads) => {
    const events: SmacofProgressEvent[] = [];
    const r = await smacofAsync(d, n, { init: "random", seed: 4, weights: w, threads, onProgress: (e) => events.push(e) });
    expect(events.length).toBe(r.iterations);
    for (let k = 1; k < events.length; k++) expect(events[k].stress).toBeLessThanOrEqual(events[k - 1].stress * (1 + 1e-12));
    expect(events[events.length - 1].stress).toBe(r.stress);
    expect(await smacofAsync(d, n, { init: "random", seed: 4, weights: w, threads })).toEqual(smacof(d, n, { init: "random", seed: 4, weights: w, threads }));
    expect(mds(pts, 4, { weights: w, maxIter: 20, threads })).toEqual(smacof(d, n, { weights: w, maxIter: 20, threads }));
  });

  test.each(BACKENDS)("abort between iterations rejects with AbortError (threads = %i)", async (threads) => {
    const big = 300;
    const bigD = computeDistanceMatrix(randomArray(big * 5, 41), 5, { threads: 0 });
    const bigW = randomWeights(big, 42, 0.5);
    const controller = new AbortController();
    const seen: number[] = [];
    const run = smacofAsync(bigD, big, {
      threads, init: "random", eps: 0, maxIter: 100000, weights: bigW, signal: controller.signal,
      onProgress: (e) => { seen.push(e.done); if (e.done === 2) controller.abort(); },
    });
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
    const count = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.length).toBe(count);
  });
});

describe("non-metric SMACOF", () => {
  test.each(BACKENDS)("matches scikit-learn 1.9.1 (_smacof_single, metric=False, given init) (threads = %i)", (threads) => {
    for (const c of nonMetricFixture.cases) {
      const d = new Float64Array(c.dissimilarities);
      for (const run of c.runs) {
        const r = smacof(d, c.n, { outputDims: c.dims, init: new Float64Array(c.init), nonMetric: true, maxIter: run.maxIter, eps: run.eps, threads });
        expect(r.iterations).toBe(run.iterations);
        expectClose(r.embedding, run.embedding, 1e-8);
        expectRel(r.stress, run.stress, 1e-8);
        expectRel(r.normalizedStress, run.normalizedStress, 1e-8);
      }
    }
  });

  const n = 60;
  const raw = computeDistanceMatrix(randomArray(n * 3, 51), 3, { threads: 0 });
  // Ties (rounded to 0.05) and a monotone distortion: what non-metric MDS is for.
  const d = raw.map((v) => (v === 0 ? 0 : Math.round(Math.exp(2 * v) * 20) / 20));

  test("native == reference (1e-9) after the same iterations; identical bits for every thread count", () => {
    const opts = { init: "random" as const, seed: 6, maxIter: 40, eps: 0, nonMetric: true };
    const ref = smacof(d, n, { ...opts, threads: 0 });
    const first = NATIVE_THREADS.length ? smacof(d, n, { ...opts, threads: 1 }) : ref;
    for (const threads of NATIVE_THREADS) {
      const r = smacof(d, n, { ...opts, threads });
      expect(r).toEqual(first);
      expectClose(r.embedding, ref.embedding, 1e-9);
      expectRel(r.stress, ref.stress, 1e-9);
    }
  });

  test.each(BACKENDS)("a monotone distortion of Euclidean distances is recovered (normalized stress < 1e-3) (threads = %i)", (threads) => {
    const truth = randomArray(25 * 2, 61, -1, 1);
    const e = computeDistanceMatrix(truth, 2, { threads: 0 }).map((v) => v * v * v + v);
    const r = smacof(e, 25, { nonMetric: true, eps: 0, maxIter: 3000, threads });
    expect(r.normalizedStress).toBeLessThan(1e-3);
  });
});

describe("transform (out-of-sample)", () => {
  const n = 40;
  const pts = randomArray(n * 3, 71);
  const d = computeDistanceMatrix(pts, 3, { threads: 0 });

  test("an exact 2-D configuration: new points land where they are (1e-9), both backends", () => {
    const all = randomArray(23 * 2, 72, -1, 1);
    const fitted = all.slice(0, 20 * 2);
    const fit = mds(fitted, 2, { eps: 0, maxIter: 5000, threads: 0 });
    expect(fit.normalizedStress).toBeLessThan(1e-9);
    // Rows: dissimilarities of the 3 new points to the 20 fitted ones.
    const rows = new Float64Array(3 * 20);
    for (let r = 0; r < 3; r++) {
      for (let j = 0; j < 20; j++) rows[r * 20 + j] = Math.hypot(all[(20 + r) * 2] - fitted[j * 2], all[(20 + r) * 2 + 1] - fitted[j * 2 + 1]);
    }
    for (const threads of BACKENDS) {
      const placed = fit.transform(rows, { eps: 0, threads });
      // Check through distances (the embedding is the truth up to a rigid motion).
      for (let r = 0; r < 3; r++) {
        for (let j = 0; j < 20; j++) {
          const dist = Math.hypot(placed[r * 2] - fit.embedding[j * 2], placed[r * 2 + 1] - fit.embedding[j * 2 + 1]);
          expect(Math.abs(dist - rows[r * 20 + j])).toBeLessThan(1e-7);
        }
      }
    }
  });

  test("a known answer: the point at (0.25, 0.5) among the unit square's corners", () => {
    const square = new Float64Array([0, 0, 1, 0, 0, 1, 1, 1]);
    const fit = smacof(computeDistanceMatrix(square, 2, { threads: 0 }), 4, { init: square, maxIter: 1, threads: 0 });
    expect(fit.stress).toBeLessThan(1e-20);
    // One Guttman step of an exact configuration only centres it: the embedding is the square shifted by (-0.5, -0.5).
    expectClose(fit.embedding, square.map((v) => v - 0.5), 1e-15);
    const row = Float64Array.from([0, 1, 2, 3], (j) => Math.hypot(0.25 - square[j * 2], 0.5 - square[j * 2 + 1]));
    for (const threads of BACKENDS) expectClose(fit.transform(row, { eps: 0, threads }), [-0.25, 0], 1e-9);
  });

  test.each([{}, { nonMetric: true }, { weights: randomWeights(n, 73, 0.3) }])("a fitted point's own row lands on its embedding (1e-6), %p", (extra) => {
    for (const threads of BACKENDS) {
      const fit = smacof(d, n, { ...extra, eps: 0, maxIter: 20000, threads });
      for (const i of [0, 17, n - 1]) {
        const row = d.slice(i * n, (i + 1) * n);
        const weights = (extra as { weights?: Float64Array }).weights?.slice(i * n, (i + 1) * n);
        const y = fit.transform(row, { eps: 0, maxIter: 5000, weights, threads });
        expectClose(y, fit.embedding.slice(i * 2, i * 2 + 2), 1e-6);
      }
    }
  });

  test("native == reference on the same fit (1e-9); identical bits for every thread count; Float32 rows widened", () => {
    const fit = smacof(d, n, { nonMetric: true, maxIter: 50, threads: 0 });
    const rows = computeDistanceMatrix(randomArray(n * 3, 74), 3, { threads: 0 }).slice(0, 5 * n);
    const opts = { maxIter: 40, eps: 1e-9 };
    const ref = fit.transform(rows, { ...opts, threads: 0 });
    const first = NATIVE_THREADS.length ? fit.transform(rows, { ...opts, threads: 1 }) : ref;
    for (const threads of NATIVE_THREADS) {
      expect(fit.transform(rows, { ...opts, threads })).toEqual(first);
      expectClose(first, ref, 1e-9);
    }
    const f32 = Float32Array.from(rows);
    for (const threads of BACKENDS) expect(fit.transform(f32, { ...opts, threads })).toEqual(fit.transform(Float64Array.from(f32), { ...opts, threads }));
  });

  test.each(BACKENDS)("the fitted points do not move; transformAsync == transform, with progress and abort (threads = %i)", async (threads) => {
    const fit = smacof(d, n, { maxIter: 50, threads });
    const before = fit.embedding.slice();
    const rows = d.slice(0, 3 * n);
    const sync = fit.transform(rows, { threads });
    expect(fit.embedding).toEqual(before);
    const events: SmacofProgressEvent[] = [];
    expect(await fit.transformAsync(rows, { threads, onProgress: (e) => events.push(e) })).toEqual(sync);
    expect(events.length).toBeGreaterThan(0);
    expect(events.map((e) => e.done)).toEqual(Array.from({ length: events.length }, (_, k) => k + 1));
    expect(events[0].total).toBe(300);
    await expect(fit.transformAsync(rows, { threads, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
    const controller = new AbortController();
    const run = fit.transformAsync(rows, {
      threads, eps: 0, maxIter: 1_000_000, signal: controller.signal, onProgress: (e) => { if (e.done === 2) controller.abort(); },
    });
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
  });
});
