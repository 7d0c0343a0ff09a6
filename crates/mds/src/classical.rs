//! Classical (Torgerson) MDS without building the n x n double-centred
//! matrix: B = -1/2 J A J (A = squared dissimilarities, J = I - 11'/n) is
//! applied to a block of vectors on the fly, and its top eigenvectors are
//! found by subspace iteration with a Rayleigh-Ritz step.
//!
//! The same algorithm, with the same operation order, is in the TS
//! reference (`ts/mds/reference.ts`).

use rayon::prelude::*;

use crate::eigen::symmetric_eigen;
use crate::error::MdsError;
use crate::input::{zeros, Dissimilarities};
use crate::random::Mulberry32;
use crate::smacof::MAX_OUTPUT_DIMS;

/// Extra vectors in the iterated block beyond `dims` (speeds convergence,
/// absorbs negative eigenvalues of large magnitude).
pub(crate) const OVERSAMPLING: usize = 10;
/// Stop when every wanted Ritz pair has ||B u - theta u|| <= this * |theta_1|.
pub(crate) const RESIDUAL_TOLERANCE: f64 = 1e-10;
pub(crate) const MAX_SUBSPACE_ITERATIONS: usize = 500;
/// Seed of the starting block (fixed: classical MDS is deterministic).
pub(crate) const START_SEED: u32 = 0x5eed;

/// W = B V for a row-major n x p block V.
fn apply_b(diss: &Dissimilarities<'_>, v: &[f64], p: usize) -> Result<Vec<f64>, MdsError> {
    let n = diss.n;
    let centred = centre_columns(v, n, p)?;
    let mut w = zeros(n * p, "the classical MDS subspace")?;
    w.par_chunks_mut(p).enumerate().for_each(|(i, out)| {
        let row = diss.row(i);
        for (j, &d) in row.iter().enumerate() {
            let a = d * d;
            let vj = &centred[j * p..(j + 1) * p];
            for (o, x) in out.iter_mut().zip(vj) {
                *o += a * x;
            }
        }
    });
    let mut w = centre_columns(&w, n, p)?;
    for x in &mut w {
        *x *= -0.5;
    }
    Ok(w)
}

fn centre_columns(v: &[f64], n: usize, p: usize) -> Result<Vec<f64>, MdsError> {
    let mut mean = vec![0.0; p];
    for row in v.chunks_exact(p) {
        for (m, x) in mean.iter_mut().zip(row) {
            *m += x;
        }
    }
    for m in &mut mean {
        *m /= n as f64;
    }
    let mut out = fastkernels_common::alloc::copied(v, "the classical MDS subspace")?;
    for row in out.chunks_exact_mut(p) {
        for (x, m) in row.iter_mut().zip(&mean) {
            *x -= m;
        }
    }
    Ok(out)
}

fn column_dot(a: &[f64], b: &[f64], p: usize, ca: usize, cb: usize) -> f64 {
    a.chunks_exact(p)
        .zip(b.chunks_exact(p))
        .map(|(x, y)| x[ca] * y[cb])
        .sum()
}

/// Modified Gram-Schmidt, twice, on the columns of a row-major n x p block;
/// a column that vanishes is replaced by a fresh random one.
fn orthonormalize(v: &mut [f64], p: usize, rng: &mut Mulberry32) {
    for c in 0..p {
        for _attempt in 0..4 {
            let before = column_dot(v, v, p, c, c).sqrt();
            for _pass in 0..2 {
                for prev in 0..c {
                    let proj = column_dot(v, v, p, prev, c);
                    for row in v.chunks_exact_mut(p) {
                        row[c] -= proj * row[prev];
                    }
                }
            }
            let norm = column_dot(v, v, p, c, c).sqrt();
            if norm > 1e-8 * before && norm > 1e-300 {
                for row in v.chunks_exact_mut(p) {
                    row[c] /= norm;
                }
                break;
            }
            for row in v.chunks_exact_mut(p) {
                row[c] = rng.next_f64() - 0.5;
            }
        }
    }
}

/// The product of a row-major n x p block and a row-major p x p matrix.
fn times_small(v: &[f64], s: &[f64], p: usize) -> Result<Vec<f64>, MdsError> {
    let mut out = zeros(v.len(), "the classical MDS subspace")?;
    for (row, o) in v.chunks_exact(p).zip(out.chunks_exact_mut(p)) {
        for (k, x) in row.iter().enumerate() {
            for c in 0..p {
                o[c] += x * s[k * p + c];
            }
        }
    }
    Ok(out)
}

/// An n x dims embedding whose Euclidean distances best reproduce the
/// dissimilarities in the classical (Torgerson) sense: the top `dims`
/// eigenpairs of B, eigenvalues clipped at 0, each eigenvector signed so that
/// its largest-magnitude component (first one on ties) is positive.
pub fn classical_mds(diss: Dissimilarities<'_>, dims: usize) -> Result<Vec<f64>, MdsError> {
    check_dims(diss.n, dims)?;
    let mut x = zeros(diss.n * dims, "the embedding")?;
    embed_into(diss, dims, &mut x)?;
    Ok(x)
}

/// [`classical_mds`] into the caller's buffer of n x dims values (every
/// element is written; the same bits as the Vec variant).
pub fn classical_mds_into(
    diss: Dissimilarities<'_>,
    dims: usize,
    out: &mut [f64],
) -> Result<(), MdsError> {
    check_dims(diss.n, dims)?;
    if out.len() != diss.n * dims {
        return Err(MdsError::invalid(format!(
            "out must have length {} (n x dims), got length {}",
            diss.n * dims,
            out.len()
        )));
    }
    embed_into(diss, dims, out)
}

fn check_dims(n: usize, dims: usize) -> Result<(), MdsError> {
    if dims < 1 || dims > n {
        return Err(MdsError::invalid(format!(
            "dims must be an integer from 1 to {n}, got {dims}"
        )));
    }
    fastkernels_common::limits::at_most("dims", dims, MAX_OUTPUT_DIMS, "MDS_MAX_OUTPUT_DIMS")?;
    Ok(())
}

/// The one compute path of classical MDS (dims checked, `out` of n x dims).
fn embed_into(diss: Dissimilarities<'_>, dims: usize, out: &mut [f64]) -> Result<(), MdsError> {
    let n = diss.n;
    let p = (dims + OVERSAMPLING).min(n);
    let mut rng = Mulberry32::new(START_SEED);
    let mut v = fastkernels_common::alloc::collected(
        n * p,
        (0..n * p).map(|_| rng.next_f64() - 0.5),
        "the classical MDS subspace",
    )?;
    orthonormalize(&mut v, p, &mut rng);
    let mut iteration = 0;
    loop {
        iteration += 1;
        let w = apply_b(&diss, &v, p)?;
        let mut h = vec![0.0; p * p];
        for a in 0..p {
            for b in 0..p {
                h[a * p + b] = column_dot(&v, &w, p, a, b);
            }
        }
        // Symmetrise the Rayleigh quotient (it is symmetric up to rounding).
        for a in 0..p {
            for b in a + 1..p {
                let m = 0.5 * (h[a * p + b] + h[b * p + a]);
                h[a * p + b] = m;
                h[b * p + a] = m;
            }
        }
        let (theta, s) = symmetric_eigen(&h, p);
        let u = times_small(&v, &s, p)?;
        let bu = times_small(&w, &s, p)?;
        let scale = theta.iter().fold(0.0f64, |m, t| m.max(t.abs())).max(1e-300);
        let worst = (0..dims)
            .map(|k| {
                u.chunks_exact(p)
                    .zip(bu.chunks_exact(p))
                    .map(|(x, y)| (y[k] - theta[k] * x[k]).powi(2))
                    .sum::<f64>()
                    .sqrt()
            })
            .fold(0.0f64, f64::max);
        if worst <= RESIDUAL_TOLERANCE * scale || iteration >= MAX_SUBSPACE_ITERATIONS {
            embed(&u, &theta, n, p, dims, out);
            return Ok(());
        }
        v = bu;
        orthonormalize(&mut v, p, &mut rng);
    }
}

/// Writes every element of the n x dims embedding `x`.
fn embed(u: &[f64], theta: &[f64], n: usize, p: usize, dims: usize, x: &mut [f64]) {
    for k in 0..dims {
        let scale = theta[k].max(0.0).sqrt();
        let mut lead = 0;
        for i in 1..n {
            if u[i * p + k].abs() > u[lead * p + k].abs() {
                lead = i;
            }
        }
        let sign = if u[lead * p + k] < 0.0 { -1.0 } else { 1.0 };
        for i in 0..n {
            x[i * dims + k] = sign * scale * u[i * p + k];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distance::distance_matrix;
    use crate::input::Points;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    #[test]
    fn reproduces_euclidean_distances_exactly() {
        let mut rng = Mulberry32::new(11);
        for (n, dims) in [(5, 2), (40, 3), (120, 2)] {
            let data: Vec<f64> = (0..n * dims).map(|_| rng.next_f64() * 4.0 - 2.0).collect();
            let d = distance_matrix(Points::new("points", &data, dims).unwrap()).unwrap();
            let diss = Dissimilarities::new(&d, n).unwrap();
            let x = classical_mds(diss, dims).unwrap();
            let back = distance_matrix(Points::new("x", &x, dims).unwrap()).unwrap();
            for (a, b) in d.iter().zip(&back) {
                assert!((a - b).abs() < 1e-9, "n = {n}: {a} vs {b}");
            }
            let again = pool(3).install(|| classical_mds(diss, dims).unwrap());
            assert_eq!(x, again);
        }
    }

    #[test]
    fn rejects_dims_above_n() {
        let d = [0.0, 1.0, 1.0, 0.0];
        let diss = Dissimilarities::new(&d, 2).unwrap();
        assert!(classical_mds(diss, 3).is_err());
        assert!(classical_mds(diss, 0).is_err());
    }

    #[test]
    fn into_equals_the_vec_variant_bit_for_bit() {
        let mut rng = Mulberry32::new(4);
        let (n, dims) = (60, 3);
        let data: Vec<f64> = (0..n * dims).map(|_| rng.next_f64()).collect();
        let d = distance_matrix(Points::new("points", &data, dims).unwrap()).unwrap();
        let diss = Dissimilarities::new(&d, n).unwrap();
        let v = classical_mds(diss, 2).unwrap();
        let mut out = vec![f64::NAN; n * 2];
        classical_mds_into(diss, 2, &mut out).unwrap();
        assert!(v.iter().zip(&out).all(|(a, b)| a.to_bits() == b.to_bits()));
        assert_eq!(
            classical_mds_into(diss, 2, &mut out[1..])
                .unwrap_err()
                .to_string(),
            "out must have length 120 (n x dims), got length 119"
        );
    }
}
