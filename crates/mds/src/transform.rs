//! Out-of-sample SMACOF: places m new points into a fitted embedding
//! without moving the n fitted points.
//!
//! New point y with targets t_j (its dissimilarities to the fitted points,
//! through the fit's disparity map for a non-metric fit) and weights w_j
//! minimises sum_j w_j (||y - x_j|| - t_j)^2. The new points do not
//! interact, so each is its own problem:
//!
//! - start (closed form, deterministic): least-squares trilateration around
//!   the weighted centroid c, z = -1/2 G^{-1} sum_j w_j u_j (t_j^2 - |u_j|^2)
//!   with u_j = x_j - c and G = sum_j w_j u_j u_j^T; y = c + z (y = c when G
//!   is not positive definite, e.g. collinear fitted points in 2-D);
//! - then the single-point Guttman transform (majorisation with the other
//!   points fixed) y <- (1 / sum w) sum_j w_j (x_j + t_j (y - x_j) / d_j)
//!   (d_j = 0 replaced by 1e-5), with the fit's stopping rule
//!   (old_stress - stress) / sum_j w_j d_j^2 < eps, per point.
//!
//! All points step in lockstep sweeps (one progress event per sweep); a
//! point that met the rule keeps the configuration whose stress was
//! measured. Points run in parallel, each in a fixed order: the bits do not
//! depend on the thread count.

use fastkernels_common::limits::at_most;
use fastkernels_common::{js_number, Flow, ProgressHook};
use rayon::prelude::*;

use crate::error::MdsError;
use crate::guttman::ZERO_DISTANCE;
use crate::input::zeros;
use crate::nonmetric::DisparityMap;
use crate::smacof::MAX_ITERATIONS;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransformParams {
    pub max_iter: usize,
    pub eps: f64,
}

/// A fitted embedding and what its dissimilarity model needs.
#[derive(Debug, Clone, Copy)]
pub struct Fitted<'a> {
    /// n x dims, row-major.
    pub embedding: &'a [f64],
    pub n: usize,
    pub dims: usize,
    /// The non-metric fit's disparity map, or `None` for a metric fit.
    pub map: Option<&'a DisparityMap>,
}

/// Checks in the TS layer's order: sizes, params, then the values of the
/// new dissimilarities and weights.
fn validate(
    fit: &Fitted<'_>,
    new_diss: &[f64],
    weights: Option<&[f64]>,
    p: &TransformParams,
) -> Result<usize, MdsError> {
    let n = fit.n;
    if n < 1 || fit.dims < 1 || fit.embedding.len() != n * fit.dims {
        return Err(MdsError::invalid(format!(
            "the fitted embedding must have n x dims = {} x {} values, got {}",
            n,
            fit.dims,
            fit.embedding.len()
        )));
    }
    if new_diss.is_empty() || !new_diss.len().is_multiple_of(n) {
        return Err(MdsError::invalid(format!(
            "newDissimilarities.length must be a positive multiple of n = {n} (m new points x n fitted points), got {}",
            new_diss.len()
        )));
    }
    let m = new_diss.len() / n;
    if p.max_iter < 1 {
        return Err(MdsError::invalid(format!(
            "options.maxIter must be an integer from 1 to 4294967295, got {}",
            p.max_iter
        )));
    }
    at_most(
        "options.maxIter",
        p.max_iter,
        MAX_ITERATIONS,
        "MDS_MAX_ITERATIONS",
    )?;
    if !(0.0..=f64::MAX).contains(&p.eps) {
        return Err(MdsError::invalid(format!(
            "options.eps must be a number >= 0 and <= 1.7976931348623157e+308, got {}",
            js_number(p.eps)
        )));
    }
    if let Some(w) = weights {
        if w.len() != m * n {
            return Err(MdsError::invalid(format!(
                "options.weights must have length {} (m x n = {m} x {n}), got length {}",
                m * n,
                w.len()
            )));
        }
    }
    if let Some(k) = new_diss.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(MdsError::invalid(format!(
            "newDissimilarities[{k}] must be a finite number >= 0, got {}",
            js_number(new_diss[k])
        )));
    }
    if let Some(w) = weights {
        if let Some(k) = w.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(MdsError::invalid(format!(
                "options.weights[{k}] must be a finite number >= 0, got {}",
                js_number(w[k])
            )));
        }
        for r in 0..m {
            if !w[r * n..(r + 1) * n].iter().any(|v| *v > 0.0) {
                return Err(MdsError::invalid(format!(
                    "options.weights: new point {r} has no positive weight"
                )));
            }
        }
    }
    Ok(m)
}

/// The closed-form start of one new point (see the module doc).
fn start(fit: &Fitted<'_>, t: &[f64], w: &dyn Fn(usize) -> f64, y: &mut [f64]) {
    let (n, dims, x) = (fit.n, fit.dims, fit.embedding);
    let mut c = vec![0.0; dims];
    let mut total = 0.0;
    for j in 0..n {
        let wj = w(j);
        total += wj;
        for k in 0..dims {
            c[k] += wj * x[j * dims + k];
        }
    }
    for v in c.iter_mut() {
        *v /= total;
    }
    let mut g = vec![0.0; dims * dims];
    let mut r = vec![0.0; dims];
    let mut u = vec![0.0; dims];
    for j in 0..n {
        let wj = w(j);
        if wj == 0.0 {
            continue;
        }
        let mut uu = 0.0;
        for k in 0..dims {
            u[k] = x[j * dims + k] - c[k];
            uu += u[k] * u[k];
        }
        let rhs = -0.5 * wj * (t[j] * t[j] - uu);
        for a in 0..dims {
            r[a] += rhs * u[a];
            for b in 0..dims {
                g[a * dims + b] += wj * u[a] * u[b];
            }
        }
    }
    y.copy_from_slice(&c);
    if let Some(z) = solve_small(&mut g, &mut r, dims) {
        for k in 0..dims {
            y[k] += z[k];
        }
    }
}

/// Cholesky solve of a small SPD system; `None` when a pivot is not
/// clearly positive (relative to the trace).
fn solve_small(g: &mut [f64], r: &mut [f64], p: usize) -> Option<Vec<f64>> {
    let trace: f64 = (0..p).map(|k| g[k * p + k]).sum();
    if !(trace > 0.0 && trace.is_finite()) {
        return None;
    }
    for i in 0..p {
        for j in 0..=i {
            let mut s = g[i * p + j];
            for k in 0..j {
                s -= g[i * p + k] * g[j * p + k];
            }
            if i == j {
                if s.partial_cmp(&(1e-12 * trace)) != Some(std::cmp::Ordering::Greater) {
                    return None;
                }
                g[i * p + i] = s.sqrt();
            } else {
                g[i * p + j] = s / g[j * p + j];
            }
        }
    }
    for i in 0..p {
        let mut s = r[i];
        for k in 0..i {
            s -= g[i * p + k] * r[k];
        }
        r[i] = s / g[i * p + i];
    }
    for i in (0..p).rev() {
        let mut s = r[i];
        for k in i + 1..p {
            s -= g[k * p + i] * r[k];
        }
        r[i] = s / g[i * p + i];
    }
    Some(r.to_vec())
}

/// One single-point pass: `next` from `y`; returns (stress, sum w d^2) of y.
fn step(
    fit: &Fitted<'_>,
    t: &[f64],
    w: &dyn Fn(usize) -> f64,
    y: &[f64],
    next: &mut [f64],
) -> (f64, f64) {
    let (n, dims, x) = (fit.n, fit.dims, fit.embedding);
    next.fill(0.0);
    let (mut stress, mut squares, mut total) = (0.0, 0.0, 0.0);
    for j in 0..n {
        let wj = w(j);
        if wj == 0.0 {
            continue;
        }
        let xj = &x[j * dims..(j + 1) * dims];
        let mut q = 0.0;
        for k in 0..dims {
            let d = y[k] - xj[k];
            q += d * d;
        }
        let d = q.sqrt();
        let e = d - t[j];
        stress += wj * (e * e);
        squares += wj * q;
        total += wj;
        let ratio = t[j] / if d == 0.0 { ZERO_DISTANCE } else { d };
        for k in 0..dims {
            next[k] += wj * (xj[k] + ratio * (y[k] - xj[k]));
        }
    }
    for v in next.iter_mut() {
        *v /= total;
    }
    (stress, squares)
}

struct PointState {
    y: Vec<f64>,
    next: Vec<f64>,
    old_stress: f64,
    stress: f64,
    done: bool,
}

/// Places the m new points (rows of `new_diss`, m x n) into `out`
/// (m x dims). `weights` (m x n, zero = missing) default to 1. The hook
/// sees every sweep with the summed stress of the points.
pub fn transform_into(
    fit: Fitted<'_>,
    new_diss: &[f64],
    weights: Option<&[f64]>,
    params: &TransformParams,
    out: &mut [f64],
    hook: ProgressHook<'_>,
) -> Result<(), MdsError> {
    let m = validate(&fit, new_diss, weights, params)?;
    let (n, dims) = (fit.n, fit.dims);
    if out.len() != m * dims {
        return Err(MdsError::invalid(format!(
            "out must have length {} (m x dims), got length {}",
            m * dims,
            out.len()
        )));
    }
    let mut targets = zeros(m * n, "the transform targets")?;
    targets
        .par_chunks_mut(n)
        .zip(new_diss.par_chunks(n))
        .for_each(|(t, d)| {
            for (tv, dv) in t.iter_mut().zip(d) {
                *tv = fit.map.map_or(*dv, |map| map.map(*dv));
            }
        });
    let weight = |r: usize, j: usize| weights.map_or(1.0, |w| w[r * n + j]);
    let mut states: Vec<PointState> = Vec::new();
    states.try_reserve_exact(m).map_err(|_| {
        MdsError::invalid(format!("could not allocate the state of {m} new points"))
    })?;
    for r in 0..m {
        let mut y = vec![0.0; dims];
        start(
            &fit,
            &targets[r * n..(r + 1) * n],
            &|j| weight(r, j),
            &mut y,
        );
        states.push(PointState {
            y,
            next: vec![0.0; dims],
            old_stress: f64::NAN,
            stress: 0.0,
            done: false,
        });
    }
    for sweep in 1..=params.max_iter {
        states.par_iter_mut().enumerate().for_each(|(r, s)| {
            if s.done {
                return;
            }
            let t = &targets[r * n..(r + 1) * n];
            let (stress, squares) = step(&fit, t, &|j| weight(r, j), &s.y, &mut s.next);
            s.stress = stress;
            let converged = sweep > 1 && (s.old_stress - stress) / squares < params.eps;
            if converged || sweep == params.max_iter {
                s.done = true;
            } else {
                s.old_stress = stress;
                std::mem::swap(&mut s.y, &mut s.next);
            }
        });
        let total = states.iter().fold(0.0, |a, s| a + s.stress);
        if hook(sweep, total) == Flow::Stop {
            return Err(MdsError::Cancelled);
        }
        if states.iter().all(|s| s.done) {
            break;
        }
    }
    for (r, s) in states.iter().enumerate() {
        out[r * dims..(r + 1) * dims].copy_from_slice(&s.y);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fastkernels_common::no_progress;

    #[test]
    fn places_a_point_of_an_exact_configuration() {
        // Square corners; the new point at (0.25, 0.5).
        let x = [0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0];
        let target = [0.25f64, 0.5];
        let d: Vec<f64> = x
            .chunks(2)
            .map(|p| ((p[0] - target[0]).powi(2) + (p[1] - target[1]).powi(2)).sqrt())
            .collect();
        let fit = Fitted {
            embedding: &x,
            n: 4,
            dims: 2,
            map: None,
        };
        let mut out = [0.0; 2];
        let p = TransformParams {
            max_iter: 50,
            eps: 0.0,
        };
        transform_into(fit, &d, None, &p, &mut out, &mut no_progress).unwrap();
        assert!(
            (out[0] - 0.25).abs() < 1e-12 && (out[1] - 0.5).abs() < 1e-12,
            "{out:?}"
        );
        assert_eq!(
            transform_into(fit, &d[..3], None, &p, &mut out, &mut no_progress)
                .unwrap_err()
                .to_string(),
            "newDissimilarities.length must be a positive multiple of n = 4 (m new points x n fitted points), got 3"
        );
        let w = [0.0; 4];
        assert_eq!(
            transform_into(fit, &d, Some(&w), &p, &mut out, &mut no_progress)
                .unwrap_err()
                .to_string(),
            "options.weights: new point 0 has no positive weight"
        );
    }
}
