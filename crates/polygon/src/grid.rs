//! A uniform grid over the polygon centers.
//!
//! Centers are bucketed by cell with a counting sort (stable, so each cell
//! lists its polygons in ascending index) and stored packed in cell order for
//! cache locality. A query visits only the cells its search box overlaps.
//!
//! Exactness: the cell of a coordinate is `floor((v - min) * inv_cell)`
//! clamped to the grid. Every step is monotone in `v` under IEEE rounding, so
//! a center that passes the exact distance test lies in a cell between the
//! cells of `p - r - slack` and `p + r + slack`, where `slack` covers the few
//! ulps of rounding in the distance. Candidates are then tested with the exact
//! distance definition, so the grid never changes an answer, only the work.

/// Relative slack for search boxes and ring bounds: far above the few ulps
/// of rounding in `sqrt(dx*dx + dy*dy)`, far below any meaningful distance.
const RELATIVE_SLACK: f64 = 1e-12;
/// Absolute slack: covers squares of tiny differences that underflow to 0.
const ABSOLUTE_SLACK: f64 = 1e-100;

use rayon::prelude::*;

use fastkernels_common::alloc::{collected, filled, AllocError};

use crate::bucket::{counting_sort, par_counting_sort, BUCKET_CHUNK};
use crate::geometry::EARTH_RADIUS_M;

#[derive(Debug, Clone)]
pub struct Grid {
    min_x: f64,
    min_y: f64,
    cell: f64,
    inv_cell: f64,
    nx: usize,
    ny: usize,
    /// `cell_start[c]..cell_start[c + 1]` are cell c's entries.
    cell_start: Vec<u32>,
    /// Entries in cell order (one cache line holds two).
    pub(crate) entries: Vec<Entry>,
}

/// A polygon as the grid stores it: center, area and index side by side,
/// so a candidate costs one memory access.
#[derive(Debug, Clone, Copy, Default)]
pub struct Entry {
    pub x: f64,
    pub y: f64,
    pub area: f64,
    pub id: u32,
}

/// Bands of whole rows, the unit of parallel bucketing: at most this many.
pub const MAX_BANDS: usize = 1024;

/// `count` bands of `rows` consecutive rows of cells (the last may be shorter).
#[derive(Debug, Clone, Copy)]
pub struct Bands {
    pub rows: usize,
    pub count: usize,
}

/// One band's share of the grid build: band number, its first entry, its
/// entries and its cells' starts.
type BandWork<'a> = (usize, usize, &'a mut [Entry], &'a mut [u32]);

/// Inclusive ranges of cell columns and rows.
#[derive(Debug, Clone, Copy)]
pub struct CellBox {
    pub i0: usize,
    pub i1: usize,
    pub j0: usize,
    pub j1: usize,
}

/// `floor((v - min) * inv_cell)` clamped to `0..n`. For `t >= 0` truncation
/// is floor, and every `t < 0` clamps to 0 either way, so no `floor` call
/// (a libm call without SSE4.1) is needed.
#[inline]
pub(crate) fn cell_of(v: f64, min: f64, inv_cell: f64, n: usize) -> usize {
    let t = (v - min) * inv_cell;
    // NaN (only from extents that already forced a single cell) goes to cell 0.
    if t.is_nan() || t < 0.0 {
        0
    } else if t >= (n - 1) as f64 {
        n - 1
    } else {
        t as usize
    }
}

/// Slack for coordinates around magnitude `scale`.
pub fn slack(scale: f64) -> f64 {
    RELATIVE_SLACK * scale + ABSOLUTE_SLACK
}

impl Grid {
    /// Buckets centers `(cx[i], cy[i])`; about two centers per cell. Parallel
    /// (stable sort by band of rows, then by cell within each band), and the
    /// same for every thread count: each cell lists its polygons in
    /// ascending index.
    pub fn build(cx: &[f64], cy: &[f64], areas: &[f64]) -> Result<Self, AllocError> {
        let n = cx.len();
        // Small inputs stay off rayon entirely (the binding runs them on the
        // calling thread, outside any pool).
        let parallel = n > BUCKET_CHUNK;
        let (mut min_x, mut max_x, mut min_y, mut max_y) = (0.0, 0.0, 0.0, 0.0);
        if n > 0 {
            // min/max ignore NaN and are exact, so any reduction order gives the same bits.
            let lo = |v: &[f64]| {
                if parallel {
                    v.par_iter().copied().reduce(|| f64::INFINITY, f64::min)
                } else {
                    v.iter().copied().fold(f64::INFINITY, f64::min)
                }
            };
            let hi = |v: &[f64]| {
                if parallel {
                    v.par_iter().copied().reduce(|| f64::NEG_INFINITY, f64::max)
                } else {
                    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                }
            };
            (min_x, max_x, min_y, max_y) = (lo(cx), hi(cx), lo(cy), hi(cy));
        }
        let (w, h) = (max_x - min_x, max_y - min_y);
        let target_cells = (n / 2).max(1) as f64;
        let mut cell = if w > 0.0 && h > 0.0 {
            (w * h / target_cells).sqrt()
        } else {
            w.max(h) / target_cells
        };
        let (nx, ny) = if cell.is_nan()
            || cell <= 0.0
            || !cell.is_finite()
            || !w.is_finite()
            || !h.is_finite()
        {
            // One point, or extents too large to divide: one cell, brute force.
            cell = 1.0;
            (1, 1)
        } else {
            let cap = 4 * n + 16;
            loop {
                let nx = ((w / cell).floor() as usize).saturating_add(1);
                let ny = ((h / cell).floor() as usize).saturating_add(1);
                if nx.saturating_mul(ny) <= cap {
                    break (nx, ny);
                }
                cell *= 2.0;
            }
        };
        let mut grid = Self {
            min_x,
            min_y,
            cell,
            inv_cell: 1.0 / cell,
            nx,
            ny,
            cell_start: Vec::new(),
            entries: Vec::new(),
        };
        let entry = |i: usize| Entry {
            x: cx[i],
            y: cy[i],
            area: areas[i],
            id: i as u32,
        };
        let mut entries: Vec<Entry> = filled(n, Entry::default(), "the grid entries")?;
        if parallel {
            entries
                .par_iter_mut()
                .with_min_len(BUCKET_CHUNK)
                .enumerate()
                .for_each(|(i, e)| *e = entry(i));
        } else {
            entries
                .iter_mut()
                .enumerate()
                .for_each(|(i, e)| *e = entry(i));
        }
        let cells = nx * ny;
        if !parallel {
            // One counting sort by cell: the same stable order as below.
            let sorted = counting_sort(&entries, cells, |e| grid.cell_number(e.x, e.y))?;
            grid.cell_start = collected(
                sorted.start.len(),
                sorted.start.iter().map(|&s| s as u32),
                "the grid cells",
            )?;
            grid.entries = sorted.items;
            return Ok(grid);
        }
        let bands = grid.bands();
        let by_band = par_counting_sort(&entries, bands.count, |e| grid.row_of(e.y) / bands.rows)?;
        drop(entries);
        // Within each band (a contiguous run of rows, so of cells): sort by cell.
        let mut cell_start = filled(cells + 1, 0u32, "the grid cells")?;
        let mut sorted = by_band.items;
        let mut work = Vec::with_capacity(bands.count);
        let (mut entries_rest, mut starts_rest) = (&mut sorted[..], &mut cell_start[..cells]);
        for b in 0..bands.count {
            let band_cells = (((b + 1) * bands.rows).min(ny) - b * bands.rows) * nx;
            let (e, e_tail) = entries_rest.split_at_mut(by_band.start[b + 1] - by_band.start[b]);
            let (c, c_tail) = starts_rest.split_at_mut(band_cells);
            work.push((b, by_band.start[b], e, c));
            (entries_rest, starts_rest) = (e_tail, c_tail);
        }
        let g = &grid;
        work.into_par_iter().try_for_each(
            |(b, first, band_entries, band_starts): BandWork<'_>| {
                let start = g.sort_band_by_cell(b, band_entries, |e| (e.x, e.y))?;
                for (slot, &s) in band_starts.iter_mut().zip(&start) {
                    *slot = (first + s) as u32;
                }
                Ok::<(), AllocError>(())
            },
        )?;
        cell_start[cells] = n as u32;
        grid.cell_start = cell_start;
        grid.entries = sorted;
        Ok(grid)
    }

    /// Rows of cells grouped into at most [`MAX_BANDS`] bands of `rows` rows.
    pub fn bands(&self) -> Bands {
        let rows = self.ny.div_ceil(MAX_BANDS).max(1);
        Bands {
            rows,
            count: self.ny.div_ceil(rows),
        }
    }

    /// Stable sort of the items of band `b` (all in that band) by cell;
    /// returns the start of each of the band's cells within `items` (one
    /// more entry than the band has cells).
    pub fn sort_band_by_cell<T: Copy + Default>(
        &self,
        b: usize,
        items: &mut [T],
        position: impl Fn(&T) -> (f64, f64),
    ) -> Result<Vec<usize>, AllocError> {
        let bands = self.bands();
        let first_row = b * bands.rows;
        let band_cells = (((b + 1) * bands.rows).min(self.ny) - first_row) * self.nx;
        let first_cell = first_row * self.nx;
        let key = |item: &T| {
            let (x, y) = position(item);
            self.cell_number(x, y).saturating_sub(first_cell)
        };
        let sorted = counting_sort(items, band_cells, key)?;
        items.copy_from_slice(&sorted.items);
        Ok(sorted.start)
    }

    /// Row-major number of the cell holding `(px, py)`, clamped to the grid.
    #[inline]
    fn cell_number(&self, px: f64, py: f64) -> usize {
        let (i, j) = self.home_cell(px, py);
        j * self.nx + i
    }

    /// Cells that can hold a center within `r` of `(px, py)`.
    #[inline]
    pub fn search_box(&self, px: f64, py: f64, r: f64) -> CellBox {
        let sx = slack(px.abs() + r + self.min_x.abs());
        let sy = slack(py.abs() + r + self.min_y.abs());
        CellBox {
            i0: cell_of(px - r - sx, self.min_x, self.inv_cell, self.nx),
            i1: cell_of(px + r + sx, self.min_x, self.inv_cell, self.nx),
            j0: cell_of(py - r - sy, self.min_y, self.inv_cell, self.ny),
            j1: cell_of(py + r + sy, self.min_y, self.inv_cell, self.ny),
        }
    }

    /// Cells that can hold a `[lon, lat]` center within `d` metres
    /// (haversine) of `(lon, lat)`. Exact bounds on the sphere, widened by
    /// a relative 1e-9 and an absolute 1e-9 degrees (about 0.1 mm) for the
    /// rounding of the trigonometry: latitudes within `d / R` radians; and
    /// longitudes within `asin(sin(d / R) / cos(lat))` of the point's,
    /// unless the cap reaches a pole or crosses the antimeridian, where
    /// every column of the latitude band is searched (centers are checked
    /// to lie within [-180, 180], so no wrapped center is missed).
    pub fn lon_lat_box(&self, lon: f64, lat: f64, d: f64) -> CellBox {
        let all = CellBox {
            i0: 0,
            i1: self.nx - 1,
            j0: 0,
            j1: self.ny - 1,
        };
        let theta = d / EARTH_RADIUS_M;
        // theta is never NaN: max_dist was checked (not NaN, >= 0).
        if theta >= std::f64::consts::FRAC_PI_2 {
            return all;
        }
        let widen = |deg: f64| deg * (1.0 + 1e-9) + 1e-9;
        let dlat = widen(theta.to_degrees());
        let band = CellBox {
            j0: cell_of(lat - dlat, self.min_y, self.inv_cell, self.ny),
            j1: cell_of(lat + dlat, self.min_y, self.inv_cell, self.ny),
            ..all
        };
        let phi = lat.abs().to_radians();
        if lat.abs() + dlat >= 90.0 || theta >= std::f64::consts::FRAC_PI_2 - phi {
            return band;
        }
        let s = theta.sin() / phi.cos();
        if s >= 1.0 {
            return band;
        }
        let dlon = widen(s.asin().to_degrees());
        if lon - dlon < -180.0 || lon + dlon > 180.0 {
            return band;
        }
        CellBox {
            i0: cell_of(lon - dlon, self.min_x, self.inv_cell, self.nx),
            i1: cell_of(lon + dlon, self.min_x, self.inv_cell, self.nx),
            ..band
        }
    }

    /// A lower bound, in metres (haversine), on the distance from `(lon,
    /// lat)` to any `[lon, lat]` center outside the cells of `visited`.
    /// Rows beyond the box are at least their latitude difference away;
    /// columns beyond it differ in longitude by at least `L` degrees (taking
    /// the wrap over the antimeridian into account), and every point at a
    /// longitude difference of at least `L` is at least `asin(cos(lat) ·
    /// sin(L))` away (the distance to the great circle of the meridian `L`
    /// away, for any `L` up to 180). Shrunk by a relative 1e-9 and 1 µm for
    /// rounding.
    pub fn outside_bound_lon_lat(&self, lon: f64, lat: f64, visited: CellBox) -> f64 {
        let mut deg_lat = f64::INFINITY;
        if visited.j0 > 0 {
            deg_lat = deg_lat.min(lat - (self.min_y + visited.j0 as f64 * self.cell));
        }
        if visited.j1 + 1 < self.ny {
            deg_lat = deg_lat.min((self.min_y + (visited.j1 + 1) as f64 * self.cell) - lat);
        }
        let mut deg_lon = f64::INFINITY;
        if visited.i0 > 0 {
            let edge = self.min_x + visited.i0 as f64 * self.cell;
            deg_lon = deg_lon.min((lon - edge).min(180.0 - lon));
        }
        if visited.i1 + 1 < self.nx {
            let edge = self.min_x + (visited.i1 + 1) as f64 * self.cell;
            deg_lon = deg_lon.min((edge - lon).min(180.0 + lon));
        }
        if deg_lat.is_infinite() && deg_lon.is_infinite() {
            return f64::INFINITY;
        }
        let from_lat = deg_lat.max(0.0).to_radians();
        let from_lon = if deg_lon.is_infinite() {
            f64::INFINITY
        } else {
            (lat.to_radians().cos().max(0.0) * deg_lon.clamp(0.0, 180.0).to_radians().sin()).asin()
        };
        let angle = from_lat.min(from_lon);
        (angle * EARTH_RADIUS_M * (1.0 - 1e-9) - 1e-6).max(0.0)
    }

    /// Entry range of cell (i, j).
    #[inline]
    pub fn cell_entries(&self, i: usize, j: usize) -> std::ops::Range<usize> {
        let c = j * self.nx + i;
        self.cell_start[c] as usize..self.cell_start[c + 1] as usize
    }

    /// Entry range of the cells i0..=i1 of row j (contiguous in memory).
    #[inline]
    pub fn row_entries(&self, j: usize, i0: usize, i1: usize) -> std::ops::Range<usize> {
        let base = j * self.nx;
        self.cell_start[base + i0] as usize..self.cell_start[base + i1 + 1] as usize
    }

    /// The row of cells holding `y`, clamped to the grid.
    #[inline]
    pub fn row_of(&self, y: f64) -> usize {
        cell_of(y, self.min_y, self.inv_cell, self.ny)
    }

    /// The cell holding `(px, py)`, clamped to the grid.
    pub fn home_cell(&self, px: f64, py: f64) -> (usize, usize) {
        (
            cell_of(px, self.min_x, self.inv_cell, self.nx),
            cell_of(py, self.min_y, self.inv_cell, self.ny),
        )
    }

    pub fn dims(&self) -> (usize, usize) {
        (self.nx, self.ny)
    }

    /// A lower bound on the distance from `(px, py)` to any center outside the
    /// cells of `visited` (`INFINITY` if the box covers the grid).
    pub fn outside_bound(&self, px: f64, py: f64, visited: CellBox) -> f64 {
        let s = slack(
            px.abs()
                + py.abs()
                + self.min_x.abs()
                + self.min_y.abs()
                + (self.nx + self.ny) as f64 * self.cell,
        );
        let mut bound = f64::INFINITY;
        if visited.i0 > 0 {
            bound = bound.min(px - (self.min_x + visited.i0 as f64 * self.cell));
        }
        if visited.i1 + 1 < self.nx {
            bound = bound.min((self.min_x + (visited.i1 + 1) as f64 * self.cell) - px);
        }
        if visited.j0 > 0 {
            bound = bound.min(py - (self.min_y + visited.j0 as f64 * self.cell));
        }
        if visited.j1 + 1 < self.ny {
            bound = bound.min((self.min_y + (visited.j1 + 1) as f64 * self.cell) - py);
        }
        if bound.is_infinite() {
            bound
        } else {
            (bound - s).max(0.0)
        }
    }
}
