/**
 * Out-of-core fit: `fitGmmStream(openSource, options)` makes one pass over
 * `openSource()` per EM iteration. Rows are re-chunked into blocks of
 * STREAM_BLOCK_ROWS (a multiple of GMM_STATS_CHUNK) at their global row
 * index, each block's chunk partials (`gmmStatistics`, either backend) are
 * folded into one running sum in chunk order, and the M-step runs on the
 * sum: the same partials and the same fold as the in-process fit, so the
 * result has the bits of `fitGmm` on the concatenated data (same backend),
 * with memory independent of the number of rows.
 */
import { abortError } from "../../errors";
import { readCallSettings } from "../../dispatch/options";
import { show, isTypedArrayOf } from "../../validate";
import { toMvFit, toleranceReached } from "./fit";
import { withToJSON } from "./json";
import { mStepOnSums, statisticsKernel } from "./kernels";
import { afterRegCovar, foldPartials, precision } from "./reference";
import type { FitGmmStreamOptions, GmmMvFit, GmmMvModel, GmmStreamChunk } from "./types";
import { checkMvFitOptions, checkRowOptions, GMM_STATS_CHUNK, statsStride } from "./validate";
import { originalInit } from "./init";

/** Rows per block handed to `gmmStatistics` (4 chunks). */
export const STREAM_BLOCK_ROWS = 4 * GMM_STATS_CHUNK;

const STREAM_KEYS = ["components", "iterations", "tol", "covariance", "init", "regCovar", "dims", "columns"] as const;

type Kind = "float" | "bytes";

function kindOf(chunk: unknown, index: number): Kind {
  if (isTypedArrayOf(chunk, "Uint8Array") || isTypedArrayOf(chunk, "Uint8ClampedArray")) return "bytes";
  if (isTypedArrayOf(chunk, "Float64Array") || isTypedArrayOf(chunk, "Float32Array")) return "float";
  throw new TypeError(`fitGmmStream: chunk ${index} must be a Float64Array, Float32Array, Uint8Array or Uint8ClampedArray, got ${show(chunk)}`);
}

export async function fitGmmStream(openSource: () => AsyncIterable<GmmStreamChunk>, options: FitGmmStreamOptions): Promise<GmmMvFit> {
  if (typeof openSource !== "function") throw new TypeError(`openSource must be a function returning an async iterable of chunks, got ${show(openSource)}`);
  if (options === undefined) throw new TypeError("options must be an object with components, iterations and init, got undefined");
  const settings = readCallSettings("options", options, STREAM_KEYS, true);
  const { signal } = settings;
  if (signal?.aborted) throw abortError(signal);
  const o = options as unknown as Record<string, unknown>;
  const { rowWidth, columns } = checkRowOptions(o, 1);
  const d = columns.length;
  const fit = checkMvFitOptions(o, d, true);
  const k = fit.components, type = fit.covariance;
  const stride = statsStride(type, k, d);
  let model: GmmMvModel = typeof fit.init === "string" ? originalInit(k, d, type) : fit.init;
  precision(model, afterRegCovar(fit.regCovar));
  const lls: number[] = [];
  let converged = false;
  for (let iteration = 1; iteration <= fit.iterations; iteration++) {
    const acc = new Float64Array(stride);
    let kind: Kind | undefined;
    let block: Float64Array | Uint8Array | undefined;
    let filled = 0; // rows in block
    let globalRow = 0;
    const flush = async () => {
      if (!block || filled === 0) return;
      const data = filled * rowWidth === block.length ? block : block.subarray(0, filled * rowWidth);
      const stats = await statisticsKernel.async(data, model, { dims: rowWidth, columns, rowOffset: globalRow, threads: settings.threads, borrow: true, signal });
      foldPartials(stats.chunks, stride, acc);
      globalRow += filled;
      filled = 0;
    };
    let index = 0;
    for await (const chunk of openSource()) {
      const chunkKind = kindOf(chunk, index);
      if (kind === undefined) {
        kind = chunkKind;
        block = kind === "bytes" ? new Uint8Array(STREAM_BLOCK_ROWS * rowWidth) : new Float64Array(STREAM_BLOCK_ROWS * rowWidth);
      } else if (chunkKind !== kind) {
        throw new TypeError(`fitGmmStream: chunk ${index} is ${show(chunk)} but earlier chunks were ${kind === "bytes" ? "8-bit" : "float"} data; a stream must not mix them`);
      }
      if (chunk.length % rowWidth !== 0) {
        throw new RangeError(`fitGmmStream: chunk ${index}.length must be a multiple of dims = ${rowWidth} (whole rows), got ${chunk.length}`);
      }
      const values = chunk as ArrayLike<number>;
      let offset = 0;
      while (offset < chunk.length) {
        const room = ((STREAM_BLOCK_ROWS - filled) * rowWidth);
        const take = Math.min(room, chunk.length - offset);
        (block as Float64Array | Uint8Array).set((values as Float64Array).subarray(offset, offset + take), filled * rowWidth);
        filled += take / rowWidth;
        offset += take;
        if (filled === STREAM_BLOCK_ROWS) await flush();
      }
      index++;
    }
    await flush();
    if (globalRow === 0) throw new RangeError("fitGmmStream: openSource() yielded no rows");
    lls.push(acc[1]);
    model = mStepOnSums(acc, type, k, d, fit.regCovar, settings.threads);
    if (signal?.aborted) throw abortError(signal);
    settings.onProgress?.({ done: iteration, total: fit.iterations, logLikelihood: acc[1] });
    if (toleranceReached(fit.tol, lls, acc[0])) {
      converged = true;
      break;
    }
  }
  return withToJSON(toMvFit({ model, logLikelihoods: lls, converged }));
}
