//! The M-step from folded statistics, with scikit-learn's formulas
//! (`_estimate_gaussian_parameters`), weighted:
//!
//! - `N_k = sum w r_k + 10 eps`, `weights = N_k / sum w`, `means = sumX / N_k`;
//! - full: `(S2 - (mu S1^T + S1 mu^T) + R mu mu^T) / N_k + reg I`, i.e.
//!   `sum w r (x - mu)(x - mu)^T / N_k` expanded on the plain sums
//!   (`R = sum w r`, lower triangle computed, mirrored);
//! - diag: `avg_X2 - 2 avg_X_means + avg_means2 + reg` with
//!   `avg_X2 = S2 / N_k`, `avg_X_means = mu * (S1 / N_k)`, `avg_means2 = mu^2`;
//! - spherical: the mean over j of the diag values (reg included);
//! - tied: `(sum w x x^T - sum_k N_k mu_k mu_k^T) / sum w + reg I`.
//!
//! The result is checked for positive definiteness (its precision
//! Cholesky), like scikit-learn's `_m_step`.

use fastkernels_common::alloc::{filled, zeroed_for, Advice};

use crate::error::GmmError;
use crate::multivariate::density::{Density, Origin};
use crate::multivariate::model::{check_finite, CovarianceType, Model, Shape};
use crate::multivariate::stats::{fold, mirror_lower};

/// scikit-learn adds `10 * np.finfo(resp.dtype).eps` to every N_k.
pub const NK_EPS: f64 = 10.0 * f64::EPSILON;

/// The next model from folded statistics (one partial of `shape.stride()`
/// values, see [`crate::multivariate::stats`]), and its density.
pub fn mstep(shape: Shape, acc: &[f64], reg_covar: f64) -> Result<(Model, Density), GmmError> {
    let (k, d) = (shape.components, shape.dims);
    let weight_sum = acc[0];
    if weight_sum.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return Err(GmmError::AllWeightsZero {
            name: "sampleWeight",
        });
    }
    let resp = &acc[2..2 + k];
    let sum_x = &acc[2 + k..2 + k + k * d];
    let sum_xx = &acc[2 + k + k * d..];
    let mut weights = filled(k, 0.0, "the weights")?;
    let mut means = zeroed_for(k * d, "the means", Advice::Plain)?;
    let mut cov = zeroed_for(shape.covariances_len(), "the covariances", Advice::Plain)?;
    let mut nk = filled(k, 0.0, "N_k")?;
    for c in 0..k {
        nk[c] = resp[c] + NK_EPS;
        weights[c] = nk[c] / weight_sum;
        for j in 0..d {
            means[c * d + j] = sum_x[c * d + j] / nk[c];
        }
    }
    match shape.covariance {
        CovarianceType::Full => {
            for c in 0..k {
                let (s1, mu) = (&sum_x[c * d..(c + 1) * d], &means[c * d..(c + 1) * d]);
                let s2 = &sum_xx[c * d * d..(c + 1) * d * d];
                let m = &mut cov[c * d * d..(c + 1) * d * d];
                for a in 0..d {
                    for b in 0..=a {
                        let centred = (s2[a * d + b] - (mu[a] * s1[b] + s1[a] * mu[b]))
                            + resp[c] * mu[a] * mu[b];
                        m[a * d + b] = centred / nk[c];
                    }
                    m[a * d + a] += reg_covar;
                }
                mirror_lower(m, d);
            }
        }
        CovarianceType::Diag | CovarianceType::Spherical => {
            let mut diag = zeroed_for(d, "a diagonal", Advice::Plain)?;
            for c in 0..k {
                for j in 0..d {
                    let i = c * d + j;
                    let avg_x2 = sum_xx[i] / nk[c];
                    let avg_x_means = means[i] * (sum_x[i] / nk[c]);
                    let avg_means2 = means[i] * means[i];
                    diag[j] = avg_x2 - 2.0 * avg_x_means + avg_means2 + reg_covar;
                }
                if shape.covariance == CovarianceType::Diag {
                    cov[c * d..(c + 1) * d].copy_from_slice(&diag);
                } else {
                    let mut s = 0.0;
                    for &v in diag.iter() {
                        s += v;
                    }
                    cov[c] = s / d as f64;
                }
            }
        }
        CovarianceType::Tied => {
            for a in 0..d {
                for b in 0..=a {
                    let mut means2 = 0.0;
                    for c in 0..k {
                        means2 += nk[c] * means[c * d + a] * means[c * d + b];
                    }
                    cov[a * d + b] = (sum_xx[a * d + b] - means2) / weight_sum;
                }
                cov[a * d + a] += reg_covar;
            }
            mirror_lower(&mut cov, d);
        }
    }
    let model = Model {
        shape,
        weights,
        means,
        covariances: cov,
    };
    let density = Density::new(&model, Origin::MStep(reg_covar))?;
    Ok((model, density))
}

/// [`mstep`] on chunk partials (`chunks.len()` a multiple of the stride of
/// `shape`): the in-order fold, then the M-step.
pub fn mstep_from_chunks(
    shape: Shape,
    chunks: &[f64],
    stride: usize,
    reg_covar: f64,
) -> Result<Model, GmmError> {
    check_reg_covar(reg_covar)?;
    let expected = shape.stride();
    if stride != expected {
        return Err(GmmError::Mismatch {
            name: "stats.stride",
            what: format!(
                "must be {expected} (2 + K + K × dims + S for K = {}, dims = {}, covariance '{}'), got {stride}",
                shape.components,
                shape.dims,
                shape.covariance.as_str()
            ),
        });
    }
    if chunks.is_empty() || !chunks.len().is_multiple_of(stride) {
        return Err(GmmError::Mismatch {
            name: "stats.chunks.length",
            what: format!(
                "must be a positive multiple of stride = {stride}, got {}",
                chunks.len()
            ),
        });
    }
    check_finite("stats.chunks", chunks)?;
    let acc = fold(chunks, stride)?;
    Ok(mstep(shape, &acc, reg_covar)?.0)
}

/// `regCovar` is a number >= 0 (finite), as the TS layer checks it.
pub(crate) fn check_reg_covar(reg_covar: f64) -> Result<(), GmmError> {
    if (0.0..=f64::MAX).contains(&reg_covar) {
        Ok(())
    } else {
        Err(GmmError::BadOption {
            name: "options.regCovar",
            value: reg_covar,
            domain: "a number >= 0 and <= 1.7976931348623157e+308",
        })
    }
}
