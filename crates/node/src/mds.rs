//! Binding of fastkernels-mds: converts types, maps errors, schedules work.
//! No math and no value checks here: the kernel crate scans its inputs.
//!
//! As in `gmm.rs`: one compute function per kernel shared by its sync and
//! async entry; outputs of known size are typed arrays allocated by the TS
//! layer and filled in place; inputs of async calls are copied, or lent with
//! `borrow`; Float32Array points and dissimilarities are widened off-thread.

use fastkernels_mds::{
    classical_mds_into, dist_from_point_into, distance_matrix, distance_matrix_into, mds_error_row,
    mds_error_rows_into, mds_error_total, mse, smacof_model_into, transform_into,
    update_distance_matrix, DisparityMap, Dissimilarities, Fitted, Init, MdsError, Points,
    SmacofParams, SmacofStats, TransformParams,
};

use napi::bindgen_prelude::{Float64Array, Object};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Result, Status};
use napi_derive::napi;

use crate::buffers::{out_f64, F64Input, FloatArray, FloatInput};
use crate::cancel::{CancelToken, StopFlag};
use crate::errors::kernel_error;
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
    /// The start configuration when `init` is "given" (n x outputDims).
    pub init_embedding: Option<Float64Array>,
    /// Non-metric SMACOF (isotonic disparities).
    pub non_metric: bool,
    /// Per-pair weights (n x n), weighted SMACOF.
    pub weights: Option<Float64Array>,
    /// Async calls: lend the data instead of copying it.
    pub borrow: bool,
    pub threads: u32,
}

/// What SMACOF returns besides the embedding (written into the `out`
/// array the TS layer allocated).
#[napi(object)]
pub struct MdsSmacofOutput {
    pub stress: f64,
    pub normalized_stress: f64,
    pub iterations: u32,
    pub converged: bool,
    /// Progress events queued for `onIteration` (async only; 0 otherwise), so
    /// that the TS layer can wait for all of them before resolving.
    pub progress_events: u32,
    /// Non-metric fits: the disparity map (unique positive dissimilarities
    /// ascending, and their final disparities) that `transform` needs.
    pub map_x: Option<Float64Array>,
    pub map_y: Option<Float64Array>,
}

/// Progress event sent to `onIteration`.
#[napi(object)]
pub struct MdsIteration {
    pub iteration: u32,
    pub stress: f64,
}

pub type MdsIterationCallback = ThreadsafeFunction<MdsIteration, (), MdsIteration, Status, false>;

type Fit = (SmacofStats, Option<DisparityMap>);

fn to_output((stats, map): Fit, progress_events: u32) -> MdsSmacofOutput {
    let (map_x, map_y) = match map {
        Some(m) => (Some(Float64Array::new(m.x)), Some(Float64Array::new(m.y))),
        None => (None, None),
    };
    MdsSmacofOutput {
        stress: stats.stress,
        normalized_stress: stats.normalized_stress,
        iterations: stats.iterations as u32,
        converged: stats.converged,
        progress_events,
        map_x,
        map_y,
    }
}

fn to_params(params: &MdsSmacofParams) -> Result<SmacofParams> {
    let init = match (params.init.as_str(), params.init_embedding.as_deref()) {
        ("classical", None) => Init::Classical,
        ("random", None) => Init::Random,
        ("given", Some(x)) => Init::Given(crate::buffers::copy(x)?),
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
        non_metric: params.non_metric,
    })
}

/// The kernel parameters and the weights (copied unless lent) of a call.
fn split(
    mut params: MdsSmacofParams,
    borrow: bool,
) -> Result<(u32, (SmacofParams, Option<F64Input>))> {
    let smacof = to_params(&params)?;
    let weights = match params.weights.take() {
        Some(w) => Some(F64Input::new(w, borrow)?),
        None => None,
    };
    Ok((params.threads, (smacof, weights)))
}

fn mds<T>(result: std::result::Result<T, MdsError>) -> Result<T> {
    result.map_err(kernel_error)
}

/// Runs a kernel through the shared sync path, mapping its errors.
fn run<T: Send>(
    kernel: &str,
    threads: u32,
    compute: impl FnOnce() -> std::result::Result<T, MdsError> + Send,
) -> Result<T> {
    run_sync(kernel, threads, || mds(compute()))
}

fn points(data: &[f64], dims: u32) -> std::result::Result<Points<'_>, MdsError> {
    Points::new("points", data, dims as usize)
}

// ---- distance kernels ---------------------------------------------------

fn distance_matrix_compute(data: &FloatInput, dims: u32, out: &mut Float64Array) -> Result<()> {
    let data = data.values()?;
    mds(points(&data, dims).and_then(|p| distance_matrix_into(p, out_f64(out))))
}

#[napi(js_name = "mdsDistanceMatrix")]
pub fn mds_distance_matrix(
    points_: FloatArray,
    dims: u32,
    mut out: Float64Array,
    threads: u32,
) -> Result<()> {
    let data = FloatInput::new(points_, true)?;
    run_sync("computeDistanceMatrix", threads, || {
        distance_matrix_compute(&data, dims, &mut out)
    })
}

#[napi(js_name = "mdsDistanceMatrixAsync", ts_return_type = "Promise<void>")]
pub fn mds_distance_matrix_async<'env>(
    env: &'env Env,
    points_: FloatArray,
    borrow: bool,
    dims: u32,
    mut out: Float64Array,
    threads: u32,
) -> Result<Object<'env>> {
    let data = FloatInput::new(points_, borrow)?;
    run_async(
        env,
        "computeDistanceMatrix",
        threads,
        move || distance_matrix_compute(&data, dims, &mut out),
        |()| Ok(()),
    )
}

#[napi(js_name = "mdsUpdateDistanceMatrix")]
pub fn mds_update_distance_matrix(
    points_: FloatArray,
    dims: u32,
    mut distances: Float64Array,
    i: u32,
    threads: u32,
) -> Result<()> {
    let data = FloatInput::new(points_, true)?;
    run_sync("updateDistanceMatrix", threads, || {
        let data = data.values()?;
        // `distances` is the caller's matrix, updated in place during this
        // synchronous call (JS is blocked; no other Rust reference exists).
        mds(points(&data, dims)
            .and_then(|p| update_distance_matrix(p, out_f64(&mut distances), i as usize)))
    })
}

#[napi(js_name = "mdsDistFromPoint")]
pub fn mds_dist_from_point(
    points_: FloatArray,
    dims: u32,
    y: &[f64],
    mut out: Float64Array,
    threads: u32,
) -> Result<()> {
    let data = FloatInput::new(points_, true)?;
    run_sync("distFromPoint", threads, || {
        let data = data.values()?;
        mds(points(&data, dims).and_then(|p| dist_from_point_into(p, y, out_f64(&mut out))))
    })
}

#[napi(js_name = "mdsMse")]
pub fn mds_mse(a: &[f64], b: &[f64], threads: u32) -> Result<f64> {
    run("mse", threads, || mse(a, b))
}

#[napi(js_name = "mdsErrorTotal")]
pub fn mds_error_total_(goal: &[f64], current: &[f64], n: u32, threads: u32) -> Result<f64> {
    run("computeMdsError", threads, || {
        mds_error_total(goal, current, n as usize)
    })
}

#[napi(js_name = "mdsErrorRows")]
pub fn mds_error_rows_(
    goal: &[f64],
    current: &[f64],
    n: u32,
    mut out: Float64Array,
    threads: u32,
) -> Result<()> {
    run("computeMdsError", threads, || {
        mds_error_rows_into(goal, current, n as usize, out_f64(&mut out))
    })
}

#[napi(js_name = "mdsErrorRow")]
pub fn mds_error_row_(goal: &[f64], current: &[f64], n: u32, i: u32, threads: u32) -> Result<f64> {
    run("computeMdsError", threads, || {
        mds_error_row(goal, current, n as usize, i as usize)
    })
}

// ---- classical MDS ------------------------------------------------------

fn classical_compute(
    d: &FloatInput,
    n: u32,
    output_dims: u32,
    out: &mut Float64Array,
) -> Result<()> {
    let d = d.values()?;
    mds(Dissimilarities::new(&d, n as usize)
        .and_then(|d| classical_mds_into(d, output_dims as usize, out_f64(out))))
}

#[napi(js_name = "mdsClassical")]
pub fn mds_classical(
    dissimilarities: FloatArray,
    n: u32,
    output_dims: u32,
    mut out: Float64Array,
    threads: u32,
) -> Result<()> {
    let d = FloatInput::new(dissimilarities, true)?;
    run_sync("classicalMds", threads, || {
        classical_compute(&d, n, output_dims, &mut out)
    })
}

#[napi(js_name = "mdsClassicalAsync", ts_return_type = "Promise<void>")]
pub fn mds_classical_async<'env>(
    env: &'env Env,
    dissimilarities: FloatArray,
    borrow: bool,
    n: u32,
    output_dims: u32,
    mut out: Float64Array,
    threads: u32,
) -> Result<Object<'env>> {
    let d = FloatInput::new(dissimilarities, borrow)?;
    run_async(
        env,
        "classicalMds",
        threads,
        move || classical_compute(&d, n, output_dims, &mut out),
        |()| Ok(()),
    )
}

// ---- SMACOF -------------------------------------------------------------

/// Where SMACOF's dissimilarities come from: a matrix, or points whose
/// distance matrix is computed first (the `mds` call).
enum Source {
    Matrix { data: FloatInput, n: u32 },
    Points { data: FloatInput, dims: u32 },
}

fn smacof_compute(
    source: &Source,
    weights: Option<&F64Input>,
    params: &SmacofParams,
    out: &mut Float64Array,
    hook: &mut dyn FnMut(usize, f64) -> fastkernels_common::Flow,
) -> Result<Fit> {
    let out = out_f64(out);
    let w = weights.map(|w| w.values());
    mds(match source {
        Source::Matrix { data, n } => {
            let data = data.values()?;
            Dissimilarities::new(&data, *n as usize)
                .and_then(|d| smacof_model_into(d, w, params, out, hook))
        }
        Source::Points { data, dims } => {
            let data = data.values()?;
            points(&data, *dims).and_then(|pts| {
                let d = distance_matrix(pts)?;
                smacof_model_into(Dissimilarities::new(&d, pts.n)?, w, params, out, hook)
            })
        }
    })
}

fn smacof_sync(
    kernel: &str,
    source: Source,
    (params, weights): (SmacofParams, Option<F64Input>),
    mut out: Float64Array,
    threads: u32,
) -> Result<MdsSmacofOutput> {
    run_sync(kernel, threads, || {
        smacof_compute(
            &source,
            weights.as_ref(),
            &params,
            &mut out,
            &mut fastkernels_common::no_progress,
        )
    })
    .map(|stats| to_output(stats, 0))
}

/// `hooks`: the cancel token and the per-iteration callback of the call.
fn smacof_async<'env>(
    env: &'env Env,
    kernel: &'static str,
    source: Source,
    (params, weights): (SmacofParams, Option<F64Input>),
    mut out: Float64Array,
    threads: u32,
    (token, on_iteration): (Option<&CancelToken>, Option<MdsIterationCallback>),
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
                    let event = MdsIteration {
                        iteration: iteration as u32,
                        stress,
                    };
                    if callback.call(event, ThreadsafeFunctionCallMode::NonBlocking) == Status::Ok {
                        queued += 1;
                    }
                }
                stop.flow()
            };
            let fit = smacof_compute(&source, weights.as_ref(), &params, &mut out, &mut hook)?;
            Ok((fit, queued))
        },
        |(fit, queued)| Ok(to_output(fit, queued)),
    )
}

#[napi(js_name = "mdsSmacof")]
pub fn mds_smacof(
    dissimilarities: FloatArray,
    n: u32,
    params: MdsSmacofParams,
    out: Float64Array,
) -> Result<MdsSmacofOutput> {
    let (threads, smacof) = split(params, true)?;
    let data = FloatInput::new(dissimilarities, true)?;
    smacof_sync("smacof", Source::Matrix { data, n }, smacof, out, threads)
}

#[napi(js_name = "mdsFromPoints")]
pub fn mds_from_points(
    points_: FloatArray,
    dims: u32,
    params: MdsSmacofParams,
    out: Float64Array,
) -> Result<MdsSmacofOutput> {
    let (threads, smacof) = split(params, true)?;
    let data = FloatInput::new(points_, true)?;
    smacof_sync("mds", Source::Points { data, dims }, smacof, out, threads)
}

#[napi(
    js_name = "mdsSmacofAsync",
    ts_return_type = "Promise<MdsSmacofOutput>"
)]
pub fn mds_smacof_async<'env>(
    env: &'env Env,
    dissimilarities: FloatArray,
    n: u32,
    params: MdsSmacofParams,
    out: Float64Array,
    token: Option<&CancelToken>,
    on_iteration: Option<MdsIterationCallback>,
) -> Result<Object<'env>> {
    let borrow = params.borrow;
    let (threads, smacof) = split(params, borrow)?;
    let data = FloatInput::new(dissimilarities, borrow)?;
    let source = Source::Matrix { data, n };
    smacof_async(
        env,
        "smacof",
        source,
        smacof,
        out,
        threads,
        (token, on_iteration),
    )
}

#[napi(
    js_name = "mdsFromPointsAsync",
    ts_return_type = "Promise<MdsSmacofOutput>"
)]
pub fn mds_from_points_async<'env>(
    env: &'env Env,
    points_: FloatArray,
    dims: u32,
    params: MdsSmacofParams,
    out: Float64Array,
    token: Option<&CancelToken>,
    on_iteration: Option<MdsIterationCallback>,
) -> Result<Object<'env>> {
    let borrow = params.borrow;
    let (threads, smacof) = split(params, borrow)?;
    let data = FloatInput::new(points_, borrow)?;
    let source = Source::Points { data, dims };
    smacof_async(
        env,
        "mds",
        source,
        smacof,
        out,
        threads,
        (token, on_iteration),
    )
}

// ---- out-of-sample transform -------------------------------------------

/// Transform parameters, structurally checked by the TS layer.
#[napi(object)]
pub struct MdsTransformParams {
    /// The fitted embedding's width.
    pub dims: u32,
    pub max_iter: u32,
    pub eps: f64,
    pub borrow: bool,
    pub threads: u32,
}

/// A fitted model and the new points of one transform call, owned by the call.
struct TransformInput {
    embedding: F64Input,
    map: Option<DisparityMap>,
    new_diss: FloatInput,
    weights: Option<F64Input>,
    dims: usize,
    params: TransformParams,
}

fn transform_input(
    embedding: Float64Array,
    map: (Option<Float64Array>, Option<Float64Array>),
    new_diss: FloatArray,
    weights: Option<Float64Array>,
    p: &MdsTransformParams,
    borrow: bool,
) -> Result<TransformInput> {
    let map = match map {
        (Some(x), Some(y)) => Some(DisparityMap {
            x: crate::buffers::copy(&x)?,
            y: crate::buffers::copy(&y)?,
        }),
        _ => None,
    };
    Ok(TransformInput {
        embedding: F64Input::new(embedding, borrow)?,
        map,
        new_diss: FloatInput::new(new_diss, borrow)?,
        weights: weights.map(|w| F64Input::new(w, borrow)).transpose()?,
        dims: p.dims as usize,
        params: TransformParams {
            max_iter: p.max_iter as usize,
            eps: p.eps,
        },
    })
}

fn transform_compute(
    input: &TransformInput,
    out: &mut Float64Array,
    hook: &mut dyn FnMut(usize, f64) -> fastkernels_common::Flow,
) -> Result<()> {
    let embedding = input.embedding.values();
    let dims = input.dims.max(1);
    let fit = Fitted {
        embedding,
        n: embedding.len() / dims,
        dims,
        map: input.map.as_ref(),
    };
    let new_diss = input.new_diss.values()?;
    let weights = input.weights.as_ref().map(|w| w.values());
    mds(transform_into(
        fit,
        &new_diss,
        weights,
        &input.params,
        out_f64(out),
        hook,
    ))
}

#[napi(js_name = "mdsTransform")]
#[allow(clippy::too_many_arguments)]
pub fn mds_transform(
    embedding: Float64Array,
    map_x: Option<Float64Array>,
    map_y: Option<Float64Array>,
    new_dissimilarities: FloatArray,
    weights: Option<Float64Array>,
    params: MdsTransformParams,
    mut out: Float64Array,
) -> Result<()> {
    let input = transform_input(
        embedding,
        (map_x, map_y),
        new_dissimilarities,
        weights,
        &params,
        true,
    )?;
    run_sync("transform", params.threads, || {
        transform_compute(&input, &mut out, &mut fastkernels_common::no_progress)
    })
}

#[napi(js_name = "mdsTransformAsync", ts_return_type = "Promise<number>")]
#[allow(clippy::too_many_arguments)]
pub fn mds_transform_async<'env>(
    env: &'env Env,
    embedding: Float64Array,
    map_x: Option<Float64Array>,
    map_y: Option<Float64Array>,
    new_dissimilarities: FloatArray,
    weights: Option<Float64Array>,
    params: MdsTransformParams,
    mut out: Float64Array,
    token: Option<&CancelToken>,
    on_iteration: Option<MdsIterationCallback>,
) -> Result<Object<'env>> {
    let input = transform_input(
        embedding,
        (map_x, map_y),
        new_dissimilarities,
        weights,
        &params,
        params.borrow,
    )?;
    let stop = StopFlag::of(token);
    run_async(
        env,
        "transform",
        params.threads,
        move || {
            let mut queued = 0u32;
            let mut hook = |iteration: usize, stress: f64| {
                if let Some(callback) = &on_iteration {
                    let event = MdsIteration {
                        iteration: iteration as u32,
                        stress,
                    };
                    if callback.call(event, ThreadsafeFunctionCallMode::NonBlocking) == Status::Ok {
                        queued += 1;
                    }
                }
                stop.flow()
            };
            transform_compute(&input, &mut out, &mut hook)?;
            Ok(queued)
        },
        Ok,
    )
}
