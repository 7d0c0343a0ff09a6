/**
 * The GMM family's entries in the kernel table: one declaration per
 * operation (structural checks, reference, native sync and async entries).
 * `ts/gmm/index.ts` exposes them under the public names.
 */
import { once, registerKernel } from "../dispatch/kernel";
import type { Steps } from "../dispatch/kernel";
import { show } from "../validate";
import * as reference from "./reference";
import type { GmmFitOutput, GmmProgress } from "../../index";
import type { ExpsumResult, GmmData, GmmFit, GmmModel } from "./types";
import {
  asFloat64,
  checkData,
  checkFitOptions,
  checkIntensities,
  checkMixture,
  checkModel,
  checkPlanesFit,
  FIT_OPTION_KEYS,
  MAX_LABEL_COMPONENTS,
  PUBLIC_FIT_OPTION_KEYS,
  scanFinite,
} from "./validate";
import type { CheckedData, CheckedMixture, FloatData, ResolvedFitOptions } from "./validate";

/** Synchronous calls lend their inputs: the caller's thread is blocked until the kernel returns. */
const LENT = true;

/** A checked per-sample call: intensities and mixture. */
export interface PerSampleCall {
  x: FloatData;
  mix: CheckedMixture;
}

/** `(intensities, weights, means, stdevs, options)` or `(intensities, model, options)`. */
export type PerSampleArgs =
  | [intensities: Float64Array | Float32Array, weights: Float64Array, means: Float64Array, stdevs: Float64Array, options?: unknown]
  | [intensities: Float64Array | Float32Array, model: GmmModel, options?: unknown];

/** Where the options argument is: after the model object, or after the three positional arrays. */
export function perSampleOptionsIndex(args: readonly unknown[]): number {
  return ArrayBuffer.isView(args[1]) || args.length >= 4 ? 4 : 2;
}

function perSample(args: PerSampleArgs, planes: boolean): PerSampleCall {
  const x = checkIntensities("intensities", args[0]);
  const mix = perSampleOptionsIndex(args) === 4 ? checkMixture(args[1], args[2], args[3]) : checkModel("model", args[1]);
  if (planes) checkPlanesFit("intensities", x.length, mix.weights.length);
  return { x, mix };
}

function copyMixture(mix: CheckedMixture): CheckedMixture {
  return { weights: mix.weights.slice(), means: mix.means.slice(), stdevs: mix.stdevs.slice() };
}

function copyPerSample(call: PerSampleCall): PerSampleCall {
  return { x: call.x.slice(), mix: copyMixture(call.mix) };
}

/** The reference of a per-sample kernel: scan, widen, compute. */
function referencePerSample<R>(compute: (x: Float64Array, mix: CheckedMixture) => R) {
  return (call: PerSampleCall): Steps<R> =>
    once(() => {
      const x = asFloat64(call.x);
      scanFinite("intensities", x);
      return compute(x, call.mix);
    });
}

/** Output buffers of an expsum call, allocated here so that V8 owns (and accounts for) them. */
function expsumBuffers(call: PerSampleCall): ExpsumResult {
  const n = call.x.length;
  return { expsum: new Float64Array(n), p: new Float64Array(n * call.mix.weights.length), pMax: new Float64Array(n) };
}

export const expsumKernel = registerKernel<PerSampleArgs, PerSampleCall, ExpsumResult>({
  name: "computeExpsumStable",
  optionsIndex: perSampleOptionsIndex,
  optionKeys: [],
  prepare: (args) => perSample(args, true),
  reference: referencePerSample(reference.computeExpsumStable),
  native: (call, b, threads) => {
    const out = expsumBuffers(call);
    b.gmmExpsumStable(call.x, LENT, call.mix, out, threads);
    return out;
  },
  nativeAsync: async (call, b, { threads, borrow }) => {
    const out = expsumBuffers(call);
    await b.gmmExpsumStableAsync(call.x, borrow, call.mix, out, threads);
    return out;
  },
  copyInputs: copyPerSample,
});

export const logLikelihoodKernel = registerKernel<PerSampleArgs, PerSampleCall, number>({
  name: "computeLogLikelihoodStable",
  optionsIndex: perSampleOptionsIndex,
  optionKeys: [],
  prepare: (args) => perSample(args, false),
  reference: referencePerSample(reference.computeLogLikelihoodStable),
  native: (call, b, threads) => b.gmmLogLikelihood(call.x, LENT, call.mix, threads),
  nativeAsync: (call, b, { threads, borrow }) => b.gmmLogLikelihoodAsync(call.x, borrow, call.mix, threads),
  copyInputs: copyPerSample,
});

function planes(n: number, mix: CheckedMixture): Float64Array {
  return new Float64Array(n * mix.weights.length);
}

export const responsibilitiesKernel = registerKernel<PerSampleArgs, PerSampleCall, Float64Array>({
  name: "computeExpectationResponsibilities",
  optionsIndex: perSampleOptionsIndex,
  optionKeys: [],
  prepare: (args) => perSample(args, true),
  reference: referencePerSample(reference.computeExpectationResponsibilities),
  native: (call, b, threads) => {
    const out = planes(call.x.length, call.mix);
    b.gmmResponsibilities(call.x, LENT, call.mix, out, threads);
    return out;
  },
  nativeAsync: async (call, b, { threads, borrow }) => {
    const out = planes(call.x.length, call.mix);
    await b.gmmResponsibilitiesAsync(call.x, borrow, call.mix, out, threads);
    return out;
  },
  copyInputs: copyPerSample,
});

function isBytes(data: CheckedData): data is Uint8Array {
  return data.BYTES_PER_ELEMENT === 1;
}

/** The reference's view of the data: float64 values (scanned) or 8-bit pixels (always valid). */
function referenceData(name: string, data: CheckedData): Float64Array | Uint8Array {
  if (isBytes(data)) return data;
  const x = asFloat64(data);
  scanFinite(name, x);
  return x;
}

export interface FitCall {
  data: CheckedData;
  options: ResolvedFitOptions;
}

function fitParams(o: ResolvedFitOptions, trace = false) {
  return {
    trace,
    means: o.init.means,
    variances: o.init.variances,
    weights: o.init.weights,
    iterations: o.iterations,
    tol: o.tol,
    varianceFloor: o.varianceFloor,
    regCovar: o.regCovar,
  };
}

export const fitKernel = registerKernel<[data: GmmData, options: unknown], FitCall, GmmFit>({
  name: "fitGmm",
  optionsIndex: 1,
  optionKeys: PUBLIC_FIT_OPTION_KEYS,
  progressAliases: ["onIteration"],
  prepare: ([data, options]) => ({ data: checkData("data", data), options: checkFitOptions(options) }),
  *reference({ data, options }) {
    return yield* reference.fitGmmSteps(referenceData("data", data), options);
  },
  native: ({ data, options }, b, threads) => toFit(b.gmmFit(data, fitParams(options), threads)),
  nativeAsync: async ({ data, options }, b, { threads, token, onProgress, borrow }) => {
    const progress = onProgress as ((event: GmmProgress) => void) | undefined;
    const out = await b.gmmFitAsync(data, borrow, fitParams(options), threads, token, progress);
    return { ...toFit(out.fit), progressEvents: out.progressEvents };
  },
  copyInputs: copyFitCall,
});

/** A fit and the parameters after each of its iterations (K means, K variances, K weights per iteration). */
export interface TracedFit {
  fit: GmmFit;
  trajectory: Float64Array;
}

/**
 * The fit `GmmEstimator` steps through: the same fit as `fitGmm` (data or
 * histogram prepared once, bit for bit the multi-iteration fit) with the
 * parameters of every iteration recorded. Internal: not a public export.
 */
export const tracedFitKernel = registerKernel<[data: GmmData, options: unknown], FitCall, TracedFit>({
  name: "GmmEstimator.executeExpectationMaximization",
  optionsIndex: 1,
  optionKeys: FIT_OPTION_KEYS,
  prepare: ([data, options]) => ({ data: checkData("data", data), options: checkFitOptions(options) }),
  *reference({ data, options }) {
    const trajectory: number[] = [];
    const fit = yield* reference.fitGmmSteps(referenceData("data", data), options, trajectory);
    return { fit, trajectory: Float64Array.from(trajectory) };
  },
  native: ({ data, options }, b, threads) => traced(b.gmmFit(data, fitParams(options, true), threads)),
  nativeAsync: async ({ data, options }, b, { threads, token, onProgress, borrow }) => {
    const progress = onProgress as ((event: GmmProgress) => void) | undefined;
    const out = await b.gmmFitAsync(data, borrow, fitParams(options, true), threads, token, progress);
    return { ...traced(out.fit), progressEvents: out.progressEvents };
  },
  copyInputs: copyFitCall,
});

function traced(out: GmmFitOutput): TracedFit {
  if (!out.trajectory) throw new Error("fastkernels: the native fit returned no trajectory");
  return { fit: toFit(out), trajectory: out.trajectory };
}

/** The public fit result: the binding's fields, nothing else. */
function toFit(out: GmmFitOutput): GmmFit {
  const { means, variances, stdevs, weights, logLikelihoods, iterations, converged } = out;
  return { means, variances, stdevs, weights, logLikelihoods, iterations, converged };
}

function copyFitCall({ data, options }: FitCall): FitCall {
  return {
    data: data.slice(),
    options: {
      ...options,
      init: { means: options.init.means.slice(), variances: options.init.variances.slice(), weights: options.init.weights.slice() },
    },
  };
}

export interface PredictCall {
  data: CheckedData;
  mix: CheckedMixture;
}

function copyPredict(call: PredictCall): PredictCall {
  return { data: call.data.slice(), mix: copyMixture(call.mix) };
}

function predictCall(data: unknown, model: unknown): PredictCall {
  return { data: checkData("data", data), mix: checkModel("model", model) };
}

export const predictKernel = registerKernel<[data: GmmData, model: GmmModel, options?: unknown], PredictCall, Uint8Array>({
  name: "predictGmm",
  optionsIndex: 2,
  optionKeys: [],
  prepare: ([data, model]) => {
    const call = predictCall(data, model);
    if (call.mix.weights.length > MAX_LABEL_COMPONENTS) {
      throw new RangeError(
        `predictGmm returns 8-bit labels, so model may have at most ${MAX_LABEL_COMPONENTS} components, got ${show(call.mix.weights.length)}`,
      );
    }
    return call;
  },
  reference: ({ data, mix }) => once(() => reference.predictGmm(referenceData("data", data), mix)),
  native: ({ data, mix }, b, threads) => {
    const out = new Uint8Array(data.length);
    b.gmmPredict(data, LENT, mix, out, threads);
    return out;
  },
  nativeAsync: async ({ data, mix }, b, { threads, borrow }) => {
    const out = new Uint8Array(data.length);
    await b.gmmPredictAsync(data, borrow, mix, out, threads);
    return out;
  },
  copyInputs: copyPredict,
});

export const probaKernel = registerKernel<[data: GmmData, model: GmmModel, options?: unknown], PredictCall, Float64Array>({
  name: "predictProba",
  optionsIndex: 2,
  optionKeys: [],
  prepare: ([data, model]) => {
    const call = predictCall(data, model);
    checkPlanesFit("data", call.data.length, call.mix.weights.length);
    return call;
  },
  reference: ({ data, mix }) => once(() => reference.predictProba(referenceData("data", data), mix)),
  native: ({ data, mix }, b, threads) => {
    const out = planes(data.length, mix);
    b.gmmProba(data, LENT, mix, out, threads);
    return out;
  },
  nativeAsync: async ({ data, mix }, b, { threads, borrow }) => {
    const out = planes(data.length, mix);
    await b.gmmProbaAsync(data, borrow, mix, out, threads);
    return out;
  },
  copyInputs: copyPredict,
});
