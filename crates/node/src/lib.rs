//! The Node.js binding of fastkernels.
//!
//! This crate only converts types, maps errors and schedules work; the math
//! lives in the kernel crates. Every exported kernel runs through [`run`], so
//! sync and async calls share one compute path, the bounded pools of
//! [`pool`], the admission of async jobs and one panic guard.
//!
//! The `debug-entry-points` feature adds the `__debug*` exports used by the
//! panic tests; the release addon is built without it.

#![deny(clippy::all)]
// Kernel errors carry argument names and values for their messages (some are
// over 128 bytes); they are returned at most once per call, never per element.
#![allow(clippy::result_large_err)]
// Under `cfg(test)` the napi macros register nothing, so every export looks unused.
#![cfg_attr(test, allow(dead_code))]

mod buffers;
mod cancel;
mod color;
#[cfg(feature = "debug-entry-points")]
mod debug;
mod errors;
mod gmm;
mod gmm_multivariate;
mod mds;
mod polygon;
mod pool;
mod run;

pub use cancel::CancelToken;
