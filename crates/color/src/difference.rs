//! The two-image difference: CIE94 ΔE per pixel, then normalised.

use rayon::prelude::*;

use fastkernels_common::reduce::CHUNK;

use crate::cie94::cie94;
use crate::error::ColorError;
use crate::lab::rgb_to_lab;
use crate::normalize::{normalize, Normalization};
use crate::pixels::RgbImage;

/// Checked shape of a difference call: both images hold `3 * pixels` values.
#[derive(Debug, Clone, Copy)]
pub struct ImagePair {
    pixels: usize,
}

impl ImagePair {
    pub fn new<A: RgbImage, B: RgbImage>(
        first: &A,
        second: &B,
        width: usize,
        height: usize,
    ) -> Result<Self, ColorError> {
        let pixels = width
            .checked_mul(height)
            .filter(|p| p.checked_mul(3).is_some())
            .ok_or(ColorError::DimensionsTooLarge { width, height })?;
        for (name, actual) in [
            ("rgbA", first.channel_values()),
            ("rgbB", second.channel_values()),
        ] {
            if actual != 3 * pixels {
                return Err(ColorError::LengthMismatch {
                    name,
                    expected: 3 * pixels,
                    actual,
                });
            }
        }
        Ok(ImagePair { pixels })
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
    let mut out = vec![0.0; shape.pixels];
    out.par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(chunk, part)| {
            let start = chunk * CHUNK;
            for (offset, slot) in part.iter_mut().enumerate() {
                let i = start + offset;
                *slot = cie94(rgb_to_lab(first.rgb(i)), rgb_to_lab(second.rgb(i)));
            }
        });
    normalize(&mut out, normalization);
    Ok(out)
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
        assert!(matches!(err, ColorError::DimensionsTooLarge { .. }));
    }
}
