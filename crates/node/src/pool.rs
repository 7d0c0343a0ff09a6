//! Process-wide rayon pools, bounded in number and in size.
//!
//! The `threads` argument of a kernel (1..=[`MAX_THREADS`]) asks for a degree
//! of parallelism, not for OS threads. The pool that serves it has
//! `min(threads, available cores)` workers (the *effective size*): more
//! workers than cores only add context switches. Clamping changes no result,
//! by design of the kernels: they split their work into fixed chunks and
//! combine the partial results in a fixed order, whatever the number of
//! workers, so every thread count gives the same bits.
//!
//! Pools are built on first use and kept in a small cache keyed by effective
//! size, at most [`CACHE_CAPACITY`] pools, the least recently used evicted
//! first. Callers hold a pool through an `Arc`, so an evicted pool lives on
//! until its in-flight work ends (a sync call holds it for its duration; an
//! async job takes its pool only when it is admitted, see `run.rs`), then its
//! threads exit. So the number of OS threads this module starts stays bounded
//! whatever sequence of `threads` values a process uses: at most
//! `CACHE_CAPACITY` cached pools of at most `cores` threads each, plus pools
//! kept alive by running calls (bounded by the async admission limit and the
//! number of JS threads in sync calls). One pool per distinct `threads` value
//! (the earlier design) held 2,087 threads after calls with 1..=64.

use std::sync::{Arc, Mutex, OnceLock};

use napi::bindgen_prelude::retain_current_module_for_unload_safety;
use napi::{Error, Result, Status};
use rayon::ThreadPool;

/// Largest `threads` value accepted (defined once, in `fastkernels-common`;
/// the TS layer reads it from the generated `ts/limits.generated.ts`).
pub use fastkernels_common::limits::MAX_THREADS;

/// Most pools kept at once. With effective sizes clamped to the core count a
/// machine with up to this many cores never evicts.
const CACHE_CAPACITY: usize = 4;

/// Cached pools with their effective size, least recently used first.
type Cache = Vec<(usize, Arc<ThreadPool>)>;

static POOLS: OnceLock<Mutex<Cache>> = OnceLock::new();

/// Number of cores this process may use (at least 1).
pub fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Checks a `threads` argument: an integer from 1 to [`MAX_THREADS`].
pub fn check_threads(threads: u32) -> Result<()> {
    if threads == 0 || threads > MAX_THREADS {
        return Err(Error::new(
            Status::InvalidArg,
            format!("threads must be an integer from 1 to {MAX_THREADS} for the native backend, got {threads}"),
        ));
    }
    Ok(())
}

/// The shared pool serving `threads`: `min(threads, cores)` workers.
pub fn pool(threads: u32) -> Result<Arc<ThreadPool>> {
    check_threads(threads)?;
    let size = (threads as usize).min(cores());
    let pools = POOLS.get_or_init(|| Mutex::new(Vec::with_capacity(CACHE_CAPACITY)));
    let mut pools = pools
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(at) = pools.iter().position(|(s, _)| *s == size) {
        let entry = pools.remove(at);
        let found = Arc::clone(&entry.1);
        pools.push(entry);
        return Ok(found);
    }
    // Pool threads outlive any one JS environment (worker_threads), so the
    // addon's code must stay mapped after an environment unloads it.
    retain_current_module_for_unload_safety();
    let built = rayon::ThreadPoolBuilder::new()
        .num_threads(size)
        .thread_name(move |i| format!("fastkernels-{size}-{i}"))
        .build()
        .map_err(|e| {
            Error::new(
                Status::GenericFailure,
                format!("could not start {size} native threads: {e}"),
            )
        })?;
    let built = Arc::new(built);
    if pools.len() >= CACHE_CAPACITY {
        // Dropping the cache's reference ends the pool once its users are done.
        pools.remove(0);
    }
    pools.push((size, Arc::clone(&built)));
    Ok(built)
}

/// Number of threads the machine offers, the native default for `threads`.
#[napi_derive::napi]
pub fn available_parallelism() -> u32 {
    cores() as u32
}
