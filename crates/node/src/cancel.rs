//! Cancellation of async kernels: the TS layer links an AbortSignal to a
//! token; iterative kernels poll it at iteration boundaries.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use fastkernels_common::Flow;
use napi_derive::napi;

#[napi]
#[derive(Default)]
pub struct CancelToken {
    flag: Arc<AtomicBool>,
}

#[napi]
impl CancelToken {
    #[napi(constructor)]
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the running kernel to stop at its next iteration boundary.
    #[napi]
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::Relaxed);
    }

    #[napi(getter)]
    pub fn cancelled(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }
}

/// A Send handle on a token's flag, for use inside a kernel's progress hook.
#[derive(Clone, Default)]
pub struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    pub fn of(token: Option<&CancelToken>) -> Self {
        token.map_or_else(Self::default, |t| Self(Arc::clone(&t.flag)))
    }

    pub fn flow(&self) -> Flow {
        if self.0.load(Ordering::Relaxed) {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }
}
