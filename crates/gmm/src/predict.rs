//! Segmentation with a fitted mixture: labels (argmax responsibility) and
//! responsibilities, for values or 8-bit pixels.
//!
//! Every function checks in the TS layer's order: the data (non-empty,
//! finite), then the label limit, then the output size and buffer.

use rayon::prelude::*;

use crate::elementwise::{
    check_output, label_of, labels_into, output, planes_len, responsibilities_named,
};
use crate::error::GmmError;
use crate::fit::{check_bytes, check_values, Samples};
use crate::histogram::byte_value;
use crate::mixture::Mixture;

/// Labels are bytes, so a model may have at most this many components.
pub const MAX_LABELS: usize = 256;

fn check_samples(samples: Samples<'_>) -> Result<(), GmmError> {
    match samples {
        Samples::Values(x) => check_values("data", x),
        Samples::Bytes(b) => check_bytes("data", b),
    }
}

fn check_labels(mix: &Mixture) -> Result<(), GmmError> {
    if mix.components() > MAX_LABELS {
        return Err(GmmError::TooManyLabels {
            components: mix.components(),
        });
    }
    Ok(())
}

/// The component of largest responsibility for every sample (ties: lowest index).
pub fn predict_labels(mix: &Mixture, samples: Samples<'_>) -> Result<Vec<u8>, GmmError> {
    check_samples(samples)?;
    check_labels(mix)?;
    let mut out = output(samples.len(), "the labels")?;
    labels_of(mix, samples, &mut out);
    Ok(out)
}

/// [`predict_labels`] into the caller's buffer, one label per sample.
pub fn predict_labels_into(
    mix: &Mixture,
    samples: Samples<'_>,
    out: &mut [u8],
) -> Result<(), GmmError> {
    check_samples(samples)?;
    check_labels(mix)?;
    check_output("out", out.len(), samples.len(), "one label per sample")?;
    labels_of(mix, samples, out);
    Ok(())
}

/// The one compute path of the labels (inputs checked).
fn labels_of(mix: &Mixture, samples: Samples<'_>, out: &mut [u8]) {
    match samples {
        Samples::Values(x) => labels_into(mix, x, out),
        Samples::Bytes(b) => {
            let table: Vec<u8> = (0..256)
                .map(|v| label_of(mix, byte_value(v)) as u8)
                .collect();
            out.par_iter_mut()
                .zip(b.par_iter())
                .for_each(|(o, &v)| *o = table[v as usize]);
        }
    }
}

/// Responsibilities, K planes of N values (`r[k*N + i]`).
pub fn predict_proba(mix: &Mixture, samples: Samples<'_>) -> Result<Vec<f64>, GmmError> {
    check_samples(samples)?;
    let len = planes_len("data", samples.len(), mix.components())?;
    let mut out = output(len, "the responsibilities")?;
    proba_of(mix, samples, &mut out)?;
    Ok(out)
}

/// [`predict_proba`] into the caller's buffer of K planes of N values.
pub fn predict_proba_into(
    mix: &Mixture,
    samples: Samples<'_>,
    out: &mut [f64],
) -> Result<(), GmmError> {
    check_samples(samples)?;
    let n = samples.len();
    let len = planes_len("data", n, mix.components())?;
    check_output("out", out.len(), len, "K planes of N values")?;
    proba_of(mix, samples, out)
}

/// The one compute path of the responsibilities (inputs checked, `out`
/// of K planes of N values).
fn proba_of(mix: &Mixture, samples: Samples<'_>, out: &mut [f64]) -> Result<(), GmmError> {
    let n = samples.len();
    match samples {
        Samples::Values(x) => {
            crate::elementwise::responsibilities_into_named("data", mix, x, out)?;
        }
        Samples::Bytes(b) => {
            let values: Vec<f64> = (0..256).map(byte_value).collect();
            let table = responsibilities_named("data", mix, &values)?;
            out.par_chunks_mut(n).enumerate().for_each(|(k, plane)| {
                let row = &table[k * 256..(k + 1) * 256];
                for (o, &v) in plane.iter_mut().zip(b) {
                    *o = row[v as usize];
                }
            });
        }
    }
    Ok(())
}
