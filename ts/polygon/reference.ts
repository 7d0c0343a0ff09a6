/**
 * The TypeScript reference of the polygon queries: brute force over every
 * polygon, written for clarity. It is the oracle the native grid index is
 * tested against, and the backend for `threads: 0`.
 */
import { areaOf, centerOf, distance, isClose } from "./geometry";

/** Centers (interleaved cx, cy) and areas of packed polygons. */
export interface PackedGeometry {
  centers: Float64Array;
  areas: Float64Array;
}

/**
 * Centers and areas of packed polygons, from each polygon's outer ring
 * (`rings[i]`, or ring i when `rings` is undefined); holes do not count.
 */
export function packedGeometry(x: Float64Array, y: Float64Array, offsets: Uint32Array, rings?: Uint32Array): PackedGeometry {
  const count = rings ? rings.length - 1 : offsets.length - 1;
  const centers = new Float64Array(2 * count);
  const areas = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const outer = rings ? rings[i] : i;
    const [cx, cy] = centerOf(x, y, offsets[outer], offsets[outer + 1]);
    centers[2 * i] = cx;
    centers[2 * i + 1] = cy;
    areas[i] = areaOf(x, y, offsets[outer], offsets[outer + 1]);
  }
  return { centers, areas };
}

export interface Query {
  maxDist: number;
  inclusive: boolean;
}

/** Indices of the polygons whose center is close to (px, py), ascending. */
export function closeTo(centers: Float64Array, px: number, py: number, query: Query): number[] {
  const found: number[] = [];
  for (let i = 0; i < centers.length / 2; i++) {
    if (isClose(distance(centers[2 * i], centers[2 * i + 1], px, py), query.maxDist, query.inclusive)) found.push(i);
  }
  return found;
}

/** For points start..end: the close polygon with the lowest score (ties: lowest index), or -1. */
export function bestMatchRange(
  centers: Float64Array, scores: Float64Array, points: Float64Array, query: Query,
  out: Int32Array, start: number, end: number,
): void {
  for (let p = start; p < end; p++) {
    let best = -1;
    for (const i of closeTo(centers, points[2 * p], points[2 * p + 1], query)) {
      // Strictly smaller replaces: ties keep the earliest, as in the original.
      if (best === -1 || scores[i] < scores[best]) best = i;
    }
    out[p] = best;
  }
}

/** For points start..end: every close polygon, appended to `indices`; `offsets[p + 1]` set. */
export function withinDistanceRange(
  centers: Float64Array, points: Float64Array, query: Query,
  indices: number[], offsets: Uint32Array, start: number, end: number,
): void {
  for (let p = start; p < end; p++) {
    for (const i of closeTo(centers, points[2 * p], points[2 * p + 1], query)) indices.push(i);
    offsets[p + 1] = indices.length;
  }
}

/** For points start..end: the k nearest close centers, by distance then index; padded with -1 / NaN. */
export function nearestRange(
  centers: Float64Array, points: Float64Array, k: number, query: Query,
  indices: Int32Array, distances: Float64Array, start: number, end: number,
): void {
  for (let p = start; p < end; p++) {
    const px = points[2 * p];
    const py = points[2 * p + 1];
    const candidates: Array<[number, number]> = [];
    for (let i = 0; i < centers.length / 2; i++) {
      const d = distance(centers[2 * i], centers[2 * i + 1], px, py);
      if (isClose(d, query.maxDist, query.inclusive)) candidates.push([d, i]);
    }
    candidates.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let j = 0; j < k; j++) {
      const hit = candidates[j];
      indices[p * k + j] = hit ? hit[1] : -1;
      distances[p * k + j] = hit ? hit[0] : Number.NaN;
    }
  }
}
