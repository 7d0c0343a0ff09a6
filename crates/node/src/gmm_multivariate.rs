//! Binding of `fastkernels_gmm::multivariate`: converts typed arrays, maps
//! errors, schedules work on the shared pools. No math here.
//!
//! Models are checked (and their precision Cholesky computed, O(K d^3)) on
//! the calling thread, so async calls own private copies of them; the data
//! scan (finite values, sample weights) runs in the compute closure. Outputs
//! of known size arrive as typed arrays allocated by the TS layer and are
//! filled in place; inputs of async calls are copied, or lent with `borrow`.

use fastkernels_common::ProgressHook;
use fastkernels_gmm::multivariate::{
    distinct_colors, fit, labels_into, mstep_from_chunks, proba_into, score_samples_into,
    statistics, Density, DistinctColors, Model, ModelNames, MvData, MvFit, MvFitOptions, Origin,
    Shape, Statistics, INIT, MODEL,
};
use fastkernels_gmm::GmmError;
use napi::bindgen_prelude::{
    Either, Either3, Float32Array, Float64Array, Object, Uint32Array, Uint8Array,
};
use napi::{Env, Result, Status};
use napi_derive::napi;

use crate::buffers::{out_f64, out_u8, ByteInput, FloatInput, SampleArray, SampleInput};
use crate::cancel::{CancelToken, StopFlag};
use crate::gmm::{gmm, FitProgress, GmmProgressCallback};
use crate::run::{guarded, kernel_pair, run_async, run_sync};

/// A multivariate model: covariance type, dimension d, weights (K), means
/// (K x d row-major), covariances (full K d^2, diag K d, spherical K, tied d^2).
#[napi(object)]
pub struct GmmMvModelArgs {
    pub covariance: String,
    pub dims: u32,
    pub weights: Float64Array,
    pub means: Float64Array,
    pub covariances: Float64Array,
}

impl GmmMvModelArgs {
    fn model(&self, names: ModelNames) -> Result<Model> {
        gmm(Model::checked(
            names,
            &self.covariance,
            self.dims as usize,
            &self.weights,
            &self.means,
            &self.covariances,
        ))
    }

    /// The checked model ready for evaluation (its precision Cholesky).
    fn density(&self) -> Result<Density> {
        let model = self.model(MODEL)?;
        gmm(Density::new(&model, Origin::Given(MODEL)))
    }

    /// Only the shape: covariance, dims, K = weights.length.
    fn shape(&self) -> Result<Shape> {
        gmm(Shape::new(
            MODEL,
            &self.covariance,
            self.weights.len(),
            self.dims as usize,
        ))
    }
}

/// How to read rows of `data`: `rowWidth` values a row (the `dims`
/// option), the model's `columns` (d of them), optional per-row weights.
#[napi(object)]
pub struct GmmMvDataArgs {
    pub row_width: u32,
    pub columns: Uint32Array,
    pub sample_weight: Option<Float64Array>,
    /// `gmmMvFitAsync` only: lend `data` instead of copying it (the other
    /// entries take `borrow` as an argument).
    pub borrow: Option<bool>,
}

#[napi(object)]
pub struct GmmMvFitParams {
    pub components: u32,
    pub iterations: u32,
    pub tol: Option<f64>,
    pub reg_covar: f64,
    pub init: GmmMvModelArgs,
    /// Also return the parameters after every iteration (`trajectory`).
    pub trace: bool,
}

#[napi(object)]
pub struct GmmMvFitOutput {
    pub weights: Float64Array,
    pub means: Float64Array,
    pub covariances: Float64Array,
    /// Total log-likelihood (sum of w_i ll_i) of each iteration's E-step.
    pub log_likelihoods: Float64Array,
    pub iterations: u32,
    pub converged: bool,
    /// With `trace`: weights, means, covariances after every iteration.
    pub trajectory: Option<Float64Array>,
}

#[napi(object)]
pub struct GmmMvFitAsyncOutput {
    pub fit: GmmMvFitOutput,
    pub progress_events: u32,
}

/// The chunk partials of a shard: `chunks` holds `ceil(rows / chunkSize)`
/// partials of `stride` values, `[weightSum, logLikelihood, resp (K),
/// sumX (K d), sumXX (S)]`.
#[napi(object)]
pub struct GmmMvStatisticsOutput {
    pub chunks: Float64Array,
    pub stride: u32,
    pub rows: f64,
    pub chunk_size: u32,
    pub isa: String,
}

/// The model an M-step produces.
#[napi(object)]
pub struct GmmMvModelOutput {
    pub weights: Float64Array,
    pub means: Float64Array,
    pub covariances: Float64Array,
}

/// The data of a call, owned by it: samples, layout, weights.
struct DataInput {
    samples: SampleInput,
    row_width: usize,
    columns: Vec<u32>,
    weights: Option<FloatInput>,
}

impl DataInput {
    /// `data` is spelled out as a three-way union (not the `SampleArray`
    /// alias) so that index.d.ts shows the accepted types.
    fn new(
        data: Either3<Float64Array, Float32Array, Uint8Array>,
        borrow: bool,
        layout: GmmMvDataArgs,
    ) -> Result<Self> {
        let data: SampleArray = match data {
            Either3::A(f64s) => Either::A(Either::A(f64s)),
            Either3::B(f32s) => Either::A(Either::B(f32s)),
            Either3::C(bytes) => Either::B(bytes),
        };
        Ok(Self {
            samples: SampleInput::new(data, borrow)?,
            row_width: layout.row_width as usize,
            columns: layout.columns.to_vec(),
            weights: layout
                .sample_weight
                .map(|w| FloatInput::new(Either::A(w), borrow))
                .transpose()?,
        })
    }

    /// Runs `kernel` on the checked data (on the pool thread for async calls).
    fn with<T>(&self, kernel: impl FnOnce(&MvData<'_>) -> Result<T>) -> Result<T> {
        self.with_data(true, kernel)
    }

    /// As [`DataInput::with`] for a kernel that checks the values chunk by
    /// chunk itself (see `MvData::unscanned`).
    fn with_unscanned<T>(&self, kernel: impl FnOnce(&MvData<'_>) -> Result<T>) -> Result<T> {
        self.with_data(false, kernel)
    }

    fn with_data<T>(&self, scan: bool, kernel: impl FnOnce(&MvData<'_>) -> Result<T>) -> Result<T> {
        let weights = self.weights.as_ref().map(|w| w.values()).transpose()?;
        self.samples.with(|samples| {
            let weights = weights.as_deref();
            let data = if scan {
                MvData::new(samples, self.row_width, &self.columns, weights)
            } else {
                MvData::unscanned(samples, self.row_width, &self.columns, weights)
            };
            kernel(&gmm(data)?)
        })
    }
}

fn model_arrays(model: Model) -> (Float64Array, Float64Array, Float64Array) {
    (
        Float64Array::new(model.weights),
        Float64Array::new(model.means),
        Float64Array::new(model.covariances),
    )
}

fn fit_output(fit: MvFit, trace: bool) -> GmmMvFitOutput {
    let (weights, means, covariances) = model_arrays(fit.model);
    GmmMvFitOutput {
        weights,
        means,
        covariances,
        log_likelihoods: Float64Array::new(fit.log_likelihoods),
        iterations: fit.iterations as u32,
        converged: fit.converged,
        trajectory: trace.then(|| Float64Array::new(fit.trajectory)),
    }
}

// ---- fit ----------------------------------------------------------------

impl GmmMvFitParams {
    fn to_options(&self) -> Result<MvFitOptions> {
        Ok(MvFitOptions {
            components: self.components as usize,
            iterations: self.iterations as usize,
            tol: self.tol,
            reg_covar: self.reg_covar,
            init: self.init.model(INIT)?,
        })
    }
}

fn fit_compute(
    data: &DataInput,
    options: &MvFitOptions,
    trace: bool,
    progress: ProgressHook<'_>,
) -> Result<MvFit> {
    data.with(|data| gmm(fit(data, options, trace, progress)))
}

/// EM fit of a multivariate mixture from an explicit initial model (see fitGmm).
#[napi(js_name = "gmmMvFit")]
pub fn gmm_mv_fit(
    data: Either3<Float64Array, Float32Array, Uint8Array>,
    borrow: bool,
    layout: GmmMvDataArgs,
    params: GmmMvFitParams,
    threads: u32,
) -> Result<GmmMvFitOutput> {
    let data = DataInput::new(data, borrow, layout)?;
    let options = params.to_options()?;
    let trace = params.trace;
    let out = run_sync("fitGmm", threads, || {
        fit_compute(&data, &options, trace, &mut fastkernels_common::no_progress)
    })?;
    Ok(fit_output(out, trace))
}

/// gmmMvFit on the pool: cancellable through `token`, `onProgress` after
/// every iteration (non-blocking).
#[napi(
    js_name = "gmmMvFitAsync",
    ts_return_type = "Promise<GmmMvFitAsyncOutput>"
)]
pub fn gmm_mv_fit_async<'env>(
    env: &'env Env,
    data: Either3<Float64Array, Float32Array, Uint8Array>,
    layout: GmmMvDataArgs,
    params: GmmMvFitParams,
    threads: u32,
    token: Option<&CancelToken>,
    on_progress: Option<GmmProgressCallback>,
) -> Result<Object<'env>> {
    let borrow = layout.borrow.unwrap_or(false);
    let data = DataInput::new(data, borrow, layout)?;
    let options = params.to_options()?;
    let trace = params.trace;
    let stop = StopFlag::of(token);
    let total = options.iterations as u32;
    run_async(
        env,
        "fitGmm",
        threads,
        move || {
            let mut progress = FitProgress::new(stop, on_progress.as_ref(), total);
            let out = fit_compute(&data, &options, trace, &mut |i, ll| progress.report(i, ll))?;
            Ok((out, progress.queued))
        },
        move |(out, queued)| {
            Ok(GmmMvFitAsyncOutput {
                fit: fit_output(out, trace),
                progress_events: queued,
            })
        },
    )
}

// ---- mergeable statistics ------------------------------------------------

/// `rowOffset` as a row index: an integer from 0 to 2^53.
fn row_offset(value: f64) -> Result<usize> {
    if value.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(&value) {
        Ok(value as usize)
    } else {
        gmm(Err(GmmError::BadOption {
            name: "options.rowOffset",
            value,
            domain: "an integer >= 0",
        }))
    }
}

fn statistics_compute(data: &DataInput, dens: &Density, offset: usize) -> Result<Statistics> {
    data.with_unscanned(|data| {
        gmm(data.check_model(MODEL, &dens.shape()))?;
        gmm(statistics(data, dens, offset))
    })
}

fn statistics_output(stats: Statistics) -> Result<GmmMvStatisticsOutput> {
    Ok(GmmMvStatisticsOutput {
        chunks: Float64Array::new(stats.chunks),
        stride: u32::try_from(stats.stride).map_err(|_| {
            napi::Error::new(
                Status::InvalidArg,
                format!("the statistics stride {} exceeds 2^32 - 1", stats.stride),
            )
        })?,
        rows: stats.rows as f64,
        chunk_size: stats.chunk_size as u32,
        isa: stats.isa.to_string(),
    })
}

kernel_pair! {
    doc = "The chunk partials of one E-step of a model over a shard whose first row has global index rowOffset (a multiple of GMM_STATS_CHUNK); see gmmStatistics.",
    kernel = "gmmStatistics",
    sync = gmm_mv_statistics as "gmmMvStatistics",
    async = gmm_mv_statistics_async as "gmmMvStatisticsAsync" -> "Promise<GmmMvStatisticsOutput>",
    args = (data: Either3<Float64Array, Float32Array, Uint8Array>, borrow: bool, layout: GmmMvDataArgs, model: GmmMvModelArgs, row_offset: f64, threads: u32),
    threads = threads,
    returns = GmmMvStatisticsOutput,
    state = (DataInput::new(data, borrow, layout)?, model.density()?, self::row_offset(row_offset)?),
    compute = |(data, dens, offset): &mut (DataInput, Density, _)| statistics_compute(data, dens, *offset),
    finish = statistics_output,
}

/// Folds chunk partials in chunk order and applies the M-step (see
/// gmmMStep); `model` gives only the shape (covariance, dims, K =
/// weights.length).
#[napi(js_name = "gmmMvMStep")]
pub fn gmm_mv_m_step(
    chunks: Float64Array,
    stride: u32,
    model: GmmMvModelArgs,
    reg_covar: f64,
) -> Result<GmmMvModelOutput> {
    let shape = model.shape()?;
    // Sequential O(K·d²) work: run on the calling thread. A hop to a pool
    // thread costs more than the M-step (a sharded fit takes one per round).
    let next = guarded("gmmMStep", || {
        gmm(mstep_from_chunks(
            shape,
            &chunks,
            stride as usize,
            reg_covar,
        ))
    })?;
    let (weights, means, covariances) = model_arrays(next);
    Ok(GmmMvModelOutput {
        weights,
        means,
        covariances,
    })
}

// ---- per-row outputs -----------------------------------------------------

fn score_compute(data: &DataInput, dens: &Density, out: &mut Float64Array) -> Result<()> {
    data.with(|data| gmm(score_samples_into(data, dens, out_f64(out))))
}

kernel_pair! {
    doc = "The log-likelihood of every row under a multivariate model, into the caller's buffer (see scoreSamples).",
    kernel = "scoreSamples",
    sync = gmm_mv_score_samples as "gmmMvScoreSamples",
    async = gmm_mv_score_samples_async as "gmmMvScoreSamplesAsync" -> "Promise<void>",
    args = (data: Either3<Float64Array, Float32Array, Uint8Array>, borrow: bool, layout: GmmMvDataArgs, model: GmmMvModelArgs, out: Float64Array, threads: u32),
    threads = threads,
    returns = (),
    state = (DataInput::new(data, borrow, layout)?, model.density()?, out),
    compute = |(data, dens, out): &mut (DataInput, Density, Float64Array)| score_compute(data, dens, out),
    finish = Ok,
}

fn predict_compute(data: &DataInput, dens: &Density, out: &mut Uint8Array) -> Result<()> {
    data.with(|data| gmm(labels_into(data, dens, out_u8(out))))
}

kernel_pair! {
    doc = "The component of every row (argmax, ties to the lowest index) under a multivariate model, into the caller's buffer (see predictGmm).",
    kernel = "predictGmm",
    sync = gmm_mv_predict as "gmmMvPredict",
    async = gmm_mv_predict_async as "gmmMvPredictAsync" -> "Promise<void>",
    args = (data: Either3<Float64Array, Float32Array, Uint8Array>, borrow: bool, layout: GmmMvDataArgs, model: GmmMvModelArgs, out: Uint8Array, threads: u32),
    threads = threads,
    returns = (),
    state = (DataInput::new(data, borrow, layout)?, model.density()?, out),
    compute = |(data, dens, out): &mut (DataInput, Density, Uint8Array)| predict_compute(data, dens, out),
    finish = Ok,
}

fn proba_compute(data: &DataInput, dens: &Density, out: &mut Float64Array) -> Result<()> {
    data.with(|data| gmm(proba_into(data, dens, out_f64(out))))
}

kernel_pair! {
    doc = "Responsibilities of a multivariate model, N x K row-major (r[i*K + k]), into the caller's buffer (see predictProba).",
    kernel = "predictProba",
    sync = gmm_mv_proba as "gmmMvProba",
    async = gmm_mv_proba_async as "gmmMvProbaAsync" -> "Promise<void>",
    args = (data: Either3<Float64Array, Float32Array, Uint8Array>, borrow: bool, layout: GmmMvDataArgs, model: GmmMvModelArgs, out: Float64Array, threads: u32),
    threads = threads,
    returns = (),
    state = (DataInput::new(data, borrow, layout)?, model.density()?, out),
    compute = |(data, dens, out): &mut (DataInput, Density, Float64Array)| proba_compute(data, dens, out),
    finish = Ok,
}

// ---- distinct colours ----------------------------------------------------

/// Distinct colours (d bytes each, ascending) and how many pixels have each.
#[napi(object)]
pub struct GmmMvDistinctOutput {
    pub colors: Uint8Array,
    pub counts: Float64Array,
}

fn distinct_output(out: DistinctColors) -> Result<GmmMvDistinctOutput> {
    Ok(GmmMvDistinctOutput {
        colors: Uint8Array::new(out.colors),
        counts: Float64Array::new(out.counts),
    })
}

kernel_pair! {
    doc = "The distinct colours of 8-bit pixels (rowWidth channels a pixel, the columns used, at most 4) and their counts (see countDistinctColors).",
    kernel = "countDistinctColors",
    sync = gmm_mv_distinct_colors as "gmmMvDistinctColors",
    async = gmm_mv_distinct_colors_async as "gmmMvDistinctColorsAsync" -> "Promise<GmmMvDistinctOutput>",
    args = (pixels: Uint8Array, borrow: bool, row_width: u32, columns: Uint32Array, threads: u32),
    threads = threads,
    returns = GmmMvDistinctOutput,
    state = (ByteInput::new(pixels, borrow)?, row_width as usize, columns.to_vec()),
    compute = |(pixels, row_width, columns): &mut (ByteInput, usize, Vec<u32>)| gmm(distinct_colors(pixels.bytes(), *row_width, columns)),
    finish = distinct_output,
}
