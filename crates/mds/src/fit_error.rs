//! Squared-error sums between a goal and a current distance matrix.

use fastkernels_common::reduce::{chunked_sum, CHUNK};
use rayon::prelude::*;

use crate::error::MdsError;
use crate::input::{check_finite, check_matrix_size};

fn check_same_length(a: &[f64], b: &[f64]) -> Result<(), MdsError> {
    if a.len() != b.len() {
        return Err(MdsError::invalid(format!(
            "b must have the same length as a ({}), got length {}",
            a.len(),
            b.len()
        )));
    }
    Ok(())
}

fn check_matrices(goal: &[f64], current: &[f64], n: usize) -> Result<(), MdsError> {
    let len = check_matrix_size("goal", n)?;
    for (name, m) in [("goal", goal), ("current", current)] {
        if m.len() != len {
            return Err(MdsError::invalid(format!(
                "{name} must have length {len} (n x n with n = {n}), got length {}",
                m.len()
            )));
        }
    }
    Ok(())
}

/// The value scans, after every structural check (the TS reference's order).
fn scan_matrices(goal: &[f64], current: &[f64]) -> Result<(), MdsError> {
    check_finite("goal", goal)?;
    check_finite("current", current)
}

fn row_error(goal: &[f64], current: &[f64]) -> f64 {
    goal.iter()
        .zip(current)
        .map(|(g, c)| (g - c) * (g - c))
        .sum()
}

/// Sum of squared differences of two equally long arrays.
pub fn mse(a: &[f64], b: &[f64]) -> Result<f64, MdsError> {
    check_same_length(a, b)?;
    check_finite("a", a)?;
    check_finite("b", b)?;
    Ok(chunked_sum(a.len(), CHUNK, |k| {
        (a[k] - b[k]) * (a[k] - b[k])
    }))
}

/// Total squared error over the whole n x n matrices.
pub fn mds_error_total(goal: &[f64], current: &[f64], n: usize) -> Result<f64, MdsError> {
    check_matrices(goal, current, n)?;
    scan_matrices(goal, current)?;
    Ok(chunked_sum(goal.len(), CHUNK, |k| {
        (goal[k] - current[k]) * (goal[k] - current[k])
    }))
}

/// Squared error of every row (each summed in column order).
pub fn mds_error_rows(goal: &[f64], current: &[f64], n: usize) -> Result<Vec<f64>, MdsError> {
    check_matrices(goal, current, n)?;
    scan_matrices(goal, current)?;
    let mut out = crate::input::zeros(n, "the row errors")?;
    fill_rows(goal, current, n, &mut out);
    Ok(out)
}

/// [`mds_error_rows`] into the caller's buffer of n values.
pub fn mds_error_rows_into(
    goal: &[f64],
    current: &[f64],
    n: usize,
    out: &mut [f64],
) -> Result<(), MdsError> {
    check_matrices(goal, current, n)?;
    if out.len() != n {
        return Err(MdsError::invalid(format!(
            "out must have length {n} (one value per row), got length {}",
            out.len()
        )));
    }
    scan_matrices(goal, current)?;
    fill_rows(goal, current, n, out);
    Ok(())
}

/// The one compute path of the row errors (`out.len() == n`).
fn fill_rows(goal: &[f64], current: &[f64], n: usize, out: &mut [f64]) {
    out.par_iter_mut().enumerate().for_each(|(i, slot)| {
        *slot = row_error(&goal[i * n..(i + 1) * n], &current[i * n..(i + 1) * n]);
    });
}

/// Squared error of row i.
pub fn mds_error_row(goal: &[f64], current: &[f64], n: usize, i: usize) -> Result<f64, MdsError> {
    check_matrices(goal, current, n)?;
    if i >= n {
        return Err(MdsError::invalid(format!(
            "i must be an integer from -1 to {}, got {i}",
            n - 1
        )));
    }
    scan_matrices(goal, current)?;
    Ok(row_error(
        &goal[i * n..(i + 1) * n],
        &current[i * n..(i + 1) * n],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        let goal = [0.0, 1.0, 1.0, 0.0];
        let cur = [0.0, 3.0, 2.0, 0.0];
        assert_eq!(mds_error_total(&goal, &cur, 2).unwrap(), 5.0);
        assert_eq!(mds_error_rows(&goal, &cur, 2).unwrap(), vec![4.0, 1.0]);
        assert_eq!(mds_error_row(&goal, &cur, 2, 1).unwrap(), 1.0);
        assert!(mds_error_row(&goal, &cur, 2, 2).is_err());
        assert!(mds_error_total(&goal, &cur[1..], 2).is_err());
        assert_eq!(mse(&[1.0, 2.0], &[0.0, 4.0]).unwrap(), 5.0);
        assert!(mse(&[1.0], &[]).is_err());
    }

    #[test]
    fn values_are_scanned_with_the_ts_messages() {
        let goal = [0.0, 1.0, 1.0, 0.0];
        let bad = [0.0, f64::NAN, 1.0, 0.0];
        let msg = |e: MdsError| e.to_string();
        assert_eq!(
            msg(mse(&[1.0, f64::INFINITY], &[0.0, 0.0]).unwrap_err()),
            "a[1] must be a finite number, got Infinity"
        );
        assert_eq!(
            msg(mse(&[1.0, 2.0], &[f64::NEG_INFINITY, 0.0]).unwrap_err()),
            "b[0] must be a finite number, got -Infinity"
        );
        assert_eq!(
            msg(mds_error_total(&bad, &goal, 2).unwrap_err()),
            "goal[1] must be a finite number, got NaN"
        );
        assert_eq!(
            msg(mds_error_rows(&goal, &bad, 2).unwrap_err()),
            "current[1] must be a finite number, got NaN"
        );
        assert_eq!(
            msg(mds_error_row(&goal, &bad, 2, 0).unwrap_err()),
            "current[1] must be a finite number, got NaN"
        );
        let mut out = [f64::NAN; 2];
        assert_eq!(
            msg(mds_error_rows_into(&goal, &bad, 2, &mut out).unwrap_err()),
            "current[1] must be a finite number, got NaN"
        );
        let cur = [0.0, 3.0, 2.0, 0.0];
        mds_error_rows_into(&goal, &cur, 2, &mut out).unwrap();
        assert_eq!(out, [4.0, 1.0]);
        assert!(mds_error_rows_into(&goal, &cur, 2, &mut out[1..]).is_err());
    }
}
