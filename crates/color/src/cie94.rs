//! The CIE94 colour difference as the original writes it (graphic-arts
//! constants K1 = 0.045, K2 = 0.015, kL = kC = kH = 1, S_C and S_H from the
//! first image's chroma), with ΔH² obtained as ΔE76² − ΔL² − ΔC².

use crate::lab::Lab;

const K_L: f64 = 1.0;
const K_C: f64 = 1.0;
const K_H: f64 = 1.0;
const K_1: f64 = 0.045;
const K_2: f64 = 0.015;
const S_L: f64 = 1.0;

pub fn cie94(first: Lab, second: Lab) -> f64 {
    let delta_l = first.l - second.l;
    let c1 = (first.a * first.a + first.b * first.b).sqrt();
    let c2 = (second.a * second.a + second.b * second.b).sqrt();
    let delta_c = c1 - c2;
    // The original's CIE76 distance subtracts the other way round; squares
    // make the sign irrelevant but the order is kept for identical rounding.
    let (dl, da, db) = (second.l - first.l, second.a - first.a, second.b - first.b);
    let delta_e = (dl * dl + da * da + db * db).sqrt();
    let delta_h_squared = delta_e * delta_e - delta_l * delta_l - delta_c * delta_c;
    let s_c = 1.0 + K_1 * c1;
    let s_h = 1.0 + K_2 * c1;
    let l_term = delta_l / (K_L * S_L);
    let c_term = delta_c / (K_C * s_c);
    let h_scale = K_H * s_h;
    let sum = l_term * l_term + c_term * c_term + delta_h_squared / (h_scale * h_scale);
    // ΔH² is a difference of nearly equal squares for hue-free changes and can
    // round below zero; the original would then return NaN for the pixel.
    sum.max(0.0).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_colours_differ_by_zero() {
        let c = Lab {
            l: 50.0,
            a: 20.0,
            b: -30.0,
        };
        assert_eq!(cie94(c, c), 0.0);
    }

    #[test]
    fn a_pure_lightness_change_is_its_size() {
        let a = Lab {
            l: 50.0,
            a: 20.0,
            b: -30.0,
        };
        let b = Lab { l: 47.5, ..a };
        assert!((cie94(a, b) - 2.5).abs() < 1e-12);
    }

    #[test]
    fn textbook_value() {
        // ΔL = 0, C1 = 10, C2 = 12 along one hue: ΔC / S_C = -2 / 1.45.
        let a = Lab {
            l: 50.0,
            a: 10.0,
            b: 0.0,
        };
        let b = Lab {
            l: 50.0,
            a: 12.0,
            b: 0.0,
        };
        assert!((cie94(a, b) - 2.0 / 1.45).abs() < 1e-12);
    }
}
