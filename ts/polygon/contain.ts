/**
 * The TypeScript reference of containment, written for clarity (a scan of
 * every polygon per point): the oracle of the native grid
 * (crates/polygon/src/contain.rs) and the backend for `threads: 0`.
 *
 * Point p is in polygon i when p lies in i's closed bounding box (over all
 * its rings) and the ray from p towards +x crosses i's rings an odd number
 * of times (even-odd: holes are rings like the others). Half-open edges: an
 * edge counts when one end is at or below `py` and the other strictly
 * above, and `px` is strictly left of the crossing, computed from the
 * edge's lower end whichever way the ring runs. So a point on the left or
 * bottom edge of a square is in it, on the right or top edge is not, and a
 * point on an edge shared by two polygons is in exactly one of them.
 * Operation for operation like the Rust kernel: the same bits.
 */
import { areaOf } from "./geometry";

/** Packed rings with one bounding box and outer-ring area per polygon. */
export interface ReferenceShapes {
  x: Float64Array;
  y: Float64Array;
  offsets: Uint32Array;
  /** Ring starts per polygon (identity when the polygons have no holes). */
  rings: Uint32Array;
  /** `x0, y0, x1, y1` per polygon. */
  boxes: Float64Array;
  areas: Float64Array;
}

export function referenceShapes(x: Float64Array, y: Float64Array, offsets: Uint32Array, rings: Uint32Array | undefined): ReferenceShapes {
  const ringStarts = rings ?? Uint32Array.from({ length: offsets.length }, (_, i) => i);
  const n = ringStarts.length - 1;
  const boxes = new Float64Array(4 * n);
  const areas = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const start = offsets[ringStarts[i]];
    const end = offsets[ringStarts[i + 1]];
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (let v = start; v < end; v++) {
      if (x[v] < x0) x0 = x[v];
      if (x[v] > x1) x1 = x[v];
      if (y[v] < y0) y0 = y[v];
      if (y[v] > y1) y1 = y[v];
    }
    boxes.set([x0, y0, x1, y1], 4 * i);
    areas[i] = areaOf(x, y, start, offsets[ringStarts[i] + 1]);
  }
  return { x, y, offsets, rings: ringStarts, boxes, areas };
}

/** Whether the ray from (px, py) towards +x crosses ring `start..end` an odd number of times. */
export function ringParity(x: Float64Array, y: Float64Array, start: number, end: number, px: number, py: number): boolean {
  let odd = false;
  let j = end - 1;
  for (let i = start; i < end; i++) {
    const yi = y[i];
    const yj = y[j];
    if ((yi > py) !== (yj > py)) {
      const [xa, ya, xb, yb] = yi < yj ? [x[i], yi, x[j], yj] : [x[j], yj, x[i], yi];
      if (px < xa + ((py - ya) * (xb - xa)) / (yb - ya)) odd = !odd;
    }
    j = i;
  }
  return odd;
}

export function contains(s: ReferenceShapes, i: number, px: number, py: number): boolean {
  const b = 4 * i;
  if (!(px >= s.boxes[b] && px <= s.boxes[b + 2] && py >= s.boxes[b + 1] && py <= s.boxes[b + 3])) return false;
  let odd = false;
  for (let r = s.rings[i]; r < s.rings[i + 1]; r++) {
    if (ringParity(s.x, s.y, s.offsets[r], s.offsets[r + 1], px, py)) odd = !odd;
  }
  return odd;
}

/** For points start..end: every containing polygon (ascending) appended to `polygons`; `offsets[p + 1]` set. */
export function containingRange(s: ReferenceShapes, points: Float64Array, polygons: number[], offsets: Int32Array, start: number, end: number): void {
  const n = s.areas.length;
  for (let p = start; p < end; p++) {
    for (let i = 0; i < n; i++) if (contains(s, i, points[2 * p], points[2 * p + 1])) polygons.push(i);
    offsets[p + 1] = polygons.length;
  }
}

/** For points start..end: the containing polygon with the lowest score (ties: lowest index), or -1. */
export function bestContainingRange(s: ReferenceShapes, scores: Float64Array, points: Float64Array, out: Int32Array, start: number, end: number): void {
  const n = s.areas.length;
  for (let p = start; p < end; p++) {
    let best = -1;
    for (let i = 0; i < n; i++) {
      // Strictly smaller replaces, in index order: ties keep the earliest.
      if (contains(s, i, points[2 * p], points[2 * p + 1]) && (best === -1 || scores[i] < scores[best])) best = i;
    }
    out[p] = best;
  }
}
