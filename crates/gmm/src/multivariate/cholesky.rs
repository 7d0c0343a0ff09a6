//! Cholesky factors of the covariances and the precision Cholesky, as
//! scikit-learn's `_compute_precision_cholesky`:
//! `L = cholesky(cov, lower=True)`, `prec_chol = solve_triangular(L, I, lower=True).T`
//! (full, tied), `prec_chol = 1 / sqrt(cov)` (diag, spherical).
//!
//! For full and tied covariances the precision Cholesky is stored as its
//! transpose `L^-1` (lower triangular), packed row by row (row `b` holds
//! `b + 1` values at offset `b (b + 1) / 2`): then `y = (x - mu)^T prec_chol`
//! is `L^-1 (x - mu)`, one contiguous row per output.

/// Length of a packed lower-triangular d x d matrix.
pub fn packed_len(d: usize) -> usize {
    d * (d + 1) / 2
}

/// The lower Cholesky factor of the symmetric matrix `a` (d x d row-major,
/// only its lower triangle is read) into `l` (d x d row-major, upper part
/// zero). `false` when `a` is not positive definite (a pivot <= 0 or NaN).
pub fn cholesky_lower(a: &[f64], d: usize, l: &mut [f64]) -> bool {
    l.iter_mut().for_each(|v| *v = 0.0);
    for j in 0..d {
        let mut s = a[j * d + j];
        for k in 0..j {
            s -= l[j * d + k] * l[j * d + k];
        }
        if !(s > 0.0 && s.is_finite()) {
            return false;
        }
        let ljj = s.sqrt();
        l[j * d + j] = ljj;
        for i in j + 1..d {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= l[i * d + k] * l[j * d + k];
            }
            l[i * d + j] = s / ljj;
        }
    }
    true
}

/// `L^-1` of a lower-triangular `l` (d x d row-major, non-zero diagonal)
/// by forward substitution on the columns of the identity, as
/// `solve_triangular(L, I, lower=True)`; written packed into `inv`.
pub fn invert_lower(l: &[f64], d: usize, inv: &mut [f64]) {
    // Column c of X = L^-1: X[c][c] = 1 / L[c][c], and for i > c
    // X[i][c] = (0 - sum_{c <= k < i} L[i][k] X[k][c]) / L[i][i].
    let at = |i: usize, j: usize| i * (i + 1) / 2 + j;
    for c in 0..d {
        inv[at(c, c)] = 1.0 / l[c * d + c];
        for i in c + 1..d {
            let mut s = 0.0;
            for k in c..i {
                s -= l[i * d + k] * inv[at(k, c)];
            }
            inv[at(i, c)] = s / l[i * d + i];
        }
    }
}

/// The packed `L^-1` of `cov` (d x d) into `inv` and `sum_j ln prec_chol[j][j]`
/// (scikit-learn's `_compute_log_det_cholesky`), or `None` when `cov` is
/// not positive definite. `l` is d x d scratch.
pub fn precision_cholesky(cov: &[f64], d: usize, l: &mut [f64], inv: &mut [f64]) -> Option<f64> {
    if !cholesky_lower(cov, d, l) {
        return None;
    }
    invert_lower(l, d, inv);
    let mut log_det = 0.0;
    for j in 0..d {
        log_det += inv[j * (j + 1) / 2 + j].ln();
    }
    Some(log_det)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_2x2() {
        // cov = [[4, 2], [2, 5]]: L = [[2, 0], [1, 2]], L^-1 = [[1/2, 0], [-1/4, 1/2]].
        let cov = [4.0, 2.0, 2.0, 5.0];
        let mut l = [0.0; 4];
        let mut inv = [0.0; 3];
        let log_det = precision_cholesky(&cov, 2, &mut l, &mut inv).unwrap();
        assert_eq!(l, [2.0, 0.0, 1.0, 2.0]);
        assert_eq!(inv, [0.5, -0.25, 0.5]);
        // ln det(prec_chol) = -0.5 ln det(cov) = -0.5 ln 16.
        assert!((log_det - (-0.5 * 16f64.ln())).abs() < 1e-15);
    }

    #[test]
    fn inverse_times_factor_is_the_identity() {
        let d = 4;
        // A = B B^T + I for a fixed B.
        let b: Vec<f64> = (0..d * d)
            .map(|i| ((i * 7 % 11) as f64) / 5.0 - 1.0)
            .collect();
        let mut a = vec![0.0; d * d];
        for i in 0..d {
            for j in 0..d {
                a[i * d + j] = (0..d).map(|k| b[i * d + k] * b[j * d + k]).sum::<f64>()
                    + if i == j { 1.0 } else { 0.0 };
            }
        }
        let mut l = vec![0.0; d * d];
        let mut inv = vec![0.0; packed_len(d)];
        precision_cholesky(&a, d, &mut l, &mut inv).unwrap();
        for i in 0..d {
            for j in 0..d {
                let x = |r: usize, c: usize| {
                    if c <= r {
                        inv[r * (r + 1) / 2 + c]
                    } else {
                        0.0
                    }
                };
                let p: f64 = (0..d).map(|k| x(i, k) * l[k * d + j]).sum();
                let e = if i == j { 1.0 } else { 0.0 };
                assert!((p - e).abs() < 1e-12, "({i}, {j}): {p}");
            }
        }
    }

    #[test]
    fn not_positive_definite_is_refused() {
        let mut l = [0.0; 4];
        let mut inv = [0.0; 3];
        assert!(precision_cholesky(&[1.0, 2.0, 2.0, 1.0], 2, &mut l, &mut inv).is_none());
        assert!(precision_cholesky(&[0.0, 0.0, 0.0, 1.0], 2, &mut l, &mut inv).is_none());
        assert!(precision_cholesky(&[f64::NAN, 0.0, 0.0, 1.0], 2, &mut l, &mut inv).is_none());
    }
}
