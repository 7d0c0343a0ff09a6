//! fastkernels-gmm: one-dimensional Gaussian-mixture kernels (EM image
//! segmentation), pure Rust and parallel on rayon's current pool.
//!
//! - [`expsum_stable`], [`responsibilities`], [`log_likelihood`]: the
//!   original's numerically stable E-step quantities, per sample.
//! - [`fit_gmm`]: EM with one fused pass per iteration (E-step, M-step
//!   statistics and log-likelihood together, never N x K in memory); 8-bit
//!   samples run on their 256-bin histogram.
//! - [`predict_labels`], [`predict_proba`]: segmentation with a fitted model.
//! - [`multivariate`]: d-dimensional mixtures with scikit-learn's four
//!   covariance types, sample weights and mergeable chunked statistics.
//! - `*_into` variants write into caller buffers (e.g. owned by V8); the
//!   Vec-returning functions allocate fallibly and call them.
//!
//! Size-like arguments are checked against [`MAX_ITERATIONS`],
//! [`MAX_COMPONENTS`], [`MAX_LABELS`] and
//! [`fastkernels_common::MAX_OUTPUT_ELEMENTS`] before anything is allocated.

// Lane loops index several fixed-size arrays in step on purpose: that is the
// shape LLVM turns into vector instructions.
#![allow(clippy::needless_range_loop)]

mod elementwise;
mod error;
mod fastexp;
mod fastln;
mod fit;
mod histogram;
mod lanes;
mod mixture;
pub mod multivariate;
mod pass;
mod predict;

pub use elementwise::{
    expsum_stable, expsum_stable_into, log_likelihood, responsibilities, responsibilities_into,
    Expsum, SAMPLE_CHUNK,
};
pub use error::GmmError;
pub use fastkernels_common::isa::{detect as instruction_set, Isa};
pub use fastkernels_common::reduce::CHUNK as PASS_CHUNK;
pub use fit::{
    fit_gmm, fit_gmm_traced, FitOptions, GmmFit, Init, Samples, Trajectory, DEFAULT_VARIANCE_FLOOR,
    EMPTY_MASS, MAX_ITERATIONS,
};
pub use histogram::histogram;
pub use mixture::{Mixture, MAX_COMPONENTS};
pub use predict::{
    predict_labels, predict_labels_into, predict_proba, predict_proba_into, MAX_LABELS,
};

/// Checks the samples of a per-sample kernel (non-empty, all finite),
/// naming them `intensities` as the TS layer does.
pub fn check_samples(x: &[f64]) -> Result<(), GmmError> {
    fit::check_values("intensities", x)
}
