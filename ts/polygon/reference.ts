/**
 * The TypeScript reference of the polygon queries: brute force over every
 * polygon, written for clarity. It is the oracle the native grid index is
 * tested against, and the backend for `threads: 0`.
 */
import { areaOf, centerOf, distance, haversine, isClose } from "./geometry";

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

/** How center distances are measured: Euclidean, or great-circle metres between `[lon, lat]` degrees. */
export type Metric = "planar" | "haversine";

export interface Query {
  maxDist: number;
  inclusive: boolean;
  metric: Metric;
}

/** The distance function of a query's metric (center first, then the point). */
function measure(query: Query): (cx: number, cy: number, px: number, py: number) => number {
  return query.metric === "haversine" ? haversine : distance;
}

/** Indices of the polygons whose center is close to (px, py), ascending. */
export function closeTo(centers: Float64Array, px: number, py: number, query: Query): number[] {
  const found: number[] = [];
  const d = measure(query);
  for (let i = 0; i < centers.length / 2; i++) {
    if (isClose(d(centers[2 * i], centers[2 * i + 1], px, py), query.maxDist, query.inclusive)) found.push(i);
  }
  return found;
}

const isLonLat = (lon: number, lat: number) => lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90;

/**
 * For haversine queries (after the finite scan, as the Rust kernel orders
 * it): every center, then every point, must be `[lon, lat]` degrees within
 * [-180, 180] x [-90, 90]. `pointsName` names a flat buffer (`points[k]`).
 */
export function checkLonLat(centers: Float64Array, points: Float64Array, pointsName: string, query: Query): void {
  if (query.metric !== "haversine") return;
  for (let i = 0; i < centers.length / 2; i++) {
    if (!isLonLat(centers[2 * i], centers[2 * i + 1])) {
      throw new RangeError(
        `metric "haversine" needs [lon, lat] centers within [-180, 180] x [-90, 90] degrees, got polygon ${i} with center [${centers[2 * i]}, ${centers[2 * i + 1]}]`,
      );
    }
  }
  for (let k = 0; k < points.length; k++) {
    const latitude = k % 2 === 1;
    const limit = latitude ? 90 : 180;
    if (!(points[k] >= -limit && points[k] <= limit)) {
      const what = latitude ? "latitude within [-90, 90]" : "longitude within [-180, 180]";
      throw new RangeError(`${pointsName}[${k}] must be a ${what} for metric "haversine", got ${points[k]}`);
    }
  }
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
    const dist = measure(query);
    for (let i = 0; i < centers.length / 2; i++) {
      const d = dist(centers[2 * i], centers[2 * i + 1], px, py);
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
