// One known-answer probe per public kernel, shared by the package check
// (scripts/pack-check.cjs, against the installed tarballs) and the memory and
// worker tests (__test__/workers*.test.ts, against dist/). Adding a kernel to
// those checks = adding one entry here.
//
// A probe is { name, call, check }:
// - call(fk, threads): one small synchronous call (the RSS test repeats it
//   10,000 times), returning its result;
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

const probes = [
  {
    name: "cie94Difference",
    call: (fk, threads) => fk.cie94Difference(cie94.rgbA, cie94.rgbB, cie94.width, cie94.height, { threads, normalization: "none" }),
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
