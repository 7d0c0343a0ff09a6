/**
 * Cholesky factors of the reference: `cov = L L^T` (L lower) and its inverse
 * `L^-1`, whose transpose is scikit-learn's `precisions_cholesky_`
 * (`solve_triangular(L, I, lower=True).T`). Plain loops, row-major d x d.
 */

/**
 * Writes L (lower, row-major d x d, upper part 0) of the d x d matrix at
 * `a[offset..]` (its lower triangle is read) into `out`. Returns false when
 * a pivot is not > 0 (the matrix is not positive definite, or not finite).
 */
export function choleskyLower(a: ArrayLike<number>, offset: number, d: number, out: Float64Array): boolean {
  out.fill(0);
  for (let j = 0; j < d; j++) {
    let s = a[offset + j * d + j];
    for (let k = 0; k < j; k++) s -= out[j * d + k] * out[j * d + k];
    if (!(s > 0) || !Number.isFinite(s)) return false;
    const pivot = Math.sqrt(s);
    out[j * d + j] = pivot;
    for (let i = j + 1; i < d; i++) {
      let t = a[offset + i * d + j];
      for (let k = 0; k < j; k++) t -= out[i * d + k] * out[j * d + k];
      out[i * d + j] = t / pivot;
    }
  }
  return true;
}

/**
 * `L^-1` of a lower-triangular L, by forward substitution column by column
 * (scipy's `solve_triangular(L, I, lower=True)`): `X[i][j] = (delta_ij -
 * sum_{k<i} L[i][k] X[k][j]) / L[i][i]`. Written into `out` (lower).
 */
export function invertLower(l: Float64Array, d: number, out: Float64Array): void {
  out.fill(0);
  for (let j = 0; j < d; j++) {
    for (let i = j; i < d; i++) {
      let s = i === j ? 1 : 0;
      for (let k = j; k < i; k++) s -= l[i * d + k] * out[k * d + j];
      out[i * d + j] = s / l[i * d + i];
    }
  }
}
