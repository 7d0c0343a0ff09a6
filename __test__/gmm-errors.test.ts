/**
 * GMM input validation: every bad input throws the same TypeError or
 * RangeError, naming the argument and the value, from both backends.
 */
import {
  computeExpectationResponsibilities,
  computeExpsumStable,
  computeExpsumStableAsync,
  computeLogLikelihoodStable,
  fitGmm,
  fitGmmAsync,
  predictGmm,
  predictProba,
} from "../ts";

const f = (...v: number[]) => Float64Array.from(v);
const x = f(0.1, 0.5, 0.9);
const w = f(0.5, 0.5), m = f(0.2, 0.8), s = f(0.1, 0.1);

type Kind = typeof TypeError | typeof RangeError;
type Args = [unknown, unknown, unknown, unknown];

const perSampleCases: Array<[string, Args, Kind, string]> = [
  ["intensities not a Float64Array", [[0.1, 0.2], w, m, s], TypeError, "intensities must be a Float64Array or a Float32Array, got Array(2)"],
  ["intensities Int32Array", [new Int32Array(2), w, m, s], TypeError, "intensities must be a Float64Array or a Float32Array, got Int32Array(2)"],
  ["NaN in Float32Array intensities", [new Float32Array([0.5, NaN]), w, m, s], RangeError, "intensities[1] must be a finite number, got NaN"],
  ["weights missing", [x, undefined, m, s], TypeError, "weights must be a Float64Array, got undefined"],
  ["empty intensities", [f(), w, m, s], RangeError, "intensities must not be empty, got Float64Array(0)"],
  ["NaN in intensities", [f(0.1, NaN), w, m, s], RangeError, "intensities[1] must be a finite number, got NaN"],
  ["Infinity in intensities", [f(Infinity), w, m, s], RangeError, "intensities[0] must be a finite number, got Infinity"],
  ["K = 0", [x, f(), f(), f()], RangeError, "weights must have at least 1 component (K >= 1), got length 0"],
  ["means length mismatch", [x, w, f(0.1), s], RangeError, "means must have length 2 (one value per component, like weights), got length 1"],
  ["stdevs length mismatch", [x, w, m, f(1, 1, 1)], RangeError, "stdevs must have length 2 (one value per component, like weights), got length 3"],
  ["zero sigma", [x, w, m, f(0.1, 0)], RangeError, "stdevs[1] must be a finite number > 0, got 0"],
  ["negative sigma", [x, w, m, f(-0.5, 0.1)], RangeError, "stdevs[0] must be a finite number > 0, got -0.5"],
  ["infinite sigma", [x, w, m, f(0.1, Infinity)], RangeError, "stdevs[1] must be a finite number > 0, got Infinity"],
  ["negative weight", [x, f(0.5, -1), m, s], RangeError, "weights[1] must be a finite number >= 0, got -1"],
  ["all weights zero", [x, f(0, 0), m, s], RangeError, "weights must contain at least one value > 0, got all zeros"],
  ["NaN mean", [x, w, f(NaN, 0.5), s], RangeError, "means[0] must be a finite number, got NaN"],
];

const kernels = {
  computeExpsumStable,
  computeLogLikelihoodStable,
  computeExpectationResponsibilities,
} as const;

describe.each([0, 1])("per-sample kernels reject bad input (threads = %i)", (threads) => {
  for (const [name, kernel] of Object.entries(kernels)) {
    test.each(perSampleCases)(`${name}: %s`, (_label, args, kind, message) => {
      const call = () => (kernel as (...a: unknown[]) => unknown)(...args, { threads });
      expect(call).toThrow(kind);
      expect(call).toThrow(message);
    });
  }

  test.each(perSampleCases)("computeExpsumStableAsync rejects: %s", async (_label, args, kind, message) => {
    const call = (computeExpsumStableAsync as (...a: unknown[]) => Promise<unknown>)(...args, { threads });
    await expect(call).rejects.toThrow(kind);
    await expect((computeExpsumStableAsync as (...a: unknown[]) => Promise<unknown>)(...args, { threads })).rejects.toThrow(message);
  });

  test("K planes of N values must fit in one typed array", () => {
    const k = 2 ** 15 + 1;
    const many = { weights: new Float64Array(k).fill(1), means: new Float64Array(k), stdevs: new Float64Array(k).fill(1) };
    const n = 2 ** 17;
    const big = new Float64Array(n);
    const message = `intensities.length × K = ${n} × ${k} = ${n * k} values would exceed the largest typed array (4294967296 elements, MAX_OUTPUT_ELEMENTS)`;
    expect(() => computeExpsumStable(big, many.weights, many.means, many.stdevs, { threads })).toThrow(RangeError);
    expect(() => computeExpsumStable(big, many.weights, many.means, many.stdevs, { threads })).toThrow(message);
    expect(() => computeExpectationResponsibilities(big, many.weights, many.means, many.stdevs, { threads })).toThrow(message);
    expect(() => predictProba(big, many, { threads })).toThrow(message.replace("intensities", "data"));
  });

  test("structural checks run in argument order, before the backend's value scan of the data", () => {
    const call = () => computeExpsumStable([0.1] as never, undefined as never, f(), f(-1), { threads });
    expect(call).toThrow("intensities must be a Float64Array or a Float32Array, got Array(1)");
    expect(() => computeExpsumStable(x, undefined as never, f(), f(-1), { threads })).toThrow("weights must be a Float64Array, got undefined");
    // NaN in the data is found by the backend's scan, after the parameters were checked.
    expect(() => computeExpsumStable(f(NaN), w, m, f(-1, 0.1), { threads })).toThrow("stdevs[0] must be a finite number > 0, got -1");
  });

  test("bad options", () => {
    expect(() => computeExpsumStable(x, w, m, s, { threads: -1 })).toThrow("options.threads must be an integer from 0 to 256, got -1");
    expect(() => computeExpsumStable(x, w, m, s, 3 as never)).toThrow(TypeError);
  });
});

const fitCases: Array<[string, unknown, unknown, Kind, string]> = [
  ["data an Array", [0.1], { components: 2, iterations: 1 }, TypeError, "data must be a Float64Array, Float32Array, Uint8Array or Uint8ClampedArray, got Array(1)"],
  ["data Int32Array", new Int32Array(3), { components: 2, iterations: 1 }, TypeError, "data must be a Float64Array, Float32Array, Uint8Array or Uint8ClampedArray, got Int32Array(3)"],
  ["empty Float64Array", f(), { components: 2, iterations: 1 }, RangeError, "data must not be empty, got Float64Array(0)"],
  ["empty Uint8Array", new Uint8Array(0), { components: 2, iterations: 1 }, RangeError, "data must not be empty, got Uint8Array(0)"],
  ["NaN data", f(0.1, 0.2, NaN), { components: 2, iterations: 1 }, RangeError, "data[2] must be a finite number, got NaN"],
  ["-Infinity data", f(-Infinity), { components: 2, iterations: 1 }, RangeError, "data[0] must be a finite number, got -Infinity"],
  ["no options", x, undefined, TypeError, "options must be an object with components and iterations, got undefined"],
  ["components 0", x, { components: 0, iterations: 1 }, RangeError, "options.components must be an integer >= 1, got 0"],
  ["components missing", x, { iterations: 1 }, TypeError, "options.components must be an integer, got undefined"],
  ["iterations 0", x, { components: 2, iterations: 0 }, RangeError, "options.iterations must be an integer >= 1, got 0"],
  ["iterations 1.5", x, { components: 2, iterations: 1.5 }, RangeError, "options.iterations must be an integer >= 1, got 1.5"],
  ["tol negative", x, { components: 2, iterations: 1, tol: -1 }, RangeError, "options.tol must be a number >= 0"],
  ["tol NaN", x, { components: 2, iterations: 1, tol: NaN }, RangeError, "got NaN"],
  ["varianceFloor 0", x, { components: 2, iterations: 1, varianceFloor: 0 }, RangeError, "options.varianceFloor must be a number > 0"],
  ["regCovar negative", x, { components: 2, iterations: 1, regCovar: -1e-6 }, RangeError, "options.regCovar must be a number >= 0"],
  ["init.means wrong length", x, { components: 2, iterations: 1, init: { means: f(0), variances: f(1, 1), weights: f(1, 1) } }, RangeError, "options.init.means must have length 2"],
  ["init.variances negative", x, { components: 2, iterations: 1, init: { means: f(0, 1), variances: f(1, -1), weights: f(1, 1) } }, RangeError, "options.init.variances[1] must be a finite number > 0, got -1"],
  ["init.weights negative", x, { components: 2, iterations: 1, init: { means: f(0, 1), variances: f(1, 1), weights: f(-1, 1) } }, RangeError, "options.init.weights[0] must be a finite number >= 0, got -1"],
  ["init.means an Array", x, { components: 2, iterations: 1, init: { means: [0, 1], variances: f(1, 1), weights: f(1, 1) } }, TypeError, "options.init.means must be a Float64Array, got Array(2)"],
  ["threads out of range", x, { components: 2, iterations: 1, threads: 300 }, RangeError, "options.threads must be an integer from 0 to 256, got 300"],
];

describe.each([0, 1])("fitGmm rejects bad input (threads = %i)", (threads) => {
  const withThreads = (options: unknown) =>
    options && typeof options === "object" && !("threads" in options) ? { ...options, threads } : options;

  test.each(fitCases)("%s", (_label, data, options, kind, message) => {
    const call = () => fitGmm(data as Float64Array, withThreads(options) as never);
    expect(call).toThrow(kind);
    expect(call).toThrow(message);
  });

  test.each(fitCases)("fitGmmAsync rejects: %s", async (_label, data, options, kind, message) => {
    await expect(fitGmmAsync(data as Float64Array, withThreads(options) as never)).rejects.toThrow(kind);
    await expect(fitGmmAsync(data as Float64Array, withThreads(options) as never)).rejects.toThrow(message);
  });

  test("bad signal", async () => {
    await expect(fitGmmAsync(x, { components: 2, iterations: 1, threads, signal: {} as AbortSignal })).rejects.toThrow(
      "options.signal must be an AbortSignal or undefined, got a Object",
    );
  });
});

describe.each([0, 1])("predictGmm / predictProba reject bad input (threads = %i)", (threads) => {
  const model = { weights: w, means: m, stdevs: s };
  test.each([
    ["model null", x, null, TypeError, "model must be a GmmModel object"],
    ["no stdevs or variances", x, { weights: w, means: m }, TypeError, "model must have stdevs or variances, got neither"],
    ["bad variances", x, { weights: w, means: m, variances: f(1, 0) }, RangeError, "model.variances[1] must be a finite number > 0, got 0"],
    ["means mismatch", x, { weights: w, means: f(1), stdevs: s }, RangeError, "model.means must have length 2"],
    ["data Int16Array", new Int16Array(1), model, TypeError, "data must be a Float64Array, Float32Array, Uint8Array or Uint8ClampedArray, got Int16Array(1)"],
    ["data NaN", f(NaN), model, RangeError, "data[0] must be a finite number, got NaN"],
  ] as Array<[string, unknown, unknown, Kind, string]>)("%s", (_label, data, mdl, kind, message) => {
    for (const fn of [predictGmm, predictProba]) {
      const call = () => fn(data as Float64Array, mdl as never, { threads });
      expect(call).toThrow(kind);
      expect(call).toThrow(message);
    }
  });

  test("predictGmm labels are bytes: more than 256 components is a RangeError", () => {
    const k = 257;
    const big = { weights: new Float64Array(k).fill(1), means: new Float64Array(k), stdevs: new Float64Array(k).fill(1) };
    expect(() => predictGmm(x, big, { threads })).toThrow(RangeError);
    expect(() => predictGmm(x, big, { threads })).toThrow("at most 256 components, got 257");
    expect(predictProba(x, big, { threads }).length).toBe(k * x.length);
  });
});
