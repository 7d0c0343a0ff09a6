//! Non-metric SMACOF as scikit-learn 1.9.1's `_smacof_single(metric=False)`:
//!
//! ```text
//! pairs = upper-triangle pairs with delta_ij != 0 (zero = missing: disparity 0)
//! for it in 0..max_iter:
//!     dhat = delta (it = 0) or isotonic regression of d(X) on delta (it > 0)
//!     dhat *= sqrt((n (n - 1) / 2) / sum_pairs dhat^2)
//!     X <- (1/n) B(X) X with the disparities dhat as dissimilarities
//!     stress = sum_{i<j} (d_ij(X) - dhat_ij)^2   (missing pairs included, dhat = 0)
//!     if it > 0 and (old_stress - stress) / sum_{i<j} d_ij(X)^2 < eps: break
//! ```
//!
//! Ties in delta share one disparity (scikit-learn's `IsotonicRegression`
//! averages the distances of tied dissimilarities before the pool-adjacent-
//! violators pass: the secondary approach to ties). The pairs are sorted by
//! delta once; every iteration is then linear in the number of pairs.

use fastkernels_common::alloc::{collected, filled};
use rayon::prelude::*;

use crate::error::MdsError;
use crate::input::{zeros, Dissimilarities};

/// What `transform` needs of a non-metric fit: the fitted monotone map from
/// dissimilarity to disparity, as (unique positive dissimilarity, its final
/// disparity) ascending; new dissimilarities are interpolated linearly
/// between them and clipped to the ends (scikit-learn's
/// `IsotonicRegression(out_of_bounds="clip")`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DisparityMap {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

impl DisparityMap {
    /// The disparity of a new dissimilarity (0 stays 0: missing, as in the fit).
    pub fn map(&self, delta: f64) -> f64 {
        let (x, y) = (&self.x, &self.y);
        if delta == 0.0 || x.is_empty() {
            return if x.is_empty() { delta } else { 0.0 };
        }
        if delta <= x[0] {
            return y[0];
        }
        let last = x.len() - 1;
        if delta >= x[last] {
            return y[last];
        }
        // First index with x[k] >= delta (k >= 1 here).
        let k = x.partition_point(|v| *v < delta);
        if x[k] == delta {
            return y[k];
        }
        let slope = (y[k] - y[k - 1]) / (x[k] - x[k - 1]);
        y[k - 1] + slope * (delta - x[k - 1])
    }
}

/// scikit-learn's `_inplace_contiguous_isotonic_regression`: pool adjacent
/// violators over `y` with weights `w` (non-decreasing fit), in place.
pub(crate) fn isotonic_in_place(y: &mut [f64], w: &mut [f64], target: &mut [usize]) {
    let n = y.len();
    for (k, t) in target.iter_mut().enumerate() {
        *t = k;
    }
    let mut i = 0;
    while i < n {
        let mut k = target[i] + 1;
        if k == n {
            break;
        }
        if y[i] < y[k] {
            i = k;
            continue;
        }
        let mut sum_wy = w[i] * y[i];
        let mut sum_w = w[i];
        loop {
            let prev_y = y[k];
            sum_wy += w[k] * y[k];
            sum_w += w[k];
            k = target[k] + 1;
            if k == n || prev_y < y[k] {
                y[i] = sum_wy / sum_w;
                w[i] = sum_w;
                target[i] = k - 1;
                target[k - 1] = i;
                if i > 0 {
                    i = target[i - 1];
                }
                break;
            }
        }
    }
    let mut i = 0;
    while i < n {
        let k = target[i] + 1;
        let v = y[i];
        y[i + 1..k].fill(v);
        i = k;
    }
}

pub(crate) struct NonMetric {
    n: usize,
    /// The pairs (i, j), i < j, with delta_ij != 0, by delta then row-major index.
    pairs: Vec<(u32, u32)>,
    /// Start of every tie group in `pairs`, then `pairs.len()`.
    starts: Vec<usize>,
    /// The dissimilarity of every group (ascending, distinct).
    values: Vec<f64>,
    /// n x n: the group of pair (i, j) at i * n + j (upper triangle; missing pairs `u32::MAX`).
    group: Vec<u32>,
    y: Vec<f64>,
    w: Vec<f64>,
    target: Vec<usize>,
    /// Final disparity of every group after the last update.
    levels: Vec<f64>,
    /// n x n, upper triangle: the current disparities (0 for missing pairs).
    pub(crate) disparities: Vec<f64>,
}

/// Groups per task when the groups' distance means run in parallel.
const GROUP_CHUNK: usize = 4096;

impl NonMetric {
    pub(crate) fn new(diss: &Dissimilarities<'_>) -> Result<Self, MdsError> {
        let (n, data) = (diss.n, diss.data);
        let count = (0..n)
            .map(|i| {
                data[i * n + i + 1..(i + 1) * n]
                    .iter()
                    .filter(|v| **v != 0.0)
                    .count()
            })
            .sum::<usize>();
        if count == 0 {
            return Err(MdsError::invalid(
                "dissimilarities: options.nonMetric needs at least one positive dissimilarity off the diagonal",
            ));
        }
        // n <= 65,536 (the matrix limit), so indices fit in u32.
        let all = (0..n).flat_map(|i| (i + 1..n).map(move |j| (i as u32, j as u32)));
        let at = |(i, j): (u32, u32)| i as usize * n + j as usize;
        let mut pairs = collected(
            count,
            all.filter(|&p| data[at(p)] != 0.0),
            "the non-metric pair order",
        )?;
        pairs.par_sort_unstable_by(|&a, &b| data[at(a)].total_cmp(&data[at(b)]).then(a.cmp(&b)));
        let mut group = filled(n * n, u32::MAX, "the non-metric groups")?;
        let mut starts = Vec::new();
        let mut values = Vec::new();
        for (k, &p) in pairs.iter().enumerate() {
            if k == 0 || data[at(p)] != data[at(pairs[k - 1])] {
                fastkernels_common::alloc::push(&mut starts, k, "the non-metric groups")?;
                fastkernels_common::alloc::push(&mut values, data[at(p)], "the non-metric groups")?;
            }
            group[at(p)] = (values.len() - 1) as u32;
        }
        fastkernels_common::alloc::push(&mut starts, pairs.len(), "the non-metric groups")?;
        let groups = values.len();
        Ok(Self {
            n,
            pairs,
            starts,
            values,
            group,
            y: zeros(groups, "the non-metric groups")?,
            w: zeros(groups, "the non-metric groups")?,
            target: filled(groups, 0usize, "the non-metric groups")?,
            levels: zeros(groups, "the non-metric groups")?,
            disparities: zeros(n * n, "the non-metric disparities")?,
        })
    }

    /// The disparities of an iteration from the dissimilarities themselves
    /// (`first`) or from the distances of `x`, normalised so that their
    /// squares sum to n (n - 1) / 2.
    pub(crate) fn update(&mut self, first: bool, x: &[f64], dims: usize) {
        let groups = self.values.len();
        let (pairs, starts) = (&self.pairs, &self.starts);
        if first {
            self.y.copy_from_slice(&self.values);
        } else {
            // Distances come from x (small, in cache) in rank order; each
            // group sums its pairs in that order.
            self.y
                .par_chunks_mut(GROUP_CHUNK)
                .enumerate()
                .for_each(|(c, ys)| {
                    for (o, y) in ys.iter_mut().enumerate() {
                        let g = c * GROUP_CHUNK + o;
                        let (a, b) = (starts[g], starts[g + 1]);
                        let mut sum = 0.0;
                        for &(i, j) in &pairs[a..b] {
                            let (i, j) = (i as usize, j as usize);
                            let mut q = 0.0;
                            for k in 0..dims {
                                let t = x[i * dims + k] - x[j * dims + k];
                                q += t * t;
                            }
                            sum += q.sqrt();
                        }
                        *y = sum / (b - a) as f64;
                    }
                });
        }
        for g in 0..groups {
            self.w[g] = (starts[g + 1] - starts[g]) as f64;
        }
        if !first {
            isotonic_in_place(&mut self.y, &mut self.w, &mut self.target);
        }
        let mut squares = 0.0;
        for g in 0..groups {
            squares += (starts[g + 1] - starts[g]) as f64 * (self.y[g] * self.y[g]);
        }
        let n = self.n as f64;
        let scale = if squares > 0.0 {
            (n * (n - 1.0) / 2.0 / squares).sqrt()
        } else {
            1.0
        };
        for g in 0..groups {
            self.levels[g] = self.y[g] * scale;
        }
        let (levels, group, n) = (&self.levels, &self.group, self.n);
        self.disparities
            .par_chunks_mut(n)
            .zip(group.par_chunks(n))
            .enumerate()
            .for_each(|(i, (row, gs))| {
                for j in i + 1..n {
                    let g = gs[j];
                    row[j] = if g == u32::MAX {
                        0.0
                    } else {
                        levels[g as usize]
                    };
                }
            });
    }

    /// (stress, sum of squared distances) of `x` against the current
    /// disparities, over pairs i < j (missing pairs included, disparity 0).
    pub(crate) fn measure(&self, x: &[f64], dims: usize) -> (f64, f64) {
        let n = self.n;
        let disparities = &self.disparities;
        let rows: Vec<(f64, f64)> = (0..n)
            .into_par_iter()
            .map(|i| {
                let (mut stress, mut squares) = (0.0, 0.0);
                let xi = &x[i * dims..(i + 1) * dims];
                for j in i + 1..n {
                    let xj = &x[j * dims..(j + 1) * dims];
                    let mut q = 0.0;
                    for k in 0..dims {
                        let t = xi[k] - xj[k];
                        q += t * t;
                    }
                    let e = q.sqrt() - disparities[i * n + j];
                    stress += e * e;
                    squares += q;
                }
                (stress, squares)
            })
            .collect();
        rows.iter().fold((0.0, 0.0), |(s, q), r| (s + r.0, q + r.1))
    }

    /// The fitted map (for `transform`).
    pub(crate) fn map(&self) -> Result<DisparityMap, MdsError> {
        Ok(DisparityMap {
            x: fastkernels_common::alloc::copied(&self.values, "the disparity map")?,
            y: fastkernels_common::alloc::copied(&self.levels, "the disparity map")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pava_pools_violators_like_scikit_learn() {
        let mut y = vec![1.0, 3.0, 2.0, 4.0, 3.5, 3.0, 6.0];
        let mut w = vec![1.0; 7];
        let mut t = vec![0; 7];
        isotonic_in_place(&mut y, &mut w, &mut t);
        assert_eq!(y, vec![1.0, 2.5, 2.5, 3.5, 3.5, 3.5, 6.0]);
        let mut y = vec![3.0, 1.0];
        let mut w = vec![1.0, 3.0];
        let mut t = vec![0; 2];
        isotonic_in_place(&mut y, &mut w, &mut t);
        assert_eq!(y, vec![1.5, 1.5]);
    }

    #[test]
    fn the_map_interpolates_and_clips() {
        let m = DisparityMap {
            x: vec![1.0, 2.0, 4.0],
            y: vec![0.5, 1.5, 2.5],
        };
        assert_eq!(m.map(0.0), 0.0);
        assert_eq!(m.map(0.5), 0.5);
        assert_eq!(m.map(2.0), 1.5);
        assert_eq!(m.map(3.0), 2.0);
        assert_eq!(m.map(9.0), 2.5);
        assert_eq!(DisparityMap::default().map(3.0), 3.0);
    }
}
