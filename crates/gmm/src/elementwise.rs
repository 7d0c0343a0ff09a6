//! Per-sample outputs: `expsum`, `P` and `Pmax` (the original's
//! `compute_expsum_stable`), responsibilities, labels. Every sample is
//! independent, so chunks run in parallel and results never depend on threads.

use rayon::prelude::*;

use crate::isa::multiversion;
use crate::lanes::{load_partial, log_densities, shifted_exps, Lane, LANES};
use crate::mixture::Mixture;
use crate::pass::fused_pass;

/// Samples per parallel task.
const CHUNK: usize = 1 << 14;

/// The original's `compute_expsum_stable`; `p` holds K planes of N values.
#[derive(Debug, Clone, PartialEq)]
pub struct Expsum {
    pub expsum: Vec<f64>,
    pub p: Vec<f64>,
    pub p_max: Vec<f64>,
}

/// Splits `planes` (K planes of `n` values) into, for each chunk of samples,
/// the K sub-slices that chunk writes.
fn plane_chunks(planes: &mut [f64], n: usize) -> Vec<Vec<&mut [f64]>> {
    let chunks = n.div_ceil(CHUNK);
    let mut per_chunk: Vec<Vec<&mut [f64]>> = (0..chunks).map(|_| Vec::new()).collect();
    if n == 0 {
        return per_chunk;
    }
    for plane in planes.chunks_mut(n) {
        for (c, part) in plane.chunks_mut(CHUNK).enumerate() {
            per_chunk[c].push(part);
        }
    }
    per_chunk
}

pub fn expsum_stable(mix: &Mixture, x: &[f64]) -> Expsum {
    let n = x.len();
    let k = mix.components();
    let mut out = Expsum {
        expsum: vec![0.0; n],
        p: vec![0.0; n * k],
        p_max: vec![0.0; n],
    };
    let planes = plane_chunks(&mut out.p, n);
    x.par_chunks(CHUNK)
        .zip(out.expsum.par_chunks_mut(CHUNK))
        .zip(out.p_max.par_chunks_mut(CHUNK))
        .zip(planes.into_par_iter())
        .for_each(|(((x, expsum), p_max), mut p)| expsum_chunk(mix, x, expsum, p_max, &mut p));
    out
}

multiversion! {
    fn expsum_chunk = expsum_chunk_impl(mix: &Mixture, x: &[f64], expsum: &mut [f64], p_max: &mut [f64], p: &mut [&mut [f64]])
}

#[inline(always)]
fn expsum_chunk_impl<const FMA: bool>(
    mix: &Mixture,
    x: &[f64],
    expsum: &mut [f64],
    p_max: &mut [f64],
    p: &mut [&mut [f64]],
) {
    let mut lanes = vec![[0.0; LANES]; mix.components()];
    for start in (0..x.len()).step_by(LANES) {
        let end = (start + LANES).min(x.len());
        let xb = load_partial(&x[start..end]);
        let pmax = log_densities(mix, &xb, &mut lanes);
        for (plane, lane) in p.iter_mut().zip(&lanes) {
            plane[start..end].copy_from_slice(&lane[..end - start]);
        }
        let sum = shifted_exps::<FMA>(&mut lanes, &pmax);
        expsum[start..end].copy_from_slice(&sum[..end - start]);
        p_max[start..end].copy_from_slice(&pmax[..end - start]);
    }
}

/// `r[k*N + i] = exp(P - Pmax) / expsum`, which equals the original's
/// `exp(P - (Pmax + ln expsum))` without the rounding of the large sum.
pub fn responsibilities(mix: &Mixture, x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut out = vec![0.0; n * mix.components()];
    let planes = plane_chunks(&mut out, n);
    x.par_chunks(CHUNK)
        .zip(planes.into_par_iter())
        .for_each(|(x, mut r)| responsibilities_chunk(mix, x, &mut r));
    out
}

multiversion! {
    fn responsibilities_chunk = responsibilities_chunk_impl(mix: &Mixture, x: &[f64], r: &mut [&mut [f64]])
}

#[inline(always)]
fn responsibilities_chunk_impl<const FMA: bool>(mix: &Mixture, x: &[f64], r: &mut [&mut [f64]]) {
    let mut lanes = vec![[0.0; LANES]; mix.components()];
    for start in (0..x.len()).step_by(LANES) {
        let end = (start + LANES).min(x.len());
        let xb = load_partial(&x[start..end]);
        let pmax = log_densities(mix, &xb, &mut lanes);
        let sum = shifted_exps::<FMA>(&mut lanes, &pmax);
        let inv: Lane = std::array::from_fn(|l| 1.0 / sum[l]);
        for (plane, lane) in r.iter_mut().zip(&lanes) {
            for (dst, l) in plane[start..end].iter_mut().zip(0..LANES) {
                *dst = lane[l] * inv[l];
            }
        }
    }
}

/// `sum_i (Pmax[i] + ln expsum[i])`.
pub fn log_likelihood(mix: &Mixture, x: &[f64]) -> f64 {
    fused_pass(mix, x, false).log_likelihood
}

/// The component with the largest responsibility, i.e. the largest `P`
/// (ties go to the lowest index, like numpy's argmax).
pub fn label_of(mix: &Mixture, x: f64) -> usize {
    let mut best = 0;
    let mut best_p = f64::NEG_INFINITY;
    for k in 0..mix.components() {
        let p = mix.log_density(k, x);
        if p > best_p {
            best_p = p;
            best = k;
        }
    }
    best
}

pub fn labels(mix: &Mixture, x: &[f64]) -> Vec<u8> {
    let mut out = vec![0u8; x.len()];
    x.par_chunks(CHUNK)
        .zip(out.par_chunks_mut(CHUNK))
        .for_each(|(x, out)| {
            for (o, &v) in out.iter_mut().zip(x) {
                *o = label_of(mix, v) as u8;
            }
        });
    out
}
