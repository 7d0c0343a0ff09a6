import { readFileSync } from "node:fs";
import path from "node:path";

import {
  classicalMds,
  computeDistanceMatrix,
  computeMdsError,
  distFromPoint,
  mds,
  mdsAsync,
  mse,
  smacof,
  smacofAsync,
  updateDistanceMatrix,
} from "../ts";
import type { IterationEvent } from "../ts";
import { native } from "../ts/native";
import { randomArray } from "./helpers/random";

// Tolerances: distance kernels use the same summation order in both backends
// and must agree to the bit; error sums (different reduction order) to 1e-12
// relative; classical MDS and SMACOF embeddings (same algorithm and order,
// different compilers of the same IEEE operations) to 1e-9 relative.
interface SklearnRun { maxIter: number; eps: number; embedding: number[]; stress: number; normalizedStress: number; iterations: number }
const fixture = JSON.parse(readFileSync(path.join(__dirname, "fixtures", "mds-sklearn.json"), "utf8")) as {
  n: number; srcDims: number; points: number[]; init: number[]; run_5: SklearnRun; run_300: SklearnRun;
};
const NATIVE_THREADS = native ? [1, 2, 3] : [];

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

/** Residual of the best orthogonal 2-D alignment of centred a onto centred b. */
function procrustes2d(a: Float64Array, b: Float64Array): number {
  const n = a.length / 2;
  const centre = (x: Float64Array) => {
    const m = [0, 0];
    for (let i = 0; i < n; i++) { m[0] += x[2 * i] / n; m[1] += x[2 * i + 1] / n; }
    return x.map((v, k) => v - m[k % 2]);
  };
  const [A, B] = [centre(a), centre(b)];
  let m11 = 0, m12 = 0, m21 = 0, m22 = 0;
  for (let i = 0; i < n; i++) {
    m11 += A[2 * i] * B[2 * i]; m12 += A[2 * i] * B[2 * i + 1];
    m21 += A[2 * i + 1] * B[2 * i]; m22 += A[2 * i + 1] * B[2 * i + 1];
  }
  const residual = (q: number[]) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const x = A[2 * i] * q[0] + A[2 * i + 1] * q[2] - B[2 * i];
      const y = A[2 * i] * q[1] + A[2 * i + 1] * q[3] - B[2 * i + 1];
      s += x * x + y * y;
    }
    return Math.sqrt(s);
  };
  const t1 = Math.atan2(m12 - m21, m11 + m22); // rotation
  const t2 = Math.atan2(m12 + m21, m11 - m22); // reflection
  return Math.min(
    residual([Math.cos(t1), Math.sin(t1), -Math.sin(t1), Math.cos(t1)]),
    residual([Math.cos(t2), Math.sin(t2), Math.sin(t2), -Math.cos(t2)]),
  );
}

describe("distance kernels", () => {
  test("known answers", () => {
    const pts = new Float64Array([0, 0, 3, 0, 0, 4]);
    for (const threads of [0, ...NATIVE_THREADS]) {
      expect(Array.from(computeDistanceMatrix(pts, 2, { threads }))).toEqual([0, 3, 4, 3, 0, 5, 4, 5, 0]);
      expect(Array.from(distFromPoint(pts, 2, new Float64Array([3, 0]), { threads }))).toEqual([3, 0, 5]);
      expect(mse(new Float64Array([1, 2]), new Float64Array([0, 4]), { threads })).toBe(5);
      const goal = new Float64Array([0, 1, 1, 0]);
      const cur = new Float64Array([0, 3, 2, 0]);
      expect(computeMdsError(goal, cur, 2, undefined, { threads })).toBe(5);
      expect(Array.from(computeMdsError(goal, cur, 2, -1, { threads }))).toEqual([4, 1]);
      expect(computeMdsError(goal, cur, 2, 1, { threads })).toBe(1);
    }
  });

  test.each([[1], [2], [5], [13]])("native == reference to the bit, every thread count (dims = %i)", (dims) => {
    const n = 150;
    const pts = randomArray(n * dims, 10 + dims, -3, 3);
    const ref = computeDistanceMatrix(pts, dims, { threads: 0 });
    let asymmetric = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (ref[i * n + j] !== ref[j * n + i] || (i === j && ref[i * n + j] !== 0)) asymmetric++;
    expect(asymmetric).toBe(0);
    const y = randomArray(dims, 99);
    const refY = distFromPoint(pts, dims, y, { threads: 0 });
    for (const threads of NATIVE_THREADS) {
      expect(computeDistanceMatrix(pts, dims, { threads })).toEqual(ref);
      expect(distFromPoint(pts, dims, y, { threads })).toEqual(refY);
    }
  });

  test("updateDistanceMatrix recomputes row and column i in place", () => {
    const [n, dims] = [90, 3];
    const pts = randomArray(n * dims, 5);
    for (const threads of [0, ...NATIVE_THREADS]) {
      const d = computeDistanceMatrix(pts, dims, { threads });
      const moved = Float64Array.from(pts);
      moved[17 * dims] += 0.75;
      updateDistanceMatrix(moved, dims, d, 17, { threads });
      expect(d).toEqual(computeDistanceMatrix(moved, dims, { threads: 0 }));
    }
  });

  test("error sums: native == reference (1e-12 relative), threads invariant", () => {
    const n = 200;
    const goal = randomArray(n * n, 1);
    const cur = randomArray(n * n, 2);
    const total = computeMdsError(goal, cur, n, undefined, { threads: 0 });
    const rows = computeMdsError(goal, cur, n, -1, { threads: 0 });
    const m = mse(goal, cur, { threads: 0 });
    const first = NATIVE_THREADS.length ? computeMdsError(goal, cur, n, undefined, { threads: 1 }) : total;
    for (const threads of NATIVE_THREADS) {
      const t = computeMdsError(goal, cur, n, undefined, { threads });
      expect(Math.abs(t - total)).toBeLessThanOrEqual(1e-12 * total);
      expect(t).toBe(first);
      expect(computeMdsError(goal, cur, n, -1, { threads })).toEqual(rows);
      expect(computeMdsError(goal, cur, n, 7, { threads })).toBe(rows[7]);
      expect(Math.abs(mse(goal, cur, { threads }) - m)).toBeLessThanOrEqual(1e-12 * m);
    }
  });
});

describe("classical MDS", () => {
  test.each([[2], [3]])("reproduces Euclidean distances exactly (dims = %i); native == reference", (dims) => {
    const n = 60;
    const pts = randomArray(n * dims, 31 + dims, -2, 2);
    const d = computeDistanceMatrix(pts, dims, { threads: 0 });
    const ref = classicalMds(d, n, dims, { threads: 0 });
    expectClose(computeDistanceMatrix(ref, dims, { threads: 0 }), d, 1e-9);
    const first = NATIVE_THREADS.length ? classicalMds(d, n, dims, { threads: 1 }) : ref;
    for (const threads of NATIVE_THREADS) {
      const x = classicalMds(d, n, dims, { threads });
      expect(x).toEqual(first);
      expectClose(x, ref, 1e-9);
    }
  });

  test("signs are deterministic: each axis' largest-magnitude coordinate is positive", () => {
    const n = 25;
    const d = computeDistanceMatrix(randomArray(n * 4, 3), 4, { threads: 0 });
    const x = classicalMds(d, n, 2, { threads: 0 });
    for (let k = 0; k < 2; k++) {
      let lead = 0;
      for (let i = 1; i < n; i++) if (Math.abs(x[i * 2 + k]) > Math.abs(x[lead * 2 + k])) lead = i;
      expect(x[lead * 2 + k]).toBeGreaterThan(0);
    }
  });
});

describe("SMACOF", () => {
  const n = 40;
  const pts = randomArray(n * 5, 77);
  const d = computeDistanceMatrix(pts, 5, { threads: 0 });

  test("matches scikit-learn 1.9.1 (_smacof_single, metric, given init)", () => {
    const fd = computeDistanceMatrix(new Float64Array(fixture.points), fixture.srcDims, { threads: 0 });
    for (const run of [fixture.run_5, fixture.run_300]) {
      for (const threads of [0, ...NATIVE_THREADS.slice(0, 1)]) {
        const r = smacof(fd, fixture.n, { init: new Float64Array(fixture.init), maxIter: run.maxIter, eps: run.eps, threads });
        expect(r.iterations).toBe(run.iterations);
        expectClose(r.embedding, run.embedding, 1e-8);
        expect(Math.abs(r.stress - run.stress)).toBeLessThanOrEqual(1e-8 * run.stress);
        expect(Math.abs(r.normalizedStress - run.normalizedStress)).toBeLessThanOrEqual(1e-8 * run.normalizedStress);
      }
    }
  });

  test("native == reference after the same iterations; identical bits for every thread count", () => {
    for (const init of ["random", "classical"] as const) {
      const opts = { init, seed: 12, maxIter: 60, eps: 0 };
      const ref = smacof(d, n, { ...opts, threads: 0 });
      expect(ref.iterations).toBe(60);
      expect(ref.converged).toBe(false);
      const first = NATIVE_THREADS.length ? smacof(d, n, { ...opts, threads: 1 }) : ref;
      for (const threads of NATIVE_THREADS) {
        const r = smacof(d, n, { ...opts, threads });
        expect(r).toEqual(first);
        expectClose(r.embedding, ref.embedding, 1e-9);
        expect(Math.abs(r.stress - ref.stress)).toBeLessThanOrEqual(1e-9 * ref.stress);
      }
    }
  });

  test("same seed, same embedding; nInit keeps the best run", () => {
    for (const threads of [0, ...NATIVE_THREADS.slice(0, 1)]) {
      const a = smacof(d, n, { init: "random", seed: 5, threads, maxIter: 30 });
      expect(smacof(d, n, { init: "random", seed: 5, threads, maxIter: 30 })).toEqual(a);
      expect(smacof(d, n, { init: "random", seed: 6, threads, maxIter: 30 }).embedding).not.toEqual(a.embedding);
      const best = smacof(d, n, { init: "random", seed: 5, nInit: 3, threads, maxIter: 30 });
      expect(best.stress).toBeLessThanOrEqual(a.stress);
    }
  });

  test.each([0, ...NATIVE_THREADS.slice(0, 2)])("stress never increases between iterations (threads = %i)", async (threads) => {
    const events: IterationEvent[] = [];
    const r = await smacofAsync(d, n, { init: "random", seed: 1, threads, onIteration: (e) => events.push(e) });
    expect(events.length).toBe(r.iterations);
    expect(events.map((e) => e.iteration)).toEqual(Array.from({ length: r.iterations }, (_, k) => k + 1));
    for (let k = 1; k < events.length; k++) expect(events[k].stress).toBeLessThanOrEqual(events[k - 1].stress * (1 + 1e-12));
    expect(events[events.length - 1].stress).toBe(r.stress);
  });

  test("recovers a 2-D configuration up to rotation, reflection and translation", () => {
    const truth = randomArray(30 * 2, 8, -1, 1);
    for (const threads of [0, ...NATIVE_THREADS.slice(0, 1)]) {
      for (const init of ["classical", "random"] as const) {
        // eps = 0: run until the stress stops decreasing.
        const r = mds(truth, 2, { init, seed: 4, threads, eps: 0, maxIter: 3000 });
        expect(procrustes2d(r.embedding, truth)).toBeLessThan(1e-6);
        expect(r.normalizedStress).toBeLessThan(1e-6);
      }
    }
  });

  test("mds(points) == smacof(computeDistanceMatrix(points))", () => {
    for (const threads of [0, ...NATIVE_THREADS.slice(0, 1)]) {
      expect(mds(pts, 5, { threads, maxIter: 20 })).toEqual(smacof(d, n, { threads, maxIter: 20 }));
    }
  });
});

describe("async, abort and progress", () => {
  const n = 30;
  const d = computeDistanceMatrix(randomArray(n * 3, 9), 3, { threads: 0 });

  test.each([0, ...NATIVE_THREADS.slice(0, 2)])("async == sync (threads = %i)", async (threads) => {
    const opts = { init: "random" as const, seed: 2, maxIter: 40, threads };
    expect(await smacofAsync(d, n, opts)).toEqual(smacof(d, n, opts));
    const pts = randomArray(n * 3, 9);
    expect(await mdsAsync(pts, 3, opts)).toEqual(mds(pts, 3, opts));
  });

  test.each([0, ...NATIVE_THREADS.slice(0, 1)])("abort between iterations rejects with AbortError (threads = %i)", async (threads) => {
    // Big enough that the native run cannot finish before the abort arrives
    // (each iteration touches 160,000 pairs; eps = 0 runs thousands of them).
    const big = 400;
    const bigD = computeDistanceMatrix(randomArray(big * 6, 21), 6, { threads: 0 });
    const controller = new AbortController();
    const seen: number[] = [];
    const run = smacofAsync(bigD, big, {
      threads, init: "random", eps: 0, maxIter: 100000, signal: controller.signal,
      onIteration: (e) => { seen.push(e.iteration); if (e.iteration === 3) controller.abort(); },
    });
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
    expect(seen.length).toBeGreaterThanOrEqual(3);
    const countAtRejection = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.length).toBe(countAtRejection);
    await expect(smacofAsync(d, n, { threads, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
  });

  test.each([0, ...NATIVE_THREADS.slice(0, 1)])("a throwing onIteration rejects with its error (threads = %i)", async (threads) => {
    const boom = new Error("stop here");
    await expect(smacofAsync(d, n, { threads, eps: 0, maxIter: 1000, onIteration: () => { throw boom; } })).rejects.toBe(boom);
  });
});

describe("errors (same from both backends)", () => {
  const backends = [0, ...NATIVE_THREADS.slice(0, 1)];
  const good = new Float64Array([0, 1, 1, 0]);
  test.each(backends)("bad input is a TypeError or RangeError naming the argument (threads = %i)", (threads) => {
    const o = { threads };
    expect(() => computeDistanceMatrix(new Float64Array(5), 2, o)).toThrow(new RangeError("points.length must be a positive multiple of dims = 2 (n rows x dims), got 5"));
    expect(() => computeDistanceMatrix([1, 2] as never, 1, o)).toThrow(new TypeError("points must be a Float64Array or a Float32Array, got Array(2)"));
    expect(() => computeDistanceMatrix(new Float64Array(4), 0, o)).toThrow(new RangeError("dims must be an integer >= 1, got 0"));
    expect(() => computeDistanceMatrix(new Float64Array([0, NaN]), 1, o)).toThrow(new RangeError("points[1] must be a finite number, got NaN"));
    expect(() => computeDistanceMatrix(new Float64Array(70000), 1, o)).toThrow(RangeError);
    expect(() => computeDistanceMatrix(new Float64Array(70000), 1, o)).toThrow(/n = 70000 needs an n x n matrix of 4900000000 elements/);
    expect(() => updateDistanceMatrix(new Float64Array(4), 2, new Float64Array(4), 2, o)).toThrow(new RangeError("i must be an integer from 0 to 1, got 2"));
    expect(() => updateDistanceMatrix(new Float64Array(4), 2, new Float64Array(3), 0, o)).toThrow(new RangeError("distances must have length 4 (n x n with n = 2), got length 3"));
    expect(() => distFromPoint(new Float64Array(4), 2, new Float64Array(3), o)).toThrow(new RangeError("y must have length 2 (dims), got length 3"));
    expect(() => mse(new Float64Array(2), new Float64Array(3), o)).toThrow(new RangeError("b must have the same length as a (2), got length 3"));
    expect(() => computeMdsError(good, good, 2, 2, o)).toThrow(new RangeError("i must be an integer from -1 to 1, got 2"));
    expect(() => computeMdsError(good, good, 3, undefined, o)).toThrow(new RangeError("goal must have length 9 (n x n with n = 3), got length 4"));
    expect(() => smacof(good, 1, o)).toThrow(new RangeError("n must be an integer >= 2, got 1"));
    expect(() => smacof(new Float64Array(3), 2, o)).toThrow(new RangeError("dissimilarities must have length 4 (n x n with n = 2), got length 3"));
    expect(() => smacof(new Float64Array([0, 1, 2, 0]), 2, o)).toThrow(new RangeError("dissimilarities must be symmetric: [0][1] = 1 but [1][0] = 2"));
    expect(() => smacof(new Float64Array([0, -1, -1, 0]), 2, o)).toThrow(new RangeError("dissimilarities[1] must be a finite number >= 0, got -1"));
    expect(() => smacof(new Float64Array([0, NaN, NaN, 0]), 2, o)).toThrow(new RangeError("dissimilarities[1] must be a finite number >= 0, got NaN"));
    expect(() => smacof(new Float64Array([1, 1, 1, 0]), 2, o)).toThrow(new RangeError("dissimilarities[0] (diagonal, row 0) must be 0, got 1"));
    expect(() => smacof(good, 2, { ...o, outputDims: 3 })).toThrow(new RangeError("options.outputDims must be an integer from 1 to 2, got 3"));
    expect(() => smacof(good, 2, { ...o, eps: -1 })).toThrow(RangeError);
    expect(() => smacof(good, 2, { ...o, init: "pca" as never })).toThrow(new RangeError('options.init must be "classical", "random" or a Float64Array, got "pca"'));
    expect(() => smacof(good, 2, { ...o, init: [1] as never })).toThrow(TypeError);
    expect(() => smacof(good, 2, { ...o, init: new Float64Array(3) })).toThrow(new RangeError("options.init must have length 4 (n x outputDims), got length 3"));
    expect(() => smacof(good, 2, { ...o, nInit: 2 })).toThrow(new RangeError('options.nInit must be 1 unless options.init is "random", got 2'));
    expect(() => smacof(good, 2, { ...o, seed: -1 })).toThrow(RangeError);
    expect(() => classicalMds(good, 2, 3, o)).toThrow(new RangeError("outputDims must be an integer from 1 to 2, got 3"));
    expect(() => mds(new Float64Array(2), 2, o)).toThrow(new RangeError("n (points.length / dims) must be an integer >= 2, got 1"));
  });

  test.each(backends)("async validation rejects the same way (threads = %i)", async (threads) => {
    await expect(smacofAsync(good, 2, { threads, onIteration: 5 as never })).rejects.toThrow(new TypeError("options.onIteration must be a function or undefined, got 5"));
    await expect(mdsAsync(new Float64Array(3), 2, { threads })).rejects.toThrow(RangeError);
  });
});
