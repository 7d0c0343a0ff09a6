/**
 * The client side of a sharded fit: options checked as `fitGmm` checks
 * them, the starting model(s) fixed once (explicit, 'original', or the
 * seeded draw of one `gmm-init` job), then one BullMQ flow per EM
 * iteration: `gmm-stats` children (one per shard) under a `gmm-round`
 * parent that merges in shard order and takes the M-step. The loop, the
 * `tol` rule, `nInit` and the result are those of the in-process fit, so
 * the result has its bits (same init, build and instruction set).
 */
import { randomUUID } from "node:crypto";

import type { Job } from "bullmq";

import { abortError } from "../errors";
import { better, checkDrawnInit, toMvFit, toleranceReached } from "../gmm/multivariate/fit";
import type { FitRun } from "../gmm/multivariate/fit";
import { originalInit } from "../gmm/multivariate/init";
import { withToJSON } from "../gmm/multivariate/json";
import type { GmmMvFit, GmmMvModel, GmmMvInitModel, CovarianceType } from "../gmm/multivariate/types";
import { checkMvFitOptions, checkRowOptions } from "../gmm/multivariate/validate";
import { GMM_STATS_CHUNK } from "../limits.generated";
import { assertAbortSignal, show } from "../validate";
import type { ClientParts } from "./client";
import { decodeFloat64, fromWireModel, toWireModel } from "./codec";
import type { WireModel } from "./codec";
import type { GmmRoundResult } from "./jobs/gmm-round";
import { checkShardRef, PAYLOAD_VERSION } from "./schema";
import type { GmmInitPayload, GmmRoundPayload, GmmStatsPayload, ShardRef } from "./schema";
import { failedChild, removeFlow, waitForJob } from "./wait";

export interface DistributedFitOptions {
  components: number;
  iterations: number;
  tol?: number;
  covariance?: CovarianceType;
  /** Default as `fitGmm`: 'kmeans++' for d > 1 (drawn by one worker from all shards), 'original' for d = 1. */
  init?: "original" | "kmeans++" | "random" | "random_from_data" | GmmMvInitModel;
  nInit?: number;
  seed?: number;
  regCovar?: number;
  /** Must equal the shards' dims when given. */
  dims?: number;
  columns?: readonly number[] | Uint32Array;
}

/** Progress of a sharded fit: `done` of `total` EM iterations, and the shards of the running one. */
export interface ShardedFitProgress {
  done: number;
  total: number;
  shardsDone: number;
  shards: number;
  /** The iteration's log-likelihood, once it is complete. */
  logLikelihood?: number;
}

export interface FitCallOptions {
  signal?: AbortSignal;
  onProgress?: (event: ShardedFitProgress) => void;
  /** Attempts per job for errors that may pass (storage); deterministic errors fail at once. Default 3. */
  attempts?: number;
}

const FIT_KEYS = ["components", "iterations", "tol", "covariance", "init", "nInit", "seed", "regCovar", "dims", "columns"];

/** Shards of one fit: same dtype and dims, every one but the last a whole number of chunks (so chunks align globally). */
export function checkShards(shards: unknown): ShardRef[] {
  if (!Array.isArray(shards) || shards.length === 0) throw new TypeError(`shards must be a non-empty array of { path, offset, length, dtype, dims } (see shardFile), got ${show(shards)}`);
  const refs = shards.map((s, i) => checkShardRef(`shards[${i}]`, s));
  refs.forEach((ref, i) => {
    if (ref.dtype !== refs[0].dtype || ref.dims !== refs[0].dims) {
      throw new RangeError(`shards[${i}] is ${ref.dtype} x ${ref.dims}, shards[0] is ${refs[0].dtype} x ${refs[0].dims}: the shards of one fit share dtype and dims`);
    }
    if (i < refs.length - 1 && ref.length % GMM_STATS_CHUNK !== 0) {
      throw new RangeError(`shards[${i}].length must be a multiple of GMM_STATS_CHUNK = ${GMM_STATS_CHUNK} (every shard but the last; shardFile cuts them so), got ${ref.length}`);
    }
  });
  return refs;
}

interface Round {
  model: GmmMvModel;
  logLikelihood: number;
  weightSum: number;
}

export async function fitGmmSharded(parts: ClientParts, shards: readonly ShardRef[], options: DistributedFitOptions, call: FitCallOptions = {}): Promise<GmmMvFit> {
  const refs = checkShards(shards);
  if (options === null || typeof options !== "object" || Array.isArray(options)) throw new TypeError(`options must be an object with components and iterations, got ${show(options)}`);
  for (const key of Object.keys(options)) {
    if (!FIT_KEYS.includes(key)) {
      throw new TypeError(`options has an unknown key ${JSON.stringify(key)} (a sharded fit takes ${FIT_KEYS.join(", ")}; threads are the workers' --threads)`);
    }
  }
  const rowWidth = refs[0].dims;
  if (options.dims !== undefined && options.dims !== rowWidth) throw new RangeError(`options.dims must equal the shards' dims = ${rowWidth}, got ${show(options.dims)}`);
  const { columns } = checkRowOptions({ dims: rowWidth, columns: options.columns }, rowWidth);
  const d = columns.length;
  const fit = checkMvFitOptions(options, d);
  if (call === null || typeof call !== "object") throw new TypeError(`the call options must be { signal?, onProgress? }, got ${show(call)}`);
  assertAbortSignal("signal", call.signal);
  const { signal, onProgress } = call;
  if (onProgress !== undefined && typeof onProgress !== "function") throw new TypeError(`onProgress must be a function, got ${show(onProgress)}`);
  const attempts = call.attempts ?? 3;
  if (signal?.aborted) throw abortError(signal);

  const fitId = randomUUID();
  const { queue, flows, events } = parts;
  const jobOptions = { attempts, backoff: { type: "exponential", delay: 500 } };
  const total = fit.iterations * fit.nInit;
  const rowOffsets: number[] = [];
  refs.reduce((offset, ref) => (rowOffsets.push(offset), offset + ref.length), 0);

  // Starting models: fixed once here (or by one worker for the seeded inits), then sent with every round.
  let starts: GmmMvModel[];
  if (typeof fit.init !== "string") {
    starts = [fit.init];
  } else if (fit.init === "original") {
    starts = [originalInit(fit.components, d, fit.covariance)];
    checkDrawnInit(starts[0], fit.regCovar);
  } else {
    const payload: GmmInitPayload = {
      version: PAYLOAD_VERSION,
      shards: refs,
      columns: Array.from(columns),
      components: fit.components,
      covariance: fit.covariance,
      init: fit.init,
      nInit: fit.nInit,
      seed: fit.seed,
      regCovar: fit.regCovar,
    };
    const job = await queue.add("gmm-init", payload, { ...jobOptions, jobId: `${fitId}.init` });
    let result: { models: WireModel[] };
    try {
      result = (await waitForJob(job, events, signal)) as { models: WireModel[] };
    } catch (error) {
      await job.remove().catch(() => undefined);
      if (signal?.aborted) throw abortError(signal);
      throw new Error(`fitGmm: the starting models (init '${fit.init}') failed on a worker: ${(error as Error).message}`);
    }
    await job.remove().catch(() => undefined);
    starts = result.models.map((m, i) => fromWireModel(`init ${i}`, m));
  }

  const removals: Promise<unknown>[] = [];
  const runRound = async (start: number, round: number, model: GmmMvModel, done: number): Promise<Round> => {
    const parentId = `${fitId}.s${start}.r${round}`;
    const childIds = refs.map((_, i) => `${parentId}.${i}`);
    const wire = toWireModel(model);
    const roundPayload: GmmRoundPayload = { version: PAYLOAD_VERSION, fitId, start, round, shards: refs.length, regCovar: fit.regCovar };
    let shardsDone = 0;
    const onCompleted = ({ jobId }: { jobId: string }) => {
      if (onProgress && jobId.startsWith(`${parentId}.`)) onProgress({ done, total, shardsDone: ++shardsDone, shards: refs.length });
    };
    if (onProgress) events.on("completed", onCompleted);
    let parent: Job;
    try {
      const node = await flows.add({
        name: "gmm-round",
        queueName: queue.name,
        data: roundPayload,
        opts: { ...jobOptions, jobId: parentId },
        children: refs.map((ref, shard) => ({
          name: "gmm-stats",
          queueName: queue.name,
          data: { version: PAYLOAD_VERSION, fitId, start, round, shard, rowOffset: rowOffsets[shard], ref, columns: Array.from(columns), model: wire } satisfies GmmStatsPayload,
          // Keyed by (fit, start, round, shard): a duplicate add is the same job; its result lands once in the parent.
          opts: { ...jobOptions, jobId: childIds[shard], failParentOnFailure: true, removeOnComplete: true },
        })),
      });
      parent = node.job;
      let result: GmmRoundResult;
      try {
        result = (await waitForJob(parent, events, signal)) as GmmRoundResult;
      } catch (error) {
        const child = signal?.aborted ? undefined : await failedChild(queue, childIds);
        await removeFlow(queue, parentId, 30_000).catch(() => undefined);
        if (signal?.aborted) throw abortError(signal);
        if (child) throw new Error(`fitGmm: shard ${child.index} (${refs[child.index].path}) failed in EM iteration ${round}: ${child.reason}`);
        throw new Error(`fitGmm: EM iteration ${round} failed on a worker: ${(error as Error).message}`);
      }
      // Off the critical path: the next round need not wait for this one's removal.
      removals.push(parent.remove({ removeChildren: true }).catch(() => undefined));
      const [logLikelihood, weightSum] = decodeFloat64("round totals", result.totals);
      return { model: fromWireModel("round model", result.model), logLikelihood, weightSum };
    } finally {
      if (onProgress) events.off("completed", onCompleted);
    }
  };

  let best: FitRun | undefined;
  try {
    for (const [start, init] of starts.entries()) {
      let model = init;
      const lls: number[] = [];
      let converged = false;
      for (let iteration = 1; iteration <= fit.iterations; iteration++) {
        const base = start * fit.iterations + iteration - 1;
        const round = await runRound(start, iteration, model, base);
        model = round.model;
        lls.push(round.logLikelihood);
        onProgress?.({ done: base + 1, total, shardsDone: refs.length, shards: refs.length, logLikelihood: round.logLikelihood });
        if (toleranceReached(fit.tol, lls, round.weightSum)) {
          converged = true;
          break;
        }
      }
      const run: FitRun = { model, logLikelihoods: lls, converged };
      if (better(run.logLikelihoods, best?.logLikelihoods)) best = run;
    }
  } finally {
    await Promise.allSettled(removals);
  }
  return withToJSON(toMvFit(best as FitRun));
}
