//! The one error type of the colour kernels.

use std::fmt;

use fastkernels_common::alloc::AllocError;
use fastkernels_common::{js_number, Classify, ErrorClass, LimitError};

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
    /// `width` or `height` is 0 or above `u32::MAX` (the binding's type).
    Dimension { name: &'static str, value: usize },
    /// A float channel value is NaN or outside [0, 1].
    OutOfRange {
        name: &'static str,
        index: usize,
        value: f64,
    },
    /// A size-like argument over its documented limit (checked before
    /// anything is allocated).
    Limit(LimitError),
    /// The output could not be allocated.
    Alloc(AllocError),
    /// The caller's output buffer does not have one value per pixel.
    OutputLength { expected: usize, actual: usize },
}

impl From<LimitError> for ColorError {
    fn from(e: LimitError) -> Self {
        Self::Limit(e)
    }
}

impl From<AllocError> for ColorError {
    fn from(e: AllocError) -> Self {
        Self::Alloc(e)
    }
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
            ColorError::Dimension { name, value } => write!(
                f,
                "{name} must be an integer from 1 to {}, got {value}",
                crate::difference::MAX_DIMENSION
            ),
            ColorError::OutOfRange { name, index, value } => write!(
                f,
                "{name}[{index}] must be a finite number from 0 to 1, got {}",
                js_number(*value)
            ),
            ColorError::Limit(e) => e.fmt(f),
            ColorError::Alloc(e) => e.fmt(f),
            ColorError::OutputLength { expected, actual } => write!(
                f,
                "out must have length {expected} (one value per pixel of width x height), got length {actual}"
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
