//! The E-step of one statistics chunk, `LANES` rows at a time on
//! fixed-size lane arrays (the shape LLVM keeps in vector registers), with
//! the vectorisable `exp` and `ln` of the 1-D kernels.
//!
//! Per block: the weighted log-probabilities of every component and their
//! running maximum ([`Density::weighted_log_prob_lanes`]), the shifted
//! exponentials and their sum `s`, then per lane
//! `ll += w (ln s + max)`, `r_k = e_k (w / s)`, and the sums of `r_k`,
//! `r_k x`, `r_k x x^T` (lower triangle; diag/spherical: `r_k x_j^2`;
//! tied: `w x x^T`). The responsibilities of a group of blocks are computed
//! first, then added to the sums one component at a time (its accumulators
//! stay in registers over the group); every accumulator still takes the
//! rows in row order, so the grouping does not change a bit. Each lane
//! keeps its own accumulators; at the end of the chunk they are added in
//! lane order 0..LANES. Rows past the chunk's end
//! fill the last block with weight 0 (exact zeros). So the partial is a
//! fixed function of the chunk's rows: it does not depend on how the data
//! is sharded or on the thread count.
//!
//! The densities, exponentials and logarithms run on `WIDE` rows at a time
//! (`SUB` blocks side by side): the operations are element-wise, so each
//! row gets the same values as in a block of its own, and each loop step
//! has `SUB` independent vectors for the out-of-order core to overlap
//! (one block's `exp` and `ln` are long dependency chains). Measured on
//! Zen 4: 3 blocks side by side beat 2 and 4 (4 spills).
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
    /// d x d lanes of scratch, row-major.
    type Square: AsRef<[Lane]> + AsMut<[Lane]>;
    /// d wide lanes of scratch.
    type Wides: AsRef<[Wide]> + AsMut<[Wide]>;
    fn get(self) -> usize;
    fn rows(self) -> Result<Self::Rows, GmmError>;
    fn square(self) -> Result<Self::Square, GmmError>;
    fn wides(self) -> Result<Self::Wides, GmmError>;
}

/// d x d lanes for a compile-time d.
pub(crate) struct Square<const D: usize>([[Lane; D]; D]);

impl<const D: usize> AsRef<[Lane]> for Square<D> {
    #[inline(always)]
    fn as_ref(&self) -> &[Lane] {
        self.0.as_flattened()
    }
}

impl<const D: usize> AsMut<[Lane]> for Square<D> {
    #[inline(always)]
    fn as_mut(&mut self) -> &mut [Lane] {
        self.0.as_flattened_mut()
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Fixed<const D: usize>;

impl<const D: usize> Dim for Fixed<D> {
    type Rows = [Lane; D];
    type Square = Square<D>;
    type Wides = [Wide; D];
    #[inline(always)]
    fn get(self) -> usize {
        D
    }
    #[inline(always)]
    fn rows(self) -> Result<Self::Rows, GmmError> {
        Ok([[0.0; LANES]; D])
    }
    #[inline(always)]
    fn square(self) -> Result<Self::Square, GmmError> {
        Ok(Square([[[0.0; LANES]; D]; D]))
    }
    #[inline(always)]
    fn wides(self) -> Result<Self::Wides, GmmError> {
        Ok([[0.0; WIDE]; D])
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Any(pub usize);

impl Dim for Any {
    type Rows = Vec<Lane>;
    type Square = Vec<Lane>;
    type Wides = Vec<Wide>;
    #[inline(always)]
    fn get(self) -> usize {
        self.0
    }
    fn rows(self) -> Result<Self::Rows, GmmError> {
        Ok(filled(self.0, [0.0; LANES], "a block of rows")?)
    }
    fn square(self) -> Result<Self::Square, GmmError> {
        Ok(filled(
            self.0 * self.0,
            [0.0; LANES],
            "the sums of a component",
        )?)
    }
    fn wides(self) -> Result<Self::Wides, GmmError> {
        Ok(filled(self.0, [0.0; WIDE], "a block of rows")?)
    }
}

/// Blocks per group: the first pass over a group computes the
/// responsibilities of its rows, the second adds them to one component's
/// accumulators at a time (held in registers for the unrolled dimensions).
/// Each accumulator still takes its rows in row order.
const GROUP: usize = 12;

/// Rows of a step of the first pass: `SUB` blocks side by side, so that
/// every operation has `SUB` independent vectors. Element-wise, so each
/// row's values are those of a step of `LANES` rows.
const WIDE: usize = 3 * LANES;
const SUB: usize = WIDE / LANES;
type Wide = [f64; WIDE];

/// Responsibilities a group holds at most (`GROUP` blocks of K lanes, or
/// fewer blocks for a large K): 128 KiB.
const GROUP_LANES: usize = 2048;

/// Per-task scratch of the chunk kernel: the rows, weights and
/// responsibilities of a group of blocks, and one lane accumulator per
/// value of a partial.
pub(crate) struct Scratch {
    group: usize,
    lp: Vec<Wide>,
    resp: Vec<Lane>,
    x: Vec<Lane>,
    w: Vec<Lane>,
    acc: Vec<Lane>,
}

/// Blocks per group for K components (a multiple of `SUB`).
fn group_blocks(k: usize) -> usize {
    (GROUP_LANES / k.max(1)).clamp(SUB, GROUP) / SUB * SUB
}

impl Scratch {
    pub(crate) fn new(dens: &Density) -> Result<Self, GmmError> {
        let shape = dens.shape();
        let group = group_blocks(shape.components);
        Ok(Self {
            group,
            lp: filled(
                shape.components,
                [0.0; WIDE],
                "the log-probabilities of a block",
            )?,
            resp: filled(
                group * shape.components,
                [0.0; LANES],
                "the responsibilities of a group of rows",
            )?,
            x: filled(group * shape.dims, [0.0; LANES], "a group of rows")?,
            w: filled(group, [0.0; LANES], "the weights of a group of rows")?,
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
    let mut xw = dim.wides()?;
    let mut zw = dim.wides()?;
    let (xw, zw) = (xw.as_mut(), zw.as_mut());
    let lpw = &mut scratch.lp[..k];
    // The accumulators of one component, local while a group is added.
    let mut sx_local = dim.rows()?;
    let mut sxx_local = dim.square()?;
    let (sx_local, sxx_local) = (sx_local.as_mut(), sxx_local.as_mut());
    let group = scratch.group;
    let rg = &mut scratch.resp[..group * k];
    let xg = &mut scratch.x[..group * d];
    let wg = &mut scratch.w[..group];
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
        // Pass 1: the responsibilities (times the row weights) of up to
        // `group` blocks, with the weight and log-likelihood sums. The
        // group's rows are loaded first (their scalar stores are done
        // before the vector loads of the next loop read them back), then
        // taken `SUB` blocks at a time.
        let mut blocks = 0;
        while blocks < group && start < end {
            let n = LANES.min(end - start);
            data.block(
                cols,
                start,
                n,
                &mut xg[blocks * d..(blocks + 1) * d],
                &mut wg[blocks],
            );
            blocks += 1;
            start += n;
        }
        for first_block in (0..blocks).step_by(SUB) {
            let subs = SUB.min(blocks - first_block);
            // Side by side; a missing block repeats the first (weight 0, never added).
            let mut w = [0.0; WIDE];
            for j in 0..SUB {
                let b = first_block + if j < subs { j } else { 0 };
                let part = j * LANES..(j + 1) * LANES;
                for (xa, src) in xw.iter_mut().zip(&xg[b * d..(b + 1) * d]) {
                    xa[part.clone()].copy_from_slice(src);
                }
                if j < subs {
                    w[part].copy_from_slice(&wg[b]);
                }
            }
            let max = dens.weighted_log_prob_lanes::<FMA, D, WIDE>(dim, xw, zw, lpw);
            let mut s = [0.0; WIDE];
            for e in lpw.iter_mut() {
                for i in 0..WIDE {
                    let v = exp_nonpositive::<FMA>(e[i] - max[i]);
                    e[i] = v;
                    s[i] += v;
                }
            }
            let mut ws = [0.0; WIDE];
            let mut t = [0.0; WIDE];
            for i in 0..WIDE {
                ws[i] = w[i] / s[i];
                t[i] = ln_positive::<FMA>(s[i]) + max[i];
            }
            for j in 0..subs {
                let at = j * LANES;
                for l in 0..LANES {
                    weight_sum[l] += w[at + l];
                    ll[l] = mul_add::<FMA>(w[at + l], t[at + l], ll[l]);
                }
                let b = first_block + j;
                for (r, e) in rg[b * k..(b + 1) * k].iter_mut().zip(lpw.iter()) {
                    *r = std::array::from_fn(|l| e[at + l] * ws[at + l]);
                }
            }
        }
        // Pass 2: one component's sums at a time, blocks in row order.
        let rg = &rg[..blocks * k];
        let xg = &xg[..blocks * d];
        match shape.covariance {
            CovarianceType::Full => {
                for c in 0..k {
                    let mut rs = resp[c];
                    let sx = &mut sum_x[c * d..(c + 1) * d];
                    let sxx = &mut sum_xx[c * d * d..(c + 1) * d * d];
                    sx_local.copy_from_slice(sx);
                    sxx_local.copy_from_slice(sxx);
                    for (r, x) in rg.chunks_exact(k).zip(xg.chunks_exact(d)) {
                        let r = &r[c];
                        add(&mut rs, r);
                        for a in 0..d {
                            let rx = mul(r, &x[a]);
                            add(&mut sx_local[a], &rx);
                            for b in 0..=a {
                                add_product::<FMA>(&mut sxx_local[a * d + b], &rx, &x[b]);
                            }
                        }
                    }
                    resp[c] = rs;
                    sx.copy_from_slice(sx_local);
                    sxx.copy_from_slice(sxx_local);
                }
            }
            CovarianceType::Diag | CovarianceType::Spherical => {
                let sq_local = &mut sxx_local[..d];
                for c in 0..k {
                    let mut rs = resp[c];
                    let sx = &mut sum_x[c * d..(c + 1) * d];
                    let sq = &mut sum_xx[c * d..(c + 1) * d];
                    sx_local.copy_from_slice(sx);
                    sq_local.copy_from_slice(sq);
                    for (r, x) in rg.chunks_exact(k).zip(xg.chunks_exact(d)) {
                        let r = &r[c];
                        add(&mut rs, r);
                        for a in 0..d {
                            let rx = mul(r, &x[a]);
                            add(&mut sx_local[a], &rx);
                            add_product::<FMA>(&mut sq_local[a], &rx, &x[a]);
                        }
                    }
                    resp[c] = rs;
                    sx.copy_from_slice(sx_local);
                    sq.copy_from_slice(sq_local);
                }
            }
            CovarianceType::Tied => {
                for c in 0..k {
                    let mut rs = resp[c];
                    let sx = &mut sum_x[c * d..(c + 1) * d];
                    sx_local.copy_from_slice(sx);
                    for (r, x) in rg.chunks_exact(k).zip(xg.chunks_exact(d)) {
                        let r = &r[c];
                        add(&mut rs, r);
                        for a in 0..d {
                            add(&mut sx_local[a], &mul(r, &x[a]));
                        }
                    }
                    resp[c] = rs;
                    sx.copy_from_slice(sx_local);
                }
                let sxx = &mut sum_xx[..d * d];
                sxx_local.copy_from_slice(sxx);
                for (w, x) in wg.iter().zip(xg.chunks_exact(d)) {
                    for a in 0..d {
                        let wx = mul(w, &x[a]);
                        for b in 0..=a {
                            add_product::<FMA>(&mut sxx_local[a * d + b], &wx, &x[b]);
                        }
                    }
                }
                sxx.copy_from_slice(sxx_local);
            }
        }
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
