//! Per-sample outputs: `expsum`, `P` and `Pmax` (the original's
//! `compute_expsum_stable`), responsibilities, labels. Every sample is
//! independent, so chunks run in parallel and results never depend on threads.

use rayon::prelude::*;

use fastkernels_common::alloc::{zeroed_for, Advice, Zeroable};
use fastkernels_common::limits::output_elements;

use crate::error::GmmError;
use crate::lanes::{load_partial, log_densities, shifted_exps, Lane, LANES};
use crate::mixture::Mixture;
use crate::pass::fused_pass;
use fastkernels_common::multiversion;

/// Samples per parallel task of the per-sample kernels (fixed, so results
/// never depend on the pool size).
pub const SAMPLE_CHUNK: usize = 1 << 14;
const CHUNK: usize = SAMPLE_CHUNK;

/// A fresh output of `len` zeros, fallibly. gmm outputs get no huge-page
/// advice (see `fastkernels_common::alloc`).
pub(crate) fn output<T: Zeroable>(len: usize, what: &'static str) -> Result<Vec<T>, GmmError> {
    Ok(zeroed_for(len, what, Advice::Plain)?)
}

/// `n * k`, the length of K planes of N values, checked against
/// `MAX_OUTPUT_ELEMENTS` before anything is allocated. `name` is the data
/// argument ("intensities" or "data").
pub(crate) fn planes_len(name: &'static str, n: usize, k: usize) -> Result<usize, GmmError> {
    let length = match name {
        "data" => "data.length",
        _ => "intensities.length",
    };
    Ok(output_elements(length, n, "K", k, "values")?)
}

/// An output buffer's length, or the error naming it.
pub(crate) fn check_output(
    name: &'static str,
    actual: usize,
    expected: usize,
    because: &'static str,
) -> Result<(), GmmError> {
    if actual == expected {
        Ok(())
    } else {
        Err(GmmError::OutputLength {
            name,
            expected,
            actual,
            because,
        })
    }
}

const PER_SAMPLE: &str = "one value per sample";
const PLANES: &str = "K planes of N values";

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

/// The E-step quantities of every sample into fresh (fallibly allocated)
/// buffers; see [`expsum_stable_into`]. The samples are not checked here
/// (see [`crate::check_samples`]).
pub fn expsum_stable(mix: &Mixture, x: &[f64]) -> Result<Expsum, GmmError> {
    let n = x.len();
    let len = planes_len("intensities", n, mix.components())?;
    let mut out = Expsum {
        expsum: output(n, "expsum")?,
        p: output(len, "p (K planes of N values)")?,
        p_max: output(n, "pMax")?,
    };
    expsum_stable_into(mix, x, &mut out.expsum, &mut out.p, &mut out.p_max)?;
    Ok(out)
}

/// [`expsum_stable`] into the caller's buffers: `expsum` and `p_max` of
/// length N, `p` of K planes of N values (`p[k*N + i]`). Every element is
/// written. Lengths are checked first (an error, not a panic).
pub fn expsum_stable_into(
    mix: &Mixture,
    x: &[f64],
    expsum: &mut [f64],
    p: &mut [f64],
    p_max: &mut [f64],
) -> Result<(), GmmError> {
    let n = x.len();
    let len = planes_len("intensities", n, mix.components())?;
    check_output("expsum", expsum.len(), n, PER_SAMPLE)?;
    check_output("p", p.len(), len, PLANES)?;
    check_output("pMax", p_max.len(), n, PER_SAMPLE)?;
    let planes = plane_chunks(p, n);
    x.par_chunks(CHUNK)
        .zip(expsum.par_chunks_mut(CHUNK))
        .zip(p_max.par_chunks_mut(CHUNK))
        .zip(planes.into_par_iter())
        .for_each(|(((x, expsum), p_max), mut p)| expsum_chunk(mix, x, expsum, p_max, &mut p));
    Ok(())
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
pub fn responsibilities(mix: &Mixture, x: &[f64]) -> Result<Vec<f64>, GmmError> {
    responsibilities_named("intensities", mix, x)
}

pub(crate) fn responsibilities_named(
    name: &'static str,
    mix: &Mixture,
    x: &[f64],
) -> Result<Vec<f64>, GmmError> {
    let len = planes_len(name, x.len(), mix.components())?;
    let mut out = output(len, "the responsibilities")?;
    responsibilities_into_named(name, mix, x, &mut out)?;
    Ok(out)
}

/// [`responsibilities`] into the caller's buffer of K planes of N values.
pub fn responsibilities_into(mix: &Mixture, x: &[f64], out: &mut [f64]) -> Result<(), GmmError> {
    responsibilities_into_named("intensities", mix, x, out)
}

pub(crate) fn responsibilities_into_named(
    name: &'static str,
    mix: &Mixture,
    x: &[f64],
    out: &mut [f64],
) -> Result<(), GmmError> {
    let n = x.len();
    let len = planes_len(name, n, mix.components())?;
    check_output("out", out.len(), len, PLANES)?;
    let planes = plane_chunks(out, n);
    x.par_chunks(CHUNK)
        .zip(planes.into_par_iter())
        .for_each(|(x, mut r)| responsibilities_chunk(mix, x, &mut r));
    Ok(())
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

/// Labels into the caller's buffer, one per sample (length checked by the caller).
pub(crate) fn labels_into(mix: &Mixture, x: &[f64], out: &mut [u8]) {
    x.par_chunks(CHUNK)
        .zip(out.par_chunks_mut(CHUNK))
        .for_each(|(x, out)| {
            for (o, &v) in out.iter_mut().zip(x) {
                *o = label_of(mix, v) as u8;
            }
        });
}
