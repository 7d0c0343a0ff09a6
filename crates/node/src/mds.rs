//! Binding of fastkernels-mds: converts types, maps errors, schedules work.

use fastkernels_mds::{
    classical_mds, dist_from_point, distance_matrix, mds_error_row, mds_error_rows,
    mds_error_total, mse, smacof, update_distance_matrix, Dissimilarities, Init, MdsError, Points,
    SmacofParams, SmacofResult,
};
use std::borrow::Cow;

use napi::bindgen_prelude::{Float64Array, Object};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Result, Status};
use napi_derive::napi;

use crate::buffers::copy;
use crate::cancel::{CancelToken, StopFlag};
use crate::errors::{check_finite, kernel_error};
use crate::run::{run_async, run_sync};

/// SMACOF parameters, structurally checked by the TS layer (the kernel
/// checks them again).
#[napi(object)]
pub struct MdsSmacofParams {
    /// Embedding dimension.
    pub output_dims: u32,
    pub max_iter: u32,
    pub eps: f64,
    /// "classical", "random" or "given" (then `initEmbedding` is the configuration).
    pub init: String,
    pub n_init: u32,
    pub seed: u32,
}

#[napi(object)]
pub struct MdsSmacofOutput {
    pub embedding: Float64Array,
    pub stress: f64,
    pub normalized_stress: f64,
    pub iterations: u32,
    pub converged: bool,
    /// Progress events queued for `onIteration` (async only; 0 otherwise), so
    /// that the TS layer can wait for all of them before resolving.
    pub progress_events: u32,
}

/// Progress event sent to `onIteration`.
#[napi(object)]
pub struct MdsIteration {
    pub iteration: u32,
    pub stress: f64,
}

fn to_output(result: SmacofResult) -> MdsSmacofOutput {
    MdsSmacofOutput {
        embedding: Float64Array::new(result.embedding),
        stress: result.stress,
        normalized_stress: result.normalized_stress,
        iterations: result.iterations as u32,
        converged: result.converged,
        progress_events: 0,
    }
}

fn to_params(params: &MdsSmacofParams, init_embedding: Option<&[f64]>) -> Result<SmacofParams> {
    let init = match (params.init.as_str(), init_embedding) {
        ("classical", None) => Init::Classical,
        ("random", None) => Init::Random,
        ("given", Some(x)) => Init::Given(x.to_vec()),
        (other, _) => {
            return Err(kernel_error(MdsError::Invalid(format!(
                "options.init must be \"classical\", \"random\" or a Float64Array, got {other:?}"
            ))))
        }
    };
    Ok(SmacofParams {
        dims: params.output_dims as usize,
        max_iter: params.max_iter as usize,
        eps: params.eps,
        init,
        n_init: params.n_init as usize,
        seed: params.seed,
    })
}

/// Runs a kernel through the shared sync path, mapping its errors.
fn run<T: Send>(
    kernel: &str,
    threads: u32,
    compute: impl FnOnce() -> std::result::Result<T, MdsError> + Send,
) -> Result<T> {
    run_sync(kernel, threads, || compute().map_err(kernel_error))
}

fn points(data: &[f64], dims: u32) -> std::result::Result<Points<'_>, MdsError> {
    Points::new("points", data, dims as usize)
}

#[napi(js_name = "mdsDistanceMatrix")]
pub fn mds_distance_matrix(points_: &[f64], dims: u32, threads: u32) -> Result<Float64Array> {
    check_finite("points", points_)?;
    run("computeDistanceMatrix", threads, || {
        distance_matrix(points(points_, dims)?)
    })
    .map(Float64Array::new)
}

/// `computeDistanceMatrix` on the pool; the points are copied first.
#[napi(
    js_name = "mdsDistanceMatrixAsync",
    ts_return_type = "Promise<Float64Array>"
)]
pub fn mds_distance_matrix_async<'env>(
    env: &'env Env,
    points_: &[f64],
    dims: u32,
    threads: u32,
) -> Result<Object<'env>> {
    let data = copy(points_)?;
    run_async(
        env,
        "computeDistanceMatrix",
        threads,
        move || {
            check_finite("points", &data)?;
            points(&data, dims)
                .and_then(distance_matrix)
                .map_err(kernel_error)
        },
        |d| Ok(Float64Array::new(d)),
    )
}

#[napi(js_name = "mdsUpdateDistanceMatrix")]
pub fn mds_update_distance_matrix(
    points_: &[f64],
    dims: u32,
    mut distances: Float64Array,
    i: u32,
    threads: u32,
) -> Result<()> {
    // SAFETY: the JS array's own memory, borrowed only for this synchronous
    // call (JS is blocked, and no other Rust reference to it exists).
    let distances: &mut [f64] = unsafe { distances.as_mut() };
    check_finite("points", points_)?;
    run("updateDistanceMatrix", threads, || {
        update_distance_matrix(points(points_, dims)?, distances, i as usize)
    })
}

#[napi(js_name = "mdsDistFromPoint")]
pub fn mds_dist_from_point(
    points_: &[f64],
    dims: u32,
    y: &[f64],
    threads: u32,
) -> Result<Float64Array> {
    check_finite("points", points_)?;
    check_finite("y", y)?;
    run("distFromPoint", threads, || {
        dist_from_point(points(points_, dims)?, y)
    })
    .map(Float64Array::new)
}

#[napi(js_name = "mdsMse")]
pub fn mds_mse(a: &[f64], b: &[f64], threads: u32) -> Result<f64> {
    check_finite("a", a)?;
    check_finite("b", b)?;
    run("mse", threads, || mse(a, b))
}

/// The value scan of `computeMdsError`'s matrices (the kernel checks their lengths).
fn check_matrices(goal: &[f64], current: &[f64]) -> Result<()> {
    check_finite("goal", goal)?;
    check_finite("current", current)
}

#[napi(js_name = "mdsErrorTotal")]
pub fn mds_error_total_(goal: &[f64], current: &[f64], n: u32, threads: u32) -> Result<f64> {
    check_matrices(goal, current)?;
    run("computeMdsError", threads, || {
        mds_error_total(goal, current, n as usize)
    })
}

#[napi(js_name = "mdsErrorRows")]
pub fn mds_error_rows_(
    goal: &[f64],
    current: &[f64],
    n: u32,
    threads: u32,
) -> Result<Float64Array> {
    check_matrices(goal, current)?;
    run("computeMdsError", threads, || {
        mds_error_rows(goal, current, n as usize)
    })
    .map(Float64Array::new)
}

#[napi(js_name = "mdsErrorRow")]
pub fn mds_error_row_(goal: &[f64], current: &[f64], n: u32, i: u32, threads: u32) -> Result<f64> {
    check_matrices(goal, current)?;
    run("computeMdsError", threads, || {
        mds_error_row(goal, current, n as usize, i as usize)
    })
}

#[napi(js_name = "mdsClassical")]
pub fn mds_classical(
    dissimilarities: &[f64],
    n: u32,
    output_dims: u32,
    threads: u32,
) -> Result<Float64Array> {
    run("classicalMds", threads, || {
        classical_mds(
            Dissimilarities::new(dissimilarities, n as usize)?,
            output_dims as usize,
        )
    })
    .map(Float64Array::new)
}

/// `classicalMds` on the pool; the dissimilarities are copied first.
#[napi(
    js_name = "mdsClassicalAsync",
    ts_return_type = "Promise<Float64Array>"
)]
pub fn mds_classical_async<'env>(
    env: &'env Env,
    dissimilarities: &[f64],
    n: u32,
    output_dims: u32,
    threads: u32,
) -> Result<Object<'env>> {
    let data = copy(dissimilarities)?;
    run_async(
        env,
        "classicalMds",
        threads,
        move || {
            Dissimilarities::new(&data, n as usize)
                .and_then(|d| classical_mds(d, output_dims as usize))
                .map_err(kernel_error)
        },
        |embedding| Ok(Float64Array::new(embedding)),
    )
}

/// Where SMACOF's dissimilarities come from.
/// Sync calls borrow the JS arrays; async calls own copies.
enum Source<'a> {
    Matrix { data: Cow<'a, [f64]>, n: usize },
    Points { data: Cow<'a, [f64]>, dims: usize },
}

fn solve(
    source: &Source<'_>,
    params: &SmacofParams,
    hook: &mut dyn FnMut(usize, f64) -> fastkernels_common::Flow,
) -> std::result::Result<SmacofResult, MdsError> {
    match source {
        Source::Matrix { data, n } => smacof(Dissimilarities::new(data, *n)?, params, hook),
        Source::Points { data, dims } => {
            check_finite("points", data).map_err(|e| MdsError::Invalid(e.reason))?;
            let pts = Points::new("points", data, *dims)?;
            let d = distance_matrix(pts)?;
            smacof(Dissimilarities::new(&d, pts.n)?, params, hook)
        }
    }
}

fn solve_sync(
    kernel: &str,
    source: Source<'_>,
    params: SmacofParams,
    threads: u32,
) -> Result<MdsSmacofOutput> {
    run_sync(kernel, threads, || {
        solve(&source, &params, &mut fastkernels_common::no_progress).map_err(kernel_error)
    })
    .map(to_output)
}

fn solve_async<'env>(
    env: &'env Env,
    kernel: &'static str,
    source: Source<'static>,
    params: SmacofParams,
    threads: u32,
    token: Option<&CancelToken>,
    on_iteration: Option<ThreadsafeFunction<MdsIteration, (), MdsIteration, Status, false>>,
) -> Result<Object<'env>> {
    let stop = StopFlag::of(token);
    run_async(
        env,
        kernel,
        threads,
        move || {
            let mut queued = 0u32;
            let mut hook = |iteration: usize, stress: f64| {
                if let Some(callback) = &on_iteration {
                    // Non-blocking (unbounded queue): the kernel never waits
                    // for the JS thread.
                    let status = callback.call(
                        MdsIteration {
                            iteration: iteration as u32,
                            stress,
                        },
                        ThreadsafeFunctionCallMode::NonBlocking,
                    );
                    if status == Status::Ok {
                        queued += 1;
                    }
                }
                stop.flow()
            };
            let result = solve(&source, &params, &mut hook).map_err(kernel_error)?;
            Ok((result, queued))
        },
        |(result, queued)| {
            let mut output = to_output(result);
            output.progress_events = queued;
            Ok(output)
        },
    )
}

#[napi(js_name = "mdsSmacof")]
pub fn mds_smacof(
    dissimilarities: &[f64],
    n: u32,
    params: MdsSmacofParams,
    init_embedding: Option<&[f64]>,
    threads: u32,
) -> Result<MdsSmacofOutput> {
    let params = to_params(&params, init_embedding)?;
    let source = Source::Matrix {
        data: Cow::Borrowed(dissimilarities),
        n: n as usize,
    };
    solve_sync("smacof", source, params, threads)
}

#[napi(js_name = "mdsFromPoints")]
pub fn mds_from_points(
    points_: &[f64],
    dims: u32,
    params: MdsSmacofParams,
    init_embedding: Option<&[f64]>,
    threads: u32,
) -> Result<MdsSmacofOutput> {
    let params = to_params(&params, init_embedding)?;
    let source = Source::Points {
        data: Cow::Borrowed(points_),
        dims: dims as usize,
    };
    solve_sync("mds", source, params, threads)
}

#[napi(
    js_name = "mdsSmacofAsync",
    ts_return_type = "Promise<MdsSmacofOutput>"
)]
#[allow(clippy::too_many_arguments)]
pub fn mds_smacof_async<'env>(
    env: &'env Env,
    dissimilarities: &[f64],
    n: u32,
    params: MdsSmacofParams,
    init_embedding: Option<&[f64]>,
    threads: u32,
    token: Option<&CancelToken>,
    on_iteration: Option<ThreadsafeFunction<MdsIteration, (), MdsIteration, Status, false>>,
) -> Result<Object<'env>> {
    let params = to_params(&params, init_embedding)?;
    let source = Source::Matrix {
        data: Cow::Owned(copy(dissimilarities)?),
        n: n as usize,
    };
    solve_async(env, "smacof", source, params, threads, token, on_iteration)
}

#[napi(
    js_name = "mdsFromPointsAsync",
    ts_return_type = "Promise<MdsSmacofOutput>"
)]
#[allow(clippy::too_many_arguments)]
pub fn mds_from_points_async<'env>(
    env: &'env Env,
    points_: &[f64],
    dims: u32,
    params: MdsSmacofParams,
    init_embedding: Option<&[f64]>,
    threads: u32,
    token: Option<&CancelToken>,
    on_iteration: Option<ThreadsafeFunction<MdsIteration, (), MdsIteration, Status, false>>,
) -> Result<Object<'env>> {
    let params = to_params(&params, init_embedding)?;
    let source = Source::Points {
        data: Cow::Owned(copy(points_)?),
        dims: dims as usize,
    };
    solve_async(env, "mds", source, params, threads, token, on_iteration)
}
