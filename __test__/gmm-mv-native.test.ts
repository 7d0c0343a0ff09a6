/**
 * Smoke test of the raw multivariate GMM binding (`gmmMv*` in index.js), for
 * each covariance type on a small 2-D dataset: the fit runs; the statistics
 * of two chunk-aligned shards, concatenated, equal those of the whole data
 * bit for bit; `gmmMvMStep` on them gives one fit iteration's parameters bit
 * for bit. The public API and the scikit-learn parity live elsewhere.
 */
import { mulberry32 } from "../ts/random";

/* eslint-disable @typescript-eslint/no-require-imports */
const binding = require("../index.js");

const CHUNK = 16384;
const TYPES = ["full", "diag", "spherical", "tied"] as const;

/** The project's one generator. */
const rng = mulberry32;

/** n rows of 2 values around three centres. */
function dataset(n: number): Float64Array {
  const next = rng(7);
  const x = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x[2 * i] = 0.3 * c + 0.1 * (next() - 0.5);
    x[2 * i + 1] = 0.2 + 0.25 * c * c + 0.05 * (next() - 0.5);
  }
  return x;
}

function initModel(covariance: (typeof TYPES)[number]) {
  const d = 2;
  const k = 3;
  const cov =
    covariance === "full"
      ? Float64Array.from({ length: k * d * d }, (_, i) => ((i % 4) % 3 === 0 ? 0.05 : 0.01))
      : covariance === "tied"
        ? Float64Array.of(0.05, 0.01, 0.01, 0.05)
        : covariance === "diag"
          ? new Float64Array(k * d).fill(0.05)
          : new Float64Array(k).fill(0.05);
  return {
    covariance,
    dims: d,
    weights: Float64Array.of(0.2, 0.3, 0.5),
    means: Float64Array.of(0.0, 0.2, 0.3, 0.45, 0.6, 1.2),
    covariances: cov,
  };
}

function bytes(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function expectSameBits(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  expect(bytes(a).equals(bytes(b))).toBe(true);
}

const n = 2 * CHUNK + 500;
const x = dataset(n);
const next = rng(3);
const sampleWeight = Float64Array.from({ length: n }, () => 0.5 + next());
const layout = { rowWidth: 2, columns: Uint32Array.of(0, 1), sampleWeight };

function shardLayout(start: number, end: number) {
  return { rowWidth: 2, columns: Uint32Array.of(0, 1), sampleWeight: sampleWeight.subarray(start, end) };
}

describe.each(TYPES)("gmmMv* binding, covariance %s", (covariance) => {
  const init = initModel(covariance);
  const params = (iterations: number) => ({ components: 3, iterations, regCovar: 1e-6, init, trace: true });

  test("the fit runs and its async twin gives the same bits", async () => {
    const fit = binding.gmmMvFit(x, false, layout, params(5), 2);
    expect(fit.iterations).toBe(5);
    expect(fit.converged).toBe(false);
    expect(fit.logLikelihoods.length).toBe(5);
    for (let i = 1; i < 5; i++) expect(fit.logLikelihoods[i]).toBeGreaterThanOrEqual(fit.logLikelihoods[i - 1] - 1e-9);
    expect(fit.weights.reduce((s: number, w: number) => s + w, 0)).toBeCloseTo(1, 12);
    const events: number[] = [];
    const out = await binding.gmmMvFitAsync(x, { ...layout, borrow: true }, params(5), 1, undefined, (e: { done: number }) => events.push(e.done));
    expect(out.progressEvents).toBe(5);
    expectSameBits(out.fit.weights, fit.weights);
    expectSameBits(out.fit.means, fit.means);
    expectSameBits(out.fit.covariances, fit.covariances);
    expectSameBits(out.fit.logLikelihoods, fit.logLikelihoods);
  });

  test("statistics of chunk-aligned shards concatenate to those of the whole", async () => {
    const whole = binding.gmmMvStatistics(x, false, layout, init, 0, 2);
    expect(whole.chunkSize).toBe(CHUNK);
    expect(whole.rows).toBe(n);
    expect(["avx512", "avx2", "baseline"]).toContain(whole.isa);
    const s = whole.stride;
    expect(whole.chunks.length).toBe(3 * s);
    for (const split of [CHUNK, 2 * CHUNK]) {
      const a = binding.gmmMvStatistics(x.subarray(0, 2 * split), false, shardLayout(0, split), init, 0, 1);
      const b = await binding.gmmMvStatisticsAsync(x.subarray(2 * split), false, shardLayout(split, n), init, split, 3);
      const merged = new Float64Array(a.chunks.length + b.chunks.length);
      merged.set(a.chunks, 0);
      merged.set(b.chunks, a.chunks.length);
      expectSameBits(merged, whole.chunks);
    }
    expect(() => binding.gmmMvStatistics(x.subarray(200), false, shardLayout(100, n), init, 100, 1)).toThrow(
      "options.rowOffset must be a multiple of the chunk size GMM_STATS_CHUNK = 16384, got 100",
    );
  });

  test("gmmMvMStep on the statistics gives each fit iteration's parameters", () => {
    const fit = binding.gmmMvFit(x, true, layout, params(2), 1);
    const per = init.weights.length + init.means.length + init.covariances.length;
    let model = init;
    for (let it = 0; it < 2; it++) {
      const stats = binding.gmmMvStatistics(x, true, layout, model, 0, 2);
      const next = binding.gmmMvMStep(stats.chunks, stats.stride, model, 1e-6);
      const step = fit.trajectory.subarray(it * per, (it + 1) * per);
      const k = init.weights.length;
      const m = init.means.length;
      expectSameBits(next.weights, step.subarray(0, k));
      expectSameBits(next.means, step.subarray(k, k + m));
      expectSameBits(next.covariances, step.subarray(k + m));
      model = { ...init, weights: next.weights, means: next.means, covariances: next.covariances };
    }
    expectSameBits(model.covariances, fit.covariances);
  });

  test("per-row outputs agree with each other", async () => {
    const rows = 1000;
    const small = x.subarray(0, 2 * rows);
    const l = { rowWidth: 2, columns: Uint32Array.of(0, 1) };
    const scores = new Float64Array(rows);
    const labels = new Uint8Array(rows);
    const proba = new Float64Array(rows * 3);
    binding.gmmMvScoreSamples(small, false, l, init, scores, 2);
    binding.gmmMvPredict(small, false, l, init, labels, 2);
    await binding.gmmMvProbaAsync(small, false, l, init, proba, 2);
    for (let i = 0; i < rows; i++) {
      const r = proba.subarray(3 * i, 3 * i + 3);
      expect(r[0] + r[1] + r[2]).toBeCloseTo(1, 12);
      expect(r[labels[i]]).toBe(Math.max(...r));
      expect(Number.isFinite(scores[i])).toBe(true);
    }
    const scoresAsync = new Float64Array(rows);
    await binding.gmmMvScoreSamplesAsync(small, true, l, init, scoresAsync, 1);
    expectSameBits(scoresAsync, scores);
  });
});

describe("gmmMv* binding errors", () => {
  const init = initModel("full");
  const l = { rowWidth: 2, columns: Uint32Array.of(0, 1) };

  test("bad inputs are RangeErrors with the reference's messages, never a crash", () => {
    const bad = Float64Array.of(0, 1, NaN, 2);
    expect(() => binding.gmmMvScoreSamples(bad, false, l, init, new Float64Array(2), 1)).toThrow(
      "data[2] must be a finite number, got NaN",
    );
    expect(() => binding.gmmMvScoreSamples(new Float64Array(3), false, l, init, new Float64Array(1), 1)).toThrow(
      "data.length must be a multiple of dims = 2, got 3",
    );
    const notPd = { ...init, covariances: Float64Array.of(1, 0, 0, 1, 1, 2, 2, 1, 1, 0, 0, 1) };
    expect(() => binding.gmmMvPredict(new Float64Array(4), false, l, notPd, new Uint8Array(2), 1)).toThrow(
      "model: component 1 covariance is not positive definite",
    );
    const same = new Float64Array(40).fill(0.5);
    const one = { covariance: "full", dims: 2, weights: Float64Array.of(1), means: Float64Array.of(0, 0), covariances: Float64Array.of(1, 0, 0, 1) };
    expect(() =>
      binding.gmmMvFit(same, false, l, { components: 1, iterations: 2, regCovar: 0, init: one, trace: false }, 1),
    ).toThrow("component 0 covariance is not positive definite after regCovar = 0; increase options.regCovar");
    expect(() =>
      binding.gmmMvFit(same, false, { ...l, sampleWeight: new Float64Array(20) }, { components: 1, iterations: 2, regCovar: 1e-6, init: one, trace: false }, 1),
    ).toThrow("sampleWeight must contain at least one value > 0, got all zeros");
    expect(() => binding.gmmMvScoreSamples(same, false, l, { ...init, covariance: "round" }, new Float64Array(20), 1)).toThrow(
      "model.covariance must be one of 'full', 'diag', 'spherical', 'tied', got \"round\"",
    );
  });
});
