//! The polygon kernels' one error type.

use std::fmt;

use fastkernels_common::alloc::AllocError;
use fastkernels_common::{js_number, Classify, ErrorClass, LimitError};

#[derive(Debug, Clone, PartialEq)]
pub enum PolygonError {
    /// `centers` does not hold two values per area.
    GeometryLength { centers: usize, areas: usize },
    /// Vertex buffers `x` and `y` differ in length.
    LengthMismatch { x: usize, y: usize },
    /// `offsets` is empty (it needs at least the leading 0).
    OffsetsEmpty,
    /// `offsets[0]` is not 0.
    OffsetsStart { value: u32 },
    /// `offsets[index]` is smaller than the offset before it.
    OffsetsDecreasing {
        index: usize,
        value: u32,
        previous: u32,
    },
    /// `offsets[index]` points past the end of the vertex buffers.
    OffsetPastEnd {
        index: usize,
        value: u32,
        len: usize,
    },
    /// Polygon (or, with rings, ring) `index` has no vertices
    /// (`offsets[index] = offsets[index + 1] = value`).
    EmptyPolygon {
        index: usize,
        value: u32,
        ring: bool,
    },
    /// `rings` is empty (it needs at least the leading 0).
    RingsEmpty,
    /// `rings[0]` is not 0.
    RingsStart { value: u32 },
    /// `rings[index]` is smaller than the value before it.
    RingsDecreasing {
        index: usize,
        value: u32,
        previous: u32,
    },
    /// `rings[index]` is past the ring count.
    RingPastEnd {
        index: usize,
        value: u32,
        count: usize,
    },
    /// Polygon `index` has no ring (`rings[index] = rings[index + 1] = value`).
    PolygonWithoutRing { index: usize, value: u32 },
    /// The last of `rings` is not the ring count.
    RingsEnd {
        last: usize,
        value: u32,
        count: usize,
    },
    /// A coordinate is NaN or infinite.
    NonFinite {
        what: &'static str,
        index: usize,
        value: f64,
    },
    /// A point buffer has odd length (it holds x, y pairs).
    OddPoints { len: usize },
    /// `maxDist` is NaN or negative.
    MaxDist { value: f64 },
    /// `k` is 0.
    K { value: u32 },
    /// `scores` does not have one entry per polygon.
    ScoresLength { expected: usize, got: usize },
    /// `scores[index]` is NaN.
    ScoreNaN { index: usize },
    /// The output buffer does not have one slot per point.
    OutLength { expected: usize, got: usize },
    /// More results than a u32 offset can address.
    TooManyResults { count: usize },
    /// A size-like argument over its documented limit (checked before
    /// anything is allocated).
    Limit(LimitError),
    /// A data-sized buffer could not be allocated.
    Alloc(AllocError),
    /// A caller's output buffer of `nearest_into` has the wrong length.
    OutputLength {
        name: &'static str,
        expected: usize,
        got: usize,
    },
    /// The caller asked the kernel to stop.
    Cancelled,
}

impl From<LimitError> for PolygonError {
    fn from(e: LimitError) -> Self {
        Self::Limit(e)
    }
}

impl From<AllocError> for PolygonError {
    fn from(e: AllocError) -> Self {
        Self::Alloc(e)
    }
}

impl fmt::Display for PolygonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::GeometryLength { centers, areas } => write!(
                f,
                "centers must hold an x, y pair per area (length {}), got length {centers}",
                2 * areas
            ),
            Self::LengthMismatch { x, y } => write!(
                f,
                "polygons.x and polygons.y must have the same length, got {x} and {y}"
            ),
            Self::OffsetsEmpty => write!(
                f,
                "polygons.offsets must start with 0 (length >= 1), got Uint32Array(0)"
            ),
            Self::OffsetsStart { value } => write!(f, "polygons.offsets[0] must be 0, got {value}"),
            Self::OffsetsDecreasing { index, value, previous } => write!(
                f,
                "polygons.offsets must be non-decreasing, got offsets[{index}] = {value} < offsets[{}] = {previous}",
                index - 1
            ),
            Self::OffsetPastEnd { index, value, len } => write!(
                f,
                "polygons.offsets[{index}] runs past the vertex buffers (length {len}), got {value}"
            ),
            Self::EmptyPolygon { index, value, ring } => write!(
                f,
                "polygons: {} {index} is empty (offsets[{index}] = offsets[{}] = {value})",
                if *ring { "ring" } else { "polygon" },
                index + 1
            ),
            Self::RingsEmpty => write!(
                f,
                "polygons.rings must start with 0 (length >= 1), got Uint32Array(0)"
            ),
            Self::RingsStart { value } => write!(f, "polygons.rings[0] must be 0, got {value}"),
            Self::RingsDecreasing { index, value, previous } => write!(
                f,
                "polygons.rings must be non-decreasing, got rings[{index}] = {value} < rings[{}] = {previous}",
                index - 1
            ),
            Self::RingPastEnd { index, value, count } => write!(
                f,
                "polygons.rings[{index}] runs past the rings (offsets.length - 1 = {count}), got {value}"
            ),
            Self::PolygonWithoutRing { index, value } => write!(
                f,
                "polygons: polygon {index} is empty (rings[{index}] = rings[{}] = {value})",
                index + 1
            ),
            Self::RingsEnd { last, value, count } => write!(
                f,
                "polygons.rings must end at the ring count (offsets.length - 1 = {count}), got rings[{last}] = {value}"
            ),
            Self::NonFinite { what, index, value } => {
                write!(f, "{what}[{index}] must be a finite number, got {}", js_number(*value))
            }
            Self::OddPoints { len } => write!(
                f,
                "points must hold x, y pairs (even length), got Float64Array({len})"
            ),
            Self::MaxDist { value } => {
                write!(f, "maxDist must be a number >= 0, got {}", js_number(*value))
            }
            Self::K { value } => write!(f, "k must be an integer from 1 to 2147483647, got {value}"),
            Self::ScoresLength { expected, got } => write!(
                f,
                "options.best must have one score per polygon (length {expected}), got length {got}"
            ),
            Self::ScoreNaN { index } => {
                write!(f, "options.best[{index}] must not be NaN, got NaN")
            }
            Self::OutLength { expected, got } => write!(
                f,
                "out must have one slot per point (length {expected}), got length {got}"
            ),
            Self::TooManyResults { count } => write!(
                f,
                "the query found {count} matches, more than the 4294967295 a Uint32Array offset can address; split the points"
            ),
            Self::Limit(e) => e.fmt(f),
            Self::Alloc(e) => e.fmt(f),
            Self::OutputLength { name, expected, got } => write!(
                f,
                "{name} must have k slots per point (length {expected}), got length {got}"
            ),
            Self::Cancelled => write!(f, "the polygon query was cancelled"),
        }
    }
}

impl std::error::Error for PolygonError {}

impl Classify for PolygonError {
    fn class(&self) -> ErrorClass {
        match self {
            Self::Cancelled => ErrorClass::Cancelled,
            _ => ErrorClass::Range,
        }
    }
}
