/**
 * The options object every kernel takes last: the keys common to all
 * kernels (`threads`, and for async calls `signal`, `onProgress`,
 * `onIteration`, `borrow`) plus the kernel's own. Unknown keys are a
 * TypeError listing the valid ones, so a typo never silently means "default".
 */
import { assertAbortSignal, show } from "../validate";
import { threadsFor } from "../threads";

import type { ProgressEvent } from "../threads";

export type { ProgressEvent };

export const SYNC_KEYS = ["threads"] as const;
export const ASYNC_KEYS = ["threads", "signal", "onProgress", "borrow"] as const;

/** Levenshtein distance, for "did you mean" suggestions on short keys. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The valid key closest to `key`, if it is close enough to be a typo. */
export function closestKey(key: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const d = editDistance(key, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * Throws a TypeError naming the first key of `options` that is not in
 * `valid`; `renamed` maps former key names to their new names (suggested).
 * The message lists the sync keys and, separately, the async-only keys
 * (`asyncOnly`), so a sync call and its async twin say the same thing.
 */
export function assertKnownKeys(
  name: string,
  options: object,
  valid: readonly string[],
  renamed: Readonly<Record<string, string>> = {},
  asyncOnly: readonly string[] = [],
): void {
  for (const key of Object.keys(options)) {
    if (valid.includes(key)) continue;
    const syncKeys = valid.filter((k) => !asyncOnly.includes(k));
    const asyncNote = asyncOnly.length > 0 ? `; async calls also take ${[...asyncOnly].sort().join(", ")}` : "";
    const listed = `valid keys: ${syncKeys.sort().join(", ")}${asyncNote}`;
    if (asyncOnly.includes(key)) {
      throw new TypeError(`${name} has the key ${JSON.stringify(key)}, which only async calls take; ${listed}`);
    }
    const guess = Object.hasOwn(renamed, key) ? renamed[key] : closestKey(key, [...valid, ...asyncOnly]);
    const hint = guess === undefined ? "" : ` (did you mean ${JSON.stringify(guess)}?)`;
    throw new TypeError(`${name} has an unknown key ${JSON.stringify(key)}${hint}; ${listed}`);
  }
}

/** An options argument: undefined or a plain object (not an array, not null). */
export function assertOptionsObject(name: string, value: unknown): asserts value is Record<string, unknown> | undefined {
  if (value !== undefined && (value === null || typeof value !== "object" || Array.isArray(value) || ArrayBuffer.isView(value))) {
    throw new TypeError(`${name} must be an options object or undefined, got ${show(value)}`);
  }
}

/** What the dispatcher resolved from a call's options, once. */
export interface CallSettings {
  /** 0: the TypeScript reference; n >= 1: native with n threads. */
  threads: number;
  signal: AbortSignal | undefined;
  onProgress: ((event: ProgressEvent) => void) | undefined;
  /** The caller promises not to touch the inputs until the promise settles: no input copy. */
  borrow: boolean;
}

function assertCallback(name: string, value: unknown): asserts value is ((event: ProgressEvent) => void) | undefined {
  if (value !== undefined && typeof value !== "function") {
    throw new TypeError(`${name} must be a function or undefined, got ${show(value)}`);
  }
}

/**
 * `onProgress`, or else the first alias given (0.1's `onIteration`), whose
 * events also carry `iteration` (= `done`) as they did in 0.1.
 */
function progressCallback(o: Record<string, unknown>, aliases: readonly string[]): CallSettings["onProgress"] {
  if (o.onProgress !== undefined) return o.onProgress as CallSettings["onProgress"];
  for (const alias of aliases) {
    const callback = o[alias] as CallSettings["onProgress"];
    if (callback !== undefined) return (event) => callback({ ...event, iteration: event.done });
  }
  return undefined;
}

/**
 * Checks a call's options object against the kernel's own keys plus the
 * common ones and resolves the common settings. `aliases` maps accepted
 * alternative names of callbacks (`onIteration` for `onProgress`).
 */
export function readCallSettings(
  name: string,
  options: unknown,
  ownKeys: readonly string[],
  asyncCall: boolean,
  aliases: readonly string[] = [],
  renamed: Readonly<Record<string, string>> = {},
): CallSettings {
  assertOptionsObject(name, options);
  const o = options ?? {};
  const asyncOnly = [...ASYNC_KEYS.filter((k) => k !== "threads"), ...aliases];
  const valid = [...ownKeys, ...(asyncCall ? [...ASYNC_KEYS, ...aliases] : SYNC_KEYS)];
  assertKnownKeys(name, o, valid, renamed, asyncOnly);
  const threads = threadsFor(o.threads as number | undefined, `${name}.threads`);
  if (!asyncCall) return { threads, signal: undefined, onProgress: undefined, borrow: false };
  assertAbortSignal(`${name}.signal`, o.signal);
  assertCallback(`${name}.onProgress`, o.onProgress);
  for (const alias of aliases) assertCallback(`${name}.${alias}`, o[alias]);
  if (o.borrow !== undefined && typeof o.borrow !== "boolean") {
    throw new TypeError(`${name}.borrow must be a boolean or undefined, got ${show(o.borrow)}`);
  }
  return {
    threads,
    signal: o.signal as AbortSignal | undefined,
    onProgress: progressCallback(o, aliases),
    borrow: o.borrow === true,
  };
}
