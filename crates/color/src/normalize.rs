//! Rescaling of a difference image before it becomes GMM data.

use rayon::prelude::*;

use fastkernels_common::reduce::CHUNK;

/// How a ΔE image is rescaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalization {
    /// The original's `(d + min) / (max - min)`. The `+` (where min-max
    /// scaling has `-`) is kept: it is what the original fits.
    Original,
    /// `(d - min) / (max - min)`, into [0, 1].
    MinMax,
    /// Raw ΔE values.
    None,
}

/// Rescales `values` in place. A constant image (max == min) cannot be
/// rescaled, the original would divide by zero; it becomes all zeros.
pub fn normalize(values: &mut [f64], normalization: Normalization) {
    if normalization == Normalization::None || values.is_empty() {
        return;
    }
    // min and max are exact, so the chunked result is the same for every pool.
    let (min, max) = values
        .par_chunks(CHUNK)
        .map(|part| {
            part.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                })
        })
        .reduce(
            || (f64::INFINITY, f64::NEG_INFINITY),
            |(a, b), (c, d)| (a.min(c), b.max(d)),
        );
    let range = max - min;
    if range == 0.0 {
        values.par_iter_mut().for_each(|v| *v = 0.0);
        return;
    }
    let offset = match normalization {
        Normalization::Original => min,
        _ => -min,
    };
    values
        .par_chunks_mut(CHUNK)
        .for_each(|part| part.iter_mut().for_each(|v| *v = (*v + offset) / range));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn original_adds_the_minimum() {
        let mut v = vec![1.0, 2.0, 5.0];
        normalize(&mut v, Normalization::Original);
        assert_eq!(v, vec![0.5, 0.75, 1.5]);
    }

    #[test]
    fn min_max_maps_onto_the_unit_interval() {
        let mut v = vec![1.0, 2.0, 5.0];
        normalize(&mut v, Normalization::MinMax);
        assert_eq!(v, vec![0.0, 0.25, 1.0]);
    }

    #[test]
    fn a_constant_image_becomes_zeros() {
        let mut v = vec![3.0; 4];
        normalize(&mut v, Normalization::Original);
        assert_eq!(v, vec![0.0; 4]);
    }
}
