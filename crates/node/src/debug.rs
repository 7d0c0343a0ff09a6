//! Debug-only entry points, compiled only with the `debug-entry-points` cargo
//! feature (never in the release addon). The test suite loads a binary built
//! with it (`npm run build:native:debug-addon`) to prove that a panic in a
//! kernel becomes a rejected Error in both the sync and the async path. They
//! are not part of the public TS API.
//!
//! They are also the example of [`kernel_pair!`]: each pair is declared once.

use std::sync::Once;

use crate::run::kernel_pair;

/// Replaces Rust's default panic report (message, then a backtrace when
/// `RUST_BACKTRACE` is set) with one labelled line for the panics raised in
/// this file, which the tests provoke on purpose; any other panic still goes
/// to the previous hook with its full report. The hook is process-wide but
/// belongs to this addon's own copy of `std` (each cdylib links its own), and
/// only the test-only debug addon has this file, so the release addon keeps
/// Rust's default report.
fn label_deliberate_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.location().is_some_and(|at| at.file() == file!()) {
                let payload = info.payload();
                let message = payload
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| payload.downcast_ref::<&str>().copied())
                    .unwrap_or("(non-string payload)");
                eprintln!("fastkernels test: deliberate panic (the kernel guard turns it into an Error): {message}");
            } else {
                previous(info);
            }
        }));
    });
}

fn panicking_kernel(message: String) -> napi::Result<f64> {
    label_deliberate_panics();
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
    label_deliberate_panics();
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
