/**
 * Argument checks shared by every kernel family and both backends, so that
 * the same bad input throws the same error whichever backend would have run.
 * Messages name the argument and show the offending value.
 */

/**
 * An option's value, or its default when the option is absent (undefined).
 * `null` is not "absent": it reaches the option's check and is refused, so
 * every option treats null alike.
 */
export function withDefault<T, D>(value: T | undefined, fallback: D): T | D {
  return value === undefined ? fallback : value;
}

/** A short, safe rendering of any value for an error message. */
export function show(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  if (ArrayBuffer.isView(value)) {
    const name = (value as unknown as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] ?? "DataView";
    const length = (value as unknown as { length?: number }).length ?? value.byteLength;
    return `${name}(${length})`;
  }
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === "object") return value.constructor ? `a ${value.constructor.name}` : "an object";
  return typeof value;
}

/**
 * True for a typed array of the given kind from any realm. `instanceof` is
 * not used because arrays made by the addon or by another vm context (jest,
 * worker_threads) have other constructors.
 */
export function isTypedArrayOf(value: unknown, kind: string): boolean {
  return ArrayBuffer.isView(value) && (value as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag] === kind;
}

export function assertFloat64Array(name: string, value: unknown): asserts value is Float64Array {
  if (!isTypedArrayOf(value, "Float64Array")) {
    throw new TypeError(`${name} must be a Float64Array, got ${show(value)}`);
  }
}

/** Float data: float64, or float32 that the backend widens (exactly) to float64. */
export type FloatArray = Float64Array | Float32Array;

export function assertFloatArray(name: string, value: unknown): asserts value is FloatArray {
  if (!isTypedArrayOf(value, "Float64Array") && !isTypedArrayOf(value, "Float32Array")) {
    throw new TypeError(`${name} must be a Float64Array or a Float32Array, got ${show(value)}`);
  }
}

/** Float64 values for a reference backend: float32 input widened (exactly), float64 as is. */
export function widenFloats(values: FloatArray): Float64Array {
  return isTypedArrayOf(values, "Float64Array") ? (values as Float64Array) : Float64Array.from(values);
}

export function assertUint8Array(name: string, value: unknown): asserts value is Uint8Array {
  if (!isTypedArrayOf(value, "Uint8Array")) {
    throw new TypeError(`${name} must be a Uint8Array, got ${show(value)}`);
  }
}

/** Every element finite; reports the first offending index and value. */
export function assertAllFinite(name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      throw new RangeError(`${name}[${i}] must be a finite number, got ${show(v)}`);
    }
  }
}

export function assertNonEmpty(name: string, values: ArrayLike<unknown>): void {
  if (values.length === 0) {
    throw new RangeError(`${name} must not be empty, got ${show(values)}`);
  }
}

export function assertLength(name: string, values: ArrayLike<unknown>, expected: number, because: string): void {
  if (values.length !== expected) {
    throw new RangeError(`${name} must have length ${expected} (${because}), got length ${values.length}`);
  }
}

export function assertInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== "number") {
    throw new TypeError(`${name} must be an integer, got ${show(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new RangeError(`${name} must be an integer ${range}, got ${show(value)}`);
  }
}

/**
 * A size-like parameter against its documented limit (checked before
 * anything is allocated): `iterations must be at most 10000000 (MAX_ITERATIONS), got 1000000000000`.
 */
export function assertAtMost(name: string, value: number, limit: number, limitName: string): void {
  if (value > limit) {
    throw new RangeError(`${name} must be at most ${limit} (${limitName}), got ${show(value)}`);
  }
}

export interface NumberBounds {
  /** Smallest allowed value (inclusive unless `exclusiveMin`). */
  min?: number;
  exclusiveMin?: boolean;
  max?: number;
}

export function assertNumber(name: string, value: unknown, bounds: NumberBounds = {}): asserts value is number {
  if (typeof value !== "number") {
    throw new TypeError(`${name} must be a number, got ${show(value)}`);
  }
  const { min, exclusiveMin = false, max } = bounds;
  const tooSmall = min !== undefined && (exclusiveMin ? !(value > min) : !(value >= min));
  const tooLarge = max !== undefined && !(value <= max);
  if (Number.isNaN(value) || tooSmall || tooLarge) {
    const parts: string[] = [];
    if (min !== undefined) parts.push(`${exclusiveMin ? ">" : ">="} ${min}`);
    if (max !== undefined) parts.push(`<= ${max}`);
    const domain = parts.length ? ` ${parts.join(" and ")}` : "";
    throw new RangeError(`${name} must be a number${domain}, got ${show(value)}`);
  }
}

/** An options argument: `undefined` or a plain object. */
export function assertOptions(name: string, value: unknown): void {
  if (value !== undefined && (value === null || typeof value !== "object" || Array.isArray(value))) {
    throw new TypeError(`${name} must be an options object or undefined, got ${show(value)}`);
  }
}

export function assertAbortSignal(name: string, value: unknown): asserts value is AbortSignal | undefined {
  const signalLike =
    typeof value === "object" && value !== null &&
    typeof (value as AbortSignal).aborted === "boolean" &&
    typeof (value as AbortSignal).addEventListener === "function";
  if (value !== undefined && !signalLike) {
    throw new TypeError(`${name} must be an AbortSignal or undefined, got ${show(value)}`);
  }
}
