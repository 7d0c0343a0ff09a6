//! The per-block arithmetic shared by every kernel: `LANES` samples at a
//! time on fixed-size arrays, so LLVM keeps each step in vector registers.

use crate::fastexp::exp_nonpositive;
use crate::mixture::{log_density, Mixture};

pub const LANES: usize = 8;
pub type Lane = [f64; LANES];

/// Writes `P[x, k]` for every component into `p[k]` and returns `Pmax`.
/// The running max starts at `-inf` (not at the smallest positive double, the
/// bug of the original C++ port), so far-away samples keep finite values.
#[inline(always)]
pub fn log_densities(mix: &Mixture, x: &Lane, p: &mut [Lane]) -> Lane {
    let mut pmax = [f64::NEG_INFINITY; LANES];
    for (k, pk) in p.iter_mut().enumerate() {
        let (log_norm, mean, inv) = (mix.log_norm(k), mix.mean(k), mix.inv_stdev(k));
        for l in 0..LANES {
            let v = log_density(log_norm, mean, inv, x[l]);
            pk[l] = v;
            pmax[l] = if v > pmax[l] { v } else { pmax[l] };
        }
    }
    pmax
}

/// Replaces every `p[k]` by `exp(p[k] - pmax)` and returns their sum, `expsum`.
#[inline(always)]
pub fn shifted_exps<const FMA: bool>(p: &mut [Lane], pmax: &Lane) -> Lane {
    let mut sum = [0.0; LANES];
    for pk in p.iter_mut() {
        for l in 0..LANES {
            let e = exp_nonpositive::<FMA>(pk[l] - pmax[l]);
            pk[l] = e;
            sum[l] += e;
        }
    }
    sum
}

/// Running `sum ln(expsum)` without a logarithm per sample: the product of
/// the `expsum` values (each in `[1, K]`) is kept as a mantissa in `[1, 2)`
/// and an integer exponent; `ln` is taken once per lane at the end.
#[derive(Clone, Copy)]
pub struct LogProduct {
    mantissa: Lane,
    exponent: Lane,
}

const MANTISSA_BITS: u64 = 0x000F_FFFF_FFFF_FFFF;
const ONE_BITS: u64 = 0x3FF0_0000_0000_0000;
// 2^52 as a double: OR-ing a small integer into its mantissa and subtracting gives the integer.
const TWO52_BITS: u64 = 0x4330_0000_0000_0000;
const TWO52: f64 = 4_503_599_627_370_496.0;

impl LogProduct {
    pub fn new() -> Self {
        Self {
            mantissa: [1.0; LANES],
            exponent: [0.0; LANES],
        }
    }

    #[inline(always)]
    pub fn push(&mut self, factor: &Lane) {
        for l in 0..LANES {
            let bits = (self.mantissa[l] * factor[l]).to_bits();
            // Positive, normal: the biased exponent is bits >> 52.
            let biased = f64::from_bits(TWO52_BITS | (bits >> 52)) - TWO52;
            self.exponent[l] += biased - 1023.0;
            self.mantissa[l] = f64::from_bits((bits & MANTISSA_BITS) | ONE_BITS);
        }
    }

    /// `sum over lanes of ln(product)`, in lane order.
    pub fn ln_sum(&self) -> f64 {
        let mut total = 0.0;
        for l in 0..LANES {
            total += self.mantissa[l].ln() + self.exponent[l] * std::f64::consts::LN_2;
        }
        total
    }
}

impl Default for LogProduct {
    fn default() -> Self {
        Self::new()
    }
}

/// Loads up to `LANES` samples; missing lanes repeat the first sample so that
/// every lane computes something finite (callers mask them out).
#[inline(always)]
pub fn load_partial(x: &[f64]) -> Lane {
    let mut lane = [x[0]; LANES];
    lane[..x.len()].copy_from_slice(x);
    lane
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_product_matches_sum_of_logs() {
        let mut prod = LogProduct::new();
        let mut direct = 0.0;
        for i in 0..10_000 {
            let f: Lane = std::array::from_fn(|l| 1.0 + ((i * LANES + l) % 97) as f64 / 13.0);
            prod.push(&f);
            direct += f.iter().map(|v| v.ln()).sum::<f64>();
        }
        let got = prod.ln_sum();
        assert!(((got - direct) / direct).abs() < 1e-13, "{got} vs {direct}");
    }
}
