/**
 * Argument checks of the polygon family: the structural checks the
 * dispatcher runs before either backend, and the value scans the reference
 * backend runs itself (Rust runs the same ones for native calls).
 */
import { MAX_OUTPUT_ELEMENTS } from "../limits.generated";
import { assertAllFinite, assertAtMost, assertFloat64Array, assertInteger, assertNumber, assertOptions, isTypedArrayOf, show } from "../validate";
import type { FloatArray } from "../validate";

/**
 * Most neighbours `nearest` returns per point; mirrors the Rust binding's
 * `MAX_NEIGHBORS` (crates/node/src/polygon.rs). Checked before the k slots
 * per point are allocated.
 */
export const MAX_NEIGHBORS = 4096;

/** A point: `[x, y]` as numbers or a Float64Array of length 2. */
export type PointLike = ArrayLike<number>;

/**
 * Points: an array of `[x, y]` pairs, or one flat Float64Array `x0, y0, x1,
 * y1, ...` (or a Float32Array, widened exactly to float64 by the backend).
 */
export type PointsInput = ReadonlyArray<PointLike> | Float64Array | Float32Array;

/** Anything with vertex coordinates, such as a `Polygon`. */
export interface PolygonLike {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/**
 * Polygons packed into flat buffers: polygon i is vertices
 * `offsets[i]..offsets[i+1]`. With `rings`, `offsets` delimits rings instead
 * and polygon i is rings `rings[i]..rings[i+1]`: its first ring is the outer
 * one (center and area), the others are holes (containment only).
 */
export interface FlatPolygons {
  x: Float64Array;
  y: Float64Array;
  /** Length = number of polygons (rings) + 1; starts at 0, strictly increasing, last <= x.length. */
  offsets: Uint32Array | Int32Array | ReadonlyArray<number>;
  /** Optional ring starts per polygon: length = number of polygons + 1; starts at 0, strictly increasing, ends at `offsets.length - 1`. */
  rings?: Uint32Array | Int32Array | ReadonlyArray<number>;
}

/** Validated flat buffers (`rings` undefined: one ring per polygon). */
export interface CheckedFlatPolygons {
  x: Float64Array;
  y: Float64Array;
  offsets: Uint32Array;
  rings: Uint32Array | undefined;
}

/** Vertex coordinates, validated: equal lengths, at least one vertex, all finite. */
export function assertVertices(name: string, x: unknown, y: unknown): asserts x is Float64Array {
  assertFloat64Array(`${name}.x`, x);
  assertFloat64Array(`${name}.y`, y);
  if (x.length !== y.length) {
    throw new RangeError(`${name}.x and ${name}.y must have the same length, got ${x.length} and ${(y as Float64Array).length}`);
  }
  if (x.length === 0) throw new RangeError(`${name} must have at least one vertex, got ${show(x)}`);
  assertAllFinite(`${name}.x`, x);
  assertAllFinite(`${name}.y`, y as Float64Array);
}

/**
 * A plain array of coordinates as a Float64Array; every element must be a
 * number (no silent coercion of strings or null).
 */
export function numbersToFloat64(name: string, values: ReadonlyArray<unknown>): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number") throw new TypeError(`${name}[${i}] must be a number, got ${show(v)}`);
    out[i] = v;
  }
  return out;
}

/** A single point as a validated pair of finite numbers. */
export function readPoint(name: string, point: unknown): [number, number] {
  const arrayLike = Array.isArray(point) || isTypedArrayOf(point, "Float64Array");
  if (!arrayLike) throw new TypeError(`${name} must be an [x, y] array or a Float64Array(2), got ${show(point)}`);
  const p = point as ArrayLike<unknown>;
  if (p.length !== 2) throw new RangeError(`${name} must have length 2 ([x, y]), got length ${p.length}`);
  for (let c = 0; c < 2; c++) {
    const v = p[c];
    if (typeof v !== "number") throw new TypeError(`${name}[${c}] must be a number, got ${show(v)}`);
    if (!Number.isFinite(v)) throw new RangeError(`${name}[${c}] must be a finite number, got ${show(v)}`);
  }
  return [p[0] as number, p[1] as number];
}

/**
 * Points as one flat Float64Array or Float32Array. A flat input is returned
 * as is (not copied, not widened, not scanned: the backend widens and scans
 * it, see `scanFinite`); an array of pairs is packed into a new Float64Array,
 * each pair checked as it is copied.
 */
export function flattenPoints(name: string, points: unknown): FloatArray {
  if (isTypedArrayOf(points, "Float64Array") || isTypedArrayOf(points, "Float32Array")) {
    const flat = points as FloatArray;
    if (flat.length % 2 !== 0) {
      throw new RangeError(`${name} must hold x, y pairs (even length), got ${show(flat)}`);
    }
    return flat;
  }
  if (!Array.isArray(points)) {
    throw new TypeError(`${name} must be an array of [x, y] points or a flat Float64Array or Float32Array, got ${show(points)}`);
  }
  const flat = new Float64Array(points.length * 2);
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as ArrayLike<number>;
    // Fast path for well-formed pairs; anything else goes through readPoint for the error.
    const pair = (Array.isArray(p) || isTypedArrayOf(p, "Float64Array")) && p.length === 2 &&
      typeof p[0] === "number" && typeof p[1] === "number" && p[0] - p[0] === 0 && p[1] - p[1] === 0;
    const [x, y] = pair ? [p[0], p[1]] : readPoint(`${name}[${i}]`, p);
    flat[2 * i] = x;
    flat[2 * i + 1] = y;
  }
  return flat;
}

export function assertMaxDist(name: string, value: unknown): asserts value is number {
  assertNumber(name, value, { min: 0 });
}

/** The reference backend's value scan: every value finite (the kernel crate runs the same check). */
export function scanFinite(name: string, values: ArrayLike<number>): void {
  assertAllFinite(name, values);
}

/** `k` of `nearest`: an integer 1..MAX_NEIGHBORS, and points x k slots within MAX_OUTPUT_ELEMENTS. */
export function assertK(name: string, value: unknown, pointCount: number): asserts value is number {
  assertInteger(name, value, 1, 0x7fffffff);
  assertAtMost(name, value, MAX_NEIGHBORS, "MAX_NEIGHBORS");
  if (pointCount * value > MAX_OUTPUT_ELEMENTS) {
    throw new RangeError(
      `${name} is too large: ${pointCount} points x k = ${value} = ${pointCount * value} results exceed ${MAX_OUTPUT_ELEMENTS} (MAX_OUTPUT_ELEMENTS); query fewer points at a time`,
    );
  }
}

export function assertBoolean(name: string, value: unknown): asserts value is boolean | undefined {
  if (value !== undefined && typeof value !== "boolean") {
    throw new TypeError(`${name} must be a boolean or undefined, got ${show(value)}`);
  }
}

/** Per-polygon scores for `best`, structurally: a Float64Array with one score per polygon. */
export function assertScores(name: string, value: unknown, polygonCount: number): asserts value is Float64Array {
  assertFloat64Array(name, value);
  if (value.length !== polygonCount) {
    throw new RangeError(`${name} must have one score per polygon (length ${polygonCount}), got length ${value.length}`);
  }
}

/** The reference backend's scan of scores: none NaN (the kernel crate runs the same check). */
export function scanScores(name: string, value: Float64Array): void {
  for (let i = 0; i < value.length; i++) {
    if (Number.isNaN(value[i])) throw new RangeError(`${name}[${i}] must not be NaN, got NaN`);
  }
}

/** Checks an options object and the keys a polygon call reads besides `threads`. */
export function assertQueryOptions(name: string, options: unknown): void {
  assertOptions(name, options);
  const o = options as { inclusive?: unknown } | undefined;
  assertBoolean(`${name}.inclusive`, o?.inclusive);
}

function isIndexArray(value: unknown): value is Uint32Array | Int32Array | ReadonlyArray<number> {
  return Array.isArray(value) || isTypedArrayOf(value, "Uint32Array") || isTypedArrayOf(value, "Int32Array");
}

/**
 * Validates flat polygon buffers and returns the offsets (and rings) as
 * Uint32Arrays. Coordinates are scanned by the backend (`scanFinite` in the
 * reference, Rust otherwise).
 */
export function checkFlatPolygons(name: string, source: unknown): CheckedFlatPolygons {
  if (typeof source !== "object" || source === null) {
    throw new TypeError(`${name} must be an array of polygons or { x, y, offsets }, got ${show(source)}`);
  }
  const { x, y, offsets, rings } = source as FlatPolygons;
  assertFloat64Array(`${name}.x`, x);
  assertFloat64Array(`${name}.y`, y);
  if (x.length !== y.length) {
    throw new RangeError(`${name}.x and ${name}.y must have the same length, got ${x.length} and ${y.length}`);
  }
  if (!isIndexArray(offsets)) {
    throw new TypeError(`${name}.offsets must be a Uint32Array, Int32Array or array of integers, got ${show(offsets)}`);
  }
  if (rings !== undefined && !isIndexArray(rings)) {
    throw new TypeError(`${name}.rings must be a Uint32Array, Int32Array or array of integers, or undefined, got ${show(rings)}`);
  }
  const unit = rings === undefined ? "polygon" : "ring";
  const packedOffsets = checkStarts(name, "offsets", offsets, x.length, unit, (i, v) => `${name}.offsets[${i}] runs past the vertex buffers (length ${x.length}), got ${show(v)}`);
  let packedRings: Uint32Array | undefined;
  if (rings !== undefined) {
    const ringCount = packedOffsets.length - 1;
    packedRings = checkStarts(name, "rings", rings, ringCount, "polygon", (i, v) => `${name}.rings[${i}] runs past the rings (offsets.length - 1 = ${ringCount}), got ${show(v)}`);
    const last = packedRings[packedRings.length - 1];
    if (last !== ringCount) {
      throw new RangeError(`${name}.rings must end at the ring count (offsets.length - 1 = ${ringCount}), got rings[${packedRings.length - 1}] = ${last}`);
    }
  }
  return { x, y, offsets: packedOffsets, rings: packedRings };
}

/**
 * A starts array (`offsets` or `rings`): integers from 0, strictly
 * increasing, none above `limit`.
 */
function checkStarts(
  name: string, key: string, starts: Uint32Array | Int32Array | ReadonlyArray<number>, limit: number, unit: string,
  pastEnd: (i: number, v: number) => string,
): Uint32Array {
  if (starts.length === 0) throw new RangeError(`${name}.${key} must start with 0 (length >= 1), got ${show(starts)}`);
  const packed = new Uint32Array(starts.length);
  for (let i = 0; i < starts.length; i++) {
    const v = starts[i];
    // The name is only built for the error (a template string per element costs more than the check).
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) assertInteger(`${name}.${key}[${i}]`, v, 0);
    if (i === 0 && v !== 0) throw new RangeError(`${name}.${key}[0] must be 0, got ${show(v)}`);
    if (v > limit) throw new RangeError(pastEnd(i, v));
    if (i > 0 && v < packed[i - 1]) {
      throw new RangeError(`${name}.${key} must be non-decreasing, got ${key}[${i}] = ${v} < ${key}[${i - 1}] = ${packed[i - 1]}`);
    }
    if (i > 0 && v === packed[i - 1]) {
      throw new RangeError(`${name}: ${unit} ${i - 1} is empty (${key}[${i - 1}] = ${key}[${i}] = ${v})`);
    }
    packed[i] = v;
  }
  return packed;
}

/** `v - v` is 0 exactly for finite numbers and NaN for NaN and ±Infinity. */
function allFinite(values: Float64Array): boolean {
  for (let k = 0; k < values.length; k++) if (values[k] - values[k] !== 0) return false;
  return true;
}

/** `instanceof` first: cheap, and right for this realm; the tag check covers other realms. */
function isFloat64Array(v: unknown): v is Float64Array {
  return v instanceof Float64Array || isTypedArrayOf(v, "Float64Array");
}

/** Shape only: Float64Array x and y of equal, non-zero length. */
function polygonShapeIsValid(p: PolygonLike | null): boolean {
  if (typeof p !== "object" || p === null) return false;
  const { x, y } = p;
  return isFloat64Array(x) && isFloat64Array(y) && x.length === y.length && x.length > 0;
}

function polygonIsValid(p: PolygonLike | null): boolean {
  return polygonShapeIsValid(p) && allFinite((p as PolygonLike).x) && allFinite((p as PolygonLike).y);
}

/** Checks polygon objects: Float64Array x and y of equal, non-zero length, finite. */
export function assertPolygons(name: string, polygons: unknown): asserts polygons is ReadonlyArray<PolygonLike> {
  if (!Array.isArray(polygons)) throw new TypeError(`${name} must be an array of Polygon, got ${show(polygons)}`);
  // Fast pass without building names; the slow pass below only runs to word the error.
  let valid = true;
  for (let i = 0; i < polygons.length && valid; i++) valid = polygonIsValid(polygons[i]);
  if (valid) return;
  for (let i = 0; i < polygons.length; i++) {
    const p = polygons[i] as PolygonLike | null;
    if (typeof p !== "object" || p === null) {
      throw new TypeError(`${name}[${i}] must be a Polygon, got ${show(p)}`);
    }
    assertVertices(`${name}[${i}]`, p.x, p.y);
  }
}

/**
 * Validates polygon objects and packs them into flat buffers in one pass
 * (the hot part of building an index from `Polygon[]`).
 */
export function packPolygons(name: string, polygons: unknown): { x: Float64Array; y: Float64Array; offsets: Uint32Array } {
  if (!Array.isArray(polygons)) assertPolygons(name, polygons);
  const list = polygons as ReadonlyArray<PolygonLike>;
  const offsets = new Uint32Array(list.length + 1);
  let total = 0;
  for (let i = 0; i < list.length; i++) {
    if (!polygonShapeIsValid(list[i])) assertPolygons(name, list); // throws the worded error
    total += list[i].x.length;
    offsets[i + 1] = total;
  }
  const x = new Float64Array(total);
  const y = new Float64Array(total);
  let finite = true;
  for (let i = 0; i < list.length; i++) {
    const px = list[i].x;
    const py = list[i].y;
    const at = offsets[i];
    for (let k = 0; k < px.length; k++) {
      const a = px[k];
      const b = py[k];
      finite = finite && a - a === 0 && b - b === 0;
      x[at + k] = a;
      y[at + k] = b;
    }
  }
  if (!finite) assertPolygons(name, list);
  return { x, y, offsets };
}
