//! One fused pass over the samples: E-step responsibilities, the M-step's
//! sufficient statistics and the log-likelihood, without storing N x K.
//!
//! Statistics are taken about a shift `c_k` (the component's current mean):
//! `S0 = sum r`, `S1 = sum r (x - c)`, `S2 = sum r (x - c)^2`, so that the new
//! variance `S2/S0 - (S1/S0)^2` does not suffer the cancellation of raw moments.

use fastkernels_common::reduce::{chunked_fold, CHUNK};

use crate::lanes::{load_partial, log_densities, shifted_exps, Lane, LogProduct, LANES};
use crate::mixture::Mixture;
use fastkernels_common::multiversion;

/// Sufficient statistics of one pass, and the log-likelihood of the mixture
/// the pass evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct PassStats {
    pub s0: Vec<f64>,
    pub s1: Vec<f64>,
    pub s2: Vec<f64>,
    pub log_likelihood: f64,
}

impl PassStats {
    pub fn zero(k: usize) -> Self {
        Self {
            s0: vec![0.0; k],
            s1: vec![0.0; k],
            s2: vec![0.0; k],
            log_likelihood: 0.0,
        }
    }

    fn add(mut self, other: Self) -> Self {
        for k in 0..self.s0.len() {
            self.s0[k] += other.s0[k];
            self.s1[k] += other.s1[k];
            self.s2[k] += other.s2[k];
        }
        self.log_likelihood += other.log_likelihood;
        self
    }
}

/// The fused pass over all samples, deterministic for every thread count
/// (fixed chunks, combined in order). `with_stats = false` only computes the
/// log-likelihood.
pub fn fused_pass(mix: &Mixture, x: &[f64], with_stats: bool) -> PassStats {
    let k = mix.components();
    chunked_fold(
        x,
        CHUNK,
        |_, part| chunk_pass(mix, part, with_stats),
        PassStats::zero(k),
        PassStats::add,
    )
}

multiversion! {
    /// The fused pass over one chunk, sequential.
    pub fn chunk_pass = chunk_pass_impl(mix: &Mixture, x: &[f64], with_stats: bool) -> PassStats
}

/// Small K (the common case) gets stack arrays of known length, so that LLVM
/// keeps every per-component accumulator in vector registers.
#[inline(always)]
fn chunk_pass_impl<const FMA: bool>(mix: &Mixture, x: &[f64], with_stats: bool) -> PassStats {
    match mix.components() {
        1 => chunk_pass_with::<FMA, Aligned<1>>(mix, x, with_stats),
        2 => chunk_pass_with::<FMA, Aligned<2>>(mix, x, with_stats),
        3 => chunk_pass_with::<FMA, Aligned<3>>(mix, x, with_stats),
        4 => chunk_pass_with::<FMA, Aligned<4>>(mix, x, with_stats),
        5 => chunk_pass_with::<FMA, Aligned<5>>(mix, x, with_stats),
        6 => chunk_pass_with::<FMA, Aligned<6>>(mix, x, with_stats),
        _ => chunk_pass_with::<FMA, Vec<Lane>>(mix, x, with_stats),
    }
}

/// Per-component lane storage: a fixed-size array or a `Vec`.
trait Lanes: AsRef<[Lane]> + AsMut<[Lane]> {
    fn zeroed(k: usize) -> Self;
}

/// K lanes starting on a cache line. Unaligned 64-byte vectors split across
/// two lines, and the per-block store/reload of the accumulators then misses
/// store-to-load forwarding: measured 1.6x slower when the stack happened to
/// be misaligned.
#[repr(C, align(64))]
struct Aligned<const K: usize>([Lane; K]);

impl<const K: usize> AsRef<[Lane]> for Aligned<K> {
    #[inline(always)]
    fn as_ref(&self) -> &[Lane] {
        &self.0
    }
}

impl<const K: usize> AsMut<[Lane]> for Aligned<K> {
    #[inline(always)]
    fn as_mut(&mut self) -> &mut [Lane] {
        &mut self.0
    }
}

impl<const K: usize> Lanes for Aligned<K> {
    #[inline(always)]
    fn zeroed(_k: usize) -> Self {
        Aligned([[0.0; LANES]; K])
    }
}

impl Lanes for Vec<Lane> {
    fn zeroed(k: usize) -> Self {
        vec![[0.0; LANES]; k]
    }
}

#[inline(always)]
fn chunk_pass_with<const FMA: bool, S: Lanes>(
    mix: &Mixture,
    x: &[f64],
    with_stats: bool,
) -> PassStats {
    let mut acc = Accumulator::<S>::new(mix.components());
    let blocks = x.chunks_exact(LANES);
    let tail = blocks.remainder();
    if with_stats {
        for block in blocks {
            acc.block::<FMA, true>(mix, &load_partial(block), LANES);
        }
    } else {
        for block in blocks {
            acc.block::<FMA, false>(mix, &load_partial(block), LANES);
        }
    }
    if !tail.is_empty() {
        if with_stats {
            acc.block::<FMA, true>(mix, &load_partial(tail), tail.len());
        } else {
            acc.block::<FMA, false>(mix, &load_partial(tail), tail.len());
        }
    }
    acc.finish(with_stats)
}

// Every field is a whole number of 64-byte lanes, so with this alignment
// each one starts on a cache line.
#[repr(C, align(64))]
struct Accumulator<S> {
    p: S,
    s0: S,
    s1: S,
    s2: S,
    pmax_sum: Lane,
    expsum_product: LogProduct,
}

impl<S: Lanes> Accumulator<S> {
    #[inline(always)]
    fn new(k: usize) -> Self {
        Self {
            p: S::zeroed(k),
            s0: S::zeroed(k),
            s1: S::zeroed(k),
            s2: S::zeroed(k),
            pmax_sum: [0.0; LANES],
            expsum_product: LogProduct::new(),
        }
    }

    /// `valid < LANES` only for the last, partial block: the extra lanes are masked out.
    #[inline(always)]
    fn block<const FMA: bool, const STATS: bool>(&mut self, mix: &Mixture, x: &Lane, valid: usize) {
        let p = self.p.as_mut();
        let pmax = log_densities(mix, x, p);
        let mut expsum = shifted_exps::<FMA>(p, &pmax);
        let mut pmax = pmax;
        let full = valid == LANES;
        if !full {
            for l in valid..LANES {
                expsum[l] = 1.0;
                pmax[l] = 0.0;
            }
        }
        for l in 0..LANES {
            self.pmax_sum[l] += pmax[l];
        }
        self.expsum_product.push(&expsum);
        if STATS {
            let mut inv = [0.0; LANES];
            for l in 0..LANES {
                inv[l] = 1.0 / expsum[l];
            }
            if !full {
                for v in inv.iter_mut().skip(valid) {
                    *v = 0.0;
                }
            }
            let (s0, s1, s2) = (self.s0.as_mut(), self.s1.as_mut(), self.s2.as_mut());
            for k in 0..p.len() {
                let mean = mix.mean(k);
                for l in 0..LANES {
                    let r = p[k][l] * inv[l];
                    let d = x[l] - mean;
                    let rd = r * d;
                    s0[k][l] += r;
                    s1[k][l] += rd;
                    s2[k][l] = crate::fastexp::mul_add::<FMA>(rd, d, s2[k][l]);
                }
            }
        }
    }

    fn finish(&self, with_stats: bool) -> PassStats {
        let k = self.p.as_ref().len();
        let mut out = PassStats::zero(k);
        if with_stats {
            for c in 0..k {
                out.s0[c] = lane_sum(&self.s0.as_ref()[c]);
                out.s1[c] = lane_sum(&self.s1.as_ref()[c]);
                out.s2[c] = lane_sum(&self.s2.as_ref()[c]);
            }
        }
        out.log_likelihood = lane_sum(&self.pmax_sum) + self.expsum_product.ln_sum();
        out
    }
}

fn lane_sum(lane: &Lane) -> f64 {
    lane.iter().sum()
}

/// The same statistics over weighted points (histogram bins), sequential and
/// with libm `exp`/`ln`: it runs on at most 256 points.
pub fn weighted_pass(mix: &Mixture, x: &[f64], counts: &[f64]) -> PassStats {
    let k = mix.components();
    let mut out = PassStats::zero(k);
    let mut p = vec![0.0; k];
    for (&xi, &c) in x.iter().zip(counts) {
        let mut pmax = f64::NEG_INFINITY;
        for (j, pj) in p.iter_mut().enumerate() {
            *pj = mix.log_density(j, xi);
            pmax = if *pj > pmax { *pj } else { pmax };
        }
        let mut expsum = 0.0;
        for pj in p.iter_mut() {
            *pj = (*pj - pmax).exp();
            expsum += *pj;
        }
        out.log_likelihood += c * (pmax + expsum.ln());
        for (j, &e) in p.iter().enumerate() {
            let r = c * (e / expsum);
            let d = xi - mix.mean(j);
            out.s0[j] += r;
            out.s1[j] += r * d;
            out.s2[j] += r * d * d;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| ((i as f64) * 0.618_033_988_75).fract())
            .collect()
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * a.abs().max(b.abs())
    }

    #[test]
    fn fma_and_baseline_builds_agree_and_every_k_path_matches_the_scalar_pass() {
        let x = samples(1003); // not a multiple of LANES: exercises the masked tail
        let ones = vec![1.0; x.len()];
        for k in 1..=9 {
            let w: Vec<f64> = (0..k).map(|c| 1.0 + c as f64).collect();
            let m: Vec<f64> = (0..k).map(|c| c as f64 / k as f64).collect();
            let s: Vec<f64> = (0..k).map(|c| 0.05 + 0.01 * c as f64).collect();
            let mix = Mixture::new(&w, &m, &s).unwrap();
            let base = chunk_pass_impl::<false>(&mix, &x, true);
            let fma = chunk_pass_impl::<true>(&mix, &x, true);
            let scalar = weighted_pass(&mix, &x, &ones);
            for c in 0..k {
                for (a, b, what) in [
                    (base.s0[c], scalar.s0[c], "s0"),
                    (fma.s0[c], scalar.s0[c], "s0"),
                    (base.s1[c], scalar.s1[c], "s1"),
                    (fma.s1[c], scalar.s1[c], "s1"),
                    (base.s2[c], scalar.s2[c], "s2"),
                    (fma.s2[c], scalar.s2[c], "s2"),
                ] {
                    assert!(close(a, b, 1e-12), "k = {k}, {what}[{c}]: {a} vs {b}");
                }
            }
            assert!(close(base.log_likelihood, scalar.log_likelihood, 1e-12));
            assert!(close(fma.log_likelihood, scalar.log_likelihood, 1e-12));
            let ll_only = chunk_pass_impl::<false>(&mix, &x, false);
            assert_eq!(
                ll_only.log_likelihood.to_bits(),
                base.log_likelihood.to_bits()
            );
        }
    }
}
