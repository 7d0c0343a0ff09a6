//! Process-wide rayon pools, one per requested thread count, built on first
//! use and kept for the life of the process (never one per call).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use napi::bindgen_prelude::retain_current_module_for_unload_safety;
use napi::{Error, Result, Status};
use rayon::ThreadPool;

/// Largest `threads` value accepted; the TS layer checks the same bound first.
pub const MAX_THREADS: u32 = 256;

static POOLS: OnceLock<Mutex<HashMap<u32, Arc<ThreadPool>>>> = OnceLock::new();

/// The shared pool with exactly `threads` workers.
pub fn pool(threads: u32) -> Result<Arc<ThreadPool>> {
    if threads == 0 || threads > MAX_THREADS {
        return Err(Error::new(
            Status::InvalidArg,
            format!("threads must be an integer from 1 to {MAX_THREADS} for the native backend, got {threads}"),
        ));
    }
    let pools = POOLS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut pools = pools
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(existing) = pools.get(&threads) {
        return Ok(Arc::clone(existing));
    }
    // Pool threads outlive any one JS environment (worker_threads), so the
    // addon's code must stay mapped after an environment unloads it.
    retain_current_module_for_unload_safety();
    let built = rayon::ThreadPoolBuilder::new()
        .num_threads(threads as usize)
        .thread_name(move |i| format!("fastkernels-{threads}-{i}"))
        .build()
        .map_err(|e| {
            Error::new(
                Status::GenericFailure,
                format!("could not start {threads} native threads: {e}"),
            )
        })?;
    let built = Arc::new(built);
    pools.insert(threads, Arc::clone(&built));
    Ok(built)
}

/// Number of threads the machine offers, the native default for `threads`.
#[napi_derive::napi]
pub fn available_parallelism() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}
