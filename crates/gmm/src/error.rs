//! The one error type of the GMM kernels. Messages are the TS layer's
//! (`ts/gmm/validate.ts`, `ts/validate.ts`) word for word: the native path
//! is checked only here.

use std::fmt;

use fastkernels_common::alloc::AllocError;
use fastkernels_common::{js_number, Classify, ErrorClass, LimitError};

/// Why a GMM kernel refused its input or stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum GmmError {
    /// The mixture has no component (`name` is its weights argument).
    NoComponents { name: &'static str },
    /// A per-component array does not have one value per component.
    LengthMismatch {
        name: &'static str,
        expected: usize,
        actual: usize,
        /// Why that length, e.g. "one value per component, like weights".
        because: String,
    },
    /// A standard deviation (or variance) is not a finite number > 0.
    NonPositiveScale {
        name: &'static str,
        index: usize,
        value: f64,
    },
    /// A weight is negative or not finite.
    BadWeight {
        name: &'static str,
        index: usize,
        value: f64,
    },
    /// Every weight is zero, so no component can explain any sample.
    AllWeightsZero { name: &'static str },
    /// A mean is not finite.
    BadMean {
        name: &'static str,
        index: usize,
        value: f64,
    },
    /// The data is empty; `kind` is its typed-array name ("Float64Array").
    EmptyData {
        name: &'static str,
        kind: &'static str,
    },
    /// A data value is NaN or infinite.
    NonFiniteData {
        name: &'static str,
        index: usize,
        value: f64,
    },
    /// An option is outside its domain.
    BadOption {
        name: &'static str,
        value: f64,
        domain: &'static str,
    },
    /// More components than the label type can hold.
    TooManyLabels { components: usize },
    /// A size-like argument over its documented limit (checked before
    /// anything is allocated).
    Limit(LimitError),
    /// A data-sized buffer could not be allocated.
    Alloc(AllocError),
    /// A caller's output buffer has the wrong length.
    OutputLength {
        name: &'static str,
        expected: usize,
        actual: usize,
        because: &'static str,
    },
    /// The progress hook asked the fit to stop.
    Cancelled,
    /// A covariance type other than the four (multivariate path).
    BadCovarianceType { name: &'static str, value: String },
    /// A covariance of the model is not positive definite. `component` is
    /// `None` for the tied covariance; `reg_covar` is `Some` when the matrix
    /// came out of an M-step (the error then suggests a larger regCovar),
    /// `None` when the caller gave it (`name` is the model argument).
    NotPositiveDefinite {
        name: &'static str,
        component: Option<usize>,
        reg_covar: Option<f64>,
    },
    /// The data is not a whole number of rows of `row_width` values.
    RaggedData { length: usize, row_width: usize },
    /// A size-like option outside its integer range (`from min to max`).
    IntegerRange {
        name: String,
        value: f64,
        min: usize,
        max: usize,
    },
    /// Two arguments that must agree do not (`what` says how).
    Mismatch { name: &'static str, what: String },
    /// A shard's first row is not at a chunk boundary.
    MisalignedShard { row_offset: usize, chunk: usize },
}

impl fmt::Display for GmmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoComponents { name } => {
                write!(f, "{name} must have at least 1 component (K >= 1), got length 0")
            }
            Self::LengthMismatch { name, expected, actual, because } => {
                write!(f, "{name} must have length {expected} ({because}), got length {actual}")
            }
            Self::NonPositiveScale { name, index, value } => {
                write!(f, "{name}[{index}] must be a finite number > 0, got {}", js_number(*value))
            }
            Self::BadWeight { name, index, value } => {
                write!(f, "{name}[{index}] must be a finite number >= 0, got {}", js_number(*value))
            }
            Self::AllWeightsZero { name } => {
                write!(f, "{name} must contain at least one value > 0, got all zeros")
            }
            Self::BadMean { name, index, value } | Self::NonFiniteData { name, index, value } => {
                write!(f, "{name}[{index}] must be a finite number, got {}", js_number(*value))
            }
            Self::EmptyData { name, kind } => write!(f, "{name} must not be empty, got {kind}(0)"),
            Self::BadOption { name, value, domain } => {
                write!(f, "{name} must be {domain}, got {}", js_number(*value))
            }
            Self::TooManyLabels { components } => write!(
                f,
                "predictGmm returns 8-bit labels, so model may have at most {} components, got {components}",
                crate::predict::MAX_LABELS
            ),
            Self::Limit(e) => e.fmt(f),
            Self::Alloc(e) => e.fmt(f),
            Self::OutputLength { name, expected, actual, because } => {
                write!(f, "{name} must have length {expected} ({because}), got length {actual}")
            }
            Self::Cancelled => write!(f, "the GMM fit was cancelled"),
            Self::BadCovarianceType { name, value } => write!(
                f,
                "{name} must be one of 'full', 'diag', 'spherical', 'tied', got \"{value}\""
            ),
            Self::NotPositiveDefinite { name, component, reg_covar } => {
                let which = match component {
                    Some(k) => format!("component {k} covariance"),
                    None => "the tied covariance".to_string(),
                };
                match reg_covar {
                    Some(reg) => write!(
                        f,
                        "{which} is not positive definite after regCovar = {}; increase options.regCovar",
                        js_number(*reg)
                    ),
                    None => write!(f, "{name}: {which} is not positive definite"),
                }
            }
            Self::RaggedData { length, row_width } => write!(
                f,
                "data.length must be a multiple of dims = {row_width}, got {length}"
            ),
            Self::IntegerRange { name, value, min, max } => write!(
                f,
                "{name} must be an integer from {min} to {max}, got {}",
                js_number(*value)
            ),
            Self::Mismatch { name, what } => write!(f, "{name} {what}"),
            Self::MisalignedShard { row_offset, chunk } => write!(
                f,
                "options.rowOffset must be a multiple of the chunk size GMM_STATS_CHUNK = {chunk}, got {row_offset}"
            ),
        }
    }
}

impl From<LimitError> for GmmError {
    fn from(e: LimitError) -> Self {
        Self::Limit(e)
    }
}

impl From<AllocError> for GmmError {
    fn from(e: AllocError) -> Self {
        Self::Alloc(e)
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
