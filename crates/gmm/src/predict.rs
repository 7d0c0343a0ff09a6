//! Segmentation with a fitted mixture: labels (argmax responsibility) and
//! responsibilities, for values or 8-bit pixels.

use rayon::prelude::*;

use crate::elementwise::{label_of, labels, responsibilities};
use crate::error::GmmError;
use crate::fit::{check_values, Samples};
use crate::histogram::byte_value;
use crate::mixture::Mixture;

/// Labels are bytes, so a model may have at most this many components.
pub const MAX_LABELS: usize = 256;

/// The component of largest responsibility for every sample (ties: lowest index).
pub fn predict_labels(mix: &Mixture, samples: Samples<'_>) -> Result<Vec<u8>, GmmError> {
    if mix.components() > MAX_LABELS {
        return Err(GmmError::TooManyLabels {
            components: mix.components(),
        });
    }
    match samples {
        Samples::Values(x) => {
            check_values(x)?;
            Ok(labels(mix, x))
        }
        Samples::Bytes(b) => {
            if b.is_empty() {
                return Err(GmmError::EmptyData);
            }
            let table: Vec<u8> = (0..256)
                .map(|v| label_of(mix, byte_value(v)) as u8)
                .collect();
            Ok(b.par_iter().map(|&v| table[v as usize]).collect())
        }
    }
}

/// Responsibilities, K planes of N values (`r[k*N + i]`).
pub fn predict_proba(mix: &Mixture, samples: Samples<'_>) -> Result<Vec<f64>, GmmError> {
    match samples {
        Samples::Values(x) => {
            check_values(x)?;
            Ok(responsibilities(mix, x))
        }
        Samples::Bytes(b) => {
            if b.is_empty() {
                return Err(GmmError::EmptyData);
            }
            let values: Vec<f64> = (0..256).map(byte_value).collect();
            let table = responsibilities(mix, &values);
            let n = b.len();
            let mut out = vec![0.0; n * mix.components()];
            if n > 0 {
                out.par_chunks_mut(n).enumerate().for_each(|(k, plane)| {
                    let row = &table[k * 256..(k + 1) * 256];
                    for (o, &v) in plane.iter_mut().zip(b) {
                        *o = row[v as usize];
                    }
                });
            }
            Ok(out)
        }
    }
}
