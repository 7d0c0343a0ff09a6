//! Debug-only entry points, used by the test suite to prove that a panic in a
//! kernel becomes a rejected Error in both the sync and the async path. They
//! are not part of the public TS API.

use napi::bindgen_prelude::Object;
use napi::{Env, Result};
use napi_derive::napi;

use crate::run::{run_async, run_sync};

fn panicking_kernel(message: String) -> Result<f64> {
    panic!("{message}")
}

#[napi(js_name = "__debugPanicSync")]
pub fn debug_panic_sync(message: String, threads: u32) -> Result<f64> {
    run_sync("debugPanic", threads, move || panicking_kernel(message))
}

#[napi(js_name = "__debugPanicAsync", ts_return_type = "Promise<number>")]
pub fn debug_panic_async(env: &Env, message: String, threads: u32) -> Result<Object<'_>> {
    run_async(
        env,
        "debugPanic",
        threads,
        move || panicking_kernel(message),
        Ok,
    )
}

/// Panics inside a parallel iterator, on whichever pool thread runs the last
/// item: proves that a panic on a worker thread other than the caller's is
/// carried back by rayon and caught by the same guard.
fn panicking_parallel_kernel(message: String, items: u32) -> Result<f64> {
    use rayon::prelude::*;
    let last = items.saturating_sub(1);
    let sum = (0..items)
        .into_par_iter()
        .map(|i| {
            if i == last {
                panic!("{message}");
            }
            f64::from(i)
        })
        .sum();
    Ok(sum)
}

#[napi(js_name = "__debugPanicParallelSync")]
pub fn debug_panic_parallel_sync(message: String, items: u32, threads: u32) -> Result<f64> {
    run_sync("debugPanicParallel", threads, move || {
        panicking_parallel_kernel(message, items)
    })
}

#[napi(
    js_name = "__debugPanicParallelAsync",
    ts_return_type = "Promise<number>"
)]
pub fn debug_panic_parallel_async(
    env: &Env,
    message: String,
    items: u32,
    threads: u32,
) -> Result<Object<'_>> {
    run_async(
        env,
        "debugPanicParallel",
        threads,
        move || panicking_parallel_kernel(message, items),
        Ok,
    )
}
