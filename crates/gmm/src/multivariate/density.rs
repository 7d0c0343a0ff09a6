//! Log-densities per covariance type, as scikit-learn's
//! `_estimate_log_gaussian_prob` + `_estimate_log_weights`:
//! `ln w_k + (-0.5 (d ln 2pi + ||(x - mu_k)^T P_k||^2) + log_det_k)`, where
//! `P_k` is the precision Cholesky and `log_det_k = sum_j ln P_k[j][j]`.
//! The squared norm is taken on the centred row (scikit-learn expands it
//! for diag/spherical; the two agree to rounding).

use fastkernels_common::alloc::{filled, AllocError};

use crate::error::GmmError;
use crate::fastexp::mul_add;
use crate::multivariate::block::Dim;
use crate::multivariate::cholesky::{packed_len, precision_cholesky};
use crate::multivariate::model::{CovarianceType, Model, ModelNames, Shape};

/// `ln(2 pi)`.
pub const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// Where a model's covariances come from, for the non-positive-definite error.
#[derive(Debug, Clone, Copy)]
pub enum Origin {
    /// Given by the caller (the argument's names).
    Given(ModelNames),
    /// Produced by an M-step with this `regCovar`.
    MStep(f64),
}

/// A model ready for evaluation: log-weights, means, precision Cholesky
/// factors and their log-determinants.
#[derive(Debug, Clone)]
pub struct Density {
    shape: Shape,
    log_weights: Vec<f64>,
    means: Vec<f64>,
    /// full: K packed `L^-1`; tied: one; diag: K d values; spherical: K.
    prec: Vec<f64>,
    /// Per component (tied: the one value, repeated).
    log_det: Vec<f64>,
    /// `d ln 2pi`.
    d_ln_2pi: f64,
}

fn not_pd(origin: Origin, component: Option<usize>) -> GmmError {
    match origin {
        Origin::Given(names) => GmmError::NotPositiveDefinite {
            name: names.model,
            component,
            reg_covar: None,
        },
        Origin::MStep(reg) => GmmError::NotPositiveDefinite {
            name: "model",
            component,
            reg_covar: Some(reg),
        },
    }
}

fn alloc(len: usize, what: &'static str) -> Result<Vec<f64>, GmmError> {
    filled(len, 0.0, what).map_err(|e: AllocError| e.into())
}

impl Density {
    /// The precision Cholesky of every covariance; a covariance that is not
    /// positive definite is the error naming its component (`origin` says
    /// whether to suggest a larger regCovar).
    pub fn new(model: &Model, origin: Origin) -> Result<Self, GmmError> {
        let shape = model.shape;
        let (k, d) = (shape.components, shape.dims);
        let cov = &model.covariances;
        let mut log_det = alloc(k, "the log-determinants")?;
        let prec = match shape.covariance {
            CovarianceType::Full | CovarianceType::Tied => {
                let blocks = if shape.covariance == CovarianceType::Full {
                    k
                } else {
                    1
                };
                let p = packed_len(d);
                let mut prec = alloc(blocks * p, "the precision Cholesky factors")?;
                let mut l = alloc(d * d, "a Cholesky factor")?;
                for b in 0..blocks {
                    let ld = precision_cholesky(
                        &cov[b * d * d..(b + 1) * d * d],
                        d,
                        &mut l,
                        &mut prec[b * p..(b + 1) * p],
                    );
                    match ld {
                        Some(ld) => log_det[b] = ld,
                        None if shape.covariance == CovarianceType::Full => {
                            return Err(not_pd(origin, Some(b)))
                        }
                        None => return Err(not_pd(origin, None)),
                    }
                }
                if shape.covariance == CovarianceType::Tied {
                    let v = log_det[0];
                    log_det.iter_mut().for_each(|x| *x = v);
                }
                prec
            }
            CovarianceType::Diag | CovarianceType::Spherical => {
                let per = if shape.covariance == CovarianceType::Diag {
                    d
                } else {
                    1
                };
                if let Some(i) = cov.iter().position(|&v| !(v > 0.0 && v.is_finite())) {
                    return Err(not_pd(origin, Some(i / per)));
                }
                let mut prec = alloc(cov.len(), "the precision Cholesky factors")?;
                for (p, &c) in prec.iter_mut().zip(cov) {
                    *p = 1.0 / c.sqrt();
                }
                for (c, ld) in log_det.iter_mut().enumerate() {
                    *ld = if per == d {
                        let mut s = 0.0;
                        for j in 0..d {
                            s += prec[c * d + j].ln();
                        }
                        s
                    } else {
                        d as f64 * prec[c].ln()
                    };
                }
                prec
            }
        };
        let mut log_weights = alloc(k, "the log-weights")?;
        for (lw, &w) in log_weights.iter_mut().zip(&model.weights) {
            *lw = w.ln();
        }
        let mut means = alloc(k * d, "the means")?;
        means.copy_from_slice(&model.means);
        Ok(Self {
            shape,
            log_weights,
            means,
            prec,
            log_det,
            d_ln_2pi: d as f64 * LN_2PI,
        })
    }

    pub fn shape(&self) -> Shape {
        self.shape
    }

    pub fn components(&self) -> usize {
        self.shape.components
    }

    pub fn dims(&self) -> usize {
        self.shape.dims
    }

    /// `||(x - mu_k)^T P_k||^2` for every component into `out` (length K);
    /// `z` is d scratch.
    #[inline(always)]
    fn mahalanobis(&self, x: &[f64], z: &mut [f64], out: &mut [f64]) {
        let d = self.shape.dims;
        match self.shape.covariance {
            CovarianceType::Full | CovarianceType::Tied => {
                let p = packed_len(d);
                let full = self.shape.covariance == CovarianceType::Full;
                for (k, q) in out.iter_mut().enumerate() {
                    let mu = &self.means[k * d..(k + 1) * d];
                    for ((zj, &xj), &mj) in z.iter_mut().zip(x).zip(mu) {
                        *zj = xj - mj;
                    }
                    let inv = if full {
                        &self.prec[k * p..(k + 1) * p]
                    } else {
                        &self.prec[..p]
                    };
                    let mut sum = 0.0;
                    let mut at = 0;
                    for b in 0..d {
                        let row = &inv[at..at + b + 1];
                        let mut y = 0.0;
                        for (&r, &za) in row.iter().zip(z.iter()) {
                            y += za * r;
                        }
                        sum += y * y;
                        at += b + 1;
                    }
                    *q = sum;
                }
            }
            CovarianceType::Diag => {
                for (k, q) in out.iter_mut().enumerate() {
                    let mu = &self.means[k * d..(k + 1) * d];
                    let pr = &self.prec[k * d..(k + 1) * d];
                    let mut sum = 0.0;
                    for j in 0..d {
                        let y = (x[j] - mu[j]) * pr[j];
                        sum += y * y;
                    }
                    *q = sum;
                }
            }
            CovarianceType::Spherical => {
                for (k, q) in out.iter_mut().enumerate() {
                    let mu = &self.means[k * d..(k + 1) * d];
                    let pr = self.prec[k];
                    let mut sum = 0.0;
                    for j in 0..d {
                        let y = (x[j] - mu[j]) * pr;
                        sum += y * y;
                    }
                    *q = sum;
                }
            }
        }
    }

    /// `ln w_k + ln N(x | mu_k, Sigma_k)` for every component into `out`
    /// (length K). The squared distance saturates at `f64::MAX`, so every
    /// value is finite for a component of weight > 0.
    #[inline(always)]
    pub fn weighted_log_prob(&self, x: &[f64], z: &mut [f64], out: &mut [f64]) {
        self.mahalanobis(x, z, out);
        for ((lp, &ld), &lw) in out.iter_mut().zip(&self.log_det).zip(&self.log_weights) {
            let q = if *lp < f64::MAX { *lp } else { f64::MAX };
            *lp = (-0.5 * (self.d_ln_2pi + q) + ld) + lw;
        }
    }
}

impl Density {
    /// [`Density::weighted_log_prob`] for a block of `W` rows (`x[j][l]`
    /// is column j of row l) into `out` (K lanes), with the same formula
    /// and summation order (fused multiply-adds when `FMA`); returns the
    /// per-lane maximum over components. `z` is d lanes of scratch.
    #[inline(always)]
    pub(crate) fn weighted_log_prob_lanes<const FMA: bool, D: Dim, const W: usize>(
        &self,
        dim: D,
        x: &[[f64; W]],
        z: &mut [[f64; W]],
        out: &mut [[f64; W]],
    ) -> [f64; W] {
        let d = dim.get();
        let (x, z) = (&x[..d], &mut z[..d]);
        let mut max = [f64::NEG_INFINITY; W];
        let k = self.shape.components;
        let out = &mut out[..k];
        let means = &self.means[..k * d];
        // The covariance type is matched once per block, not per component.
        match self.shape.covariance {
            CovarianceType::Full | CovarianceType::Tied => {
                let p = packed_len(d);
                let full = self.shape.covariance == CovarianceType::Full;
                for (c, (o, mu)) in out.iter_mut().zip(means.chunks_exact(d)).enumerate() {
                    let inv = if full {
                        &self.prec[c * p..(c + 1) * p]
                    } else {
                        &self.prec[..p]
                    };
                    for a in 0..d {
                        for l in 0..W {
                            z[a][l] = x[a][l] - mu[a];
                        }
                    }
                    let mut q = [0.0; W];
                    let mut at = 0;
                    for b in 0..d {
                        let row = &inv[at..at + b + 1];
                        let mut y = [0.0; W];
                        for a in 0..=b {
                            for l in 0..W {
                                y[l] = mul_add::<FMA>(z[a][l], row[a], y[l]);
                            }
                        }
                        for l in 0..W {
                            q[l] = mul_add::<FMA>(y[l], y[l], q[l]);
                        }
                        at += b + 1;
                    }
                    self.finish_lanes(c, &q, o, &mut max);
                }
            }
            CovarianceType::Diag => {
                for (c, (o, mu)) in out.iter_mut().zip(means.chunks_exact(d)).enumerate() {
                    let pr = &self.prec[c * d..(c + 1) * d];
                    let mut q = [0.0; W];
                    for j in 0..d {
                        for l in 0..W {
                            let y = (x[j][l] - mu[j]) * pr[j];
                            q[l] = mul_add::<FMA>(y, y, q[l]);
                        }
                    }
                    self.finish_lanes(c, &q, o, &mut max);
                }
            }
            CovarianceType::Spherical => {
                for (c, (o, mu)) in out.iter_mut().zip(means.chunks_exact(d)).enumerate() {
                    let pr = self.prec[c];
                    let mut q = [0.0; W];
                    for j in 0..d {
                        for l in 0..W {
                            let y = (x[j][l] - mu[j]) * pr;
                            q[l] = mul_add::<FMA>(y, y, q[l]);
                        }
                    }
                    self.finish_lanes(c, &q, o, &mut max);
                }
            }
        }
        max
    }

    /// `out = ln w_c + (-0.5 (d ln 2pi + q) + log_det_c)` from the squared
    /// distances `q` of component c (saturated at `f64::MAX`), and the
    /// running maximum.
    #[inline(always)]
    fn finish_lanes<const W: usize>(
        &self,
        c: usize,
        q: &[f64; W],
        out: &mut [f64; W],
        max: &mut [f64; W],
    ) {
        let (ld, lw) = (self.log_det[c], self.log_weights[c]);
        for l in 0..W {
            let qq = if q[l] < f64::MAX { q[l] } else { f64::MAX };
            let v = (-0.5 * (self.d_ln_2pi + qq) + ld) + lw;
            out[l] = v;
            max[l] = if v > max[l] { v } else { max[l] };
        }
    }
}

/// `ln sum_k exp(a_k)` as scipy's `logsumexp`: `ln(sum exp(a - max)) + max`.
#[inline(always)]
pub fn log_sum_exp(a: &[f64]) -> f64 {
    let mut m = f64::NEG_INFINITY;
    for &v in a {
        if v > m {
            m = v;
        }
    }
    let mut s = 0.0;
    for &v in a {
        s += (v - m).exp();
    }
    s.ln() + m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multivariate::model::{Model, MODEL};

    fn density(cov_type: &str, weights: &[f64], means: &[f64], cov: &[f64]) -> Density {
        let model = Model::checked(MODEL, cov_type, 2, weights, means, cov).unwrap();
        Density::new(&model, Origin::MStep(1e-6)).unwrap()
    }

    #[test]
    fn hand_computed_full_density_in_two_dimensions() {
        // cov = [[4, 2], [2, 5]], det 16, inverse (1/16) [[5, -2], [-2, 4]].
        let dens = density("full", &[0.25], &[1.0, -1.0], &[4.0, 2.0, 2.0, 5.0]);
        let x = [2.0, 1.0];
        let (dx, dy) = (1.0, 2.0);
        let maha = (5.0 * dx * dx - 4.0 * dx * dy + 4.0 * dy * dy) / 16.0;
        let expected = 0.25f64.ln() - LN_2PI - 0.5 * 16f64.ln() - 0.5 * maha;
        let mut z = [0.0; 2];
        let mut out = [0.0; 1];
        dens.weighted_log_prob(&x, &mut z, &mut out);
        assert!(
            (out[0] - expected).abs() < 1e-14,
            "{} vs {expected}",
            out[0]
        );
        // The same covariance tied, and diag/spherical against their closed forms.
        let tied = density("tied", &[0.25], &[1.0, -1.0], &[4.0, 2.0, 2.0, 5.0]);
        let mut out2 = [0.0; 1];
        tied.weighted_log_prob(&x, &mut z, &mut out2);
        assert_eq!(out[0].to_bits(), out2[0].to_bits());
        let diag = density("diag", &[1.0], &[1.0, -1.0], &[4.0, 9.0]);
        diag.weighted_log_prob(&x, &mut z, &mut out);
        let expected = -LN_2PI - 0.5 * 36f64.ln() - 0.5 * (1.0 / 4.0 + 4.0 / 9.0);
        assert!((out[0] - expected).abs() < 1e-14);
        let sph = density("spherical", &[1.0], &[1.0, -1.0], &[4.0]);
        sph.weighted_log_prob(&x, &mut z, &mut out);
        let expected = -LN_2PI - 0.5 * 16f64.ln() - 0.5 * (5.0 / 4.0);
        assert!((out[0] - expected).abs() < 1e-14);
    }

    #[test]
    fn not_positive_definite_names_the_component() {
        let model = Model::checked(
            MODEL,
            "full",
            2,
            &[0.5, 0.5],
            &[0.0; 4],
            &[1.0, 0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 1.0],
        )
        .unwrap();
        assert_eq!(
            Density::new(&model, Origin::MStep(1e-6))
                .unwrap_err()
                .to_string(),
            "component 1 covariance is not positive definite after regCovar = 0.000001; increase options.regCovar"
        );
        assert_eq!(
            Density::new(&model, Origin::Given(MODEL))
                .unwrap_err()
                .to_string(),
            "model: component 1 covariance is not positive definite"
        );
        let tied =
            Model::checked(MODEL, "tied", 2, &[1.0], &[0.0; 2], &[1.0, 2.0, 2.0, 1.0]).unwrap();
        assert_eq!(
            Density::new(&tied, Origin::MStep(0.0))
                .unwrap_err()
                .to_string(),
            "the tied covariance is not positive definite after regCovar = 0; increase options.regCovar"
        );
    }

    #[test]
    fn log_sum_exp_is_stable() {
        assert!((log_sum_exp(&[-1000.0, -1000.0]) - (-1000.0 + 2f64.ln())).abs() < 1e-12);
        assert_eq!(log_sum_exp(&[f64::NEG_INFINITY, 0.0]), 0.0);
    }
}
