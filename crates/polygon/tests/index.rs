//! The grid index against a brute-force oracle, thread invariance, errors.

use fastkernels_common::Flow;
use fastkernels_polygon::geometry::distance;
use fastkernels_polygon::{never_stop, Best, PolygonError, PolygonIndex, Radius};

/// Small deterministic generator (splitmix64) for test data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `count` polygons of 3-6 vertices; coordinates rounded to a 0.5 lattice so
/// that ties and exact boundary distances are common.
fn polygons(rng: &mut Rng, count: usize, extent: f64) -> (Vec<f64>, Vec<f64>, Vec<u32>) {
    let (mut x, mut y, mut offsets) = (Vec::new(), Vec::new(), vec![0u32]);
    for _ in 0..count {
        let (ox, oy) = (
            (rng.next() * extent * 2.0).round() / 2.0,
            (rng.next() * extent * 2.0).round() / 2.0,
        );
        let n = 3 + (rng.next() * 4.0) as usize;
        for _ in 0..n {
            x.push(ox + (rng.next() * 4.0).round() / 2.0);
            y.push(oy + (rng.next() * 4.0).round() / 2.0);
        }
        offsets.push(x.len() as u32);
    }
    (x, y, offsets)
}

fn points(rng: &mut Rng, count: usize, extent: f64) -> Vec<f64> {
    (0..2 * count)
        .map(|_| (rng.next() * extent * 2.0).round() / 2.0 - 1.0)
        .collect()
}

fn brute_close(index: &PolygonIndex, px: f64, py: f64, radius: Radius) -> Vec<(f64, u32)> {
    let c = index.centers();
    (0..index.len())
        .map(|i| (distance(c[2 * i], c[2 * i + 1], px, py), i as u32))
        .filter(|&(d, _)| radius.admits(d))
        .collect()
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

#[test]
fn queries_match_brute_force() {
    let mut rng = Rng(7);
    let (x, y, offsets) = polygons(&mut rng, 700, 40.0);
    let index = PolygonIndex::build(&x, &y, &offsets).unwrap();
    let pts = points(&mut rng, 600, 42.0);
    for max_dist in [0.0, 0.5, 1.0, 3.0, 7.5, 100.0, f64::INFINITY] {
        for inclusive in [false, true] {
            let radius = Radius::new(max_dist, inclusive).unwrap();
            let best = index
                .best_match(&pts, radius, Best::Area, &never_stop)
                .unwrap();
            let within = index.within_distance(&pts, radius, &never_stop).unwrap();
            let k = 5;
            let nearest = index.nearest(&pts, k, radius, &never_stop).unwrap();
            for p in 0..pts.len() / 2 {
                let close = brute_close(&index, pts[2 * p], pts[2 * p + 1], radius);
                let ids: Vec<u32> = close.iter().map(|c| c.1).collect();
                let (a, b) = (within.offsets[p] as usize, within.offsets[p + 1] as usize);
                assert_eq!(
                    &within.indices[a..b],
                    &ids[..],
                    "within, point {p}, r {max_dist}"
                );
                assert_eq!(
                    index.close_to(pts[2 * p], pts[2 * p + 1], radius).unwrap(),
                    ids
                );
                let expected_best = ids.iter().copied().fold(-1i32, |bestsofar, i| {
                    if bestsofar < 0
                        || index.areas()[i as usize] < index.areas()[bestsofar as usize]
                    {
                        i as i32
                    } else {
                        bestsofar
                    }
                });
                assert_eq!(best[p], expected_best, "best, point {p}, r {max_dist}");
                let mut sorted = close.clone();
                sorted.sort_by(|l, r| l.0.total_cmp(&r.0).then(l.1.cmp(&r.1)));
                for j in 0..k {
                    let got = (nearest.indices[p * k + j], nearest.distances[p * k + j]);
                    match sorted.get(j) {
                        Some(&(d, i)) => {
                            assert_eq!((got.0, got.1.to_bits()), (i as i32, d.to_bits()))
                        }
                        None => assert!(got.0 == -1 && got.1.is_nan()),
                    }
                }
            }
        }
    }
}

#[test]
fn results_are_identical_for_every_thread_count() {
    let mut rng = Rng(11);
    let (x, y, offsets) = polygons(&mut rng, 5000, 200.0);
    let pts = points(&mut rng, 3000, 200.0);
    let radius = Radius::new(6.0, false).unwrap();
    let run = |threads: usize| {
        pool(threads).install(|| {
            let index = PolygonIndex::build(&x, &y, &offsets).unwrap();
            (
                index.areas().to_vec(),
                index
                    .best_match(&pts, radius, Best::Area, &never_stop)
                    .unwrap(),
                index.within_distance(&pts, radius, &never_stop).unwrap(),
                index.nearest(&pts, 3, radius, &never_stop).unwrap().indices,
            )
        })
    };
    let one = run(1);
    for threads in [2, 3, 4] {
        let many = run(threads);
        assert_eq!(
            one.0.iter().map(|a| a.to_bits()).collect::<Vec<_>>(),
            many.0.iter().map(|a| a.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(one.1, many.1);
        assert_eq!(one.2, many.2);
        assert_eq!(one.3, many.3);
    }
}

#[test]
fn exact_boundary_and_duplicates() {
    // Two squares with the same center (0, 0) and one centered at (3, 4): distance 5 from the origin.
    let x = [
        -1.0, 1.0, 1.0, -1.0, -2.0, 2.0, 2.0, -2.0, 2.0, 4.0, 4.0, 2.0,
    ];
    let y = [
        -1.0, -1.0, 1.0, 1.0, -2.0, -2.0, 2.0, 2.0, 3.0, 3.0, 5.0, 5.0,
    ];
    let index = PolygonIndex::build(&x, &y, &[0, 4, 8, 12]).unwrap();
    let strict = Radius::new(5.0, false).unwrap();
    let inclusive = Radius::new(5.0, true).unwrap();
    assert_eq!(index.close_to(0.0, 0.0, strict).unwrap(), vec![0, 1]);
    assert_eq!(index.close_to(0.0, 0.0, inclusive).unwrap(), vec![0, 1, 2]);
    assert_eq!(
        index
            .close_to(0.0, 0.0, Radius::new(0.0, false).unwrap())
            .unwrap(),
        Vec::<u32>::new()
    );
    assert_eq!(
        index
            .close_to(0.0, 0.0, Radius::new(0.0, true).unwrap())
            .unwrap(),
        vec![0, 1]
    );
    // Same score: the lower index wins; lower score wins otherwise.
    let best = index
        .best_match(
            &[0.0, 0.0],
            inclusive,
            Best::Scores(&[1.0, 1.0, 0.5]),
            &never_stop,
        )
        .unwrap();
    assert_eq!(best, vec![2]);
    let best = index
        .best_match(
            &[0.0, 0.0, 100.0, 100.0],
            strict,
            Best::Scores(&[1.0, 1.0, 0.5]),
            &never_stop,
        )
        .unwrap();
    assert_eq!(best, vec![0, -1]);
    assert_eq!(index.areas(), &[4.0, 16.0, 4.0]);
}

#[test]
fn bad_input_is_an_error() {
    let ok = PolygonIndex::build(&[0.0, 1.0, 0.0], &[0.0, 0.0, 1.0], &[0, 3]).unwrap();
    let err = |r: Result<PolygonIndex, PolygonError>| r.unwrap_err();
    assert_eq!(
        err(PolygonIndex::build(&[0.0], &[0.0, 1.0], &[0, 1])),
        PolygonError::LengthMismatch { x: 1, y: 2 }
    );
    assert_eq!(
        err(PolygonIndex::build(&[0.0], &[0.0], &[])),
        PolygonError::OffsetsEmpty
    );
    assert_eq!(
        err(PolygonIndex::build(&[0.0], &[0.0], &[1])),
        PolygonError::OffsetsStart { value: 1 }
    );
    assert_eq!(
        err(PolygonIndex::build(&[0.0], &[0.0], &[0, 2])),
        PolygonError::OffsetPastEnd {
            index: 1,
            value: 2,
            len: 1
        }
    );
    assert_eq!(
        err(PolygonIndex::build(&[0.0, 1.0], &[0.0, 1.0], &[0, 0, 2])),
        PolygonError::EmptyPolygon {
            index: 0,
            value: 0,
            ring: false
        }
    );
    assert!(matches!(
        err(PolygonIndex::build(&[0.0, f64::NAN], &[0.0, 1.0], &[0, 2])),
        PolygonError::NonFinite {
            what: "polygons.x",
            index: 1,
            ..
        }
    ));
    assert!(Radius::new(f64::NAN, false).is_err());
    assert!(Radius::new(-1.0, false).is_err());
    let r = Radius::new(1.0, false).unwrap();
    assert_eq!(
        ok.best_match(&[0.0, 0.0, 1.0], r, Best::Area, &never_stop),
        Err(PolygonError::OddPoints { len: 3 })
    );
    assert_eq!(
        ok.best_match(&[0.0, 0.0], r, Best::Scores(&[]), &never_stop),
        Err(PolygonError::ScoresLength {
            expected: 1,
            got: 0
        })
    );
    assert!(ok.nearest(&[0.0, 0.0], 0, r, &never_stop).is_err());
    assert!(ok
        .within_distance(&[f64::INFINITY, 0.0], r, &never_stop)
        .is_err());
    let stop = || Flow::Stop;
    assert_eq!(
        ok.within_distance(&[0.0, 0.0], r, &stop),
        Err(PolygonError::Cancelled)
    );
    let empty = PolygonIndex::build(&[], &[], &[0]).unwrap();
    assert_eq!(
        empty
            .best_match(&[0.0, 0.0], r, Best::Area, &never_stop)
            .unwrap(),
        vec![-1]
    );
    assert_eq!(
        empty
            .nearest(&[0.0, 0.0], 2, r, &never_stop)
            .unwrap()
            .indices,
        vec![-1, -1]
    );
}

/// The answer of the original's loop for one point: the first candidate in
/// index order, replaced only by a strictly smaller area.
fn brute_best(index: &PolygonIndex, px: f64, py: f64, radius: Radius) -> i32 {
    brute_close(index, px, py, radius)
        .iter()
        .fold(-1i32, |best, &(_, i)| {
            if best < 0 || index.areas()[i as usize] < index.areas()[best as usize] {
                i as i32
            } else {
                best
            }
        })
}

#[test]
fn bulk_queries_larger_than_a_bucketing_chunk() {
    // More polygons and points than one parallel bucketing chunk (16384), so
    // the grid build and the query order take their parallel paths.
    let mut rng = Rng(23);
    let (x, y, offsets) = polygons(&mut rng, 20_000, 300.0);
    let pts = points(&mut rng, 40_000, 310.0);
    let radius = Radius::new(2.5, false).unwrap();
    let run = |threads: usize| {
        pool(threads).install(|| {
            let index = PolygonIndex::build(&x, &y, &offsets).unwrap();
            let best = index
                .best_match(&pts, radius, Best::Area, &never_stop)
                .unwrap();
            let within = index.within_distance(&pts, radius, &never_stop).unwrap();
            let nearest = index.nearest(&pts, 2, radius, &never_stop).unwrap();
            (index, best, within, nearest.indices)
        })
    };
    let (index, best, within, nearest) = run(1);
    for p in (0..pts.len() / 2).step_by(37) {
        let (px, py) = (pts[2 * p], pts[2 * p + 1]);
        assert_eq!(best[p], brute_best(&index, px, py, radius), "point {p}");
        let ids: Vec<u32> = brute_close(&index, px, py, radius)
            .iter()
            .map(|c| c.1)
            .collect();
        let (a, b) = (within.offsets[p] as usize, within.offsets[p + 1] as usize);
        assert_eq!(&within.indices[a..b], &ids[..], "point {p}");
    }
    assert!(best.iter().filter(|&&b| b >= 0).count() > 10_000);
    for threads in [2, 3] {
        let (_, b, w, n) = run(threads);
        assert_eq!(b, best);
        assert_eq!(w, within);
        assert_eq!(n, nearest);
    }
}

#[test]
fn from_geometry_answers_like_build() {
    let mut rng = Rng(5);
    let (x, y, offsets) = polygons(&mut rng, 3000, 60.0);
    let built = PolygonIndex::build(&x, &y, &offsets).unwrap();
    let same = PolygonIndex::from_geometry(&built.centers(), built.areas()).unwrap();
    let pts = points(&mut rng, 2000, 62.0);
    for max_dist in [0.0, 1.5, 4.0] {
        let radius = Radius::new(max_dist, true).unwrap();
        assert_eq!(
            same.best_match(&pts, radius, Best::Area, &never_stop),
            built.best_match(&pts, radius, Best::Area, &never_stop)
        );
        assert_eq!(
            same.within_distance(&pts, radius, &never_stop),
            built.within_distance(&pts, radius, &never_stop)
        );
    }
    assert_eq!(
        PolygonIndex::from_geometry(&[0.0, 1.0, 2.0], &[1.0, 2.0]).unwrap_err(),
        PolygonError::GeometryLength {
            centers: 3,
            areas: 2
        }
    );
    // Centers that vertices could never give (NaN) are simply never close.
    let odd = PolygonIndex::from_geometry(&[f64::NAN, 0.0, 1.0, 1.0], &[1.0, 2.0]).unwrap();
    let r = Radius::new(f64::INFINITY, true).unwrap();
    assert_eq!(odd.close_to(0.0, 0.0, r).unwrap(), vec![1]);
}

#[test]
fn tiny_radii_and_exact_boundaries_survive_the_squared_prefilter() {
    // Distances whose squares underflow, and points exactly at the radius.
    let tiny = 1e-160;
    let x = [0.0, tiny, 3.0 * tiny, 0.3, 3.0];
    let y = [0.0, 0.0, 4.0 * tiny, 0.4, 4.0];
    let index = PolygonIndex::build(&x, &y, &[0, 1, 2, 3, 4, 5]).unwrap();
    for max_dist in [
        tiny,
        2.0 * tiny,
        5.0 * tiny,
        1e-300,
        0.5,
        5.0,
        5.0000000000000001,
    ] {
        for inclusive in [false, true] {
            let radius = Radius::new(max_dist, inclusive).unwrap();
            let pts = [0.0, 0.0, tiny, 0.0, 0.3, 0.4];
            let within = index.within_distance(&pts, radius, &never_stop).unwrap();
            for p in 0..3 {
                let ids: Vec<u32> = brute_close(&index, pts[2 * p], pts[2 * p + 1], radius)
                    .iter()
                    .map(|c| c.1)
                    .collect();
                let (a, b) = (within.offsets[p] as usize, within.offsets[p + 1] as usize);
                assert_eq!(
                    &within.indices[a..b],
                    &ids[..],
                    "r {max_dist} {inclusive} p {p}"
                );
            }
        }
    }
    let at_five = index
        .close_to(0.0, 0.0, Radius::new(5.0, true).unwrap())
        .unwrap();
    assert_eq!(at_five, vec![0, 1, 2, 3, 4]);
    let below_five = index
        .close_to(0.0, 0.0, Radius::new(5.0, false).unwrap())
        .unwrap();
    assert_eq!(below_five, vec![0, 1, 2, 3]);
}

#[test]
fn nan_areas_follow_the_original_scan_whatever_the_grid_order() {
    // Vertices near ±1e155 overflow the shoelace products: area NaN, center
    // finite. Polygon 0 (NaN) lies in a later grid cell than polygon 1.
    let a = 1e155;
    let x = [a + 0.6, a + 0.6, -a + 0.6, -a + 0.6, -1.1, -0.1, -0.1, -1.1];
    let y = [a, a, -a, -a, -0.5, -0.5, 0.5, 0.5];
    let index = PolygonIndex::build(&x, &y, &[0, 4, 8]).unwrap();
    assert!(index.areas()[0].is_nan());
    let r = Radius::new(5.0, false).unwrap();
    let pts = [0.0, 0.0];
    assert_eq!(
        index.best_match(&pts, r, Best::Area, &never_stop).unwrap(),
        vec![0]
    );
    assert_eq!(brute_best(&index, 0.0, 0.0, r), 0);
    // NaN later in index order never replaces a number.
    let swapped = PolygonIndex::build(
        &[x[4..].to_vec(), x[..4].to_vec()].concat(),
        &[y[4..].to_vec(), y[..4].to_vec()].concat(),
        &[0, 4, 8],
    )
    .unwrap();
    assert_eq!(
        swapped
            .best_match(&pts, r, Best::Area, &never_stop)
            .unwrap(),
        vec![0]
    );
    assert_eq!(brute_best(&swapped, 0.0, 0.0, r), 0);
}

#[test]
fn rings_give_outer_ring_geometry_and_checked_errors() {
    // A 10 x 10 square with a 2 x 2 hole, then a triangle.
    let x = [0.0, 10.0, 10.0, 0.0, 4.0, 6.0, 6.0, 4.0, 5.0, 6.0, 5.0];
    let y = [0.0, 0.0, 10.0, 10.0, 4.0, 4.0, 6.0, 6.0, 20.0, 20.0, 21.0];
    let offsets = [0, 4, 8, 11];
    let index = PolygonIndex::build_rings(&x, &y, &offsets, Some(&[0, 2, 3])).unwrap();
    assert_eq!(index.len(), 2);
    assert_eq!(index.areas(), &[100.0, 0.5]);
    assert_eq!(index.centers()[..2], [5.0, 5.0]);
    let err = |rings: &[u32]| {
        PolygonIndex::build_rings(&x, &y, &offsets, Some(rings))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(&[]),
        "polygons.rings must start with 0 (length >= 1), got Uint32Array(0)"
    );
    assert_eq!(err(&[1, 3]), "polygons.rings[0] must be 0, got 1");
    assert_eq!(
        err(&[0, 2, 1, 3]),
        "polygons.rings must be non-decreasing, got rings[2] = 1 < rings[1] = 2"
    );
    assert_eq!(
        err(&[0, 1, 1, 3]),
        "polygons: polygon 1 is empty (rings[1] = rings[2] = 1)"
    );
    assert_eq!(
        err(&[0, 1, 4]),
        "polygons.rings[2] runs past the rings (offsets.length - 1 = 3), got 4"
    );
    assert_eq!(
        err(&[0, 1, 2]),
        "polygons.rings must end at the ring count (offsets.length - 1 = 3), got rings[2] = 2"
    );
    let empty_ring = PolygonIndex::build_rings(&x, &y, &[0, 4, 4, 11], Some(&[0, 2, 3]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        empty_ring,
        "polygons: ring 1 is empty (offsets[1] = offsets[2] = 4)"
    );
}
