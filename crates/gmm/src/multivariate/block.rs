//! The E-step of one statistics chunk, `LANES` rows at a time on
//! fixed-size lane arrays (the shape LLVM keeps in vector registers), with
//! the vectorisable `exp` and `ln` of the 1-D kernels.
//!
//! Per block: the weighted log-probabilities of every component and their
//! running maximum ([`Density::weighted_log_prob_lanes`]), the shifted
//! exponentials and their sum `s`, then per lane
//! `ll += w (ln s + max)`, `r_k = e_k (w / s)`, and the sums of `r_k`,
//! `r_k x`, `r_k x x^T` (lower triangle; diag/spherical: `r_k x_j^2`;
//! tied: `w x x^T`). Each lane keeps its own accumulators; at the end of the
//! chunk they are added in lane order 0..LANES. Rows past the chunk's end
//! fill the last block with weight 0 (exact zeros). So the partial is a
//! fixed function of the chunk's rows: it does not depend on how the data
//! is sharded or on the thread count.
//!
//! Small dimensions (d = 1..4, colour spaces included) are instantiated
//! with d known at compile time so the per-row loops unroll; larger d runs
//! the same code with d at run time.

use fastkernels_common::alloc::filled;
use fastkernels_common::multiversion;

use crate::error::GmmError;
use crate::fastexp::{exp_nonpositive, mul_add};
use crate::fastln::ln_positive;
use crate::lanes::{Lane, LANES};
use crate::multivariate::density::Density;
use crate::multivariate::model::{CovarianceType, MvData};

/// The model dimension d, either a compile-time constant or a run-time value.
pub(crate) trait Dim: Copy {
    /// d lanes of scratch: an array (register-promotable) or a vector.
    type Rows: AsRef<[Lane]> + AsMut<[Lane]>;
    fn get(self) -> usize;
    fn rows(self) -> Result<Self::Rows, GmmError>;
}

#[derive(Clone, Copy)]
pub(crate) struct Fixed<const D: usize>;

impl<const D: usize> Dim for Fixed<D> {
    type Rows = [Lane; D];
    #[inline(always)]
    fn get(self) -> usize {
        D
    }
    #[inline(always)]
    fn rows(self) -> Result<Self::Rows, GmmError> {
        Ok([[0.0; LANES]; D])
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Any(pub usize);

impl Dim for Any {
    type Rows = Vec<Lane>;
    #[inline(always)]
    fn get(self) -> usize {
        self.0
    }
    fn rows(self) -> Result<Self::Rows, GmmError> {
        Ok(filled(self.0, [0.0; LANES], "a block of rows")?)
    }
}

/// Per-task scratch of the chunk kernel: K lanes of log-probabilities and
/// one lane accumulator per value of a partial.
pub(crate) struct Scratch {
    lp: Vec<Lane>,
    acc: Vec<Lane>,
}

impl Scratch {
    pub(crate) fn new(dens: &Density) -> Result<Self, GmmError> {
        let shape = dens.shape();
        Ok(Self {
            lp: filled(
                shape.components,
                [0.0; LANES],
                "the log-probabilities of a block",
            )?,
            acc: filled(shape.stride(), [0.0; LANES], "the lane statistics")?,
        })
    }
}

/// The partial of rows `[first, first + len)` of `data` into `out` (one
/// partial of `stride` values, overwritten), before the triangles are mirrored.
pub(crate) fn chunk_partial_lanes(
    data: &MvData<'_>,
    dens: &Density,
    first: usize,
    len: usize,
    out: &mut [f64],
    scratch: &mut Scratch,
) -> Result<(), GmmError> {
    match dens.dims() {
        1 => chunk_d1(data, dens, first, len, out, scratch),
        2 => chunk_d2(data, dens, first, len, out, scratch),
        3 => chunk_d3(data, dens, first, len, out, scratch),
        4 => chunk_d4(data, dens, first, len, out, scratch),
        _ => chunk_any(data, dens, first, len, out, scratch),
    }
}

macro_rules! instantiate {
    ($name:ident, $imp:ident, $dim:expr) => {
        multiversion! {
            fn $name = $imp(data: &MvData<'_>, dens: &Density, first: usize, len: usize, out: &mut [f64], scratch: &mut Scratch) -> Result<(), GmmError>
        }

        #[inline(always)]
        fn $imp<const FMA: bool>(
            data: &MvData<'_>,
            dens: &Density,
            first: usize,
            len: usize,
            out: &mut [f64],
            scratch: &mut Scratch,
        ) -> Result<(), GmmError> {
            chunk_kernel::<FMA, _>($dim(dens), data, dens, first, len, out, scratch)
        }
    };
}

instantiate!(chunk_d1, chunk_d1_impl, |_| Fixed::<1>);
instantiate!(chunk_d2, chunk_d2_impl, |_| Fixed::<2>);
instantiate!(chunk_d3, chunk_d3_impl, |_| Fixed::<3>);
instantiate!(chunk_d4, chunk_d4_impl, |_| Fixed::<4>);
instantiate!(chunk_any, chunk_any_impl, |dens: &Density| Any(dens.dims()));

#[inline(always)]
fn chunk_kernel<const FMA: bool, D: Dim>(
    dim: D,
    data: &MvData<'_>,
    dens: &Density,
    first: usize,
    len: usize,
    out: &mut [f64],
    scratch: &mut Scratch,
) -> Result<(), GmmError> {
    let shape = dens.shape();
    let (k, d) = (shape.components, dim.get());
    let mut x = dim.rows()?;
    let mut z = dim.rows()?;
    let (x, z) = (x.as_mut(), z.as_mut());
    let lp = &mut scratch.lp[..k];
    let acc = &mut scratch.acc[..shape.stride()];
    acc.iter_mut().for_each(|a| *a = [0.0; LANES]);
    let (head, rest) = acc.split_at_mut(2 + k);
    let (sum_x, sum_xx) = rest.split_at_mut(k * d);
    let (totals, resp) = head.split_at_mut(2);
    let (weight_sum, ll) = totals.split_at_mut(1);
    let (weight_sum, ll) = (&mut weight_sum[0], &mut ll[0]);
    let cols = &data.columns()[..d];
    let end = first + len;
    let mut start = first;
    while start < end {
        let n = LANES.min(end - start);
        let w = data.block(cols, start, n, x);
        let max = dens.weighted_log_prob_lanes::<FMA, D>(dim, x, z, lp);
        let mut s = [0.0; LANES];
        for e in lp.iter_mut() {
            for l in 0..LANES {
                let v = exp_nonpositive::<FMA>(e[l] - max[l]);
                e[l] = v;
                s[l] += v;
            }
        }
        let mut ws = [0.0; LANES];
        for l in 0..LANES {
            ws[l] = w[l] / s[l];
            weight_sum[l] += w[l];
            ll[l] = mul_add::<FMA>(w[l], ln_positive::<FMA>(s[l]) + max[l], ll[l]);
        }
        for c in 0..k {
            let r = mul(&lp[c], &ws);
            add(&mut resp[c], &r);
            let sx = &mut sum_x[c * d..(c + 1) * d];
            match shape.covariance {
                CovarianceType::Full => {
                    let sxx = &mut sum_xx[c * d * d..(c + 1) * d * d];
                    for a in 0..d {
                        let rx = mul(&r, &x[a]);
                        add(&mut sx[a], &rx);
                        for b in 0..=a {
                            add_product::<FMA>(&mut sxx[a * d + b], &rx, &x[b]);
                        }
                    }
                }
                CovarianceType::Diag | CovarianceType::Spherical => {
                    let sq = &mut sum_xx[c * d..(c + 1) * d];
                    for a in 0..d {
                        let rx = mul(&r, &x[a]);
                        add(&mut sx[a], &rx);
                        add_product::<FMA>(&mut sq[a], &rx, &x[a]);
                    }
                }
                CovarianceType::Tied => {
                    for a in 0..d {
                        add(&mut sx[a], &mul(&r, &x[a]));
                    }
                }
            }
        }
        if shape.covariance == CovarianceType::Tied {
            for a in 0..d {
                let wx = mul(&w, &x[a]);
                for b in 0..=a {
                    add_product::<FMA>(&mut sum_xx[a * d + b], &wx, &x[b]);
                }
            }
        }
        start += n;
    }
    for (o, a) in out.iter_mut().zip(acc.iter()) {
        let mut t = a[0];
        for &v in &a[1..] {
            t += v;
        }
        *o = t;
    }
    Ok(())
}

// The accumulators are read whole, updated and written whole: lane-by-lane
// updates through a reference kept LLVM from vectorising them.

#[inline(always)]
fn mul(a: &Lane, b: &Lane) -> Lane {
    std::array::from_fn(|l| a[l] * b[l])
}

#[inline(always)]
fn add(acc: &mut Lane, a: &Lane) {
    let mut v = *acc;
    for l in 0..LANES {
        v[l] += a[l];
    }
    *acc = v;
}

/// `acc += a b`, fused when `FMA`.
#[inline(always)]
fn add_product<const FMA: bool>(acc: &mut Lane, a: &Lane, b: &Lane) {
    let mut v = *acc;
    for l in 0..LANES {
        v[l] = mul_add::<FMA>(a[l], b[l], v[l]);
    }
    *acc = v;
}
