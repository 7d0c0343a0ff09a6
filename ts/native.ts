/**
 * Loads the native addon once per process, or explains why it is not used.
 *
 * `FASTKERNELS_BACKEND=js` forces the TypeScript reference, `native` makes a
 * missing addon an error at load, and any other value is an error at load
 * (a typo must not silently mean "auto"). If the addon
 * cannot be loaded, everything runs on the reference and one warning names
 * the loader's error (silenced by `FASTKERNELS_SILENT=1`).
 */
import type * as Binding from "../index";

export type NativeBinding = typeof Binding;

export type BackendName = "native" | "js";

interface LoadResult {
  binding: NativeBinding | null;
  reason: string | null;
}

// First line only: Node's MODULE_NOT_FOUND messages append a multi-line
// "Require stack", which would break the warning over many lines.
const firstLine = (message: string) => message.split("\n", 1)[0].trim();

/**
 * One line: the loader's message, then each candidate's error in the order
 * the loader tried them (its cause chain runs from the last attempt back).
 */
function describeLoadError(error: unknown): string {
  if (!(error instanceof Error)) return firstLine(String(error));
  const attempts: string[] = [];
  let cause: unknown = error.cause;
  while (cause instanceof Error && attempts.length < 8) {
    attempts.unshift(firstLine(cause.message));
    cause = cause.cause;
  }
  const head = firstLine(error.message);
  return attempts.length > 0 ? `${head} Tried: ${attempts.join("; ")}` : head;
}

/** Accepted values of `FASTKERNELS_BACKEND`; unset or empty means "auto". */
const BACKEND_CHOICES = ["auto", "native", "js"] as const;

function requestedBackend(): (typeof BACKEND_CHOICES)[number] {
  const raw = process.env.FASTKERNELS_BACKEND;
  if (raw === undefined || raw === "") return "auto";
  if ((BACKEND_CHOICES as readonly string[]).includes(raw)) return raw as (typeof BACKEND_CHOICES)[number];
  throw new RangeError(
    `FASTKERNELS_BACKEND must be one of ${BACKEND_CHOICES.join(", ")} (or unset), got ${JSON.stringify(raw)}`,
  );
}

function load(): LoadResult {
  const forced = requestedBackend();
  if (forced === "js") {
    return { binding: null, reason: "FASTKERNELS_BACKEND=js forces the TypeScript reference" };
  }
  try {
    // The napi-generated loader tries the local .node file, then the
    // per-platform package.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const binding = require("../index.js") as NativeBinding;
    return { binding, reason: null };
  } catch (error) {
    const reason = `the native addon could not be loaded: ${describeLoadError(error)}`;
    if (forced === "native") throw new Error(`FASTKERNELS_BACKEND=native, but ${reason}`);
    return { binding: null, reason };
  }
}

const loaded = load();

/** The native binding, or `null` when the TypeScript reference is in use. */
export const native: NativeBinding | null = loaded.binding;

/** Which implementation fastkernels uses by default in this process. */
export const backend: BackendName = native ? "native" : "js";

/** Why the native backend is not in use, or `null` when it is. */
export const nativeUnavailableReason: string | null = loaded.reason;

if (
  !native &&
  process.env.FASTKERNELS_BACKEND !== "js" &&
  process.env.FASTKERNELS_SILENT !== "1"
) {
  process.emitWarning(
    `fastkernels is running on its TypeScript reference (slower, same results): ${loaded.reason}. ` +
      "Set FASTKERNELS_SILENT=1 to hide this warning.",
    { type: "FastkernelsWarning", code: "FASTKERNELS_NO_NATIVE" },
  );
}
