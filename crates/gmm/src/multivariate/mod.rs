//! Gaussian mixtures in d dimensions with scikit-learn's four covariance
//! types (`full`, `diag`, `spherical`, `tied`), per-row weights and
//! mergeable chunked statistics. One idea per file:
//!
//! - [`model`]: model, shape and data types, their checks and limits;
//! - [`cholesky`]: Cholesky and precision Cholesky of the covariances;
//! - [`density`]: weighted log-densities and the log-sum-exp;
//! - [`stats`]: chunk partials (the E-step), the in-order fold;
//! - [`mstep`]: the M-step from folded statistics;
//! - [`fit`]: EM iterations;
//! - [`predict`]: score samples, labels, responsibilities;
//! - [`distinct`]: distinct 8-bit colours and their counts;
//! - `block`: the E-step of a chunk, eight rows at a time.
//!
//! Every sum over rows goes through fixed chunks of [`STATS_CHUNK`] rows
//! aligned to the global row index, folded in chunk order, so every thread
//! count and every chunk-aligned sharding gives the same bits.

pub(crate) mod block;
pub mod cholesky;
pub mod density;
pub mod distinct;
pub mod fit;
pub mod model;
pub mod mstep;
pub mod predict;
pub mod stats;

pub use density::{Density, Origin};
pub use distinct::{distinct_colors, DistinctColors};
pub use fit::{fit, MvFit, MvFitOptions};
pub use model::{CovarianceType, Model, ModelNames, MvData, Shape, INIT, MAX_DIMS, MODEL};
pub use mstep::{mstep, mstep_from_chunks};
pub use predict::{labels_into, proba_into, score_samples_into};
pub use stats::{fold, folded_statistics, isa_name, statistics, Statistics, STATS_CHUNK};

#[cfg(test)]
mod tests;
