/**
 * Plumbing shared by every async kernel: AbortSignal handling for both
 * backends.
 *
 * Native async calls run on the shared rayon pool (never on a libuv thread)
 * and are cancelled through a `CancelToken` that iterative kernels poll at
 * iteration boundaries. Their inputs are copied before the promise is
 * returned, so callers may reuse or transfer the arrays at once.
 *
 * The reference backend runs on the main thread; its async variants yield to
 * the event loop between iterations (`checkpoint`), which is where an abort
 * is honoured. They copy their typed-array inputs with `snapshot` before the
 * first yield, so both backends give the caller the same guarantee: the
 * arrays may be mutated or transferred as soon as the call returns.
 */
import { abortError, fromNativeError } from "./errors";
import { native } from "./native";
import type { NativeBinding } from "./native";

type CancelToken = InstanceType<NativeBinding["CancelToken"]>;

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** Starts a native async call linked to `signal`, mapping its errors. */
export async function runNativeAsync<T>(
  signal: AbortSignal | undefined,
  start: (token: CancelToken) => Promise<T>,
): Promise<T> {
  throwIfAborted(signal);
  if (!native) throw new Error("fastkernels: runNativeAsync called without a native backend");
  const token = new native.CancelToken();
  const onAbort = () => token.cancel();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await start(token);
  } catch (error) {
    throw fromNativeError(error, signal);
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Resolves on the next turn of the event loop, then honours an abort. */
export type Checkpoint = () => Promise<void>;

/** Runs a reference computation that calls `checkpoint()` between iterations. */
export async function runReferenceAsync<T>(
  signal: AbortSignal | undefined,
  compute: (checkpoint: Checkpoint) => Promise<T> | T,
): Promise<T> {
  throwIfAborted(signal);
  const checkpoint: Checkpoint = () =>
    new Promise<void>((resolve, reject) => {
      setImmediate(() => (signal?.aborted ? reject(abortError(signal)) : resolve()));
    });
  await checkpoint();
  return compute(checkpoint);
}

/** A private copy of a typed array (or of each typed array in a plain record), for async inputs. */
export function snapshot<T extends ArrayBufferView>(array: T): T;
export function snapshot<T extends object>(record: T): T;
export function snapshot<T extends object>(value: T): T {
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): T }).slice();
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of Object.keys(copy)) {
    const field = copy[key];
    if (ArrayBuffer.isView(field)) copy[key] = (field as unknown as { slice(): unknown }).slice();
  }
  return copy as T;
}
