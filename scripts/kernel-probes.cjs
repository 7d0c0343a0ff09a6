// One known-answer probe per public kernel, shared by the package check
// (scripts/pack-check.cjs, against the installed tarballs) and the memory and
// worker tests (__test__/workers*.test.ts, against dist/). Adding a kernel to
// those checks = adding one entry here.
//
// A probe is { name, call, callAsync?, check }:
// - call(fk, threads): one small synchronous call (the RSS test repeats it
//   10,000 times), returning its result; callAsync the same through the
//   kernel's async variant, when it has one;
// - check(fk, threads): runs the sync AND async variants on a small
//   known-answer input and resolves to null when both are right, else to a
//   message. threads 0 = TypeScript reference, n = native (when loaded).
// `fk` is the package's exports (require("fastkernels") or dist/index.js).
"use strict";

/** null when `actual` matches `expected` to `relative` (with an absolute floor of `relative`). */
function mismatch(what, actual, expected, relative) {
  if (!actual || actual.length !== expected.length) return `${what}: length ${actual && actual.length}, expected ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const tolerance = relative * Math.max(1, Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) return `${what}[${i}] = ${actual[i]}, expected ${expected[i]}`;
  }
  return null;
}

// CIE94: the first 4 pixels of __test__/fixtures/cie94_known_answers.json
// (numpy); raw ΔE94 is per pixel, so any subset keeps its values.
const cie94 = {
  rgbA: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 128, 128, 128]),
  rgbB: Uint8Array.from([250, 10, 5, 0, 0, 0, 40, 40, 200, 130, 128, 126]),
  width: 2,
  height: 2,
  none: [0.7976386791334452, 12.724798457431028, 4.042852171456681, 0.10913531405530626],
};

// A two-component mixture N(0, 1) and N(1, 1), weights 1/2, at x = 0 and 1.
// P[i,k] = ln 1/2 - ln(2 pi)/2 - (x_i - mu_k)^2 / 2: the near component gives
// `near`, the far one `near - 1/2`; everything below follows by hand.
const mix = { x: Float64Array.of(0, 1), weights: Float64Array.of(0.5, 0.5), means: Float64Array.of(0, 1), stdevs: Float64Array.of(1, 1) };
const model = { weights: mix.weights, means: mix.means, stdevs: mix.stdevs };
const near = Math.log(0.5) - 0.5 * Math.log(2 * Math.PI);
const expsum = 1 + Math.exp(-0.5);
const rNear = 1 / expsum;
const expected = {
  expsum: [expsum, expsum],
  pMax: [near, near],
  p: [near, near - 0.5, near - 0.5, near], // K planes of N values
  logLikelihood: [2 * (near + Math.log(expsum))],
  responsibilities: [rNear, 1 - rNear, 1 - rNear, rNear],
  labels: [0, 1],
};

// Two tight clusters, 0.2 +- 0.01 and 0.8 +- 0.01, 50 samples each: EM from
// the default init ends at means 0.2 / 0.8, weights 1/2, variances 1e-4, and
// log-likelihood 100 (ln 1/2 - ln(2 pi 1e-4)/2 - 1/2).
const clusters = Float64Array.from({ length: 100 }, (_, i) => (i < 50 ? 0.2 : 0.8) + (i % 2 ? 0.01 : -0.01));
const fitOptions = { components: 2, iterations: 20 };
const fitLogLikelihood = 100 * (Math.log(0.5) - 0.5 * Math.log(2 * Math.PI * 1e-4) - 0.5);

function fitMismatch(what, fit) {
  return (
    mismatch(`${what}.means`, fit.means, [0.2, 0.8], 1e-12) ||
    mismatch(`${what}.weights`, fit.weights, [0.5, 0.5], 1e-12) ||
    mismatch(`${what}.variances`, fit.variances, [1e-4, 1e-4], 1e-9) ||
    mismatch(`${what}.logLikelihoods (last)`, fit.logLikelihoods.slice(-1), [fitLogLikelihood], 1e-9)
  );
}

function expsumMismatch(what, r) {
  return mismatch(`${what}.expsum`, r.expsum, expected.expsum, 1e-14) || mismatch(`${what}.pMax`, r.pMax, expected.pMax, 1e-14) || mismatch(`${what}.p`, r.p, expected.p, 1e-14);
}

const probes = [
  {
    name: "computeExpsumStable",
    call: (fk, threads) => fk.computeExpsumStable(mix.x, mix.weights, mix.means, mix.stdevs, { threads }),
    callAsync: (fk, threads) => fk.computeExpsumStableAsync(mix.x, mix.weights, mix.means, mix.stdevs, { threads }),
    check: async (fk, threads) =>
      expsumMismatch("computeExpsumStable", fk.computeExpsumStable(mix.x, mix.weights, mix.means, mix.stdevs, { threads })) ||
      expsumMismatch("computeExpsumStableAsync", await fk.computeExpsumStableAsync(mix.x, mix.weights, mix.means, mix.stdevs, { threads })),
  },
  {
    name: "computeLogLikelihoodStable",
    call: (fk, threads) => fk.computeLogLikelihoodStable(mix.x, mix.weights, mix.means, mix.stdevs, { threads }),
    callAsync: (fk, threads) => fk.computeLogLikelihoodStableAsync(mix.x, mix.weights, mix.means, mix.stdevs, { threads }),
    check: async (fk, threads) =>
      mismatch("computeLogLikelihoodStable", [fk.computeLogLikelihoodStable(mix.x, mix.weights, mix.means, mix.stdevs, { threads })], expected.logLikelihood, 1e-14) ||
      mismatch("computeLogLikelihoodStableAsync", [await fk.computeLogLikelihoodStableAsync(mix.x, mix.weights, mix.means, mix.stdevs, { threads })], expected.logLikelihood, 1e-14),
  },
  {
    name: "computeExpectationResponsibilities",
    call: (fk, threads) => fk.computeExpectationResponsibilities(mix.x, mix.weights, mix.means, mix.stdevs, { threads }),
    callAsync: (fk, threads) => fk.computeExpectationResponsibilitiesAsync(mix.x, mix.weights, mix.means, mix.stdevs, { threads }),
    check: async (fk, threads) =>
      mismatch("computeExpectationResponsibilities", fk.computeExpectationResponsibilities(mix.x, mix.weights, mix.means, mix.stdevs, { threads }), expected.responsibilities, 1e-14) ||
      mismatch("computeExpectationResponsibilitiesAsync", await fk.computeExpectationResponsibilitiesAsync(mix.x, mix.weights, mix.means, mix.stdevs, { threads }), expected.responsibilities, 1e-14),
  },
  {
    name: "fitGmm",
    call: (fk, threads) => fk.fitGmm(clusters, { ...fitOptions, threads }),
    callAsync: (fk, threads) => fk.fitGmmAsync(clusters, { ...fitOptions, threads }),
    check: async (fk, threads) =>
      fitMismatch("fitGmm", fk.fitGmm(clusters, { ...fitOptions, threads })) || fitMismatch("fitGmmAsync", await fk.fitGmmAsync(clusters, { ...fitOptions, threads })),
  },
  {
    name: "predictGmm",
    call: (fk, threads) => fk.predictGmm(mix.x, model, { threads }),
    check: async (fk, threads) => mismatch("predictGmm", fk.predictGmm(mix.x, model, { threads }), expected.labels, 0),
  },
  {
    name: "predictProba",
    call: (fk, threads) => fk.predictProba(mix.x, model, { threads }),
    check: async (fk, threads) => mismatch("predictProba", fk.predictProba(mix.x, model, { threads }), expected.responsibilities, 1e-14),
  },
  {
    name: "cie94Difference",
    call: (fk, threads) => fk.cie94Difference(cie94.rgbA, cie94.rgbB, cie94.width, cie94.height, { threads, normalization: "none" }),
    callAsync: (fk, threads) => fk.cie94DifferenceAsync(cie94.rgbA, cie94.rgbB, cie94.width, cie94.height, { threads, normalization: "none" }),
    check: async (fk, threads) => {
      const options = { threads, normalization: "none" };
      return (
        mismatch("cie94Difference", fk.cie94Difference(cie94.rgbA, cie94.rgbB, 2, 2, options), cie94.none, 1e-12) ||
        mismatch("cie94DifferenceAsync", await fk.cie94DifferenceAsync(cie94.rgbA, cie94.rgbB, 2, 2, options), cie94.none, 1e-12)
      );
    },
  },
];

module.exports = { probes, mismatch };
