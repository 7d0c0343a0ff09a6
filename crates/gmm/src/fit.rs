//! Expectation-maximisation with the original's update rules, one fused pass
//! per iteration (iterations + 1 passes in all).

use fastkernels_common::alloc::{copied, push};
use fastkernels_common::limits::at_most;
use fastkernels_common::{Flow, ProgressHook};
use rayon::prelude::*;

use crate::error::GmmError;
use crate::histogram::{histogram, occupied_bins};
use crate::mixture::{
    check_length, check_means, check_scales, check_weights, Mixture, MAX_COMPONENTS,
};
use crate::pass::{fused_pass, weighted_pass, PassStats};

/// Below this responsibility mass a component "captured no samples": it keeps
/// its previous mean and variance (its weight becomes `N_k / N`, about 0).
pub const EMPTY_MASS: f64 = 1e-300;

/// Most EM iterations a fit accepts. Each iteration is one pass over the
/// samples and one log-likelihood in the history (grown as the fit runs,
/// never reserved up front); 10^7 passes is already days of work on a
/// large image, so a larger value is a mistake, refused before any work.
pub const MAX_ITERATIONS: usize = 10_000_000;

/// The default variance floor (`FitGmmOptions.varianceFloor` in TS).
pub const DEFAULT_VARIANCE_FLOOR: f64 = 1e-12;

/// Option domains as the TS layer prints them (`Number.MAX_VALUE` as JS
/// renders it).
const TOL_DOMAIN: &str = "a number >= 0 and <= 1.7976931348623157e+308";
const FLOOR_DOMAIN: &str = "a number > 0 and <= 1.7976931348623157e+308";

/// The samples of a fit: values, or 8-bit pixels read as `v / 255`.
#[derive(Debug, Clone, Copy)]
pub enum Samples<'a> {
    Values(&'a [f64]),
    Bytes(&'a [u8]),
}

impl Samples<'_> {
    pub fn len(&self) -> usize {
        match self {
            Self::Values(v) => v.len(),
            Self::Bytes(b) => b.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Starting parameters, one value per component.
#[derive(Debug, Clone, PartialEq)]
pub struct Init {
    pub means: Vec<f64>,
    pub variances: Vec<f64>,
    pub weights: Vec<f64>,
}

impl Init {
    /// [`Init::original`] after checking `components` against
    /// [`MAX_COMPONENTS`] (1..=MAX_COMPONENTS), before allocating.
    pub fn try_original(components: usize) -> Result<Self, GmmError> {
        if components == 0 {
            return Err(bad_option("options.components", 0.0, "an integer >= 1"));
        }
        at_most(
            "options.components",
            components,
            MAX_COMPONENTS,
            "GMM_MAX_COMPONENTS",
        )?;
        Ok(Self::original(components))
    }

    /// The original's initialisation: means `linspace(0, 1, K)`, variances
    /// `10/255`, weights 1 (not normalised).
    pub fn original(components: usize) -> Self {
        let means = (0..components)
            .map(|k| {
                if components == 1 {
                    0.0
                } else {
                    k as f64 / (components - 1) as f64
                }
            })
            .collect();
        Self {
            means,
            variances: vec![10.0 / 255.0; components],
            weights: vec![1.0; components],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    pub iterations: usize,
    /// Stop when `|LL_i - LL_{i-1}| <= tol * N` (i >= 2); `None` runs every iteration.
    pub tol: Option<f64>,
    pub init: Init,
    /// A variance below this is raised to it (only then).
    pub variance_floor: f64,
    /// Added to every variance after the M-step (scikit-learn's `reg_covar`).
    pub reg_covar: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GmmFit {
    pub means: Vec<f64>,
    pub variances: Vec<f64>,
    pub stdevs: Vec<f64>,
    pub weights: Vec<f64>,
    /// Log-likelihood of the parameters after each iteration.
    pub log_likelihoods: Vec<f64>,
    pub iterations: usize,
    pub converged: bool,
}

fn bad_option(name: &'static str, value: f64, domain: &'static str) -> GmmError {
    GmmError::BadOption {
        name,
        value,
        domain,
    }
}

/// The options in the TS layer's order (`checkFitOptions`): components
/// (the length of `init.means`), iterations, tol, varianceFloor, regCovar,
/// then the init arrays. Size limits are O(1) and come first for each option.
fn check_options(options: &FitOptions) -> Result<usize, GmmError> {
    let init = &options.init;
    let k = init.means.len();
    if k == 0 {
        return Err(bad_option("options.components", 0.0, "an integer >= 1"));
    }
    at_most(
        "options.components",
        k,
        MAX_COMPONENTS,
        "GMM_MAX_COMPONENTS",
    )?;
    if options.iterations == 0 {
        return Err(bad_option("options.iterations", 0.0, "an integer >= 1"));
    }
    at_most(
        "options.iterations",
        options.iterations,
        MAX_ITERATIONS,
        "GMM_MAX_ITERATIONS",
    )?;
    if let Some(tol) = options.tol {
        if !(0.0..=f64::MAX).contains(&tol) {
            return Err(bad_option("options.tol", tol, TOL_DOMAIN));
        }
    }
    let floor = options.variance_floor;
    if !(floor > 0.0 && floor <= f64::MAX) {
        return Err(bad_option("options.varianceFloor", floor, FLOOR_DOMAIN));
    }
    let reg = options.reg_covar;
    if !(0.0..=f64::MAX).contains(&reg) {
        return Err(bad_option("options.regCovar", reg, TOL_DOMAIN));
    }
    let why = || format!("one value per component, options.components = {k}");
    check_length("options.init.variances", &init.variances, k, why)?;
    check_length("options.init.weights", &init.weights, k, why)?;
    check_means("options.init.means", &init.means)?;
    check_scales("options.init.variances", &init.variances)?;
    check_weights("options.init.weights", &init.weights)?;
    Ok(k)
}

/// Non-empty and every value finite; `name` is the argument ("data" for
/// fit and predict, "intensities" for the per-sample kernels).
pub(crate) fn check_values(name: &'static str, x: &[f64]) -> Result<(), GmmError> {
    if x.is_empty() {
        return Err(GmmError::EmptyData {
            name,
            kind: "Float64Array",
        });
    }
    let bad = x
        .par_chunks(1 << 16)
        .enumerate()
        .find_first(|(_, c)| c.iter().any(|v| !v.is_finite()));
    if let Some((c, chunk)) = bad {
        let (i, &value) = chunk
            .iter()
            .enumerate()
            .find(|(_, v)| !v.is_finite())
            .unwrap_or((0, &f64::NAN));
        return Err(GmmError::NonFiniteData {
            name,
            index: c * (1 << 16) + i,
            value,
        });
    }
    Ok(())
}

/// Non-empty 8-bit samples.
pub(crate) fn check_bytes(name: &'static str, b: &[u8]) -> Result<(), GmmError> {
    if b.is_empty() {
        return Err(GmmError::EmptyData {
            name,
            kind: "Uint8Array",
        });
    }
    Ok(())
}

/// The stop rule of every EM fit (1-D and multivariate): after iteration
/// i >= 2, `|LL_i - LL_{i-1}| <= tol * total` (total = number of samples or
/// sum of weights).
pub(crate) fn tolerance_reached(tol: Option<f64>, log_likelihoods: &[f64], total: f64) -> bool {
    matches!((tol, log_likelihoods), (Some(tol), [.., before, after]) if (after - before).abs() <= tol * total)
}

/// Evaluates a mixture over all samples: (mixture, with statistics) -> statistics.
type Evaluate<'a> = Box<dyn Fn(&Mixture, bool) -> PassStats + 'a>;

/// Fits a K-component mixture by EM. `progress` is called after every
/// iteration with the new log-likelihood; `Flow::Stop` cancels the fit.
pub fn fit_gmm(
    samples: Samples<'_>,
    options: &FitOptions,
    progress: ProgressHook<'_>,
) -> Result<GmmFit, GmmError> {
    fit_with(samples, options, progress, None)
}

/// The parameters after every iteration of a fit, for step-by-step
/// estimators: iteration `i` (0-based) holds `means`, `variances` and
/// `weights`, K values each, at `params[3K*i ..]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trajectory {
    pub params: Vec<f64>,
}

/// [`fit_gmm`] that also records the parameters after every iteration: the
/// data (or its histogram) is prepared once and the run is the same fit,
/// bit for bit, as `fit_gmm` with the same options.
pub fn fit_gmm_traced(
    samples: Samples<'_>,
    options: &FitOptions,
    progress: ProgressHook<'_>,
) -> Result<(GmmFit, Trajectory), GmmError> {
    let mut trajectory = Trajectory::default();
    let fit = fit_with(samples, options, progress, Some(&mut trajectory))?;
    Ok((fit, trajectory))
}

fn fit_with(
    samples: Samples<'_>,
    options: &FitOptions,
    progress: ProgressHook<'_>,
    mut trajectory: Option<&mut Trajectory>,
) -> Result<GmmFit, GmmError> {
    // The data first, then the options: the TS layer's order.
    match samples {
        Samples::Values(x) => check_values("data", x)?,
        Samples::Bytes(b) => check_bytes("data", b)?,
    }
    let k = check_options(options)?;
    // Each evaluation of a mixture is one pass over the samples (or the bins).
    let (pass, total): (Evaluate<'_>, f64) = match samples {
        Samples::Values(x) => (
            Box::new(move |mix, stats| fused_pass(mix, x, stats)),
            x.len() as f64,
        ),
        Samples::Bytes(b) => {
            let (values, counts) = occupied_bins(&histogram(b));
            (
                Box::new(move |mix, _| weighted_pass(mix, &values, &counts)),
                b.len() as f64,
            )
        }
    };

    let mut means = copied(&options.init.means, "the fitted means")?;
    let mut variances = copied(&options.init.variances, "the fitted variances")?;
    let mut weights = copied(&options.init.weights, "the fitted weights")?;
    let mut stdevs = copied(&variances, "the fitted stdevs")?;
    stdevs.iter_mut().for_each(|v| *v = v.sqrt());
    // Grows as the fit runs: nothing proportional to the requested
    // iteration count is reserved (a fit may stop early or be refused).
    let mut log_likelihoods: Vec<f64> = Vec::new();
    let mut converged = false;

    let mut stats = pass(&Mixture::new_unchecked(&weights, &means, &stdevs), true);
    for iteration in 1..=options.iterations {
        for c in 0..k {
            let nk = stats.s0[c];
            if nk > EMPTY_MASS {
                let shift = stats.s1[c] / nk;
                let var = stats.s2[c] / nk - shift * shift + options.reg_covar;
                means[c] += shift;
                variances[c] = if var >= options.variance_floor {
                    var
                } else {
                    options.variance_floor
                };
                stdevs[c] = variances[c].sqrt();
            }
            weights[c] = nk / total;
        }
        let last = iteration == options.iterations;
        stats = pass(&Mixture::new_unchecked(&weights, &means, &stdevs), !last);
        let ll = stats.log_likelihood;
        push(&mut log_likelihoods, ll, "the log-likelihood history")?;
        if let Some(trajectory) = trajectory.as_deref_mut() {
            for &value in means.iter().chain(&variances).chain(&weights) {
                push(&mut trajectory.params, value, "the fit trajectory")?;
            }
        }
        if progress(iteration, ll) == Flow::Stop {
            return Err(GmmError::Cancelled);
        }
        if tolerance_reached(options.tol, &log_likelihoods, total) {
            converged = true;
            break;
        }
    }
    Ok(GmmFit {
        iterations: log_likelihoods.len(),
        means,
        variances,
        stdevs,
        weights,
        log_likelihoods,
        converged,
    })
}
