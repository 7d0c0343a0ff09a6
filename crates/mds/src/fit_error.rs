//! Squared-error sums between a goal and a current distance matrix.

use fastkernels_common::reduce::{chunked_sum, CHUNK};
use rayon::prelude::*;

use crate::error::MdsError;
use crate::input::check_matrix_size;

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

fn row_error(goal: &[f64], current: &[f64]) -> f64 {
    goal.iter()
        .zip(current)
        .map(|(g, c)| (g - c) * (g - c))
        .sum()
}

/// Sum of squared differences of two equally long arrays.
pub fn mse(a: &[f64], b: &[f64]) -> Result<f64, MdsError> {
    check_same_length(a, b)?;
    Ok(chunked_sum(a.len(), CHUNK, |k| {
        (a[k] - b[k]) * (a[k] - b[k])
    }))
}

/// Total squared error over the whole n x n matrices.
pub fn mds_error_total(goal: &[f64], current: &[f64], n: usize) -> Result<f64, MdsError> {
    check_matrices(goal, current, n)?;
    Ok(chunked_sum(goal.len(), CHUNK, |k| {
        (goal[k] - current[k]) * (goal[k] - current[k])
    }))
}

/// Squared error of every row (each summed in column order).
pub fn mds_error_rows(goal: &[f64], current: &[f64], n: usize) -> Result<Vec<f64>, MdsError> {
    check_matrices(goal, current, n)?;
    Ok((0..n)
        .into_par_iter()
        .map(|i| row_error(&goal[i * n..(i + 1) * n], &current[i * n..(i + 1) * n]))
        .collect())
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
}
