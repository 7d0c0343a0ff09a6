//! The one error type of the GMM kernels.

use std::fmt;

use fastkernels_common::{Classify, ErrorClass};

/// Why a GMM kernel refused its input or stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum GmmError {
    /// The mixture has no component.
    NoComponents,
    /// Two per-component arrays have different lengths.
    LengthMismatch {
        name: &'static str,
        expected: usize,
        actual: usize,
    },
    /// A standard deviation (or variance) is not a finite number > 0.
    NonPositiveScale {
        name: &'static str,
        index: usize,
        value: f64,
    },
    /// A weight is negative or not finite.
    BadWeight { index: usize, value: f64 },
    /// Every weight is zero, so no component can explain any sample.
    AllWeightsZero,
    /// A mean is not finite.
    BadMean { index: usize, value: f64 },
    /// The data is empty.
    EmptyData,
    /// A data value is NaN or infinite.
    NonFiniteData { index: usize, value: f64 },
    /// An option is outside its domain.
    BadOption {
        name: &'static str,
        value: f64,
        domain: &'static str,
    },
    /// More components than the label type can hold.
    TooManyLabels { components: usize },
    /// The progress hook asked the fit to stop.
    Cancelled,
}

impl fmt::Display for GmmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoComponents => write!(f, "the mixture must have at least 1 component, got 0"),
            Self::LengthMismatch { name, expected, actual } => write!(
                f,
                "{name} must have length {expected} (one value per component), got length {actual}"
            ),
            Self::NonPositiveScale { name, index, value } => {
                write!(f, "{name}[{index}] must be a finite number > 0, got {}", show(*value))
            }
            Self::BadWeight { index, value } => {
                write!(f, "weights[{index}] must be a finite number >= 0, got {}", show(*value))
            }
            Self::AllWeightsZero => write!(f, "weights must contain at least one value > 0, got all zeros"),
            Self::BadMean { index, value } => {
                write!(f, "means[{index}] must be a finite number, got {}", show(*value))
            }
            Self::EmptyData => write!(f, "data must not be empty, got length 0"),
            Self::NonFiniteData { index, value } => {
                write!(f, "data[{index}] must be a finite number, got {}", show(*value))
            }
            Self::BadOption { name, value, domain } => {
                write!(f, "{name} must be {domain}, got {}", show(*value))
            }
            Self::TooManyLabels { components } => write!(
                f,
                "predictGmm returns 8-bit labels, so the model can have at most 256 components, got {components}"
            ),
            Self::Cancelled => write!(f, "the GMM fit was cancelled"),
        }
    }
}

/// Renders a number the way JavaScript does for the values that matter here.
fn show(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value == f64::INFINITY {
        "Infinity".into()
    } else if value == f64::NEG_INFINITY {
        "-Infinity".into()
    } else if value == 0.0 && value.is_sign_negative() {
        "-0".into()
    } else {
        format!("{value}")
    }
}

impl std::error::Error for GmmError {}

impl Classify for GmmError {
    fn class(&self) -> ErrorClass {
        match self {
            Self::Cancelled => ErrorClass::Cancelled,
            _ => ErrorClass::Range,
        }
    }
}
