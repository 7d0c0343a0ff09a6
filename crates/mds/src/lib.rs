//! fastkernels-mds: multidimensional scaling kernels in pure Rust.
//!
//! Distance kernels (full matrix, in-place row/column update, distances from
//! one point, squared-error sums), classical (Torgerson) MDS and metric
//! SMACOF. Parallel code runs on rayon's current pool; every result is the
//! same bit for bit whatever the pool size (row-parallel work with a fixed
//! per-row order, fixed-chunk reductions combined in chunk order).

mod classical;
mod distance;
mod eigen;
mod error;
mod fit_error;
mod guttman;
mod input;
mod nonmetric;
mod random;
mod simd;
mod smacof;
mod transform;
mod weighted;
mod weights;

pub use classical::{classical_mds, classical_mds_into};
pub use distance::{
    dist_from_point, dist_from_point_into, distance_matrix, distance_matrix_into,
    update_distance_matrix,
};
pub use error::MdsError;
pub use fit_error::{mds_error_row, mds_error_rows, mds_error_rows_into, mds_error_total, mse};
pub use input::{Dissimilarities, Points, MAX_INPUT_DIMS, MAX_MATRIX_ELEMENTS, SYMMETRY_TOLERANCE};
pub use nonmetric::DisparityMap;
pub use random::Mulberry32;
pub use smacof::{
    smacof, smacof_into, smacof_model_into, Init, SmacofParams, SmacofResult, SmacofStats,
    MAX_ITERATIONS, MAX_N_INIT, MAX_OUTPUT_DIMS,
};
pub use transform::{transform_into, Fitted, TransformParams};
pub use weights::check_weights;
