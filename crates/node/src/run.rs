//! The shared compute path of every exported kernel.
//!
//! `run_sync` runs a kernel on the calling (JS) thread inside the pool for the
//! requested thread count. `run_async` queues the same closure on that pool and
//! settles a promise from it, so an async call occupies no libuv thread and
//! concurrent calls share the pool's cores instead of oversubscribing them.
//! Both catch panics, so a bug in a kernel rejects instead of aborting Node.

use std::panic::{catch_unwind, AssertUnwindSafe};

use napi::bindgen_prelude::{Object, ToNapiValue};
use napi::{Env, Result};

use crate::errors::panic_error;
use crate::pool::pool;

fn guarded<T>(kernel: &str, compute: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(compute))
        .unwrap_or_else(|payload| Err(panic_error(kernel, payload)))
}

pub fn run_sync<T: Send>(
    kernel: &str,
    threads: u32,
    compute: impl FnOnce() -> Result<T> + Send,
) -> Result<T> {
    let pool = pool(threads)?;
    guarded(kernel, || pool.install(compute))
}

/// `compute` runs on a pool thread and must own its inputs (copied from JS
/// before the call returns); `finish` runs on the JS thread and builds the JS
/// value from the kernel's plain Rust output.
pub fn run_async<'env, T, J>(
    env: &'env Env,
    kernel: &'static str,
    threads: u32,
    compute: impl FnOnce() -> Result<T> + Send + 'static,
    finish: impl FnOnce(T) -> Result<J> + Send + 'static,
) -> Result<Object<'env>>
where
    T: Send + 'static,
    J: ToNapiValue + 'static,
{
    let pool = pool(threads)?;
    let (deferred, promise) = env.create_deferred()?;
    pool.spawn(move || match guarded(kernel, compute) {
        Ok(value) => deferred.resolve(move |_env| finish(value)),
        Err(error) => deferred.reject(error),
    });
    Ok(promise)
}
