/**
 * Async safety of the native backend: async kernels run off the event loop,
 * on the shared rayon pool (not libuv), honour AbortSignal, copy their inputs,
 * and turn panics into rejected Errors.
 *
 * These are property tests, not benchmarks: the long fit is calibrated on
 * this machine (debug or release build) so it really lasts about a second,
 * and the bounds are generous but would fail if the property broke (a kernel
 * on the event loop blocks it for the whole fit; a kernel on libuv delays a
 * file read by a whole fit).
 */
import fs from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { MessageChannel } from "node:worker_threads";

import {
  backend,
  cie94DifferenceAsync,
  computeDistanceMatrix,
  computeExpsumStable,
  computeExpsumStableAsync,
  fitGmm,
  fitGmmAsync,
  generateExample,
  PolygonIndex,
  smacof,
  smacofAsync,
} from "../ts";
import type { GmmFit } from "../ts";
import { fromNativeError } from "../ts/errors";
import { debugBinding, debugPanicAsync, debugPanicSync } from "../ts/internal";
import { native } from "../ts/native";
import { sceneValues } from "./helpers/gmm-scene";
import { mulberry32, randomArray } from "./helpers/random";

const THREADS = Math.min(4, availableParallelism());
const FIT = { components: 3, threads: THREADS };

/** The native binding; a missing addon fails these tests instead of skipping them. */
function binding() {
  if (!native) throw new Error("the native addon is not loaded: async-safety tests need it (build it with npm run build:native)");
  return native;
}

const data = sceneValues(50_000, 7);

/** Milliseconds per EM iteration of the native fit on `data`, measured once. */
let msPerIteration = 0;
function iterationsFor(ms: number): number {
  return Math.max(3, Math.round(ms / msPerIteration));
}

beforeAll(() => {
  binding();
  fitGmm(data, { ...FIT, iterations: 2 }); // warm the pool
  // Early EM iterations can cost more than later ones, so time whole fits,
  // doubling their length until one lasts long enough to measure.
  for (let iterations = 4; ; iterations *= 2) {
    const start = performance.now();
    fitGmm(data, { ...FIT, iterations });
    const elapsed = performance.now() - start;
    if (elapsed >= 250 || iterations >= 1 << 16) {
      msPerIteration = Math.max(0.01, elapsed / iterations);
      break;
    }
  }
});

function threadCount(): number | null {
  if (!fs.existsSync("/proc/self/status")) return null; // Linux only
  const match = /^Threads:\s+(\d+)$/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
  return match ? Number(match[1]) : null;
}

function expectSameFit(actual: GmmFit, expected: GmmFit): void {
  expect(Array.from(actual.means)).toEqual(Array.from(expected.means));
  expect(Array.from(actual.variances)).toEqual(Array.from(expected.variances));
  expect(Array.from(actual.weights)).toEqual(Array.from(expected.weights));
  expect(Array.from(actual.logLikelihoods)).toEqual(Array.from(expected.logLikelihoods));
}

test("the native backend is loaded (these tests must not silently run on the reference)", () => {
  expect(backend).toBe("native");
});

describe("off the event loop", () => {
  test("a one-second native fit keeps event-loop delay p99 under 20 ms", async () => {
    const iterations = iterationsFor(1000);
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const start = performance.now();
    const fit = await fitGmmAsync(data, { ...FIT, iterations });
    const elapsed = performance.now() - start;
    histogram.disable();
    expect(fit.iterations).toBe(iterations);
    // The fit really occupied the pool long enough for the measurement to mean something.
    expect(elapsed).toBeGreaterThan(400);
    const p99 = histogram.percentile(99) / 1e6;
    console.log(`event-loop delay during a ${Math.round(elapsed)} ms async fit (${iterations} iterations, ${THREADS} threads): p50 ${(histogram.percentile(50) / 1e6).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${(histogram.max / 1e6).toFixed(2)} ms`);
    expect(p99).toBeLessThan(20);
  });
});

describe("AbortSignal", () => {
  test("an aborted signal rejects with an AbortError before any work starts", async () => {
    const controller = new AbortController();
    controller.abort();
    const start = performance.now();
    // Sized to take about a minute if it ever started.
    await expect(fitGmmAsync(data, { ...FIT, iterations: iterationsFor(60_000), signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(performance.now() - start).toBeLessThan(1000);
  });

  test("the signal's reason is the rejection when it is an Error", async () => {
    const controller = new AbortController();
    const reason = new Error("user pressed stop");
    controller.abort(reason);
    await expect(fitGmmAsync(data, { ...FIT, iterations: 5, signal: controller.signal })).rejects.toBe(reason);
  });

  test("a running native fit stops at the next iteration boundary", async () => {
    const iterations = iterationsFor(20_000); // ~20 s if it ran to the end
    const controller = new AbortController();
    const started = performance.now();
    const running = fitGmmAsync(data, { ...FIT, iterations, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, Math.max(100, 3 * msPerIteration)));
    const abortedAt = performance.now();
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: "AbortError" });
    const afterAbort = performance.now() - abortedAt;
    console.log(`abort honoured ${afterAbort.toFixed(1)} ms after abort() (one iteration ~ ${msPerIteration.toFixed(2)} ms), ${Math.round(performance.now() - started)} ms in all`);
    // One iteration to finish, plus scheduling slack: far from the ~20 s of the full fit.
    expect(afterAbort).toBeLessThan(Math.max(1500, 10 * msPerIteration));
    // The pool is free again and still gives the right answer.
    const fit = await fitGmmAsync(data, { ...FIT, iterations: 3 });
    expectSameFit(fit, fitGmm(data, { ...FIT, iterations: 3 }));
  });

  test("a cancelled token stops the raw native fit with a Cancelled error (no JS involved)", async () => {
    const b = binding();
    const token = new b.CancelToken();
    const params = {
      means: Float64Array.of(0, 0.5, 1),
      variances: Float64Array.of(0.04, 0.04, 0.04),
      weights: Float64Array.of(1, 1, 1),
      iterations: iterationsFor(20_000),
      varianceFloor: 1e-12,
      regCovar: 0,
      trace: false,
    };
    const running = b.gmmFitAsync(data, false, params, THREADS, token);
    setTimeout(() => token.cancel(), 50);
    const error = await running.then(
      () => null,
      (e: unknown) => e,
    );
    expect(fromNativeError(error)).toMatchObject({ name: "AbortError" });
    expect((error as { code?: string }).code).toBe("Cancelled");
  });
});

describe("concurrency: the shared rayon pool, not libuv", () => {
  test("eight concurrent fits leave fs.readFile prompt and add no threads", async () => {
    const file = path.join(__dirname, "..", "package.json");
    // Warm up: the pool for THREADS and libuv's own threads exist before we count.
    await fitGmmAsync(data, { ...FIT, iterations: 2 });
    await fs.promises.readFile(file);
    const before = threadCount();

    const iterations = iterationsFor(300);
    let settled = 0;
    let maxThreads = before ?? 0;
    const sampler = setInterval(() => {
      maxThreads = Math.max(maxThreads, threadCount() ?? 0);
    }, 5);
    const fits = Array.from({ length: 8 }, () => fitGmmAsync(data, { ...FIT, iterations }).finally(() => settled++));
    await new Promise((resolve) => setTimeout(resolve, 20)); // the fits are running now
    const readStart = performance.now();
    const contents = await fs.promises.readFile(file, "utf8");
    const readMs = performance.now() - readStart;
    const settledAtRead = settled;
    const results = await Promise.all(fits);
    clearInterval(sampler);

    console.log(`fs.readFile took ${readMs.toFixed(1)} ms while ${8 - settledAtRead} of 8 fits were running; threads ${before} before, at most ${maxThreads} during`);
    expect(JSON.parse(contents).name).toBe("fastkernels");
    // The read overlapped the fits, and did not wait for one to finish
    // (libuv has 4 threads: fits on libuv would hold all of them for ~300 ms each).
    expect(settledAtRead).toBeLessThan(8);
    expect(readMs).toBeLessThan(150);
    // Concurrent calls share the one pool: no thread per call.
    if (before !== null) expect(maxThreads - before).toBeLessThanOrEqual(1);
    const expected = fitGmm(data, { ...FIT, iterations });
    for (const fit of results) expectSameFit(fit, expected);
  });
});

describe("inputs of async calls are copied", () => {
  const seedData = () => sceneValues(5_000, 11);

  /** Ways a caller can take an array away while the call runs. */
  const disturbances: Array<[string, (a: Float64Array) => void]> = [
    ["mutated in place", (a) => a.fill(0.5)],
    ["filled with NaN", (a) => a.fill(Number.NaN)],
    ["transferred with structuredClone", (a) => void structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] })],
    [
      "transferred through a MessagePort",
      (a) => {
        const { port1, port2 } = new MessageChannel();
        port1.postMessage(a, [a.buffer as ArrayBuffer]);
        port1.close();
        port2.close();
      },
    ],
  ];

  test.each(disturbances)("fitGmmAsync: input %s right after the call gives the original's result", async (_, disturb) => {
    const input = seedData();
    const expected = fitGmm(seedData(), { ...FIT, iterations: 8 });
    const running = fitGmmAsync(input, { ...FIT, iterations: 8 });
    disturb(input);
    expectSameFit(await running, expected);
  });

  test.each(disturbances)("computeExpsumStableAsync: inputs %s right after the call give the original's result", async (_, disturb) => {
    const make = () => [seedData(), Float64Array.of(0.3, 0.7), Float64Array.of(0.2, 0.8), Float64Array.of(0.1, 0.2)] as const;
    const expected = computeExpsumStable(...make(), { threads: THREADS });
    const inputs = make();
    const running = computeExpsumStableAsync(...inputs, { threads: THREADS });
    for (const a of inputs) disturb(a);
    const result = await running;
    expect(Array.from(result.expsum)).toEqual(Array.from(expected.expsum));
    expect(Array.from(result.p)).toEqual(Array.from(expected.p));
  });

  test.each(disturbances)("smacofAsync: dissimilarities %s right after the call give the original's result", async (_, disturb) => {
    const points = randomArray(2 * 40, 3);
    const make = () => computeDistanceMatrix(points, 2, { threads: THREADS });
    const options = { outputDims: 2, maxIter: 50, eps: 0, threads: THREADS };
    const expected = smacof(make(), 40, options);
    const input = make();
    const running = smacofAsync(input, 40, options);
    disturb(input);
    const result = await running;
    expect(Array.from(result.embedding)).toEqual(Array.from(expected.embedding));
    expect(result.stress).toBe(expected.stress);
  });

  test.each(disturbances)("PolygonIndex.bestMatchAsync: points %s right after the call give the original's answer", async (_, disturb) => {
    const polygons = generateExample()[0];
    const index = new PolygonIndex(polygons, { threads: THREADS });
    const make = () => randomArray(2 * 2000, 8, 0, 100);
    const expected = index.bestMatch(make(), 10, { threads: THREADS });
    const points = make();
    const running = index.bestMatchAsync(points, 10, { threads: THREADS });
    disturb(points);
    expect(Array.from(await running)).toEqual(Array.from(expected));
  });

  test("cie94DifferenceAsync: 8-bit images overwritten while it runs give the original's result", async () => {
    const random = mulberry32(5);
    const make = () => Uint8Array.from({ length: 3 * 64 * 64 }, () => Math.floor(random() * 256));
    const a = make();
    const b = make();
    const expected = await cie94DifferenceAsync(a.slice(), b.slice(), 64, 64, { threads: THREADS });
    const running = cie94DifferenceAsync(a, b, 64, 64, { threads: THREADS });
    a.fill(0);
    structuredClone(b.buffer, { transfer: [b.buffer as ArrayBuffer] });
    expect(b.length).toBe(0);
    expect(Array.from(await running)).toEqual(Array.from(expected));
  });

  test("mutating inputs over and over while many fits run never crashes and never changes results", async () => {
    const inputs = Array.from({ length: 6 }, () => seedData());
    const expected = fitGmm(seedData(), { ...FIT, iterations: 6 });
    const running = inputs.map((input) => fitGmmAsync(input, { ...FIT, iterations: 6 }));
    const random = mulberry32(9);
    let done = false;
    const scribble = async () => {
      while (!done) {
        for (const input of inputs) input[Math.floor(random() * input.length)] = random() * 1e300;
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const scribbling = scribble();
    const results = await Promise.all(running);
    done = true;
    await scribbling;
    for (const fit of results) expectSameFit(fit, expected);
  });
});

describe("the reference backend (threads: 0) copies async inputs too", () => {
  const disturb = (a: Float64Array | Uint8Array) => {
    a.fill(0);
    structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
  };

  test("fitGmmAsync", async () => {
    const expected = fitGmm(sceneValues(2_000, 4), { ...FIT, iterations: 4, threads: 0 });
    const input = sceneValues(2_000, 4);
    const init = { means: Float64Array.of(0.1, 0.5, 0.9), variances: Float64Array.of(0.04, 0.04, 0.04), weights: Float64Array.of(1, 1, 1) };
    const expectedWithInit = fitGmm(sceneValues(2_000, 4), { ...FIT, iterations: 4, init: { ...init, means: init.means.slice() }, threads: 0 });
    const running = fitGmmAsync(input, { ...FIT, iterations: 4, threads: 0 });
    const runningWithInit = fitGmmAsync(sceneValues(2_000, 4), { ...FIT, iterations: 4, init, threads: 0 });
    disturb(input);
    disturb(init.means);
    expectSameFit(await running, expected);
    expectSameFit(await runningWithInit, expectedWithInit);
  });

  test("computeExpsumStableAsync", async () => {
    const make = () => [sceneValues(1_000, 6), Float64Array.of(0.3, 0.7), Float64Array.of(0.2, 0.8), Float64Array.of(0.1, 0.2)] as const;
    const expected = computeExpsumStable(...make(), { threads: 0 });
    const inputs = make();
    const running = computeExpsumStableAsync(...inputs, { threads: 0 });
    for (const a of inputs) disturb(a);
    expect(Array.from((await running).expsum)).toEqual(Array.from(expected.expsum));
  });

  test("cie94DifferenceAsync", async () => {
    const random = mulberry32(12);
    const make = () => Uint8Array.from({ length: 3 * 16 * 16 }, () => Math.floor(random() * 256));
    const a = make();
    const b = make();
    const expected = await cie94DifferenceAsync(a.slice(), b.slice(), 16, 16, { threads: 0 });
    const running = cie94DifferenceAsync(a, b, 16, 16, { threads: 0 });
    disturb(a);
    disturb(b);
    expect(Array.from(await running)).toEqual(Array.from(expected));
  });
});

// The panicking kernels come from the debug-feature addon (ts/internal.ts,
// npm run build:native:debug-addon), which has its own pools; a missing one
// fails these tests.
describe("panics become Errors, never an abort", () => {
  test.each([...new Set([1, 2, THREADS])])("a panic on a pool thread inside a parallel loop throws from a sync call (threads = %i)", (threads) => {
    const b = debugBinding();
    const call = () => b.__debugPanicParallelSync("boom-parallel-sync", 4096, threads);
    expect(call).toThrow(/internal error in native debugPanicParallel.*boom-parallel-sync/);
  });

  test.each([...new Set([1, 2, THREADS])])("a panic on a pool thread inside a parallel loop rejects an async call (threads = %i)", async (threads) => {
    const b = debugBinding();
    const error = await b.__debugPanicParallelAsync("boom-parallel-async", 4096, threads).then(
      () => null,
      (e: unknown) => fromNativeError(e),
    );
    expect(error).toBeTruthy();
    expect((error as Error).message).toMatch(/internal error in native debugPanicParallel.*boom-parallel-async/);
  });

  test("many panicking async calls at once, then real work: the process and the pool survive", async () => {
    const rejections = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => debugPanicAsync(`storm-${i}`, THREADS)));
    expect(rejections.every((r) => r.status === "rejected")).toBe(true);
    expect(() => debugPanicSync("after-storm", THREADS)).toThrow(/after-storm/);
    const fit = await fitGmmAsync(data, { ...FIT, iterations: 3 });
    expectSameFit(fit, fitGmm(data, { ...FIT, iterations: 3 }));
  });
});
