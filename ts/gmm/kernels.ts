/**
 * The GMM family's entries in the kernel table: one declaration per
 * operation (structural checks, reference, native sync and async entries).
 * `ts/gmm/index.ts` exposes them under the public names.
 */
import { once, registerKernel } from "../dispatch/kernel";
import type { Steps } from "../dispatch/kernel";
import { show } from "../validate";
import * as reference from "./reference";
import type { GmmProgress } from "../../index";
import type { ExpsumResult, GmmData, GmmFit, GmmModel } from "./types";
import {
  checkData,
  checkFitOptions,
  checkIntensities,
  checkMixture,
  checkModel,
  checkPlanesFit,
  FIT_OPTION_KEYS,
  MAX_LABEL_COMPONENTS,
  scanFinite,
} from "./validate";
import type { CheckedData, CheckedMixture, ResolvedFitOptions } from "./validate";

/** A checked per-sample call: intensities, mixture, and the argument name of the data. */
export interface PerSampleCall {
  dataName: string;
  x: Float64Array;
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
  return { dataName: "intensities", x, mix };
}

function copyPerSample(call: PerSampleCall): PerSampleCall {
  const mix = { weights: call.mix.weights.slice(), means: call.mix.means.slice(), stdevs: call.mix.stdevs.slice() };
  return { dataName: call.dataName, x: call.x.slice(), mix };
}


function referencePerSample<R>(compute: (x: Float64Array, mix: CheckedMixture) => R) {
  return (call: PerSampleCall): Steps<R> =>
    once(() => {
      scanFinite(call.dataName, call.x);
      return compute(call.x, call.mix);
    });
}

export const expsumKernel = registerKernel<PerSampleArgs, PerSampleCall, ExpsumResult>({
  name: "computeExpsumStable",
  optionsIndex: perSampleOptionsIndex,
  optionKeys: [],
  prepare: (args) => perSample(args, true),
  reference: referencePerSample(reference.computeExpsumStable),
  native: ({ x, mix }, b, threads) => b.gmmExpsumStable(x, mix.weights, mix.means, mix.stdevs, threads),
  nativeAsync: ({ x, mix }, b, { threads }) => b.gmmExpsumStableAsync(x, mix.weights, mix.means, mix.stdevs, threads),
  copyInputs: copyPerSample,
});

export const logLikelihoodKernel = registerKernel<PerSampleArgs, PerSampleCall, number>({
  name: "computeLogLikelihoodStable",
  optionsIndex: perSampleOptionsIndex,
  optionKeys: [],
  prepare: (args) => perSample(args, false),
  reference: referencePerSample(reference.computeLogLikelihoodStable),
  native: ({ x, mix }, b, threads) => b.gmmLogLikelihood(x, mix.weights, mix.means, mix.stdevs, threads),
  nativeAsync: ({ x, mix }, b, { threads }) => b.gmmLogLikelihoodAsync(x, mix.weights, mix.means, mix.stdevs, threads),
  copyInputs: copyPerSample,
});

export const responsibilitiesKernel = registerKernel<PerSampleArgs, PerSampleCall, Float64Array>({
  name: "computeExpectationResponsibilities",
  optionsIndex: perSampleOptionsIndex,
  optionKeys: [],
  prepare: (args) => perSample(args, true),
  reference: referencePerSample(reference.computeExpectationResponsibilities),
  native: ({ x, mix }, b, threads) => b.gmmResponsibilities(x, mix.weights, mix.means, mix.stdevs, threads),
  nativeAsync: ({ x, mix }, b, { threads }) => b.gmmResponsibilitiesAsync(x, mix.weights, mix.means, mix.stdevs, threads),
  copyInputs: copyPerSample,
});

function isBytes(data: CheckedData): data is Uint8Array {
  return data.BYTES_PER_ELEMENT === 1;
}

/** Scans float data in the reference (8-bit pixels are always valid). */
function scanData(name: string, data: CheckedData): void {
  if (!isBytes(data)) scanFinite(name, data);
}

export interface FitCall {
  data: CheckedData;
  options: ResolvedFitOptions;
}

function fitParams(o: ResolvedFitOptions) {
  return {
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
  optionKeys: FIT_OPTION_KEYS,
  progressAliases: ["onIteration"],
  prepare: ([data, options]) => ({ data: checkData("data", data), options: checkFitOptions(options) }),
  *reference({ data, options }) {
    scanData("data", data);
    return yield* reference.fitGmmSteps(data, options);
  },
  native: ({ data, options }, b, threads) =>
    isBytes(data) ? b.gmmFitBytes(data, fitParams(options), threads) : b.gmmFitValues(data, fitParams(options), threads),
  nativeAsync: async ({ data, options }, b, { threads, token, onProgress }) => {
    const progress = onProgress as ((event: GmmProgress) => void) | undefined;
    const out = await (isBytes(data)
      ? b.gmmFitBytesAsync(data, fitParams(options), threads, token, progress)
      : b.gmmFitValuesAsync(data, fitParams(options), threads, token, progress));
    return { ...out.fit, progressEvents: out.progressEvents };
  },
  copyInputs: ({ data, options }) => ({
    data: data.slice(),
    options: {
      ...options,
      init: { means: options.init.means.slice(), variances: options.init.variances.slice(), weights: options.init.weights.slice() },
    },
  }),
});

export interface PredictCall {
  data: CheckedData;
  mix: CheckedMixture;
}

function copyPredict(call: PredictCall): PredictCall {
  const mix = { weights: call.mix.weights.slice(), means: call.mix.means.slice(), stdevs: call.mix.stdevs.slice() };
  return { data: call.data.slice(), mix };
}

export const predictKernel = registerKernel<[data: GmmData, model: GmmModel, options?: unknown], PredictCall, Uint8Array>({
  name: "predictGmm",
  optionsIndex: 2,
  optionKeys: [],
  prepare: ([data, model]) => {
    const x = checkData("data", data);
    const mix = checkModel("model", model);
    if (mix.weights.length > MAX_LABEL_COMPONENTS) {
      throw new RangeError(
        `predictGmm returns 8-bit labels, so model may have at most ${MAX_LABEL_COMPONENTS} components, got ${show(mix.weights.length)}`,
      );
    }
    return { data: x, mix };
  },
  reference: ({ data, mix }) =>
    once(() => {
      scanData("data", data);
      return reference.predictGmm(data, mix);
    }),
  native: ({ data, mix }, b, threads) =>
    isBytes(data)
      ? b.gmmPredictBytes(data, mix.weights, mix.means, mix.stdevs, threads)
      : b.gmmPredictValues(data, mix.weights, mix.means, mix.stdevs, threads),
  nativeAsync: ({ data, mix }, b, { threads }) =>
    isBytes(data)
      ? b.gmmPredictBytesAsync(data, mix.weights, mix.means, mix.stdevs, threads)
      : b.gmmPredictValuesAsync(data, mix.weights, mix.means, mix.stdevs, threads),
  copyInputs: copyPredict,
});

export const probaKernel = registerKernel<[data: GmmData, model: GmmModel, options?: unknown], PredictCall, Float64Array>({
  name: "predictProba",
  optionsIndex: 2,
  optionKeys: [],
  prepare: ([data, model]) => {
    const x = checkData("data", data);
    const mix = checkModel("model", model);
    checkPlanesFit("data", x.length, mix.weights.length);
    return { data: x, mix };
  },
  reference: ({ data, mix }) =>
    once(() => {
      scanData("data", data);
      return reference.predictProba(data, mix);
    }),
  native: ({ data, mix }, b, threads) =>
    isBytes(data)
      ? b.gmmProbaBytes(data, mix.weights, mix.means, mix.stdevs, threads)
      : b.gmmProbaValues(data, mix.weights, mix.means, mix.stdevs, threads),
  nativeAsync: ({ data, mix }, b, { threads }) =>
    isBytes(data)
      ? b.gmmProbaBytesAsync(data, mix.weights, mix.means, mix.stdevs, threads)
      : b.gmmProbaValuesAsync(data, mix.weights, mix.means, mix.stdevs, threads),
  copyInputs: copyPredict,
});
