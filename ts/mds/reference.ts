/**
 * TypeScript reference of the MDS distance kernels: plain loops, the oracle
 * the native kernels are tested against. Inputs are already validated.
 *
 * A distance is the square root of the sum of squared coordinate
 * differences, summed in four interleaved partial sums (coordinate k into
 * partial k mod 4, combined as (s0 + s1) + (s2 + s3)) — the order the Rust
 * kernels use, so both backends give the same bits.
 */
import { allocateMatrix } from "./validate";

export function squaredDistance(x: Float64Array, i: number, y: Float64Array, j: number, dims: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const a = i * dims;
  const b = j * dims;
  let k = 0;
  for (; k + 4 <= dims; k += 4) {
    const d0 = x[a + k] - y[b + k];
    const d1 = x[a + k + 1] - y[b + k + 1];
    const d2 = x[a + k + 2] - y[b + k + 2];
    const d3 = x[a + k + 3] - y[b + k + 3];
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  const rest = [0, 0, 0, 0];
  for (let l = 0; k < dims; k++, l++) {
    const d = x[a + k] - y[b + k];
    rest[l] = d * d;
  }
  return (s0 + rest[0] + (s1 + rest[1])) + (s2 + rest[2] + (s3 + rest[3]));
}

export function distanceMatrixReference(points: Float64Array, dims: number): Float64Array {
  const n = points.length / dims;
  const d = allocateMatrix("points", n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = Math.sqrt(squaredDistance(points, i, points, j, dims));
      d[i * n + j] = v;
      d[j * n + i] = v;
    }
  }
  return d;
}

export function updateDistanceMatrixReference(points: Float64Array, dims: number, distances: Float64Array, i: number): void {
  const n = points.length / dims;
  for (let j = 0; j < n; j++) {
    const v = Math.sqrt(squaredDistance(points, i, points, j, dims));
    distances[i * n + j] = v;
    distances[j * n + i] = v;
  }
}

export function distFromPointReference(points: Float64Array, dims: number, y: Float64Array): Float64Array {
  const n = points.length / dims;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(squaredDistance(points, i, y, 0, dims));
  return out;
}

export function mseReference(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] - b[k]) * (a[k] - b[k]);
  return s;
}

export function rowErrorReference(goal: Float64Array, current: Float64Array, n: number, i: number): number {
  let s = 0;
  for (let j = i * n; j < (i + 1) * n; j++) s += (goal[j] - current[j]) * (goal[j] - current[j]);
  return s;
}

export function rowErrorsReference(goal: Float64Array, current: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rowErrorReference(goal, current, n, i);
  return out;
}
