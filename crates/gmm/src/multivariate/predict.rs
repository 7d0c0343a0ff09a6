//! Per-row outputs of a model: `score_samples` (log-likelihood of each
//! row), labels (argmax of the weighted log-probabilities, ties to the
//! lowest index, like numpy's argmax) and responsibilities (N x K
//! row-major). Rows are independent: chunks run in parallel and results
//! never depend on the thread count.

use rayon::prelude::*;

use crate::elementwise::check_output;
use crate::error::GmmError;
use crate::multivariate::density::{log_sum_exp, Density};
use crate::multivariate::model::{MvData, MODEL};
use crate::multivariate::stats::STATS_CHUNK;
use crate::predict::MAX_LABELS;

/// Non-empty data of the model's dimension.
fn check(data: &MvData<'_>, dens: &Density) -> Result<(), GmmError> {
    if data.rows() == 0 {
        return Err(GmmError::EmptyData {
            name: "data",
            kind: data.kind(),
        });
    }
    data.check_model(MODEL, &dens.shape())
}

/// Runs `row(i, weighted log-probabilities, out)` for every row, `per` outputs a row.
fn per_row<T: Send>(
    data: &MvData<'_>,
    dens: &Density,
    out: &mut [T],
    per: usize,
    row: impl Fn(&[f64], &mut [T]) + Sync,
) {
    let (k, d) = (dens.components(), dens.dims());
    out.par_chunks_mut(STATS_CHUNK * per)
        .enumerate()
        .for_each(|(c, out)| {
            let (mut x, mut z, mut lp) = (vec![0.0; d], vec![0.0; d], vec![0.0; k]);
            for (j, o) in out.chunks_mut(per).enumerate() {
                data.row(c * STATS_CHUNK + j, &mut x);
                dens.weighted_log_prob(&x, &mut z, &mut lp);
                row(&lp, o);
            }
        });
}

/// The log-likelihood of every row under the model, into `out` (length N).
pub fn score_samples_into(
    data: &MvData<'_>,
    dens: &Density,
    out: &mut [f64],
) -> Result<(), GmmError> {
    check(data, dens)?;
    check_output("out", out.len(), data.rows(), "one value per row")?;
    per_row(data, dens, out, 1, |lp, o| o[0] = log_sum_exp(lp));
    Ok(())
}

/// The component of each row (argmax, ties to the lowest index) into `out`
/// (length N; K <= 256).
pub fn labels_into(data: &MvData<'_>, dens: &Density, out: &mut [u8]) -> Result<(), GmmError> {
    check(data, dens)?;
    if dens.components() > MAX_LABELS {
        return Err(GmmError::TooManyLabels {
            components: dens.components(),
        });
    }
    check_output("out", out.len(), data.rows(), "one label per row")?;
    per_row(data, dens, out, 1, |lp, o| {
        let mut best = 0;
        for (c, &v) in lp.iter().enumerate() {
            if v > lp[best] {
                best = c;
            }
        }
        o[0] = best as u8;
    });
    Ok(())
}

/// The responsibilities `r[i K + k] = exp(lp_k - logsumexp(lp))` into `out`
/// (length N x K, row-major).
pub fn proba_into(data: &MvData<'_>, dens: &Density, out: &mut [f64]) -> Result<(), GmmError> {
    check(data, dens)?;
    let k = dens.components();
    let len =
        fastkernels_common::limits::output_elements("data rows", data.rows(), "K", k, "values")?;
    check_output("out", out.len(), len, "N × K values, row-major")?;
    per_row(data, dens, out, k, |lp, o| {
        let lse = log_sum_exp(lp);
        for (r, &v) in o.iter_mut().zip(lp) {
            *r = (v - lse).exp();
        }
    });
    Ok(())
}
