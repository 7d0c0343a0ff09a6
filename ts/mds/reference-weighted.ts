/**
 * TypeScript reference of weighted SMACOF's Guttman transform, the same
 * algorithm as `crates/mds/src/{weights,weighted}.rs` (plain loops, the
 * oracle): X <- V^+ B(X) X, computed as A^{-1} B(X) X with
 * A = V + 1 1^T / n (positive definite for a connected weight graph; B(X) X
 * has zero column sums, so the two agree). A is factored once (Cholesky);
 * every pass solves with the factor.
 */
const ZERO_DISTANCE = 1e-5;

/** Lower Cholesky factor of A = V + 1 1^T / n (row-major n x n, lower triangle). */
export function weightFactor(w: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  // Only the upper triangle of w is read (as the native kernel does).
  for (let i = 0; i < n; i++) {
    let degree = 0;
    for (let j = 0; j < i; j++) {
      degree += w[j * n + i];
      l[i * n + j] = 1 / n - w[j * n + i];
    }
    for (let j = i + 1; j < n; j++) degree += w[i * n + j];
    l[i * n + i] = degree + 1 / n;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = l[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 0 && Number.isFinite(s))) {
          throw new RangeError(
            `options.weights: the weighted SMACOF matrix is not positive definite at point ${i} (pivot ${s}); the positive weights barely connect the points`,
          );
        }
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j];
      }
    }
  }
  return l;
}

/** Solves A Y = R in place (n x dims), forward with L then backward with L^T. */
export function solveWithFactor(l: Float64Array, n: number, y: Float64Array, dims: number): void {
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dims; k++) {
      let s = y[i * dims + k];
      for (let j = 0; j < i; j++) s -= l[i * n + j] * y[j * dims + k];
      y[i * dims + k] = s / l[i * n + i];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = 0; k < dims; k++) y[i * dims + k] /= l[i * n + i];
    for (let j = 0; j < i; j++) for (let k = 0; k < dims; k++) y[j * dims + k] -= l[i * n + j] * y[i * dims + k];
  }
}

/** One weighted pass: `next` from `x`; returns [stress, sum w d^2] of x over pairs i < j. */
export function weightedPass(
  d: Float64Array,
  w: Float64Array,
  l: Float64Array,
  n: number,
  x: Float64Array,
  dims: number,
  next: Float64Array,
): [number, number] {
  let stress = 0;
  let squares = 0;
  next.fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const wij = w[i * n + j];
      if (j === i || wij === 0) continue;
      let q = 0;
      for (let k = 0; k < dims; k++) q += (x[i * dims + k] - x[j * dims + k]) ** 2;
      const dist = Math.sqrt(q);
      stress += wij * (dist - d[i * n + j]) ** 2;
      squares += wij * q;
      const ratio = (wij * d[i * n + j]) / (dist === 0 ? ZERO_DISTANCE : dist);
      for (let k = 0; k < dims; k++) next[i * dims + k] += ratio * (x[i * dims + k] - x[j * dims + k]);
    }
  }
  solveWithFactor(l, n, next, dims);
  return [stress / 2, squares / 2];
}
