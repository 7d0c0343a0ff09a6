//! A validated one-dimensional Gaussian mixture and its log-density terms.

use crate::error::GmmError;

/// `ln sqrt(2 pi)`.
pub const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// Weights, means and standard deviations checked once, with the per-component
/// constants of `P[i,k] = ln w_k + ln N(x_i | mu_k, sigma_k)` precomputed.
///
/// The TS reference evaluates `P` with the same operations in the same order,
/// so both backends produce the same `P` (up to one ulp of `ln`).
#[derive(Debug, Clone)]
pub struct Mixture {
    means: Vec<f64>,
    inv_stdevs: Vec<f64>,
    /// `ln w_k - ln sigma_k - ln sqrt(2 pi)`; `-inf` for a zero weight.
    log_norms: Vec<f64>,
}

/// Largest number of components K of a mixture or a fit. Per-component
/// scratch is K lanes of 64 bytes per parallel task, and every output of a
/// per-sample kernel is K planes of N values; 65,536 components keeps the
/// scratch at 4 MiB a task and is far beyond any use of a 1-D mixture (the
/// 8-bit path has 256 distinct values).
pub const MAX_COMPONENTS: usize = 65_536;

/// The argument names a mixture's errors use: bare for the per-sample
/// kernels, `model.` for prediction, as the TS layer names them.
#[derive(Debug, Clone, Copy)]
struct Names {
    weights: &'static str,
    weights_length: &'static str,
    means: &'static str,
    stdevs: &'static str,
}

const BARE: Names = Names {
    weights: "weights",
    weights_length: "weights.length",
    means: "means",
    stdevs: "stdevs",
};

const MODEL: Names = Names {
    weights: "model.weights",
    weights_length: "model.weights.length",
    means: "model.means",
    stdevs: "model.stdevs",
};

impl Mixture {
    /// Checks the parameters of a per-sample kernel (argument names
    /// `weights`, `means`, `stdevs`) in the TS layer's order.
    pub fn new(weights: &[f64], means: &[f64], stdevs: &[f64]) -> Result<Self, GmmError> {
        Self::checked(BARE, weights, means, stdevs)
    }

    /// [`Mixture::new`] for a prediction model: errors name `model.weights`,
    /// `model.means`, `model.stdevs` like `checkModel` in `ts/gmm/validate.ts`.
    pub fn for_model(weights: &[f64], means: &[f64], stdevs: &[f64]) -> Result<Self, GmmError> {
        Self::checked(MODEL, weights, means, stdevs)
    }

    /// A prediction model given by variances: checks `model.variances`
    /// first, then the rest with `stdevs = sqrt(variances)` (as the TS layer).
    pub fn for_model_variances(
        weights: &[f64],
        means: &[f64],
        variances: &[f64],
    ) -> Result<Self, GmmError> {
        check_scales("model.variances", variances)?;
        let stdevs = fastkernels_common::alloc::collected(
            variances.len(),
            variances.iter().map(|v| v.sqrt()),
            "model.stdevs",
        )?;
        Self::checked(MODEL, weights, means, &stdevs)
    }

    fn checked(
        names: Names,
        weights: &[f64],
        means: &[f64],
        stdevs: &[f64],
    ) -> Result<Self, GmmError> {
        let k = weights.len();
        if k == 0 {
            return Err(GmmError::NoComponents {
                name: names.weights,
            });
        }
        fastkernels_common::limits::at_most(
            names.weights_length,
            k,
            MAX_COMPONENTS,
            "GMM_MAX_COMPONENTS",
        )?;
        let like = || format!("one value per component, like {}", names.weights);
        check_length(names.means, means, k, like)?;
        check_length(names.stdevs, stdevs, k, like)?;
        check_weights(names.weights, weights)?;
        check_means(names.means, means)?;
        check_scales(names.stdevs, stdevs)?;
        Ok(Self::new_unchecked(weights, means, stdevs))
    }

    /// For parameters produced by the fit itself (already valid).
    pub(crate) fn new_unchecked(weights: &[f64], means: &[f64], stdevs: &[f64]) -> Self {
        let log_norms = weights
            .iter()
            .zip(stdevs)
            .map(|(&w, &s)| (w.ln() - s.ln()) - HALF_LN_2PI)
            .collect();
        Self {
            means: means.to_vec(),
            inv_stdevs: stdevs.iter().map(|&s| 1.0 / s).collect(),
            log_norms,
        }
    }

    pub fn components(&self) -> usize {
        self.means.len()
    }

    pub fn mean(&self, k: usize) -> f64 {
        self.means[k]
    }

    pub fn inv_stdev(&self, k: usize) -> f64 {
        self.inv_stdevs[k]
    }

    pub fn log_norm(&self, k: usize) -> f64 {
        self.log_norms[k]
    }

    /// `P[x, k]`: log of the weighted density of component `k` at `x`.
    #[inline(always)]
    pub fn log_density(&self, k: usize, x: f64) -> f64 {
        log_density(self.log_norms[k], self.means[k], self.inv_stdevs[k], x)
    }
}

/// `ln w + ln N(x | mu, sigma)` from the precomputed constants. The squared
/// standardised distance saturates at `f64::MAX` so that the result stays
/// finite (it would overflow only when |x - mu| / sigma > 1.3e154).
#[inline(always)]
pub fn log_density(log_norm: f64, mean: f64, inv_stdev: f64, x: f64) -> f64 {
    let z = (x - mean) * inv_stdev;
    let q = z * z;
    let q = if q < f64::MAX { q } else { f64::MAX };
    log_norm - 0.5 * q
}

pub(crate) fn check_length(
    name: &'static str,
    values: &[f64],
    expected: usize,
    because: impl FnOnce() -> String,
) -> Result<(), GmmError> {
    if values.len() == expected {
        Ok(())
    } else {
        Err(GmmError::LengthMismatch {
            name,
            expected,
            actual: values.len(),
            because: because(),
        })
    }
}

pub(crate) fn check_weights(name: &'static str, weights: &[f64]) -> Result<(), GmmError> {
    if let Some((index, &value)) = weights
        .iter()
        .enumerate()
        .find(|(_, w)| !(w.is_finite() && **w >= 0.0))
    {
        return Err(GmmError::BadWeight { name, index, value });
    }
    if weights.iter().all(|&w| w == 0.0) {
        return Err(GmmError::AllWeightsZero { name });
    }
    Ok(())
}

pub(crate) fn check_means(name: &'static str, means: &[f64]) -> Result<(), GmmError> {
    match means.iter().enumerate().find(|(_, m)| !m.is_finite()) {
        Some((index, &value)) => Err(GmmError::BadMean { name, index, value }),
        None => Ok(()),
    }
}

pub(crate) fn check_scales(name: &'static str, values: &[f64]) -> Result<(), GmmError> {
    match values
        .iter()
        .enumerate()
        .find(|(_, s)| !(s.is_finite() && **s > 0.0))
    {
        Some((index, &value)) => Err(GmmError::NonPositiveScale { name, index, value }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_normal_density() {
        let m = Mixture::new(&[0.3], &[0.25], &[0.1]).unwrap();
        let x: f64 = 0.4;
        let pdf = (-(x - 0.25).powi(2) / (2.0 * 0.01)).exp()
            / (0.1 * (2.0 * std::f64::consts::PI).sqrt());
        let expected = 0.3f64.ln() + pdf.ln();
        assert!((m.log_density(0, x) - expected).abs() < 1e-14);
    }

    #[test]
    fn rejects_bad_parameters() {
        assert_eq!(
            Mixture::new(&[], &[], &[]).unwrap_err().to_string(),
            "weights must have at least 1 component (K >= 1), got length 0"
        );
        assert_eq!(
            Mixture::new(&[1.0, 1.0], &[0.0], &[1.0, 1.0])
                .unwrap_err()
                .to_string(),
            "means must have length 2 (one value per component, like weights), got length 1"
        );
        assert_eq!(
            Mixture::for_model(&[1.0], &[0.0], &[-1.0])
                .unwrap_err()
                .to_string(),
            "model.stdevs[0] must be a finite number > 0, got -1"
        );
        assert_eq!(
            Mixture::for_model_variances(&[-1.0], &[0.0], &[0.0])
                .unwrap_err()
                .to_string(),
            "model.variances[0] must be a finite number > 0, got 0"
        );
        assert_eq!(
            Mixture::for_model(&[0.0], &[0.0], &[1.0])
                .unwrap_err()
                .to_string(),
            "model.weights must contain at least one value > 0, got all zeros"
        );
        assert!(matches!(
            Mixture::new(&[1.0], &[0.0], &[0.0]),
            Err(GmmError::NonPositiveScale {
                name: "stdevs",
                index: 0,
                ..
            })
        ));
        assert!(matches!(
            Mixture::new(&[-1.0], &[0.0], &[1.0]),
            Err(GmmError::BadWeight { index: 0, .. })
        ));
        assert_eq!(
            Mixture::new(&[0.0], &[0.0], &[1.0]).unwrap_err(),
            GmmError::AllWeightsZero { name: "weights" }
        );
        assert!(matches!(
            Mixture::new(&[1.0], &[f64::NAN], &[1.0]),
            Err(GmmError::BadMean { index: 0, .. })
        ));
    }

    #[test]
    fn too_many_components_is_refused_before_anything_else() {
        let w = vec![1.0; MAX_COMPONENTS + 1];
        assert_eq!(
            Mixture::new(&w, &[], &[]).unwrap_err().to_string(),
            "weights.length must be at most 65536 (GMM_MAX_COMPONENTS), got 65537"
        );
    }

    #[test]
    fn far_samples_stay_finite() {
        let m = Mixture::new(&[1.0], &[0.0], &[1e-300]).unwrap();
        assert!(m.log_density(0, 1.0).is_finite());
    }
}
