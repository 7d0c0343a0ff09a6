/**
 * `GmmEstimator` mirrors the original program's `GMM_Estimator` class
 * (alexhagiopol/gmm, gmm_segmentation.py): `initialize` builds the data and
 * the initial state (single image, or the CIE94 difference of two images with
 * an optional thresholded-subtraction start), then
 * `executeExpectationMaximization` runs EM and keeps the state of every
 * iteration. The math is the library's: one traced fit on the chosen backend
 * (data or histogram prepared once, not one `fitGmm` call per iteration),
 * recording the parameters after every iteration.
 */
import { cie94Difference, thresholdedSubtractionInit } from "../color";
import type { MixtureInit } from "../color";
import { normalizeReference } from "../color/reference";
import {
  computeExpectationResponsibilities,
  computeExpsumStable,
  computeLogLikelihoodStable,
  predictGmm,
} from "../gmm";
import type { ExpsumResult, GmmData } from "../gmm";
import { abortError } from "../errors";
import { tracedFitKernel } from "../gmm/kernels";
import type { TracedFit } from "../gmm/kernels";
import { resolveThreads } from "../threads";
import type { AsyncKernelOptions, KernelOptions } from "../threads";
import { assertAbortSignal, assertOptions } from "../validate";
import { assertFunction, checkInitializeOptions, checkSource } from "./validate";
import type { EstimatorSource, ExecuteOptions, Initialization, InitializeOptions, IterationState } from "./types";

/** The original's evenly spaced start: linspace(0, 1, K), variances 10/255, weights 1. */
function evenlySpaced(components: number): MixtureInit {
  const means = Float64Array.from({ length: components }, (_, k) => (components === 1 ? 0 : k / (components - 1)));
  const variances = new Float64Array(components).fill(10 / 255);
  return { means, variances, stdevs: variances.map(Math.sqrt), weights: new Float64Array(components).fill(1) };
}

function asFloats(data: GmmData): Float64Array {
  return data.BYTES_PER_ELEMENT === 1 ? Float64Array.from(data, (v) => v / 255) : (data as Float64Array);
}

export class GmmEstimator {
  /** Options of every kernel call: `threads` (0 = reference, n = native threads, default every core). */
  readonly options: Readonly<KernelOptions>;
  private init: Initialization | null = null;
  private states: IterationState[] = [];
  private lls: Float64Array = new Float64Array(0);

  constructor(options?: KernelOptions) {
    resolveThreads(options);
    this.options = options?.threads === undefined ? {} : { threads: options.threads };
  }

  /**
   * The original's `initialize_expectation_maximization`: makes the data
   * matrix (a grayscale image, or the normalised CIE94 difference of two RGB
   * images) and the initial state. With two images, K = 2 and a
   * `subtractionThreshold`, the start is the thresholded subtraction;
   * otherwise means linspace(0, 1, K), variances 10/255, weights 1. Resets
   * any previous run.
   */
  initialize(source: EstimatorSource, options: InitializeOptions): Initialization {
    const checked = checkSource(source);
    const { components, iterations, subtractionThreshold } = checkInitializeOptions(options, checked.kind);
    let dataMatrix: GmmData;
    let start = evenlySpaced(components);
    let method: Initialization["method"] = "evenlySpaced";
    if (checked.kind === "grayscale") {
      dataMatrix = checked.image;
    } else {
      const { firstImage, secondImage, width, height } = checked;
      const deltaE = cie94Difference(firstImage, secondImage, width, height, { ...this.options, normalization: "none" });
      // The original fits the rescaled difference but thresholds the raw one.
      const normalized = Float64Array.from(deltaE);
      normalizeReference(normalized, "original");
      dataMatrix = normalized;
      if (subtractionThreshold !== undefined) {
        start = thresholdedSubtractionInit(deltaE, { threshold: subtractionThreshold, data: normalized });
        method = "thresholdedSubtraction";
      }
    }
    this.init = {
      dataMatrix,
      width: checked.width,
      height: checked.height,
      components,
      iterations,
      ...start,
      logLikelihoods: new Float64Array(iterations),
      method,
    };
    this.states = [];
    this.lls = new Float64Array(iterations);
    return this.init;
  }

  /** The result of `initialize`, or null before it. */
  get initialization(): Initialization | null {
    return this.init;
  }

  /** The state after every completed iteration, oldest first. */
  get history(): readonly IterationState[] {
    return this.states;
  }

  /** Log-likelihood after each iteration; zeros for iterations not run yet (as the original's list). */
  get logLikelihoods(): Float64Array {
    return this.lls;
  }

  /** The current parameters: the last iteration's, or the initial ones. */
  get current(): Omit<IterationState, "iteration" | "logLikelihood"> {
    const init = this.requireInit();
    const last = this.states[this.states.length - 1];
    return last ?? { means: init.means, variances: init.variances, stdevs: init.stdevs, weights: init.weights };
  }

  /**
   * The original's `execute_expectation_maximization`: runs the initialised
   * number of EM iterations from the initial state (again from the start if
   * it ran before) and returns the state of every iteration. Each iteration
   * costs two passes over the data (its E/M pass and the log-likelihood of
   * the new parameters); `fitGmm` alone needs iterations + 1 passes in all.
   */
  executeExpectationMaximization(options?: ExecuteOptions): readonly IterationState[] {
    const { init, onIteration } = this.beginRun(options);
    const traced = tracedFitKernel.sync(init.dataMatrix, { ...this.fitOptions(init), threads: this.options.threads });
    this.recordAll(traced, onIteration);
    return this.states;
  }

  /** `executeExpectationMaximization` off the event loop; `signal` stops it between iterations. */
  async executeExpectationMaximizationAsync(options?: ExecuteOptions & Pick<AsyncKernelOptions, "signal">): Promise<readonly IterationState[]> {
    assertAbortSignal("options.signal", options?.signal);
    const { init, onIteration } = this.beginRun(options);
    const traced = await tracedFitKernel.async(init.dataMatrix, {
      ...this.fitOptions(init),
      threads: this.options.threads,
      signal: options?.signal,
    });
    this.recordAll(traced, onIteration, options?.signal);
    return this.states;
  }

  /** The original's `compute_expsum_stable`, at the current parameters. */
  computeExpsumStable(): ExpsumResult {
    const { weights, means, stdevs } = this.current;
    return computeExpsumStable(this.floatData(), weights, means, stdevs, this.options);
  }

  /** The original's `compute_log_likelihood_stable`, at the current parameters. */
  computeLogLikelihoodStable(): number {
    const { weights, means, stdevs } = this.current;
    return computeLogLikelihoodStable(this.floatData(), weights, means, stdevs, this.options);
  }

  /** The original's `compute_expectation_responsibilities` at the current parameters: K planes `r[k*N + i]`. */
  computeExpectationResponsibilities(): Float64Array {
    const { weights, means, stdevs } = this.current;
    return computeExpectationResponsibilities(this.floatData(), weights, means, stdevs, this.options);
  }

  /** Component of every pixel (argmax responsibility) at the current parameters, row-major. */
  segmentation(): Uint8Array {
    return predictGmm(this.requireInit().dataMatrix, this.current, this.options);
  }

  private requireInit(): Initialization {
    if (!this.init) throw new Error("GmmEstimator: call initialize() before using the estimator");
    return this.init;
  }

  private floatData(): Float64Array {
    return asFloats(this.requireInit().dataMatrix);
  }

  private beginRun(options: ExecuteOptions | undefined) {
    assertOptions("options", options);
    const onIteration = options?.onIteration;
    if (onIteration !== undefined) assertFunction("options.onIteration", onIteration);
    const init = this.requireInit();
    this.states = [];
    this.lls = new Float64Array(init.iterations);
    return { init, onIteration };
  }

  /**
   * The whole run as one fit from the initial state: the data (or its 8-bit
   * histogram) is prepared once and every iteration continues from the
   * last, so the states are bit for bit those of one multi-iteration fit.
   */
  private fitOptions(init: Initialization) {
    const { means, variances, weights } = init;
    return { components: init.components, iterations: init.iterations, init: { means, variances, weights } };
  }

  /**
   * Records the state after every iteration of a traced fit, oldest first,
   * calling `onIteration` for each; an abort of `signal` (for example from
   * inside `onIteration`) stops the recording there with an AbortError.
   */
  private recordAll(
    { fit, trajectory }: TracedFit,
    onIteration: ((state: IterationState) => void) | undefined,
    signal?: AbortSignal,
  ): void {
    const k = fit.means.length;
    for (let i = 0; i < fit.iterations; i++) {
      const at = 3 * k * i;
      const variances = trajectory.slice(at + k, at + 2 * k);
      const state: IterationState = {
        iteration: i,
        means: trajectory.slice(at, at + k),
        variances,
        stdevs: variances.map(Math.sqrt),
        weights: trajectory.slice(at + 2 * k, at + 3 * k),
        logLikelihood: fit.logLikelihoods[i],
      };
      this.states.push(state);
      this.lls[i] = state.logLikelihood;
      onIteration?.(state);
      if (signal?.aborted) throw abortError(signal);
    }
  }
}
