//! One Guttman-transform pass of SMACOF over the upper triangle: every pair
//! i < j is visited once per pass (one `sqrt`, one division), its contribution
//! added to both row i and row j of B X.
//!
//! Determinism: the rows are dealt to a FIXED number of stripes (`STRIPES`,
//! independent of the pool size). A stripe owns an accumulator for all n rows
//! and visits its rows, and within a row the columns, in a fixed order; the
//! stripes run in parallel and are combined in stripe order. So the result
//! is the same bit for bit for every thread count.
//!
//! SIMD (dims 1-4): one generic loop over blocks of 8 lanes that LLVM
//! vectorises, compiled for AVX-512F, AVX2 and portable code and picked at
//! run time (`simd.rs`). It uses correctly rounded `sqrt` and division and no
//! fused multiply-add, so every level gives the same bits. (`vrsqrt14pd` or
//! `vrcp14pd` with Newton steps, and FMA, were measured no faster on Zen 4.)
//! Every other pass sweeps the rows backwards, so it starts on the
//! dissimilarities that the previous pass read last (still in cache).
//!
//! Extra memory: the embedding in structure-of-arrays form plus
//! `STRIPES` accumulators of n x dims doubles, i.e. O(n * dims).

use rayon::prelude::*;

use crate::input::Dissimilarities;
use crate::simd::SimdLevel;

/// Stripes (independent accumulators). Fixed so that results do not depend
/// on the pool size; 16 balances well on 2-8 threads.
pub(crate) const STRIPES: usize = 16;

/// Lanes of the vectorised column loop (one AVX-512 register of f64).
pub(crate) const LANES: usize = 8;

/// Zero distances are replaced by this before dividing (as scikit-learn).
pub(crate) const ZERO_DISTANCE: f64 = 1e-5;

/// Buffers reused by every pass of one SMACOF run.
pub(crate) struct Workspace {
    n: usize,
    dims: usize,
    /// X in structure-of-arrays form: coordinate k of point j at `k * n + j`.
    soa: Vec<f64>,
    /// One n x dims accumulator per stripe, coordinate-major like `soa`.
    stripes: Vec<Vec<f64>>,
    level: SimdLevel,
    /// Passes run so far (their parity sets the sweep direction).
    passes: usize,
}

impl Workspace {
    pub(crate) fn new(n: usize, dims: usize) -> Result<Self, crate::error::MdsError> {
        let zeros = || crate::input::zeros(n * dims, "the SMACOF workspace");
        let mut stripes = Vec::with_capacity(STRIPES);
        for _ in 0..STRIPES {
            stripes.push(zeros()?);
        }
        Ok(Self {
            n,
            dims,
            soa: zeros()?,
            stripes,
            level: SimdLevel::detect(),
            passes: 0,
        })
    }
}

/// Rows of stripe `s`: from every period of 2 * STRIPES rows, rows s and
/// 2 * STRIPES - 1 - s, so every stripe gets about the same number of pairs
/// (row i has n - 1 - i of them).
pub(crate) fn stripe_rows(n: usize, s: usize) -> impl DoubleEndedIterator<Item = usize> {
    (0..n)
        .step_by(2 * STRIPES)
        .flat_map(move |base| [base + s, base + 2 * STRIPES - 1 - s])
        .filter(move |&i| i < n)
}

/// Fixed-order sum of the lanes.
#[inline(always)]
pub(crate) fn lane_sum(v: [f64; LANES]) -> f64 {
    ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]))
}

/// Dissimilarities are streamed from memory (n = 2,000: 16 MB of upper
/// triangle per pass); the hardware prefetcher restarts at every 4 KiB page,
/// so the loop asks for the line this many doubles ahead itself.
const PREFETCH_AHEAD: usize = 256;

#[inline(always)]
fn prefetch(p: *const f64) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint; it never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Accumulates stripe `s` for small `D` (1..=4): `acc` (coordinate-major,
/// zeroed here) receives sum_j ratio_ij (x_i - x_j) for every row; returns the
/// stripe's (stress, sum of squared distances) over its pairs.
#[inline(always)]
fn stripe_small<const D: usize, const WEIGHTED: bool>(
    diss: &[f64],
    w: &[f64],
    n: usize,
    soa: &[f64],
    s: usize,
    acc: &mut [f64],
    reverse: bool,
) -> (f64, f64) {
    assert!(diss.len() == n * n && soa.len() == D * n && acc.len() == D * n);
    assert!(!WEIGHTED || w.len() == n * n);
    acc.fill(0.0);
    let rows = stripe_rows(n, s);
    let lanes = if reverse {
        sweep::<D, WEIGHTED>(diss, w, n, soa, acc, rows.rev())
    } else {
        sweep::<D, WEIGHTED>(diss, w, n, soa, acc, rows)
    };
    (lane_sum(lanes.0), lane_sum(lanes.1))
}

/// Runs the rows in the given order; returns the (stress, squares) lanes.
#[inline(always)]
fn sweep<const D: usize, const WEIGHTED: bool>(
    diss: &[f64],
    w: &[f64],
    n: usize,
    soa: &[f64],
    acc: &mut [f64],
    rows: impl Iterator<Item = usize>,
) -> ([f64; LANES], [f64; LANES]) {
    let mut lane_stress = [0.0f64; LANES];
    let mut lane_squares = [0.0f64; LANES];
    let mut rows = rows.peekable();
    while let Some(i) = rows.next() {
        // The start of the next row is not covered by the in-row prefetch.
        if let Some(&next) = rows.peek() {
            let start = &diss[next * n + next + 1..(next + 1) * n];
            for p in start.iter().take(PREFETCH_AHEAD).step_by(LANES) {
                prefetch(p);
            }
        }
        segment::<D, WEIGHTED>(
            diss,
            w,
            n,
            soa,
            acc,
            i,
            i + 1..n,
            &mut lane_stress,
            &mut lane_squares,
        );
    }
    (lane_stress, lane_squares)
}

/// Pairs (i, j) for j in `cols` (all > i): adds to row i's and row j's
/// accumulators and to the stripe's lane sums.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn segment<const D: usize, const WEIGHTED: bool>(
    diss: &[f64],
    w: &[f64],
    n: usize,
    soa: &[f64],
    acc: &mut [f64],
    i: usize,
    cols: std::ops::Range<usize>,
    lane_stress: &mut [f64; LANES],
    lane_squares: &mut [f64; LANES],
) {
    let (lo, len) = (cols.start, cols.len());
    debug_assert!(lo > i && cols.end <= n);
    // Every slice below has exactly `len` elements (checked here, once per
    // segment), which the unchecked accesses rely on.
    let delta = &diss[i * n + lo..i * n + cols.end];
    let wrow = if WEIGHTED {
        &w[i * n + lo..i * n + cols.end]
    } else {
        &w[..0]
    };
    let xi: [f64; D] = std::array::from_fn(|k| soa[k * n + i]);
    let xj: [&[f64]; D] = std::array::from_fn(|k| &soa[k * n + lo..k * n + cols.end]);
    let accj: [*mut f64; D] =
        std::array::from_fn(|k| acc[k * n + lo..k * n + cols.end].as_mut_ptr());
    let mut lane_acc = [[0.0f64; LANES]; D];
    let full = len - len % LANES;
    let mut b = 0;
    while b < full {
        prefetch(delta.as_ptr().wrapping_add(b + PREFETCH_AHEAD));
        let mut diff = [[0.0f64; LANES]; D];
        let mut q = [0.0f64; LANES];
        for k in 0..D {
            for l in 0..LANES {
                // SAFETY: b + l < full <= len = xj[k].len().
                let t = xi[k] - unsafe { *xj[k].get_unchecked(b + l) };
                diff[k][l] = t;
                q[l] += t * t;
            }
        }
        let mut ratio = [0.0f64; LANES];
        for l in 0..LANES {
            // SAFETY: b + l < len = delta.len().
            let dl = unsafe { *delta.get_unchecked(b + l) };
            let d = q[l].sqrt();
            let e = d - dl;
            if WEIGHTED {
                // SAFETY: b + l < len = wrow.len() (weighted).
                let wl = unsafe { *wrow.get_unchecked(b + l) };
                lane_stress[l] += wl * (e * e);
                lane_squares[l] += wl * q[l];
                ratio[l] = wl * dl / if d == 0.0 { ZERO_DISTANCE } else { d };
            } else {
                lane_stress[l] += e * e;
                lane_squares[l] += q[l];
                ratio[l] = dl / if d == 0.0 { ZERO_DISTANCE } else { d };
            }
        }
        for k in 0..D {
            for l in 0..LANES {
                let c = ratio[l] * diff[k][l];
                lane_acc[k][l] += c;
                // SAFETY: accj[k] points at `len` accumulator elements
                // (columns lo.., coordinate k) that only this stripe writes,
                // and none of them is row i's; b + l < len.
                unsafe { *accj[k].add(b + l) -= c };
            }
        }
        b += LANES;
    }
    for (l, j) in (full..len).enumerate() {
        let mut diff = [0.0f64; D];
        let mut q = 0.0;
        for k in 0..D {
            let t = xi[k] - xj[k][j];
            diff[k] = t;
            q += t * t;
        }
        let dl = delta[j];
        let d = q.sqrt();
        let e = d - dl;
        let ratio = if WEIGHTED {
            let wl = wrow[j];
            lane_stress[l] += wl * (e * e);
            lane_squares[l] += wl * q;
            wl * dl / if d == 0.0 { ZERO_DISTANCE } else { d }
        } else {
            lane_stress[l] += e * e;
            lane_squares[l] += q;
            dl / if d == 0.0 { ZERO_DISTANCE } else { d }
        };
        for k in 0..D {
            let c = ratio * diff[k];
            lane_acc[k][l] += c;
            // SAFETY: j < len, see above.
            unsafe { *accj[k].add(j) -= c };
        }
    }
    for k in 0..D {
        acc[k * n + i] += lane_sum(lane_acc[k]);
    }
}

/// Any `dims`: the same stripes and order, scalar column loop.
fn stripe_general(
    diss: &[f64],
    w: Option<&[f64]>,
    n: usize,
    dims: usize,
    soa: &[f64],
    s: usize,
    acc: &mut [f64],
) -> (f64, f64) {
    acc.fill(0.0);
    let mut stress = 0.0;
    let mut squares = 0.0;
    let mut acc_i = vec![0.0; dims];
    for i in stripe_rows(n, s) {
        acc_i.fill(0.0);
        for j in i + 1..n {
            let mut q = 0.0;
            for k in 0..dims {
                let t = soa[k * n + i] - soa[k * n + j];
                q += t * t;
            }
            let dl = diss[i * n + j];
            let d = q.sqrt();
            let e = d - dl;
            let ratio = match w {
                Some(w) => {
                    let wl = w[i * n + j];
                    stress += wl * (e * e);
                    squares += wl * q;
                    wl * dl / if d == 0.0 { ZERO_DISTANCE } else { d }
                }
                None => {
                    stress += e * e;
                    squares += q;
                    dl / if d == 0.0 { ZERO_DISTANCE } else { d }
                }
            };
            for (k, a) in acc_i.iter_mut().enumerate() {
                let c = ratio * (soa[k * n + i] - soa[k * n + j]);
                *a += c;
                acc[k * n + j] -= c;
            }
        }
        for (k, a) in acc_i.iter().enumerate() {
            acc[k * n + i] += a;
        }
    }
    (stress, squares)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn stripe_avx512<const D: usize, const WEIGHTED: bool>(
    diss: &[f64],
    w: &[f64],
    n: usize,
    soa: &[f64],
    s: usize,
    acc: &mut [f64],
    reverse: bool,
) -> (f64, f64) {
    stripe_small::<D, WEIGHTED>(diss, w, n, soa, s, acc, reverse)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn stripe_avx2<const D: usize, const WEIGHTED: bool>(
    diss: &[f64],
    w: &[f64],
    n: usize,
    soa: &[f64],
    s: usize,
    acc: &mut [f64],
    reverse: bool,
) -> (f64, f64) {
    stripe_small::<D, WEIGHTED>(diss, w, n, soa, s, acc, reverse)
}

#[allow(clippy::too_many_arguments)]
fn stripe_dispatch<const D: usize, const WEIGHTED: bool>(
    level: SimdLevel,
    diss: &[f64],
    w: &[f64],
    n: usize,
    soa: &[f64],
    s: usize,
    acc: &mut [f64],
    reverse: bool,
) -> (f64, f64) {
    match level {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the level was detected on this CPU (`SimdLevel::detect`).
        SimdLevel::Avx512 => unsafe {
            stripe_avx512::<D, WEIGHTED>(diss, w, n, soa, s, acc, reverse)
        },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        SimdLevel::Avx2 => unsafe { stripe_avx2::<D, WEIGHTED>(diss, w, n, soa, s, acc, reverse) },
        _ => stripe_small::<D, WEIGHTED>(diss, w, n, soa, s, acc, reverse),
    }
}

/// One pass: `next` = Guttman transform of `x` (both n x dims row-major);
/// returns (stress, sum of squared distances) of `x` over pairs i < j.
/// With `weights` (n x n, upper triangle read) every term is weighted and
/// `next` is B(X) X itself (the caller solves with V); without, it is
/// B(X) X / n.
pub(crate) fn pass(
    diss: &Dissimilarities<'_>,
    x: &[f64],
    next: &mut [f64],
    ws: &mut Workspace,
    weights: Option<&[f64]>,
) -> (f64, f64) {
    let (n, dims) = (ws.n, ws.dims);
    debug_assert!(diss.n == n && x.len() == n * dims && next.len() == n * dims);
    for (j, row) in x.chunks_exact(dims).enumerate() {
        for (k, v) in row.iter().enumerate() {
            ws.soa[k * n + j] = *v;
        }
    }
    let (data, soa, level) = (diss.data, &ws.soa[..], ws.level);
    // Every other pass sweeps the rows backwards, so it starts with the
    // dissimilarities the previous pass read last (still in cache).
    let reverse = ws.passes % 2 == 1;
    ws.passes += 1;
    let stats: Vec<(f64, f64)> = ws
        .stripes
        .par_iter_mut()
        .enumerate()
        .map(|(s, acc)| match (dims, weights) {
            (1, None) => stripe_dispatch::<1, false>(level, data, &[], n, soa, s, acc, reverse),
            (2, None) => stripe_dispatch::<2, false>(level, data, &[], n, soa, s, acc, reverse),
            (3, None) => stripe_dispatch::<3, false>(level, data, &[], n, soa, s, acc, reverse),
            (4, None) => stripe_dispatch::<4, false>(level, data, &[], n, soa, s, acc, reverse),
            (1, Some(w)) => stripe_dispatch::<1, true>(level, data, w, n, soa, s, acc, reverse),
            (2, Some(w)) => stripe_dispatch::<2, true>(level, data, w, n, soa, s, acc, reverse),
            (3, Some(w)) => stripe_dispatch::<3, true>(level, data, w, n, soa, s, acc, reverse),
            (4, Some(w)) => stripe_dispatch::<4, true>(level, data, w, n, soa, s, acc, reverse),
            _ => stripe_general(data, weights, n, dims, soa, s, acc),
        })
        .collect();
    let inv_n = if weights.is_some() {
        1.0
    } else {
        1.0 / n as f64
    };
    for (j, out) in next.chunks_exact_mut(dims).enumerate() {
        for (k, o) in out.iter_mut().enumerate() {
            let total = ws.stripes.iter().fold(0.0, |t, acc| t + acc[k * n + j]);
            *o = total * inv_n;
        }
    }
    // Fixed combine order (stripe order) whatever the pool size.
    let (stress, squares) = stats
        .iter()
        .fold((0.0, 0.0), |(s, q), r| (s + r.0, q + r.1));
    (stress, squares)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The per-row, full-matrix definition (the previous implementation).
    fn pass_oracle(d: &[f64], n: usize, x: &[f64], dims: usize) -> (Vec<f64>, f64, f64) {
        let mut next = vec![0.0; n * dims];
        let (mut stress, mut squares) = (0.0, 0.0);
        for i in 0..n {
            for j in 0..n {
                if i == j {
                    continue;
                }
                let q: f64 = (0..dims)
                    .map(|k| (x[i * dims + k] - x[j * dims + k]).powi(2))
                    .sum();
                let dist = q.sqrt();
                stress += (dist - d[i * n + j]).powi(2);
                squares += q;
                let ratio = d[i * n + j] / if dist == 0.0 { ZERO_DISTANCE } else { dist };
                for k in 0..dims {
                    next[i * dims + k] += ratio * (x[i * dims + k] - x[j * dims + k]) / n as f64;
                }
            }
        }
        (next, stress / 2.0, squares / 2.0)
    }

    #[test]
    fn matches_the_definition_at_every_simd_level() {
        let mut rng = crate::random::Mulberry32::new(17);
        for (n, dims) in [(2, 1), (37, 2), (100, 3), (45, 4), (29, 6)] {
            let pts: Vec<f64> = (0..n * 3).map(|_| rng.next_f64()).collect();
            let mut d = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..n {
                    let q: f64 = (0..3)
                        .map(|k| (pts[i * 3 + k] - pts[j * 3 + k]).powi(2))
                        .sum();
                    d[i * n + j] = q.sqrt();
                }
            }
            let mut x: Vec<f64> = (0..n * dims).map(|_| rng.next_f64()).collect();
            x.copy_within(..dims, dims); // a zero distance
            let diss = Dissimilarities::new(&d, n).unwrap();
            let (want, want_stress, want_squares) = pass_oracle(&d, n, &x, dims);
            let mut first: Option<(Vec<f64>, f64, f64)> = None;
            let mut levels = vec![SimdLevel::Portable];
            let detected = SimdLevel::detect();
            if detected == SimdLevel::Avx512 {
                levels.push(SimdLevel::Avx2);
            }
            levels.push(detected);
            for level in levels {
                let mut ws = Workspace::new(n, dims).unwrap();
                ws.level = level;
                let mut next = vec![0.0; n * dims];
                // The second pass sweeps backwards: same sums, other order.
                let forward = pass(&diss, &x, &mut next, &mut ws, None);
                let mut backward = vec![0.0; n * dims];
                let (stress, squares) = pass(&diss, &x, &mut backward, &mut ws, None);
                for (a, b) in next.iter().zip(&backward) {
                    assert!((a - b).abs() <= 1e-13 * b.abs().max(1.0), "{a} vs {b}");
                }
                assert!((forward.0 - stress).abs() <= 1e-13 * stress.max(1.0));
                for (a, b) in next.iter().zip(&want) {
                    assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
                }
                assert!((stress - want_stress).abs() <= 1e-12 * want_stress.max(1.0));
                assert!((squares - want_squares).abs() <= 1e-12 * want_squares);
                // The exact-root levels agree to the bit; AVX-512 uses
                // rsqrt14 + Newton (checked against the definition above).
                match &first {
                    None => first = Some((next, stress, squares)),
                    Some(f) => assert_eq!(f, &(next, stress, squares), "{level:?}"),
                }
            }
        }
    }

    #[test]
    fn weighted_terms_agree_at_every_simd_level() {
        let mut rng = crate::random::Mulberry32::new(23);
        for (n, dims) in [(3, 1), (41, 2), (70, 3), (33, 4), (20, 5)] {
            let mut d = vec![0.0; n * n];
            let mut w = vec![0.0; n * n];
            for i in 0..n {
                for j in i + 1..n {
                    let (a, b) = (
                        rng.next_f64(),
                        if rng.next_f64() < 0.3 {
                            0.0
                        } else {
                            rng.next_f64()
                        },
                    );
                    d[i * n + j] = a;
                    d[j * n + i] = a;
                    w[i * n + j] = b;
                    w[j * n + i] = b;
                }
            }
            let x: Vec<f64> = (0..n * dims).map(|_| rng.next_f64()).collect();
            let diss = Dissimilarities::new(&d, n).unwrap();
            // The definition: sum over pairs of the weighted terms.
            let (mut want, mut want_stress) = (vec![0.0; n * dims], 0.0);
            for i in 0..n {
                for j in 0..n {
                    if i == j {
                        continue;
                    }
                    let q: f64 = (0..dims)
                        .map(|k| (x[i * dims + k] - x[j * dims + k]).powi(2))
                        .sum();
                    let dist = q.sqrt();
                    if i < j {
                        want_stress += w[i * n + j] * (dist - d[i * n + j]).powi(2);
                    }
                    let ratio = w[i * n + j] * d[i * n + j] / dist;
                    for k in 0..dims {
                        want[i * dims + k] += ratio * (x[i * dims + k] - x[j * dims + k]);
                    }
                }
            }
            let mut first: Option<(Vec<f64>, (f64, f64))> = None;
            for level in [SimdLevel::Portable, SimdLevel::Avx2, SimdLevel::detect()] {
                if level == SimdLevel::Avx2 && SimdLevel::detect() == SimdLevel::Portable {
                    continue;
                }
                let mut ws = Workspace::new(n, dims).unwrap();
                ws.level = level;
                let mut next = vec![0.0; n * dims];
                let stats = pass(&diss, &x, &mut next, &mut ws, Some(&w));
                for (a, b) in next.iter().zip(&want) {
                    assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
                }
                assert!((stats.0 - want_stress).abs() <= 1e-12 * want_stress.max(1.0));
                match &first {
                    None => first = Some((next, stats)),
                    Some(f) => assert_eq!(f, &(next, stats), "{level:?}"),
                }
            }
        }
    }
}
