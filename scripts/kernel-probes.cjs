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

// Polygons: squares [0,1]^2 (center (.5,.5), area 1), [0,2]^2 (center (1,1),
// area 4) and [10,11]^2 (center (10.5,10.5)); points (.6,.6), (11,11), (50,50)
// with maxDist 2. Point 0 is near polygons 0 and 1 (0 is smaller), point 1
// near polygon 2 only, point 2 near none.
function squares(fk) {
  const square = (x0, y0, side) => new fk.Polygon(Float64Array.of(x0, x0 + side, x0 + side, x0), Float64Array.of(y0, y0, y0 + side, y0 + side));
  return [square(0, 0, 1), square(0, 0, 2), square(10, 10, 1)];
}
const polygonPoints = Float64Array.of(0.6, 0.6, 11, 11, 50, 50);
const nearestDistances = [Math.SQRT2 * 0.1, Math.SQRT2 * 0.4, Math.SQRT2 * 0.5, Math.SQRT2 * 10, Math.SQRT2 * 39.5, Math.SQRT2 * 49];

function bestMatchOf(fk, threads) {
  return new fk.PolygonIndex(squares(fk), { threads }).bestMatch(polygonPoints, 2, { threads });
}

// MDS: the 3-4-5 triangle (0,0), (3,4), (0,4) and its distance matrix.
const triangle = Float64Array.of(0, 0, 3, 4, 0, 4);
const triangleDistances = [0, 5, 4, 5, 0, 3, 4, 3, 0];

/** null when the embedding reproduces the triangle's distances. */
function embeddingMismatch(fk, what, embedding, threads) {
  return mismatch(`${what} (distances of the embedding)`, fk.computeDistanceMatrix(embedding, 2, { threads }), triangleDistances, 1e-9);
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
  {
    name: "PolygonIndex.bestMatch",
    call: bestMatchOf,
    callAsync: (fk, threads) => new fk.PolygonIndex(squares(fk), { threads }).bestMatchAsync(polygonPoints, 2, { threads }),
    check: async (fk, threads) => {
      const index = new fk.PolygonIndex(squares(fk), { threads });
      const within = index.withinDistance(polygonPoints, 2, { threads });
      const nearest = index.nearest(polygonPoints, 2, Infinity, { threads });
      return (
        mismatch("bestMatch", bestMatchOf(fk, threads), [0, 2, -1], 0) ||
        mismatch("bestMatchAsync", await index.bestMatchAsync(polygonPoints, 2, { threads }), [0, 2, -1], 0) ||
        mismatch("withinDistance.offsets", within.offsets, [0, 2, 3, 3], 0) ||
        mismatch("withinDistance.indices", within.indices, [0, 1, 2], 0) ||
        mismatch("nearest.indices", nearest.indices, [0, 1, 2, 1, 2, 1], 0) ||
        mismatch("nearest.distances", nearest.distances, nearestDistances, 1e-14)
      );
    },
  },
  {
    name: "matchPointsToPolygons",
    call: (fk, threads) => fk.matchPointsToPolygons(squares(fk), [[0.6, 0.6], [11, 11], [50, 50]], 2, { threads }),
    check: async (fk, threads) => {
      const polygons = squares(fk);
      const pairs = fk.matchPointsToPolygons(polygons, [[0.6, 0.6], [11, 11], [50, 50]], 2, { threads });
      return mismatch("matchPointsToPolygons (polygon of each matched point)", pairs.map(([, polygon]) => polygons.indexOf(polygon)), [0, 2], 0);
    },
  },
  {
    name: "computeDistanceMatrix",
    call: (fk, threads) => fk.computeDistanceMatrix(triangle, 2, { threads }),
    check: async (fk, threads) => {
      const moved = Float64Array.of(3, 0, 3, 4, 0, 4);
      const distances = Float64Array.from(triangleDistances);
      fk.updateDistanceMatrix(moved, 2, distances, 0, { threads });
      return (
        mismatch("computeDistanceMatrix", fk.computeDistanceMatrix(triangle, 2, { threads }), triangleDistances, 0) ||
        mismatch("updateDistanceMatrix", distances, [0, 4, 5, 4, 0, 3, 5, 3, 0], 0) ||
        mismatch("distFromPoint", fk.distFromPoint(triangle, 2, Float64Array.of(0, 0), { threads }), [0, 5, 4], 0)
      );
    },
  },
  {
    name: "mse / computeMdsError",
    call: (fk, threads) => fk.computeMdsError(Float64Array.from(triangleDistances), new Float64Array(9), 3, undefined, { threads }),
    check: async (fk, threads) => {
      const goal = Float64Array.from(triangleDistances);
      return (
        mismatch("mse", [fk.mse(Float64Array.of(1, 2, 3), Float64Array.of(1, 0, 0), { threads })], [13], 0) ||
        mismatch("computeMdsError (total)", [fk.computeMdsError(goal, new Float64Array(9), 3, undefined, { threads })], [100], 1e-15) ||
        mismatch("computeMdsError (rows)", fk.computeMdsError(goal, new Float64Array(9), 3, -1, { threads }), [41, 34, 25], 1e-15)
      );
    },
  },
  {
    name: "classicalMds / smacof",
    call: (fk, threads) => fk.smacof(Float64Array.from(triangleDistances), 3, { outputDims: 2, threads }),
    callAsync: (fk, threads) => fk.smacofAsync(Float64Array.from(triangleDistances), 3, { outputDims: 2, threads }),
    check: async (fk, threads) => {
      const d = Float64Array.from(triangleDistances);
      const sync = fk.smacof(d, 3, { outputDims: 2, threads });
      const async = await fk.smacofAsync(d, 3, { outputDims: 2, threads });
      const viaPoints = await fk.mdsAsync(triangle, 2, { outputDims: 2, threads });
      return (
        embeddingMismatch(fk, "classicalMds", fk.classicalMds(d, 3, 2, { threads }), threads) ||
        embeddingMismatch(fk, "smacof", sync.embedding, threads) ||
        embeddingMismatch(fk, "smacofAsync", async.embedding, threads) ||
        embeddingMismatch(fk, "mdsAsync", viaPoints.embedding, threads) ||
        mismatch("smacof stress", [sync.stress, async.stress, viaPoints.stress], [0, 0, 0], 1e-12)
      );
    },
  },
];

module.exports = { probes, mismatch };
