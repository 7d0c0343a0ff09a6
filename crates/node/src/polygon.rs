//! Binding of fastkernels-polygon: a native index object that keeps the
//! packed centers, areas and grid between calls, and its bulk queries.
//!
//! Queries over a single chunk of points (`POINT_CHUNK`) run on the calling
//! thread: the kernel is sequential for them anyway, and a hop to the pool
//! would cost more than the work. Larger ones run on the shared pool.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use fastkernels_polygon::{
    never_stop, Best, Csr, Nearest, PolygonError, PolygonIndex, Radius, BUILD_CHUNK, POINT_CHUNK,
};
use napi::bindgen_prelude::{Float64Array, Int32Array, Int32ArraySlice, Object, Uint32Array};
use napi::{Env, Result};
use napi_derive::napi;

use crate::buffers::copy;
use crate::cancel::{CancelToken, StopFlag};
use crate::errors::{kernel_error, panic_error};
use crate::run::{run_async, run_sync};

#[napi(object)]
pub struct PolygonCsrResult {
    pub offsets: Uint32Array,
    pub indices: Uint32Array,
}

#[napi(object)]
pub struct PolygonNearestResult {
    pub indices: Int32Array,
    pub distances: Float64Array,
}

fn csr_result(csr: Csr) -> PolygonCsrResult {
    PolygonCsrResult {
        offsets: Uint32Array::new(csr.offsets),
        indices: Uint32Array::new(csr.indices),
    }
}

fn nearest_result(nearest: Nearest) -> PolygonNearestResult {
    PolygonNearestResult {
        indices: Int32Array::new(nearest.indices),
        distances: Float64Array::new(nearest.distances),
    }
}

fn kernel<T>(result: std::result::Result<T, PolygonError>) -> Result<T> {
    result.map_err(kernel_error)
}

/// Small work runs here on the JS thread (still panic-guarded and with the
/// thread count checked); larger work goes to the pool for `threads`.
fn run_sized<T: Send>(
    name: &str,
    threads: u32,
    small: bool,
    compute: impl FnOnce() -> Result<T> + Send,
) -> Result<T> {
    if !small {
        return run_sync(name, threads, compute);
    }
    crate::pool::pool(threads)?;
    catch_unwind(AssertUnwindSafe(compute))
        .unwrap_or_else(|payload| Err(panic_error(name, payload)))
}

/// Whether two borrowed buffers share bytes (JS may pass views of one buffer).
fn overlaps(a: &[f64], b: &[i32]) -> bool {
    let (a0, a1) = (
        a.as_ptr() as usize,
        a.as_ptr() as usize + std::mem::size_of_val(a),
    );
    let (b0, b1) = (
        b.as_ptr() as usize,
        b.as_ptr() as usize + std::mem::size_of_val(b),
    );
    a0 < b1 && b0 < a1
}

/// Most neighbours one `nearest` query returns per point (mirrored by
/// `MAX_NEIGHBORS` in ts/polygon/validate.ts): checked before the k slots
/// per point are allocated.
const MAX_NEIGHBORS: u32 = 4096;

fn check_k(k: u32) -> Result<()> {
    if k > MAX_NEIGHBORS {
        return Err(napi::Error::new(
            napi::Status::InvalidArg,
            format!("k must be at most {MAX_NEIGHBORS} (MAX_NEIGHBORS), got {k}"),
        ));
    }
    Ok(())
}

fn small_query(points: &[f64]) -> bool {
    points.len() <= 2 * POINT_CHUNK
}

/// The packed polygon index (not public API: ts/polygon wraps it).
#[napi(js_name = "PolygonNativeIndex")]
pub struct NativePolygonIndex {
    inner: Arc<PolygonIndex>,
}

#[napi]
impl NativePolygonIndex {
    /// Builds from packed vertices; polygon i is `offsets[i]..offsets[i + 1]`.
    #[napi(factory)]
    pub fn build(x: &[f64], y: &[f64], offsets: &[u32], threads: u32) -> Result<Self> {
        let small = offsets.len() <= BUILD_CHUNK + 1;
        let index = run_sized("polygonIndexBuild", threads, small, || {
            kernel(PolygonIndex::build(x, y, offsets))
        })?;
        Ok(Self {
            inner: Arc::new(index),
        })
    }

    /// Builds from centers (interleaved) and areas already computed by the
    /// caller with the same definitions (e.g. cached on `Polygon` objects).
    #[napi(factory)]
    pub fn from_geometry(centers: &[f64], areas: &[f64], threads: u32) -> Result<Self> {
        let small = areas.len() <= BUILD_CHUNK;
        let index = run_sized("polygonIndexBuild", threads, small, || {
            kernel(PolygonIndex::from_geometry(centers, areas))
        })?;
        Ok(Self {
            inner: Arc::new(index),
        })
    }

    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.inner.len() as u32
    }

    /// Centers interleaved `cx0, cy0, cx1, cy1, ...` (a copy).
    #[napi]
    pub fn centers(&self) -> Float64Array {
        Float64Array::new(self.inner.centers())
    }

    /// Areas (a copy).
    #[napi]
    pub fn areas(&self) -> Float64Array {
        Float64Array::new(self.inner.areas().to_vec())
    }

    #[napi]
    pub fn close_to(
        &self,
        px: f64,
        py: f64,
        max_dist: f64,
        inclusive: bool,
    ) -> Result<Uint32Array> {
        let index = &self.inner;
        let found = run_sized("polygonCloseTo", 1, true, || {
            kernel(Radius::new(max_dist, inclusive).and_then(|r| index.close_to(px, py, r)))
        })?;
        Ok(Uint32Array::new(found))
    }

    #[napi]
    pub fn best_match(
        &self,
        points: &[f64],
        max_dist: f64,
        inclusive: bool,
        scores: Option<&[f64]>,
        threads: u32,
    ) -> Result<Int32Array> {
        let index = &self.inner;
        let best = run_sized("polygonBestMatch", threads, small_query(points), || {
            let best = scores.map_or(Best::Area, Best::Scores);
            kernel(
                Radius::new(max_dist, inclusive)
                    .and_then(|r| index.best_match(points, r, best, &never_stop)),
            )
        })?;
        Ok(Int32Array::new(best))
    }

    /// `best_match` into `out` (one slot per point), allocated by the caller:
    /// cheaper for small queries than creating a typed array here.
    #[napi]
    pub fn best_match_into(
        &self,
        points: &[f64],
        max_dist: f64,
        inclusive: bool,
        scores: Option<&[f64]>,
        threads: u32,
        mut out: Int32ArraySlice<'_>,
    ) -> Result<()> {
        if overlaps(points, &out) || scores.is_some_and(|s| overlaps(s, &out)) {
            return Err(napi::Error::new(
                napi::Status::InvalidArg,
                "out must not share memory with points or scores",
            ));
        }
        // SAFETY: a sync call blocks the JS thread, so nothing else touches
        // `out` until we return, and the check above rules out aliasing with
        // the other borrowed buffers (`points`, `scores`).
        let out = unsafe { out.as_mut() };
        let index = &self.inner;
        run_sized("polygonBestMatch", threads, small_query(points), || {
            let best = scores.map_or(Best::Area, Best::Scores);
            kernel(
                Radius::new(max_dist, inclusive)
                    .and_then(|r| index.best_match_into(points, r, best, &never_stop, out)),
            )
        })
    }

    #[napi]
    pub fn within_distance(
        &self,
        points: &[f64],
        max_dist: f64,
        inclusive: bool,
        threads: u32,
    ) -> Result<PolygonCsrResult> {
        let index = &self.inner;
        let csr = run_sized(
            "polygonWithinDistance",
            threads,
            small_query(points),
            || {
                kernel(
                    Radius::new(max_dist, inclusive)
                        .and_then(|r| index.within_distance(points, r, &never_stop)),
                )
            },
        )?;
        Ok(csr_result(csr))
    }

    #[napi]
    pub fn nearest(
        &self,
        points: &[f64],
        k: u32,
        max_dist: f64,
        inclusive: bool,
        threads: u32,
    ) -> Result<PolygonNearestResult> {
        check_k(k)?;
        let index = &self.inner;
        let nearest = run_sized("polygonNearest", threads, small_query(points), || {
            kernel(
                Radius::new(max_dist, inclusive)
                    .and_then(|r| index.nearest(points, k as usize, r, &never_stop)),
            )
        })?;
        Ok(nearest_result(nearest))
    }
}

/// The original API's one-shot path: an index from centers and areas the
/// caller already has (cached on its `Polygon` objects), one `best_match`
/// into `out`, and the index dropped at once: no JS object, no finalizer,
/// nothing left for the garbage collector.
#[allow(clippy::too_many_arguments)]
#[napi(js_name = "polygonBestMatchOnce")]
pub fn best_match_once(
    centers: &[f64],
    areas: &[f64],
    points: &[f64],
    max_dist: f64,
    inclusive: bool,
    threads: u32,
    mut out: Int32ArraySlice<'_>,
) -> Result<()> {
    if overlaps(points, &out) || overlaps(centers, &out) || overlaps(areas, &out) {
        return Err(napi::Error::new(
            napi::Status::InvalidArg,
            "out must not share memory with the other buffers",
        ));
    }
    // SAFETY: as in `best_match_into`: the JS thread is blocked and `out`
    // shares no memory with the other buffers (checked above).
    let out = unsafe { out.as_mut() };
    let small = areas.len() <= BUILD_CHUNK && small_query(points);
    run_sized("polygonBestMatch", threads, small, || {
        kernel(Radius::new(max_dist, inclusive).and_then(|r| {
            PolygonIndex::from_geometry(centers, areas)?.best_match_into(
                points,
                r,
                Best::Area,
                &never_stop,
                out,
            )
        }))
    })
}

#[allow(clippy::too_many_arguments)]
#[napi(
    js_name = "polygonBestMatchAsync",
    ts_return_type = "Promise<Int32Array>"
)]
pub fn best_match_async<'env>(
    env: &'env Env,
    index: &NativePolygonIndex,
    points: &[f64],
    max_dist: f64,
    inclusive: bool,
    scores: Option<&[f64]>,
    threads: u32,
    token: Option<&CancelToken>,
) -> Result<Object<'env>> {
    let index = Arc::clone(&index.inner);
    let points = copy(points)?;
    let scores = scores.map(copy).transpose()?;
    let stop = StopFlag::of(token);
    run_async(
        env,
        "polygonBestMatch",
        threads,
        move || {
            let best = scores.as_deref().map_or(Best::Area, Best::Scores);
            let check = || stop.flow();
            kernel(
                Radius::new(max_dist, inclusive)
                    .and_then(|r| index.best_match(&points, r, best, &check)),
            )
        },
        |best| Ok(Int32Array::new(best)),
    )
}

#[napi(
    js_name = "polygonWithinDistanceAsync",
    ts_return_type = "Promise<PolygonCsrResult>"
)]
pub fn within_distance_async<'env>(
    env: &'env Env,
    index: &NativePolygonIndex,
    points: &[f64],
    max_dist: f64,
    inclusive: bool,
    threads: u32,
    token: Option<&CancelToken>,
) -> Result<Object<'env>> {
    let index = Arc::clone(&index.inner);
    let points = copy(points)?;
    let stop = StopFlag::of(token);
    run_async(
        env,
        "polygonWithinDistance",
        threads,
        move || {
            let check = || stop.flow();
            kernel(
                Radius::new(max_dist, inclusive)
                    .and_then(|r| index.within_distance(&points, r, &check)),
            )
        },
        |csr| Ok(csr_result(csr)),
    )
}

#[allow(clippy::too_many_arguments)]
#[napi(
    js_name = "polygonNearestAsync",
    ts_return_type = "Promise<PolygonNearestResult>"
)]
pub fn nearest_async<'env>(
    env: &'env Env,
    index: &NativePolygonIndex,
    points: &[f64],
    k: u32,
    max_dist: f64,
    inclusive: bool,
    threads: u32,
    token: Option<&CancelToken>,
) -> Result<Object<'env>> {
    check_k(k)?;
    let index = Arc::clone(&index.inner);
    let points = copy(points)?;
    let stop = StopFlag::of(token);
    run_async(
        env,
        "polygonNearest",
        threads,
        move || {
            let check = || stop.flow();
            kernel(
                Radius::new(max_dist, inclusive)
                    .and_then(|r| index.nearest(&points, k as usize, r, &check)),
            )
        },
        |nearest| Ok(nearest_result(nearest)),
    )
}

/// `PolygonNativeIndex.build` on the pool; the vertex buffers are copied first.
#[napi(
    js_name = "polygonIndexBuildAsync",
    ts_return_type = "Promise<PolygonNativeIndex>"
)]
pub fn build_async<'env>(
    env: &'env Env,
    x: &[f64],
    y: &[f64],
    offsets: &[u32],
    threads: u32,
) -> Result<Object<'env>> {
    let (x, y, offsets) = (copy(x)?, copy(y)?, copy(offsets)?);
    run_async(
        env,
        "polygonIndexBuild",
        threads,
        move || kernel(PolygonIndex::build(&x, &y, &offsets)),
        |index| {
            Ok(NativePolygonIndex {
                inner: Arc::new(index),
            })
        },
    )
}

/// `PolygonNativeIndex.fromGeometry` on the pool; centers and areas are copied first.
#[napi(
    js_name = "polygonIndexFromGeometryAsync",
    ts_return_type = "Promise<PolygonNativeIndex>"
)]
pub fn from_geometry_async<'env>(
    env: &'env Env,
    centers: &[f64],
    areas: &[f64],
    threads: u32,
) -> Result<Object<'env>> {
    let (centers, areas) = (copy(centers)?, copy(areas)?);
    run_async(
        env,
        "polygonIndexBuild",
        threads,
        move || kernel(PolygonIndex::from_geometry(&centers, &areas)),
        |index| {
            Ok(NativePolygonIndex {
                inner: Arc::new(index),
            })
        },
    )
}
