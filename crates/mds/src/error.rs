//! The one error type of the MDS kernels.

use std::fmt;

use fastkernels_common::{Classify, ErrorClass};

#[derive(Debug, Clone, PartialEq)]
pub enum MdsError {
    /// An argument has a value outside its domain; the message names it.
    Invalid(String),
    /// An n x n matrix larger than the documented limit or than memory allows.
    TooLarge { name: &'static str, n: usize },
    /// The progress hook asked the kernel to stop.
    Cancelled,
}

impl MdsError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }
}

impl fmt::Display for MdsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(message) => f.write_str(message),
            Self::TooLarge { name, n } => write!(
                f,
                "{name}: an n x n matrix with n = {n} cannot be allocated \
                 (at most {} elements, and memory must suffice); use fewer points",
                crate::input::MAX_MATRIX_ELEMENTS
            ),
            Self::Cancelled => f.write_str("the MDS kernel was cancelled"),
        }
    }
}

impl std::error::Error for MdsError {}

impl Classify for MdsError {
    fn class(&self) -> ErrorClass {
        match self {
            Self::Invalid(_) | Self::TooLarge { .. } => ErrorClass::Range,
            Self::Cancelled => ErrorClass::Cancelled,
        }
    }
}
