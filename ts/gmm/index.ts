/**
 * Gaussian-mixture image segmentation: the stable E-step kernels, EM fitting
 * and prediction. Every function validates its input once (same errors from
 * both backends), then runs the native kernel or the TS reference according
 * to `threads`.
 */
import { runNativeAsync, runReferenceAsync, snapshot } from "../async";
import { abortError, callNative } from "../errors";
import { native } from "../native";
import type { NativeBinding } from "../native";
import { resolveThreads } from "../threads";
import type { AsyncKernelOptions, KernelOptions } from "../threads";
import { assertAbortSignal, isTypedArrayOf, show } from "../validate";
import * as reference from "./reference";
import type { ExpsumResult, FitGmmAsyncOptions, FitGmmOptions, GmmData, GmmFit, GmmModel } from "./types";
import {
  checkData,
  checkFitOptions,
  checkIntensities,
  checkMixture,
  checkModel,
  checkPlanesFit,
  MAX_LABEL_COMPONENTS,
} from "./validate";
import type { CheckedMixture, ResolvedFitOptions } from "./validate";

export type { ExpsumResult, FitGmmAsyncOptions, FitGmmOptions, GmmData, GmmFit, GmmInit, GmmModel } from "./types";

function binding(): NativeBinding {
  // resolveThreads returns 0 when no addon is loaded, so callers only get here with one.
  if (!native) throw new Error("fastkernels: the native backend is not loaded");
  return native;
}

interface PerSampleCall {
  x: Float64Array;
  mix: CheckedMixture;
  threads: number;
}

/** Validates a per-sample call in argument order; `planes`: the result holds K planes of N values. */
function perSample(
  intensities: unknown,
  weights: unknown,
  means: unknown,
  stdevs: unknown,
  options: KernelOptions | undefined,
  planes: boolean,
): PerSampleCall {
  const x = checkIntensities("intensities", intensities);
  const mix = checkMixture(weights, means, stdevs);
  if (planes) checkPlanesFit("intensities", x.length, mix.weights.length);
  return { x, mix, threads: resolveThreads(options) };
}

/** Runs a per-sample reference kernel on private copies of its inputs, after one yield. */
function referenceOnCopies<T>(
  signal: AbortSignal | undefined,
  x: Float64Array,
  mix: CheckedMixture,
  kernel: (x: Float64Array, mix: CheckedMixture) => T,
): Promise<T> {
  const xs = snapshot(x);
  const mixture = snapshot(mix);
  return runReferenceAsync(signal, () => kernel(xs, mixture));
}

function signalOf(options: AsyncKernelOptions | undefined): AbortSignal | undefined {
  const signal = options?.signal;
  assertAbortSignal("options.signal", signal);
  return signal;
}

/**
 * Runs an async call and rejects with an AbortError if `signal` aborted before
 * it settled, even when the work itself finished (per-sample kernels are not
 * interruptible; their result is then discarded).
 */
async function unlessAborted<T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
  const result = await run();
  if (signal?.aborted) throw abortError(signal);
  return result;
}

/**
 * The original's `compute_expsum_stable`: `P[i,k] = ln w_k + ln N(x_i | mu_k, sigma_k)`,
 * `pMax[i] = max_k P[i,k]` (running max from -Infinity) and
 * `expsum[i] = sum_k exp(P[i,k] - pMax[i])`. `p` holds K planes of N values.
 *
 * @throws TypeError for non-Float64Array arguments; RangeError for K = 0,
 * length mismatches, weights < 0 (or all 0), stdevs <= 0, non-finite values, empty intensities.
 */
export function computeExpsumStable(
  intensities: Float64Array,
  weights: Float64Array,
  means: Float64Array,
  stdevs: Float64Array,
  options?: KernelOptions,
): ExpsumResult {
  const { x, mix, threads } = perSample(intensities, weights, means, stdevs, options, true);
  if (threads === 0) return reference.computeExpsumStable(x, mix);
  return callNative(() => binding().gmmExpsumStable(x, mix.weights, mix.means, mix.stdevs, threads));
}

/**
 * `computeExpsumStable` off the event loop (native inputs are copied first).
 * If `options.signal` aborts before the promise settles, it rejects with an
 * AbortError (the same holds for every `...Async` function here).
 */
export async function computeExpsumStableAsync(
  intensities: Float64Array,
  weights: Float64Array,
  means: Float64Array,
  stdevs: Float64Array,
  options?: AsyncKernelOptions,
): Promise<ExpsumResult> {
  const { x, mix, threads } = perSample(intensities, weights, means, stdevs, options, true);
  const signal = signalOf(options);
  if (threads === 0) return unlessAborted(signal, () => referenceOnCopies(signal, x, mix, reference.computeExpsumStable));
  return unlessAborted(signal, () =>
    runNativeAsync(signal, () => binding().gmmExpsumStableAsync(x, mix.weights, mix.means, mix.stdevs, threads)),
  );
}

/** Log-likelihood `sum_i (pMax[i] + ln expsum[i])` of the mixture on the intensities. */
export function computeLogLikelihoodStable(
  intensities: Float64Array,
  weights: Float64Array,
  means: Float64Array,
  stdevs: Float64Array,
  options?: KernelOptions,
): number {
  const { x, mix, threads } = perSample(intensities, weights, means, stdevs, options, false);
  if (threads === 0) return reference.computeLogLikelihoodStable(x, mix);
  return callNative(() => binding().gmmLogLikelihood(x, mix.weights, mix.means, mix.stdevs, threads));
}

export async function computeLogLikelihoodStableAsync(
  intensities: Float64Array,
  weights: Float64Array,
  means: Float64Array,
  stdevs: Float64Array,
  options?: AsyncKernelOptions,
): Promise<number> {
  const { x, mix, threads } = perSample(intensities, weights, means, stdevs, options, false);
  const signal = signalOf(options);
  if (threads === 0) return unlessAborted(signal, () => referenceOnCopies(signal, x, mix, reference.computeLogLikelihoodStable));
  return unlessAborted(signal, () =>
    runNativeAsync(signal, () => binding().gmmLogLikelihoodAsync(x, mix.weights, mix.means, mix.stdevs, threads)),
  );
}

/** Responsibilities `r[k*N + i] = exp(P[i,k] - pMax[i]) / expsum[i]`, K planes of N values. */
export function computeExpectationResponsibilities(
  intensities: Float64Array,
  weights: Float64Array,
  means: Float64Array,
  stdevs: Float64Array,
  options?: KernelOptions,
): Float64Array {
  const { x, mix, threads } = perSample(intensities, weights, means, stdevs, options, true);
  if (threads === 0) return reference.computeExpectationResponsibilities(x, mix);
  return callNative(() => binding().gmmResponsibilities(x, mix.weights, mix.means, mix.stdevs, threads));
}

export async function computeExpectationResponsibilitiesAsync(
  intensities: Float64Array,
  weights: Float64Array,
  means: Float64Array,
  stdevs: Float64Array,
  options?: AsyncKernelOptions,
): Promise<Float64Array> {
  const { x, mix, threads } = perSample(intensities, weights, means, stdevs, options, true);
  const signal = signalOf(options);
  if (threads === 0) {
    return unlessAborted(signal, () => referenceOnCopies(signal, x, mix, reference.computeExpectationResponsibilities));
  }
  return unlessAborted(signal, () =>
    runNativeAsync(signal, () => binding().gmmResponsibilitiesAsync(x, mix.weights, mix.means, mix.stdevs, threads)),
  );
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

function isBytes(data: GmmData): data is Uint8Array {
  return isTypedArrayOf(data, "Uint8Array");
}

/**
 * Fits a K-component Gaussian mixture to `data` by EM with the original's
 * updates. A Uint8Array holds 8-bit pixels, read as `v / 255`, and is fitted
 * on its 256-bin histogram (same model, cost independent of image size).
 * See `FitGmmOptions` for options and defaults.
 */
export function fitGmm(data: GmmData, options: FitGmmOptions): GmmFit {
  const x = checkData("data", data);
  const o = checkFitOptions(options);
  const threads = resolveThreads(options);
  if (threads === 0) return reference.fitGmm(x, o);
  const b = binding();
  return callNative(() => (isBytes(x) ? b.gmmFitBytes(x, fitParams(o), threads) : b.gmmFitValues(x, fitParams(o), threads)));
}

/**
 * `fitGmm` off the event loop. `options.signal` aborts it: before it starts,
 * or at the next iteration boundary; an abort at any time before the promise
 * settles makes it reject with an AbortError.
 */
export async function fitGmmAsync(data: GmmData, options: FitGmmAsyncOptions): Promise<GmmFit> {
  const x = checkData("data", data);
  const o = checkFitOptions(options);
  const signal = signalOf(options);
  const threads = resolveThreads(options);
  if (threads === 0) {
    const data = snapshot(x);
    const fitOptions = { ...o, init: snapshot(o.init) };
    return unlessAborted(signal, () =>
      runReferenceAsync(signal, async (checkpoint) => {
        const steps = reference.fitGmmSteps(data, fitOptions);
        for (;;) {
          const step = steps.next();
          if (step.done) return step.value;
          await checkpoint();
        }
      }),
    );
  }
  const b = binding();
  return unlessAborted(signal, () =>
    runNativeAsync(signal, (token) =>
      isBytes(x) ? b.gmmFitBytesAsync(x, fitParams(o), threads, token) : b.gmmFitValuesAsync(x, fitParams(o), threads, token),
    ),
  );
}

/**
 * Segmentation labels: for every sample the component of largest
 * responsibility (ties: lowest index). Labels are bytes, so the model may
 * have at most 256 components (RangeError otherwise).
 */
export function predictGmm(data: GmmData, model: GmmModel, options?: KernelOptions): Uint8Array {
  const x = checkData("data", data);
  const mix = checkModel("model", model);
  if (mix.weights.length > MAX_LABEL_COMPONENTS) {
    throw new RangeError(
      `predictGmm returns 8-bit labels, so model may have at most ${MAX_LABEL_COMPONENTS} components, got ${show(mix.weights.length)}`,
    );
  }
  const threads = resolveThreads(options);
  if (threads === 0) return reference.predictGmm(x, mix);
  const b = binding();
  return callNative(() =>
    isBytes(x)
      ? b.gmmPredictBytes(x, mix.weights, mix.means, mix.stdevs, threads)
      : b.gmmPredictValues(x, mix.weights, mix.means, mix.stdevs, threads),
  );
}

/** Responsibilities of every component for every sample: K planes of N values (`r[k*N + i]`). */
export function predictProba(data: GmmData, model: GmmModel, options?: KernelOptions): Float64Array {
  const x = checkData("data", data);
  const mix = checkModel("model", model);
  checkPlanesFit("data", x.length, mix.weights.length);
  const threads = resolveThreads(options);
  if (threads === 0) return reference.predictProba(x, mix);
  const b = binding();
  return callNative(() =>
    isBytes(x)
      ? b.gmmProbaBytes(x, mix.weights, mix.means, mix.stdevs, threads)
      : b.gmmProbaValues(x, mix.weights, mix.means, mix.stdevs, threads),
  );
}
