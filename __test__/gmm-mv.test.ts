/**
 * Multivariate Gaussian mixtures (issue 13, design 13).
 *
 * - scikit-learn fixtures (`fixtures/gmm_sklearn_mv.py`): the reference
 *   matches GaussianMixture with explicit inits within 1e-9 relative
 *   (plus 1e-12 of the array's largest magnitude for entries near 0).
 * - sampleWeight w == w copies, distinct colours == all pixels: 1e-12.
 * - shard merge and stream fit: bitwise (reference backend).
 * - bad inputs: clear errors.
 * - "native parity": native == reference; these fail (not skip) until the
 *   native multivariate kernels are merged.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import {
  aic,
  backend,
  bic,
  countDistinctColors,
  fitGmm,
  fitGmmAsync,
  fitGmmStream,
  GMM_STATS_CHUNK,
  gmmFromJSON,
  gmmMStep,
  gmmStatistics,
  gmmStatisticsAsync,
  gmmToJSON,
  mergeGmmStatistics,
  predictGmm,
  predictProba,
  sampleGmm,
  score,
  scoreSamples,
  scoreSamplesAsync,
  computeLogLikelihoodStable,
} from "../ts";
import type { CovarianceType, GmmMvFit, GmmMvModel, GmmStatistics } from "../ts";
import { mulberry32 } from "./helpers/random";

const TYPES: CovarianceType[] = ["full", "diag", "spherical", "tied"];

interface Case {
  name: string;
  dims: number;
  covariance: CovarianceType;
  components: number;
  init: { weights: number[]; means: number[]; covariances: number[] };
  weights: number[];
  means: number[];
  covariances: number[];
  lowerBound: number;
  scoreSamples: number[];
  bic: number;
  aic: number;
}
interface Fixtures {
  sklearn: string;
  iterations: number;
  regCovar: number;
  data: Record<string, number[]>;
  cases: Case[];
}

const fixtures = JSON.parse(readFileSync(path.join(__dirname, "fixtures", "gmm-sklearn-mv.json"), "utf8")) as Fixtures;

/** |a - e| <= rel * max(|a|, |e|) + floor * max|e| (the floor covers entries near 0, e.g. off-diagonal covariances). */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, floor = 1e-3 * rel): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    const tol = rel * Math.max(Math.abs(a), Math.abs(e)) + floor * scale;
    if (!(Math.abs(a - e) <= tol)) throw new Error(`index ${i}: ${a} vs ${e} (tolerance ${tol})`);
  }
}

/**
 * Covariances computed from plain (uncentred) sums: `Sigma = S / N - mu mu^T`
 * cancels, so an entry is accurate relative to the second moment
 * `|Sigma_ab| + |mu_a mu_b|`, not to `Sigma_ab` alone (design 13 fixes plain
 * sums). The tolerance is `rel * (|Sigma_ab| + max_k |mu_ka mu_kb|)`
 * (component k's means for full/diag/spherical, every component's for tied).
 */
function expectCovariancesClose(actual: GmmMvModel, expected: GmmMvModel, rel: number): void {
  const { dims: d, covariance: type } = expected;
  const k = expected.weights.length;
  expect(actual.covariances.length).toBe(expected.covariances.length);
  const m = expected.means;
  const second = (c: number, a: number, b: number) => Math.abs(m[c * d + a] * m[c * d + b]);
  for (let i = 0; i < expected.covariances.length; i++) {
    let scale = 0;
    if (type === "full") scale = second(Math.floor(i / (d * d)), Math.floor((i % (d * d)) / d), i % d);
    else if (type === "diag") scale = second(Math.floor(i / d), i % d, i % d);
    else if (type === "spherical") for (let j = 0; j < d; j++) scale = Math.max(scale, second(i, j, j));
    else for (let c = 0; c < k; c++) scale = Math.max(scale, second(c, Math.floor(i / d), i % d));
    const a = actual.covariances[i], e = expected.covariances[i];
    const tol = rel * (Math.max(Math.abs(a), Math.abs(e)) + scale);
    if (!(Math.abs(a - e) <= tol)) throw new Error(`covariances[${i}]: ${a} vs ${e} (tolerance ${tol})`);
  }
}

function expectBitwise(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(Array.from(actual)).toEqual(Array.from(expected));
}

function expectSameModel(a: GmmMvModel, b: GmmMvModel): void {
  expectBitwise(a.weights, b.weights);
  expectBitwise(a.means, b.means);
  expectBitwise(a.covariances, b.covariances);
}

function initOf(c: Case) {
  return { weights: Float64Array.from(c.init.weights), means: Float64Array.from(c.init.means), covariances: Float64Array.from(c.init.covariances) };
}

/** n rows of a d-dimensional 3-cluster mixture (seeded). */
function clusters(n: number, d: number, seed: number): Float64Array {
  const truth: GmmMvModel = {
    dims: d,
    covariance: "diag",
    weights: Float64Array.of(0.5, 0.3, 0.2),
    means: Float64Array.from({ length: 3 * d }, (_, i) => 1 + ((i * 7) % 5)),
    covariances: Float64Array.from({ length: 3 * d }, (_, i) => 0.2 + 0.1 * (i % 3)),
  };
  return sampleGmm(truth, n, { seed, threads: 0 }).data;
}

/** A simple explicit init for K components in d dimensions. */
function explicitInit(type: CovarianceType, k: number, d: number) {
  const means = Float64Array.from({ length: k * d }, (_, i) => 1 + ((i * 3) % 5) + 0.1 * i);
  const n = type === "full" ? k : type === "tied" ? 1 : 0;
  let covariances: Float64Array;
  if (n > 0) {
    covariances = new Float64Array(n * d * d);
    for (let m = 0; m < n; m++) for (let j = 0; j < d; j++) covariances[m * d * d + j * d + j] = 1 + 0.1 * j;
  } else {
    covariances = new Float64Array(type === "diag" ? k * d : k).fill(1);
  }
  return { weights: new Float64Array(k).fill(1 / k), means, covariances };
}

describe("scikit-learn parity (reference backend)", () => {
  test(`fixtures come from scikit-learn ${fixtures.sklearn}, all four covariance types, d = 1, 2, 3, 5`, () => {
    expect(fixtures.sklearn).toMatch(/^1\./);
    expect(new Set(fixtures.cases.map((c) => c.covariance))).toEqual(new Set(TYPES));
    expect(new Set(fixtures.cases.map((c) => c.dims))).toEqual(new Set([1, 2, 3, 5]));
  });

  test.each(fixtures.cases.map((c) => [c.name, c] as const))("%s: weights, means, covariances, score_samples, bic, aic within 1e-9", (_name, c) => {
    const data = Float64Array.from(fixtures.data[String(c.dims)]);
    const fit = fitGmm(data, {
      dims: c.dims,
      components: c.components,
      covariance: c.covariance,
      iterations: fixtures.iterations,
      regCovar: fixtures.regCovar,
      init: initOf(c),
      threads: 0,
    });
    expect(fit.iterations).toBe(fixtures.iterations);
    expect(fit.dims).toBe(c.dims);
    expectClose(fit.weights, c.weights, 1e-9);
    expectClose(fit.means, c.means, 1e-9);
    expectClose(fit.covariances, c.covariances, 1e-9);
    const n = data.length / c.dims;
    expectClose([fit.logLikelihoods[fixtures.iterations - 1] / n], [c.lowerBound], 1e-9);
    expectClose(scoreSamples(data, fit, { threads: 0 }), c.scoreSamples, 1e-9);
    expectClose([bic(data, fit, { threads: 0 })], [c.bic], 1e-9);
    expectClose([aic(data, fit, { threads: 0 })], [c.aic], 1e-9);
  });
});

describe("routing", () => {
  const values = clusters(500, 1, 3);
  test("dims: 1 without multivariate options is the 1-D path, bit for bit", () => {
    const a = fitGmm(values, { components: 3, iterations: 5, threads: 0 });
    const b = fitGmm(values, { components: 3, iterations: 5, dims: 1, threads: 0 });
    expect(b).toEqual(a);
    expect("covariances" in b).toBe(false);
  });
  test("a multivariate option selects the multivariate path, also for d = 1; d = 1 fits carry variances and stdevs", () => {
    const fit = fitGmm(values, { components: 2, iterations: 3, covariance: "diag", threads: 0 });
    expect(fit.covariance).toBe("diag");
    expect(fit.dims).toBe(1);
    expectBitwise(fit.variances as Float64Array, fit.covariances);
    const viaWeights = fitGmm(values, { components: 2, iterations: 3, sampleWeight: new Float64Array(500).fill(1), threads: 0 });
    expect(viaWeights.covariance).toBe("full");
  });
  test("a 1-D model works with the new estimator functions (read as d = 1)", () => {
    const model = fitGmm(values, { components: 3, iterations: 5, threads: 0 });
    const total = computeLogLikelihoodStable(values, model, { threads: 0 });
    expectClose([score(values, model, { threads: 0 }) * values.length], [total], 1e-12);
  });
});

describe("estimator surface (reference)", () => {
  const d = 3;
  const data = clusters(900, d, 5);
  test.each(TYPES)("%s: predict = argmax proba (N x K row-major, rows sum to 1), scoreSamples = log-sum-exp", (covariance) => {
    const fit = fitGmm(data, { dims: d, components: 3, iterations: 10, covariance, seed: 7, threads: 0 });
    const labels = predictGmm(data, fit, { threads: 0 });
    const proba = predictProba(data, fit, { threads: 0 });
    expect(proba.length).toBe(900 * 3);
    for (let i = 0; i < 900; i++) {
      const row = proba.subarray(i * 3, i * 3 + 3);
      expect(Math.abs(row[0] + row[1] + row[2] - 1)).toBeLessThan(1e-12);
      let best = 0;
      for (let k = 1; k < 3; k++) if (row[k] > row[best]) best = k;
      expect(labels[i]).toBe(best);
    }
    const s = scoreSamples(data, fit, { threads: 0 });
    let total = 0;
    for (const v of s) total += v;
    expectClose([score(data, fit, { threads: 0 })], [total / 900], 1e-12);
    expectClose([fit.logLikelihoods[fit.iterations - 1]], [fit.logLikelihoods[fit.iterations - 1]], 0);
  });
  test("seeded inits are reproducible; nInit keeps the best final log-likelihood", () => {
    for (const init of ["kmeans++", "random", "random_from_data"] as const) {
      const a = fitGmm(data, { dims: d, components: 3, iterations: 4, init, seed: 11, threads: 0 });
      const b = fitGmm(data, { dims: d, components: 3, iterations: 4, init, seed: 11, threads: 0 });
      expectSameModel(a, b);
      const best = fitGmm(data, { dims: d, components: 3, iterations: 4, init, seed: 11, nInit: 3, threads: 0 });
      expect(best.logLikelihoods[3]).toBeGreaterThanOrEqual(a.logLikelihoods[3]);
    }
  });
  test("sampleGmm is seeded and follows the model", () => {
    const model: GmmMvModel = { dims: 2, covariance: "full", weights: Float64Array.of(1), means: Float64Array.of(2, -1), covariances: Float64Array.of(1, 0.5, 0.5, 2) };
    const a = sampleGmm(model, 20_000, { seed: 4, threads: 0 });
    expectBitwise(a.data, sampleGmm(model, 20_000, { seed: 4, threads: 0 }).data);
    const fit = fitGmm(a.data, { dims: 2, components: 1, iterations: 1, threads: 0 });
    expectClose(fit.means, model.means, 0.05, 0.02);
    expectClose(fit.covariances, model.covariances, 0.05, 0.02);
  });
  test("JSON: toJSON is non-enumerable, the round trip keeps every bit, loading validates", () => {
    const fit = fitGmm(data, { dims: d, components: 2, iterations: 3, threads: 0 });
    expect(Object.keys(fit)).not.toContain("toJSON");
    const json = JSON.parse(JSON.stringify(fit));
    expect(json).toEqual(gmmToJSON(fit));
    expect(json.format).toBe("fastkernels-gmm");
    expect(json.version).toBe(1);
    const back = gmmFromJSON(JSON.stringify(fit));
    expectSameModel(back, fit);
    expect(() => gmmFromJSON({ ...json, version: 2 })).toThrow("json.version must be 1");
    expect(() => gmmFromJSON({ ...json, format: "x" })).toThrow('json.format must be "fastkernels-gmm"');
    expect(() => gmmFromJSON({ ...json, means: json.means.slice(1) })).toThrow("json.means must have length 6");
    const bad = json.covariances.slice();
    bad[0] = -1;
    expect(() => gmmFromJSON({ ...json, covariances: bad })).toThrow(/not positive definite/);
    expect(() => gmmFromJSON("{")).toThrow(SyntaxError);
  });
  test("async twins give the sync results", async () => {
    const options = { dims: d, components: 3, iterations: 3, covariance: "tied" as const, seed: 2, threads: 0 };
    const events: number[] = [];
    const a = await fitGmmAsync(data, { ...options, onProgress: (e) => events.push(e.done) });
    expectSameModel(a, fitGmm(data, options));
    expect(events).toEqual([1, 2, 3]);
    expectBitwise(await scoreSamplesAsync(data, a, { threads: 0 }), scoreSamples(data, a, { threads: 0 }));
  });
});

describe("sample weights", () => {
  test.each(TYPES)("%s: integer sampleWeight w equals w copies of the row (1e-12)", (covariance) => {
    const d = 3;
    const data = clusters(600, d, 9);
    const random = mulberry32(5);
    const weights = Float64Array.from({ length: 600 }, () => Math.floor(random() * 4));
    const copies: number[] = [];
    for (let i = 0; i < 600; i++) for (let c = 0; c < weights[i]; c++) copies.push(...data.subarray(i * d, (i + 1) * d));
    const init = explicitInit(covariance, 3, d);
    const options = { dims: d, components: 3, iterations: 6, covariance, init, threads: 0 };
    const weighted = fitGmm(data, { ...options, sampleWeight: weights });
    const expanded = fitGmm(Float64Array.from(copies), options);
    expectClose(weighted.weights, expanded.weights, 1e-12);
    expectClose(weighted.means, expanded.means, 1e-12);
    expectCovariancesClose(weighted, expanded, 1e-12);
    expectClose(weighted.logLikelihoods, expanded.logLikelihoods, 1e-12);
    expectClose([bic(data, weighted, { sampleWeight: weights, threads: 0 })], [bic(Float64Array.from(copies), expanded, { threads: 0 })], 1e-12);
  });

  test("distinct-colour fit: counts of the distinct colours as weights equal the per-pixel fit (1e-12)", () => {
    // An RGBA image of 96 x 96 pixels from a few colour clusters, quantised so colours repeat.
    const random = mulberry32(21);
    const palette = [[200, 40, 40], [30, 160, 60], [40, 60, 210], [230, 220, 200]];
    const pixels = new Uint8ClampedArray(96 * 96 * 4);
    for (let i = 0; i < 96 * 96; i++) {
      const p = palette[Math.floor(random() * palette.length)];
      for (let c = 0; c < 3; c++) pixels[i * 4 + c] = p[c] + Math.round((random() - 0.5) * 24);
      pixels[i * 4 + 3] = 255;
    }
    const { colors, counts, dims } = countDistinctColors(pixels, { dims: 4, columns: [0, 1, 2], threads: 0 });
    expect(dims).toBe(3);
    expect(counts.length).toBeLessThan(96 * 96);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(96 * 96);
    for (const covariance of TYPES) {
      const init = explicitInit(covariance, 4, 3);
      for (let i = 0; i < init.means.length; i++) init.means[i] = palette[Math.floor(i / 3)][i % 3] / 255;
      for (let i = 0; i < init.covariances.length; i++) init.covariances[i] *= 0.01;
      const full = fitGmm(pixels, { dims: 4, columns: [0, 1, 2], components: 4, iterations: 5, covariance, init, threads: 0 });
      const distinct = fitGmm(colors, { dims: 3, components: 4, iterations: 5, covariance, init, sampleWeight: counts, threads: 0 });
      expectClose(distinct.weights, full.weights, 1e-12);
      expectClose(distinct.means, full.means, 1e-12);
      expectCovariancesClose(distinct, full, 1e-12);
      expectClose(distinct.logLikelihoods, full.logLikelihoods, 1e-12);
    }
  });
});

describe("mergeable statistics (reference, bitwise)", () => {
  const d = 2;
  const n = 3 * GMM_STATS_CHUNK + 1234;
  const data = clusters(n, d, 31);
  const random = mulberry32(8);
  const weights = Float64Array.from({ length: n }, () => random() * 2);

  function shardStats(model: GmmMvModel, cuts: number[], sampleWeight?: Float64Array): GmmStatistics {
    const bounds = [0, ...cuts, n];
    let merged: GmmStatistics | undefined;
    for (let s = 0; s + 1 < bounds.length; s++) {
      const [lo, hi] = [bounds[s], bounds[s + 1]];
      const stats = gmmStatistics(data.subarray(lo * d, hi * d), model, {
        dims: d,
        rowOffset: lo,
        sampleWeight: sampleWeight?.subarray(lo, hi),
        threads: 0,
      });
      merged = merged ? mergeGmmStatistics(merged, stats) : stats;
    }
    return merged as GmmStatistics;
  }

  test.each(TYPES)("%s: shards at chunk multiples, merged in order, then gmmMStep = the in-process fit, bit for bit", (covariance) => {
    const init = { dims: d, covariance, ...explicitInit(covariance, 3, d) };
    for (const sampleWeight of [undefined, weights]) {
      const fit1 = fitGmm(data, { dims: d, components: 3, iterations: 1, covariance, init, sampleWeight, threads: 0 });
      const fit2 = fitGmm(data, { dims: d, components: 3, iterations: 2, covariance, init, sampleWeight, threads: 0 });
      for (const cuts of [[], [GMM_STATS_CHUNK], [GMM_STATS_CHUNK, 3 * GMM_STATS_CHUNK], [2 * GMM_STATS_CHUNK]]) {
        const stats = shardStats(init, cuts, sampleWeight);
        expect(stats.isa).toBe("js");
        expect(stats.rows).toBe(n);
        expect(stats.chunks.length).toBe(4 * stats.stride);
        const step1 = gmmMStep(stats, { threads: 0 });
        expectSameModel(step1, fit1);
        expect(step1.logLikelihood).toBe(fit1.logLikelihoods[0]);
        const step2 = gmmMStep(shardStats(step1, cuts, sampleWeight), { threads: 0 });
        expectSameModel(step2, fit2);
        expect(step2.logLikelihood).toBe(fit2.logLikelihoods[1]);
      }
    }
  });

  test("merge refuses shards out of order, incomplete chunks, misaligned offsets, mixed instruction sets", async () => {
    const model = { dims: d, covariance: "diag" as const, ...explicitInit("diag", 2, d) };
    const a = gmmStatistics(data.subarray(0, GMM_STATS_CHUNK * d), model, { dims: d, threads: 0 });
    const b = gmmStatistics(data.subarray(GMM_STATS_CHUNK * d), model, { dims: d, rowOffset: GMM_STATS_CHUNK, threads: 0 });
    expect(() => mergeGmmStatistics(a, a)).toThrow("b.rowOffset must be a.rowOffset + a.rows = 16384 (shards contiguous, merged in order), got 0");
    expect(() => mergeGmmStatistics(b, b)).toThrow(`a.rows must be a multiple of chunkSize = ${GMM_STATS_CHUNK}`);
    expect(() => mergeGmmStatistics(a, { ...b, isa: "avx2" })).toThrow("statistics computed with js and avx2 cannot be merged bit for bit; use workers on the same instruction set");
    expect(() => gmmStatistics(data, model, { dims: d, rowOffset: 100, threads: 0 })).toThrow(`options.rowOffset must be a multiple of GMM_STATS_CHUNK = ${GMM_STATS_CHUNK}`);
    expectSameModel(gmmMStep(mergeGmmStatistics(a, b), { threads: 0 }), gmmMStep(gmmStatistics(data, model, { dims: d, threads: 0 }), { threads: 0 }));
    const viaAsync = await gmmStatisticsAsync(data, model, { dims: d, threads: 0 });
    expectBitwise(viaAsync.chunks, gmmStatistics(data, model, { dims: d, threads: 0 }).chunks);
  });
  test("a shard whose rows all weigh 0 is valid statistics (both backends); only a zero total is refused, by the M-step", () => {
    const model = { dims: d, covariance: "full" as const, ...explicitInit("full", 2, d) };
    const zero = new Float64Array(GMM_STATS_CHUNK);
    const head = data.subarray(0, GMM_STATS_CHUNK * d);
    const tail = data.subarray(GMM_STATS_CHUNK * d);
    for (const threads of [0, 1]) {
      const empty = gmmStatistics(head, model, { dims: d, sampleWeight: zero, threads });
      expect(empty.chunks[0]).toBe(0);
      const rest = gmmStatistics(tail, model, { dims: d, rowOffset: GMM_STATS_CHUNK, threads });
      const weights = new Float64Array(n).fill(1);
      weights.fill(0, 0, GMM_STATS_CHUNK);
      const whole = fitGmm(data, { dims: d, components: 2, iterations: 1, covariance: "full", init: model, sampleWeight: weights, threads });
      expectSameModel(gmmMStep(mergeGmmStatistics(empty, rest), { threads }), whole);
      expect(() => gmmMStep(empty, { threads })).toThrow("the statistics' weight sum is 0 (no row of weight > 0)");
    }
  });
});

describe("fitGmmStream (reference, bitwise)", () => {
  const d = 3;
  const n = 2 * GMM_STATS_CHUNK + 4321;
  const data = clusters(n, d, 41);

  /** Chunks of irregular row counts, each a fresh copy. */
  function source<T extends Float64Array | Uint8Array>(all: T, sizes: number[]) {
    return async function* () {
      let row = 0, s = 0;
      while (row < all.length / d) {
        const take = Math.min(sizes[s++ % sizes.length], all.length / d - row);
        yield all.slice(row * d, (row + take) * d) as T;
        row += take;
      }
    };
  }

  test.each(TYPES)("%s: the stream fit equals fitGmm on the concatenated data", async (covariance) => {
    const init = explicitInit(covariance, 3, d);
    const options = { dims: d, components: 3, iterations: 3, covariance, init, threads: 0 };
    const expected = fitGmm(data, options);
    const events: number[] = [];
    const streamed = await fitGmmStream(source(data, [1000, 7, 30000, 1]), { ...options, onProgress: (e) => events.push(e.logLikelihood) });
    expectSameModel(streamed, expected);
    expectBitwise(streamed.logLikelihoods, expected.logLikelihoods);
    expectBitwise(events, expected.logLikelihoods);
  });

  test("8-bit streams too; the stream needs an explicit or 'original' init", async () => {
    const bytes = Uint8Array.from(data, (v) => Math.max(0, Math.min(255, Math.round(v * 40))));
    const options = { dims: d, components: 2, iterations: 2, covariance: "full" as const, init: "original" as const, threads: 0 };
    const expected = fitGmm(bytes, options) as GmmMvFit;
    expectSameModel(await fitGmmStream(source(bytes, [5000, 3]), options), expected);
    await expect(fitGmmStream(source(bytes, [10]), { ...options, init: "kmeans++" } as never)).rejects.toThrow("options.init must be 'original' or an explicit");
    await expect(fitGmmStream(source(bytes, [10]), { ...options, init: undefined } as never)).rejects.toThrow("options.init is required by fitGmmStream");
    await expect(fitGmmStream(async function* () { yield new Float64Array(4); }, { ...options })).rejects.toThrow("chunk 0.length must be a multiple of dims = 3");
  });
});

describe("bad inputs are clear errors", () => {
  const d = 2;
  const data = clusters(200, d, 51);
  const base = { dims: d, components: 2, iterations: 2, threads: 0 };
  test("shapes and options", () => {
    expect(() => fitGmm(data.subarray(0, 5), base)).toThrow("data.length must be a multiple of dims = 2, got 5");
    expect(() => fitGmm(data, { ...base, covariance: "x" as never })).toThrow(`options.covariance must be one of 'full', 'diag', 'spherical', 'tied', got "x"`);
    expect(() => fitGmm(data, { ...base, columns: [0, 2] })).toThrow("options.columns[1] must be an integer from 0 to dims - 1 = 1, got 2");
    expect(() => fitGmm(data, { ...base, init: { weights: Float64Array.of(0.5, 0.5), means: new Float64Array(3), covariances: new Float64Array(8) } })).toThrow(
      "options.init.means must have length 4 (K x d = 2 x 2), got length 3",
    );
    expect(() => fitGmm(data, { ...base, sampleWeight: new Float64Array(10) })).toThrow("options.sampleWeight must have length 200");
    expect(() => fitGmm(data, { ...base, varianceFloor: 1e-9 } as never)).toThrow("options.varianceFloor applies to the one-dimensional fit only");
    expect(() => fitGmm(data, { ...base, init: "kmeans++", nInit: 0 })).toThrow("options.nInit must be an integer from 1 to 1000, got 0");
    expect(() => fitGmm(data, { ...base, init: { ...explicitInit("full", 2, d), weights: Float64Array.of(0.5, 0.5) }, nInit: 2 })).toThrow("options.nInit must be 1 unless");
    const model = fitGmm(data, base);
    expect(() => predictGmm(data, model, { dims: 3, threads: 0 } as never)).toThrow("data.length must be a multiple of dims = 3");
    expect(() => predictGmm(data, model, { dims: 2, columns: [0], threads: 0 })).toThrow("model.dims = 2 does not match the data: options.columns selects 1 columns");
    expect(() => scoreSamples(data.subarray(0, 6), model, { dims: 3, threads: 0 })).toThrow("model.dims = 2 does not match the data: rows of dims = 3 values");
  });
  test("values: non-PD covariances, all-zero or negative weights, NaN", () => {
    const notPD = { weights: Float64Array.of(0.5, 0.5), means: new Float64Array(4), covariances: Float64Array.of(1, 0, 0, 1, 1, 2, 2, 1) };
    expect(() => fitGmm(data, { ...base, init: notPD })).toThrow("options.init.covariances: component 1 covariance is not positive definite");
    const constant = new Float64Array(40).fill(0.5);
    expect(() => fitGmm(constant, { ...base, regCovar: 0, init: "original" })).toThrow(
      "component 0 covariance is not positive definite after regCovar = 0; increase options.regCovar",
    );
    expect(() => fitGmm(constant, { ...base, covariance: "tied", regCovar: 0, init: "original" })).toThrow("the tied covariance is not positive definite after regCovar = 0");
    expect(() => fitGmm(data, { ...base, sampleWeight: new Float64Array(200) })).toThrow("sampleWeight must contain at least one value > 0, got all zeros");
    const negative = new Float64Array(200).fill(1);
    negative[3] = -1;
    expect(() => fitGmm(data, { ...base, sampleWeight: negative })).toThrow("sampleWeight[3] must be a finite number >= 0, got -1");
    const nan = data.slice();
    nan[7] = NaN;
    expect(() => fitGmm(nan, base)).toThrow("data[7] must be a finite number, got NaN");
    const model = fitGmm(data, base);
    expect(() => predictGmm(nan, model, { threads: 0 })).toThrow("data[7] must be a finite number, got NaN");
    expect(() => scoreSamples(data, { ...model, weights: Float64Array.of(0, 0) }, { threads: 0 })).toThrow("model.weights must contain at least one value > 0, got all zeros");
    expect(() => predictProba(data, { ...model, covariances: Float64Array.of(1, 2, 2, 1, 1, 0, 0, 1) }, { threads: 0 })).toThrow(
      "model.covariances: component 0 covariance is not positive definite",
    );
    expect(() => gmmMStep({ ...gmmStatistics(data, model, { threads: 0 }), stride: 3 }, { threads: 0 })).toThrow("stats.stride must be");
  });
});

/**
 * Native parity: these run the native multivariate kernels and FAIL until
 * they are merged (the guard throws "the native multivariate kernels are not built").
 */
describe("native parity", () => {
  const d = 3;
  const n = 2 * GMM_STATS_CHUNK + 777;
  const data = clusters(n, d, 61);
  const bytes = Uint8Array.from(data, (v) => Math.max(0, Math.min(255, Math.round(v * 40))));

  test("the native backend is loaded", () => {
    expect(backend).toBe("native");
  });

  test.each(TYPES)("%s: fitGmm native == reference (1e-10), seeded k-means++ init drawn in TS for both", (covariance) => {
    const options = { dims: d, components: 3, iterations: 6, covariance, seed: 3, nInit: 2, init: "kmeans++" as const };
    const ref = fitGmm(data, { ...options, threads: 0 });
    for (const threads of [1, 2, 3]) {
      const nat = fitGmm(data, { ...options, threads });
      expectClose(nat.weights, ref.weights, 1e-10);
      expectClose(nat.means, ref.means, 1e-10);
      // The native E-step sums a chunk's rows in 8 interleaved lanes (the
      // reference: in row order), and covariances come from plain sums
      // (S2 / N_k - mu mu^T): an entry's rounding scales with |mu_a mu_b|,
      // not with the entry, hence the covariance scale rule.
      expectCovariancesClose(nat, ref, 1e-10);
      expectClose(nat.logLikelihoods, ref.logLikelihoods, 1e-10);
    }
    const ref8 = fitGmm(bytes, { ...options, threads: 0 });
    expectCovariancesClose(fitGmm(bytes, { ...options, threads: 2 }), ref8, 1e-10);
  });

  test.each(TYPES)("%s: scoreSamples, predictProba, predictGmm native == reference; statistics bitwise across threads 1/2/3 and shard splits", (covariance) => {
    const model = fitGmm(data, { dims: d, components: 3, iterations: 3, covariance, seed: 1, threads: 0 });
    expectClose(scoreSamples(data, model, { threads: 2 }), scoreSamples(data, model, { threads: 0 }), 1e-12);
    expectClose(predictProba(data, model, { threads: 2 }), predictProba(data, model, { threads: 0 }), 1e-10, 1e-14);
    expect(predictGmm(data, model, { threads: 2 })).toEqual(predictGmm(data, model, { threads: 0 }));
    const whole = gmmStatistics(data, model, { threads: 1 });
    expect(whole.isa).not.toBe("js");
    for (const threads of [2, 3]) expectBitwise(gmmStatistics(data, model, { threads }).chunks, whole.chunks);
    const a = gmmStatistics(data.subarray(0, GMM_STATS_CHUNK * d), model, { threads: 2 });
    const b = gmmStatistics(data.subarray(GMM_STATS_CHUNK * d), model, { rowOffset: GMM_STATS_CHUNK, threads: 3 });
    const merged = mergeGmmStatistics(a, b);
    expectBitwise(merged.chunks, whole.chunks);
    const step = gmmMStep(merged, { threads: 2 });
    const fit1 = fitGmm(data, { dims: d, components: 3, iterations: 1, covariance, init: model, threads: 2 });
    expectSameModel(step, fit1);
    expectClose(step.covariances, gmmMStep(gmmStatistics(data, model, { threads: 0 }), { threads: 0 }).covariances, 1e-10);
  });

  test("fitGmmStream native == fitGmm native, bit for bit", async () => {
    const init = explicitInit("full", 3, d);
    const options = { dims: d, components: 3, iterations: 2, init, threads: 2 };
    const expected = fitGmm(data, options);
    const streamed = await fitGmmStream(async function* () {
      for (let row = 0; row < n; row += 5000) yield data.slice(row * d, Math.min(n, row + 5000) * d);
    }, options);
    expectSameModel(streamed, expected);
  });

  test("native errors carry the reference's messages", () => {
    const nan = data.slice();
    nan[7] = NaN;
    expect(() => fitGmm(nan, { dims: d, components: 2, iterations: 2, init: "original", threads: 2 })).toThrow("data[7] must be a finite number, got NaN");
    const constant = new Float64Array(30).fill(0.5);
    expect(() => fitGmm(constant, { dims: d, components: 2, iterations: 2, regCovar: 0, init: "original", threads: 2 })).toThrow(
      "component 0 covariance is not positive definite after regCovar = 0; increase options.regCovar",
    );
  });
});
