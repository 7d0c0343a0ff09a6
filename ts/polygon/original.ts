/**
 * The original library's API: `find_close_polygons`, `select_best_polygon`
 * and `main`, same semantics. With the native backend they build a
 * `PolygonIndex` and query it; with `threads: 0` they run the original's
 * loops over `Polygon` objects.
 */
import { callNative } from "../errors";
import { native } from "../native";
import type { NativeBinding } from "../native";
import { resolveThreads } from "../threads";
import type { KernelOptions } from "../threads";
import { assertOptions, show, widenFloats } from "../validate";
import { distance } from "./geometry";
import { geometryOfPolygons, isPolygon, Polygon } from "./polygon";
import { PolygonIndex } from "./polygon-index";
import { assertMaxDist, assertPolygons, flattenPoints, readPoint, scanFinite } from "./validate";
import type { PointLike, PointsInput } from "./validate";

/** A point with its candidate polygons, as `select_best_polygon` takes them. */
export type PolygonSet<P extends PointLike = PointLike> = readonly [point: P, polygons: ReadonlyArray<Polygon>];

/** A point with its chosen polygon. */
export type PointMatch<P extends PointLike = PointLike> = [point: P, polygon: Polygon];

/**
 * Polygon objects (the original API reads their cached `center` and
 * `area()`). Their vertices were checked when each Polygon was constructed
 * and are not checked again.
 */
function assertPolygonObjects(name: string, polygons: unknown): asserts polygons is ReadonlyArray<Polygon> {
  if (!Array.isArray(polygons)) assertPolygons(name, polygons);
  const list = polygons as ReadonlyArray<unknown>;
  for (let i = 0; i < list.length; i++) {
    if (isPolygon(list[i])) continue;
    assertPolygons(name, list); // a non-Polygon with bad vertices: word that first
    throw new TypeError(`${name}[${i}] must be a Polygon, got ${show(list[i])}`);
  }
}

/** The original's loop: centers (cached on each Polygon) strictly closer than maxDist. */
function closeReference(polygons: ReadonlyArray<Polygon>, px: number, py: number, maxDist: number): Polygon[] {
  const close: Polygon[] = [];
  for (const polygon of polygons) {
    const [cx, cy] = polygon.center;
    if (distance(cx, cy, px, py) < maxDist) close.push(polygon);
  }
  return close;
}

/**
 * The polygons whose center is at distance strictly less than `maxDist` from
 * `point`, in input order.
 */
export function findClosePolygons(polygons: ReadonlyArray<Polygon>, point: PointLike, maxDist: number, options?: KernelOptions): Polygon[] {
  assertPolygonObjects("polygons", polygons);
  const [px, py] = readPoint("point", point);
  assertMaxDist("maxDist", maxDist);
  assertOptions("options", options);
  const threads = resolveThreads(options);
  if (threads === 0) return closeReference(polygons, px, py, maxDist);
  const index = new PolygonIndex(polygons, { threads });
  return Array.from(index.closeTo([px, py], maxDist, { threads }), (i) => polygons[i]);
}

/**
 * For each `[point, candidates]`, the candidate with the smallest area; a
 * later candidate replaces the current best only if strictly smaller, so
 * ties keep the earliest. Candidate lists must not be empty.
 */
export function selectBestPolygon<P extends PointLike>(sets: ReadonlyArray<PolygonSet<P>>, options?: KernelOptions): Array<PointMatch<P>> {
  if (!Array.isArray(sets)) throw new TypeError(`sets must be an array of [point, polygons] pairs, got ${show(sets)}`);
  assertOptions("options", options);
  const distinct = new Map<Polygon, number>();
  sets.forEach((set, s) => {
    if (!Array.isArray(set) || set.length !== 2) throw new TypeError(`sets[${s}] must be a [point, polygons] pair, got ${show(set)}`);
    assertPolygonObjects(`sets[${s}][1]`, set[1]);
    if (set[1].length === 0) throw new RangeError(`sets[${s}][1] must not be empty (a point needs a candidate), got Array(0)`);
    for (const polygon of set[1]) if (!distinct.has(polygon)) distinct.set(polygon, distinct.size);
  });
  const threads = resolveThreads(options);
  // Areas of every distinct candidate, computed once by the chosen backend (same bits either way).
  const index = new PolygonIndex([...distinct.keys()], { threads });
  const areas = index.areas;
  return sets.map(([point, polygons]) => {
    let best = polygons[0];
    for (const polygon of polygons) {
      if (areas[distinct.get(polygon) as number] < areas[distinct.get(best) as number]) best = polygon;
    }
    return [point, best];
  });
}

/**
 * The original's `main`: for every point, the smallest-area polygon among
 * those whose center is closer than `maxDist` (default 10); points without
 * one are skipped; results in point order. Points given as one flat
 * Float64Array come back as Float64Array(2) copies.
 */
export function matchPointsToPolygons<P extends PointLike>(
  polygons: ReadonlyArray<Polygon>, points: ReadonlyArray<P> | Float64Array, maxDist = 10, options?: KernelOptions,
): Array<PointMatch<P | Float64Array>> {
  // Checked in order (polygons, points, maxDist, options) for both backends.
  assertPolygonObjects("polygons", polygons);
  // The original API's points are float64; a flat Float32Array is widened here.
  const flat = widenFloats(flattenPoints("points", points as PointsInput));
  assertMaxDist("maxDist", maxDist);
  assertOptions("options", options);
  const threads = resolveThreads(options);
  const pointAt = Array.isArray(points)
    ? (p: number) => (points as ReadonlyArray<P>)[p]
    : (p: number) => flat.slice(2 * p, 2 * p + 2);
  if (threads === 0) {
    // The reference's value scan, as the native index runs it on the same flat buffer.
    scanFinite("points", flat);
    // The original's two passes: candidates per point, then the smallest area per point.
    const sets: Array<PolygonSet<P | Float64Array>> = [];
    for (let p = 0; p < flat.length / 2; p++) {
      const close = closeReference(polygons, flat[2 * p], flat[2 * p + 1], maxDist);
      if (close.length > 0) sets.push([pointAt(p), close]);
    }
    return selectBestPolygon(sets, { threads: 0 });
  }
  // One native call: an index over the polygons' cached centers and areas
  // (the vertices are not copied), queried and dropped at once.
  const { centers, areas } = geometryOfPolygons(polygons);
  const best = new Int32Array(flat.length / 2);
  const binding = native as NativeBinding;
  callNative(() => binding.polygonBestMatchOnce(centers, areas, flat, maxDist, false, threads, best));
  const matches: Array<PointMatch<P | Float64Array>> = [];
  for (let p = 0; p < best.length; p++) {
    if (best[p] >= 0) matches.push([pointAt(p), polygons[best[p]]]);
  }
  return matches;
}
