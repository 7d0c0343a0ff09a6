/**
 * EM of the multivariate reference: each iteration is one E-step with the
 * current parameters (chunk partials folded in chunk order: its
 * log-likelihood is the iteration's) and one M-step. `nInit` starts, each
 * from a seeded init drawn from one mulberry32 stream; the start with the
 * best final log-likelihood wins (the first on ties), as scikit-learn.
 */
import type { ProgressEvent } from "../../threads";
import { mulberry32 } from "../../random";
import { afterRegCovar, chunkPartials, foldPartials, mStep, precision } from "./reference";
import type { Rows } from "./reference";
import { kmeansPlusPlusInit, originalInit, randomFromDataInit, randomInit } from "./init";
import type { GmmMvFit, GmmMvModel } from "./types";
import type { MvFitOptions } from "./validate";
import { statsStride } from "./validate";

/** One start's result. */
export interface FitRun {
  model: GmmMvModel;
  logLikelihoods: number[];
  converged: boolean;
}

/** The starting models, drawn lazily from one seeded stream (start r uses the draws after start r - 1's). */
export function* startingModels(rows: Rows, o: MvFitOptions): Generator<GmmMvModel, void, void> {
  const rng = mulberry32(o.seed);
  for (let run = 0; run < o.nInit; run++) {
    if (typeof o.init !== "string") yield o.init;
    else if (o.init === "original") yield originalInit(o.components, rows.d, o.covariance);
    else if (o.init === "kmeans++") yield kmeansPlusPlusInit(rows, o.components, o.covariance, o.regCovar, rng);
    else if (o.init === "random") yield randomInit(rows, o.components, o.covariance, o.regCovar, rng);
    else yield randomFromDataInit(rows, o.components, o.covariance, o.regCovar, rng);
  }
}

/** A drawn init is checked as an M-step result: a covariance that is not PD names regCovar. */
export function checkDrawnInit(model: GmmMvModel, regCovar: number): void {
  precision(model, afterRegCovar(regCovar));
}

/**
 * The stop of both backends (and of the 1-D path): after iteration i >= 2,
 * `|LL_i - LL_{i-1}| <= tol * W` (W = weight sum: scikit-learn's change of
 * the per-sample lower bound, compared with <= as the native kernel does).
 */
export function toleranceReached(tol: number | undefined, lls: readonly number[], weightSum: number): boolean {
  const n = lls.length;
  return tol !== undefined && n >= 2 && Math.abs(lls[n - 1] - lls[n - 2]) <= tol * weightSum;
}

/** EM from one start; yields `{ done, total, logLikelihood }` after every iteration (`done` offset by `base`). */
export function* emSteps(
  rows: Rows,
  init: GmmMvModel,
  o: Pick<MvFitOptions, "iterations" | "tol" | "regCovar">,
  base: number,
  total: number,
): Generator<ProgressEvent, FitRun, void> {
  const { dims: d, covariance: type } = init;
  const k = init.weights.length;
  const stride = statsStride(type, k, d);
  let model = init;
  let p = precision(init, afterRegCovar(o.regCovar));
  const lls: number[] = [];
  let converged = false;
  for (let iteration = 1; iteration <= o.iterations; iteration++) {
    const acc = foldPartials(chunkPartials(rows, p), stride);
    model = mStep(acc, k, d, type, o.regCovar);
    p = precision(model, afterRegCovar(o.regCovar));
    lls.push(acc[1]);
    yield { done: base + iteration, total, logLikelihood: acc[1] };
    if (toleranceReached(o.tol, lls, acc[0])) {
      converged = true;
      break;
    }
  }
  return { model, logLikelihoods: lls, converged };
}

/** Adds the one-dimensional views (`variances`, `stdevs`) of a d = 1 model. */
export function withScalarViews<T extends GmmMvModel>(model: T): T & Pick<GmmMvFit, "variances" | "stdevs"> {
  if (model.dims !== 1) return model;
  const k = model.weights.length;
  const variances = new Float64Array(k);
  for (let c = 0; c < k; c++) variances[c] = model.covariance === "tied" ? model.covariances[0] : model.covariances[c];
  return { ...model, variances, stdevs: variances.map(Math.sqrt) };
}

/** Packs a start's result as the public fit. */
export function toMvFit(run: FitRun): GmmMvFit {
  const { dims, covariance, weights, means, covariances } = run.model;
  return withScalarViews({
    dims,
    covariance,
    weights,
    means,
    covariances,
    logLikelihoods: Float64Array.from(run.logLikelihoods),
    iterations: run.logLikelihoods.length,
    converged: run.converged,
  });
}

/** True when `candidate` beats `best` (final log-likelihood, strictly greater). */
export function better(candidate: readonly number[], best: readonly number[] | undefined): boolean {
  return best === undefined || candidate[candidate.length - 1] > best[best.length - 1];
}

/** The reference fit: every start, the best kept. */
export function* fitSteps(rows: Rows, o: MvFitOptions): Generator<ProgressEvent, GmmMvFit, void> {
  let best: FitRun | undefined;
  let run = 0;
  const total = o.iterations * o.nInit;
  for (const init of startingModels(rows, o)) {
    if (typeof o.init === "string") checkDrawnInit(init, o.regCovar);
    const result = yield* emSteps(rows, init, o, run * o.iterations, total);
    if (better(result.logLikelihoods, best?.logLikelihoods)) best = result;
    run++;
  }
  return toMvFit(best as FitRun);
}
