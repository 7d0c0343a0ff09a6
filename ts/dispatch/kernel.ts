/**
 * The kernel table's one dispatcher. Each public operation is declared once
 * with `registerKernel`: its name, its own option keys, its structural checks
 * (`prepare`: O(1) per argument, sizes checked against the limits before
 * anything is allocated), its reference (a generator that scans the values
 * it needs and yields a progress event between steps) and its native entry
 * points. The dispatcher resolves backend, threads, signal, progress and
 * input ownership once, the same way for every kernel:
 *
 * - sync: `prepare`, then the reference drained on the calling thread
 *   (`threads: 0`) or the native call;
 * - async: `prepare`, then either the reference, stepped with a yield to the
 *   event loop after each step (abort honoured there), or the native async
 *   entry linked to the signal through a cancel token. Inputs are copied
 *   before the promise is returned unless the caller passes `borrow: true`.
 *
 * Value checks (NaN, negative weights, asymmetry...) live in the backend that
 * runs: in Rust for native calls, in the reference for `threads: 0`. Both
 * produce the same error class and message (`__test__/hostile.test.ts`).
 */
import { abortError, fromNativeError } from "../errors";
import { native } from "../native";
import type { NativeBinding } from "../native";
import { readCallSettings } from "./options";
import type { CallSettings, ProgressEvent } from "./options";

export type CancelToken = InstanceType<NativeBinding["CancelToken"]>;

/** A reference computation: yields progress after each step, returns the result. */
export type Steps<R> = Generator<ProgressEvent | undefined, R, void>;

/** What a native async entry receives besides its prepared call. */
export interface NativeAsyncContext {
  threads: number;
  token: CancelToken;
  /** Progress sink (already guarded: a throwing callback cancels the call). */
  onProgress: ((event: ProgressEvent) => void) | undefined;
  /** True when the caller lent its inputs (`borrow: true`): no copy. */
  borrow: boolean;
}

export interface KernelDefinition<A extends unknown[], C, R> {
  /** Public name, e.g. "fitGmm" (the table's key; errors name the argument, `options.iterations ...`). */
  name: string;
  /** Index of the trailing options argument (a function for kernels with two call forms). */
  optionsIndex: number | ((args: readonly unknown[]) => number);
  /** The kernel's own option keys (the common ones are added by the dispatcher). */
  optionKeys: readonly string[];
  /** Accepted aliases of `onProgress` (e.g. `onIteration`). */
  progressAliases?: readonly string[];
  /** Former option names and their new names, suggested when the old one is passed (e.g. `dims` → `outputDims`). */
  renamedKeys?: Readonly<Record<string, string>>;
  /** Structural checks, O(1) per argument; returns the prepared call. */
  prepare(args: A, settings: CallSettings): C;
  /** The TypeScript reference, stepped. */
  reference(call: C): Steps<R>;
  /** The native synchronous entry (the binding call). */
  native(call: C, binding: NativeBinding, threads: number): R;
  /** The native asynchronous entry; omitted for kernels without an async twin. */
  nativeAsync?(call: C, binding: NativeBinding, context: NativeAsyncContext): Promise<R>;
  /** Private copies of the prepared call's inputs, for reference async calls without `borrow`. */
  copyInputs?(call: C): C;
}

// A single-pass kernel is a computation of one step: it finishes at the first next().
// eslint-disable-next-line require-yield
export function* once<R>(compute: () => R): Steps<R> {
  return compute();
}

function drain<R>(steps: Steps<R>): R {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

function optionsOf(args: unknown[], index: KernelDefinition<never, unknown, unknown>["optionsIndex"]): unknown {
  const at = typeof index === "number" ? index : index(args);
  return args.length > at ? args[at] : undefined;
}

/** Every kernel names its options argument `options` in messages (`options.threads must be...`). */
const OPTIONS_NAME = "options";

/** The synchronous public function of a kernel. */
export function syncEntry<A extends unknown[], C, R>(def: KernelDefinition<A, C, R>): (...args: A) => R {
  const entry = (...args: A): R => {
    const settings = readCallSettings(OPTIONS_NAME, optionsOf(args, def.optionsIndex), def.optionKeys, false, def.progressAliases, def.renamedKeys);
    const call = def.prepare(args, settings);
    if (settings.threads === 0 || !native) return drain(def.reference(call));
    const binding = native;
    try {
      return def.native(call, binding, settings.threads);
    } catch (error) {
      throw fromNativeError(error);
    }
  };
  Object.defineProperty(entry, "name", { value: def.name });
  return entry;
}

/** Wraps the user's progress callback: its first throw cancels the call and becomes the rejection. */
class ProgressRelay {
  failure: { error: unknown } | undefined;
  constructor(
    private readonly callback: ((event: ProgressEvent) => void) | undefined,
    private readonly cancel: () => void,
  ) {}

  readonly emit = (event: ProgressEvent): void => {
    if (!this.callback || this.failure) return;
    try {
      this.callback(event);
    } catch (error) {
      this.failure = { error };
      this.cancel();
    }
  };

  get active(): boolean {
    return this.callback !== undefined;
  }
}

function nextTurn(signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    setImmediate(() => (signal?.aborted ? reject(abortError(signal)) : resolve()));
  });
}

async function runReference<C, R>(def: KernelDefinition<unknown[], C, R>, call: C, settings: CallSettings): Promise<R> {
  const { signal } = settings;
  const relay = new ProgressRelay(settings.onProgress, () => undefined);
  // One yield before the first step: the promise is returned before any work.
  await nextTurn(signal);
  const steps = def.reference(call);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (step.value) relay.emit(step.value);
    if (relay.failure) throw relay.failure.error;
    await nextTurn(signal);
  }
}

/**
 * Counts progress events delivered from a native call. Native events travel
 * through a threadsafe function and may be queued behind the result: a
 * native result that carries `progressEvents` (how many the kernel queued)
 * resolves only once all of them were delivered, and none is delivered
 * after the promise settles.
 */
class NativeProgress {
  private delivered = 0;
  private expected = -1;
  private drained: (() => void) | undefined;
  settled = false;
  constructor(private readonly relay: ProgressRelay) {}

  readonly sink = (event: ProgressEvent): void => {
    this.delivered++;
    if (!this.settled) this.relay.emit(event);
    if (this.delivered === this.expected) this.drained?.();
  };

  async drain(result: unknown): Promise<void> {
    const queued = (result as { progressEvents?: unknown } | null)?.progressEvents;
    if (typeof queued !== "number") return;
    delete (result as { progressEvents?: unknown }).progressEvents;
    this.expected = queued;
    if (this.delivered < queued) await new Promise<void>((resolve) => (this.drained = resolve));
  }
}

async function runNative<C, R>(
  nativeAsync: NonNullable<KernelDefinition<unknown[], C, R>["nativeAsync"]>,
  binding: NativeBinding,
  call: C,
  settings: CallSettings,
): Promise<R> {
  const { signal } = settings;
  const token = new binding.CancelToken();
  const relay = new ProgressRelay(settings.onProgress, () => token.cancel());
  const progress = new NativeProgress(relay);
  const onAbort = () => token.cancel();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const result = await nativeAsync(call, binding, {
      threads: settings.threads,
      token,
      onProgress: relay.active ? progress.sink : undefined,
      borrow: settings.borrow,
    });
    await progress.drain(result);
    // A callback that threw after the last step still rejects the call.
    if (relay.failure) throw relay.failure.error;
    return result;
  } catch (error) {
    if (relay.failure) throw relay.failure.error;
    throw fromNativeError(error, signal);
  } finally {
    progress.settled = true;
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * The asynchronous public function of a kernel. An abort at any time before
 * the promise settles rejects it with an AbortError; iterative and chunked
 * kernels also stop their work at the next step.
 */
export function asyncEntry<A extends unknown[], C, R>(def: KernelDefinition<A, C, R>): (...args: A) => Promise<R> {
  const generic = def as unknown as KernelDefinition<unknown[], C, R>;
  const entry = async (...args: A): Promise<R> => {
    const settings = readCallSettings(
      OPTIONS_NAME,
      optionsOf(args, def.optionsIndex),
      def.optionKeys,
      true,
      def.progressAliases,
      def.renamedKeys,
    );
    if (settings.signal?.aborted) throw abortError(settings.signal);
    const call = def.prepare(args, settings);
    let result: R;
    if (settings.threads === 0 || !native || !def.nativeAsync) {
      if (settings.threads !== 0 && native && !def.nativeAsync) {
        throw new Error(`fastkernels: ${def.name} has no native async entry`);
      }
      const own = settings.borrow || !def.copyInputs ? call : def.copyInputs(call);
      result = await runReference(generic, own, settings);
    } else {
      result = await runNative(def.nativeAsync as never, native, call, settings);
    }
    if (settings.signal?.aborted) throw abortError(settings.signal);
    return result;
  };
  Object.defineProperty(entry, "name", { value: `${def.name}Async` });
  return entry;
}

/** Declares a kernel once; returns its sync and async public functions. */
export function defineKernel<A extends unknown[], C, R>(def: KernelDefinition<A, C, R>) {
  return { sync: syncEntry(def), async: asyncEntry(def), definition: def };
}

/** Every declared kernel, by name: the table the README's export list and the hostile tests walk. */
export const kernelTable = new Map<string, KernelDefinition<never, unknown, unknown>>();

export function registerKernel<A extends unknown[], C, R>(def: KernelDefinition<A, C, R>) {
  kernelTable.set(def.name, def as unknown as KernelDefinition<never, unknown, unknown>);
  return defineKernel(def);
}
