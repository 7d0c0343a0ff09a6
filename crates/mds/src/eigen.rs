//! Eigen-decomposition of a small dense symmetric matrix by cyclic Jacobi
//! rotations (the Rayleigh-Ritz step of classical MDS; p <= dims + 10).

/// Eigenvalues in descending order and the matching eigenvectors as the
/// columns of a row-major p x p matrix. `a` is row-major and symmetric.
pub(crate) fn symmetric_eigen(a: &[f64], p: usize) -> (Vec<f64>, Vec<f64>) {
    let mut m = a.to_vec();
    let mut v = vec![0.0; p * p];
    for k in 0..p {
        v[k * p + k] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..p)
            .flat_map(|r| (0..p).filter(move |&c| c != r).map(move |c| (r, c)))
            .map(|(r, c)| m[r * p + c] * m[r * p + c])
            .sum();
        let total: f64 = m.iter().map(|x| x * x).sum();
        if off <= 1e-32 * total || off == 0.0 {
            break;
        }
        for r in 0..p {
            for c in r + 1..p {
                let arc = m[r * p + c];
                if arc == 0.0 {
                    continue;
                }
                let theta = (m[c * p + c] - m[r * p + r]) / (2.0 * arc);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let cos = 1.0 / (t * t + 1.0).sqrt();
                let sin = t * cos;
                for k in 0..p {
                    let (mkr, mkc) = (m[k * p + r], m[k * p + c]);
                    m[k * p + r] = cos * mkr - sin * mkc;
                    m[k * p + c] = sin * mkr + cos * mkc;
                }
                for k in 0..p {
                    let (mrk, mck) = (m[r * p + k], m[c * p + k]);
                    m[r * p + k] = cos * mrk - sin * mck;
                    m[c * p + k] = sin * mrk + cos * mck;
                }
                for k in 0..p {
                    let (vkr, vkc) = (v[k * p + r], v[k * p + c]);
                    v[k * p + r] = cos * vkr - sin * vkc;
                    v[k * p + c] = sin * vkr + cos * vkc;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..p).collect();
    // Stable sort: equal eigenvalues keep their index order.
    order.sort_by(|&x, &y| m[y * p + y].total_cmp(&m[x * p + x]));
    let values = order.iter().map(|&k| m[k * p + k]).collect();
    let mut vectors = vec![0.0; p * p];
    for (new, &old) in order.iter().enumerate() {
        for k in 0..p {
            vectors[k * p + new] = v[k * p + old];
        }
    }
    (values, vectors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagonalises_a_known_matrix() {
        // Eigenvalues 3, 1 with vectors (1, 1)/sqrt2, (1, -1)/sqrt2.
        let (values, vectors) = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2);
        assert!((values[0] - 3.0).abs() < 1e-14 && (values[1] - 1.0).abs() < 1e-14);
        assert!((vectors[0].abs() - 0.5f64.sqrt()).abs() < 1e-14);
        assert!((vectors[0] - vectors[2]).abs() < 1e-14);
    }
}
