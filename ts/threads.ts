/**
 * The one `threads` knob: 0 runs the TypeScript reference, n >= 1 runs the
 * native kernel on a pool of n threads, and the default (all cores) can be
 * changed once for the whole process with `setDefaultThreads`.
 */
import { availableParallelism } from "node:os";

import { native } from "./native";
import { assertInteger, assertOptions } from "./validate";

import { MAX_THREADS } from "./limits.generated";

/** Largest accepted `threads` (defined once in Rust, `fastkernels-common`). */
export { MAX_THREADS };

/** Options accepted by every kernel. */
export interface KernelOptions {
  /**
   * 0 = TypeScript reference, n = native with n threads. Default: the process
   * default (`setDefaultThreads`), initially every core. Falls back to the
   * reference when no native addon is loaded.
   */
  threads?: number;
}

/** `{ done, total }` of an iterative or chunked kernel, plus the step's figures (`logLikelihood`, `stress`). */
export interface ProgressEvent {
  done: number;
  total: number;
  [figure: string]: number;
}

/** Options accepted by every async kernel. */
export interface AsyncKernelOptions extends KernelOptions {
  /** Aborts the call: rejects with an AbortError before work starts, or at the next iteration/chunk boundary. */
  signal?: AbortSignal;
  /** Called after every iteration (iterative fits) or chunk (chunked passes). */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * `true`: the caller lends its input arrays and promises not to mutate or
   * transfer them until the promise settles; the call then copies nothing
   * and its synchronous part is O(1). Default `false`: inputs are copied
   * before the promise is returned.
   */
  borrow?: boolean;
}

const allCores = Math.max(1, Math.min(MAX_THREADS, availableParallelism()));
let defaultThreads = allCores;

/**
 * Sets the `threads` used when a call does not pass one. `undefined` restores
 * the initial default, every core.
 */
export function setDefaultThreads(threads: number | undefined): void {
  if (threads === undefined) {
    defaultThreads = allCores;
    return;
  }
  assertInteger("threads", threads, 0, MAX_THREADS);
  defaultThreads = threads;
}

/** The `threads` used when a call does not pass one. */
export function getDefaultThreads(): number {
  return defaultThreads;
}

let warnedJsThreads = false;

/**
 * Answers how a call runs: 0 for the reference, otherwise the native thread
 * count. `threads > 0` while the native addon is unavailable runs the
 * reference and warns once per process (it is not an error: the same code
 * must run where no prebuilt binary exists).
 */
export function threadsFor(requested: number | undefined, name = "options.threads"): number {
  if (requested !== undefined) assertInteger(name, requested, 0, MAX_THREADS);
  const threads = requested ?? defaultThreads;
  if (native) return threads;
  if (requested !== undefined && requested > 0 && !warnedJsThreads) {
    warnedJsThreads = true;
    process.emitWarning(
      `${name} = ${requested} asks for native threads, but fastkernels runs on its TypeScript reference in this process; the reference is single-threaded`,
      { type: "FastkernelsWarning", code: "FASTKERNELS_THREADS_IGNORED" },
    );
  }
  return 0;
}

/** Validates a call's options object (legacy form) and resolves its threads. */
export function resolveThreads(options: KernelOptions | undefined, name = "options"): number {
  assertOptions(name, options);
  return threadsFor(options?.threads, `${name}.threads`);
}
