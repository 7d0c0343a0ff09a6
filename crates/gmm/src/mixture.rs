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

impl Mixture {
    pub fn new(weights: &[f64], means: &[f64], stdevs: &[f64]) -> Result<Self, GmmError> {
        let k = weights.len();
        if k == 0 {
            return Err(GmmError::NoComponents);
        }
        check_length("means", means, k)?;
        check_length("stdevs", stdevs, k)?;
        check_weights(weights)?;
        check_means(means)?;
        check_scales("stdevs", stdevs)?;
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
) -> Result<(), GmmError> {
    if values.len() == expected {
        Ok(())
    } else {
        Err(GmmError::LengthMismatch {
            name,
            expected,
            actual: values.len(),
        })
    }
}

pub(crate) fn check_weights(weights: &[f64]) -> Result<(), GmmError> {
    if let Some((index, &value)) = weights
        .iter()
        .enumerate()
        .find(|(_, w)| !(w.is_finite() && **w >= 0.0))
    {
        return Err(GmmError::BadWeight { index, value });
    }
    if weights.iter().all(|&w| w == 0.0) {
        return Err(GmmError::AllWeightsZero);
    }
    Ok(())
}

pub(crate) fn check_means(means: &[f64]) -> Result<(), GmmError> {
    match means.iter().enumerate().find(|(_, m)| !m.is_finite()) {
        Some((index, &value)) => Err(GmmError::BadMean { index, value }),
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
            Mixture::new(&[], &[], &[]).unwrap_err(),
            GmmError::NoComponents
        );
        assert!(matches!(
            Mixture::new(&[1.0, 1.0], &[0.0], &[1.0, 1.0]),
            Err(GmmError::LengthMismatch {
                name: "means",
                expected: 2,
                actual: 1
            })
        ));
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
            GmmError::AllWeightsZero
        );
        assert!(matches!(
            Mixture::new(&[1.0], &[f64::NAN], &[1.0]),
            Err(GmmError::BadMean { index: 0, .. })
        ));
    }

    #[test]
    fn far_samples_stay_finite() {
        let m = Mixture::new(&[1.0], &[0.0], &[1e-300]).unwrap();
        assert!(m.log_density(0, 1.0).is_finite());
    }
}
