//! RGB -> XYZ -> Lab exactly as the original program (alexhagiopol/gmm,
//! image_processing.py) computes it, quirks included, so that its two-image
//! mode gives the same numbers here:
//!
//! - The original reads images with OpenCV, i.e. in B, G, R order, and feeds
//!   that array to its "linear RGB" conversion. Callers here pass ordinary
//!   R, G, B, so the kernel reads the channels back to front.
//! - It multiplies pixel *row* vectors by the sRGB/D65 matrix, which applies
//!   the transpose of the textbook matrix: `xyz[j] = sum_c pixel[c] * M[c][j]`.
//! - Channels are in [0, 1] while the white point is on the 0..100 scale, so
//!   most ratios fall on the linear branch of the Lab function.
//! - `t^(1/3)` is `pow(t, 1/3)` (numpy's `np.power`), not `cbrt`.

/// Rows of the original's matrix (`np.matmul(pixels, M)`).
const M: [[f64; 3]; 3] = [
    [0.412453, 0.357580, 0.180423],
    [0.212671, 0.715160, 0.072169],
    [0.019334, 0.119193, 0.950227],
];

/// Illuminant D65 reference white, as in the original.
const X_N: f64 = 95.047;
const Y_N: f64 = 100.000;
const Z_N: f64 = 108.883;
const THRESHOLD: f64 = 0.008856;

/// A pixel as the original sees it: channel 0 is what OpenCV calls blue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lab {
    pub l: f64,
    pub a: f64,
    pub b: f64,
}

/// Converts one pixel given as ordinary `[r, g, b]` in [0, 1].
pub fn rgb_to_lab(rgb: [f64; 3]) -> Lab {
    // The original's channel 0 is blue (OpenCV order).
    let c = [rgb[2], rgb[1], rgb[0]];
    let xyz = |j: usize| c[0] * M[0][j] + c[1] * M[1][j] + c[2] * M[2][j];
    let (x, y, z) = (xyz(0), xyz(1), xyz(2));

    let yr = y / Y_N;
    let l = if yr > THRESHOLD {
        116.0 * yr.powf(1.0 / 3.0) - 16.0
    } else {
        903.3 * yr
    };
    let fx = f(x / X_N);
    let fy = f(yr);
    let fz = f(z / Z_N);
    Lab {
        l,
        a: 500.0 * (fx - fy),
        b: 200.0 * (fy - fz),
    }
}

fn f(t: f64) -> f64 {
    if t > THRESHOLD {
        t.powf(1.0 / 3.0)
    } else {
        7.787 * t + 16.0 / 116.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn black_is_the_linear_branch_offset() {
        let lab = rgb_to_lab([0.0, 0.0, 0.0]);
        assert_eq!(
            lab,
            Lab {
                l: 0.0,
                a: 0.0,
                b: 0.0
            }
        );
    }

    #[test]
    fn channels_are_read_back_to_front() {
        // Pure blue in RGB is channel 0 of the original's BGR array, whose
        // weight in X is M[0][0].
        let blue = rgb_to_lab([0.0, 0.0, 1.0]);
        let x = 0.412453 / X_N;
        let y = 0.357580 / Y_N;
        assert_eq!(blue.l, 903.3 * y);
        assert_eq!(
            blue.a,
            500.0 * ((7.787 * x + 16.0 / 116.0) - (7.787 * y + 16.0 / 116.0))
        );
    }
}
