//! Per-pair weights of weighted SMACOF: their validation and the one
//! factorisation the weighted Guttman transform needs.
//!
//! Weighted stress is sum_{i<j} w_ij (d_ij - delta_ij)^2; its Guttman
//! transform is X <- V^+ B(X) X with V = sum_{i<j} w_ij (e_i - e_j)(e_i - e_j)^T
//! (de Leeuw; Borg & Groenen, ch. 8). For a connected weight graph V has
//! rank n - 1 with null space 1, so A = V + 1 1^T / n is positive definite
//! and A^{-1} = V^+ + 1 1^T / n. B(X) X has zero column sums, so
//! V^+ B(X) X = A^{-1} B(X) X: one Cholesky factorisation of A before the
//! first iteration, two triangular solves per iteration.
//!
//! Determinism: the factorisation is blocked by `BLOCK` columns; within a
//! panel every row is updated by one task with a fixed summation order, so
//! the factor is the same bit for bit for every thread count.

use fastkernels_common::js_number;
use rayon::prelude::*;

use crate::error::MdsError;
use crate::guttman::{lane_sum, LANES};
use crate::input::{check_matrix_size, zeros, SYMMETRY_TOLERANCE};

/// Columns per panel of the blocked factorisation.
const BLOCK: usize = 64;

fn within_tolerance(a: f64, b: f64) -> bool {
    (a - b).abs() <= SYMMETRY_TOLERANCE * a.abs().max(b.abs()).max(1.0)
}

/// Scans an n x n weight matrix in the TS reference's order: every entry
/// finite and >= 0 (index order), symmetric within the tolerance (row by
/// row, upper triangle), every point with a positive weight to another
/// point, and the graph of positive weights connected (breadth-first from
/// point 0 in index order; the first unreached point is named). The
/// diagonal is not used.
pub fn check_weights(w: &[f64], n: usize) -> Result<(), MdsError> {
    let len = check_matrix_size("options.weights", n)?;
    if w.len() != len {
        return Err(MdsError::invalid(format!(
            "options.weights must have length {len} (n x n with n = {n}), got length {}",
            w.len()
        )));
    }
    if let Some(k) = w.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(MdsError::invalid(format!(
            "options.weights[{k}] must be a finite number >= 0, got {}",
            js_number(w[k])
        )));
    }
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = (w[i * n + j], w[j * n + i]);
            if !within_tolerance(a, b) {
                return Err(MdsError::invalid(format!(
                    "options.weights must be symmetric: [{i}][{j}] = {} but [{j}][{i}] = {}",
                    js_number(a),
                    js_number(b)
                )));
            }
        }
    }
    for i in 0..n {
        let row = &w[i * n..(i + 1) * n];
        if !row.iter().enumerate().any(|(j, v)| j != i && *v > 0.0) {
            return Err(MdsError::invalid(format!(
                "options.weights: point {i} has no positive weight to another point (every point needs at least one)"
            )));
        }
    }
    let mut seen = vec![false; n];
    let mut queue = std::collections::VecDeque::from([0usize]);
    seen[0] = true;
    while let Some(i) = queue.pop_front() {
        for j in 0..n {
            if !seen[j] && j != i && w[i * n + j] > 0.0 {
                seen[j] = true;
                queue.push_back(j);
            }
        }
    }
    if let Some(k) = seen.iter().position(|s| !s) {
        return Err(MdsError::invalid(format!(
            "options.weights: the positive weights do not connect the points (point {k} cannot be reached from point 0); weighted SMACOF needs a connected graph"
        )));
    }
    Ok(())
}

/// Dot product in `LANES` interleaved partial sums, combined in a fixed
/// order (vectorised; no FMA, so the same bits at every SIMD level).
#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let mut s = [0.0f64; LANES];
    let full = len - len % LANES;
    for k in (0..full).step_by(LANES) {
        for l in 0..LANES {
            s[l] += a[k + l] * b[k + l];
        }
    }
    for k in full..len {
        s[k - full] += a[k] * b[k];
    }
    lane_sum(s)
}

/// The lower Cholesky factor of A = V + 1 1^T / n, row-major n x n (only the
/// lower triangle is meaningful).
pub(crate) struct WeightFactor {
    n: usize,
    l: Vec<f64>,
}

impl WeightFactor {
    /// Builds A from the (validated) weights and factors it.
    pub(crate) fn new(w: &[f64], n: usize) -> Result<Self, MdsError> {
        let mut l = zeros(n * n, "the weighted SMACOF factor")?;
        let inv_n = 1.0 / n as f64;
        // Only the upper triangle of `w` is read (as the pass reads it).
        l.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
            let mut degree = 0.0;
            for j in 0..i {
                let v = w[j * n + i];
                degree += v;
                row[j] = inv_n - v;
            }
            for v in &w[i * n + i + 1..(i + 1) * n] {
                degree += v;
            }
            row[i] = degree + inv_n;
        });
        factor(&mut l, n)?;
        Ok(Self { n, l })
    }

    /// Solves A Y = R for `dims` right-hand sides, in place (R and Y n x dims,
    /// row-major), through `columns` (n x dims scratch, coordinate-major):
    /// forward with L, then backward with L^T in column form, so both read
    /// each row of L once for all right-hand sides.
    pub(crate) fn solve(&self, y: &mut [f64], dims: usize, columns: &mut [f64]) {
        let (n, l) = (self.n, &self.l);
        for (j, row) in y.chunks_exact(dims).enumerate() {
            for (k, v) in row.iter().enumerate() {
                columns[k * n + j] = *v;
            }
        }
        for i in 0..n {
            let row = &l[i * n..i * n + i];
            for k in 0..dims {
                let col = &mut columns[k * n..(k + 1) * n];
                col[i] = (col[i] - dot(row, &col[..i])) / l[i * n + i];
            }
        }
        for i in (0..n).rev() {
            let row = &l[i * n..i * n + i];
            for k in 0..dims {
                let col = &mut columns[k * n..(k + 1) * n];
                col[i] /= l[i * n + i];
                let v = col[i];
                for (c, lv) in col[..i].iter_mut().zip(row) {
                    *c -= lv * v;
                }
            }
        }
        for (j, row) in y.chunks_exact_mut(dims).enumerate() {
            for (k, v) in row.iter_mut().enumerate() {
                *v = columns[k * n + j];
            }
        }
    }
}

/// In-place blocked Cholesky of the lower triangle of `a` (n x n
/// row-major). A pivot that is not positive (a numerically disconnected
/// weight graph) is an error naming the point.
fn factor(a: &mut [f64], n: usize) -> Result<(), MdsError> {
    let mut diag = vec![0.0; BLOCK * BLOCK];
    let mut panel = zeros(n * BLOCK, "the weighted SMACOF factor")?;
    for k0 in (0..n).step_by(BLOCK) {
        let k1 = (k0 + BLOCK).min(n);
        let nb = k1 - k0;
        // 1. The diagonal block (already updated by the previous panels).
        for i in k0..k1 {
            for j in k0..=i {
                let s = a[i * n + j] - dot(&a[i * n + k0..i * n + j], &a[j * n + k0..j * n + j]);
                if i == j {
                    if !(s > 0.0 && s.is_finite()) {
                        return Err(MdsError::invalid(format!(
                            "options.weights: the weighted SMACOF matrix is not positive definite at point {i} (pivot {}); the positive weights barely connect the points",
                            js_number(s)
                        )));
                    }
                    a[i * n + i] = s.sqrt();
                } else {
                    a[i * n + j] = s / a[j * n + j];
                }
            }
        }
        for i in 0..nb {
            for j in 0..nb {
                diag[i * BLOCK + j] = a[(k0 + i) * n + k0 + j];
            }
        }
        let (_, below) = a.split_at_mut(k1 * n);
        // 2. The panel below the diagonal block: one task per row.
        below.par_chunks_mut(n).for_each(|row| {
            for j in 0..nb {
                let s = row[k0 + j] - dot(&row[k0..k0 + j], &diag[j * BLOCK..j * BLOCK + j]);
                row[k0 + j] = s / diag[j * BLOCK + j];
            }
        });
        let rows = n - k1;
        for r in 0..rows {
            panel[r * BLOCK..r * BLOCK + nb].copy_from_slice(&below[r * n + k0..r * n + k1]);
        }
        // 3. The trailing update of the lower triangle: row i subtracts the
        // panel products with every row j <= i.
        let panel = &panel[..];
        below.par_chunks_mut(n).enumerate().for_each(|(r, row)| {
            let pi = &panel[r * BLOCK..r * BLOCK + nb];
            for c in 0..=r {
                let pj = &panel[c * BLOCK..c * BLOCK + nb];
                row[k1 + c] -= dot(pi, pj);
            }
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    fn random_weights(n: usize, seed: u32) -> Vec<f64> {
        let mut rng = crate::random::Mulberry32::new(seed);
        let mut w = vec![0.0; n * n];
        for i in 0..n {
            for j in i + 1..n {
                let v = if rng.next_f64() < 0.3 {
                    0.0
                } else {
                    rng.next_f64()
                };
                w[i * n + j] = v;
                w[j * n + i] = v;
            }
        }
        w
    }

    #[test]
    fn solves_the_pseudo_inverse_system_for_every_thread_count() {
        for n in [2, 5, 64, 65, 150] {
            let mut w = random_weights(n, n as u32);
            for i in 0..n - 1 {
                w[i * n + i + 1] = 0.5;
                w[(i + 1) * n + i] = 0.5;
            }
            check_weights(&w, n).unwrap();
            let one = pool(1).install(|| WeightFactor::new(&w, n).unwrap());
            for threads in [2, 3] {
                let many = pool(threads).install(|| WeightFactor::new(&w, n).unwrap());
                assert!(one
                    .l
                    .iter()
                    .zip(&many.l)
                    .all(|(a, b)| a.to_bits() == b.to_bits()));
            }
            // A y = r with r centred gives V y = r (y centred).
            let mut rng = crate::random::Mulberry32::new(3);
            let mut r: Vec<f64> = (0..n * 2).map(|_| rng.next_f64()).collect();
            for k in 0..2 {
                let mean = (0..n).map(|i| r[i * 2 + k]).sum::<f64>() / n as f64;
                (0..n).for_each(|i| r[i * 2 + k] -= mean);
            }
            let mut y = r.clone();
            one.solve(&mut y, 2, &mut vec![0.0; n * 2]);
            for i in 0..n {
                for k in 0..2 {
                    let mut v = 0.0;
                    for j in 0..n {
                        if j != i {
                            v += w[i * n + j] * (y[i * 2 + k] - y[j * 2 + k]);
                        }
                    }
                    assert!(
                        (v - r[i * 2 + k]).abs() < 1e-9,
                        "n {n}: {v} vs {}",
                        r[i * 2 + k]
                    );
                }
            }
        }
    }

    #[test]
    fn bad_weights_are_named() {
        let msg = |w: &[f64], n| check_weights(w, n).unwrap_err().to_string();
        assert_eq!(
            msg(&[0.0, -1.0, -1.0, 0.0], 2),
            "options.weights[1] must be a finite number >= 0, got -1"
        );
        assert_eq!(
            msg(&[0.0, 1.0, 2.0, 0.0], 2),
            "options.weights must be symmetric: [0][1] = 1 but [1][0] = 2"
        );
        assert_eq!(
            msg(&[5.0, 0.0, 0.0, 0.0], 2),
            "options.weights: point 0 has no positive weight to another point (every point needs at least one)"
        );
        let w = [
            0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0,
        ];
        assert_eq!(
            msg(&w, 4),
            "options.weights: the positive weights do not connect the points (point 2 cannot be reached from point 0); weighted SMACOF needs a connected graph"
        );
        assert_eq!(
            msg(&[0.0; 3], 2),
            "options.weights must have length 4 (n x n with n = 2), got length 3"
        );
    }
}
