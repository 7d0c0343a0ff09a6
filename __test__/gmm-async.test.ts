/**
 * GMM async variants: same results as the sync calls, inputs copied, abort
 * before start and during a long fit, on both backends. Also: the native
 * binding checks its own input (errors, never a crash) when called directly.
 */
import { sceneBytes, sceneValues } from "./helpers/gmm-scene";
import {
  computeExpectationResponsibilitiesAsync,
  computeExpectationResponsibilities,
  computeExpsumStable,
  computeExpsumStableAsync,
  computeLogLikelihoodStable,
  computeLogLikelihoodStableAsync,
  fitGmm,
  fitGmmAsync,
} from "../ts";
import { callNative } from "../ts/errors";
import { native } from "../ts/native";

const mixture = [Float64Array.of(0.3, 0.7), Float64Array.of(0.2, 0.8), Float64Array.of(0.1, 0.15)] as const;

function isAbortError(error: unknown): boolean {
  return (error as { name?: string })?.name === "AbortError";
}

describe.each([0, 1, 2])("async variants (threads = %i)", (threads) => {
  test("give the sync results and copy their inputs", async () => {
    const x = sceneValues(20_000, 3);
    const expected = computeExpsumStable(x, ...mixture, { threads });
    const ll = computeLogLikelihoodStable(x, ...mixture, { threads });
    const r = computeExpectationResponsibilities(x, ...mixture, { threads });
    const fit = fitGmm(x, { components: 3, iterations: 3, threads });
    const pending = [
      computeExpsumStableAsync(x, ...mixture, { threads }),
      computeLogLikelihoodStableAsync(x, ...mixture, { threads }),
      computeExpectationResponsibilitiesAsync(x, ...mixture, { threads }),
      fitGmmAsync(x, { components: 3, iterations: 3, threads }),
    ] as const;
    if (threads > 0) x.fill(0.5); // the native variants copied x before returning
    const [es, l, rr, f] = await Promise.all(pending);
    expect(es).toEqual(expected);
    expect(l).toBe(ll);
    expect(rr).toEqual(r);
    expect(f).toEqual(fit);
  });

  test("8-bit fit", async () => {
    const bytes = sceneBytes(10_000, 4);
    expect(await fitGmmAsync(bytes, { components: 3, iterations: 5, threads })).toEqual(fitGmm(bytes, { components: 3, iterations: 5, threads }));
  });

  test("an aborted signal rejects before any work with an AbortError", async () => {
    const controller = new AbortController();
    controller.abort();
    const x = sceneValues(100, 1);
    await expect(fitGmmAsync(x, { components: 2, iterations: 2, threads, signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
    await expect(computeExpsumStableAsync(x, ...mixture, { threads, signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
    const reason = new Error("stop now");
    const withReason = new AbortController();
    withReason.abort(reason);
    await expect(fitGmmAsync(x, { components: 2, iterations: 2, threads, signal: withReason.signal })).rejects.toBe(reason);
  });

  test("an abort after the call started still rejects (per-sample kernels discard their result)", async () => {
    const x = sceneValues(50_000, 5);
    const controller = new AbortController();
    const pending = [
      computeExpsumStableAsync(x, ...mixture, { threads, signal: controller.signal }),
      computeLogLikelihoodStableAsync(x, ...mixture, { threads, signal: controller.signal }),
      computeExpectationResponsibilitiesAsync(x, ...mixture, { threads, signal: controller.signal }),
      fitGmmAsync(x, { components: 2, iterations: 1, threads, signal: controller.signal }),
    ];
    controller.abort();
    // Every handler attached at once: a promise that rejects while an earlier
    // one is awaited must not count as an unhandled rejection.
    await Promise.all(pending.map((p) => expect(p).rejects.toMatchObject({ name: "AbortError" })));
  });

  test("aborting during a long fit rejects at the next iteration", async () => {
    // Far more iterations than could finish: only the abort can end this promptly.
    const x = sceneValues(threads === 0 ? 2_000 : 100_000, 2);
    const controller = new AbortController();
    const fit = fitGmmAsync(x, { components: 3, iterations: 10_000_000, threads, signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const error = await fit.then(() => null, (e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    // The pool is still usable afterwards.
    expect((await fitGmmAsync(x.subarray(0, 1000), { components: 2, iterations: 2, threads })).iterations).toBe(2);
  });
});


describe("the native binding validates too (never panics)", () => {
  const n = native!;
  const x = Float64Array.of(0.1, 0.2);
  const params = { means: Float64Array.of(0, 1), variances: Float64Array.of(0.1, 0.1), weights: Float64Array.of(1, 1), iterations: 2, varianceFloor: 1e-12, regCovar: 0, trace: false };
  const mix = (weights: number[], means: number[], stdevs: number[]) => ({
    weights: Float64Array.from(weights),
    means: Float64Array.from(means),
    stdevs: Float64Array.from(stdevs),
  });
  const out = () => ({ expsum: new Float64Array(2), p: new Float64Array(2), pMax: new Float64Array(2) });
  test.each([
    ["mismatched lengths", () => n.gmmExpsumStable(x, true, mix([1], [0, 1], [1]), out(), 1), "means must have length 1"],
    ["no components", () => n.gmmLogLikelihood(x, true, mix([], [], []), 1), "at least 1 component"],
    ["zero sigma", () => n.gmmResponsibilities(x, true, mix([1], [0], [0]), new Float64Array(2), 1), "stdevs[0] must be a finite number > 0, got 0"],
    ["NaN data", () => n.gmmFit(Float64Array.of(0, NaN), params, 2), "data[1] must be a finite number, got NaN"],
    ["empty data", () => n.gmmFit(new Uint8Array(0), params, 1), "data must not be empty"],
    ["zero iterations", () => n.gmmFit(x, { ...params, iterations: 0 }, 1), "iterations must be an integer >= 1"],
    ["bad floor", () => n.gmmFit(x, { ...params, varianceFloor: -1 }, 1), "options.varianceFloor must be a number > 0 and <= 1.7976931348623157e+308, got -1"],
    ["too many labels", () => n.gmmPredict(x, true, mix(Array(300).fill(1), Array(300).fill(0), Array(300).fill(1)), new Uint8Array(2), 1), "at most 256 components, got 300"],
    ["output of the wrong length", () => n.gmmResponsibilities(x, true, mix([1], [0], [1]), new Float64Array(3), 1), "must have length 2"],
  ] as Array<[string, () => unknown, string]>)("%s is a RangeError", (_label, call, message) => {
    expect(() => callNative(call)).toThrow(RangeError);
    expect(() => callNative(call)).toThrow(message);
  });
});
