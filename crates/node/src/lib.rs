//! The Node.js binding of fastkernels.
//!
//! This crate only converts types, maps errors and schedules work; the math
//! lives in the kernel crates. Every exported kernel runs through [`run`], so
//! sync and async calls share one compute path, one pool per thread count and
//! one panic guard.

#![deny(clippy::all)]
// Under `cfg(test)` the napi macros register nothing, so every export looks unused.
#![cfg_attr(test, allow(dead_code))]

mod buffers;
mod cancel;
mod color;
mod debug;
mod errors;
mod gmm;
mod mds;
mod polygon;
mod pool;
mod run;

pub use cancel::CancelToken;
