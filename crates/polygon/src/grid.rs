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

/// Inclusive ranges of cell columns and rows.
#[derive(Debug, Clone, Copy)]
pub struct CellBox {
    pub i0: usize,
    pub i1: usize,
    pub j0: usize,
    pub j1: usize,
}

fn cell_of(v: f64, min: f64, inv_cell: f64, n: usize) -> usize {
    let t = ((v - min) * inv_cell).floor();
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
    /// Buckets centers `(cx[i], cy[i])`; about two centers per cell.
    pub fn build(cx: &[f64], cy: &[f64], areas: &[f64]) -> Self {
        let n = cx.len();
        let (mut min_x, mut max_x, mut min_y, mut max_y) = (0.0, 0.0, 0.0, 0.0);
        if n > 0 {
            min_x = cx.iter().copied().fold(f64::INFINITY, f64::min);
            max_x = cx.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            min_y = cy.iter().copied().fold(f64::INFINITY, f64::min);
            max_y = cy.iter().copied().fold(f64::NEG_INFINITY, f64::max);
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
        let inv_cell = 1.0 / cell;
        let cells = nx * ny;
        let cell_index: Vec<usize> = (0..n)
            .map(|i| cell_of(cy[i], min_y, inv_cell, ny) * nx + cell_of(cx[i], min_x, inv_cell, nx))
            .collect();
        let mut cell_start = vec![0u32; cells + 1];
        for &c in &cell_index {
            cell_start[c + 1] += 1;
        }
        for c in 0..cells {
            cell_start[c + 1] += cell_start[c];
        }
        let mut next: Vec<u32> = cell_start[..cells].to_vec();
        let mut entries = vec![Entry::default(); n];
        for (i, &c) in cell_index.iter().enumerate() {
            let slot = next[c] as usize;
            next[c] += 1;
            entries[slot] = Entry {
                x: cx[i],
                y: cy[i],
                area: areas[i],
                id: i as u32,
            };
        }
        Self {
            min_x,
            min_y,
            cell,
            inv_cell,
            nx,
            ny,
            cell_start,
            entries,
        }
    }

    /// Cells that can hold a center within `r` of `(px, py)`.
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

    /// Row-major number of the cell holding `(px, py)`, clamped to the grid.
    pub fn cell_number(&self, px: f64, py: f64) -> usize {
        let (i, j) = self.home_cell(px, py);
        j * self.nx + i
    }

    pub fn cell_count(&self) -> usize {
        self.nx * self.ny
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
