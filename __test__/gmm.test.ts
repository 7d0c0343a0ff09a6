/**
 * GMM family: parity of the native kernels with the TS reference, known
 * answers from the original algorithm, thread invariance, the histogram path
 * and degenerate data.
 *
 * Tolerances: per-sample outputs 1e-12 relative (the native exp is within
 * 4 ulp of libm; P is computed with the same operations, differing at most
 * by one ulp of ln w and ln sigma); sums (log-likelihoods, fitted
 * parameters) 1e-10 relative (summation order differs); original fixtures
 * 1e-9 relative (the contract).
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { sceneBytes, sceneValues } from "./helpers/random";
import {
  computeExpectationResponsibilities,
  computeExpsumStable,
  computeLogLikelihoodStable,
  fitGmm,
  predictGmm,
  predictProba,
} from "../ts";
import type { GmmFit } from "../ts";

interface FitFixture {
  name: string;
  data: { kind: "float64" | "uint8"; values: number[] };
  components: number;
  iterations: number;
  means: number[];
  variances: number[];
  stdevs: number[];
  weights: number[];
  logLikelihoods: number[];
}

interface Fixtures {
  fits: FitFixture[];
  expsum: {
    intensities: number[];
    weights: number[];
    means: number[];
    stdevs: number[];
    expsum: number[];
    p: number[];
    pMax: number[];
    logLikelihood: number;
    responsibilities: number[];
  };
}

// Written by __test__/fixtures/gmm_original.py from the original program's algorithm.
const fixtures = JSON.parse(readFileSync(path.join(__dirname, "fixtures", "gmm_original.json"), "utf8")) as Fixtures;

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, abs = 0): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    const tol = rel * Math.max(Math.abs(a), Math.abs(e)) + abs;
    if (!(Math.abs(a - e) <= tol)) {
      throw new Error(`element ${i}: ${a} vs ${e} (difference ${Math.abs(a - e)} > ${tol})`);
    }
  }
}

function expectFitClose(a: GmmFit, b: Omit<GmmFit, "converged" | "iterations">, rel: number): void {
  expectClose(a.means, b.means, rel);
  expectClose(a.variances, b.variances, rel);
  expectClose(a.stdevs, b.stdevs, rel);
  expectClose(a.weights, b.weights, rel);
  expectClose(a.logLikelihoods, b.logLikelihoods, rel);
}

const mixture = {
  weights: Float64Array.of(0.3, 0.5, 0.2),
  means: Float64Array.of(0.1, 0.45, 0.9),
  stdevs: Float64Array.of(0.05, 0.2, 0.1),
};

describe("per-sample kernels: native vs reference", () => {
  const x = sceneValues(20_000, 1); // > one native chunk (16384)
  const { weights, means, stdevs } = mixture;

  test("computeExpsumStable", () => {
    const ref = computeExpsumStable(x, weights, means, stdevs, { threads: 0 });
    for (const threads of [1, 2]) {
      const nat = computeExpsumStable(x, weights, means, stdevs, { threads });
      expectClose(nat.p, ref.p, 1e-12);
      expectClose(nat.pMax, ref.pMax, 1e-12);
      expectClose(nat.expsum, ref.expsum, 1e-12);
    }
    expect(ref.p.length).toBe(3 * x.length);
  });

  test("computeExpectationResponsibilities and predictProba", () => {
    const ref = computeExpectationResponsibilities(x, weights, means, stdevs, { threads: 0 });
    const nat = computeExpectationResponsibilities(x, weights, means, stdevs, { threads: 2 });
    // Responsibilities below 1e-300 may be flushed to 0 natively.
    expectClose(nat, ref, 1e-12, 1e-300);
    expectClose(predictProba(x, mixture, { threads: 2 }), ref, 1e-12, 1e-300);
    expectClose(predictProba(x, mixture, { threads: 0 }), ref, 0);
  });

  test("computeLogLikelihoodStable", () => {
    const ref = computeLogLikelihoodStable(x, weights, means, stdevs, { threads: 0 });
    const nat = computeLogLikelihoodStable(x, weights, means, stdevs, { threads: 2 });
    expectClose([nat], [ref], 1e-10);
  });

  test("predictGmm gives the same labels", () => {
    const ref = predictGmm(x, mixture, { threads: 0 });
    expect(predictGmm(x, mixture, { threads: 2 })).toEqual(ref);
    const bytes = sceneBytes(5000, 3);
    expect(predictGmm(bytes, mixture, { threads: 1 })).toEqual(predictGmm(bytes, mixture, { threads: 0 }));
    expect(Array.from(new Set(ref)).sort()).toEqual([0, 1, 2]);
  });

  test("results are bit-identical for 1, 2 and 3 threads", () => {
    const one = computeExpsumStable(x, weights, means, stdevs, { threads: 1 });
    const ll1 = computeLogLikelihoodStable(x, weights, means, stdevs, { threads: 1 });
    const fit1 = fitGmm(x, { components: 3, iterations: 4, threads: 1 });
    for (const threads of [2, 3]) {
      expect(computeExpsumStable(x, weights, means, stdevs, { threads })).toEqual(one);
      expect(Object.is(computeLogLikelihoodStable(x, weights, means, stdevs, { threads }), ll1)).toBe(true);
      expect(fitGmm(x, { components: 3, iterations: 4, threads })).toEqual(fit1);
    }
  });

  test("typed-array views (subarrays) are read at their offset", () => {
    const view = x.subarray(5, 1005);
    const copy = Float64Array.from(view);
    for (const threads of [0, 1]) {
      expect(computeExpsumStable(view, weights, means, stdevs, { threads })).toEqual(computeExpsumStable(copy, weights, means, stdevs, { threads }));
      expect(fitGmm(view, { components: 3, iterations: 2, threads })).toEqual(fitGmm(copy, { components: 3, iterations: 2, threads }));
    }
    const bytes = sceneBytes(3000, 6);
    const byteView = bytes.subarray(7, 2007);
    expect(fitGmm(byteView, { components: 2, iterations: 3, threads: 1 })).toEqual(fitGmm(Uint8Array.from(byteView), { components: 2, iterations: 3, threads: 1 }));
    expect(predictGmm(byteView, mixture, { threads: 1 })).toEqual(predictGmm(Uint8Array.from(byteView), mixture, { threads: 0 }));
  });

  test("far intensities and tiny sigmas give a finite log-likelihood, the same from both backends", () => {
    const far = Float64Array.of(5, -3, 0.5, 100, 0.25);
    const w = Float64Array.of(0.5, 0.5), m = Float64Array.of(0, 1), s = Float64Array.of(1e-3, 1e-4);
    const ref = computeLogLikelihoodStable(far, w, m, s, { threads: 0 });
    const nat = computeLogLikelihoodStable(far, w, m, s, { threads: 1 });
    expect(Number.isFinite(ref)).toBe(true);
    expect(ref).toBeLessThan(-1e6);
    expectClose([nat], [ref], 1e-12);
    for (const threads of [0, 1]) {
      const r = computeExpectationResponsibilities(far, w, m, s, { threads });
      expect(r.every(Number.isFinite)).toBe(true);
      const { pMax } = computeExpsumStable(far, w, m, s, { threads });
      expect(pMax.every(Number.isFinite)).toBe(true);
    }
    // Even an overflowing standardised distance stays finite.
    const extreme = computeLogLikelihoodStable(Float64Array.of(1), Float64Array.of(1), Float64Array.of(0), Float64Array.of(1e-300), { threads: 1 });
    expect(Number.isFinite(extreme)).toBe(true);
  });
});

describe("known answers from the original algorithm (gmm_original.py)", () => {
  const e = fixtures.expsum;
  test.each([0, 1, 2])("expsum, P, Pmax, log-likelihood, responsibilities (threads = %i)", (threads) => {
    const x = Float64Array.from(e.intensities);
    const [w, m, s] = [e.weights, e.means, e.stdevs].map((v) => Float64Array.from(v));
    const out = computeExpsumStable(x, w, m, s, { threads });
    expectClose(out.expsum, e.expsum, 1e-12);
    expectClose(out.p, e.p, 1e-12);
    expectClose(out.pMax, e.pMax, 1e-12);
    expectClose([computeLogLikelihoodStable(x, w, m, s, { threads })], [e.logLikelihood], 1e-12);
    expectClose(computeExpectationResponsibilities(x, w, m, s, { threads }), e.responsibilities, 1e-9, 1e-300);
  });

  for (const f of fixtures.fits) {
    test.each([0, 1, 2])(`fitGmm ${f.name} reproduces the original to 1e-9 (threads = %i)`, (threads) => {
      const data = f.data.kind === "uint8" ? Uint8Array.from(f.data.values) : Float64Array.from(f.data.values);
      const fit = fitGmm(data, { components: f.components, iterations: f.iterations, threads });
      expect(fit.iterations).toBe(f.iterations);
      expect(fit.converged).toBe(false);
      expectFitClose(fit, {
        means: Float64Array.from(f.means),
        variances: Float64Array.from(f.variances),
        stdevs: Float64Array.from(f.stdevs),
        weights: Float64Array.from(f.weights),
        logLikelihoods: Float64Array.from(f.logLikelihoods),
      }, 1e-9);
    });
  }
});

describe("fitGmm", () => {
  test("native and reference agree on seeded data, float and 8-bit", () => {
    const x = sceneValues(12_000, 7);
    const bytes = sceneBytes(12_000, 8);
    for (const data of [x, bytes]) {
      for (const components of [1, 3, 5]) {
        const ref = fitGmm(data, { components, iterations: 6, threads: 0 });
        const nat = fitGmm(data, { components, iterations: 6, threads: 2 });
        expectFitClose(nat, ref, 1e-10);
      }
    }
  });

  test("8-bit input on the histogram gives the per-pixel model (v / 255)", () => {
    const bytes = sceneBytes(12_000, 9);
    const values = Float64Array.from(bytes, (v) => v / 255);
    for (const threads of [0, 2]) {
      const hist = fitGmm(bytes, { components: 3, iterations: 8, threads });
      const pixels = fitGmm(values, { components: 3, iterations: 8, threads });
      expectFitClose(hist, pixels, 1e-12);
    }
  });

  test("a custom init, tol and regCovar behave as documented", () => {
    const x = sceneValues(5_000, 4);
    const init = { means: Float64Array.of(0.1, 0.6, 0.9), variances: Float64Array.of(0.01, 0.01, 0.01), weights: Float64Array.of(1, 1, 1) };
    for (const threads of [0, 1]) {
      const fit = fitGmm(x, { components: 3, iterations: 500, tol: 1e-10, init, threads });
      expect(fit.converged).toBe(true);
      expect(fit.iterations).toBeLessThan(500);
      expect(fit.logLikelihoods.length).toBe(fit.iterations);
      const n = fit.iterations;
      expect(Math.abs(fit.logLikelihoods[n - 1] - fit.logLikelihoods[n - 2])).toBeLessThanOrEqual(1e-10 * x.length);
      // The init arrays are not modified.
      expect(init.means).toEqual(Float64Array.of(0.1, 0.6, 0.9));
      const reg = fitGmm(x, { components: 3, iterations: 1, regCovar: 0.5, threads });
      expect(Math.min(...reg.variances)).toBeGreaterThanOrEqual(0.5);
    }
    const a = fitGmm(x, { components: 3, iterations: 30, tol: 1e-10, init, threads: 0 });
    const b = fitGmm(x, { components: 3, iterations: 30, tol: 1e-10, init, threads: 2 });
    expect(b.iterations).toBe(a.iterations);
    expectFitClose(b, a, 1e-10);
  });

  test("degenerate data: more components than distinct values, constant data, empty components", () => {
    const two = Float64Array.from({ length: 1000 }, (_, i) => (i % 4 === 0 ? 0.25 : 0.75));
    for (const threads of [0, 1]) {
      const fit = fitGmm(two, { components: 5, iterations: 20, threads });
      for (const v of [...fit.means, ...fit.variances, ...fit.weights, ...fit.logLikelihoods]) expect(Number.isFinite(v)).toBe(true);
      expect(Math.min(...fit.variances)).toBeGreaterThanOrEqual(1e-12);
      expect(fit.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      const constant = fitGmm(new Uint8Array(64).fill(128), { components: 2, iterations: 5, threads });
      expect(Math.min(...constant.variances)).toBeGreaterThanOrEqual(1e-12);
      expect(constant.logLikelihoods.every(Number.isFinite)).toBe(true);
      // A component far from every sample captures nothing: it keeps its mean and variance, weight 0.
      const init = { means: Float64Array.of(0.2, 0.8, 1e6), variances: Float64Array.of(0.01, 0.01, 1e-6), weights: Float64Array.of(1, 1, 1) };
      const empty = fitGmm(sceneValues(2000, 5), { components: 3, iterations: 3, init, threads });
      expect(empty.means[2]).toBe(1e6);
      expect(empty.variances[2]).toBe(1e-6);
      expect(empty.weights[2]).toBe(0);
    }
    const ref = fitGmm(two, { components: 5, iterations: 20, threads: 0 });
    expectFitClose(fitGmm(two, { components: 5, iterations: 20, threads: 2 }), ref, 1e-9);
  });

  test("chained one-iteration fits give the multi-iteration fit bit for bit", () => {
    const x = sceneValues(8_000, 13);
    for (const threads of [0, 2]) {
      const whole = fitGmm(x, { components: 3, iterations: 4, threads });
      let step = fitGmm(x, { components: 3, iterations: 1, threads });
      const lls = [...step.logLikelihoods];
      for (let i = 1; i < 4; i++) {
        step = fitGmm(x, { components: 3, iterations: 1, threads, init: step });
        lls.push(...step.logLikelihoods);
      }
      expect(step.means).toEqual(whole.means);
      expect(step.variances).toEqual(whole.variances);
      expect(step.weights).toEqual(whole.weights);
      expect(Float64Array.from(lls)).toEqual(whole.logLikelihoods);
    }
  });

  test("the fit result is a model for predictGmm / predictProba", () => {
    const bytes = sceneBytes(10_000, 12);
    const fit = fitGmm(bytes, { components: 3, iterations: 8 });
    const labels = predictGmm(bytes, fit);
    expect(labels.length).toBe(bytes.length);
    // Brighter pixels never get a darker component than darker pixels (means are sorted here).
    expect(fit.means[0]).toBeLessThan(fit.means[1]);
    const proba = predictProba(bytes, { means: fit.means, weights: fit.weights, variances: fit.variances });
    expectClose(proba, predictProba(bytes, fit, { threads: 0 }), 1e-12, 1e-300);
  });
});
