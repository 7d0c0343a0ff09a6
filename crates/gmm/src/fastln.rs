//! A branch-free natural logarithm for positive normal arguments that LLVM
//! vectorises (libm's `ln` is a call per value, which keeps a lane loop
//! scalar).
//!
//! fdlibm's `__ieee754_log` without its branches: `x = 2^k m` with
//! `m` in `[sqrt(1/2), sqrt(2))`, `f = m - 1`, `s = f / (2 + f)`, and
//! `ln(1 + f) = f - s (f - R(s^2))`-style reconstruction with fdlibm's
//! degree-14 minimax polynomial `R` (error below 2^-58.45). fdlibm states
//! an error below 1 ulp; the tests measure at most 1 ulp against libm
//! over `[1, 2^16]` (the `expsum` values of an E-step lie in `[1, K]`) and
//! over the whole normal range, with and without FMA.
//!
//! Zero, negative, subnormal, infinite and NaN arguments are not expected
//! (the callers pass sums that are at least 1); they give unspecified
//! finite or non-finite values, never a panic.

use crate::fastexp::mul_add;

// fdlibm's constants, as its bit patterns.

const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
const LG1: f64 = f64::from_bits(0x3FE5_5555_5555_5593);
const LG2: f64 = f64::from_bits(0x3FD9_9999_9997_FA04);
const LG3: f64 = f64::from_bits(0x3FD2_4924_9422_9359);
const LG4: f64 = f64::from_bits(0x3FCC_71C5_1D8E_78AF);
const LG5: f64 = f64::from_bits(0x3FC7_4664_96CB_03DE);
const LG6: f64 = f64::from_bits(0x3FC3_9A09_D078_C69F);
const LG7: f64 = f64::from_bits(0x3FC2_F112_DF3E_5244);

// 2^52 as a double: OR-ing a small integer into its mantissa and subtracting gives the integer.
const TWO52_BITS: u64 = 0x4330_0000_0000_0000;
const TWO52: f64 = 4_503_599_627_370_496.0;
const MANTISSA: u64 = 0x000F_FFFF_FFFF_FFFF;
// The mantissa bits of sqrt(2) (0x6A09E...): mantissas at or above it are halved.
const SQRT2_MANTISSA: u64 = 0x0006_A09E_667F_3BCD;

/// `ln(x)` for a positive normal finite `x`, within 1 ulp of libm.
#[inline(always)]
pub fn ln_positive<const FMA: bool>(x: f64) -> f64 {
    let bits = x.to_bits();
    let mantissa = bits & MANTISSA;
    // m in [sqrt(1/2), sqrt(2)): exponent 1023 below sqrt(2)'s mantissa, else 1022.
    let high = u64::from(mantissa >= SQRT2_MANTISSA);
    let m = f64::from_bits(mantissa | ((1023 - high) << 52));
    let biased = f64::from_bits(TWO52_BITS | (bits >> 52)) - TWO52;
    let k = biased - 1023.0 + high as f64;
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * mul_add::<FMA>(w, mul_add::<FMA>(w, LG6, LG4), LG2);
    let t2 = z * mul_add::<FMA>(w, mul_add::<FMA>(w, mul_add::<FMA>(w, LG7, LG5), LG3), LG1);
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    mul_add::<FMA>(
        k,
        LN2_HI,
        -((hfsq - mul_add::<FMA>(s, hfsq + r, k * LN2_LO)) - f),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    fn max_ulps<const FMA: bool>(range: impl Fn(f64) -> f64) -> u64 {
        let mut worst = 0;
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..2_000_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            let x = range(u);
            worst = worst.max(ulps(ln_positive::<FMA>(x), x.ln()));
        }
        worst
    }

    /// `[1, 2^16]`, dense near 1 (a row's `expsum` is 1 plus small terms).
    fn expsums(u: f64) -> f64 {
        if u < 0.5 {
            1.0 + 4.0 * u * u
        } else {
            (2.0 * (u - 0.5) * 16.0 * std::f64::consts::LN_2).exp()
        }
    }

    /// Every binade of the normal range.
    fn normals(u: f64) -> f64 {
        (1.0 + u) * 2f64.powi(((u * 2044.0 * 7.0) % 2044.0) as i32 - 1021)
    }

    #[test]
    fn within_one_ulp_of_libm() {
        for (name, worst) in [
            ("expsums, no FMA", max_ulps::<false>(expsums)),
            ("expsums, FMA", max_ulps::<true>(expsums)),
            ("normals, no FMA", max_ulps::<false>(normals)),
            ("normals, FMA", max_ulps::<true>(normals)),
        ] {
            assert!(worst <= 1, "{name}: max error {worst} ulp");
        }
    }

    #[test]
    fn edges() {
        for x in [
            1.0,
            2.0,
            0.5,
            std::f64::consts::SQRT_2,
            f64::MIN_POSITIVE,
            f64::MAX,
            65536.0,
        ] {
            assert!(ulps(ln_positive::<false>(x), x.ln()) <= 1, "{x}");
            assert!(ulps(ln_positive::<true>(x), x.ln()) <= 1, "{x}");
        }
        assert_eq!(ln_positive::<false>(1.0), 0.0);
        assert_eq!(ln_positive::<true>(1.0), 0.0);
    }
}
