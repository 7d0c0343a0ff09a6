/**
 * Entry points for the test suite only (not exported from the package root):
 * they prove that a panic inside a native kernel becomes a rejected Error.
 *
 * The `__debug*` exports exist only in an addon built with the
 * `debug-entry-points` cargo feature (`npm run build:native:debug-addon`,
 * which `npm test` runs), written to `target/debug-addon/fastkernels.node`.
 * The release addon that the package loads has none of them. A missing debug
 * addon is an error that says how to build it, never a reason to skip.
 */
import path from "node:path";

import { callNative, fromNativeError } from "./errors";

/** The exports of the debug-feature addon used here (crates/node/src/debug.rs). */
export interface DebugBinding {
  __debugPanicSync(message: string, threads: number): number;
  __debugPanicAsync(message: string, threads: number): Promise<number>;
  __debugPanicParallelSync(message: string, items: number, threads: number): number;
  __debugPanicParallelAsync(message: string, items: number, threads: number): Promise<number>;
}

/** Absolute path of the debug-feature addon, from the package root (this file is in ts/ or dist/). */
export const debugAddonPath = path.join(__dirname, "..", "target", "debug-addon", "fastkernels.node");

let loaded: DebugBinding | null = null;

/** The debug-feature addon; throws, naming the script that builds it, when it is missing. */
export function debugBinding(): DebugBinding {
  if (loaded) return loaded;
  let binding: DebugBinding;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    binding = require(debugAddonPath) as DebugBinding;
  } catch (error) {
    // Duck-typed: errors from require belong to another realm under jest.
    const reason = String((error as { message?: unknown } | null)?.message ?? error).split("\n", 1)[0];
    throw new Error(
      `the debug addon (${debugAddonPath}) could not be loaded: run \`npm run build:native:debug-addon\` first (npm test does). ${reason}`,
    );
  }
  if (typeof binding.__debugPanicSync !== "function") {
    throw new Error(`${debugAddonPath} has no __debug* exports: rebuild it with \`npm run build:native:debug-addon\``);
  }
  loaded = binding;
  return binding;
}

export function debugPanicSync(message: string, threads = 1): number {
  const binding = debugBinding();
  return callNative(() => binding.__debugPanicSync(message, threads));
}

export async function debugPanicAsync(message: string, threads = 1): Promise<number> {
  const binding = debugBinding();
  try {
    return await binding.__debugPanicAsync(message, threads);
  } catch (error) {
    throw fromNativeError(error);
  }
}
