/**
 * Native errors carry their class in `code` (the napi status). This is the
 * one place that turns them into the JS error classes the TS layer throws.
 */

// Duck-typed on purpose: errors made by the addon belong to the main realm,
// which fails `instanceof Error` inside vm contexts such as jest's.
function isErrorLike(error: unknown): error is Error & { code?: unknown } {
  return typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string";
}

function nativeCode(error: unknown): string | undefined {
  const code = isErrorLike(error) ? error.code : undefined;
  return typeof code === "string" ? code : undefined;
}

/** An `AbortError` for a signal, preferring the reason the caller gave. */
export function abortError(signal?: AbortSignal): Error {
  if (signal?.reason instanceof Error) return signal.reason;
  return new DOMException(
    signal?.reason === undefined ? "The operation was aborted" : String(signal.reason),
    "AbortError",
  );
}

export function fromNativeError(error: unknown, signal?: AbortSignal): Error {
  const code = nativeCode(error);
  const message = isErrorLike(error) ? error.message : String(error);
  switch (code) {
    case "InvalidArg":
      return new RangeError(message);
    case "ObjectExpected":
    case "NumberExpected":
    case "StringExpected":
    case "ArrayExpected":
    case "BooleanExpected":
    case "FunctionExpected":
    case "BigintExpected":
      return new TypeError(message);
    case "Cancelled":
      return abortError(signal);
    default:
      return isErrorLike(error) ? error : new Error(message);
  }
}

/** Runs a synchronous native call and maps its errors. */
export function callNative<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw fromNativeError(error);
  }
}
