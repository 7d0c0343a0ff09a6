/**
 * Loads the native addon once per process, or explains why it is not used.
 *
 * `FASTKERNELS_BACKEND=js` forces the TypeScript reference, `native` makes a
 * missing addon an error at load, and any other value is an error at load
 * (a typo must not silently mean "auto"). If the addon
 * cannot be loaded, everything runs on the reference and one warning says
 * why (silenced by `FASTKERNELS_SILENT=1`): when no binary exists for this
 * platform, one plain line naming the platform and how to build it; when a
 * binary exists but fails to load, the loader's error. `nativeUnavailableReason`
 * always holds the loader's full error.
 */
import type * as Binding from "../index";

export type NativeBinding = typeof Binding;

export type BackendName = "native" | "js";

interface LoadResult {
  binding: NativeBinding | null;
  reason: string | null;
  /** The concise warning for "no binary for this platform", when that is why. */
  missing: string | null;
}

// First line only: Node's MODULE_NOT_FOUND messages append a multi-line
// "Require stack", which would break the warning over many lines.
const firstLine = (message: string) => message.split("\n", 1)[0].trim();

/** The loader's message and each candidate's error, in the order the loader tried them. */
function loadAttempts(error: unknown): { head: string; attempts: string[] } {
  if (!(error instanceof Error)) return { head: firstLine(String(error)), attempts: [] };
  const attempts: string[] = [];
  // Its cause chain runs from the last attempt back.
  let cause: unknown = error.cause;
  while (cause instanceof Error && attempts.length < 8) {
    attempts.unshift(firstLine(cause.message));
    cause = cause.cause;
  }
  return { head: firstLine(error.message), attempts };
}

/** One line: the loader's message, then each candidate's error in the order tried. */
function describeLoadError(error: unknown): string {
  const { head, attempts } = loadAttempts(error);
  return attempts.length > 0 ? `${head} Tried: ${attempts.join("; ")}` : head;
}

/** The napi platform name of this process, e.g. "linux-x64-gnu" (as in the loader and npm/). */
export function platformName(): string {
  const { platform, arch } = process;
  if (platform === "win32") return `win32-${arch}-msvc`;
  if (platform === "linux") {
    const header = (process.report?.getReport?.() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    return `linux-${arch}-${header?.glibcVersionRuntime ? "gnu" : "musl"}`;
  }
  return `${platform}-${arch}`;
}

/** Rust target triples of package.json "napi.targets" -> napi platform names. */
const TRIPLE_PLATFORMS: Record<string, string> = {
  "x86_64-unknown-linux-gnu": "linux-x64-gnu",
  "x86_64-unknown-linux-musl": "linux-x64-musl",
  "aarch64-unknown-linux-gnu": "linux-arm64-gnu",
  "aarch64-unknown-linux-musl": "linux-arm64-musl",
  "x86_64-apple-darwin": "darwin-x64",
  "aarch64-apple-darwin": "darwin-arm64",
  "x86_64-pc-windows-msvc": "win32-x64-msvc",
  "aarch64-pc-windows-msvc": "win32-arm64-msvc",
};

/** The platforms that have a prebuilt binary package (package.json "napi.targets"). */
function prebuiltPlatforms(): string[] {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require("../package.json") as { napi?: { targets?: string[] } };
    return (pkg.napi?.targets ?? []).map((triple) => TRIPLE_PLATFORMS[triple] ?? triple);
  } catch {
    return [];
  }
}

/**
 * The one-line warning when no binary was found at all (every candidate was
 * "Cannot find module"): which platform, that the reference is used, and
 * what to do. `null` when a binary exists but failed to load (then the
 * loader's own errors are the useful part).
 */
export function missingBinaryWarning(error: unknown): string | null {
  if (process.env.NAPI_RS_NATIVE_LIBRARY_PATH) return null; // an explicit file: its error says more
  const { attempts } = loadAttempts(error);
  if (attempts.length === 0 || !attempts.every((a) => a.startsWith("Cannot find module "))) return null;
  const platform = platformName();
  const prebuilt = prebuiltPlatforms();
  const reference = "using the TypeScript reference (same results, slower)";
  if (prebuilt.includes(platform)) {
    return (
      `fastkernels: the native binary for ${platform} is not installed (its package fastkernels-${platform} is an ` +
      `optional dependency: reinstall without --omit=optional); ${reference}.`
    );
  }
  return (
    `fastkernels: no prebuilt native binary for ${platform} (prebuilt: ${prebuilt.join(", ")}); ${reference}. ` +
    "To build it: install Rust, run `npm install` in a clone of the fastkernels repository (it builds the addon), then install that clone."
  );
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
    return { binding: null, reason: "FASTKERNELS_BACKEND=js forces the TypeScript reference", missing: null };
  }
  try {
    // The napi-generated loader tries the local .node file, then the
    // per-platform package.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const binding = require("../index.js") as NativeBinding;
    return { binding, reason: null, missing: null };
  } catch (error) {
    const reason = `the native addon could not be loaded: ${describeLoadError(error)}`;
    if (forced === "native") throw new Error(`FASTKERNELS_BACKEND=native, but ${reason}`);
    return { binding: null, reason, missing: missingBinaryWarning(error) };
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
    loaded.missing
      ? `${loaded.missing} Set FASTKERNELS_SILENT=1 to hide this warning.`
      : `fastkernels is running on its TypeScript reference (slower, same results): ${loaded.reason}. ` +
          "Set FASTKERNELS_SILENT=1 to hide this warning.",
    { type: "FastkernelsWarning", code: "FASTKERNELS_NO_NATIVE" },
  );
}
