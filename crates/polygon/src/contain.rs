//! Containment: which polygons contain a point (exact point-in-polygon,
//! even-odd over all of a polygon's rings, half-open edges, see
//! [`crate::geometry::ring_parity`]), pruned by a uniform grid over the
//! polygons' bounding boxes.
//!
//! A point is in polygon i when it lies in i's closed bounding box (over
//! all its rings) and the ray towards +x crosses its rings an odd number of
//! times. The bounding-box test is part of the definition (the TypeScript
//! reference runs it too), so the grid, which lists a polygon in every cell
//! its box overlaps, can never miss one: the cell of a coordinate is a
//! monotone function of it, so a point inside a box lies in a cell between
//! the cells of the box's corners. Polygons overlapping more than
//! [`BIG_SPAN`] cells are kept in one list that every point checks.
//!
//! Queries sort the points by grid cell (stable), run over fixed chunks of
//! [`crate::POINT_CHUNK`] points in parallel, and write each answer to its
//! point's slot: the same output for every thread count.

use fastkernels_common::alloc::{collected, filled, push};
use rayon::prelude::*;

use crate::bucket::counting_sort;
use crate::error::PolygonError;
use crate::geometry::{area, ring_parity};
use crate::grid::cell_of;
use crate::index::{
    check_out_len, check_points, check_shapes, fill, map_chunks, Best, QueryPoint, StopCheck,
    BUILD_CHUNK, POINT_CHUNK,
};

/// A polygon whose box overlaps more cells than this is checked by every
/// point instead of being listed in each cell.
pub const BIG_SPAN: usize = 64;

/// A closed bounding box.
#[derive(Debug, Clone, Copy, Default)]
struct BBox {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl BBox {
    #[inline]
    fn holds(&self, px: f64, py: f64) -> bool {
        px >= self.x0 && px <= self.x1 && py >= self.y0 && py <= self.y1
    }
}

/// Grid over bounding boxes: `ids[cell_start[c]..cell_start[c + 1]]` are the
/// polygons (ascending) whose box overlaps cell c; `big` the others.
#[derive(Debug, Clone)]
struct BoxGrid {
    min_x: f64,
    min_y: f64,
    inv_cell: f64,
    nx: usize,
    ny: usize,
    cell_start: Vec<usize>,
    ids: Vec<u32>,
    big: Vec<u32>,
}

impl BoxGrid {
    fn build(boxes: &[BBox]) -> Result<Self, PolygonError> {
        let n = boxes.len();
        let (mut min_x, mut min_y) = (f64::INFINITY, f64::INFINITY);
        let (mut max_x, mut max_y) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        // Sequential sums: the cell size, hence the grid, is the same bits every run.
        let mut extent_sum = 0.0;
        for b in boxes {
            min_x = min_x.min(b.x0);
            min_y = min_y.min(b.y0);
            max_x = max_x.max(b.x1);
            max_y = max_y.max(b.y1);
            extent_sum += (b.x1 - b.x0).max(b.y1 - b.y0);
        }
        let (w, h) = (max_x - min_x, max_y - min_y);
        let target = (n / 2).max(1) as f64;
        let spacing = if w > 0.0 && h > 0.0 {
            (w * h / target).sqrt()
        } else {
            w.max(h) / target
        };
        // Cells about as large as a typical polygon: each box then spans a
        // few cells and each cell holds a few boxes.
        let mut cell = spacing.max(extent_sum / n.max(1) as f64);
        let (nx, ny) =
            if n == 0 || !(cell > 0.0 && cell.is_finite() && w.is_finite() && h.is_finite()) {
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
            min_x: if n == 0 { 0.0 } else { min_x },
            min_y: if n == 0 { 0.0 } else { min_y },
            inv_cell: 1.0 / cell,
            nx,
            ny,
            cell_start: Vec::new(),
            ids: Vec::new(),
            big: Vec::new(),
        };
        let mut counts = filled(nx * ny + 1, 0usize, "the containment grid")?;
        let mut big = Vec::new();
        for (i, b) in boxes.iter().enumerate() {
            let (i0, i1, j0, j1) = grid.span(b);
            if (i1 - i0 + 1) * (j1 - j0 + 1) > BIG_SPAN {
                push(&mut big, i as u32, "the containment grid")?;
                continue;
            }
            for j in j0..=j1 {
                for c in j * nx + i0..=j * nx + i1 {
                    counts[c + 1] += 1;
                }
            }
        }
        for c in 0..nx * ny {
            counts[c + 1] += counts[c];
        }
        let mut next = fastkernels_common::alloc::copied(&counts, "the containment grid")?;
        let mut ids = filled(counts[nx * ny], 0u32, "the containment grid")?;
        for (i, b) in boxes.iter().enumerate() {
            let (i0, i1, j0, j1) = grid.span(b);
            if (i1 - i0 + 1) * (j1 - j0 + 1) > BIG_SPAN {
                continue;
            }
            for j in j0..=j1 {
                for c in j * nx + i0..=j * nx + i1 {
                    ids[next[c]] = i as u32;
                    next[c] += 1;
                }
            }
        }
        grid.cell_start = counts;
        grid.ids = ids;
        grid.big = big;
        Ok(grid)
    }

    /// Cell columns and rows a box overlaps (clamped to the grid).
    #[inline]
    fn span(&self, b: &BBox) -> (usize, usize, usize, usize) {
        (
            cell_of(b.x0, self.min_x, self.inv_cell, self.nx),
            cell_of(b.x1, self.min_x, self.inv_cell, self.nx),
            cell_of(b.y0, self.min_y, self.inv_cell, self.ny),
            cell_of(b.y1, self.min_y, self.inv_cell, self.ny),
        )
    }

    /// Row-major number of the cell of `(px, py)`, clamped to the grid.
    #[inline]
    fn cell_number(&self, px: f64, py: f64) -> usize {
        let i = cell_of(px, self.min_x, self.inv_cell, self.nx);
        let j = cell_of(py, self.min_y, self.inv_cell, self.ny);
        j * self.nx + i
    }

    /// Polygons listed in the cell of `(px, py)`.
    #[inline]
    fn cell(&self, px: f64, py: f64) -> &[u32] {
        let c = self.cell_number(px, py);
        &self.ids[self.cell_start[c]..self.cell_start[c + 1]]
    }
}

/// Polygons with their rings, boxes and areas, and the containment grid.
#[derive(Debug, Clone)]
pub struct Shapes {
    x: Vec<f64>,
    y: Vec<f64>,
    offsets: Vec<u32>,
    rings: Vec<u32>,
    boxes: Vec<BBox>,
    areas: Vec<f64>,
    grid: BoxGrid,
}

/// Polygons containing each point, CSR: point p's are
/// `polygons[offsets[p]..offsets[p + 1]]`, ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Containing {
    pub offsets: Vec<i32>,
    pub polygons: Vec<i32>,
}

impl Shapes {
    /// Packed rings as in [`crate::PolygonIndex::build_rings`]; the vertices
    /// are copied (the index outlives the call).
    pub fn build(
        x: &[f64],
        y: &[f64],
        offsets: &[u32],
        rings: Option<&[u32]>,
    ) -> Result<Self, PolygonError> {
        check_shapes(x, y, offsets, rings)?;
        let ring_count = offsets.len() - 1;
        let rings = match rings {
            Some(r) => fastkernels_common::alloc::copied(r, "the polygon rings")?,
            None => collected(ring_count + 1, 0..=ring_count as u32, "the polygon rings")?,
        };
        let count = rings.len() - 1;
        let measure = |i: usize| {
            let (r0, r1) = (rings[i] as usize, rings[i + 1] as usize);
            let (s, e) = (offsets[r0] as usize, offsets[r1] as usize);
            let mut b = BBox {
                x0: f64::INFINITY,
                y0: f64::INFINITY,
                x1: f64::NEG_INFINITY,
                y1: f64::NEG_INFINITY,
            };
            for v in s..e {
                b.x0 = b.x0.min(x[v]);
                b.x1 = b.x1.max(x[v]);
                b.y0 = b.y0.min(y[v]);
                b.y1 = b.y1.max(y[v]);
            }
            let outer_end = offsets[r0 + 1] as usize;
            (b, area(&x[s..outer_end], &y[s..outer_end]))
        };
        let mut measured = filled(count, (BBox::default(), 0.0), "the polygon boxes")?;
        if count <= BUILD_CHUNK {
            measured
                .iter_mut()
                .enumerate()
                .for_each(|(i, m)| *m = measure(i));
        } else {
            measured
                .par_iter_mut()
                .with_min_len(BUILD_CHUNK)
                .enumerate()
                .for_each(|(i, m)| *m = measure(i));
        }
        let boxes = collected(count, measured.iter().map(|m| m.0), "the polygon boxes")?;
        let areas = collected(count, measured.iter().map(|m| m.1), "the areas")?;
        drop(measured);
        let grid = BoxGrid::build(&boxes)?;
        Ok(Self {
            x: fastkernels_common::alloc::copied(x, "the vertices")?,
            y: fastkernels_common::alloc::copied(y, "the vertices")?,
            offsets: fastkernels_common::alloc::copied(offsets, "the ring offsets")?,
            rings,
            boxes,
            areas,
            grid,
        })
    }

    pub fn len(&self) -> usize {
        self.areas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    /// Areas of the outer rings (the same bits as [`crate::PolygonIndex`]'s).
    pub fn areas(&self) -> &[f64] {
        &self.areas
    }

    /// Whether polygon `i` contains `(px, py)` (see the module comment).
    #[inline]
    pub fn contains(&self, i: usize, px: f64, py: f64) -> bool {
        if !self.boxes[i].holds(px, py) {
            return false;
        }
        let mut odd = false;
        for r in self.rings[i] as usize..self.rings[i + 1] as usize {
            let (s, e) = (self.offsets[r] as usize, self.offsets[r + 1] as usize);
            odd ^= ring_parity(&self.x[s..e], &self.y[s..e], px, py);
        }
        odd
    }

    /// Calls `visit(i)` for every polygon containing the point (cell list,
    /// then the big list; each ascending).
    #[inline]
    fn visit_containing(&self, px: f64, py: f64, mut visit: impl FnMut(u32)) {
        if self.is_empty() {
            return;
        }
        for &i in self.grid.cell(px, py).iter().chain(&self.grid.big) {
            if self.contains(i as usize, px, py) {
                visit(i);
            }
        }
    }

    /// The points, tagged with their number, in cell order (a stable
    /// counting sort): consecutive queries then read the same cells,
    /// boxes and vertices in cache. Answers do not depend on the order;
    /// they are written back by point number.
    fn query_order(&self, points: &[f64]) -> Result<Vec<QueryPoint>, PolygonError> {
        let n = points.len() / 2;
        let in_order = collected(
            n,
            (0..n).map(|p| QueryPoint {
                x: points[2 * p],
                y: points[2 * p + 1],
                p: p as u32,
            }),
            "the query points",
        )?;
        if n <= POINT_CHUNK || self.is_empty() {
            return Ok(in_order);
        }
        let g = &self.grid;
        Ok(counting_sort(&in_order, g.nx * g.ny, |q| g.cell_number(q.x, q.y))?.items)
    }

    /// Every containing polygon per point (ascending), as CSR.
    pub fn containing(
        &self,
        points: &[f64],
        stop: StopCheck<'_>,
    ) -> Result<Containing, PolygonError> {
        check_points(points)?;
        let order = self.query_order(points)?;
        let partials = map_chunks(&order, stop, |chunk| {
            let mut found: Vec<i32> = Vec::new();
            let mut counts = Vec::with_capacity(chunk.len());
            let mut refused = None;
            for q in chunk {
                let start = found.len();
                self.visit_containing(q.x, q.y, |i| {
                    if refused.is_none() {
                        if let Err(e) = push(&mut found, i as i32, "the containing polygons") {
                            refused = Some(e);
                        }
                    }
                });
                if let Some(e) = refused {
                    return Err(e);
                }
                // The cell list and the big list are each ascending; merge them.
                found[start..].sort_unstable();
                counts.push(found.len() - start);
            }
            Ok((found, counts))
        })?
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
        let total: usize = partials.iter().map(|(found, _)| found.len()).sum();
        if total > i32::MAX as usize {
            return Err(PolygonError::TooManyContaining { count: total });
        }
        // Offsets in point order, then every point's polygons copied to its slot.
        let n = order.len();
        let mut offsets = filled(n + 1, 0i32, "the containing offsets")?;
        let counts = partials.iter().flat_map(|(_, counts)| counts.iter());
        for (q, &count) in order.iter().zip(counts) {
            offsets[q.p as usize + 1] = count as i32;
        }
        for p in 0..n {
            offsets[p + 1] += offsets[p];
        }
        let mut polygons = filled(total, 0i32, "the containing polygons")?;
        let mut points_done = order.iter();
        for (found, counts) in &partials {
            let mut at = 0;
            for (&count, q) in counts.iter().zip(points_done.by_ref()) {
                let dest = offsets[q.p as usize] as usize;
                polygons[dest..dest + count].copy_from_slice(&found[at..at + count]);
                at += count;
            }
        }
        Ok(Containing { offsets, polygons })
    }

    /// Per point, the containing polygon with the lowest area (or score),
    /// ties to the lowest index; -1 if none.
    pub fn best_containing_into(
        &self,
        points: &[f64],
        best: Best<'_>,
        stop: StopCheck<'_>,
        out: &mut [i32],
    ) -> Result<(), PolygonError> {
        check_points(points)?;
        check_out_len(points, out)?;
        let scores = best.scores(&self.areas)?;
        let answer = |q: &QueryPoint| {
            // As the distance mode: a NaN area (shoelace overflow) never
            // beats another, but the lowest-index containing polygon is kept
            // if its own is NaN (an index-order scan keeps its first).
            let mut best: Option<(f64, u32)> = None;
            let mut first: Option<(u32, bool)> = None;
            self.visit_containing(q.x, q.y, |i| {
                let s = scores[i as usize];
                if first.is_none_or(|(fi, _)| i < fi) {
                    first = Some((i, s.is_nan()));
                }
                let better = match best {
                    None => !s.is_nan(),
                    Some((bs, bi)) => s < bs || (s == bs && i < bi),
                };
                if better {
                    best = Some((s, i));
                }
            });
            match (first, best) {
                (Some((fi, true)), _) => fi as i32,
                (_, Some((_, bi))) => bi as i32,
                _ => -1,
            }
        };
        let order = self.query_order(points)?;
        fill(&order, stop, out, answer)
    }
}
