/**
 * The one `threads` knob: 0 runs the TypeScript reference, n >= 1 runs the
 * native kernel on a pool of n threads, and the default (all cores) can be
 * changed once for the whole process with `setDefaultThreads`.
 */
import { availableParallelism } from "node:os";

import { native } from "./native";
import { assertInteger, assertOptions } from "./validate";

/** Largest accepted `threads`; the native binding enforces the same bound. */
export const MAX_THREADS = 256;

/** Options accepted by every kernel. */
export interface KernelOptions {
  /**
   * 0 = TypeScript reference, n = native with n threads. Default: the process
   * default (`setDefaultThreads`), initially every core. Falls back to the
   * reference when no native addon is loaded.
   */
  threads?: number;
}

/** Options accepted by every async kernel. */
export interface AsyncKernelOptions extends KernelOptions {
  /** Aborts the call: rejects with an AbortError before work starts, or at the next iteration boundary. */
  signal?: AbortSignal;
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

/**
 * Validates a call's options and answers how it runs: 0 for the reference,
 * otherwise the native thread count.
 */
export function resolveThreads(options: KernelOptions | undefined, name = "options"): number {
  assertOptions(name, options);
  const requested = options?.threads;
  if (requested !== undefined) assertInteger(`${name}.threads`, requested, 0, MAX_THREADS);
  const threads = requested ?? defaultThreads;
  return native ? threads : 0;
}
