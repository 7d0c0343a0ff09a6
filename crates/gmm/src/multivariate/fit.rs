//! EM for the multivariate mixture, scikit-learn's iteration: each
//! iteration is an E-step against the current model (the chunked, folded
//! statistics of [`crate::multivariate::stats`]) then the M-step. The
//! reported log-likelihood of iteration i is that of its E-step (total,
//! `sum_i w_i ll_i`; scikit-learn's `lower_bound_` is it divided by `sum w`).

use fastkernels_common::alloc::push;
use fastkernels_common::limits::at_most;
use fastkernels_common::{Flow, ProgressHook};

use crate::error::GmmError;
use crate::fit::tolerance_reached;
use crate::fit::MAX_ITERATIONS;
use crate::multivariate::density::{Density, Origin};
use crate::multivariate::model::{Model, MvData, INIT};
use crate::multivariate::mstep::{check_reg_covar, mstep};
use crate::multivariate::stats::folded_statistics;

#[derive(Debug, Clone, PartialEq)]
pub struct MvFitOptions {
    /// K; the initial model must have this many components.
    pub components: usize,
    pub iterations: usize,
    /// Stop after iteration i >= 2 when `|LL_i - LL_{i-1}| <= tol * sum w`.
    pub tol: Option<f64>,
    /// Added to the diagonal of every covariance after each M-step.
    pub reg_covar: f64,
    /// The initial model (checked with [`INIT`] names).
    pub init: Model,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MvFit {
    /// The model after the last M-step.
    pub model: Model,
    /// The total log-likelihood of each iteration's E-step.
    pub log_likelihoods: Vec<f64>,
    pub iterations: usize,
    pub converged: bool,
    /// With `trace`: weights, means, covariances after every iteration.
    pub trajectory: Vec<f64>,
}

fn check_options(data: &MvData<'_>, options: &MvFitOptions) -> Result<(), GmmError> {
    let k = options.components;
    if k != options.init.components() {
        return Err(GmmError::LengthMismatch {
            name: INIT.weights,
            expected: k,
            actual: options.init.components(),
            because: format!("one value per component, options.components = {k}"),
        });
    }
    if options.iterations == 0 {
        return Err(GmmError::BadOption {
            name: "options.iterations",
            value: 0.0,
            domain: "an integer >= 1",
        });
    }
    at_most(
        "options.iterations",
        options.iterations,
        MAX_ITERATIONS,
        "GMM_MAX_ITERATIONS",
    )?;
    if let Some(tol) = options.tol {
        if !(0.0..=f64::MAX).contains(&tol) {
            return Err(GmmError::BadOption {
                name: "options.tol",
                value: tol,
                domain: "a number >= 0 and <= 1.7976931348623157e+308",
            });
        }
    }
    check_reg_covar(options.reg_covar)?;
    data.check_model(INIT, &options.init.shape)
}

/// Fits by EM from `options.init`. `progress` is called after every
/// iteration with its log-likelihood; `Flow::Stop` cancels the fit.
pub fn fit(
    data: &MvData<'_>,
    options: &MvFitOptions,
    trace: bool,
    progress: ProgressHook<'_>,
) -> Result<MvFit, GmmError> {
    if data.rows() == 0 {
        return Err(GmmError::EmptyData {
            name: "data",
            kind: data.kind(),
        });
    }
    data.check_weight_mass()?;
    check_options(data, options)?;
    let mut density = Density::new(&options.init, Origin::Given(INIT))?;
    let mut model = options.init.clone();
    let mut log_likelihoods: Vec<f64> = Vec::new();
    let mut trajectory: Vec<f64> = Vec::new();
    let mut converged = false;
    for iteration in 1..=options.iterations {
        let acc = folded_statistics(data, &density)?;
        let (weight_sum, ll) = (acc[0], acc[1]);
        let (next, next_density) = mstep(model.shape, &acc, options.reg_covar)?;
        model = next;
        density = next_density;
        push(&mut log_likelihoods, ll, "the log-likelihood history")?;
        if trace {
            for &v in model
                .weights
                .iter()
                .chain(&model.means)
                .chain(&model.covariances)
            {
                push(&mut trajectory, v, "the fit trajectory")?;
            }
        }
        if progress(iteration, ll) == Flow::Stop {
            return Err(GmmError::Cancelled);
        }
        if tolerance_reached(options.tol, &log_likelihoods, weight_sum) {
            converged = true;
            break;
        }
    }
    Ok(MvFit {
        model,
        iterations: log_likelihoods.len(),
        log_likelihoods,
        converged,
        trajectory,
    })
}
