//! Size limits refused before allocation, `nearest_into` identical to
//! `nearest`, output length errors and the TS layer's messages.

use std::time::{Duration, Instant};

use fastkernels_common::{Classify, ErrorClass};
use fastkernels_polygon::*;

fn message(e: PolygonError) -> String {
    assert_eq!(e.class(), ErrorClass::Range);
    e.to_string()
}

fn squares(n: usize) -> PolygonIndex {
    let (mut x, mut y, mut offsets) = (Vec::new(), Vec::new(), vec![0u32]);
    for i in 0..n {
        let (cx, cy) = ((i % 37) as f64 * 1.3, (i / 37) as f64 * 0.7);
        for (dx, dy) in [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)] {
            x.push(cx + dx * (1.0 + (i % 5) as f64 * 0.1));
            y.push(cy + dy);
        }
        offsets.push(x.len() as u32);
    }
    PolygonIndex::build(&x, &y, &offsets).unwrap()
}

fn points(n: usize) -> Vec<f64> {
    (0..2 * n)
        .map(|i| ((i as f64) * 0.618_033_988_75).fract() * 40.0)
        .collect()
}

#[test]
fn huge_k_is_refused_at_once() {
    let index = squares(10);
    let r = Radius::new(f64::INFINITY, true).unwrap();
    let start = Instant::now();
    assert_eq!(
        message(
            index
                .nearest(&points(3), 1_000_000_000, r, &never_stop)
                .unwrap_err()
        ),
        "k must be at most 4096 (POLYGON_MAX_NEIGHBORS), got 1000000000"
    );
    assert_eq!(
        message(index.nearest(&points(3), 0, r, &never_stop).unwrap_err()),
        "k must be an integer from 1 to 2147483647, got 0"
    );
    // N x k over the output limit: 2^21 points x 4096 = 2^33.
    let many = vec![0.0; 2 << 21];
    assert_eq!(
        message(index.nearest(&many, MAX_NEIGHBORS, r, &never_stop).unwrap_err()),
        "points.length / 2 \u{d7} k = 2097152 \u{d7} 4096 = 8589934592 results would exceed the largest typed array (4294967296 elements, MAX_OUTPUT_ELEMENTS); process the data in smaller parts"
    );
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[test]
fn nearest_into_equals_nearest_bit_for_bit() {
    let index = squares(3000);
    let q = points(5000);
    for (k, max_dist) in [(1, f64::INFINITY), (7, 2.5), (40, 1.0)] {
        let r = Radius::new(max_dist, true).unwrap();
        let vec = index.nearest(&q, k, r, &never_stop).unwrap();
        let (mut ids, mut dist) = (vec![7i32; 5000 * k], vec![7.0; 5000 * k]);
        index
            .nearest_into(&q, k, r, &never_stop, &mut ids, &mut dist)
            .unwrap();
        assert_eq!(vec.indices, ids);
        let bits = |v: &[f64]| v.iter().map(|d| d.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&vec.distances), bits(&dist));
    }
}

#[test]
fn wrong_output_lengths_are_errors() {
    let index = squares(10);
    let r = Radius::new(1.0, true).unwrap();
    let (mut ids, mut dist) = (vec![0i32; 6], vec![0.0; 5]);
    assert_eq!(
        message(
            index
                .nearest_into(&points(3), 2, r, &never_stop, &mut ids, &mut dist)
                .unwrap_err()
        ),
        "distances must have k slots per point (length 6), got length 5"
    );
    assert_eq!(
        message(
            index
                .nearest_into(&points(3), 2, r, &never_stop, &mut ids[..1], &mut dist)
                .unwrap_err()
        ),
        "indices must have k slots per point (length 6), got length 1"
    );
}

#[test]
fn messages_match_the_ts_layer() {
    let build =
        |x: &[f64], y: &[f64], o: &[u32]| message(PolygonIndex::build(x, y, o).unwrap_err());
    assert_eq!(
        build(&[0.0], &[0.0, 1.0], &[0, 1]),
        "polygons.x and polygons.y must have the same length, got 1 and 2"
    );
    assert_eq!(
        build(&[0.0, 1.0], &[0.0, f64::NEG_INFINITY], &[5]),
        "polygons.y[1] must be a finite number, got -Infinity"
    );
    assert_eq!(
        build(&[0.0], &[0.0], &[]),
        "polygons.offsets must start with 0 (length >= 1), got Uint32Array(0)"
    );
    assert_eq!(
        build(&[0.0], &[0.0], &[1]),
        "polygons.offsets[0] must be 0, got 1"
    );
    assert_eq!(
        build(&[0.0], &[0.0], &[0, 2]),
        "polygons.offsets[1] runs past the vertex buffers (length 1), got 2"
    );
    assert_eq!(
        build(&[0.0, 1.0, 2.0], &[0.0, 1.0, 2.0], &[0, 2, 1]),
        "polygons.offsets must be non-decreasing, got offsets[2] = 1 < offsets[1] = 2"
    );
    assert_eq!(
        build(&[0.0, 1.0], &[0.0, 1.0], &[0, 1, 1, 2]),
        "polygons: polygon 1 is empty (offsets[1] = offsets[2] = 1)"
    );
    assert_eq!(
        message(Radius::new(-1e-30, true).unwrap_err()),
        "maxDist must be a number >= 0, got -1e-30"
    );
    let index = squares(2);
    let r = Radius::new(1.0, true).unwrap();
    assert_eq!(
        message(
            index
                .best_match(&[0.0, f64::INFINITY], r, Best::Area, &never_stop)
                .unwrap_err()
        ),
        "points[1] must be a finite number, got Infinity"
    );
    assert_eq!(
        message(
            index
                .best_match(&[0.0, 0.0], r, Best::Scores(&[1.0]), &never_stop)
                .unwrap_err()
        ),
        "options.best must have one score per polygon (length 2), got length 1"
    );
    assert_eq!(
        message(
            index
                .best_match(&[0.0, 0.0], r, Best::Scores(&[1.0, f64::NAN]), &never_stop)
                .unwrap_err()
        ),
        "options.best[1] must not be NaN, got NaN"
    );
}
