//! Center, area and distance, defined operation for operation like the
//! TypeScript reference (ts/polygon/geometry.ts) so both give the same bits.
//! Rust does not contract `a * b + c` into a fused multiply-add, and no
//! `mul_add` is used: every product is rounded before it is added.

/// Plain mean of the vertices: sequential sums from vertex 0 to n-1, over n.
/// `x` and `y` are one polygon's vertices, non-empty, same length.
pub fn center(x: &[f64], y: &[f64]) -> (f64, f64) {
    let mut sum_x = 0.0;
    let mut sum_y = 0.0;
    for (&xi, &yi) in x.iter().zip(y) {
        sum_x += xi;
        sum_y += yi;
    }
    let n = x.len() as f64;
    (sum_x / n, sum_y / n)
}

/// Shoelace area `0.5 * |sx - sy|`, `sx = Σ x[i]·y[i-1]`, `sy = Σ y[i]·x[i-1]`
/// (index -1 is n-1), each summed sequentially from i = 0.
pub fn area(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    let mut sx = 0.0;
    let mut sy = 0.0;
    let mut previous = n - 1;
    for i in 0..n {
        sx += x[i] * y[previous];
        sy += y[i] * x[previous];
        previous = i;
    }
    0.5 * (sx - sy).abs()
}

/// Euclidean distance `sqrt(dx·dx + dy·dy)`, `dx = cx - px`, `dy = cy - py`.
#[inline]
pub fn distance(cx: f64, cy: f64, px: f64, py: f64) -> f64 {
    let dx = cx - px;
    let dy = cy - py;
    (dx * dx + dy * dy).sqrt()
}

/// Mean Earth radius (IUGG), metres: the radius of `metric: "haversine"`.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between `(lon1, lat1)` and `(lon2, lat2)`
/// (degrees) on a sphere of [`EARTH_RADIUS_M`], by the haversine formula,
/// operation for operation like the TypeScript reference. The trigonometric
/// functions are the platform's (V8's and Rust's libm), which may differ in
/// the last bit. Callers pass the center first, then the point.
#[inline]
pub fn haversine(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let rad = std::f64::consts::PI / 180.0;
    let s1 = ((lat2 - lat1) * rad / 2.0).sin();
    let s2 = ((lon2 - lon1) * rad / 2.0).sin();
    let a = s1 * s1 + (lat1 * rad).cos() * (lat2 * rad).cos() * s2 * s2;
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// Whether the ray from `(px, py)` towards +x crosses the closed ring `x, y`
/// (implicitly closed: the last vertex connects to the first) an odd number
/// of times. Half-open rule: an edge counts when one end is at or below `py`
/// and the other strictly above, and `px` is strictly left of where it meets
/// the line `y = py`. That point is computed from the edge's lower end
/// whichever way the ring runs, so an edge shared by two polygons gives the
/// same bits in both and a point on it belongs to exactly one of them.
#[inline]
pub fn ring_parity(x: &[f64], y: &[f64], px: f64, py: f64) -> bool {
    let n = x.len();
    let mut odd = false;
    let mut j = n - 1;
    for i in 0..n {
        let (yi, yj) = (y[i], y[j]);
        if (yi > py) != (yj > py) {
            let (xa, ya, xb, yb) = if yi < yj {
                (x[i], yi, x[j], yj)
            } else {
                (x[j], yj, x[i], yi)
            };
            if px < xa + (py - ya) * (xb - xa) / (yb - ya) {
                odd = !odd;
            }
        }
        j = i;
    }
    odd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_box() {
        let x = [0.0, 1.0, 1.0, 0.0];
        let y = [0.0, 0.0, 1.0, 1.0];
        assert_eq!(area(&x, &y), 1.0);
        assert_eq!(center(&x, &y), (0.5, 0.5));
    }

    #[test]
    fn the_original_polygon() {
        let x: Vec<f64> = (0..10).map(|i| i as f64 * 0.1).collect();
        let y: Vec<f64> = x.iter().map(|v| (1.0 - v * v).sqrt()).collect();
        assert!((area(&x, &y) - 0.108).abs() < 0.01);
        let (cx, cy) = center(&x, &y);
        assert!((cx - 0.45).abs() < 1e-12);
        assert!((cy - 0.826).abs() < 0.01);
    }

    #[test]
    fn haversine_known_distances() {
        // A quarter of a great circle, and one degree of latitude.
        let quarter = std::f64::consts::PI / 2.0 * EARTH_RADIUS_M;
        assert!((haversine(0.0, 0.0, 90.0, 0.0) - quarter).abs() < 1e-6);
        assert!((haversine(0.0, 0.0, 0.0, 90.0) - quarter).abs() < 1e-6);
        let degree = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        assert!((haversine(10.0, 45.0, 10.0, 46.0) - degree).abs() < 1e-6);
        assert_eq!(haversine(3.0, 4.0, 3.0, 4.0), 0.0);
    }

    #[test]
    fn half_open_edges() {
        let x = [0.0, 1.0, 1.0, 0.0];
        let y = [0.0, 0.0, 1.0, 1.0];
        assert!(ring_parity(&x, &y, 0.5, 0.5));
        // Left and bottom edges in, right and top edges out.
        assert!(ring_parity(&x, &y, 0.0, 0.5));
        assert!(ring_parity(&x, &y, 0.5, 0.0));
        assert!(!ring_parity(&x, &y, 1.0, 0.5));
        assert!(!ring_parity(&x, &y, 0.5, 1.0));
        assert!(!ring_parity(&x, &y, 2.0, 0.5));
    }

    #[test]
    fn single_vertex_has_zero_area() {
        assert_eq!(area(&[3.0], &[4.0]), 0.0);
        assert_eq!(distance(3.0, 4.0, 0.0, 0.0), 5.0);
    }
}
