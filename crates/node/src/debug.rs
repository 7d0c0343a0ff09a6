//! Debug-only entry points, compiled only with the `debug-entry-points` cargo
//! feature (never in the release addon). The test suite loads a binary built
//! with it (`npm run build:native:debug-addon`) to prove that a panic in a
//! kernel becomes a rejected Error in both the sync and the async path. They
//! are not part of the public TS API.
//!
//! They are also the example of [`kernel_pair!`]: each pair is declared once.

use crate::run::kernel_pair;

fn panicking_kernel(message: String) -> napi::Result<f64> {
    panic!("{message}")
}

kernel_pair! {
    doc = "Panics with `message` inside the kernel guard.",
    kernel = "debugPanic",
    sync = debug_panic_sync as "__debugPanicSync",
    async = debug_panic_async as "__debugPanicAsync" -> "Promise<number>",
    args = (message: String, threads: u32),
    threads = threads,
    returns = f64,
    state = message,
    compute = |message: &mut String| panicking_kernel(message.clone()),
    finish = Ok,
}

/// Panics inside a parallel iterator, on whichever pool thread runs the last
/// item: proves that a panic on a worker thread other than the caller's is
/// carried back by rayon and caught by the same guard.
fn panicking_parallel_kernel(message: String, items: u32) -> napi::Result<f64> {
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

kernel_pair! {
    doc = "Panics with `message` on a pool thread, inside a parallel loop of `items` items.",
    kernel = "debugPanicParallel",
    sync = debug_panic_parallel_sync as "__debugPanicParallelSync",
    async = debug_panic_parallel_async as "__debugPanicParallelAsync" -> "Promise<number>",
    args = (message: String, items: u32, threads: u32),
    threads = threads,
    returns = f64,
    state = (message, items),
    compute = |(message, items): &mut (String, u32)| panicking_parallel_kernel(message.clone(), *items),
    finish = Ok,
}
