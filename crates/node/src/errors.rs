//! The one place where kernel errors and panics become JS-facing errors.
//!
//! The error's `code` (the napi status) carries the class; the TS layer turns
//! `InvalidArg` into `RangeError`, `ObjectExpected` into `TypeError` and
//! `Cancelled` into an `AbortError`.

use std::any::Any;

use fastkernels_common::{Classify, ErrorClass};
use napi::{Error, Status};

pub fn kernel_error<E: Classify>(error: E) -> Error {
    let status = match error.class() {
        ErrorClass::Type => Status::ObjectExpected,
        ErrorClass::Range => Status::InvalidArg,
        ErrorClass::Cancelled => Status::Cancelled,
        ErrorClass::Internal => Status::GenericFailure,
    };
    Error::new(status, error.to_string())
}

pub fn panic_error(kernel: &str, payload: Box<dyn Any + Send>) -> Error {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_string());
    Error::new(
        Status::GenericFailure,
        format!(
            "fastkernels: internal error in native {kernel} (a Rust panic was caught): {detail}"
        ),
    )
}
