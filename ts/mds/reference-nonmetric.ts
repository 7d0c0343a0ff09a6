/**
 * TypeScript reference of non-metric SMACOF's disparities, the same
 * algorithm as `crates/mds/src/nonmetric.rs` and scikit-learn 1.9.1's
 * `_smacof_single(metric=False)`: pairs with a non-zero dissimilarity are
 * ranked once; each iteration averages the distances of tied
 * dissimilarities, runs pool-adjacent-violators (scikit-learn's
 * `_inplace_contiguous_isotonic_regression`) and scales the disparities so
 * that their squares sum to n (n - 1) / 2. Zero dissimilarities are
 * missing: their disparity stays 0.
 */

/** The fitted dissimilarity -> disparity map of a non-metric fit. */
export interface DisparityMap {
  x: Float64Array;
  y: Float64Array;
}

/** Linear interpolation in the map, clipped to its ends; 0 stays 0 (missing). */
export function mapDisparity(map: DisparityMap | undefined, delta: number): number {
  if (!map) return delta;
  const { x, y } = map;
  if (delta === 0) return 0;
  if (delta <= x[0]) return y[0];
  const last = x.length - 1;
  if (delta >= x[last]) return y[last];
  let lo = 0;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x[mid] < delta) lo = mid + 1;
    else hi = mid;
  }
  if (x[lo] === delta) return y[lo];
  const slope = (y[lo] - y[lo - 1]) / (x[lo] - x[lo - 1]);
  return y[lo - 1] + slope * (delta - x[lo - 1]);
}

/** Pool adjacent violators in place (non-decreasing fit), scikit-learn's loop. */
export function isotonicInPlace(y: Float64Array, w: Float64Array): void {
  const n = y.length;
  const target = Array.from({ length: n }, (_, k) => k);
  let i = 0;
  while (i < n) {
    let k = target[i] + 1;
    if (k === n) break;
    if (y[i] < y[k]) {
      i = k;
      continue;
    }
    let sumWy = w[i] * y[i];
    let sumW = w[i];
    for (;;) {
      const prevY = y[k];
      sumWy += w[k] * y[k];
      sumW += w[k];
      k = target[k] + 1;
      if (k === n || prevY < y[k]) {
        y[i] = sumWy / sumW;
        w[i] = sumW;
        target[i] = k - 1;
        target[k - 1] = i;
        if (i > 0) i = target[i - 1];
        break;
      }
    }
  }
  for (let a = 0; a < n; ) {
    const b = target[a] + 1;
    y.fill(y[a], a + 1, b);
    a = b;
  }
}

export class NonMetricModel {
  private readonly order: number[];
  private readonly starts: number[] = [];
  private readonly values: number[] = [];
  private readonly levels: Float64Array;
  /** n x n disparities (symmetric; 0 for missing pairs). */
  readonly disparities: Float64Array;

  constructor(
    private readonly d: Float64Array,
    private readonly n: number,
  ) {
    const order: number[] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (d[i * n + j] !== 0) order.push(i * n + j);
    order.sort((a, b) => d[a] - d[b] || a - b);
    this.order = order;
    order.forEach((idx, k) => {
      if (k === 0 || d[idx] !== d[order[k - 1]]) {
        this.starts.push(k);
        this.values.push(d[idx]);
      }
    });
    this.starts.push(order.length);
    this.levels = new Float64Array(this.values.length);
    this.disparities = new Float64Array(n * n);
  }

  /** Disparities from the dissimilarities (first) or from the distances of x. */
  update(first: boolean, x: Float64Array, dims: number): void {
    const { n, order, starts } = this;
    const groups = this.values.length;
    const y = new Float64Array(groups);
    const w = new Float64Array(groups);
    for (let g = 0; g < groups; g++) {
      const [a, b] = [starts[g], starts[g + 1]];
      if (first) {
        y[g] = this.values[g];
      } else {
        let sum = 0;
        for (let k = a; k < b; k++) {
          const i = Math.floor(order[k] / n);
          const j = order[k] - i * n;
          let q = 0;
          for (let c = 0; c < dims; c++) q += (x[i * dims + c] - x[j * dims + c]) ** 2;
          sum += Math.sqrt(q);
        }
        y[g] = sum / (b - a);
      }
      w[g] = b - a;
    }
    if (!first) isotonicInPlace(y, w);
    let squares = 0;
    for (let g = 0; g < groups; g++) squares += (starts[g + 1] - starts[g]) * (y[g] * y[g]);
    const scale = squares > 0 ? Math.sqrt((n * (n - 1)) / 2 / squares) : 1;
    for (let g = 0; g < groups; g++) {
      const level = y[g] * scale;
      this.levels[g] = level;
      for (let k = starts[g]; k < starts[g + 1]; k++) {
        const idx = order[k];
        const i = Math.floor(idx / n);
        const j = idx - i * n;
        this.disparities[idx] = level;
        this.disparities[j * n + i] = level;
      }
    }
  }

  /** [stress, sum of squared distances] of x against the disparities, pairs i < j (missing pairs included). */
  measure(x: Float64Array, dims: number): [number, number] {
    const { n } = this;
    let stress = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let q = 0;
        for (let c = 0; c < dims; c++) q += (x[i * dims + c] - x[j * dims + c]) ** 2;
        const e = Math.sqrt(q) - this.disparities[i * n + j];
        stress += e * e;
        squares += q;
      }
    }
    return [stress, squares];
  }

  map(): DisparityMap {
    return { x: Float64Array.from(this.values), y: Float64Array.from(this.levels) };
  }
}
