//! Vocabulary shared by the fastkernels kernel crates.
//!
//! Kernels know nothing of JavaScript. They report failures through their own
//! error enums, which implement [`Classify`] so that the binding crate can turn
//! every kernel's errors into the right JS error class with one function.

pub mod alloc;
pub mod isa;
pub mod jsfmt;
pub mod limits;
pub mod reduce;

use std::fmt;

pub use jsfmt::js_number;
pub use limits::{LimitError, MAX_OUTPUT_ELEMENTS, MAX_THREADS};

/// The class of a kernel error, as the binding crate will surface it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// An argument has the wrong shape or type (JS `TypeError`).
    Type,
    /// An argument has a value outside its domain (JS `RangeError`).
    Range,
    /// The caller asked the kernel to stop (JS `AbortError`).
    Cancelled,
    /// A failure that is neither the caller's input nor a cancellation.
    Internal,
}

/// Implemented by every kernel error enum.
pub trait Classify: fmt::Display {
    fn class(&self) -> ErrorClass;
}

/// What an iterative kernel's progress hook answers after each iteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// Progress hook for iterative kernels: called once per completed iteration
/// with the iteration number (1-based) and the objective after it. Returning
/// [`Flow::Stop`] makes the kernel return its `Cancelled` error.
pub type ProgressHook<'a> = &'a mut dyn FnMut(usize, f64) -> Flow;

/// A hook that never stops, for callers without cancellation or progress.
pub fn no_progress(_iteration: usize, _objective: f64) -> Flow {
    Flow::Continue
}
