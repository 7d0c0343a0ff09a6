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
    fn single_vertex_has_zero_area() {
        assert_eq!(area(&[3.0], &[4.0]), 0.0);
        assert_eq!(distance(3.0, 4.0, 0.0, 0.0), 5.0);
    }
}
