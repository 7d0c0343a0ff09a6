//! The two-image difference: CIE94 ΔE per pixel, then normalised.

use rayon::prelude::*;

use fastkernels_common::alloc::filled;
use fastkernels_common::limits::output_elements;
use fastkernels_common::reduce::CHUNK;

use crate::cie94::cie94;
use crate::error::ColorError;
use crate::lab::rgb_to_lab;
use crate::normalize::{normalize, Normalization};
use crate::pixels::RgbImage;

/// Largest `width` or `height` (the binding receives them as `u32`).
pub const MAX_DIMENSION: usize = u32::MAX as usize;

/// Checked shape of a difference call: both images hold `3 * pixels` values.
#[derive(Debug, Clone, Copy)]
pub struct ImagePair {
    pixels: usize,
}

impl ImagePair {
    /// Checks in the TS layer's order: width, height (each 1..=MAX_DIMENSION),
    /// width x height within `MAX_OUTPUT_ELEMENTS` (O(1), before anything is
    /// allocated), then each image's length and values.
    pub fn new<A: RgbImage, B: RgbImage>(
        first: &A,
        second: &B,
        width: usize,
        height: usize,
    ) -> Result<Self, ColorError> {
        for (name, value) in [("width", width), ("height", height)] {
            if value == 0 || value > MAX_DIMENSION {
                return Err(ColorError::Dimension { name, value });
            }
        }
        let pixels = output_elements("width", width, "height", height, "pixels")?;
        let expected = pixels
            .checked_mul(3)
            .ok_or(ColorError::DimensionsTooLarge { width, height })?;
        check_image("rgbA", first, expected)?;
        check_image("rgbB", second, expected)?;
        Ok(ImagePair { pixels })
    }

    /// Number of pixels, the length of the output.
    pub fn pixels(&self) -> usize {
        self.pixels
    }
}

fn check_image<I: RgbImage>(
    name: &'static str,
    image: &I,
    expected: usize,
) -> Result<(), ColorError> {
    let actual = image.channel_values();
    if actual != expected {
        return Err(ColorError::LengthMismatch {
            name,
            expected,
            actual,
        });
    }
    match image.first_out_of_range() {
        Some((index, value)) => Err(ColorError::OutOfRange { name, index, value }),
        None => Ok(()),
    }
}

/// ΔE94 of every pixel of `first` against `second` (S_C, S_H from `first`),
/// rescaled by `normalization`. Runs on the current rayon pool; every pixel
/// is independent, so the result is the same for every pool size.
pub fn cie94_difference<A: RgbImage, B: RgbImage>(
    first: A,
    second: B,
    width: usize,
    height: usize,
    normalization: Normalization,
) -> Result<Vec<f64>, ColorError> {
    let shape = ImagePair::new(&first, &second, width, height)?;
    let mut out = filled(shape.pixels, 0.0, "the colour difference")?;
    difference_of(&first, &second, normalization, &mut out);
    Ok(out)
}

/// [`cie94_difference`] into the caller's buffer of `width * height` values.
pub fn cie94_difference_into<A: RgbImage, B: RgbImage>(
    first: A,
    second: B,
    width: usize,
    height: usize,
    normalization: Normalization,
    out: &mut [f64],
) -> Result<(), ColorError> {
    let shape = ImagePair::new(&first, &second, width, height)?;
    if out.len() != shape.pixels {
        return Err(ColorError::OutputLength {
            expected: shape.pixels,
            actual: out.len(),
        });
    }
    difference_of(&first, &second, normalization, out);
    Ok(())
}

/// The one compute path (shape checked, `out` of one value per pixel).
fn difference_of<A: RgbImage, B: RgbImage>(
    first: &A,
    second: &B,
    normalization: Normalization,
    out: &mut [f64],
) {
    out.par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(chunk, part)| {
            let start = chunk * CHUNK;
            for (offset, slot) in part.iter_mut().enumerate() {
                let i = start + offset;
                *slot = cie94(rgb_to_lab(first.rgb(i)), rgb_to_lab(second.rgb(i)));
            }
        });
    normalize(out, normalization);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    fn seeded_bytes(len: usize, mut state: u64) -> Vec<u8> {
        (0..len)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 56) as u8
            })
            .collect()
    }

    #[test]
    fn identical_images_give_zeros_in_every_mode() {
        let a = seeded_bytes(3 * 12, 1);
        for mode in [
            Normalization::Original,
            Normalization::MinMax,
            Normalization::None,
        ] {
            let d = cie94_difference(a.as_slice(), a.as_slice(), 4, 3, mode).unwrap();
            assert_eq!(d, vec![0.0; 12]);
        }
    }

    #[test]
    fn bytes_read_as_value_over_255() {
        let a = seeded_bytes(3 * 50, 2);
        let b = seeded_bytes(3 * 50, 3);
        let af: Vec<f64> = a.iter().map(|&v| f64::from(v) / 255.0).collect();
        let bf: Vec<f64> = b.iter().map(|&v| f64::from(v) / 255.0).collect();
        let from_bytes =
            cie94_difference(a.as_slice(), b.as_slice(), 10, 5, Normalization::None).unwrap();
        let from_floats =
            cie94_difference(af.as_slice(), bf.as_slice(), 10, 5, Normalization::None).unwrap();
        assert_eq!(from_bytes, from_floats);
    }

    #[test]
    fn identical_bits_for_every_thread_count() {
        let (w, h) = (301, 257);
        let a = seeded_bytes(3 * w * h, 4);
        let b = seeded_bytes(3 * w * h, 5);
        let one = pool(1).install(|| {
            cie94_difference(a.as_slice(), b.as_slice(), w, h, Normalization::Original).unwrap()
        });
        for threads in [2, 3, 4] {
            let many = pool(threads).install(|| {
                cie94_difference(a.as_slice(), b.as_slice(), w, h, Normalization::Original).unwrap()
            });
            assert!(
                one.iter()
                    .zip(&many)
                    .all(|(x, y)| x.to_bits() == y.to_bits()),
                "threads = {threads}"
            );
        }
    }

    #[test]
    fn wrong_lengths_are_errors() {
        let a = vec![0u8; 3 * 6];
        let b = vec![0u8; 3 * 6 - 1];
        let err =
            cie94_difference(a.as_slice(), b.as_slice(), 3, 2, Normalization::None).unwrap_err();
        assert_eq!(
            err,
            ColorError::LengthMismatch {
                name: "rgbB",
                expected: 18,
                actual: 17
            }
        );
        let err = cie94_difference(
            a.as_slice(),
            a.as_slice(),
            usize::MAX,
            2,
            Normalization::None,
        )
        .unwrap_err();
        assert!(matches!(err, ColorError::Dimension { name: "width", .. }));
    }

    #[test]
    fn limits_and_values_are_checked_in_the_ts_order_with_its_messages() {
        let a = vec![0.5f64; 3 * 4];
        let msg = |w: usize, h: usize, a: &[f64], b: &[f64]| {
            cie94_difference(a, b, w, h, Normalization::None)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            msg(0, 2, &a, &a),
            "width must be an integer from 1 to 4294967295, got 0"
        );
        assert_eq!(
            msg(2, 1 << 33, &a, &a),
            "height must be an integer from 1 to 4294967295, got 8589934592"
        );
        assert_eq!(
            msg(1 << 20, 1 << 20, &a, &a),
            "width \u{d7} height = 1048576 \u{d7} 1048576 = 1099511627776 pixels would exceed the largest typed array (4294967296 elements, MAX_OUTPUT_ELEMENTS); process the data in smaller parts"
        );
        let mut bad = a.clone();
        bad[5] = f64::NAN;
        assert_eq!(
            msg(2, 2, &a, &bad),
            "rgbB[5] must be a finite number from 0 to 1, got NaN"
        );
        bad[5] = 1.5;
        assert_eq!(
            msg(2, 2, &bad, &a),
            "rgbA[5] must be a finite number from 0 to 1, got 1.5"
        );
        assert_eq!(
            msg(2, 2, &a[1..], &bad),
            "rgbA must have length 12 (3 interleaved RGB values per pixel of width x height), got length 11"
        );
    }

    #[test]
    fn into_equals_the_vec_variant_bit_for_bit() {
        let (w, h) = (97, 61);
        let a = seeded_bytes(3 * w * h, 8);
        let b = seeded_bytes(3 * w * h, 9);
        for mode in [
            Normalization::Original,
            Normalization::MinMax,
            Normalization::None,
        ] {
            let v = cie94_difference(a.as_slice(), b.as_slice(), w, h, mode).unwrap();
            let mut out = vec![f64::NAN; w * h];
            cie94_difference_into(a.as_slice(), b.as_slice(), w, h, mode, &mut out).unwrap();
            assert!(v.iter().zip(&out).all(|(x, y)| x.to_bits() == y.to_bits()));
        }
        let mut short = vec![0.0; w * h - 1];
        assert_eq!(
            cie94_difference_into(
                a.as_slice(),
                b.as_slice(),
                w,
                h,
                Normalization::None,
                &mut short
            )
            .unwrap_err()
            .to_string(),
            format!(
                "out must have length {} (one value per pixel of width x height), got length {}",
                w * h,
                w * h - 1
            )
        );
    }
}
