//! The one error type of the colour kernels.

use std::fmt;

use fastkernels_common::{Classify, ErrorClass};

#[derive(Debug, Clone, PartialEq)]
pub enum ColorError {
    /// `width * height` (or three times it) does not fit in memory indices.
    DimensionsTooLarge { width: usize, height: usize },
    /// An image does not hold `3 * width * height` channel values.
    LengthMismatch {
        name: &'static str,
        expected: usize,
        actual: usize,
    },
}

impl fmt::Display for ColorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColorError::DimensionsTooLarge { width, height } => write!(
                f,
                "width * height is too large: {width} x {height} pixels cannot be addressed"
            ),
            ColorError::LengthMismatch {
                name,
                expected,
                actual,
            } => write!(
                f,
                "{name} must have length {expected} (3 interleaved RGB values per pixel of width x height), got length {actual}"
            ),
        }
    }
}

impl std::error::Error for ColorError {}

impl Classify for ColorError {
    fn class(&self) -> ErrorClass {
        ErrorClass::Range
    }
}
