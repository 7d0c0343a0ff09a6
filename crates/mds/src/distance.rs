//! Euclidean distance kernels.
//!
//! Every distance is `sqrt` of a sum of squared coordinate differences taken
//! in four interleaved partial sums (coordinate k goes to partial k mod 4,
//! combined as (s0 + s1) + (s2 + s3)); the TS reference uses the same order,
//! so both backends agree to the last bit and d(i, j) == d(j, i) exactly.

use rayon::prelude::*;

use crate::error::MdsError;
use crate::input::{check_matrix_size, Points};

/// Side of the square tiles of the distance matrix: 64 x 64 doubles (32 KiB)
/// keeps a tile and its mirror in L1/L2 while rows are written contiguously.
const TILE: usize = 64;

/// Elements per parallel task for one-dimensional outputs.
const ROW_CHUNK: usize = 2048;

#[inline(always)]
pub(crate) fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    let mut s = [0.0f64; 4];
    let a4 = a.chunks_exact(4);
    let b4 = b.chunks_exact(4);
    let (ta, tb) = (a4.remainder(), b4.remainder());
    for (x, y) in a4.zip(b4) {
        for l in 0..4 {
            let d = x[l] - y[l];
            s[l] += d * d;
        }
    }
    for (l, (x, y)) in ta.iter().zip(tb).enumerate() {
        let d = x - y;
        s[l] += d * d;
    }
    (s[0] + s[1]) + (s[2] + s[3])
}

#[inline(always)]
pub(crate) fn distance(a: &[f64], b: &[f64]) -> f64 {
    squared_distance(a, b).sqrt()
}

/// A raw pointer that tiles write through: every element of the matrix is
/// written by exactly one tile task, and nothing reads it during the pass.
#[derive(Clone, Copy)]
struct TileWriter(*mut f64);
// SAFETY: tasks write disjoint elements (see `distance_matrix`), no reads.
unsafe impl Send for TileWriter {}
unsafe impl Sync for TileWriter {}

impl TileWriter {
    /// # Safety
    /// `index` is in bounds and written by no other task.
    #[inline(always)]
    unsafe fn write(self, index: usize, value: f64) {
        self.0.add(index).write(value);
    }
}

/// The full n x n distance matrix, row-major, symmetric with a zero diagonal.
///
/// Each pair is computed once: the upper triangle is cut into TILE x TILE
/// tiles (I <= J) that run in parallel; a tile writes its block and the
/// mirrored block. No zero-fill pass: every element is written exactly once.
pub fn distance_matrix(points: Points<'_>) -> Result<Vec<f64>, MdsError> {
    let n = points.n;
    let len = check_matrix_size("points", n)?;
    let mut out: Vec<f64> = Vec::new();
    out.try_reserve_exact(len)
        .map_err(|_| MdsError::TooLarge { name: "points", n })?;
    let blocks = n.div_ceil(TILE);
    let tiles: Vec<(usize, usize)> = (0..blocks)
        .flat_map(|bi| (bi..blocks).map(move |bj| (bi, bj)))
        .collect();
    let writer = TileWriter(out.as_mut_ptr());
    tiles.par_iter().for_each(|&(bi, bj)| {
        let (i0, i1) = (bi * TILE, ((bi + 1) * TILE).min(n));
        let (j0, j1) = (bj * TILE, ((bj + 1) * TILE).min(n));
        for i in i0..i1 {
            let xi = points.row(i);
            let start = if bi == bj {
                // SAFETY: (i, i) belongs to the diagonal tile only.
                unsafe { writer.write(i * n + i, 0.0) };
                i + 1
            } else {
                j0
            };
            for j in start..j1 {
                let d = distance(xi, points.row(j));
                // SAFETY: (i, j) with i < j lies in tile (bi, bj) and its
                // mirror (j, i) in tile (bj, bi), which no other task owns;
                // both indices are < n * n = capacity.
                unsafe {
                    writer.write(i * n + j, d);
                    writer.write(j * n + i, d);
                }
            }
        }
    });
    // SAFETY: the tiles (bi <= bj) and their mirrors cover all n * n elements,
    // each written above; capacity is len.
    unsafe { out.set_len(len) };
    Ok(out)
}

/// Recomputes row i and column i of `distances` in place after point i moved.
pub fn update_distance_matrix(
    points: Points<'_>,
    distances: &mut [f64],
    i: usize,
) -> Result<(), MdsError> {
    let n = points.n;
    let len = check_matrix_size("points", n)?;
    if distances.len() != len {
        return Err(MdsError::invalid(format!(
            "distances must have length {len} (n x n with n = {n}), got length {}",
            distances.len()
        )));
    }
    if i >= n {
        return Err(MdsError::invalid(format!(
            "i must be an integer from 0 to {}, got {i}",
            n - 1
        )));
    }
    let xi = points.row(i);
    distances[i * n..(i + 1) * n]
        .par_chunks_mut(ROW_CHUNK)
        .enumerate()
        .for_each(|(c, part)| {
            for (k, slot) in part.iter_mut().enumerate() {
                *slot = distance(xi, points.row(c * ROW_CHUNK + k));
            }
        });
    for j in 0..n {
        distances[j * n + i] = distances[i * n + j];
    }
    Ok(())
}

/// Distances from every point to `y` (a point of the same dimension).
pub fn dist_from_point(points: Points<'_>, y: &[f64]) -> Result<Vec<f64>, MdsError> {
    if y.len() != points.dims {
        return Err(MdsError::invalid(format!(
            "y must have length {} (dims), got length {}",
            points.dims,
            y.len()
        )));
    }
    let mut out = crate::input::try_zeroed("points", points.n, points.n)?;
    out.par_chunks_mut(ROW_CHUNK)
        .enumerate()
        .for_each(|(c, part)| {
            for (k, slot) in part.iter_mut().enumerate() {
                *slot = distance(points.row(c * ROW_CHUNK + k), y);
            }
        });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Mulberry32;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    fn random_points(n: usize, dims: usize, seed: u32) -> Vec<f64> {
        let mut rng = Mulberry32::new(seed);
        (0..n * dims).map(|_| rng.next_f64() * 10.0 - 5.0).collect()
    }

    fn brute(points: &Points<'_>) -> Vec<f64> {
        let mut d = vec![0.0; points.n * points.n];
        for i in 0..points.n {
            for j in 0..points.n {
                let s: f64 = points
                    .row(i)
                    .iter()
                    .zip(points.row(j))
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum();
                d[i * points.n + j] = s.sqrt();
            }
        }
        d
    }

    #[test]
    fn known_triangle() {
        let data = [0.0, 0.0, 3.0, 0.0, 0.0, 4.0];
        let d = distance_matrix(Points::new("points", &data, 2).unwrap()).unwrap();
        assert_eq!(d, vec![0.0, 3.0, 4.0, 3.0, 0.0, 5.0, 4.0, 5.0, 0.0]);
    }

    #[test]
    fn matches_brute_force_and_is_thread_invariant() {
        for (n, dims) in [(1, 3), (63, 2), (130, 7), (200, 1)] {
            let data = random_points(n, dims, 7 + n as u32);
            let points = Points::new("points", &data, dims).unwrap();
            let one = pool(1).install(|| distance_matrix(points).unwrap());
            let oracle = brute(&points);
            for (a, b) in one.iter().zip(&oracle) {
                assert!((a - b).abs() <= 1e-12 * b.max(1.0));
            }
            for i in 0..n {
                for j in 0..n {
                    assert_eq!(one[i * n + j].to_bits(), one[j * n + i].to_bits());
                }
            }
            for threads in [2, 3, 4] {
                let many = pool(threads).install(|| distance_matrix(points).unwrap());
                assert_eq!(one, many, "threads = {threads}");
            }
        }
    }

    #[test]
    fn update_recomputes_row_and_column() {
        let (n, dims) = (1500, 3);
        let mut data = random_points(n, dims, 3);
        let mut d = distance_matrix(Points::new("points", &data, dims).unwrap()).unwrap();
        data[1234 * dims] += 1.5;
        let points = Points::new("points", &data, dims).unwrap();
        pool(3).install(|| update_distance_matrix(points, &mut d, 1234).unwrap());
        assert_eq!(d, distance_matrix(points).unwrap());
        assert!(update_distance_matrix(points, &mut d, n).is_err());
        assert!(update_distance_matrix(points, &mut d[1..], 0).is_err());
    }

    #[test]
    fn distances_from_a_point() {
        let data = [0.0, 0.0, 3.0, 4.0];
        let points = Points::new("points", &data, 2).unwrap();
        assert_eq!(
            dist_from_point(points, &[3.0, 0.0]).unwrap(),
            vec![3.0, 4.0]
        );
        assert!(dist_from_point(points, &[1.0]).is_err());
    }

    #[test]
    fn too_large_is_an_error_before_allocating() {
        let data = vec![0.0; 70_000];
        let points = Points::new("points", &data, 1).unwrap();
        assert!(matches!(
            distance_matrix(points),
            Err(MdsError::TooLarge { n: 70_000, .. })
        ));
    }
}
