//! Binding of fastkernels-gmm: converts typed arrays, maps errors, schedules
//! work on the shared pools. No math here.
//!
//! Every kernel has one compute function shared by its sync and async entry.
//! Outputs of known size arrive as typed arrays allocated by the TS layer
//! and are filled in place (see `buffers`); inputs of async calls are
//! copied, or lent with `borrow`.

use fastkernels_common::ProgressHook;
use fastkernels_gmm::{
    check_samples, expsum_stable_into, fit_gmm_traced, log_likelihood, predict_labels_into,
    predict_proba_into, responsibilities_into, FitOptions, GmmError, GmmFit, Init, Mixture,
    Trajectory,
};
use napi::bindgen_prelude::{Float64Array, Object, Uint8Array};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Result, Status};
use napi_derive::napi;

use crate::buffers::{out_f64, out_u8, FloatArray, FloatInput, SampleArray, SampleInput};
use crate::cancel::{CancelToken, StopFlag};
use crate::errors::kernel_error;
use crate::run::{kernel_pair, run_async, run_sync};

/// A mixture's parameters, one value per component (checked by the TS layer
/// and again here).
#[napi(object)]
pub struct GmmMixtureArgs {
    pub weights: Float64Array,
    pub means: Float64Array,
    pub stdevs: Float64Array,
}

impl GmmMixtureArgs {
    /// The checked mixture, built on the calling thread (O(K)) so that async
    /// calls own a private copy of the parameters.
    fn mixture(&self) -> Result<Mixture> {
        Mixture::new(&self.weights, &self.means, &self.stdevs).map_err(kernel_error)
    }
}

/// The output buffers of `computeExpsumStable`, allocated by the TS layer.
#[napi(object)]
pub struct GmmExpsumBuffers {
    pub expsum: Float64Array,
    pub p: Float64Array,
    pub p_max: Float64Array,
}

#[napi(object)]
pub struct GmmFitOutput {
    pub means: Float64Array,
    pub variances: Float64Array,
    pub stdevs: Float64Array,
    pub weights: Float64Array,
    pub log_likelihoods: Float64Array,
    pub iterations: u32,
    pub converged: bool,
    /// With `trace`: means, variances and weights (K each) after every iteration.
    pub trajectory: Option<Float64Array>,
}

/// One EM iteration's progress: `done` of `total` iterations, and the
/// log-likelihood of the parameters after it.
#[napi(object)]
pub struct GmmProgress {
    pub done: u32,
    pub total: u32,
    pub log_likelihood: f64,
}

/// An async fit's result and how many progress events it queued (the TS
/// layer resolves once all of them were delivered).
#[napi(object)]
pub struct GmmFitAsyncOutput {
    pub fit: GmmFitOutput,
    pub progress_events: u32,
}

pub type GmmProgressCallback = ThreadsafeFunction<GmmProgress, (), GmmProgress, Status, false>;

/// The progress hook of an async EM fit (1-D and multivariate): polls the
/// cancel flag and reports each iteration to the callback, non-blocking (an
/// unbounded queue: the fit never waits for the JS thread), counting what
/// it queued so the TS layer can wait for every event before settling.
pub struct FitProgress<'a> {
    stop: StopFlag,
    callback: Option<&'a GmmProgressCallback>,
    total: u32,
    pub queued: u32,
}

impl<'a> FitProgress<'a> {
    pub fn new(stop: StopFlag, callback: Option<&'a GmmProgressCallback>, total: u32) -> Self {
        Self {
            stop,
            callback,
            total,
            queued: 0,
        }
    }

    pub fn report(&mut self, iteration: usize, log_likelihood: f64) -> fastkernels_common::Flow {
        if let Some(callback) = self.callback {
            let event = GmmProgress {
                done: iteration as u32,
                total: self.total,
                log_likelihood,
            };
            if callback.call(event, ThreadsafeFunctionCallMode::NonBlocking) == Status::Ok {
                self.queued += 1;
            }
        }
        self.stop.flow()
    }
}

/// Fit options resolved by the TS layer (defaults filled in, init computed).
#[napi(object)]
pub struct GmmFitParams {
    pub means: Float64Array,
    pub variances: Float64Array,
    pub weights: Float64Array,
    pub iterations: u32,
    pub tol: Option<f64>,
    pub variance_floor: f64,
    pub reg_covar: f64,
    /// Also return the parameters after every iteration (`trajectory`).
    pub trace: bool,
}

impl GmmFitParams {
    fn to_options(&self) -> FitOptions {
        FitOptions {
            iterations: self.iterations as usize,
            tol: self.tol,
            init: Init {
                means: self.means.to_vec(),
                variances: self.variances.to_vec(),
                weights: self.weights.to_vec(),
            },
            variance_floor: self.variance_floor,
            reg_covar: self.reg_covar,
        }
    }
}

fn fit_output((fit, trajectory): (GmmFit, Option<Trajectory>)) -> GmmFitOutput {
    GmmFitOutput {
        trajectory: trajectory.map(|t| Float64Array::new(t.params)),
        means: Float64Array::new(fit.means),
        variances: Float64Array::new(fit.variances),
        stdevs: Float64Array::new(fit.stdevs),
        weights: Float64Array::new(fit.weights),
        log_likelihoods: Float64Array::new(fit.log_likelihoods),
        iterations: fit.iterations as u32,
        converged: fit.converged,
    }
}

pub(crate) fn gmm<T>(result: std::result::Result<T, GmmError>) -> Result<T> {
    result.map_err(kernel_error)
}

// ---- per-sample kernels -------------------------------------------------

fn expsum_compute(x: &FloatInput, mix: &Mixture, out: &mut GmmExpsumBuffers) -> Result<()> {
    let x = x.values()?;
    gmm(check_samples(&x))?;
    gmm(expsum_stable_into(
        mix,
        &x,
        out_f64(&mut out.expsum),
        out_f64(&mut out.p),
        out_f64(&mut out.p_max),
    ))
}

kernel_pair! {
    doc = "The original's compute_expsum_stable into the caller's buffers (see computeExpsumStable).",
    kernel = "computeExpsumStable",
    sync = gmm_expsum_stable as "gmmExpsumStable",
    async = gmm_expsum_stable_async as "gmmExpsumStableAsync" -> "Promise<void>",
    args = (intensities: FloatArray, borrow: bool, mixture: GmmMixtureArgs, out: GmmExpsumBuffers, threads: u32),
    threads = threads,
    returns = (),
    state = (FloatInput::new(intensities, borrow)?, mixture.mixture()?, out),
    compute = |(x, mix, out): &mut (FloatInput, Mixture, GmmExpsumBuffers)| expsum_compute(x, mix, out),
    finish = Ok,
}

fn log_likelihood_compute(x: &FloatInput, mix: &Mixture) -> Result<f64> {
    let x = x.values()?;
    gmm(check_samples(&x))?;
    Ok(log_likelihood(mix, &x))
}

kernel_pair! {
    doc = "The log-likelihood of the mixture on the intensities (see computeLogLikelihoodStable).",
    kernel = "computeLogLikelihoodStable",
    sync = gmm_log_likelihood as "gmmLogLikelihood",
    async = gmm_log_likelihood_async as "gmmLogLikelihoodAsync" -> "Promise<number>",
    args = (intensities: FloatArray, borrow: bool, mixture: GmmMixtureArgs, threads: u32),
    threads = threads,
    returns = f64,
    state = (FloatInput::new(intensities, borrow)?, mixture.mixture()?),
    compute = |(x, mix): &mut (FloatInput, Mixture)| log_likelihood_compute(x, mix),
    finish = Ok,
}

fn responsibilities_compute(x: &FloatInput, mix: &Mixture, out: &mut Float64Array) -> Result<()> {
    let x = x.values()?;
    gmm(check_samples(&x))?;
    gmm(responsibilities_into(mix, &x, out_f64(out)))
}

kernel_pair! {
    doc = "Responsibilities, K planes of N values, into the caller's buffer.",
    kernel = "computeExpectationResponsibilities",
    sync = gmm_responsibilities as "gmmResponsibilities",
    async = gmm_responsibilities_async as "gmmResponsibilitiesAsync" -> "Promise<void>",
    args = (intensities: FloatArray, borrow: bool, mixture: GmmMixtureArgs, out: Float64Array, threads: u32),
    threads = threads,
    returns = (),
    state = (FloatInput::new(intensities, borrow)?, mixture.mixture()?, out),
    compute = |(x, mix, out): &mut (FloatInput, Mixture, Float64Array)| responsibilities_compute(x, mix, out),
    finish = Ok,
}

// ---- fit ----------------------------------------------------------------

fn fit_compute(
    data: &SampleInput,
    options: &FitOptions,
    trace: bool,
    progress: ProgressHook<'_>,
) -> Result<(GmmFit, Option<Trajectory>)> {
    // One compute path: the traced fit is the fit (recording K values per
    // iteration is cheap); the trace is handed back only when asked for.
    data.with(|samples| gmm(fit_gmm_traced(samples, options, progress)))
        .map(|(fit, trajectory)| (fit, trace.then_some(trajectory)))
}

#[napi(js_name = "gmmFit")]
pub fn gmm_fit(data: SampleArray, params: GmmFitParams, threads: u32) -> Result<GmmFitOutput> {
    let (data, options) = (SampleInput::new(data, true)?, params.to_options());
    let out = run_sync("fitGmm", threads, || {
        fit_compute(
            &data,
            &options,
            params.trace,
            &mut fastkernels_common::no_progress,
        )
    })?;
    Ok(fit_output(out))
}

#[napi(js_name = "gmmFitAsync", ts_return_type = "Promise<GmmFitAsyncOutput>")]
pub fn gmm_fit_async<'env>(
    env: &'env Env,
    data: SampleArray,
    borrow: bool,
    params: GmmFitParams,
    threads: u32,
    token: Option<&CancelToken>,
    on_progress: Option<GmmProgressCallback>,
) -> Result<Object<'env>> {
    let (data, options) = (SampleInput::new(data, borrow)?, params.to_options());
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
        |(out, queued)| {
            Ok(GmmFitAsyncOutput {
                fit: fit_output(out),
                progress_events: queued,
            })
        },
    )
}

// ---- prediction ---------------------------------------------------------

fn labels_compute(data: &SampleInput, mix: &Mixture, out: &mut Uint8Array) -> Result<()> {
    data.with(|samples| gmm(predict_labels_into(mix, samples, out_u8(out))))
}

kernel_pair! {
    doc = "Segmentation labels into the caller's buffer (see predictGmm).",
    kernel = "predictGmm",
    sync = gmm_predict as "gmmPredict",
    async = gmm_predict_async as "gmmPredictAsync" -> "Promise<void>",
    args = (data: SampleArray, borrow: bool, mixture: GmmMixtureArgs, out: Uint8Array, threads: u32),
    threads = threads,
    returns = (),
    state = (SampleInput::new(data, borrow)?, mixture.mixture()?, out),
    compute = |(data, mix, out): &mut (SampleInput, Mixture, Uint8Array)| labels_compute(data, mix, out),
    finish = Ok,
}

fn proba_compute(data: &SampleInput, mix: &Mixture, out: &mut Float64Array) -> Result<()> {
    data.with(|samples| gmm(predict_proba_into(mix, samples, out_f64(out))))
}

kernel_pair! {
    doc = "Responsibilities of a model, K planes of N values, into the caller's buffer (see predictProba).",
    kernel = "predictProba",
    sync = gmm_proba as "gmmProba",
    async = gmm_proba_async as "gmmProbaAsync" -> "Promise<void>",
    args = (data: SampleArray, borrow: bool, mixture: GmmMixtureArgs, out: Float64Array, threads: u32),
    threads = threads,
    returns = (),
    state = (SampleInput::new(data, borrow)?, mixture.mixture()?, out),
    compute = |(data, mix, out): &mut (SampleInput, Mixture, Float64Array)| proba_compute(data, mix, out),
    finish = Ok,
}
