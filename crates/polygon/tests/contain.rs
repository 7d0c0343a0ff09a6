//! Containment: the grid answers exactly what a scan of every polygon
//! answers, for every thread count; tilings put a point on a shared edge
//! in exactly one tile.

use fastkernels_polygon::*;

/// Seeded star-shaped polygons of 3-12 corners (some with a hole, some
/// large enough to land in the grid's big list) and points around them.
fn data(seed: u64, count: usize) -> (Vec<f64>, Vec<f64>, Vec<u32>, Vec<u32>) {
    let mut state = seed;
    let mut rand = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut x, mut y, mut offsets, mut rings) = (Vec::new(), Vec::new(), vec![0u32], vec![0u32]);
    for i in 0..count {
        let (cx, cy) = (rand() * 100.0, rand() * 100.0);
        let r = if i % 97 == 0 {
            40.0
        } else {
            0.5 + rand() * 3.0
        };
        let corners = 3 + (rand() * 10.0) as usize;
        for k in 0..corners {
            let a = std::f64::consts::TAU * (k as f64 + rand() * 0.8) / corners as f64;
            let rr = r * (0.5 + rand() * 0.5);
            x.push(cx + rr * a.cos());
            y.push(cy + rr * a.sin());
        }
        offsets.push(x.len() as u32);
        if i % 5 == 0 {
            // A small square hole around the center, inside the inner radius.
            let h = r * 0.2;
            for (dx, dy) in [(-h, -h), (h, -h), (h, h), (-h, h)] {
                x.push(cx + dx);
                y.push(cy + dy);
            }
            offsets.push(x.len() as u32);
        }
        rings.push((offsets.len() - 1) as u32);
    }
    (x, y, offsets, rings)
}

fn points(seed: u64, n: usize) -> Vec<f64> {
    (0..2 * n)
        .map(|i| ((i as f64 + seed as f64) * 0.618_033_988_749_895).fract() * 110.0 - 5.0)
        .collect()
}

#[test]
fn grid_equals_scan_for_every_thread_count() {
    let (x, y, offsets, rings) = data(7, 3000);
    let shapes = Shapes::build(&x, &y, &offsets, Some(&rings)).unwrap();
    let pts = points(3, 20_000);
    let mut expected_offsets = vec![0i32];
    let mut expected = Vec::new();
    let mut expected_best = Vec::new();
    for p in pts.chunks_exact(2) {
        let inside: Vec<i32> = (0..shapes.len())
            .filter(|&i| shapes.contains(i, p[0], p[1]))
            .map(|i| i as i32)
            .collect();
        let best = inside.iter().copied().fold(-1, |b, i| {
            if b == -1 || shapes.areas()[i as usize] < shapes.areas()[b as usize] {
                i
            } else {
                b
            }
        });
        expected_best.push(best);
        expected.extend_from_slice(&inside);
        expected_offsets.push(expected.len() as i32);
    }
    assert!(
        expected.len() > 5000,
        "the data must have many hits, got {}",
        expected.len()
    );
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let got = pool.install(|| shapes.containing(&pts, &never_stop).unwrap());
        assert_eq!(got.offsets, expected_offsets);
        assert_eq!(got.polygons, expected);
        let mut best = vec![0; pts.len() / 2];
        pool.install(|| {
            shapes
                .best_containing_into(&pts, Best::Area, &never_stop, &mut best)
                .unwrap()
        });
        assert_eq!(best, expected_best);
    }
}

#[test]
fn a_point_on_a_shared_edge_is_in_exactly_one_tile() {
    // A 10 x 10 tiling of skewed quadrilaterals (shared edges are not axis-aligned).
    let corner = |i: usize, j: usize| {
        (
            i as f64 + 0.3 * (j as f64 * 0.7).sin(),
            j as f64 + 0.2 * (i as f64 * 1.3).cos(),
        )
    };
    let (mut x, mut y, mut offsets) = (Vec::new(), Vec::new(), vec![0u32]);
    for j in 0..10 {
        for i in 0..10 {
            // Alternate orientation, so shared edges run both ways.
            let mut quad = vec![
                corner(i, j),
                corner(i + 1, j),
                corner(i + 1, j + 1),
                corner(i, j + 1),
            ];
            if (i + j) % 2 == 1 {
                quad.reverse();
            }
            for (a, b) in quad {
                x.push(a);
                y.push(b);
            }
            offsets.push(x.len() as u32);
        }
    }
    let shapes = Shapes::build(&x, &y, &offsets, None).unwrap();
    let mut pts = Vec::new();
    // Points on interior edges: midpoints and other fractions of each shared edge.
    for j in 1..10 {
        for i in 1..10 {
            for t in [0.25, 0.5, 0.75] {
                let (a, b) = (corner(i, j), corner(i + 1, j));
                pts.extend([a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)]);
                let (a, b) = (corner(i, j), corner(i, j + 1));
                pts.extend([a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)]);
            }
            // The shared corner itself.
            pts.extend([corner(i, j).0, corner(i, j).1]);
        }
    }
    let got = shapes.containing(&pts, &never_stop).unwrap();
    for p in 0..pts.len() / 2 {
        assert_eq!(
            got.offsets[p + 1] - got.offsets[p],
            1,
            "point {p} ({}, {})",
            pts[2 * p],
            pts[2 * p + 1]
        );
    }
}

#[test]
fn holes_and_errors() {
    let x = [0.0, 10.0, 10.0, 0.0, 4.0, 6.0, 6.0, 4.0];
    let y = [0.0, 0.0, 10.0, 10.0, 4.0, 4.0, 6.0, 6.0];
    let shapes = Shapes::build(&x, &y, &[0, 4, 8], Some(&[0, 2])).unwrap();
    let got = shapes
        .containing(&[5.0, 5.0, 2.0, 2.0, 11.0, 5.0], &never_stop)
        .unwrap();
    assert_eq!(got.offsets, [0, 0, 1, 1]);
    assert_eq!(got.polygons, [0]);
    assert_eq!(
        shapes
            .containing(&[1.0], &never_stop)
            .unwrap_err()
            .to_string(),
        "points must hold x, y pairs (even length), got Float64Array(1)"
    );
    assert_eq!(
        shapes
            .containing(&[1.0, f64::NAN], &never_stop)
            .unwrap_err()
            .to_string(),
        "points[1] must be a finite number, got NaN"
    );
    let mut out = [0; 1];
    assert_eq!(
        shapes
            .best_containing_into(
                &[1.0, 1.0],
                Best::Scores(&[f64::NAN]),
                &never_stop,
                &mut out
            )
            .unwrap_err()
            .to_string(),
        "options.best[0] must not be NaN, got NaN"
    );
    let empty = Shapes::build(&[], &[], &[0], None).unwrap();
    assert_eq!(
        empty.containing(&[1.0, 1.0], &never_stop).unwrap().offsets,
        [0, 0]
    );
}
