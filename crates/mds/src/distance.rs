//! Euclidean distance kernels.
//!
//! Every distance is `sqrt` of a sum of squared coordinate differences taken
//! in four interleaved partial sums (coordinate k goes to partial k mod 4,
//! combined as (s0 + s1) + (s2 + s3)); the TS reference uses the same order,
//! so both backends agree to the last bit and d(i, j) == d(j, i) exactly.

use rayon::prelude::*;

use crate::error::MdsError;
use crate::input::{check_matrix_size, Points};
use crate::simd::SimdLevel;

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
    /// `index..index + values.len()` is in bounds and written by no other task.
    #[inline(always)]
    unsafe fn write_run(self, index: usize, values: &[f64]) {
        std::ptr::copy_nonoverlapping(values.as_ptr(), self.0.add(index), values.len());
    }

    /// # Safety
    /// `index` is in bounds and written by no other task.
    #[inline(always)]
    unsafe fn write(self, index: usize, value: f64) {
        self.0.add(index).write(value);
    }
}

/// Lanes of the vectorised column loop (one AVX-512 register of f64).
const LANES: usize = 8;

/// The distances of one tile, rows `i0..i1` x columns `j0..j1`, into `buf`
/// (row-major, row stride TILE). `soa` holds the points coordinate-major
/// (`soa[k * n + j]`), so a block of LANES columns is contiguous. Each lane
/// performs exactly the operations of `distance` (partial k mod 4, combined
/// (s0 + s1) + (s2 + s3)): bit-equal to it and to the TS reference.
#[inline(always)]
fn tile_distances(
    points: &Points<'_>,
    soa: &[f64],
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
    buf: &mut [f64],
) {
    let (n, dims) = (points.n, points.dims);
    let (j0, w) = (cols.start, cols.len());
    debug_assert!(cols.end <= n && w <= TILE && buf.len() >= TILE * TILE);
    let full = w - w % LANES;
    for (ii, i) in rows.enumerate() {
        let xi = points.row(i);
        let out = &mut buf[ii * TILE..ii * TILE + w];
        let mut b = 0;
        while b < full {
            let mut s = [[0.0f64; LANES]; 4];
            // Coordinate k into partial k % 4 (constant indices, so that the
            // partials stay in registers).
            let col = |k: usize| -> &[f64; LANES] {
                let start = k * n + j0 + b;
                soa[start..start + LANES]
                    .try_into()
                    .expect("LANES elements")
            };
            let mut k = 0;
            while k + 4 <= dims {
                add_squares(&mut s[0], xi[k], col(k));
                add_squares(&mut s[1], xi[k + 1], col(k + 1));
                add_squares(&mut s[2], xi[k + 2], col(k + 2));
                add_squares(&mut s[3], xi[k + 3], col(k + 3));
                k += 4;
            }
            for (part, kk) in (k..dims).enumerate() {
                add_squares(&mut s[part], xi[kk], col(kk));
            }
            let d: [f64; LANES] =
                std::array::from_fn(|l| ((s[0][l] + s[1][l]) + (s[2][l] + s[3][l])).sqrt());
            out[b..b + LANES].copy_from_slice(&d);
            b += LANES;
        }
        for (jj, slot) in out.iter_mut().enumerate().skip(full) {
            *slot = distance(xi, points.row(j0 + jj));
        }
    }
}

/// partial[l] += (x - col[l])^2 for every lane.
#[inline(always)]
fn add_squares(partial: &mut [f64; LANES], x: f64, col: &[f64; LANES]) {
    for l in 0..LANES {
        let t = x - col[l];
        partial[l] += t * t;
    }
}

/// Coordinate-major copy of the points: `soa[k * n + j]` = coordinate k of point j.
fn coordinate_major(points: &Points<'_>) -> Result<Vec<f64>, MdsError> {
    let (n, dims) = (points.n, points.dims);
    let mut soa = crate::input::zeros(n * dims, "a coordinate-major copy of the points")?;
    for (j, row) in points.data.chunks_exact(dims).enumerate() {
        for (k, &v) in row.iter().enumerate() {
            soa[k * n + j] = v;
        }
    }
    Ok(soa)
}

type TileKernel =
    fn(&Points<'_>, &[f64], std::ops::Range<usize>, std::ops::Range<usize>, &mut [f64]);

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn tile_distances_avx512(
    points: &Points<'_>,
    soa: &[f64],
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
    buf: &mut [f64],
) {
    tile_distances(points, soa, rows, cols, buf)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn tile_distances_avx2(
    points: &Points<'_>,
    soa: &[f64],
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
    buf: &mut [f64],
) {
    tile_distances(points, soa, rows, cols, buf)
}

fn tile_distances_portable(
    points: &Points<'_>,
    soa: &[f64],
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
    buf: &mut [f64],
) {
    tile_distances(points, soa, rows, cols, buf)
}

fn tile_kernel(level: SimdLevel) -> TileKernel {
    match level {
        // SAFETY (both): the level was detected on this CPU.
        #[cfg(target_arch = "x86_64")]
        SimdLevel::Avx512 => |p, s, r, c, b| unsafe { tile_distances_avx512(p, s, r, c, b) },
        #[cfg(target_arch = "x86_64")]
        SimdLevel::Avx2 => |p, s, r, c, b| unsafe { tile_distances_avx2(p, s, r, c, b) },
        _ => tile_distances_portable,
    }
}

fn fill_tiles(points: &Points<'_>, soa: &[f64], writer: TileWriter, level: SimdLevel) {
    let kernel = tile_kernel(level);
    let n = points.n;
    let blocks = n.div_ceil(TILE);
    // Tiles (bi <= bj) of the upper triangle, dealt out by rayon.
    let tiles: Vec<(usize, usize)> = (0..blocks)
        .flat_map(|bi| (bi..blocks).map(move |bj| (bi, bj)))
        .collect();
    tiles.par_iter().for_each_init(
        || vec![0.0; TILE * TILE],
        |buf, &(bi, bj)| {
            let (i0, i1) = (bi * TILE, ((bi + 1) * TILE).min(n));
            let (j0, j1) = (bj * TILE, ((bj + 1) * TILE).min(n));
            kernel(points, soa, i0..i1, j0..j1, buf);
            let w = j1 - j0;
            for (ii, i) in (i0..i1).enumerate() {
                // SAFETY: row i, columns j0..j1 belong to tile (bi, bj) only
                // (a diagonal tile holds its own mirror); in bounds.
                unsafe { writer.write_run(i * n + j0, &buf[ii * TILE..ii * TILE + w]) };
            }
            if bi != bj {
                for (jj, j) in (j0..j1).enumerate() {
                    for (ii, i) in (i0..i1).enumerate() {
                        // SAFETY: (j, i) with j > i lies in the mirror of
                        // tile (bi, bj), which no other task writes.
                        unsafe { writer.write(j * n + i, buf[ii * TILE + jj]) };
                    }
                }
            }
        },
    );
}

/// The full n x n distance matrix, row-major, symmetric with a zero diagonal.
///
/// Each pair is computed once: the upper triangle is cut into TILE x TILE
/// tiles (I <= J) that run in parallel; a tile computes its distances into
/// a buffer (vectorised over columns), writes its rows and then its mirror,
/// both as contiguous runs. (A diagonal tile computes d(i, j) and d(j, i)
/// separately; they are equal to the bit since (a - b)^2 == (b - a)^2.) No
/// zero-fill pass: every element is written exactly once.
pub fn distance_matrix(points: Points<'_>) -> Result<Vec<f64>, MdsError> {
    let n = points.n;
    let len = check_matrix_size("points", n)?;
    // Huge pages for the fresh output: see fastkernels_common::alloc.
    let mut out: Vec<f64> = fastkernels_common::alloc::with_capacity_for(
        len,
        "the distance matrix",
        fastkernels_common::alloc::Advice::HugePages,
    )?;
    fill_matrix(&points, TileWriter(out.as_mut_ptr()))?;
    // SAFETY: the tiles (bi <= bj) and their mirrors cover all n * n elements,
    // each written above; capacity is len.
    unsafe { out.set_len(len) };
    Ok(out)
}

/// [`distance_matrix`] into the caller's buffer of n x n values (every
/// element is written; the same bits as the Vec variant).
pub fn distance_matrix_into(points: Points<'_>, out: &mut [f64]) -> Result<(), MdsError> {
    let n = points.n;
    let len = check_matrix_size("points", n)?;
    if out.len() != len {
        return Err(MdsError::invalid(format!(
            "out must have length {len} (n x n with n = {n}), got length {}",
            out.len()
        )));
    }
    // The caller's fresh buffer (a V8 typed array) gets the huge-page advice
    // the Vec path gets from `alloc::with_capacity` (see common::alloc).
    fastkernels_common::alloc::advise_output(out);
    fill_matrix(&points, TileWriter(out.as_mut_ptr()))
}

/// The one compute path of the distance matrix: writes all n x n elements
/// through `writer` (a block of at least n x n values).
fn fill_matrix(points: &Points<'_>, writer: TileWriter) -> Result<(), MdsError> {
    let soa = coordinate_major(points)?;
    fill_tiles(points, &soa, writer, SimdLevel::detect());
    Ok(())
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
    check_point(&points, y)?;
    let mut out = crate::input::zeros(points.n, "the distances")?;
    fill_from_point(&points, y, &mut out);
    Ok(out)
}

/// [`dist_from_point`] into the caller's buffer of n values (every element
/// is written; the same bits as the Vec variant).
pub fn dist_from_point_into(
    points: Points<'_>,
    y: &[f64],
    out: &mut [f64],
) -> Result<(), MdsError> {
    check_point(&points, y)?;
    if out.len() != points.n {
        return Err(MdsError::invalid(format!(
            "out must have length {} (one value per point), got length {}",
            points.n,
            out.len()
        )));
    }
    fill_from_point(&points, y, out);
    Ok(())
}

/// `y` has the points' dimension and finite values (the TS layer's order:
/// its length is structural, its values are scanned after the points').
fn check_point(points: &Points<'_>, y: &[f64]) -> Result<(), MdsError> {
    if y.len() != points.dims {
        return Err(MdsError::invalid(format!(
            "y must have length {} (dims), got length {}",
            points.dims,
            y.len()
        )));
    }
    crate::input::check_finite("y", y)
}

/// The one compute path of `dist_from_point` (`out.len() == points.n`).
fn fill_from_point(points: &Points<'_>, y: &[f64], out: &mut [f64]) {
    out.par_chunks_mut(ROW_CHUNK)
        .enumerate()
        .for_each(|(c, part)| {
            for (k, slot) in part.iter_mut().enumerate() {
                *slot = distance(points.row(c * ROW_CHUNK + k), y);
            }
        });
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
    fn every_simd_level_gives_the_same_bits_as_distance() {
        for (n, dims) in [(150, 2), (77, 10), (70, 101)] {
            let data = random_points(n, dims, 11 + dims as u32);
            let points = Points::new("points", &data, dims).unwrap();
            let soa = coordinate_major(&points).unwrap();
            let mut levels = vec![SimdLevel::Portable, SimdLevel::detect()];
            if SimdLevel::detect() == SimdLevel::Avx512 {
                levels.push(SimdLevel::Avx2);
            }
            for level in levels {
                let mut out = vec![f64::NAN; n * n];
                fill_tiles(&points, &soa, TileWriter(out.as_mut_ptr()), level);
                for i in 0..n {
                    for j in 0..n {
                        let want = distance(points.row(i), points.row(j));
                        assert_eq!(out[i * n + j].to_bits(), want.to_bits(), "{level:?}");
                    }
                }
            }
        }
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
    fn into_equals_the_vec_variant_bit_for_bit() {
        for (n, dims) in [(1, 3), (130, 7), (300, 2)] {
            let data = random_points(n, dims, 5 + n as u32);
            let points = Points::new("points", &data, dims).unwrap();
            let v = distance_matrix(points).unwrap();
            let mut out = vec![f64::NAN; n * n];
            distance_matrix_into(points, &mut out).unwrap();
            assert!(v.iter().zip(&out).all(|(a, b)| a.to_bits() == b.to_bits()));
            assert_eq!(
                distance_matrix_into(points, &mut out[1..])
                    .unwrap_err()
                    .to_string(),
                format!(
                    "out must have length {} (n x n with n = {n}), got length {}",
                    n * n,
                    n * n - 1
                )
            );
        }
    }

    #[test]
    fn too_large_is_an_error_before_allocating() {
        let data = vec![0.0; 70_000];
        let points = Points::new("points", &data, 1).unwrap();
        assert!(matches!(
            distance_matrix(points),
            Err(MdsError::TooLarge { n: 70_000, .. })
        ));
        assert_eq!(
            distance_matrix_into(points, &mut []).unwrap_err().to_string(),
            "points: n = 70000 needs an n x n matrix of 4900000000 elements, more than the limit of 4294967296 (n <= 65536); use fewer points"
        );
    }

    #[test]
    fn dist_from_point_scans_y_and_into_matches() {
        let data = random_points(300, 3, 7);
        let points = Points::new("points", &data, 3).unwrap();
        assert_eq!(
            dist_from_point(points, &[0.0, f64::NAN, 1.0])
                .unwrap_err()
                .to_string(),
            "y[1] must be a finite number, got NaN"
        );
        let y = [0.25, -1.0, 2.0];
        let v = dist_from_point(points, &y).unwrap();
        let mut out = vec![f64::NAN; 300];
        dist_from_point_into(points, &y, &mut out).unwrap();
        assert!(v.iter().zip(&out).all(|(a, b)| a.to_bits() == b.to_bits()));
        assert_eq!(
            dist_from_point_into(points, &y, &mut out[1..])
                .unwrap_err()
                .to_string(),
            "out must have length 300 (one value per point), got length 299"
        );
    }
}
