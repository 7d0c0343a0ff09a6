//! Binding of fastkernels-polygon: a native index object that keeps the
//! packed centers, areas and grid between calls, and its bulk queries.
//! Converts types, maps errors, schedules work; the kernel crate checks
//! every value (coordinates, radius, k, scores).
//!
//! As in `gmm.rs`: outputs of known size (best matches, nearest slots) are
//! typed arrays allocated by the TS layer and filled in place; outputs whose
//! size is known only after the query (`closeTo`, `withinDistance`) are
//! copied into engine-owned typed arrays (`*ArraySlice::copy_from`), so the
//! garbage collector sees their memory; inputs of async calls are copied, or
//! lent with `borrow`; Float32Array query points are widened off-thread.
//!
//! Queries over a single chunk of points (`POINT_CHUNK`) run on the calling
//! thread: the kernel is sequential for them anyway, and a hop to the pool
//! would cost more than the work. Larger ones run on the shared pool.

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;

use fastkernels_polygon::{
    never_stop, Best, Containing, Csr, Metric, PolygonError, PolygonIndex, Radius, Shapes,
    StopCheck, BUILD_CHUNK, POINT_CHUNK,
};
use napi::bindgen_prelude::{
    Float64Array, Float64ArraySlice, Int32Array, Int32ArraySlice, Object, Uint32Array,
    Uint32ArraySlice,
};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Result};
use napi_derive::napi;

use crate::buffers::{out_f64, out_i32, F64Input, FloatArray, FloatInput, U32Input};
use crate::cancel::{CancelToken, StopFlag};
use crate::errors::kernel_error;
use crate::run::{guarded, run_async, run_sync};

#[napi(object)]
pub struct PolygonCsrResult<'env> {
    pub offsets: Uint32ArraySlice<'env>,
    pub indices: Uint32ArraySlice<'env>,
}

/// The points and settings of an async bulk query.
#[napi(object)]
pub struct PolygonQuery {
    /// x, y pairs (a Float32Array is widened off the event loop).
    pub points: FloatArray,
    /// Lend `points` instead of copying them (the caller must not touch them
    /// until the promise settles).
    pub borrow: bool,
    pub max_dist: f64,
    pub inclusive: bool,
    pub threads: u32,
    /// Great-circle metres between `[lon, lat]` degrees instead of planar distance.
    pub haversine: Option<bool>,
}

fn metric(haversine: Option<bool>) -> Metric {
    if haversine == Some(true) {
        Metric::Haversine
    } else {
        Metric::Planar
    }
}

/// A query radius: `(max_dist, inclusive, haversine)`.
type RadiusArgs = (f64, bool, Option<bool>);

fn radius(
    (max_dist, inclusive, haversine): RadiusArgs,
) -> std::result::Result<Radius, PolygonError> {
    Radius::with_metric(max_dist, inclusive, metric(haversine))
}

/// Progress of a chunked bulk query: the points whose chunk has started, of
/// all points.
#[napi(object)]
pub struct PolygonProgress {
    pub done: f64,
    pub total: f64,
}

pub type PolygonProgressCallback =
    ThreadsafeFunction<PolygonProgress, (), PolygonProgress, napi::Status, false>;

/// The stop check of an async query, counting chunks and reporting about a
/// hundred progress events through `callback` (non-blocking: the pool never
/// waits for the JS thread). `queued` is how many were sent, for the TS
/// layer to wait for before the promise settles.
struct ChunkProgress {
    stop: StopFlag,
    callback: Option<PolygonProgressCallback>,
    points: usize,
    every: usize,
    total_chunks: usize,
    chunks: AtomicUsize,
    queued: AtomicU32,
}

impl ChunkProgress {
    fn new(stop: StopFlag, callback: Option<PolygonProgressCallback>, points: usize) -> Self {
        let chunks = points.div_ceil(POINT_CHUNK).max(1);
        Self {
            stop,
            callback,
            points,
            every: chunks.div_ceil(100).max(1),
            total_chunks: chunks,
            chunks: AtomicUsize::new(0),
            queued: AtomicU32::new(0),
        }
    }

    fn check(&self) -> fastkernels_common::Flow {
        let started = self.chunks.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(callback) = &self.callback {
            if started.is_multiple_of(self.every) || started == self.total_chunks {
                let event = PolygonProgress {
                    done: (started * POINT_CHUNK).min(self.points) as f64,
                    total: self.points as f64,
                };
                if callback.call(event, ThreadsafeFunctionCallMode::NonBlocking) == napi::Status::Ok
                {
                    self.queued.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        self.stop.flow()
    }
}

/// How many progress events an async query queued (its promise's value).
#[napi(object)]
pub struct PolygonAsyncOutcome {
    pub progress_events: u32,
}

/// The output buffers of `nearest`, allocated by the TS layer (k slots per point).
#[napi(object)]
pub struct PolygonNearestBuffers {
    pub indices: Int32Array,
    pub distances: Float64Array,
}

/// A CSR result copied into engine-owned typed arrays (a memcpy each).
fn csr_result(env: &Env, csr: Csr) -> Result<PolygonCsrResult<'_>> {
    Ok(PolygonCsrResult {
        offsets: Uint32ArraySlice::copy_from(env, &csr.offsets)?,
        indices: Uint32ArraySlice::copy_from(env, &csr.indices)?,
    })
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
    guarded(name, compute)
}

/// Whether two borrowed buffers share bytes (JS may pass views of one buffer).
fn overlaps<A, B>(a: &[A], b: &[B]) -> bool {
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

/// Query points: `FloatInput` holds 2 values per point (float32 or float64).
fn small_query(points: &FloatInput) -> bool {
    points.len() <= 2 * POINT_CHUNK
}

// ---- the query compute paths, shared by the sync and async entries ------

fn best_match_compute(
    index: &PolygonIndex,
    points: &FloatInput,
    r: RadiusArgs,
    scores: Option<&[f64]>,
    stop: StopCheck<'_>,
    out: &mut [i32],
) -> Result<()> {
    let points = points.values()?;
    let best = scores.map_or(Best::Area, Best::Scores);
    kernel(radius(r).and_then(|r| index.best_match_into(&points, r, best, stop, out)))
}

fn within_distance_compute(
    index: &PolygonIndex,
    points: &FloatInput,
    r: RadiusArgs,
    stop: StopCheck<'_>,
) -> Result<Csr> {
    let points = points.values()?;
    kernel(radius(r).and_then(|r| index.within_distance(&points, r, stop)))
}

fn nearest_compute(
    index: &PolygonIndex,
    points: &FloatInput,
    k: u32,
    r: RadiusArgs,
    stop: StopCheck<'_>,
    out: &mut PolygonNearestBuffers,
) -> Result<()> {
    let points = points.values()?;
    let (indices, distances) = (out_i32(&mut out.indices), out_f64(&mut out.distances));
    kernel(
        radius(r)
            .and_then(|r| index.nearest_into(&points, k as usize, r, stop, indices, distances)),
    )
}

/// The packed polygon index (not public API: ts/polygon wraps it).
#[napi(js_name = "PolygonNativeIndex")]
pub struct NativePolygonIndex {
    inner: Arc<PolygonIndex>,
}

fn wrap(index: PolygonIndex) -> NativePolygonIndex {
    NativePolygonIndex {
        inner: Arc::new(index),
    }
}

#[napi]
impl NativePolygonIndex {
    /// Builds from packed vertices; polygon i is `offsets[i]..offsets[i + 1]`.
    #[napi(factory)]
    pub fn build(x: &[f64], y: &[f64], offsets: &[u32], threads: u32) -> Result<Self> {
        Self::build_rings(x, y, offsets, None, threads)
    }

    /// Builds from packed rings: ring i is `offsets[i]..offsets[i + 1]` and
    /// polygon i is rings `rings[i]..rings[i + 1]` (without `rings`, ring i
    /// is polygon i).
    #[napi(factory)]
    pub fn build_rings(
        x: &[f64],
        y: &[f64],
        offsets: &[u32],
        rings: Option<&[u32]>,
        threads: u32,
    ) -> Result<Self> {
        let small = offsets.len() <= BUILD_CHUNK + 1;
        run_sized("polygonIndexBuild", threads, small, || {
            kernel(PolygonIndex::build_rings(x, y, offsets, rings))
        })
        .map(wrap)
    }

    /// Builds from centers (interleaved) and areas already computed by the
    /// caller with the same definitions (e.g. cached on `Polygon` objects).
    #[napi(factory)]
    pub fn from_geometry(centers: &[f64], areas: &[f64], threads: u32) -> Result<Self> {
        let small = areas.len() <= BUILD_CHUNK;
        run_sized("polygonIndexBuild", threads, small, || {
            kernel(PolygonIndex::from_geometry(centers, areas))
        })
        .map(wrap)
    }

    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.inner.len() as u32
    }

    /// Centers interleaved `cx0, cy0, cx1, cy1, ...` (an engine-owned copy).
    #[napi]
    pub fn centers<'env>(&self, env: &'env Env) -> Result<Float64ArraySlice<'env>> {
        Float64ArraySlice::copy_from(env, self.inner.centers())
    }

    /// Areas (an engine-owned copy).
    #[napi]
    pub fn areas<'env>(&self, env: &'env Env) -> Result<Float64ArraySlice<'env>> {
        Float64ArraySlice::copy_from(env, self.inner.areas())
    }

    #[napi]
    pub fn close_to<'env>(
        &self,
        env: &'env Env,
        px: f64,
        py: f64,
        max_dist: f64,
        inclusive: bool,
        haversine: Option<bool>,
    ) -> Result<Uint32ArraySlice<'env>> {
        let index = &self.inner;
        let found = run_sized("polygonCloseTo", 1, true, || {
            kernel(radius((max_dist, inclusive, haversine)).and_then(|r| index.close_to(px, py, r)))
        })?;
        Uint32ArraySlice::copy_from(env, found)
    }

    /// Per point, the best close polygon, into `out` (one slot per point,
    /// allocated by the caller).
    // The trailing optional `haversine` keeps existing JS callers (and the
    // tests that call the binding directly) valid.
    #[allow(clippy::too_many_arguments)]
    #[napi]
    pub fn best_match_into(
        &self,
        points: FloatArray,
        max_dist: f64,
        inclusive: bool,
        scores: Option<&[f64]>,
        threads: u32,
        mut out: Int32ArraySlice<'_>,
        haversine: Option<bool>,
    ) -> Result<()> {
        let points = FloatInput::new(points, true)?;
        if let FloatInput::Lent(p) = &points {
            if overlaps(p, &out) || scores.is_some_and(|s| overlaps(s, &out)) {
                return Err(napi::Error::new(
                    napi::Status::InvalidArg,
                    "out must not share memory with points or scores",
                ));
            }
        }
        // SAFETY: a sync call blocks the JS thread, so nothing else touches
        // `out` until we return, and the check above rules out aliasing with
        // the other borrowed buffers (`points`, `scores`).
        let out = unsafe { out.as_mut() };
        let index = &self.inner;
        run_sized("polygonBestMatch", threads, small_query(&points), || {
            best_match_compute(
                index,
                &points,
                (max_dist, inclusive, haversine),
                scores,
                &never_stop,
                out,
            )
        })
    }

    #[napi(ts_return_type = "PolygonCsrResult")]
    pub fn within_distance<'env>(
        &self,
        env: &'env Env,
        points: FloatArray,
        max_dist: f64,
        inclusive: bool,
        threads: u32,
        haversine: Option<bool>,
    ) -> Result<PolygonCsrResult<'env>> {
        let points = FloatInput::new(points, true)?;
        let index = &self.inner;
        let small = small_query(&points);
        let csr = run_sized("polygonWithinDistance", threads, small, || {
            within_distance_compute(
                index,
                &points,
                (max_dist, inclusive, haversine),
                &never_stop,
            )
        })?;
        csr_result(env, csr)
    }

    /// The k nearest close centers per point, into `out` (k slots per point,
    /// allocated by the caller).
    // As `best_match_into`: the optional `haversine` comes last.
    #[allow(clippy::too_many_arguments)]
    #[napi]
    pub fn nearest(
        &self,
        points: FloatArray,
        k: u32,
        max_dist: f64,
        inclusive: bool,
        mut out: PolygonNearestBuffers,
        threads: u32,
        haversine: Option<bool>,
    ) -> Result<()> {
        let points = FloatInput::new(points, true)?;
        let index = &self.inner;
        run_sized("polygonNearest", threads, small_query(&points), || {
            nearest_compute(
                index,
                &points,
                k,
                (max_dist, inclusive, haversine),
                &never_stop,
                &mut out,
            )
        })
    }
}

/// The original API's one-shot path: an index from centers and areas the
/// caller already has (cached on its `Polygon` objects), one `best_match`
/// into `out`, and the index dropped at once: no JS object, no finalizer,
/// nothing left for the garbage collector.
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
    let small = areas.len() <= BUILD_CHUNK && points.len() <= 2 * POINT_CHUNK;
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

#[napi(
    js_name = "polygonBestMatchAsync",
    ts_return_type = "Promise<PolygonAsyncOutcome>"
)]
pub fn best_match_async<'env>(
    env: &'env Env,
    index: &NativePolygonIndex,
    query: PolygonQuery,
    scores: Option<Float64Array>,
    mut out: Int32Array,
    token: Option<&CancelToken>,
    on_progress: Option<PolygonProgressCallback>,
) -> Result<Object<'env>> {
    let index = Arc::clone(&index.inner);
    let PolygonQuery {
        points,
        borrow,
        max_dist,
        inclusive,
        threads,
        haversine,
    } = query;
    let points = FloatInput::new(points, borrow)?;
    let scores = scores.map(|s| F64Input::new(s, borrow)).transpose()?;
    let progress = ChunkProgress::new(StopFlag::of(token), on_progress, points.len() / 2);
    run_async(
        env,
        "polygonBestMatch",
        threads,
        move || {
            let scores = scores.as_ref().map(F64Input::values);
            let check = || progress.check();
            best_match_compute(
                &index,
                &points,
                (max_dist, inclusive, haversine),
                scores,
                &check,
                out_i32(&mut out),
            )?;
            Ok(progress.queued.load(Ordering::Relaxed))
        },
        |progress_events| Ok(PolygonAsyncOutcome { progress_events }),
    )
}

#[napi(
    js_name = "polygonWithinDistanceAsync",
    ts_return_type = "Promise<PolygonCsrResult & PolygonAsyncOutcome>"
)]
pub fn within_distance_async<'env>(
    env: &'env Env,
    index: &NativePolygonIndex,
    query: PolygonQuery,
    token: Option<&CancelToken>,
    on_progress: Option<PolygonProgressCallback>,
) -> Result<Object<'env>> {
    let index = Arc::clone(&index.inner);
    let PolygonQuery {
        points,
        borrow,
        max_dist,
        inclusive,
        threads,
        haversine,
    } = query;
    let points = FloatInput::new(points, borrow)?;
    let progress = ChunkProgress::new(StopFlag::of(token), on_progress, points.len() / 2);
    run_async(
        env,
        "polygonWithinDistance",
        threads,
        move || {
            let check = || progress.check();
            let csr =
                within_distance_compute(&index, &points, (max_dist, inclusive, haversine), &check)?;
            Ok(WithProgressEvents(
                csr,
                progress.queued.load(Ordering::Relaxed),
            ))
        },
        Ok,
    )
}

/// A Rust-side result whose typed arrays are made on the JS thread.
trait JsResult {
    unsafe fn to_js(self, env: &Env) -> Result<napi::sys::napi_value>;
}

impl JsResult for Csr {
    unsafe fn to_js(self, env: &Env) -> Result<napi::sys::napi_value> {
        <PolygonCsrResult as napi::bindgen_prelude::ToNapiValue>::to_napi_value(
            env.raw(),
            csr_result(env, self)?,
        )
    }
}

impl JsResult for Containing {
    unsafe fn to_js(self, env: &Env) -> Result<napi::sys::napi_value> {
        <PolygonContainingResult as napi::bindgen_prelude::ToNapiValue>::to_napi_value(
            env.raw(),
            containing_result(env, self)?,
        )
    }
}

/// A result built on the JS thread when the promise resolves, with the
/// number of progress events its query queued.
struct WithProgressEvents<T>(T, u32);

impl<T: JsResult> napi::bindgen_prelude::ToNapiValue for WithProgressEvents<T> {
    unsafe fn to_napi_value(env: napi::sys::napi_env, val: Self) -> Result<napi::sys::napi_value> {
        let env = Env::from_raw(env);
        let value = val.0.to_js(&env)?;
        let mut object = Object::from_raw(env.raw(), value);
        napi::bindgen_prelude::JsObjectValue::set_named_property(
            &mut object,
            "progressEvents",
            val.1,
        )?;
        Ok(value)
    }
}

#[napi(
    js_name = "polygonNearestAsync",
    ts_return_type = "Promise<PolygonAsyncOutcome>"
)]
pub fn nearest_async<'env>(
    env: &'env Env,
    index: &NativePolygonIndex,
    query: PolygonQuery,
    k: u32,
    mut out: PolygonNearestBuffers,
    token: Option<&CancelToken>,
    on_progress: Option<PolygonProgressCallback>,
) -> Result<Object<'env>> {
    let index = Arc::clone(&index.inner);
    let PolygonQuery {
        points,
        borrow,
        max_dist,
        inclusive,
        threads,
        haversine,
    } = query;
    let points = FloatInput::new(points, borrow)?;
    let progress = ChunkProgress::new(StopFlag::of(token), on_progress, points.len() / 2);
    run_async(
        env,
        "polygonNearest",
        threads,
        move || {
            let check = || progress.check();
            nearest_compute(
                &index,
                &points,
                k,
                (max_dist, inclusive, haversine),
                &check,
                &mut out,
            )?;
            Ok(progress.queued.load(Ordering::Relaxed))
        },
        |progress_events| Ok(PolygonAsyncOutcome { progress_events }),
    )
}

/// `PolygonNativeIndex.build` on the pool; the vertex buffers are copied
/// first, or lent with `borrow`.
#[napi(
    js_name = "polygonIndexBuildAsync",
    ts_return_type = "Promise<PolygonNativeIndex>"
)]
pub fn build_async<'env>(
    env: &'env Env,
    x: Float64Array,
    y: Float64Array,
    offsets: Uint32Array,
    rings: Option<Uint32Array>,
    borrow: bool,
    threads: u32,
) -> Result<Object<'env>> {
    let (x, y) = (F64Input::new(x, borrow)?, F64Input::new(y, borrow)?);
    let offsets = U32Input::new(offsets, borrow)?;
    let rings = rings.map(|r| U32Input::new(r, borrow)).transpose()?;
    run_async(
        env,
        "polygonIndexBuild",
        threads,
        move || {
            kernel(PolygonIndex::build_rings(
                x.values(),
                y.values(),
                offsets.values(),
                rings.as_ref().map(U32Input::values),
            ))
        },
        |index| Ok(wrap(index)),
    )
}

/// `PolygonNativeIndex.fromGeometry` on the pool; centers and areas are
/// copied first, or lent with `borrow`.
#[napi(
    js_name = "polygonIndexFromGeometryAsync",
    ts_return_type = "Promise<PolygonNativeIndex>"
)]
pub fn from_geometry_async<'env>(
    env: &'env Env,
    centers: Float64Array,
    areas: Float64Array,
    borrow: bool,
    threads: u32,
) -> Result<Object<'env>> {
    let (centers, areas) = (
        F64Input::new(centers, borrow)?,
        F64Input::new(areas, borrow)?,
    );
    run_async(
        env,
        "polygonIndexBuild",
        threads,
        move || {
            kernel(PolygonIndex::from_geometry(
                centers.values(),
                areas.values(),
            ))
        },
        |index| Ok(wrap(index)),
    )
}

// ---- containment --------------------------------------------------------

#[napi(object)]
pub struct PolygonContainingResult<'env> {
    pub offsets: Int32ArraySlice<'env>,
    pub polygons: Int32ArraySlice<'env>,
}

/// The points of an async containment query.
#[napi(object)]
pub struct PolygonPointsQuery {
    /// x, y pairs (a Float32Array is widened off the event loop).
    pub points: FloatArray,
    /// Lend `points` instead of copying them.
    pub borrow: bool,
    pub threads: u32,
}

fn containing_result(env: &Env, c: Containing) -> Result<PolygonContainingResult<'_>> {
    Ok(PolygonContainingResult {
        offsets: Int32ArraySlice::copy_from(env, &c.offsets)?,
        polygons: Int32ArraySlice::copy_from(env, &c.polygons)?,
    })
}

fn containing_compute(
    shapes: &Shapes,
    points: &FloatInput,
    stop: StopCheck<'_>,
) -> Result<Containing> {
    let points = points.values()?;
    kernel(shapes.containing(&points, stop))
}

fn best_containing_compute(
    shapes: &Shapes,
    points: &FloatInput,
    scores: Option<&[f64]>,
    stop: StopCheck<'_>,
    out: &mut [i32],
) -> Result<()> {
    let points = points.values()?;
    let best = scores.map_or(Best::Area, Best::Scores);
    kernel(shapes.best_containing_into(&points, best, stop, out))
}

/// Polygons with their rings and the containment grid (not public API:
/// ts/polygon builds it on the first containment query).
#[napi(js_name = "PolygonNativeShapes")]
pub struct NativePolygonShapes {
    inner: Arc<Shapes>,
}

#[napi]
impl NativePolygonShapes {
    /// Ring i is `offsets[i]..offsets[i + 1]`; polygon i is rings
    /// `rings[i]..rings[i + 1]` (without `rings`, ring i is polygon i).
    /// The vertices are copied.
    #[napi(factory)]
    pub fn build(
        x: &[f64],
        y: &[f64],
        offsets: &[u32],
        rings: Option<&[u32]>,
        threads: u32,
    ) -> Result<Self> {
        let small = offsets.len() <= BUILD_CHUNK + 1;
        run_sized("polygonShapesBuild", threads, small, || {
            kernel(Shapes::build(x, y, offsets, rings))
        })
        .map(|shapes| NativePolygonShapes {
            inner: Arc::new(shapes),
        })
    }

    #[napi(ts_return_type = "PolygonContainingResult")]
    pub fn containing<'env>(
        &self,
        env: &'env Env,
        points: FloatArray,
        threads: u32,
    ) -> Result<PolygonContainingResult<'env>> {
        let points = FloatInput::new(points, true)?;
        let shapes = &self.inner;
        let small = small_query(&points);
        let found = run_sized("polygonContaining", threads, small, || {
            containing_compute(shapes, &points, &never_stop)
        })?;
        containing_result(env, found)
    }

    /// Per point, the best containing polygon, into `out` (one slot per
    /// point, allocated by the caller).
    #[napi]
    pub fn best_containing_into(
        &self,
        points: FloatArray,
        scores: Option<&[f64]>,
        threads: u32,
        mut out: Int32ArraySlice<'_>,
    ) -> Result<()> {
        let points = FloatInput::new(points, true)?;
        if let FloatInput::Lent(p) = &points {
            if overlaps(p, &out) || scores.is_some_and(|s| overlaps(s, &out)) {
                return Err(napi::Error::new(
                    napi::Status::InvalidArg,
                    "out must not share memory with points or scores",
                ));
            }
        }
        // SAFETY: as in `NativePolygonIndex::best_match_into`: the JS thread
        // is blocked and `out` shares no memory with the other buffers.
        let out = unsafe { out.as_mut() };
        let shapes = &self.inner;
        run_sized(
            "polygonBestContaining",
            threads,
            small_query(&points),
            || best_containing_compute(shapes, &points, scores, &never_stop, out),
        )
    }
}

#[napi(
    js_name = "polygonContainingAsync",
    ts_return_type = "Promise<PolygonContainingResult & PolygonAsyncOutcome>"
)]
pub fn containing_async<'env>(
    env: &'env Env,
    shapes: &NativePolygonShapes,
    query: PolygonPointsQuery,
    token: Option<&CancelToken>,
    on_progress: Option<PolygonProgressCallback>,
) -> Result<Object<'env>> {
    let shapes = Arc::clone(&shapes.inner);
    let PolygonPointsQuery {
        points,
        borrow,
        threads,
    } = query;
    let points = FloatInput::new(points, borrow)?;
    let progress = ChunkProgress::new(StopFlag::of(token), on_progress, points.len() / 2);
    run_async(
        env,
        "polygonContaining",
        threads,
        move || {
            let check = || progress.check();
            let found = containing_compute(&shapes, &points, &check)?;
            Ok(WithProgressEvents(
                found,
                progress.queued.load(Ordering::Relaxed),
            ))
        },
        Ok,
    )
}

#[napi(
    js_name = "polygonBestContainingAsync",
    ts_return_type = "Promise<PolygonAsyncOutcome>"
)]
pub fn best_containing_async<'env>(
    env: &'env Env,
    shapes: &NativePolygonShapes,
    query: PolygonPointsQuery,
    scores: Option<Float64Array>,
    mut out: Int32Array,
    token: Option<&CancelToken>,
    on_progress: Option<PolygonProgressCallback>,
) -> Result<Object<'env>> {
    let shapes = Arc::clone(&shapes.inner);
    let PolygonPointsQuery {
        points,
        borrow,
        threads,
    } = query;
    let points = FloatInput::new(points, borrow)?;
    let scores = scores.map(|s| F64Input::new(s, borrow)).transpose()?;
    let progress = ChunkProgress::new(StopFlag::of(token), on_progress, points.len() / 2);
    run_async(
        env,
        "polygonBestContaining",
        threads,
        move || {
            let scores = scores.as_ref().map(F64Input::values);
            let check = || progress.check();
            best_containing_compute(&shapes, &points, scores, &check, out_i32(&mut out))?;
            Ok(progress.queued.load(Ordering::Relaxed))
        },
        |progress_events| Ok(PolygonAsyncOutcome { progress_events }),
    )
}
