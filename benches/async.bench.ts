/**
 * Async benchmarks: how much each `...Async` operation blocks the event loop.
 *
 * 1. While one operation runs (native, all cores), a 1 ms `setInterval`
 *    ticker records the gaps between its ticks: p50 / p99 / max gap. A
 *    kernel that ran on the event loop would show one gap as long as itself.
 * 2. The synchronous part: the time from calling the async function until it
 *    returns its promise (validation and the input copy happen there), at
 *    100M elements for the data-sized operations (Float64Array 100M = 800 MB,
 *    Uint8Array 100M). The work itself is aborted right after the promise is
 *    returned where the operation honours an abort, and awaited otherwise.
 *
 * Run after `npm run build:native` (release): `npm run bench:async`. Rows go
 * to benches/results/async.json.
 */
// ts/ is CommonJS: Node's ESM loader cannot see names re-exported with `export *`, so take them from the default export.
import fastkernels from "../ts/index.js";
import { machineDescription, saveRows, seededRandom, size } from "./harness.js";

const { backend, computeDistanceMatrix, generateExample, GmmEstimator, PolygonIndex } = fastkernels;
if (backend !== "native") throw new Error("the async benchmarks need the native addon: run `npm run build:native` first");

/** One "M" of elements (shrunk to 10,000 under FASTKERNELS_BENCH_QUICK=1). */
const M = size(1_000_000, 10_000);
const K = 3;
const weights = Float64Array.of(0.3, 0.4, 0.3);
const means = Float64Array.of(0.2, 0.55, 0.85);
const stdevs = Float64Array.of(0.06, 0.06, 0.06);

function pixels(n: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.min(1, Math.max(0, [0.2, 0.55, 0.85][i % 3] + (random() - 0.5) * 0.2));
  return x;
}
const toBytes = (x: Float64Array) => Uint8Array.from(x, (v) => Math.round(v * 255));

interface GapRow {
  operation: string;
  size: string;
  totalMs: number;
  /** Until the promise was returned (the input copy), not counted in the gaps. */
  callMs: number;
  ticks: number;
  p50GapMs: number;
  p99GapMs: number;
  maxGapMs: number;
}

interface SyncRow {
  operation: string;
  size: string;
  /** Default: the input is copied before the promise is returned. */
  copyMs: number;
  /** `borrow: true`: nothing is copied; the target is < 5 ms. */
  borrowMs: number;
  /** One plain `slice()` of the same input, for comparison with `copyMs`. */
  memcpyMs: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const round = (v: number) => Number(v.toPrecision(3));

/**
 * Runs `start` with a 1 ms ticker recording the gaps between ticks while the
 * operation runs. The call's synchronous part (the input copy; see the
 * "synchronous part" table) is timed on its own (`callMs`) and not counted
 * as a gap: the gaps measure whether the work blocks the event loop.
 */
async function gaps(operation: string, size: string, start: () => Promise<unknown>): Promise<GapRow> {
  const deltas: number[] = [];
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    deltas.push(now - last);
    last = now;
  }, 1);
  await new Promise((resolve) => setTimeout(resolve, 20)); // let the ticker settle
  const begin = performance.now();
  const running = start();
  const callMs = performance.now() - begin;
  deltas.length = 0;
  last = performance.now();
  await running;
  const totalMs = performance.now() - begin;
  // The gap in progress when the operation settled counts too.
  deltas.push(performance.now() - last);
  clearInterval(ticker);
  const sorted = deltas.slice().sort((a, b) => a - b);
  return {
    operation,
    size,
    totalMs: round(totalMs),
    callMs: round(callMs),
    ticks: deltas.length,
    p50GapMs: round(quantile(sorted, 0.5)),
    p99GapMs: round(quantile(sorted, 0.99)),
    maxGapMs: round(sorted[sorted.length - 1]),
  };
}

/** Median of three: the time until the promise is returned (then abort and wait for it to settle). */
async function syncMs(start: (signal: AbortSignal) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < 3; run++) {
    const controller = new AbortController();
    const begin = performance.now();
    const promise = start(controller.signal);
    times.push(performance.now() - begin);
    controller.abort();
    await promise.catch(() => undefined);
  }
  return quantile(times.sort((a, b) => a - b), 0.5);
}

/**
 * The synchronous part with the default input copy and with `borrow: true`,
 * next to the time of one plain copy of the same input (`memcpyMs`: what the
 * default may cost at most).
 */
async function syncPart(
  operation: string,
  size: string,
  input: { slice(): unknown },
  start: (signal: AbortSignal, borrow: boolean) => Promise<unknown>,
): Promise<SyncRow> {
  const copies: number[] = [];
  for (let run = 0; run < 3; run++) {
    const begin = performance.now();
    input.slice();
    copies.push(performance.now() - begin);
  }
  return {
    operation,
    size,
    copyMs: round(await syncMs((signal) => start(signal, false))),
    borrowMs: round(await syncMs((signal) => start(signal, true))),
    memcpyMs: round(quantile(copies.sort((a, b) => a - b), 0.5)),
  };
}

async function main(): Promise<void> {
  const gapRows: GapRow[] = [];
  const syncRows: SyncRow[] = [];

  // --- event-loop gaps at working sizes -----------------------------------
  {
    const x = pixels(12 * M, 1);
    const bytes = toBytes(x);
    // Warm the pool and the JIT once.
    await fastkernels.fitGmmAsync(x.subarray(0, 100_000), { components: K, iterations: 2 });
    gapRows.push(await gaps("fitGmmAsync (Float64Array)", "12M, K=3, 8 it", () => fastkernels.fitGmmAsync(x, { components: K, iterations: 8 })));
    gapRows.push(await gaps("fitGmmAsync (Uint8Array)", "12M, K=3, 8 it", () => fastkernels.fitGmmAsync(bytes, { components: K, iterations: 8 })));
    gapRows.push(await gaps("computeExpsumStableAsync", "12M, K=3", () => fastkernels.computeExpsumStableAsync(x, weights, means, stdevs)));
    gapRows.push(await gaps("computeLogLikelihoodStableAsync", "12M, K=3", () => fastkernels.computeLogLikelihoodStableAsync(x, weights, means, stdevs)));
    gapRows.push(await gaps("computeExpectationResponsibilitiesAsync", "12M, K=3", () => fastkernels.computeExpectationResponsibilitiesAsync(x, weights, means, stdevs)));
    const model = { weights, means, stdevs };
    gapRows.push(await gaps("predictGmmAsync (Float64Array)", "12M, K=3", () => fastkernels.predictGmmAsync(x, model)));
    gapRows.push(await gaps("predictProbaAsync (Uint8Array)", "12M, K=3", () => fastkernels.predictProbaAsync(bytes, model)));
    gapRows.push(await gaps("fitGmmAsync (Float64Array, borrow)", "12M, K=3, 8 it", () => fastkernels.fitGmmAsync(x, { components: K, iterations: 8, borrow: true })));
    const estimator = new GmmEstimator();
    estimator.initialize({ image: bytes, width: (4 * M) / 1000, height: 3000 }, { components: K, iterations: 4 });
    gapRows.push(await gaps("GmmEstimator#executeExpectationMaximizationAsync", "12M u8, K=3, 4 it", () => estimator.executeExpectationMaximizationAsync()));
  }
  {
    const random = seededRandom(2);
    const width = 2000;
    const height = 2000;
    const a = Uint8Array.from({ length: 3 * width * height }, () => Math.floor(random() * 256));
    const b = Uint8Array.from({ length: 3 * width * height }, () => Math.floor(random() * 256));
    gapRows.push(await gaps("cie94DifferenceAsync", "2000x2000 u8", () => fastkernels.cie94DifferenceAsync(a, b, width, height)));
  }
  {
    const random = seededRandom(3);
    const n = 2000;
    const points = Float64Array.from({ length: n * 2 }, () => random() * 10);
    const d = computeDistanceMatrix(points, 2);
    gapRows.push(await gaps("smacofAsync", "n=2000, 100 it", () => fastkernels.smacofAsync(d, n, { maxIter: 100, eps: 0 })));
    gapRows.push(await gaps("mdsAsync", "n=2000, 100 it", () => fastkernels.mdsAsync(points, 2, { maxIter: 100, eps: 0 })));
    gapRows.push(await gaps("classicalMdsAsync", "n=2000", () => fastkernels.classicalMdsAsync(d, n, 2)));
    gapRows.push(await gaps("computeDistanceMatrixAsync", "n=2000, dims=2", () => fastkernels.computeDistanceMatrixAsync(points, 2)));
  }
  {
    const [polygons] = generateExample();
    const index = new PolygonIndex(polygons);
    const random = seededRandom(4);
    const points = Float64Array.from({ length: 2 * M }, () => random() * 100);
    gapRows.push(await gaps("PolygonIndex#bestMatchAsync", "1M points", () => index.bestMatchAsync(points, 10)));
    gapRows.push(await gaps("PolygonIndex#withinDistanceAsync", "1M points", () => index.withinDistanceAsync(points, 3)));
    gapRows.push(await gaps("PolygonIndex#nearestAsync", "1M points, k=4", () => index.nearestAsync(points, 4, 10)));
    gapRows.push(await gaps("PolygonIndex.buildAsync", "example polygons", () => PolygonIndex.buildAsync(polygons)));
  }

  // --- synchronous part at 100M elements -----------------------------------
  {
    const n = 100 * M;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = (i % 1000) / 1000;
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = i & 255;
    syncRows.push(await syncPart("fitGmmAsync (Float64Array)", "100M (800 MB)", x, (signal, borrow) => fastkernels.fitGmmAsync(x, { components: K, iterations: 1, signal, borrow })));
    syncRows.push(await syncPart("fitGmmAsync (Uint8Array)", "100M (100 MB)", bytes, (signal, borrow) => fastkernels.fitGmmAsync(bytes, { components: K, iterations: 1, signal, borrow })));
    syncRows.push(await syncPart("predictGmmAsync (Uint8Array)", "100M (100 MB)", bytes, (signal, borrow) => fastkernels.predictGmmAsync(bytes, { weights, means, stdevs }, { signal, borrow })));
    syncRows.push(await syncPart("computeLogLikelihoodStableAsync", "100M (800 MB)", x, (signal, borrow) => fastkernels.computeLogLikelihoodStableAsync(x, weights, means, stdevs, { signal, borrow })));
    const [polygons] = generateExample();
    const index = new PolygonIndex(polygons);
    syncRows.push(await syncPart("PolygonIndex#bestMatchAsync", "100M (50M points)", x, (signal, borrow) => index.bestMatchAsync(x, 10, { signal, borrow })));
    const width = 10_000;
    const height = Math.floor(n / 3 / width);
    const rgb = bytes.subarray(0, 3 * width * height);
    syncRows.push(await syncPart("cie94DifferenceAsync", `${3 * width * height / M}M u8 (x2 images)`, rgb, (signal, borrow) => fastkernels.cie94DifferenceAsync(rgb, rgb, width, height, { signal, borrow })));
  }

  console.log(`\n## Event-loop gaps while one async operation runs (1 ms ticker; ${machineDescription()})`);
  console.table(gapRows);
  console.log("\n## Synchronous part: call until the promise is returned");
  console.table(syncRows);

  saveRows("async", [
    ...gapRows.map((g) => ({
      bench: "async", kind: "event-loop-gaps", case: `${g.operation}, ${g.size}`, label: g.operation, backend: "native", threads: null,
      total_ms: g.totalMs, call_ms: g.callMs, ticks: g.ticks, p50_gap_ms: g.p50GapMs, p99_gap_ms: g.p99GapMs, max_gap_ms: g.maxGapMs,
    })),
    ...syncRows.map((r) => ({
      bench: "async", kind: "sync-part", case: `${r.operation}, ${r.size}`, label: r.operation, backend: "native", threads: null,
      sync_ms: r.copyMs, borrow_sync_ms: r.borrowMs, memcpy_ms: r.memcpyMs,
    })),
  ]);
}

await main();
