/**
 * GMM benchmarks: computeExpsumStable and fitGmm (K = 3, 8 iterations) on
 * generated 1600x900 and 24-megapixel grayscale scenes, Float64Array and
 * Uint8Array input: TS reference vs native 1 thread vs native all threads.
 * Every case's answer is checked against the reference before timing.
 *
 * Run after `npm run build:native` (release): `npm run bench:gmm`.
 */
import { availableParallelism } from "node:os";

import fastkernels from "../ts/index.js";
import type { ExpsumResult, GmmFit } from "../ts/index.js";
import { runGroup, saveResults, seededRandom, size } from "./harness.js";
import type { BenchCase } from "./harness.js";

// ts/ is CommonJS: Node's ESM loader cannot see names re-exported with `export *`, so take them from the default export.
const { backend, computeExpsumStable, fitGmm } = fastkernels;

if (backend !== "native") throw new Error("the GMM benchmarks need the native addon: run `npm run build:native` first");

const K = 3;
const ITERATIONS = 8;
const ALL = availableParallelism();

/** A grayscale scene: three vertical intensity bands (0.2, 0.55, 0.85) plus Gaussian noise, clipped to [0, 1]. */
function scene(width: number, height: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const x = new Float64Array(width * height);
  const levels = [0.2, 0.55, 0.85];
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const u = Math.max(random(), 1e-300);
      const noise = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random()) * 0.06;
      const v = levels[Math.min(2, Math.floor((3 * col) / width))] + noise;
      x[row * width + col] = Math.min(1, Math.max(0, v));
    }
  }
  return x;
}

function relClose(a: ArrayLike<number>, b: ArrayLike<number>, rel: number, what: string): void {
  if (a.length !== b.length) throw new Error(`${what}: length ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i] - b[i]) <= rel * Math.max(Math.abs(a[i]), Math.abs(b[i])) + 1e-300)) {
      throw new Error(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
    }
  }
}

const mixture = {
  weights: Float64Array.of(0.3, 0.4, 0.3),
  means: Float64Array.of(0.2, 0.55, 0.85),
  stdevs: Float64Array.of(0.06, 0.06, 0.06),
};

function expsumCases(x: Float64Array): BenchCase[] {
  let expected: ExpsumResult | undefined;
  const checkAgainstReference = (result: unknown) => {
    const r = result as ExpsumResult;
    if (!expected) throw new Error("the reference case must run first");
    // Spot-check a strided sample of the elementwise outputs (1e-12 relative).
    const step = Math.max(1, Math.floor(x.length / 100_000));
    const pick = (a: Float64Array) => Float64Array.from({ length: Math.floor(a.length / step) }, (_, i) => a[i * step]);
    relClose(pick(r.expsum), pick(expected.expsum), 1e-12, "expsum");
    relClose(pick(r.pMax), pick(expected.pMax), 1e-12, "pMax");
    relClose(pick(r.p), pick(expected.p), 1e-12, "p");
  };
  const run = (threads: number) => () => computeExpsumStable(x, mixture.weights, mixture.means, mixture.stdevs, { threads });
  return [
    { name: "reference (TS)", run: run(0), units: x.length, check: (r) => { expected = r as ExpsumResult; } },
    { name: "native, 1 thread", run: run(1), units: x.length, check: checkAgainstReference },
    { name: `native, ${ALL} threads`, run: run(ALL), units: x.length, check: checkAgainstReference },
  ];
}

function fitCases(data: Float64Array | Uint8Array): BenchCase[] {
  let expected: GmmFit | undefined;
  const check = (result: unknown) => {
    const f = result as GmmFit;
    if (!expected) throw new Error("the reference case must run first");
    for (const key of ["means", "variances", "weights", "logLikelihoods"] as const) relClose(f[key], expected[key], 1e-9, key);
  };
  const run = (threads: number) => () => fitGmm(data, { components: K, iterations: ITERATIONS, threads });
  const units = data.length * ITERATIONS;
  return [
    { name: "reference (TS)", run: run(0), units, check: (r) => { expected = r as GmmFit; } },
    { name: "native, 1 thread", run: run(1), units, check },
    { name: `native, ${ALL} threads`, run: run(ALL), units, check },
  ];
}

const ratios: Array<[string, string]> = [
  ["native, 1 thread", "reference (TS)"],
  [`native, ${ALL} threads`, "reference (TS)"],
  [`native, ${ALL} threads`, "native, 1 thread"],
];

const sizes: Array<[string, number, number]> = size(
  [
    ["1600x900", 1600, 900],
    ["24 MP (6000x4000)", 6000, 4000],
  ],
  [["320x180", 320, 180]],
);

for (const [label, width, height] of sizes) {
  const values = scene(width, height, 42);
  const bytes = Uint8Array.from(values, (v) => Math.round(v * 255));
  const big = width * height > 5e6;
  // The reference takes seconds per call on 24 MP: fewer samples there.
  const timing = big ? { iterations: 3, time: 0, warmupIterations: 1 } : { iterations: 5, time: 1000 };
  await runGroup(`computeExpsumStable K=${K}, ${label}, Float64Array`, expsumCases(values), { unitLabel: "ns/pixel", ratios, ...timing });
  await runGroup(`fitGmm K=${K} x ${ITERATIONS} iterations, ${label}, Float64Array`, fitCases(values), { unitLabel: "ns/pixel-iter", ratios, ...timing });
  await runGroup(`fitGmm K=${K} x ${ITERATIONS} iterations, ${label}, Uint8Array (histogram)`, fitCases(bytes), { unitLabel: "ns/pixel-iter", ratios, ...timing });
}

saveResults("gmm");
