//! fastkernels-gmm: one-dimensional Gaussian-mixture kernels (EM image
//! segmentation), pure Rust and parallel on rayon's current pool.
//!
//! - [`expsum_stable`], [`responsibilities`], [`log_likelihood`]: the
//!   original's numerically stable E-step quantities, per sample.
//! - [`fit_gmm`]: EM with one fused pass per iteration (E-step, M-step
//!   statistics and log-likelihood together, never N x K in memory); 8-bit
//!   samples run on their 256-bin histogram.
//! - [`predict_labels`], [`predict_proba`]: segmentation with a fitted model.

// Lane loops index several fixed-size arrays in step on purpose: that is the
// shape LLVM turns into vector instructions.
#![allow(clippy::needless_range_loop)]

mod elementwise;
mod error;
mod fastexp;
mod fit;
mod histogram;
mod isa;
mod lanes;
mod mixture;
mod pass;
mod predict;

pub use elementwise::{expsum_stable, log_likelihood, responsibilities, Expsum};
pub use error::GmmError;
pub use fit::{fit_gmm, FitOptions, GmmFit, Init, Samples, EMPTY_MASS};
pub use histogram::histogram;
pub use isa::{detect as instruction_set, Isa};
pub use mixture::Mixture;
pub use predict::{predict_labels, predict_proba, MAX_LABELS};

/// Checks the samples of a per-sample kernel (non-empty, all finite).
pub fn check_samples(x: &[f64]) -> Result<(), GmmError> {
    fit::check_values(x)
}
