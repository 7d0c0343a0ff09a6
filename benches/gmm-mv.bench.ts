/**
 * Multivariate GMM benchmark (issue 13, "Benchmark rows"): fitGmm on a
 * generated, seeded 1600x900 RGB image (five colour regions plus Gaussian
 * noise, 8-bit interleaved R, G, B read as v / 255), K = 5, full covariance,
 * 8 iterations, from one explicit init (the project's seeded k-means++ init,
 * computed once in TypeScript and reused by every row):
 *
 * - native, all threads and 1 thread (per-pixel fit);
 * - TS reference (`threads: 0`): its first run is the answer the other rows
 *   are checked against and its warm-up; then 3 timed runs, or none when that
 *   first run took over 60 s (then the row is that one run, and it says so);
 * - the distinct-colour path: `countDistinctColors` + the weighted fit of the
 *   distinct colours (the same model, at a cost set by the colour count);
 * - scikit-learn's GaussianMixture(covariance_type='full', max_iter=8, tol=0,
 *   reg_covar, weights_init, means_init, precisions_init = the same init) on
 *   the same values, when `python3 -c "import sklearn"` works
 *   (benches/sklearn_gmm_mv.py, median of 3 fits); its fitted means are
 *   checked against ours before the row is kept.
 *
 * Run after `npm run build:native` (release): `npm run bench -- gmm-mv`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

// ts/ is CommonJS: Node's ESM loader cannot see names re-exported with `export *`, so take them from the default export.
import fastkernels from "../ts/index.js";
import type { GmmMvFit, GmmMvInitModel } from "../ts/index.js";
import initModule from "../ts/gmm/multivariate/init.js";
import { addRows, QUICK, runGroup, saveResults, seededRandom, size } from "./harness.js";
import type { BenchCase, Row } from "./harness.js";

const { backend, countDistinctColors, fitGmm } = fastkernels;
const { kmeansPlusPlusInit } = initModule;

if (backend !== "native") throw new Error("the multivariate GMM benchmark needs the native addon: run `npm run build:native` first");

const K = 5;
const D = 3;
const ITERATIONS = 8;
const COVARIANCE = "full" as const;
const REG_COVAR = 1e-6;
const INIT_SEED = 13;
const ALL = availableParallelism();
/** A reference run longer than this is timed once (its checked first run). */
const REFERENCE_ONE_RUN_MS = 60_000;
const REFERENCE_RUNS = QUICK ? 1 : 3;
const SKLEARN_FITS = 3;

const [label, width, height] = size<[string, number, number]>(["1600x900", 1600, 900], ["320x180", 320, 180]);

/** Five colour regions (background, disc, bar, square, triangle) plus N(0, 9^2) noise per channel, clipped to 0..255. */
function scene(w: number, h: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(Math.max(random(), 1e-300))) * Math.cos(2 * Math.PI * random());
  const colours = [
    [70, 90, 160], // background
    [210, 60, 50], // disc
    [40, 170, 80], // bar
    [230, 200, 60], // square
    [120, 60, 150], // triangle
  ];
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = x / w;
      const v = y / h;
      let region = 0;
      if ((u - 0.3) ** 2 + (v - 0.45) ** 2 < 0.04) region = 1;
      else if (u > 0.82) region = 2;
      else if (u > 0.5 && u < 0.7 && v > 0.55 && v < 0.9) region = 3;
      else if (v < 0.35 && u > 0.45 && u < 0.8 && v > (0.8 - u) * 0.9) region = 4;
      for (let c = 0; c < 3; c++) {
        const value = Math.round(colours[region][c] + 9 * gauss());
        rgb[3 * (y * w + x) + c] = value < 0 ? 0 : value > 255 ? 255 : value;
      }
    }
  }
  return rgb;
}

/** |a - b| <= rel * max |b| elementwise (scaled by the array's largest value: covariances have near-zero entries). */
function close(a: ArrayLike<number>, b: ArrayLike<number>, rel: number, what: string): number {
  if (a.length !== b.length) throw new Error(`${what}: length ${a.length} vs ${b.length}`);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs(a[i] - b[i]);
    if (!(diff <= rel * scale)) throw new Error(`${what}[${i}]: ${a[i]} vs ${b[i]} (difference ${diff}, allowed ${rel * scale})`);
    worst = Math.max(worst, diff / scale);
  }
  return worst;
}

function sameFit(f: GmmMvFit, expected: GmmMvFit, rel: number, what: string): number {
  let worst = 0;
  for (const key of ["weights", "means", "covariances", "logLikelihoods"] as const) worst = Math.max(worst, close(f[key], expected[key], rel, `${what}: ${key}`));
  return worst;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const pixels = width * height;
const rgb = scene(width, height, 42);
const init: GmmMvInitModel = (() => {
  const started = performance.now();
  const model = kmeansPlusPlusInit(
    { values: rgb, bytes: true, rowWidth: D, columns: Uint32Array.of(0, 1, 2), d: D, n: pixels, weights: undefined },
    K,
    COVARIANCE,
    REG_COVAR,
    seededRandom(INIT_SEED),
  );
  console.log(`init: seeded k-means++ (mulberry32 seed ${INIT_SEED}), computed once in ${(performance.now() - started).toFixed(0)} ms, reused by every row`);
  return { weights: model.weights, means: model.means, covariances: model.covariances };
})();
const options = { dims: D, components: K, iterations: ITERATIONS, covariance: COVARIANCE, init, regCovar: REG_COVAR };
const fit = (threads: number): GmmMvFit => fitGmm(rgb, { ...options, threads });
const distinctFit = (threads: number): GmmMvFit => {
  const { colors, counts } = countDistinctColors(rgb, { dims: D, threads });
  return fitGmm(colors, { ...options, sampleWeight: counts, threads });
};
const distinctCount = countDistinctColors(rgb, { dims: D }).counts.length;

// The reference first: its answer is what every other row is checked against.
const referenceName = "reference (TS)";
let started = performance.now();
const expected = fit(0);
const firstMs = performance.now() - started;
console.log(`reference first run (the expected answer, and its warm-up): ${(firstMs / 1000).toFixed(2)} s`);

const title = `fitGmm ${label} RGB, K=${K} full covariance x ${ITERATIONS} iterations, explicit init`;
const units = pixels * ITERATIONS;
const check = (what: string, rel: number) => (result: unknown) => {
  const worst = sameFit(result as GmmMvFit, expected, rel, what);
  console.log(`  ${what}: matches the reference (largest difference ${worst.toExponential(2)} of the array scale)`);
};
const cases: BenchCase[] = [
  { name: `native, ${ALL} threads`, run: () => fit(ALL), units, check: check(`native, ${ALL} threads`, 1e-9) },
  { name: "native, 1 thread", run: () => fit(1), units, check: check("native, 1 thread", 1e-9) },
  {
    name: `native, distinct colours (${distinctCount}), ${ALL} threads`,
    run: () => distinctFit(ALL),
    units,
    // Summation order differs from the per-pixel fit (one weighted row per colour).
    check: check("distinct colours", 1e-8),
  },
];
const ratios: Array<[string, string]> = [
  [`native, ${ALL} threads`, "native, 1 thread"],
  [`native, distinct colours (${distinctCount}), ${ALL} threads`, `native, ${ALL} threads`],
];
await runGroup(title, cases, { unitLabel: "ns/pixel-iter", ratios });

// The reference row: timed runs after the first, unless the first took over a minute.
const referenceTimes: number[] = [];
if (firstMs > REFERENCE_ONE_RUN_MS) {
  console.log(`reference: ${(firstMs / 1000).toFixed(1)} s per run (> 60 s): its row is that one (checked) run`);
  referenceTimes.push(firstMs);
} else {
  for (let i = 0; i < REFERENCE_RUNS; i++) {
    started = performance.now();
    fit(0);
    referenceTimes.push(performance.now() - started);
  }
}
const referenceRow: Row = {
  name: firstMs > REFERENCE_ONE_RUN_MS ? `${referenceName}, 1 run` : referenceName,
  medianMs: median(referenceTimes),
  minMs: Math.min(...referenceTimes),
  samples: referenceTimes.length,
  perUnitNs: (median(referenceTimes) * 1e6) / units,
};
addRows(title, [referenceRow], [
  [`native, ${ALL} threads`, referenceRow.name],
  ["native, 1 thread", referenceRow.name],
]);

// scikit-learn, when it is installed.
const probe = spawnSync("python3", ["-c", "import sklearn, numpy; print(sklearn.__version__)"], { encoding: "utf8" });
if (probe.status !== 0) {
  const why = probe.error ? `python3 not runnable (${probe.error.message})` : `python3 -c "import sklearn" failed: ${(probe.stderr || "").trim().split("\n").pop()}`;
  console.log(`\nscikit-learn row skipped: ${why}`);
} else {
  const dir = mkdtempSync(path.join(tmpdir(), "fastkernels-gmm-mv-"));
  try {
    const dataFile = path.join(dir, "data.f64");
    const initFile = path.join(dir, "init.json");
    const values = new Float64Array(rgb.length);
    for (let i = 0; i < rgb.length; i++) values[i] = rgb[i] / 255; // the values fitGmm reads from the bytes
    writeFileSync(dataFile, new Uint8Array(values.buffer));
    writeFileSync(
      initFile,
      JSON.stringify({
        dims: D, components: K, iterations: ITERATIONS, covariance: COVARIANCE, reg_covar: REG_COVAR,
        weights: Array.from(init.weights), means: Array.from(init.means), covariances: Array.from(init.covariances),
      }),
    );
    const script = path.join(import.meta.dirname, "sklearn_gmm_mv.py");
    console.log(`\nscikit-learn ${probe.stdout.trim()}: ${SKLEARN_FITS} fits of GaussianMixture(n_components=${K}, covariance_type='${COVARIANCE}', max_iter=${ITERATIONS}, tol=0, reg_covar=${REG_COVAR}, explicit inits)`);
    const run = spawnSync("python3", [script, dataFile, initFile, String(SKLEARN_FITS)], { encoding: "utf8", maxBuffer: 1 << 24 });
    if (run.status !== 0) throw new Error(`benches/sklearn_gmm_mv.py failed (exit ${run.status}): ${run.stderr.trim().split("\n").pop()}`);
    const result = JSON.parse(run.stdout.trim().split("\n").pop()!) as {
      sklearn: string; numpy: string; blas: string[]; times_ms: number[]; median_ms: number; weights: number[]; means: number[]; covariances: number[];
    };
    // Same init, same iterations: the same model up to rounding (parity tested at 1e-9 in __test__/gmm-mv.test.ts).
    const worst = Math.max(
      close(result.weights, expected.weights, 1e-6, "scikit-learn weights"),
      close(result.means, expected.means, 1e-6, "scikit-learn means"),
      close(result.covariances, expected.covariances, 1e-6, "scikit-learn covariances"),
    );
    console.log(`  scikit-learn ${result.sklearn} (numpy ${result.numpy}; BLAS: ${result.blas.join("; ")}): matches the reference (largest difference ${worst.toExponential(2)} of the array scale)`);
    const blasThreads = /(\d+) threads/.exec(result.blas[0] ?? "")?.[1];
    const row: Row = {
      name: `scikit-learn ${result.sklearn}${blasThreads ? ` (BLAS ${blasThreads} threads)` : ""}`,
      medianMs: result.median_ms,
      minMs: Math.min(...result.times_ms),
      samples: result.times_ms.length,
      perUnitNs: (result.median_ms * 1e6) / units,
    };
    console.log("  (its fit() also runs one final E-step for fit_predict's labels: included, as in any call of fit)");
    addRows(title, [row], [
      [`native, ${ALL} threads`, row.name],
      ["native, 1 thread", row.name],
      [`native, distinct colours (${distinctCount}), ${ALL} threads`, row.name],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

saveResults("gmm-mv");
