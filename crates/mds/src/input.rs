//! Inputs validated once into checked types. The TS layer performs the same
//! checks first (with the same wording); these keep the kernels total when
//! called from Rust directly.

use fastkernels_common::js_number;
use fastkernels_common::limits::at_most;

use crate::error::MdsError;

/// Largest n*n accepted for an n x n matrix: the longest Float64Array that
/// Node 20 (V8) can create, 2^32 elements (n <= 65,536).
pub const MAX_MATRIX_ELEMENTS: usize = 1 << 32;

/// Most coordinates per input point (`dims` of a distance kernel). A point
/// of 65,536 doubles is 512 KiB; the distance tiles hold 64 points of it.
/// n x dims is the input's own length, so needs no further limit.
pub const MAX_INPUT_DIMS: usize = 65_536;

/// Dissimilarities must satisfy |a_ij - a_ji| <= SYMMETRY_TOLERANCE * max(1, |a_ij|, |a_ji|).
pub const SYMMETRY_TOLERANCE: f64 = 1e-9;

/// n points of `dims` coordinates, row-major.
#[derive(Debug, Clone, Copy)]
pub struct Points<'a> {
    pub data: &'a [f64],
    pub n: usize,
    pub dims: usize,
}

impl<'a> Points<'a> {
    /// Checks in the TS layer's order (`checkPoints`): dims, the length,
    /// then every value finite.
    pub fn new(name: &str, data: &'a [f64], dims: usize) -> Result<Self, MdsError> {
        if dims < 1 {
            return Err(MdsError::invalid(format!(
                "dims must be an integer >= 1, got {dims}"
            )));
        }
        at_most("dims", dims, MAX_INPUT_DIMS, "MDS_MAX_INPUT_DIMS")?;
        if data.is_empty() || !data.len().is_multiple_of(dims) {
            return Err(MdsError::invalid(format!(
                "{name}.length must be a positive multiple of dims = {dims} (n rows x dims), got {}",
                data.len()
            )));
        }
        check_finite(name, data)?;
        Ok(Self {
            data,
            n: data.len() / dims,
            dims,
        })
    }

    #[inline]
    pub fn row(&self, i: usize) -> &'a [f64] {
        &self.data[i * self.dims..(i + 1) * self.dims]
    }
}

/// Every value finite, else the first offender (as `assertAllFinite`).
pub(crate) fn check_finite(name: &str, data: &[f64]) -> Result<(), MdsError> {
    match data.iter().position(|v| !v.is_finite()) {
        Some(k) => Err(MdsError::invalid(format!(
            "{name}[{k}] must be a finite number, got {}",
            js_number(data[k])
        ))),
        None => Ok(()),
    }
}

/// Fails before any allocation when an n x n matrix exceeds the limit.
pub(crate) fn check_matrix_size(name: &'static str, n: usize) -> Result<usize, MdsError> {
    match n.checked_mul(n) {
        Some(len) if len <= MAX_MATRIX_ELEMENTS => Ok(len),
        _ => Err(MdsError::TooLarge { name, n }),
    }
}

/// A vector of `len` zeros, or the allocation error naming `what`.
pub(crate) fn zeros(len: usize, what: &'static str) -> Result<Vec<f64>, MdsError> {
    Ok(fastkernels_common::alloc::filled(len, 0.0, what)?)
}

/// Side of the tiles of the symmetry scan: a tile and its mirror stay in L1.
const SYMMETRY_BLOCK: usize = 64;

fn within_tolerance(a: f64, b: f64) -> bool {
    (a - b).abs() <= SYMMETRY_TOLERANCE * a.abs().max(b.abs()).max(1.0)
}

/// Every entry finite and >= 0, zero diagonal, symmetric within tolerance:
/// a fast scan (row-major for the entries, tile by tile for the mirrored
/// pairs) that says only yes or no. `data.len() == n * n`.
fn is_valid_fast(data: &[f64], n: usize) -> bool {
    if !data.iter().all(|v| v.is_finite() && *v >= 0.0) {
        return false;
    }
    if (0..n).any(|i| data[i * n + i] != 0.0) {
        return false;
    }
    for bi in (0..n).step_by(SYMMETRY_BLOCK) {
        let i_end = (bi + SYMMETRY_BLOCK).min(n);
        for bj in (bi..n).step_by(SYMMETRY_BLOCK) {
            let j_end = (bj + SYMMETRY_BLOCK).min(n);
            for i in bi..i_end {
                for j in bj.max(i + 1)..j_end {
                    if !within_tolerance(data[i * n + j], data[j * n + i]) {
                        return false;
                    }
                }
            }
        }
    }
    true
}

/// A square, symmetric matrix of finite non-negative dissimilarities with a
/// zero diagonal, n >= 2.
#[derive(Debug, Clone, Copy)]
pub struct Dissimilarities<'a> {
    pub data: &'a [f64],
    pub n: usize,
}

impl<'a> Dissimilarities<'a> {
    pub fn new(data: &'a [f64], n: usize) -> Result<Self, MdsError> {
        if n < 2 {
            return Err(MdsError::invalid(format!(
                "n must be an integer >= 2, got {n}"
            )));
        }
        let len = check_matrix_size("dissimilarities", n)?;
        if data.len() != len {
            return Err(MdsError::invalid(format!(
                "dissimilarities must have length {len} (n x n with n = {n}), got length {}",
                data.len()
            )));
        }
        if is_valid_fast(data, n) {
            return Ok(Self { data, n });
        }
        // Something is wrong: find the first offence in the TS layer's
        // order (`checkDissimilarities`): every entry in index order, then
        // row by row the diagonal and the upper triangle's mirror pairs.
        if let Some(index) = data.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(MdsError::invalid(format!(
                "dissimilarities[{index}] must be a finite number >= 0, got {}",
                js_number(data[index])
            )));
        }
        for i in 0..n {
            let d = data[i * n + i];
            if d != 0.0 {
                return Err(MdsError::invalid(format!(
                    "dissimilarities[{}] (diagonal, row {i}) must be 0, got {}",
                    i * n + i,
                    js_number(d)
                )));
            }
            for j in i + 1..n {
                let (a, b) = (data[i * n + j], data[j * n + i]);
                if !within_tolerance(a, b) {
                    return Err(MdsError::invalid(format!(
                        "dissimilarities must be symmetric: [{i}][{j}] = {} but [{j}][{i}] = {}",
                        js_number(a),
                        js_number(b)
                    )));
                }
            }
        }
        Ok(Self { data, n })
    }

    #[inline]
    pub fn row(&self, i: usize) -> &'a [f64] {
        &self.data[i * self.n..(i + 1) * self.n]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fastkernels_common::{Classify, ErrorClass};

    #[test]
    fn points_are_checked_like_the_ts_layer() {
        let msg = |data: &[f64], dims| Points::new("points", data, dims).unwrap_err().to_string();
        assert_eq!(
            msg(&[0.0, f64::NAN], 1),
            "points[1] must be a finite number, got NaN"
        );
        assert_eq!(
            msg(&[0.0; 3], 2),
            "points.length must be a positive multiple of dims = 2 (n rows x dims), got 3"
        );
        assert_eq!(
            msg(&[0.0; 3], 1 << 40),
            "dims must be at most 65536 (MDS_MAX_INPUT_DIMS), got 1099511627776"
        );
    }

    #[test]
    fn dissimilarity_offences_come_in_the_ts_order() {
        let msg = |d: &[f64]| Dissimilarities::new(d, 3).unwrap_err().to_string();
        // Index 3 (row 1) is negative and index 2 too: the lower index first,
        // even though an asymmetry in row 0 comes earlier row by row.
        let d = [0.0, 1.0, -2.0, -1.0, 0.0, 1.0, 5.0, 1.0, 0.0];
        assert_eq!(
            msg(&d),
            "dissimilarities[2] must be a finite number >= 0, got -2"
        );
        let d = [0.0, 1.0, 2.0, 1.0, 0.5, 1.0, 3.0, 1.0, 0.0];
        assert_eq!(
            msg(&d),
            "dissimilarities must be symmetric: [0][2] = 2 but [2][0] = 3"
        );
        let d = [0.0, 1.0, 2.0, 1.0, 0.5, 1.0, 2.0, 1.0, 0.0];
        assert_eq!(
            msg(&d),
            "dissimilarities[4] (diagonal, row 1) must be 0, got 0.5"
        );
        assert_eq!(
            msg(&[0.0; 8]),
            "dissimilarities must have length 9 (n x n with n = 3), got length 8"
        );
    }

    #[test]
    fn an_impossible_allocation_is_a_range_error() {
        let e = zeros(usize::MAX / 16, "the test buffer").unwrap_err();
        assert_eq!(e.class(), ErrorClass::Range);
        assert!(e
            .to_string()
            .starts_with(&format!("could not allocate {} values (", usize::MAX / 16)));
    }
}
