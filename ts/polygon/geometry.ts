/**
 * The numeric definitions shared, operation for operation, by the TypeScript
 * reference and the Rust kernels (crates/polygon/src/geometry.rs), so both
 * backends produce the same bits:
 *
 * - center: the plain mean of the vertices, `sum / n` with the sum taken
 *   sequentially from vertex 0 to n-1 (one accumulator per coordinate);
 * - area: `0.5 * |sx - sy|` with `sx = Σ x[i]·y[i-1]` and `sy = Σ y[i]·x[i-1]`
 *   (index -1 meaning n-1, i.e. numpy's `roll(·, 1)`), each a sequential sum
 *   from i = 0 to n-1, products rounded before adding (no fused multiply-add);
 * - distance: `sqrt(dx·dx + dy·dy)` with `dx = cx - px`, `dy = cy - py`,
 *   like `np.linalg.norm(center - point)`; "close" is `distance < maxDist`
 *   (`<=` with `inclusive`). The square root is kept on purpose: comparing
 *   squared distances against `maxDist²` decides differently at the boundary.
 */

/** Center of the vertices `start..end` of packed coordinate buffers. */
export function centerOf(x: ArrayLike<number>, y: ArrayLike<number>, start: number, end: number): [number, number] {
  let sumX = 0;
  let sumY = 0;
  for (let i = start; i < end; i++) {
    sumX += x[i];
    sumY += y[i];
  }
  const n = end - start;
  return [sumX / n, sumY / n];
}

/** Shoelace area of the vertices `start..end` of packed coordinate buffers. */
export function areaOf(x: ArrayLike<number>, y: ArrayLike<number>, start: number, end: number): number {
  let sx = 0;
  let sy = 0;
  let previous = end - 1;
  for (let i = start; i < end; i++) {
    sx += x[i] * y[previous];
    sy += y[i] * x[previous];
    previous = i;
  }
  return 0.5 * Math.abs(sx - sy);
}

/** Euclidean distance from a point to a center, as both backends compute it. */
export function distance(cx: number, cy: number, px: number, py: number): number {
  const dx = cx - px;
  const dy = cy - py;
  return Math.sqrt(dx * dx + dy * dy);
}

/** Whether a distance counts as close. */
export function isClose(d: number, maxDist: number, inclusive: boolean): boolean {
  return inclusive ? d <= maxDist : d < maxDist;
}

/** Mean Earth radius (IUGG), metres: the radius of `metric: "haversine"`. */
export const EARTH_RADIUS_M = 6371008.8;

const RAD = Math.PI / 180;

/**
 * Great-circle distance in metres between `(lon1, lat1)` and `(lon2, lat2)`
 * (degrees), haversine formula, operation for operation like the Rust
 * kernel (crates/polygon/src/geometry.rs). The trigonometric functions are
 * V8's there and Rust's libm here: they may differ in the last bit. Callers
 * pass the center first, then the point.
 */
export function haversine(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const s1 = Math.sin(((lat2 - lat1) * RAD) / 2);
  const s2 = Math.sin(((lon2 - lon1) * RAD) / 2);
  const a = s1 * s1 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * s2 * s2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(Math.sqrt(a), 1));
}
