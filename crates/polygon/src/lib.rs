//! fastkernels-polygon: point-to-polygon matching.
//!
//! Polygons are packed into flat vertex buffers; [`PolygonIndex`] computes
//! every center (plain vertex mean) and area (shoelace) once, buckets the
//! centers in a uniform grid, and answers bulk queries in parallel over
//! points with results identical for every thread count. The numeric
//! definitions match the TypeScript reference operation for operation
//! (see [`geometry`]).

mod bucket;
pub mod error;
pub mod geometry;
mod grid;
pub mod index;

pub use bucket::BUCKET_CHUNK;
pub use error::PolygonError;
pub use index::{
    check_shapes, never_stop, Best, Csr, Nearest, PolygonIndex, Radius, StopCheck, BUILD_CHUNK,
    MAX_NEIGHBORS, MAX_POINTS, POINT_CHUNK,
};
