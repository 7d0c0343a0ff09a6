//! The packed polygon index: centers and areas computed once, a grid over
//! the centers, and bulk queries parallel over points.
//!
//! Parallel queries cut the points into chunks of [`POINT_CHUNK`] (a size that
//! does not depend on the pool), answer each point independently and
//! concatenate the chunks in point order, so the output is the same for
//! every thread count.

use std::sync::atomic::{AtomicBool, Ordering};

use fastkernels_common::Flow;
use rayon::prelude::*;

use crate::error::PolygonError;
use crate::geometry::{area, center, distance};
use crate::grid::{CellBox, Grid};

/// Points per parallel work item. A query over at most this many points runs
/// sequentially without touching rayon.
pub const POINT_CHUNK: usize = 256;
/// Polygons per parallel work item when building.
pub const BUILD_CHUNK: usize = 4096;

/// Asked once per chunk of points; answering [`Flow::Stop`] cancels the query.
pub type StopCheck<'a> = &'a (dyn Fn() -> Flow + Sync);

/// A check that never stops.
pub fn never_stop() -> Flow {
    Flow::Continue
}

/// A validated radius: `max_dist` not NaN and >= 0 (infinity allowed).
#[derive(Debug, Clone, Copy)]
pub struct Radius {
    max_dist: f64,
    inclusive: bool,
}

impl Radius {
    pub fn new(max_dist: f64, inclusive: bool) -> Result<Self, PolygonError> {
        if max_dist.is_nan() || max_dist < 0.0 {
            return Err(PolygonError::MaxDist { value: max_dist });
        }
        Ok(Self {
            max_dist,
            inclusive,
        })
    }

    #[inline]
    pub fn admits(&self, d: f64) -> bool {
        if self.inclusive {
            d <= self.max_dist
        } else {
            d < self.max_dist
        }
    }

    /// Whether nothing at distance >= `bound` can be admitted.
    #[inline]
    fn excludes_beyond(&self, bound: f64) -> bool {
        if self.inclusive {
            bound > self.max_dist
        } else {
            bound >= self.max_dist
        }
    }
}

/// What "best" means in [`PolygonIndex::best_match`]: lowest area or lowest
/// caller score; ties go to the lowest polygon index.
#[derive(Debug, Clone, Copy)]
pub enum Best<'a> {
    Area,
    Scores(&'a [f64]),
}

/// All close polygons per point, CSR: point p's are `indices[offsets[p]..offsets[p + 1]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Csr {
    pub offsets: Vec<u32>,
    pub indices: Vec<u32>,
}

/// The k nearest centers per point, `k` slots per point, padded with -1 / NaN.
#[derive(Debug, Clone)]
pub struct Nearest {
    pub indices: Vec<i32>,
    pub distances: Vec<f64>,
}

#[derive(Debug, Clone)]
pub struct PolygonIndex {
    cx: Vec<f64>,
    cy: Vec<f64>,
    areas: Vec<f64>,
    grid: Grid,
}

fn check_offsets(x: &[f64], y: &[f64], offsets: &[u32]) -> Result<(), PolygonError> {
    if x.len() != y.len() {
        return Err(PolygonError::LengthMismatch {
            x: x.len(),
            y: y.len(),
        });
    }
    let first = *offsets.first().ok_or(PolygonError::OffsetsEmpty)?;
    if first != 0 {
        return Err(PolygonError::OffsetsStart { value: first });
    }
    for (index, pair) in offsets.windows(2).enumerate() {
        let (previous, value) = (pair[0], pair[1]);
        if value as usize > x.len() {
            return Err(PolygonError::OffsetPastEnd {
                index: index + 1,
                value,
                len: x.len(),
            });
        }
        if value < previous {
            return Err(PolygonError::OffsetsDecreasing {
                index: index + 1,
                value,
                previous,
            });
        }
        if value == previous {
            return Err(PolygonError::EmptyPolygon { index });
        }
    }
    check_finite("x", x)?;
    check_finite("y", y)
}

fn check_finite(what: &'static str, values: &[f64]) -> Result<(), PolygonError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(PolygonError::NonFinite {
            what,
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

/// Checks a flat point buffer: even length, finite.
pub fn check_points(points: &[f64]) -> Result<(), PolygonError> {
    if !points.len().is_multiple_of(2) {
        return Err(PolygonError::OddPoints { len: points.len() });
    }
    check_finite("points", points)
}

/// Maps every fixed-size chunk of points to a partial result, in parallel
/// when there is more than one chunk, and returns the partials in chunk
/// order. Returns Cancelled if `stop` answers Stop before a chunk starts.
fn map_chunks<R, F>(points: &[f64], stop: StopCheck<'_>, work: F) -> Result<Vec<R>, PolygonError>
where
    R: Send,
    F: Fn(&[f64]) -> R + Sync,
{
    if points.len() <= 2 * POINT_CHUNK {
        if stop() == Flow::Stop {
            return Err(PolygonError::Cancelled);
        }
        return Ok(vec![work(points)]);
    }
    let cancelled = AtomicBool::new(false);
    let partials: Vec<Option<R>> = points
        .par_chunks(2 * POINT_CHUNK)
        .map(|chunk| {
            if cancelled.load(Ordering::Relaxed) || stop() == Flow::Stop {
                cancelled.store(true, Ordering::Relaxed);
                return None;
            }
            Some(work(chunk))
        })
        .collect();
    if cancelled.into_inner() {
        return Err(PolygonError::Cancelled);
    }
    Ok(partials.into_iter().flatten().collect())
}

impl PolygonIndex {
    /// Builds the index from packed vertices: polygon i is vertices
    /// `offsets[i]..offsets[i + 1]`. Checks the buffers first.
    pub fn build(x: &[f64], y: &[f64], offsets: &[u32]) -> Result<Self, PolygonError> {
        check_offsets(x, y, offsets)?;
        let count = offsets.len() - 1;
        let geometry = |i: usize| {
            let (s, e) = (offsets[i] as usize, offsets[i + 1] as usize);
            let (cx, cy) = center(&x[s..e], &y[s..e]);
            (cx, cy, area(&x[s..e], &y[s..e]))
        };
        let per_polygon: Vec<(f64, f64, f64)> = if count <= BUILD_CHUNK {
            (0..count).map(geometry).collect()
        } else {
            (0..count)
                .into_par_iter()
                .with_min_len(BUILD_CHUNK)
                .map(geometry)
                .collect()
        };
        let cx: Vec<f64> = per_polygon.iter().map(|g| g.0).collect();
        let cy: Vec<f64> = per_polygon.iter().map(|g| g.1).collect();
        let areas: Vec<f64> = per_polygon.iter().map(|g| g.2).collect();
        let grid = Grid::build(&cx, &cy);
        Ok(Self {
            cx,
            cy,
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

    /// Centers interleaved `cx0, cy0, cx1, cy1, ...`.
    pub fn centers(&self) -> Vec<f64> {
        self.cx
            .iter()
            .zip(&self.cy)
            .flat_map(|(&x, &y)| [x, y])
            .collect()
    }

    pub fn areas(&self) -> &[f64] {
        &self.areas
    }

    /// Calls `visit(polygon, distance)` for every close polygon, in grid order.
    #[inline]
    fn visit_close(&self, px: f64, py: f64, radius: Radius, mut visit: impl FnMut(u32, f64)) {
        if self.is_empty() {
            return;
        }
        let b = self.grid.search_box(px, py, radius.max_dist);
        let g = &self.grid;
        for j in b.j0..=b.j1 {
            for e in g.row_entries(j, b.i0, b.i1) {
                let d = distance(g.ex[e], g.ey[e], px, py);
                if radius.admits(d) {
                    visit(g.id[e], d);
                }
            }
        }
    }

    /// Indices of the polygons close to `(px, py)`, ascending.
    pub fn close_to(&self, px: f64, py: f64, radius: Radius) -> Result<Vec<u32>, PolygonError> {
        check_points(&[px, py])?;
        let mut found = Vec::new();
        self.visit_close(px, py, radius, |i, _| found.push(i));
        found.sort_unstable();
        Ok(found)
    }

    /// Per point, the close polygon with the lowest area or score (ties: the
    /// lowest index), or -1.
    pub fn best_match(
        &self,
        points: &[f64],
        radius: Radius,
        best: Best<'_>,
        stop: StopCheck<'_>,
    ) -> Result<Vec<i32>, PolygonError> {
        check_points(points)?;
        let scores = match best {
            Best::Area => &self.areas[..],
            Best::Scores(scores) => {
                if scores.len() != self.len() {
                    return Err(PolygonError::ScoresLength {
                        expected: self.len(),
                        got: scores.len(),
                    });
                }
                if let Some(index) = scores.iter().position(|s| s.is_nan()) {
                    return Err(PolygonError::ScoreNaN { index });
                }
                scores
            }
        };
        let partials = map_chunks(points, stop, |pts| {
            pts.chunks_exact(2)
                .map(|p| {
                    let mut best: Option<(f64, u32)> = None;
                    self.visit_close(p[0], p[1], radius, |i, _| {
                        let s = scores[i as usize];
                        let better = match best {
                            None => true,
                            Some((bs, bi)) => s < bs || (s == bs && i < bi),
                        };
                        if better {
                            best = Some((s, i));
                        }
                    });
                    best.map_or(-1, |(_, i)| i as i32)
                })
                .collect::<Vec<i32>>()
        })?;
        Ok(partials.concat())
    }

    /// Every close polygon per point (ascending index), as CSR.
    pub fn within_distance(
        &self,
        points: &[f64],
        radius: Radius,
        stop: StopCheck<'_>,
    ) -> Result<Csr, PolygonError> {
        check_points(points)?;
        // Per chunk: the matches of its points in point order, and their counts.
        let partials = map_chunks(points, stop, |pts| {
            let mut found = Vec::new();
            let mut counts = Vec::with_capacity(pts.len() / 2);
            for p in pts.chunks_exact(2) {
                let start = found.len();
                self.visit_close(p[0], p[1], radius, |i, _| found.push(i));
                found[start..].sort_unstable();
                counts.push(found.len() - start);
            }
            (found, counts)
        })?;
        let total: usize = partials.iter().map(|(found, _)| found.len()).sum();
        if total > u32::MAX as usize {
            return Err(PolygonError::TooManyResults { count: total });
        }
        let mut offsets = Vec::with_capacity(points.len() / 2 + 1);
        offsets.push(0u32);
        let mut indices = Vec::with_capacity(total);
        for (found, counts) in partials {
            for count in counts {
                let last = *offsets.last().unwrap_or(&0);
                offsets.push(last + count as u32);
            }
            indices.extend_from_slice(&found);
        }
        Ok(Csr { offsets, indices })
    }

    /// The `k` nearest close centers per point, by distance then index.
    pub fn nearest(
        &self,
        points: &[f64],
        k: usize,
        radius: Radius,
        stop: StopCheck<'_>,
    ) -> Result<Nearest, PolygonError> {
        check_points(points)?;
        if k == 0 {
            return Err(PolygonError::K { value: 0 });
        }
        let partials = map_chunks(points, stop, |pts| {
            let mut indices = vec![-1i32; pts.len() / 2 * k];
            let mut distances = vec![f64::NAN; pts.len() / 2 * k];
            let mut top: Vec<(f64, u32)> = Vec::with_capacity(k.min(1024) + 1);
            for (p, point) in pts.chunks_exact(2).enumerate() {
                top.clear();
                self.nearest_one(point[0], point[1], k, radius, &mut top);
                for (j, &(d, i)) in top.iter().enumerate() {
                    indices[p * k + j] = i as i32;
                    distances[p * k + j] = d;
                }
            }
            (indices, distances)
        })?;
        let (indices, distances): (Vec<Vec<i32>>, Vec<Vec<f64>>) = partials.into_iter().unzip();
        Ok(Nearest {
            indices: indices.concat(),
            distances: distances.concat(),
        })
    }

    /// Ring search outwards from the point's cell until nothing unvisited can
    /// beat the k-th best or be within the radius.
    fn nearest_one(&self, px: f64, py: f64, k: usize, radius: Radius, top: &mut Vec<(f64, u32)>) {
        if self.is_empty() {
            return;
        }
        let g = &self.grid;
        let (nx, ny) = g.dims();
        let (ci, cj) = g.home_cell(px, py);
        let consider = |e: usize, top: &mut Vec<(f64, u32)>| {
            let d = distance(g.ex[e], g.ey[e], px, py);
            if !radius.admits(d) {
                return;
            }
            let key = (d, g.id[e]);
            if top.len() == k {
                let last = top[k - 1];
                if !(key.0 < last.0 || (key.0 == last.0 && key.1 < last.1)) {
                    return;
                }
                top.pop();
            }
            let at = top.partition_point(|&(td, ti)| td < key.0 || (td == key.0 && ti < key.1));
            top.insert(at, key);
        };
        let mut ring = 0usize;
        loop {
            let visited = CellBox {
                i0: ci.saturating_sub(ring),
                i1: (ci + ring).min(nx - 1),
                j0: cj.saturating_sub(ring),
                j1: (cj + ring).min(ny - 1),
            };
            for j in visited.j0..=visited.j1 {
                let edge_row = j + ring == cj || j == cj + ring;
                if edge_row {
                    for e in g.row_entries(j, visited.i0, visited.i1) {
                        consider(e, top);
                    }
                } else {
                    if ci >= ring {
                        for e in g.cell_entries(ci - ring, j) {
                            consider(e, top);
                        }
                    }
                    if ring > 0 && ci + ring < nx {
                        for e in g.cell_entries(ci + ring, j) {
                            consider(e, top);
                        }
                    }
                }
            }
            let bound = g.outside_bound(px, py, visited);
            if bound.is_infinite() || radius.excludes_beyond(bound) {
                break;
            }
            // Strict: an unvisited center at exactly `bound` with a lower
            // index could still tie the k-th and win.
            if top.len() == k && top[k - 1].0 < bound {
                break;
            }
            ring += 1;
        }
    }
}
