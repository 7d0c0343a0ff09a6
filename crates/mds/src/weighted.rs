//! One weighted Guttman transform: X <- V^+ B(X) X (see `weights.rs`),
//! with b_ij = -w_ij delta_ij / d_ij (d_ij = 0 replaced by 1e-5, as the
//! unweighted pass), together with the weighted stress
//! sum_{i<j} w_ij (d_ij - delta_ij)^2 and sum_{i<j} w_ij d_ij^2 of X.
//!
//! Rows run in parallel; each row visits its columns in index order and
//! the row sums are combined in row order, so the bits do not depend on the
//! thread count. Pairs with zero weight are skipped (no square root). Each
//! row reads row i of the dissimilarities and weights whole (both are
//! symmetric within the tolerance), i.e. every pair twice: simpler than the
//! unweighted pair-once stripes, and the solve costs as much anyway.

use rayon::prelude::*;

use crate::guttman::ZERO_DISTANCE;
use crate::weights::WeightFactor;

pub(crate) struct WeightedWorkspace {
    factor: WeightFactor,
    rows: Vec<(f64, f64)>,
}

impl WeightedWorkspace {
    pub(crate) fn new(w: &[f64], n: usize) -> Result<Self, crate::error::MdsError> {
        Ok(Self {
            factor: WeightFactor::new(w, n)?,
            rows: fastkernels_common::alloc::filled(n, (0.0, 0.0), "the SMACOF workspace")?,
        })
    }
}

/// `next` = weighted Guttman transform of `x`; returns (stress, weighted
/// sum of squared distances) of `x` over pairs i < j.
pub(crate) fn weighted_pass(
    delta: &[f64],
    w: &[f64],
    n: usize,
    dims: usize,
    x: &[f64],
    next: &mut [f64],
    ws: &mut WeightedWorkspace,
) -> (f64, f64) {
    next.par_chunks_mut(dims)
        .zip(ws.rows.par_iter_mut())
        .enumerate()
        .for_each(|(i, (acc, stats))| {
            acc.fill(0.0);
            let xi = &x[i * dims..(i + 1) * dims];
            let (drow, wrow) = (&delta[i * n..(i + 1) * n], &w[i * n..(i + 1) * n]);
            let (mut stress, mut squares) = (0.0, 0.0);
            for j in 0..n {
                let wij = wrow[j];
                if j == i || wij == 0.0 {
                    continue;
                }
                let xj = &x[j * dims..(j + 1) * dims];
                let mut q = 0.0;
                for k in 0..dims {
                    let t = xi[k] - xj[k];
                    q += t * t;
                }
                let d = q.sqrt();
                let e = d - drow[j];
                stress += wij * (e * e);
                squares += wij * q;
                let ratio = wij * drow[j] / if d == 0.0 { ZERO_DISTANCE } else { d };
                for k in 0..dims {
                    acc[k] += ratio * (xi[k] - xj[k]);
                }
            }
            *stats = (stress, squares);
        });
    ws.factor.solve(next, dims);
    let (stress, squares) = ws
        .rows
        .iter()
        .fold((0.0, 0.0), |(s, q), r| (s + r.0, q + r.1));
    (stress / 2.0, squares / 2.0)
}
