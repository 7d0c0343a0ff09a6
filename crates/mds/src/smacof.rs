//! Metric SMACOF (Guttman transform), following scikit-learn 1.9.1's
//! `sklearn.manifold._mds._smacof_single` with `metric=True`:
//!
//! ```text
//! for it in 0..max_iter:
//!     X <- (1/n) B(X) X             B_ij = -delta_ij / d_ij (d_ij = 0 -> 1e-5), B_ii = -sum_j!=i B_ij
//!     stress = sum_ij (d_ij(X) - delta_ij)^2 / 2       (full matrix, so each pair once)
//!     if it > 0 and (old_stress - stress) / (sum_ij d_ij(X)^2 / 2) < eps: break
//! ```
//!
//! B is never built: one parallel pass over the pairs i < j (`guttman.rs`)
//! computes, for the current X, B X (d_ij computed on the fly) together with
//! the stress and squared distances. A pass therefore yields X_{t+1} and the
//! stress of X_t, which is what the convergence test of the previous
//! iteration needs; the extra memory is O(n * dims).

use crate::classical::classical_mds;
use crate::error::MdsError;
use crate::guttman::{pass, Workspace};
use crate::input::Dissimilarities;
use crate::nonmetric::{DisparityMap, NonMetric};
use crate::random::Mulberry32;
use crate::weighted::{weighted_pass, WeightedWorkspace};
use crate::weights::check_weights;
use fastkernels_common::limits::{at_most, output_elements};
use fastkernels_common::{js_number, Flow, ProgressHook};

use crate::input::{check_finite, zeros};

/// How the first configuration is chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Init {
    /// Classical (Torgerson) MDS.
    Classical,
    /// Uniform [0, 1) coordinates from mulberry32(seed), row-major (as
    /// scikit-learn draws `uniform(size=n*dims)`).
    Random,
    /// A given n x dims configuration.
    Given(Vec<f64>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SmacofParams {
    pub dims: usize,
    pub max_iter: usize,
    pub eps: f64,
    pub init: Init,
    pub n_init: usize,
    pub seed: u32,
    /// Non-metric SMACOF (isotonic disparities, `nonmetric.rs`).
    pub non_metric: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SmacofResult {
    /// n x dims, row-major.
    pub embedding: Vec<f64>,
    /// scikit-learn's raw stress of `embedding`: sum over pairs i < j of (d_ij - delta_ij)^2.
    pub stress: f64,
    /// Kruskal's stress-1 of `embedding`: sqrt(stress / sum_{i<j} d_ij^2).
    pub normalized_stress: f64,
    pub iterations: usize,
    pub converged: bool,
}

/// [`SmacofResult`] without the embedding, which [`smacof_into`] wrote
/// into the caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SmacofStats {
    pub stress: f64,
    pub normalized_stress: f64,
    pub iterations: usize,
    pub converged: bool,
}

/// Most SMACOF iterations (`options.maxIter`) accepted. Each iteration is
/// a full pass over the n x n dissimilarities; 10^7 of them is days of work
/// at any useful n, so a larger value is a mistake, refused at once.
pub const MAX_ITERATIONS: usize = 10_000_000;

/// Most output dimensions of an embedding (`options.dims`, classical
/// `dims`). The embedding holds n x dims values and the SMACOF workspace 17
/// copies of it; 4096 dimensions at the largest n (65,536) is 2^28 values.
pub const MAX_OUTPUT_DIMS: usize = 4096;

/// Most random starts (`options.nInit`), as the TS layer bounds it: every
/// start is a whole SMACOF run.
pub const MAX_N_INIT: usize = 1000;

/// The TS layer's order (`checkSmacofOptions`): dims, maxIter, eps, init,
/// nInit. Size limits first, O(1), before anything is allocated.
fn validate(diss: &Dissimilarities<'_>, p: &SmacofParams) -> Result<(), MdsError> {
    let n = diss.n;
    if p.dims < 1 || p.dims > n {
        return Err(MdsError::invalid(format!(
            "options.dims must be an integer from 1 to {n}, got {}",
            p.dims
        )));
    }
    at_most(
        "options.dims",
        p.dims,
        MAX_OUTPUT_DIMS,
        "MDS_MAX_OUTPUT_DIMS",
    )?;
    output_elements("n", n, "options.dims", p.dims, "values")?;
    if p.max_iter < 1 {
        return Err(MdsError::invalid(format!(
            "options.maxIter must be an integer from 1 to 4294967295, got {}",
            p.max_iter
        )));
    }
    at_most(
        "options.maxIter",
        p.max_iter,
        MAX_ITERATIONS,
        "MDS_MAX_ITERATIONS",
    )?;
    if !(0.0..=f64::MAX).contains(&p.eps) {
        return Err(MdsError::invalid(format!(
            "options.eps must be a number >= 0 and <= 1.7976931348623157e+308, got {}",
            js_number(p.eps)
        )));
    }
    if let Init::Given(x) = &p.init {
        if x.len() != n * p.dims {
            return Err(MdsError::invalid(format!(
                "options.init must have length {} (n x dims), got length {}",
                n * p.dims,
                x.len()
            )));
        }
        check_finite("options.init", x)?;
    }
    if p.n_init < 1 || p.n_init > MAX_N_INIT {
        return Err(MdsError::invalid(format!(
            "options.nInit must be an integer from 1 to {MAX_N_INIT}, got {}",
            p.n_init
        )));
    }
    if p.n_init > 1 && p.init != Init::Random {
        return Err(MdsError::invalid(format!(
            "options.nInit must be 1 unless options.init is \"random\", got {}",
            p.n_init
        )));
    }
    Ok(())
}

/// What a run minimises: the plain stress, the weighted stress, or the
/// non-metric stress against isotonic disparities.
enum Method<'a> {
    Metric,
    Weighted(&'a [f64]),
    NonMetric,
}

fn run_once(
    diss: &Dissimilarities<'_>,
    p: &SmacofParams,
    method: &Method<'_>,
    x: Vec<f64>,
    counter: &mut usize,
    hook: ProgressHook<'_>,
) -> Result<(SmacofResult, Option<DisparityMap>), MdsError> {
    match method {
        Method::Metric => {
            let mut ws = Workspace::new(diss.n, p.dims)?;
            majorise(p, x, counter, hook, &mut |x, next| {
                pass(diss, x, next, &mut ws, None)
            })
            .map(|r| (r, None))
        }
        Method::Weighted(w) => {
            let mut ws = WeightedWorkspace::new(w, diss.n, p.dims)?;
            majorise(p, x, counter, hook, &mut |x, next| {
                weighted_pass(diss, w, x, next, &mut ws)
            })
            .map(|r| (r, None))
        }
        Method::NonMetric => non_metric(diss, p, x, counter, hook),
    }
}

/// One Guttman step: fills `next` from `x`, returns (stress, squares) of `x`.
type Step<'a> = dyn FnMut(&[f64], &mut [f64]) -> (f64, f64) + 'a;

/// The metric loop over one Guttman step: `step(x, next)` fills `next` and
/// returns (stress, sum of squares) of `x`.
fn majorise(
    p: &SmacofParams,
    mut x: Vec<f64>,
    counter: &mut usize,
    hook: ProgressHook<'_>,
    step: &mut Step<'_>,
) -> Result<SmacofResult, MdsError> {
    let mut next = zeros(x.len(), "the SMACOF embedding")?;
    // Pass 0 moves the initial configuration; pass t >= 1 measures X_t.
    step(&x, &mut next);
    std::mem::swap(&mut x, &mut next);
    let mut old_stress = f64::NAN;
    let mut iteration = 0;
    loop {
        iteration += 1;
        let (stress, squares) = step(&x, &mut next);
        *counter += 1;
        if hook(*counter, stress) == Flow::Stop {
            return Err(MdsError::Cancelled);
        }
        let converged = iteration > 1 && (old_stress - stress) / squares < p.eps;
        if converged || iteration >= p.max_iter {
            return Ok(SmacofResult {
                embedding: x,
                stress,
                normalized_stress: (stress / squares).sqrt(),
                iterations: iteration,
                converged,
            });
        }
        old_stress = stress;
        std::mem::swap(&mut x, &mut next);
    }
}

/// scikit-learn's non-metric loop (`nonmetric.rs`): disparities from the
/// distances of X, a Guttman step with them, then the stress of the new X
/// against the same disparities.
fn non_metric(
    diss: &Dissimilarities<'_>,
    p: &SmacofParams,
    mut x: Vec<f64>,
    counter: &mut usize,
    hook: ProgressHook<'_>,
) -> Result<(SmacofResult, Option<DisparityMap>), MdsError> {
    let n = diss.n;
    let mut model = NonMetric::new(diss)?;
    let mut ws = Workspace::new(n, p.dims)?;
    let mut next = zeros(x.len(), "the SMACOF embedding")?;
    let mut old_stress = f64::NAN;
    let mut iteration = 0;
    loop {
        iteration += 1;
        model.update(iteration == 1, &x, p.dims);
        let disparities = Dissimilarities {
            data: &model.disparities,
            n,
        };
        pass(&disparities, &x, &mut next, &mut ws, None);
        std::mem::swap(&mut x, &mut next);
        let (stress, squares) = model.measure(&x, p.dims);
        *counter += 1;
        if hook(*counter, stress) == Flow::Stop {
            return Err(MdsError::Cancelled);
        }
        let converged = iteration > 1 && (old_stress - stress) / squares < p.eps;
        if converged || iteration >= p.max_iter {
            let result = SmacofResult {
                embedding: x,
                stress,
                normalized_stress: (stress / squares).sqrt(),
                iterations: iteration,
                converged,
            };
            return Ok((result, Some(model.map()?)));
        }
        old_stress = stress;
    }
}

/// Metric MDS by SMACOF. With `n_init > 1` (random init only) the runs
/// start from consecutive draws of one mulberry32 stream and the run with the
/// lowest stress wins (the first on ties). The hook sees every iteration of
/// every run, numbered consecutively.
pub fn smacof(
    diss: Dissimilarities<'_>,
    params: &SmacofParams,
    hook: ProgressHook<'_>,
) -> Result<SmacofResult, MdsError> {
    validate(&diss, params)?;
    solve(diss, None, params, hook).map(|(r, _)| r)
}

/// [`smacof`] with the embedding written into the caller's buffer of
/// n x dims values (checked before any work; the same bits).
pub fn smacof_into(
    diss: Dissimilarities<'_>,
    params: &SmacofParams,
    out: &mut [f64],
    hook: ProgressHook<'_>,
) -> Result<SmacofStats, MdsError> {
    smacof_model_into(diss, None, params, out, hook).map(|(stats, _)| stats)
}

/// [`smacof_into`] with optional per-pair `weights` (n x n, symmetric,
/// at least 0, zero = missing; see `weights.rs`) and `params.non_metric`;
/// also returns what `transform` needs of the fit: the disparity map of a
/// non-metric fit (`None` for a metric one).
pub fn smacof_model_into(
    diss: Dissimilarities<'_>,
    weights: Option<&[f64]>,
    params: &SmacofParams,
    out: &mut [f64],
    hook: ProgressHook<'_>,
) -> Result<(SmacofStats, Option<DisparityMap>), MdsError> {
    validate(&diss, params)?;
    if out.len() != diss.n * params.dims {
        return Err(MdsError::invalid(format!(
            "out must have length {} (n x dims), got length {}",
            diss.n * params.dims,
            out.len()
        )));
    }
    if let Some(w) = weights {
        if params.non_metric {
            return Err(MdsError::invalid(NON_METRIC_WEIGHTS));
        }
        check_weights(w, diss.n)?;
    }
    if params.non_metric {
        check_non_metric(&diss)?;
    }
    let (result, map) = solve(diss, weights, params, hook)?;
    out.copy_from_slice(&result.embedding);
    let stats = SmacofStats {
        stress: result.stress,
        normalized_stress: result.normalized_stress,
        iterations: result.iterations,
        converged: result.converged,
    };
    Ok((stats, map))
}

/// The TS layer refuses the combination with the same words.
const NON_METRIC_WEIGHTS: &str =
    "options.weights cannot be combined with options.nonMetric: true (weighted non-metric SMACOF is not implemented)";

/// Non-metric SMACOF needs a pair to rank.
fn check_non_metric(diss: &Dissimilarities<'_>) -> Result<(), MdsError> {
    let n = diss.n;
    if (0..n).all(|i| {
        diss.data[i * n + i + 1..(i + 1) * n]
            .iter()
            .all(|v| *v == 0.0)
    }) {
        return Err(MdsError::invalid(
            "dissimilarities: options.nonMetric needs at least one positive dissimilarity off the diagonal",
        ));
    }
    Ok(())
}

/// The one compute path of SMACOF (parameters validated).
fn solve(
    diss: Dissimilarities<'_>,
    weights: Option<&[f64]>,
    params: &SmacofParams,
    hook: ProgressHook<'_>,
) -> Result<(SmacofResult, Option<DisparityMap>), MdsError> {
    let n = diss.n;
    let mut counter = 0;
    let method = match (weights, params.non_metric) {
        (Some(w), _) => Method::Weighted(w),
        (None, true) => Method::NonMetric,
        (None, false) => Method::Metric,
    };
    match &params.init {
        Init::Classical => {
            let x = classical_mds(diss, params.dims)?;
            run_once(&diss, params, &method, x, &mut counter, hook)
        }
        Init::Given(x) => {
            let x = fastkernels_common::alloc::copied(x, "the SMACOF embedding")?;
            run_once(&diss, params, &method, x, &mut counter, hook)
        }
        Init::Random => {
            let mut rng = Mulberry32::new(params.seed);
            let mut best: Option<(SmacofResult, Option<DisparityMap>)> = None;
            for _ in 0..params.n_init {
                let len = n * params.dims;
                let x = fastkernels_common::alloc::collected(
                    len,
                    (0..len).map(|_| rng.next_f64()),
                    "the SMACOF embedding",
                )?;
                let result = run_once(&diss, params, &method, x, &mut counter, &mut *hook)?;
                if !matches!(&best, Some(b) if b.0.stress <= result.0.stress) {
                    best = Some(result);
                }
            }
            Ok(best.expect("n_init >= 1 was validated"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distance::distance_matrix;
    use crate::input::Points;
    use fastkernels_common::no_progress;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    fn params(init: Init) -> SmacofParams {
        SmacofParams {
            dims: 2,
            max_iter: 300,
            eps: 1e-6,
            init,
            n_init: 1,
            seed: 3,
            non_metric: false,
        }
    }

    fn random_distances(n: usize, dims: usize, seed: u32) -> Vec<f64> {
        let mut rng = Mulberry32::new(seed);
        let data: Vec<f64> = (0..n * dims).map(|_| rng.next_f64()).collect();
        distance_matrix(Points::new("points", &data, dims).unwrap()).unwrap()
    }

    #[test]
    fn stress_never_increases_and_threads_agree() {
        let d = random_distances(150, 5, 9);
        let diss = Dissimilarities::new(&d, 150).unwrap();
        let mut stresses = Vec::new();
        let p = params(Init::Random);
        let one = pool(1).install(|| {
            smacof(diss, &p, &mut |_, s| {
                stresses.push(s);
                Flow::Continue
            })
            .unwrap()
        });
        assert!(stresses.len() == one.iterations && one.iterations > 2);
        for w in stresses.windows(2) {
            assert!(w[1] <= w[0] * (1.0 + 1e-12), "{} > {}", w[1], w[0]);
        }
        for threads in [2, 3, 4] {
            let many = pool(threads).install(|| smacof(diss, &p, &mut no_progress).unwrap());
            assert_eq!(one, many, "threads = {threads}");
        }
    }

    #[test]
    fn recovers_a_planar_configuration() {
        let d = random_distances(30, 2, 5);
        let diss = Dissimilarities::new(&d, 30).unwrap();
        let result = smacof(diss, &params(Init::Classical), &mut no_progress).unwrap();
        assert!(result.stress < 1e-12, "stress {}", result.stress);
    }

    #[test]
    fn limits_are_refused_at_once_with_their_names() {
        let d = random_distances(20, 3, 1);
        let diss = Dissimilarities::new(&d, 20).unwrap();
        let start = std::time::Instant::now();
        let run = |p: &SmacofParams| smacof(diss, p, &mut no_progress).unwrap_err().to_string();
        let mut p = params(Init::Random);
        p.max_iter = 1_000_000_000_000;
        assert_eq!(
            run(&p),
            "options.maxIter must be at most 10000000 (MDS_MAX_ITERATIONS), got 1000000000000"
        );
        p.max_iter = 0;
        assert_eq!(
            run(&p),
            "options.maxIter must be an integer from 1 to 4294967295, got 0"
        );
        let mut p = params(Init::Random);
        p.n_init = 1_000_000_000;
        assert_eq!(
            run(&p),
            "options.nInit must be an integer from 1 to 1000, got 1000000000"
        );
        let mut p = params(Init::Random);
        p.dims = 21;
        assert_eq!(
            run(&p),
            "options.dims must be an integer from 1 to 20, got 21"
        );
        let mut p = params(Init::Random);
        p.eps = f64::NAN;
        assert_eq!(
            run(&p),
            "options.eps must be a number >= 0 and <= 1.7976931348623157e+308, got NaN"
        );
        let mut g = vec![0.0; 40];
        g[7] = f64::INFINITY;
        assert_eq!(
            run(&params(Init::Given(g))),
            "options.init[7] must be a finite number, got Infinity"
        );
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn cancels_and_validates() {
        let d = random_distances(20, 3, 1);
        let diss = Dissimilarities::new(&d, 20).unwrap();
        let stop = smacof(diss, &params(Init::Random), &mut |it, _| {
            if it == 3 {
                Flow::Stop
            } else {
                Flow::Continue
            }
        });
        assert_eq!(stop, Err(MdsError::Cancelled));
        let mut bad = params(Init::Classical);
        bad.n_init = 2;
        assert!(smacof(diss, &bad, &mut no_progress).is_err());
        assert!(smacof(diss, &params(Init::Given(vec![0.0; 3])), &mut no_progress).is_err());
    }

    #[test]
    fn into_equals_the_vec_variant_bit_for_bit() {
        let d = random_distances(40, 3, 2);
        let diss = Dissimilarities::new(&d, 40).unwrap();
        let p = params(Init::Classical);
        let v = smacof(diss, &p, &mut no_progress).unwrap();
        let mut out = vec![f64::NAN; 80];
        let stats = smacof_into(diss, &p, &mut out, &mut no_progress).unwrap();
        assert!(v
            .embedding
            .iter()
            .zip(&out)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
        assert_eq!(
            (stats.stress.to_bits(), stats.iterations, stats.converged),
            (v.stress.to_bits(), v.iterations, v.converged)
        );
        assert_eq!(
            smacof_into(diss, &p, &mut out[1..], &mut no_progress)
                .unwrap_err()
                .to_string(),
            "out must have length 80 (n x dims), got length 79"
        );
    }

    #[test]
    fn unit_weights_equal_the_unweighted_path_and_threads_agree() {
        let d = random_distances(60, 4, 7);
        let diss = Dissimilarities::new(&d, 60).unwrap();
        let mut p = params(Init::Random);
        p.max_iter = 40;
        p.eps = 0.0;
        let plain = smacof(diss, &p, &mut no_progress).unwrap();
        let ones = vec![1.0; 3600];
        let run = |w: &[f64], threads| {
            let mut out = vec![0.0; 120];
            let (stats, map) = pool(threads)
                .install(|| smacof_model_into(diss, Some(w), &p, &mut out, &mut no_progress))
                .unwrap();
            assert!(map.is_none());
            (out, stats)
        };
        let (out, stats) = run(&ones, 1);
        for (a, b) in out.iter().zip(&plain.embedding) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
        assert!((stats.stress - plain.stress).abs() < 1e-9 * plain.stress);
        let mut rng = Mulberry32::new(5);
        let mut w = vec![0.0; 3600];
        for i in 0..60 {
            for j in i + 1..60 {
                let v = if rng.next_f64() < 0.2 {
                    0.0
                } else {
                    rng.next_f64() * 2.0
                };
                w[i * 60 + j] = v;
                w[j * 60 + i] = v;
            }
        }
        let first = run(&w, 1);
        for threads in [2, 3] {
            assert_eq!(first, run(&w, threads));
        }
    }

    #[test]
    fn non_metric_stress_is_finite_and_threads_agree() {
        let d = random_distances(50, 3, 8);
        let diss = Dissimilarities::new(&d, 50).unwrap();
        let mut p = params(Init::Classical);
        p.non_metric = true;
        p.max_iter = 30;
        let run = |threads| {
            let mut out = vec![0.0; 100];
            let r = pool(threads)
                .install(|| smacof_model_into(diss, None, &p, &mut out, &mut no_progress))
                .unwrap();
            (out, r)
        };
        let first = run(1);
        assert!(first.1 .0.stress.is_finite() && first.1 .1.is_some());
        for threads in [2, 3] {
            assert_eq!(first, run(threads));
        }
    }
}
