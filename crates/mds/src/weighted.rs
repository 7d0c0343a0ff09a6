//! One weighted Guttman transform: X <- V^+ B(X) X (see `weights.rs`),
//! with b_ij = -w_ij delta_ij / d_ij (d_ij = 0 replaced by 1e-5, as the
//! unweighted pass), together with the weighted stress
//! sum_{i<j} w_ij (d_ij - delta_ij)^2 and sum_{i<j} w_ij d_ij^2 of X.
//!
//! B(X) X comes from the unweighted pass's pair-once stripes with the
//! weights folded into every term (`guttman.rs`: same SIMD levels, same
//! fixed stripe order, so the same bits for every thread count); then two
//! triangular solves with the factor of V + 1 1^T / n.

use crate::guttman::{pass, Workspace};
use crate::input::Dissimilarities;
use crate::weights::WeightFactor;

pub(crate) struct WeightedWorkspace {
    factor: WeightFactor,
    stripes: Workspace,
    /// n x dims scratch of the solve (coordinate-major).
    columns: Vec<f64>,
    dims: usize,
}

impl WeightedWorkspace {
    pub(crate) fn new(w: &[f64], n: usize, dims: usize) -> Result<Self, crate::error::MdsError> {
        Ok(Self {
            factor: WeightFactor::new(w, n)?,
            stripes: Workspace::new(n, dims)?,
            columns: crate::input::zeros(n * dims, "the SMACOF workspace")?,
            dims,
        })
    }
}

/// `next` = weighted Guttman transform of `x`; returns (stress, weighted
/// sum of squared distances) of `x` over pairs i < j.
pub(crate) fn weighted_pass(
    diss: &Dissimilarities<'_>,
    w: &[f64],
    x: &[f64],
    next: &mut [f64],
    ws: &mut WeightedWorkspace,
) -> (f64, f64) {
    let stats = pass(diss, x, next, &mut ws.stripes, Some(w));
    ws.factor.solve(next, ws.dims, &mut ws.columns);
    stats
}
