//! Binding of fastkernels-gmm: converts typed arrays, maps errors, schedules
//! work on the shared pools. No math here.

use fastkernels_common::ProgressHook;
use fastkernels_gmm::{
    check_samples, expsum_stable, fit_gmm, log_likelihood, predict_labels, predict_proba,
    responsibilities, FitOptions, GmmError, GmmFit, Init, Mixture, Samples,
};
use napi::bindgen_prelude::{Float64Array, Object, Uint8Array};
use napi::{Env, Result};
use napi_derive::napi;

use crate::cancel::{CancelToken, StopFlag};
use crate::errors::kernel_error;
use crate::run::{run_async, run_sync};

#[napi(object)]
pub struct GmmExpsumOutput {
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

fn fit_output(fit: GmmFit) -> GmmFitOutput {
    GmmFitOutput {
        means: Float64Array::new(fit.means),
        variances: Float64Array::new(fit.variances),
        stdevs: Float64Array::new(fit.stdevs),
        weights: Float64Array::new(fit.weights),
        log_likelihoods: Float64Array::new(fit.log_likelihoods),
        iterations: fit.iterations as u32,
        converged: fit.converged,
    }
}

fn mixture(
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
) -> std::result::Result<Mixture, GmmError> {
    Mixture::new(weights, means, stdevs)
}

fn checked<T>(
    x: &[f64],
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
    kernel: impl FnOnce(&Mixture, &[f64]) -> std::result::Result<T, GmmError>,
) -> Result<T> {
    check_samples(x).map_err(kernel_error)?;
    let mix = mixture(weights, means, stdevs).map_err(kernel_error)?;
    kernel(&mix, x).map_err(kernel_error)
}

fn log_likelihood_of(mix: &Mixture, x: &[f64]) -> std::result::Result<f64, GmmError> {
    Ok(log_likelihood(mix, x))
}

/// A copy of an input for an async kernel; an allocation failure is an error, not an abort.
pub(crate) fn copy<T: Copy>(values: &[T]) -> Result<Vec<T>> {
    let mut out = Vec::new();
    out.try_reserve_exact(values.len()).map_err(|_| {
        napi::Error::new(
            napi::Status::GenericFailure,
            format!(
                "could not copy {} input values for an async call",
                values.len()
            ),
        )
    })?;
    out.extend_from_slice(values);
    Ok(out)
}

/// Owned copies of the inputs of an async per-sample kernel.
struct Owned {
    x: Vec<f64>,
    weights: Vec<f64>,
    means: Vec<f64>,
    stdevs: Vec<f64>,
}

impl Owned {
    fn of(x: &[f64], weights: &[f64], means: &[f64], stdevs: &[f64]) -> Result<Self> {
        Ok(Self {
            x: copy(x)?,
            weights: weights.to_vec(),
            means: means.to_vec(),
            stdevs: stdevs.to_vec(),
        })
    }
}

#[napi(js_name = "gmmExpsumStable")]
pub fn gmm_expsum_stable(
    intensities: &[f64],
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
    threads: u32,
) -> Result<GmmExpsumOutput> {
    let out = run_sync("computeExpsumStable", threads, || {
        checked(intensities, weights, means, stdevs, expsum_stable)
    })?;
    Ok(GmmExpsumOutput {
        expsum: Float64Array::new(out.expsum),
        p: Float64Array::new(out.p),
        p_max: Float64Array::new(out.p_max),
    })
}

#[napi(
    js_name = "gmmExpsumStableAsync",
    ts_return_type = "Promise<GmmExpsumOutput>"
)]
pub fn gmm_expsum_stable_async<'env>(
    env: &'env Env,
    intensities: &[f64],
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
    threads: u32,
) -> Result<Object<'env>> {
    let o = Owned::of(intensities, weights, means, stdevs)?;
    run_async(
        env,
        "computeExpsumStable",
        threads,
        move || checked(&o.x, &o.weights, &o.means, &o.stdevs, expsum_stable),
        |out| {
            Ok(GmmExpsumOutput {
                expsum: Float64Array::new(out.expsum),
                p: Float64Array::new(out.p),
                p_max: Float64Array::new(out.p_max),
            })
        },
    )
}

#[napi(js_name = "gmmLogLikelihood")]
pub fn gmm_log_likelihood(
    intensities: &[f64],
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
    threads: u32,
) -> Result<f64> {
    run_sync("computeLogLikelihoodStable", threads, || {
        checked(intensities, weights, means, stdevs, log_likelihood_of)
    })
}

#[napi(js_name = "gmmLogLikelihoodAsync", ts_return_type = "Promise<number>")]
pub fn gmm_log_likelihood_async<'env>(
    env: &'env Env,
    intensities: &[f64],
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
    threads: u32,
) -> Result<Object<'env>> {
    let o = Owned::of(intensities, weights, means, stdevs)?;
    run_async(
        env,
        "computeLogLikelihoodStable",
        threads,
        move || checked(&o.x, &o.weights, &o.means, &o.stdevs, log_likelihood_of),
        Ok,
    )
}

#[napi(js_name = "gmmResponsibilities")]
pub fn gmm_responsibilities(
    intensities: &[f64],
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
    threads: u32,
) -> Result<Float64Array> {
    let r = run_sync("computeExpectationResponsibilities", threads, || {
        checked(intensities, weights, means, stdevs, responsibilities)
    })?;
    Ok(Float64Array::new(r))
}

#[napi(
    js_name = "gmmResponsibilitiesAsync",
    ts_return_type = "Promise<Float64Array>"
)]
pub fn gmm_responsibilities_async<'env>(
    env: &'env Env,
    intensities: &[f64],
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
    threads: u32,
) -> Result<Object<'env>> {
    let o = Owned::of(intensities, weights, means, stdevs)?;
    run_async(
        env,
        "computeExpectationResponsibilities",
        threads,
        move || checked(&o.x, &o.weights, &o.means, &o.stdevs, responsibilities),
        |r| Ok(Float64Array::new(r)),
    )
}

fn fit(samples: Samples<'_>, options: &FitOptions, progress: ProgressHook<'_>) -> Result<GmmFit> {
    fit_gmm(samples, options, progress).map_err(kernel_error)
}

#[napi(js_name = "gmmFitValues")]
pub fn gmm_fit_values(data: &[f64], params: GmmFitParams, threads: u32) -> Result<GmmFitOutput> {
    let options = params.to_options();
    let out = run_sync("fitGmm", threads, || {
        fit(
            Samples::Values(data),
            &options,
            &mut fastkernels_common::no_progress,
        )
    })?;
    Ok(fit_output(out))
}

#[napi(js_name = "gmmFitBytes")]
pub fn gmm_fit_bytes(data: &[u8], params: GmmFitParams, threads: u32) -> Result<GmmFitOutput> {
    let options = params.to_options();
    let out = run_sync("fitGmm", threads, || {
        fit(
            Samples::Bytes(data),
            &options,
            &mut fastkernels_common::no_progress,
        )
    })?;
    Ok(fit_output(out))
}

#[napi(
    js_name = "gmmFitValuesAsync",
    ts_return_type = "Promise<GmmFitOutput>"
)]
pub fn gmm_fit_values_async<'env>(
    env: &'env Env,
    data: &[f64],
    params: GmmFitParams,
    threads: u32,
    token: Option<&CancelToken>,
) -> Result<Object<'env>> {
    let (data, options, stop) = (copy(data)?, params.to_options(), StopFlag::of(token));
    run_async(
        env,
        "fitGmm",
        threads,
        move || fit(Samples::Values(&data), &options, &mut |_, _| stop.flow()),
        |out| Ok(fit_output(out)),
    )
}

#[napi(js_name = "gmmFitBytesAsync", ts_return_type = "Promise<GmmFitOutput>")]
pub fn gmm_fit_bytes_async<'env>(
    env: &'env Env,
    data: &[u8],
    params: GmmFitParams,
    threads: u32,
    token: Option<&CancelToken>,
) -> Result<Object<'env>> {
    let (data, options, stop) = (copy(data)?, params.to_options(), StopFlag::of(token));
    run_async(
        env,
        "fitGmm",
        threads,
        move || fit(Samples::Bytes(&data), &options, &mut |_, _| stop.flow()),
        |out| Ok(fit_output(out)),
    )
}

fn predict<T>(
    samples: Samples<'_>,
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
    kernel: impl FnOnce(&Mixture, Samples<'_>) -> std::result::Result<T, GmmError>,
) -> Result<T> {
    let mix = mixture(weights, means, stdevs).map_err(kernel_error)?;
    kernel(&mix, samples).map_err(kernel_error)
}

#[napi(js_name = "gmmPredictValues")]
pub fn gmm_predict_values(
    data: &[f64],
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
    threads: u32,
) -> Result<Uint8Array> {
    let labels = run_sync("predictGmm", threads, || {
        predict(
            Samples::Values(data),
            weights,
            means,
            stdevs,
            predict_labels,
        )
    })?;
    Ok(Uint8Array::new(labels))
}

#[napi(js_name = "gmmPredictBytes")]
pub fn gmm_predict_bytes(
    data: &[u8],
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
    threads: u32,
) -> Result<Uint8Array> {
    let labels = run_sync("predictGmm", threads, || {
        predict(Samples::Bytes(data), weights, means, stdevs, predict_labels)
    })?;
    Ok(Uint8Array::new(labels))
}

#[napi(js_name = "gmmProbaValues")]
pub fn gmm_proba_values(
    data: &[f64],
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
    threads: u32,
) -> Result<Float64Array> {
    let r = run_sync("predictProba", threads, || {
        predict(Samples::Values(data), weights, means, stdevs, predict_proba)
    })?;
    Ok(Float64Array::new(r))
}

#[napi(js_name = "gmmProbaBytes")]
pub fn gmm_proba_bytes(
    data: &[u8],
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
    threads: u32,
) -> Result<Float64Array> {
    let r = run_sync("predictProba", threads, || {
        predict(Samples::Bytes(data), weights, means, stdevs, predict_proba)
    })?;
    Ok(Float64Array::new(r))
}

/// Owned copies of a prediction's inputs for an async call.
struct OwnedModel {
    weights: Vec<f64>,
    means: Vec<f64>,
    stdevs: Vec<f64>,
}

impl OwnedModel {
    fn of(weights: &[f64], means: &[f64], stdevs: &[f64]) -> Self {
        Self {
            weights: weights.to_vec(),
            means: means.to_vec(),
            stdevs: stdevs.to_vec(),
        }
    }
}

#[napi(
    js_name = "gmmPredictValuesAsync",
    ts_return_type = "Promise<Uint8Array>"
)]
pub fn gmm_predict_values_async<'env>(
    env: &'env Env,
    data: &[f64],
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
    threads: u32,
) -> Result<Object<'env>> {
    let (data, m) = (copy(data)?, OwnedModel::of(weights, means, stdevs));
    run_async(
        env,
        "predictGmm",
        threads,
        move || {
            predict(
                Samples::Values(&data),
                &m.weights,
                &m.means,
                &m.stdevs,
                predict_labels,
            )
        },
        |labels| Ok(Uint8Array::new(labels)),
    )
}

#[napi(
    js_name = "gmmPredictBytesAsync",
    ts_return_type = "Promise<Uint8Array>"
)]
pub fn gmm_predict_bytes_async<'env>(
    env: &'env Env,
    data: &[u8],
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
    threads: u32,
) -> Result<Object<'env>> {
    let (data, m) = (copy(data)?, OwnedModel::of(weights, means, stdevs));
    run_async(
        env,
        "predictGmm",
        threads,
        move || {
            predict(
                Samples::Bytes(&data),
                &m.weights,
                &m.means,
                &m.stdevs,
                predict_labels,
            )
        },
        |labels| Ok(Uint8Array::new(labels)),
    )
}

#[napi(
    js_name = "gmmProbaValuesAsync",
    ts_return_type = "Promise<Float64Array>"
)]
pub fn gmm_proba_values_async<'env>(
    env: &'env Env,
    data: &[f64],
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
    threads: u32,
) -> Result<Object<'env>> {
    let (data, m) = (copy(data)?, OwnedModel::of(weights, means, stdevs));
    run_async(
        env,
        "predictProba",
        threads,
        move || {
            predict(
                Samples::Values(&data),
                &m.weights,
                &m.means,
                &m.stdevs,
                predict_proba,
            )
        },
        |r| Ok(Float64Array::new(r)),
    )
}

#[napi(
    js_name = "gmmProbaBytesAsync",
    ts_return_type = "Promise<Float64Array>"
)]
pub fn gmm_proba_bytes_async<'env>(
    env: &'env Env,
    data: &[u8],
    weights: &[f64],
    means: &[f64],
    stdevs: &[f64],
    threads: u32,
) -> Result<Object<'env>> {
    let (data, m) = (copy(data)?, OwnedModel::of(weights, means, stdevs));
    run_async(
        env,
        "predictProba",
        threads,
        move || {
            predict(
                Samples::Bytes(&data),
                &m.weights,
                &m.means,
                &m.stdevs,
                predict_proba,
            )
        },
        |r| Ok(Float64Array::new(r)),
    )
}
