//! The shared compute path of every exported kernel.
//!
//! `run_sync` runs a kernel on the calling (JS) thread inside the pool for the
//! requested thread count (see `pool.rs`). `run_async` runs the same closure
//! on that pool and settles a promise from it, so an async call occupies no
//! libuv thread and concurrent calls share the pool's cores instead of
//! oversubscribing them. Both go through [`guarded`], the one place where a
//! panic is caught, so a bug in a kernel rejects instead of aborting Node.
//!
//! # Admission of async jobs
//!
//! Async jobs are not spawned onto rayon as they arrive. A process-wide FIFO
//! admission lets at most [`admission_limit`] of them (the number of cores, at
//! least 1) be in the pools at once; the others wait in a `VecDeque` as boxed
//! closures that hold only their own inputs, the promise to settle and the
//! requested thread count (not a pool: the pool is looked up when the job is
//! admitted). When an admitted job ends (success, error or caught panic) its
//! slot passes to the oldest waiting job, which is spawned then.
//!
//! Why: a rayon worker that waits inside a `join` steals other queued work,
//! including other top-level jobs, and runs it on the same stack. With every
//! call spawned at once, thousands of concurrent fits nested without bound on
//! one worker's stack and overflowed it (SIGSEGV with 2,000 `fitGmmAsync`
//! calls on 300k samples). With admission, at most `admission_limit` top-level
//! jobs exist in the pools, so the nesting depth on any stack is bounded by
//! it (plus the sync calls of JS threads, which a waiting worker can steal
//! too: one per JS thread at most). A slot is released by a drop guard ([`Slot`]), so even a panic that
//! escaped `guarded` could not leak it. Sync calls are not admitted: they
//! block their JS thread, which bounds them already.
//!
//! # Environments that go away mid-call
//!
//! An async job may read lent inputs (`borrow: true`) and fill output
//! arrays that live in the calling environment's heap. A worker thread can
//! be terminated while such a job runs; its heap is then freed, and a pool
//! thread still writing into it would corrupt memory. Every async job
//! therefore holds an [`EnvLease`] on its environment until the job (and
//! everything it captured) is done, and the environment's cleanup hook
//! waits for its leases before teardown proceeds. The wait is bounded by the
//! running kernels (iterative ones also see their cancel token); jobs of
//! other environments are not waited for.
//!
//! # Sync/async pairs
//!
//! [`kernel_pair!`] declares the `fooSync`/`fooAsync` exports of one kernel
//! from one compute closure and one `finish`: both run through `guarded`, so
//! the pair cannot drift apart. `debug.rs` is the example.

use std::collections::{HashMap, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};

use napi::bindgen_prelude::{Object, ToNapiValue};
use napi::{Env, Result};

use crate::errors::panic_error;
use crate::pool::{check_threads, cores, pool};

pub(crate) fn guarded<T>(kernel: &str, compute: impl FnOnce() -> Result<T>) -> Result<T> {
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
/// value from the kernel's plain Rust output. The job may wait in the
/// admission queue before it starts (see the module doc).
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
    check_threads(threads)?;
    let lease = EnvLease::take(env)?;
    let (deferred, promise) = env.create_deferred()?;
    admit(Job {
        threads,
        task: Box::new(move |ready| {
            // Dropped last, after `compute` and what it captured.
            let _lease = lease;
            match ready.and_then(|()| guarded(kernel, compute)) {
                Ok(value) => deferred.resolve(move |_env| finish(value)),
                Err(error) => deferred.reject(error),
            }
        }),
    });
    Ok(promise)
}

/// The async jobs in flight of one JS environment (see the module doc).
#[derive(Default)]
struct EnvJobs {
    running: Mutex<usize>,
    idle: Condvar,
}

impl EnvJobs {
    fn count(&self) -> MutexGuard<'_, usize> {
        // Only counters live under this lock: poisoning cannot break them.
        self.running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wait_idle(&self) {
        let mut running = self.count();
        while *running > 0 {
            running = self
                .idle
                .wait(running)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }
}

fn environments() -> MutexGuard<'static, HashMap<usize, Arc<EnvJobs>>> {
    static ENVS: OnceLock<Mutex<HashMap<usize, Arc<EnvJobs>>>> = OnceLock::new();
    ENVS.get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One async job's claim on its environment's memory: the environment's
/// teardown waits until every lease is dropped.
struct EnvLease(Arc<EnvJobs>);

impl EnvLease {
    fn take(env: &Env) -> Result<Self> {
        let key = env.raw() as usize;
        let jobs = {
            let mut envs = environments();
            match envs.get(&key) {
                Some(jobs) => Arc::clone(jobs),
                None => {
                    let jobs = Arc::new(EnvJobs::default());
                    env.add_env_cleanup_hook(Arc::clone(&jobs), move |jobs| {
                        jobs.wait_idle();
                        environments().remove(&key);
                    })?;
                    envs.insert(key, Arc::clone(&jobs));
                    jobs
                }
            }
        };
        *jobs.count() += 1;
        Ok(Self(jobs))
    }
}

impl Drop for EnvLease {
    fn drop(&mut self) {
        let mut running = self.0.count();
        *running -= 1;
        if *running == 0 {
            self.0.idle.notify_all();
        }
    }
}

/// Most async jobs in the pools at once: the number of cores, at least 1.
pub fn admission_limit() -> usize {
    cores().max(1)
}

/// An async job waiting for, or holding, an admission slot. `task` gets
/// `Ok(())` on a pool thread to run the kernel, or the error that kept its
/// pool from starting, and settles the promise either way.
struct Job {
    threads: u32,
    task: Box<dyn FnOnce(Result<()>) + Send>,
}

#[derive(Default)]
struct Admission {
    running: usize,
    waiting: VecDeque<Job>,
}

fn admission() -> std::sync::MutexGuard<'static, Admission> {
    static ADMISSION: OnceLock<Mutex<Admission>> = OnceLock::new();
    ADMISSION
        .get_or_init(|| Mutex::new(Admission::default()))
        .lock()
        // No user code runs under this lock, so poisoning cannot leave it inconsistent.
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One admission slot. Dropping it (at the end of a job, or while unwinding)
/// passes the slot to the oldest waiting job or frees it.
struct Slot;

impl Drop for Slot {
    fn drop(&mut self) {
        pass_on();
    }
}

fn admit(job: Job) {
    {
        let mut state = admission();
        if state.running >= admission_limit() {
            state.waiting.push_back(job);
            return;
        }
        state.running += 1;
    }
    // If the pool could not start, the job is already settled: dropping the
    // slot hands it on.
    drop(launch(job, Slot));
}

/// Hands a released slot to the oldest waiting job, or frees it. A loop, not
/// recursion, in case many waiting jobs fail to start in a row.
fn pass_on() {
    loop {
        let next = {
            let mut state = admission();
            match state.waiting.pop_front() {
                Some(next) => next,
                None => {
                    state.running -= 1;
                    return;
                }
            }
        };
        match launch(next, Slot) {
            None => return,
            // Still ours: hand it on here rather than from its `drop`.
            Some(slot) => std::mem::forget(slot),
        }
    }
}

/// Spawns an admitted job on its pool, where the slot is released when the
/// job ends. If the pool cannot be built the job is settled with that error
/// on this thread and the slot is given back.
fn launch(job: Job, slot: Slot) -> Option<Slot> {
    let Job { threads, task } = job;
    match pool(threads) {
        Ok(pool) => {
            pool.spawn(move || {
                let _slot = slot;
                task(Ok(()));
            });
            None
        }
        Err(error) => {
            task(Err(error));
            Some(slot)
        }
    }
}

/// Declares the sync and the async export of one kernel from one compute
/// function, so the pair shares its code and its panic guard.
///
/// ```ignore
/// kernel_pair! {
///     doc = "Doc comment of both exports (it goes to index.d.ts).",
///     kernel = "fooKernel",                   // name in error messages
///     sync = foo_sync as "fooSync",           // Rust fn name as JS name
///     async = foo_async as "fooAsync" -> "Promise<number>",
///     args = (values: Float64Array, scale: f64, threads: u32),
///     threads = threads,                      // which argument is the thread count
///     returns = f64,                          // what the sync export returns (J)
///     state = (values, scale),                // built on the JS thread; may use `?`
///     compute = |(values, scale)| foo(values, *scale), // on a pool thread, given `&mut state`
///     finish = Ok,                            // FnOnce(T) -> Result<J>, on the JS thread
/// }
/// ```
///
/// `state` is evaluated on the JS thread. The sync export lends it to
/// `compute` and drops it on the JS thread when the call returns: state that
/// holds JS values (typed arrays) must not be dropped on a pool thread,
/// since napi then defers releasing them to a later turn of the event loop,
/// which a synchronous loop never reaches (its outputs would pile up). The
/// async export moves the state into the job (the event loop turns before
/// its result is seen). The async export takes an `&Env` first, which napi
/// passes implicitly. `doc` is a string rather than a `///` comment:
/// napi-derive would copy a doc comment captured by `macro_rules!` into
/// index.d.ts as a raw-string token (`r" …`).
macro_rules! kernel_pair {
    (
        doc = $doc:literal,
        kernel = $kernel:literal,
        sync = $sync_fn:ident as $sync_js:literal,
        async = $async_fn:ident as $async_js:literal -> $async_ts:literal,
        args = ($($arg:ident: $arg_ty:ty),* $(,)?),
        threads = $threads:ident,
        returns = $returns:ty,
        state = $state:expr,
        compute = $compute:expr,
        finish = $finish:expr $(,)?
    ) => {
        #[doc = $doc]
        #[napi_derive::napi(js_name = $sync_js)]
        pub fn $sync_fn($($arg: $arg_ty),*) -> napi::Result<$returns> {
            #[allow(unused_mut)]
            let mut state = $state;
            let state_ref = &mut state;
            let result = $crate::run::run_sync($kernel, $threads, move || ($compute)(state_ref));
            drop(state);
            result.and_then($finish)
        }

        #[doc = $doc]
        #[napi_derive::napi(js_name = $async_js, ts_return_type = $async_ts)]
        pub fn $async_fn<'env>(
            env: &'env napi::Env,
            $($arg: $arg_ty),*
        ) -> napi::Result<napi::bindgen_prelude::Object<'env>> {
            #[allow(unused_mut)]
            let mut state = $state;
            $crate::run::run_async(env, $kernel, $threads, move || ($compute)(&mut state), $finish)
        }
    };
}
pub(crate) use kernel_pair;
