//! The one error type of the MDS kernels.

use std::fmt;

use fastkernels_common::alloc::AllocError;
use fastkernels_common::{Classify, ErrorClass, LimitError};

#[derive(Debug, Clone, PartialEq)]
pub enum MdsError {
    /// An argument has a value outside its domain; the message names it.
    Invalid(String),
    /// An n x n matrix larger than [`crate::MAX_MATRIX_ELEMENTS`].
    TooLarge { name: &'static str, n: usize },
    /// A size-like argument over its documented limit (checked before
    /// anything is allocated).
    Limit(LimitError),
    /// A data-sized buffer could not be allocated.
    Alloc(AllocError),
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
                "{name}: n = {n} needs an n x n matrix of {} elements, more than the limit of {} (n <= 65536); use fewer points",
                (*n as u128) * (*n as u128),
                crate::input::MAX_MATRIX_ELEMENTS
            ),
            Self::Limit(e) => e.fmt(f),
            Self::Alloc(e) => e.fmt(f),
            Self::Cancelled => f.write_str("the MDS kernel was cancelled"),
        }
    }
}

impl From<LimitError> for MdsError {
    fn from(e: LimitError) -> Self {
        Self::Limit(e)
    }
}

impl From<AllocError> for MdsError {
    fn from(e: AllocError) -> Self {
        Self::Alloc(e)
    }
}

impl std::error::Error for MdsError {}

impl Classify for MdsError {
    fn class(&self) -> ErrorClass {
        match self {
            Self::Invalid(_) | Self::TooLarge { .. } | Self::Limit(_) | Self::Alloc(_) => {
                ErrorClass::Range
            }
            Self::Cancelled => ErrorClass::Cancelled,
        }
    }
}
