//! The packed polygon index: centers and areas computed once, a grid over
//! the centers, and bulk queries parallel over points.
//!
//! Parallel queries cut the points into chunks of [`POINT_CHUNK`] (a size that
//! does not depend on the pool), answer each point independently and
//! concatenate the chunks in point order, so the output is the same for
//! every thread count.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use fastkernels_common::alloc::{collected, filled, push};
use fastkernels_common::limits::{at_most, output_elements};
use fastkernels_common::{Flow, MAX_OUTPUT_ELEMENTS};
use rayon::prelude::*;

use crate::bucket::{par_counting_sort, BUCKET_CHUNK};
use crate::error::PolygonError;
use crate::geometry::{area, center, distance, haversine};
use crate::grid::{CellBox, Entry, Grid};

/// Points per parallel work item. A query over at most this many points runs
/// sequentially without touching rayon.
pub const POINT_CHUNK: usize = 256;
/// Polygons per parallel work item when building.
pub const BUILD_CHUNK: usize = 4096;

/// Largest `k` of [`PolygonIndex::nearest`]. Each query keeps its k best in
/// a sorted buffer (insertion is O(k)), so a large k is slow as well as
/// large; 4096 neighbours of one point is far beyond the matching use.
/// Besides, N x k must stay within [`MAX_OUTPUT_ELEMENTS`].
pub const MAX_NEIGHBORS: usize = 4096;

/// Most query points of one call: points are numbered with `u32` inside
/// the index, and every per-point output holds at most
/// [`MAX_OUTPUT_ELEMENTS`] (2^32) elements.
pub const MAX_POINTS: usize = MAX_OUTPUT_ELEMENTS;

/// Asked once per chunk of points; answering [`Flow::Stop`] cancels the query.
pub type StopCheck<'a> = &'a (dyn Fn() -> Flow + Sync);

/// A check that never stops.
pub fn never_stop() -> Flow {
    Flow::Continue
}

/// How center distances are measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Euclidean, in the coordinates' unit.
    Planar,
    /// Great-circle metres between `[lon, lat]` degrees
    /// ([`crate::geometry::haversine`]).
    Haversine,
}

/// A validated radius: `max_dist` not NaN and >= 0 (infinity allowed).
#[derive(Debug, Clone, Copy)]
pub struct Radius {
    max_dist: f64,
    inclusive: bool,
    metric: Metric,
    /// A squared distance above this is certainly not admitted (see [`Radius::new`]).
    reject_above: f64,
}

/// Relative widening of `max_dist²` for the squared-distance prefilter: far
/// above the rounding of `max_dist * max_dist`, of the product by this
/// factor and of the square root (a few 1e-16 together).
const PREFILTER_WIDENING: f64 = 1.0 + 1e-10;

impl Radius {
    pub fn new(max_dist: f64, inclusive: bool) -> Result<Self, PolygonError> {
        Self::with_metric(max_dist, inclusive, Metric::Planar)
    }

    pub fn with_metric(
        max_dist: f64,
        inclusive: bool,
        metric: Metric,
    ) -> Result<Self, PolygonError> {
        if max_dist.is_nan() || max_dist < 0.0 {
            return Err(PolygonError::MaxDist { value: max_dist });
        }
        // Prefilter: if d2 > reject_above then sqrt(d2), correctly rounded and
        // monotone, is > max_dist, so the exact test would reject it too; the
        // exact test still decides every candidate that passes. Only sound
        // while max_dist² is a normal number (no underflow), else disabled.
        let square = max_dist * max_dist;
        let reject_above = if square >= 1e-280 && metric == Metric::Planar {
            square * PREFILTER_WIDENING
        } else {
            f64::INFINITY
        };
        Ok(Self {
            max_dist,
            inclusive,
            metric,
            reject_above,
        })
    }

    /// Distance from a center to a point under this radius' metric.
    #[inline]
    fn distance(&self, cx: f64, cy: f64, px: f64, py: f64) -> f64 {
        match self.metric {
            Metric::Planar => distance(cx, cy, px, py),
            Metric::Haversine => haversine(cx, cy, px, py),
        }
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

impl<'a> Best<'a> {
    /// The per-polygon values to minimise: the areas, or the caller's
    /// scores checked (one per polygon, no NaN).
    pub fn scores(self, areas: &'a [f64]) -> Result<&'a [f64], PolygonError> {
        match self {
            Best::Area => Ok(areas),
            Best::Scores(scores) => {
                if scores.len() != areas.len() {
                    return Err(PolygonError::ScoresLength {
                        expected: areas.len(),
                        got: scores.len(),
                    });
                }
                if let Some(index) = scores.iter().position(|s| s.is_nan()) {
                    return Err(PolygonError::ScoreNaN { index });
                }
                Ok(scores)
            }
        }
    }
}

/// One output slot per point (`points` are x, y pairs).
pub fn check_out_len<T>(points: &[f64], out: &[T]) -> Result<(), PolygonError> {
    if out.len() != points.len() / 2 {
        return Err(PolygonError::OutLength {
            expected: points.len() / 2,
            got: out.len(),
        });
    }
    Ok(())
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
    /// Whether some area is NaN (shoelace overflow): `best_match` then
    /// needs its NaN-aware comparison.
    has_nan_area: bool,
    /// The first polygon whose center is not `[lon, lat]` degrees within
    /// `[-180, 180] x [-90, 90]` (refused by haversine queries).
    not_lon_lat: Option<usize>,
    grid: Grid,
}

/// The TS layer's order (`checkFlatPolygons`): lengths, finite vertices,
/// then the offsets.
fn check_offsets(x: &[f64], y: &[f64], offsets: &[u32]) -> Result<(), PolygonError> {
    if x.len() != y.len() {
        return Err(PolygonError::LengthMismatch {
            x: x.len(),
            y: y.len(),
        });
    }
    check_finite("polygons.x", x)?;
    check_finite("polygons.y", y)?;
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
            return Err(PolygonError::EmptyPolygon {
                index,
                value,
                ring: false,
            });
        }
    }
    Ok(())
}

/// Ring starts per polygon (the TS layer's `checkFlatPolygons` order and
/// messages): from 0, strictly increasing, ending at the ring count.
fn check_rings(rings: &[u32], ring_count: usize) -> Result<(), PolygonError> {
    let first = *rings.first().ok_or(PolygonError::RingsEmpty)?;
    if first != 0 {
        return Err(PolygonError::RingsStart { value: first });
    }
    for (index, pair) in rings.windows(2).enumerate() {
        let (previous, value) = (pair[0], pair[1]);
        if value as usize > ring_count {
            return Err(PolygonError::RingPastEnd {
                index: index + 1,
                value,
                count: ring_count,
            });
        }
        if value < previous {
            return Err(PolygonError::RingsDecreasing {
                index: index + 1,
                value,
                previous,
            });
        }
        if value == previous {
            return Err(PolygonError::PolygonWithoutRing { index, value });
        }
    }
    let last = rings.len() - 1;
    if rings[last] as usize != ring_count {
        return Err(PolygonError::RingsEnd {
            last,
            value: rings[last],
            count: ring_count,
        });
    }
    Ok(())
}

/// Checks packed vertices with optional rings (see [`PolygonIndex::build_rings`]).
pub fn check_shapes(
    x: &[f64],
    y: &[f64],
    offsets: &[u32],
    rings: Option<&[u32]>,
) -> Result<(), PolygonError> {
    check_offsets(x, y, offsets).map_err(|e| match (e, rings) {
        (PolygonError::EmptyPolygon { index, value, .. }, Some(_)) => PolygonError::EmptyPolygon {
            index,
            value,
            ring: true,
        },
        (e, _) => e,
    })?;
    match rings {
        Some(rings) => check_rings(rings, offsets.len() - 1),
        None => Ok(()),
    }
}

fn check_finite(what: &'static str, values: &[f64]) -> Result<(), PolygonError> {
    // The first bad index either way; large buffers are scanned in parallel.
    let first_bad = if values.len() > 4 * BUCKET_CHUNK {
        values.par_iter().position_first(|v| !v.is_finite())
    } else {
        values.iter().position(|v| !v.is_finite())
    };
    match first_bad {
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
    at_most(
        "points.length / 2",
        points.len() / 2,
        MAX_POINTS,
        "POLYGON_MAX_POINTS",
    )?;
    check_finite("points", points)
}

/// Whether `(lon, lat)` are degrees within `[-180, 180] x [-90, 90]`.
#[inline]
fn is_lon_lat(lon: f64, lat: f64) -> bool {
    (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)
}

/// For haversine radii: the centers and the points must be `[lon, lat]`
/// degrees (after the finite scan, as the TS reference orders it).
fn check_lon_lat(index: &PolygonIndex, points: &[f64], radius: Radius) -> Result<(), PolygonError> {
    if radius.metric != Metric::Haversine {
        return Ok(());
    }
    if let Some(i) = index.not_lon_lat {
        return Err(PolygonError::CenterNotLonLat {
            index: i,
            cx: index.cx[i],
            cy: index.cy[i],
        });
    }
    for (k, &v) in points.iter().enumerate() {
        let latitude = k % 2 == 1;
        let limit = if latitude { 90.0 } else { 180.0 };
        if !(-limit..=limit).contains(&v) {
            return Err(PolygonError::PointNotLonLat {
                index: k,
                value: v,
                latitude,
            });
        }
    }
    Ok(())
}

/// A query point with its number: bulk queries answer points in grid order.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct QueryPoint {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) p: u32,
}

/// Maps every fixed-size chunk of `order` (query points) to a partial
/// result, in parallel when there is more than one chunk, and returns the
/// partials in chunk order. Returns Cancelled if `stop` answers Stop before
/// a chunk starts.
pub(crate) fn map_chunks<R, F>(
    order: &[QueryPoint],
    stop: StopCheck<'_>,
    work: F,
) -> Result<Vec<R>, PolygonError>
where
    R: Send,
    F: Fn(&[QueryPoint]) -> R + Sync,
{
    if order.len() <= POINT_CHUNK {
        if stop() == Flow::Stop {
            return Err(PolygonError::Cancelled);
        }
        return Ok(vec![work(order)]);
    }
    let cancelled = AtomicBool::new(false);
    let partials: Vec<Option<R>> = order
        .par_chunks(POINT_CHUNK)
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

/// Writes `answer(q)` to `out[q.p]` for every query point: on this thread
/// for one chunk, else in parallel over fixed chunks. Every slot is written
/// once (`order` is a permutation); relaxed atomic stores are plain stores
/// on common targets and need no unsafe code.
pub(crate) fn fill<F>(
    order: &[QueryPoint],
    stop: StopCheck<'_>,
    out: &mut [i32],
    answer: F,
) -> Result<(), PolygonError>
where
    F: Fn(&QueryPoint) -> i32 + Sync,
{
    if order.len() <= POINT_CHUNK {
        if stop() == Flow::Stop {
            return Err(PolygonError::Cancelled);
        }
        for q in order {
            out[q.p as usize] = answer(q);
        }
        return Ok(());
    }
    let answers: Vec<AtomicI32> = collected(
        order.len(),
        (0..order.len()).map(|_| AtomicI32::new(-1)),
        "the answers",
    )?;
    map_chunks(order, stop, |chunk| {
        for q in chunk {
            answers[q.p as usize].store(answer(q), Ordering::Relaxed);
        }
    })?;
    for (slot, a) in out.iter_mut().zip(answers) {
        *slot = a.into_inner();
    }
    Ok(())
}

/// `k` in 1..=MAX_NEIGHBORS and N x k within MAX_OUTPUT_ELEMENTS, after
/// the points (the TS layer's order); returns N x k. O(1) but for the scan
/// of the points.
fn check_nearest(points: &[f64], k: usize) -> Result<usize, PolygonError> {
    check_points(points)?;
    if k == 0 {
        return Err(PolygonError::K { value: 0 });
    }
    at_most("k", k, MAX_NEIGHBORS, "POLYGON_MAX_NEIGHBORS")?;
    Ok(output_elements(
        "points.length / 2",
        points.len() / 2,
        "k",
        k,
        "results",
    )?)
}

/// Raw output pointers that the chunks of `nearest` write through; each
/// point's slots are written by exactly one task and nothing reads them
/// during the pass.
#[derive(Clone, Copy)]
struct SlotWriter {
    indices: *mut i32,
    distances: *mut f64,
}

// SAFETY: tasks write disjoint slots (see `nearest_unchecked`), no reads.
unsafe impl Send for SlotWriter {}
// SAFETY: as above.
unsafe impl Sync for SlotWriter {}

impl SlotWriter {
    /// # Safety
    /// `slot` is in bounds of both buffers and written by no other task.
    #[inline]
    unsafe fn write(self, slot: usize, index: i32, distance: f64) {
        self.indices.add(slot).write(index);
        self.distances.add(slot).write(distance);
    }
}

impl PolygonIndex {
    /// Builds the index from packed vertices: polygon i is vertices
    /// `offsets[i]..offsets[i + 1]`. Checks the buffers first.
    pub fn build(x: &[f64], y: &[f64], offsets: &[u32]) -> Result<Self, PolygonError> {
        Self::build_rings(x, y, offsets, None)
    }

    /// Builds the index from packed rings: with `rings`, `offsets` delimits
    /// rings and polygon i is rings `rings[i]..rings[i + 1]`, the first its
    /// outer ring, which alone gives its center and area (holes only matter
    /// for containment). Without, ring i is polygon i.
    pub fn build_rings(
        x: &[f64],
        y: &[f64],
        offsets: &[u32],
        rings: Option<&[u32]>,
    ) -> Result<Self, PolygonError> {
        check_shapes(x, y, offsets, rings)?;
        let count = rings.map_or(offsets.len(), <[u32]>::len) - 1;
        let geometry = |i: usize| {
            let outer = rings.map_or(i, |r| r[i] as usize);
            let (s, e) = (offsets[outer] as usize, offsets[outer + 1] as usize);
            let (cx, cy) = center(&x[s..e], &y[s..e]);
            (cx, cy, area(&x[s..e], &y[s..e]))
        };
        let mut per_polygon = filled(count, (0.0, 0.0, 0.0), "the polygon geometry")?;
        if count <= BUILD_CHUNK {
            per_polygon
                .iter_mut()
                .enumerate()
                .for_each(|(i, g)| *g = geometry(i));
        } else {
            per_polygon
                .par_iter_mut()
                .with_min_len(BUILD_CHUNK)
                .enumerate()
                .for_each(|(i, g)| *g = geometry(i));
        }
        let cx = collected(count, per_polygon.iter().map(|g| g.0), "the centers")?;
        let cy = collected(count, per_polygon.iter().map(|g| g.1), "the centers")?;
        let areas = collected(count, per_polygon.iter().map(|g| g.2), "the areas")?;
        Self::from_parts(cx, cy, areas)
    }

    /// Builds the index from centers already computed (interleaved
    /// `cx0, cy0, cx1, cy1, ...`) and one area per polygon, e.g. the cached
    /// `center` and `area()` of the caller's polygon objects, computed with
    /// the definitions of [`crate::geometry`]. Values are taken as given:
    /// a NaN center is never close, like one computed from vertices.
    pub fn from_geometry(centers: &[f64], areas: &[f64]) -> Result<Self, PolygonError> {
        if centers.len() != 2 * areas.len() {
            return Err(PolygonError::GeometryLength {
                centers: centers.len(),
                areas: areas.len(),
            });
        }
        let n = areas.len();
        let cx = collected(n, centers.iter().step_by(2).copied(), "the centers")?;
        let cy = collected(n, centers.iter().skip(1).step_by(2).copied(), "the centers")?;
        let areas = fastkernels_common::alloc::copied(areas, "the areas")?;
        Self::from_parts(cx, cy, areas)
    }

    fn from_parts(cx: Vec<f64>, cy: Vec<f64>, areas: Vec<f64>) -> Result<Self, PolygonError> {
        let grid = Grid::build(&cx, &cy, &areas)?;
        let has_nan_area = areas.iter().any(|a| a.is_nan());
        let not_lon_lat = cx.iter().zip(&cy).position(|(&x, &y)| !is_lon_lat(x, y));
        Ok(Self {
            cx,
            cy,
            areas,
            has_nan_area,
            not_lon_lat,
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

    /// Calls `visit(entry, distance)` for every close polygon, in grid order.
    #[inline]
    fn visit_close(&self, px: f64, py: f64, radius: Radius, mut visit: impl FnMut(&Entry, f64)) {
        if self.is_empty() {
            return;
        }
        let g = &self.grid;
        if radius.metric == Metric::Haversine {
            let b = g.lon_lat_box(px, py, radius.max_dist);
            for j in b.j0..=b.j1 {
                for entry in &g.entries[g.row_entries(j, b.i0, b.i1)] {
                    let d = haversine(entry.x, entry.y, px, py);
                    if radius.admits(d) {
                        visit(entry, d);
                    }
                }
            }
            return;
        }
        let b = g.search_box(px, py, radius.max_dist);
        for j in b.j0..=b.j1 {
            for entry in &g.entries[g.row_entries(j, b.i0, b.i1)] {
                let (dx, dy) = (entry.x - px, entry.y - py);
                if dx * dx + dy * dy > radius.reject_above {
                    continue;
                }
                let d = distance(entry.x, entry.y, px, py);
                if radius.admits(d) {
                    visit(entry, d);
                }
            }
        }
    }

    /// Indices of the polygons close to `(px, py)`, ascending.
    pub fn close_to(&self, px: f64, py: f64, radius: Radius) -> Result<Vec<u32>, PolygonError> {
        check_points(&[px, py])?;
        check_lon_lat(self, &[px, py], radius)?;
        let mut found = Vec::new();
        self.visit_close(px, py, radius, |e, _| found.push(e.id));
        found.sort_unstable();
        Ok(found)
    }

    /// The points in the order they are answered: grouped by band of grid
    /// rows (a parallel stable counting sort), so neighbouring queries reuse
    /// the same cells in cache and read their points sequentially. Every
    /// point's answer is independent of the order; results are written back
    /// by point number.
    fn query_order(&self, points: &[f64]) -> Result<Vec<QueryPoint>, PolygonError> {
        let n = points.len() / 2;
        let as_query = |p: usize| QueryPoint {
            x: points[2 * p],
            y: points[2 * p + 1],
            p: p as u32,
        };
        let mut in_order = filled(n, QueryPoint::default(), "the query points")?;
        if n <= POINT_CHUNK {
            in_order
                .iter_mut()
                .enumerate()
                .for_each(|(p, q)| *q = as_query(p));
        } else {
            in_order
                .par_iter_mut()
                .with_min_len(BUCKET_CHUNK)
                .enumerate()
                .for_each(|(p, q)| *q = as_query(p));
        }
        if n <= POINT_CHUNK || self.is_empty() {
            return Ok(in_order);
        }
        let g = &self.grid;
        let bands = g.bands();
        let by_band = par_counting_sort(&in_order, bands.count, |q| g.row_of(q.y) / bands.rows)?;
        drop(in_order);
        let mut sorted = by_band.items;
        let mut work = Vec::with_capacity(bands.count);
        let mut rest = &mut sorted[..];
        for b in 0..bands.count {
            let (band, tail) = rest.split_at_mut(by_band.start[b + 1] - by_band.start[b]);
            work.push((b, band));
            rest = tail;
        }
        work.into_par_iter()
            .try_for_each(|(b, band)| g.sort_band_by_cell(b, band, |q| (q.x, q.y)).map(drop))?;
        Ok(sorted)
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
        let mut out = filled(points.len() / 2, -1i32, "the best matches")?;
        self.best_match_into(points, radius, best, stop, &mut out)?;
        Ok(out)
    }

    /// [`PolygonIndex::best_match`] into the caller's buffer, one slot per point.
    pub fn best_match_into(
        &self,
        points: &[f64],
        radius: Radius,
        best: Best<'_>,
        stop: StopCheck<'_>,
        out: &mut [i32],
    ) -> Result<(), PolygonError> {
        check_points(points)?;
        check_lon_lat(self, points, radius)?;
        check_out_len(points, out)?;
        let scores = best.scores(&self.areas)?;
        let by_area = matches!(best, Best::Area);
        let order = self.query_order(points)?;
        // NaN scores are rejected, so only NaN areas (from overflow) need the
        // slower, NaN-aware comparison.
        if by_area && self.has_nan_area {
            fill(&order, stop, out, |q| {
                self.best_one::<true>(q, radius, by_area, scores)
            })
        } else {
            fill(&order, stop, out, |q| {
                self.best_one::<false>(q, radius, by_area, scores)
            })
        }
    }

    /// The best close polygon for one point, or -1. The original scans
    /// candidates in index order and replaces the best only by a strictly
    /// smaller score; candidates arrive here in grid order, so: the lowest
    /// score, ties to the lowest index. With `NAN_AWARE` (some score is NaN):
    /// NaN never wins a comparison, but a lowest-index candidate whose score
    /// is NaN is kept, as the scan keeps it (nothing is smaller than NaN).
    #[inline]
    fn best_one<const NAN_AWARE: bool>(
        &self,
        q: &QueryPoint,
        radius: Radius,
        by_area: bool,
        scores: &[f64],
    ) -> i32 {
        let mut best: Option<(f64, u32)> = None;
        let mut first: Option<(u32, bool)> = None;
        self.visit_close(q.x, q.y, radius, |e, _| {
            // The area sits in the grid entry: no second memory access.
            let s = if by_area {
                e.area
            } else {
                scores[e.id as usize]
            };
            if NAN_AWARE && first.is_none_or(|(fi, _)| e.id < fi) {
                first = Some((e.id, s.is_nan()));
            }
            let better = match best {
                None => !NAN_AWARE || !s.is_nan(),
                Some((bs, bi)) => s < bs || (s == bs && e.id < bi),
            };
            if better {
                best = Some((s, e.id));
            }
        });
        match (first, best) {
            (Some((fi, true)), _) => fi as i32,
            (_, Some((_, bi))) => bi as i32,
            _ => -1,
        }
    }

    /// Every close polygon per point (ascending index), as CSR.
    pub fn within_distance(
        &self,
        points: &[f64],
        radius: Radius,
        stop: StopCheck<'_>,
    ) -> Result<Csr, PolygonError> {
        check_points(points)?;
        check_lon_lat(self, points, radius)?;
        // Per chunk: the matches of its points (in query order) and their counts.
        let order = self.query_order(points)?;
        let partials = map_chunks(&order, stop, |chunk| {
            let mut found: Vec<u32> = Vec::new();
            let mut counts = Vec::with_capacity(chunk.len());
            // Matches grow with the data, not with an argument: each push is
            // fallible, and a refused one ends the chunk with the error.
            let mut refused = None;
            for q in chunk {
                let start = found.len();
                self.visit_close(q.x, q.y, radius, |e, _| {
                    if refused.is_none() {
                        if let Err(e) = push(&mut found, e.id, "the matches") {
                            refused = Some(e);
                        }
                    }
                });
                if let Some(e) = refused {
                    return Err(e);
                }
                found[start..].sort_unstable();
                counts.push((found.len() - start) as u32);
            }
            Ok((found, counts))
        })?
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
        let total: usize = partials.iter().map(|(found, _)| found.len()).sum();
        if total > u32::MAX as usize {
            return Err(PolygonError::TooManyResults { count: total });
        }
        // Offsets in point order, then every point's matches copied to its slot.
        let n = order.len();
        let mut offsets = filled(n + 1, 0u32, "the match offsets")?;
        let counts = partials.iter().flat_map(|(_, counts)| counts.iter());
        for (q, &count) in order.iter().zip(counts) {
            offsets[q.p as usize + 1] = count;
        }
        for p in 0..n {
            offsets[p + 1] += offsets[p];
        }
        let mut indices = filled(total, 0u32, "the match indices")?;
        let mut points_done = order.iter();
        for (found, counts) in &partials {
            let mut at = 0;
            for (&count, q) in counts.iter().zip(points_done.by_ref()) {
                let dest = offsets[q.p as usize] as usize;
                indices[dest..dest + count as usize]
                    .copy_from_slice(&found[at..at + count as usize]);
                at += count as usize;
            }
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
        let len = check_nearest(points, k)?;
        check_lon_lat(self, points, radius)?;
        let mut indices = filled(len, -1i32, "the nearest indices")?;
        let mut distances = filled(len, f64::NAN, "the nearest distances")?;
        self.nearest_unchecked(points, k, radius, stop, &mut indices, &mut distances)?;
        Ok(Nearest { indices, distances })
    }

    /// [`PolygonIndex::nearest`] into the caller's buffers of `k` slots per
    /// point (`indices[p*k + j]`, `distances[p*k + j]`), padded with -1 /
    /// NaN. Every slot is written.
    pub fn nearest_into(
        &self,
        points: &[f64],
        k: usize,
        radius: Radius,
        stop: StopCheck<'_>,
        indices: &mut [i32],
        distances: &mut [f64],
    ) -> Result<(), PolygonError> {
        let len = check_nearest(points, k)?;
        check_lon_lat(self, points, radius)?;
        for (name, got) in [("indices", indices.len()), ("distances", distances.len())] {
            if got != len {
                return Err(PolygonError::OutputLength {
                    name,
                    expected: len,
                    got,
                });
            }
        }
        self.nearest_unchecked(points, k, radius, stop, indices, distances)
    }

    /// The one compute path of `nearest` (arguments checked).
    fn nearest_unchecked(
        &self,
        points: &[f64],
        k: usize,
        radius: Radius,
        stop: StopCheck<'_>,
        indices: &mut [i32],
        distances: &mut [f64],
    ) -> Result<(), PolygonError> {
        let order = self.query_order(points)?;
        let writer = SlotWriter {
            indices: indices.as_mut_ptr(),
            distances: distances.as_mut_ptr(),
        };
        map_chunks(&order, stop, |chunk| {
            let mut top: Vec<(f64, u32)> = Vec::with_capacity(k + 1);
            for q in chunk {
                top.clear();
                self.nearest_one(q.x, q.y, k, radius, &mut top);
                let at = q.p as usize * k;
                for j in 0..k {
                    let (i, d) = top.get(j).map_or((-1, f64::NAN), |&(d, i)| (i as i32, d));
                    // SAFETY: `order` is a permutation of the points, so
                    // slots p*k..(p+1)*k belong to this point only, and
                    // p < n with both buffers of length n*k (checked).
                    unsafe { writer.write(at + j, i, d) };
                }
            }
        })?;
        Ok(())
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
            let entry = &g.entries[e];
            let d = radius.distance(entry.x, entry.y, px, py);
            if !radius.admits(d) {
                return;
            }
            let key = (d, entry.id);
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
            let bound = match radius.metric {
                Metric::Planar => g.outside_bound(px, py, visited),
                Metric::Haversine => g.outside_bound_lon_lat(px, py, visited),
            };
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
