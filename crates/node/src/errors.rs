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

/// A number as JavaScript's `String(v)` shows the non-finite ones (`NaN`,
/// `Infinity`, `-Infinity`), so messages match the TypeScript reference's.
pub fn js_number(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_string()
    } else if value.is_infinite() {
        if value > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else if value == 0.0 && value.is_sign_negative() {
        "-0".to_string()
    } else {
        value.to_string()
    }
}

/// The binding's finite-value scan (a RangeError naming the first bad value),
/// worded as the reference's `name[i] must be a finite number, got v`.
pub fn check_finite(name: &str, values: &[f64]) -> napi::Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(Error::new(
            Status::InvalidArg,
            format!(
                "{name}[{index}] must be a finite number, got {}",
                js_number(values[index])
            ),
        )),
        None => Ok(()),
    }
}
