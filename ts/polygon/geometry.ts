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
