//! Expectation-maximisation with the original's update rules, one fused pass
//! per iteration (iterations + 1 passes in all).

use fastkernels_common::{Flow, ProgressHook};
use rayon::prelude::*;

use crate::error::GmmError;
use crate::histogram::{histogram, occupied_bins};
use crate::mixture::{check_length, check_means, check_scales, check_weights, Mixture};
use crate::pass::{fused_pass, weighted_pass, PassStats};

/// Below this responsibility mass a component "captured no samples": it keeps
/// its previous mean and variance (its weight becomes `N_k / N`, about 0).
pub const EMPTY_MASS: f64 = 1e-300;

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

fn check_options(options: &FitOptions) -> Result<usize, GmmError> {
    let init = &options.init;
    let k = init.means.len();
    if k == 0 {
        return Err(GmmError::NoComponents);
    }
    if options.iterations == 0 {
        return Err(bad_option("iterations", 0.0, "an integer >= 1"));
    }
    check_length("init.variances", &init.variances, k)?;
    check_length("init.weights", &init.weights, k)?;
    check_means(&init.means)?;
    check_scales("init.variances", &init.variances)?;
    check_weights(&init.weights)?;
    if let Some(tol) = options.tol {
        if !(tol.is_finite() && tol >= 0.0) {
            return Err(bad_option("tol", tol, "a finite number >= 0"));
        }
    }
    let floor = options.variance_floor;
    if !(floor.is_finite() && floor > 0.0) {
        return Err(bad_option("varianceFloor", floor, "a finite number > 0"));
    }
    let reg = options.reg_covar;
    if !(reg.is_finite() && reg >= 0.0) {
        return Err(bad_option("regCovar", reg, "a finite number >= 0"));
    }
    Ok(k)
}

pub(crate) fn check_values(x: &[f64]) -> Result<(), GmmError> {
    if x.is_empty() {
        return Err(GmmError::EmptyData);
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
            index: c * (1 << 16) + i,
            value,
        });
    }
    Ok(())
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
    let k = check_options(options)?;
    // Each evaluation of a mixture is one pass over the samples (or the bins).
    let (pass, total): (Evaluate<'_>, f64) = match samples {
        Samples::Values(x) => {
            check_values(x)?;
            (
                Box::new(move |mix, stats| fused_pass(mix, x, stats)),
                x.len() as f64,
            )
        }
        Samples::Bytes(b) => {
            if b.is_empty() {
                return Err(GmmError::EmptyData);
            }
            let (values, counts) = occupied_bins(&histogram(b));
            (
                Box::new(move |mix, _| weighted_pass(mix, &values, &counts)),
                b.len() as f64,
            )
        }
    };

    let mut means = options.init.means.clone();
    let mut variances = options.init.variances.clone();
    let mut weights = options.init.weights.clone();
    let mut stdevs: Vec<f64> = variances.iter().map(|v| v.sqrt()).collect();
    let mut log_likelihoods = Vec::with_capacity(options.iterations);
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
        log_likelihoods.push(ll);
        if progress(iteration, ll) == Flow::Stop {
            return Err(GmmError::Cancelled);
        }
        if let (Some(tol), [.., before, after]) = (options.tol, log_likelihoods.as_slice()) {
            if (after - before).abs() <= tol * total {
                converged = true;
                break;
            }
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
