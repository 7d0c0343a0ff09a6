/**
 * Entry points for the test suite only (not exported from the package root):
 * they prove that a panic inside a native kernel becomes a rejected Error.
 */
import { callNative, fromNativeError } from "./errors";
import { native } from "./native";

function requireNative() {
  if (!native) throw new Error("the native backend is not loaded");
  return native;
}

export function debugPanicSync(message: string, threads = 1): number {
  const binding = requireNative();
  return callNative(() => binding.__debugPanicSync(message, threads));
}

export async function debugPanicAsync(message: string, threads = 1): Promise<number> {
  const binding = requireNative();
  try {
    return await binding.__debugPanicAsync(message, threads);
  } catch (error) {
    throw fromNativeError(error);
  }
}
