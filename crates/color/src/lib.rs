//! fastkernels-color: colour-difference kernels for the Gaussian-mixture
//! family's two-image mode. Pure Rust; parallel code runs on the caller's
//! current rayon pool.

mod cie94;
mod difference;
mod error;
mod lab;
mod normalize;
mod pixels;

pub use cie94::cie94;
pub use difference::{cie94_difference, cie94_difference_into, ImagePair, MAX_DIMENSION};
pub use error::ColorError;
pub use fastkernels_common::MAX_OUTPUT_ELEMENTS;
pub use lab::{rgb_to_lab, Lab};
pub use normalize::{normalize, Normalization};
pub use pixels::RgbImage;
