//! Tests of the multivariate path across its files: hand-computed M-steps,
//! sample weights as copies, the sharded-merge guarantee, thread invariance.

use fastkernels_common::{no_progress, Flow};

use super::*;
use crate::fit::Samples;

const TYPES: [&str; 4] = ["full", "diag", "spherical", "tied"];

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// mulberry32, as `crates/mds/src/random.rs`.
struct Rng(u32);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x6d2b_79f5);
        let mut t = self.0;
        t = (t ^ (t >> 15)).wrapping_mul(t | 1);
        t ^= t.wrapping_add((t ^ (t >> 7)).wrapping_mul(t | 61));
        f64::from(t ^ (t >> 14)) / 4_294_967_296.0
    }
}

/// `n` rows of `d` values around three centres.
fn clustered(n: usize, d: usize, seed: u32) -> Vec<f64> {
    let mut rng = Rng(seed);
    let mut out = Vec::with_capacity(n * d);
    for i in 0..n {
        let c = i % 3;
        for j in 0..d {
            let centre = (c as f64) * 0.3 + 0.1 * j as f64;
            out.push(centre + 0.1 * (rng.next() - 0.5) + 0.02 * (rng.next() - 0.5) * c as f64);
        }
    }
    out
}

/// A model of K components in d dimensions with identity-like covariances.
fn init_model(cov_type: &str, k: usize, d: usize, data: &[f64]) -> Model {
    let weights: Vec<f64> = (0..k).map(|c| 1.0 + c as f64).collect();
    let means: Vec<f64> = (0..k * d).map(|i| data[(i / d) * d + i % d]).collect();
    let cov = match cov_type {
        "full" => (0..k * d * d)
            .map(|i| {
                let (a, b) = ((i / d) % d, i % d);
                if a == b {
                    0.05
                } else {
                    0.01
                }
            })
            .collect(),
        "tied" => (0..d * d)
            .map(|i| if i / d == i % d { 0.05 } else { 0.01 })
            .collect(),
        "diag" => vec![0.05; k * d],
        _ => vec![0.05; k],
    };
    Model::checked(INIT, cov_type, d, &weights, &means, &cov).unwrap()
}

fn options(init: Model, iterations: usize) -> MvFitOptions {
    MvFitOptions {
        components: init.components(),
        iterations,
        tol: None,
        reg_covar: 1e-6,
        init,
    }
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn close(a: &[f64], b: &[f64], rel: f64) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= rel * x.abs().max(y.abs()).max(1e-300),
            "[{i}]: {x} vs {y}"
        );
    }
}

/// Covariances within `rel` of the scale of their matrix: entry (a, b)
/// within `rel * sqrt(S_aa S_bb)` (an off-diagonal entry near 0 has no
/// relative precision of its own).
fn close_cov(a: &Model, b: &Model, rel: f64) {
    let d = a.dims();
    let (x, y) = (&a.covariances, &b.covariances);
    assert_eq!(x.len(), y.len());
    match a.shape.covariance {
        CovarianceType::Full | CovarianceType::Tied => {
            for (i, (&p, &q)) in x.iter().zip(y).enumerate() {
                let (m, r, c) = (i / (d * d), (i / d) % d, i % d);
                let scale = (x[m * d * d + r * d + r] * x[m * d * d + c * d + c]).sqrt();
                assert!((p - q).abs() <= rel * scale, "[{i}]: {p} vs {q}");
            }
        }
        _ => close(x, y, rel),
    }
}

/// Two clusters of 4 points 100 apart: every responsibility is exactly 0 or 1.
const TWO_CLUSTERS: [f64; 16] = [
    0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 1.0, //
    100.0, 100.0, 101.0, 101.0, 102.0, 102.0, 103.0, 101.0,
];

#[test]
fn each_covariance_type_m_step_matches_hand_computed_values() {
    // Cluster A: mean (1.5, 1), biased covariance [[1.25, 0.5], [0.5, 0.5]];
    // cluster B is A shifted by (100, 100).
    let data = MvData::new(Samples::Values(&TWO_CLUSTERS), 2, &[0, 1], None).unwrap();
    let reg = 1e-6;
    for cov_type in TYPES {
        let cov = match cov_type {
            "full" => vec![1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0],
            "tied" => vec![1.0, 0.0, 0.0, 1.0],
            "diag" => vec![1.0; 4],
            _ => vec![1.0; 2],
        };
        let init = Model::checked(
            INIT,
            cov_type,
            2,
            &[0.5, 0.5],
            &[0.0, 0.0, 100.0, 100.0],
            &cov,
        )
        .unwrap();
        let fit = fit(&data, &options(init, 1), false, &mut no_progress).unwrap();
        let m = &fit.model;
        close(&m.weights, &[0.5, 0.5], 1e-14);
        close(&m.means, &[1.5, 1.0, 101.5, 101.0], 1e-14);
        let expected = match cov_type {
            "full" => vec![
                1.25 + reg,
                0.5,
                0.5,
                0.5 + reg, //
                1.25 + reg,
                0.5,
                0.5,
                0.5 + reg,
            ],
            "tied" => vec![1.25 + reg, 0.5, 0.5, 0.5 + reg],
            "diag" => vec![1.25 + reg, 0.5 + reg, 1.25 + reg, 0.5 + reg],
            _ => vec![0.875 + reg, 0.875 + reg],
        };
        // Plain sums at 100 lose a few digits to cancellation.
        close(&m.covariances, &expected, 1e-10);
        // Symmetric bit for bit.
        if cov_type == "full" || cov_type == "tied" {
            for block in m.covariances.chunks(4) {
                assert_eq!(block[1].to_bits(), block[2].to_bits());
            }
        }
        // The log-likelihood of the E-step is that of the initial model.
        let dens = Density::new(
            &options(
                Model::checked(
                    INIT,
                    cov_type,
                    2,
                    &[0.5, 0.5],
                    &[0.0, 0.0, 100.0, 100.0],
                    &cov,
                )
                .unwrap(),
                1,
            )
            .init,
            Origin::Given(INIT),
        )
        .unwrap();
        let mut scores = vec![0.0; 8];
        score_samples_into(&data, &dens, &mut scores).unwrap();
        let total: f64 = scores.iter().sum();
        close(&fit.log_likelihoods, &[total], 1e-13);
    }
}

#[test]
fn k1_weighted_m_step_is_the_weighted_mean_and_covariance() {
    // Rows (0,0) w=1, (2,0) w=3, (0,4) w=0: mean (1.5, 0), var x = 0.75, y = 0, xy = 0.
    let x = [0.0, 0.0, 2.0, 0.0, 0.0, 4.0];
    let w = [1.0, 3.0, 0.0];
    let data = MvData::new(Samples::Values(&x), 2, &[0, 1], Some(&w)).unwrap();
    let init = Model::checked(INIT, "full", 2, &[1.0], &[0.0, 0.0], &[1.0, 0.0, 0.0, 1.0]).unwrap();
    let out = fit(&data, &options(init, 1), false, &mut no_progress).unwrap();
    close(&out.model.weights, &[1.0], 1e-14);
    close(&out.model.means, &[1.5, 0.0], 1e-14);
    close(
        &out.model.covariances,
        &[0.75 + 1e-6, 0.0, 0.0, 1e-6],
        1e-12,
    );
}

#[test]
fn integer_sample_weights_equal_copies_of_the_rows() {
    let d = 3;
    let n = 300;
    let x = clustered(n, d, 7);
    let mut rng = Rng(11);
    let w: Vec<f64> = (0..n).map(|_| (rng.next() * 4.0).floor()).collect();
    let mut copies = Vec::new();
    for i in 0..n {
        for _ in 0..w[i] as usize {
            copies.extend_from_slice(&x[i * d..(i + 1) * d]);
        }
    }
    let cols = [0, 1, 2];
    for cov_type in TYPES {
        let init = init_model(cov_type, 3, d, &x);
        let weighted = MvData::new(Samples::Values(&x), d, &cols, Some(&w)).unwrap();
        let copied = MvData::new(Samples::Values(&copies), d, &cols, None).unwrap();
        let a = fit(
            &weighted,
            &options(init.clone(), 6),
            false,
            &mut no_progress,
        )
        .unwrap();
        let b = fit(&copied, &options(init, 6), false, &mut no_progress).unwrap();
        close(&a.model.weights, &b.model.weights, 1e-12);
        close(&a.model.means, &b.model.means, 1e-12);
        close_cov(&a.model, &b.model, 1e-12);
        close(&a.log_likelihoods, &b.log_likelihoods, 1e-12);
    }
}

#[test]
fn sharded_statistics_merge_bit_for_bit_for_every_split_and_thread_count() {
    let d = 2;
    let c = STATS_CHUNK;
    let n = 3 * c + 777;
    let x = clustered(n, d, 3);
    let mut rng = Rng(5);
    let w: Vec<f64> = (0..n).map(|_| 0.5 + rng.next()).collect();
    let splits: [&[usize]; 4] = [&[n], &[c, n], &[2 * c, n], &[c, 2 * c, 3 * c, n]];
    let iterations = 3;
    for cov_type in TYPES {
        let init = init_model(cov_type, 3, d, &x);
        let data = MvData::new(Samples::Values(&x), d, &[0, 1], Some(&w)).unwrap();
        let reference = pool(1).install(|| {
            fit(
                &data,
                &options(init.clone(), iterations),
                true,
                &mut no_progress,
            )
            .unwrap()
        });
        let per = init.weights.len() + init.means.len() + init.covariances.len();
        for threads in [1, 2, 3] {
            pool(threads).install(|| {
                let fitted = fit(
                    &data,
                    &options(init.clone(), iterations),
                    true,
                    &mut no_progress,
                )
                .unwrap();
                assert_eq!(bits(&fitted.trajectory), bits(&reference.trajectory));
                assert_eq!(
                    bits(&fitted.log_likelihoods),
                    bits(&reference.log_likelihoods)
                );
                // Replay every iteration from sharded statistics.
                let mut model = init.clone();
                for it in 0..iterations {
                    let origin = if it == 0 {
                        Origin::Given(INIT)
                    } else {
                        Origin::MStep(1e-6)
                    };
                    let dens = Density::new(&model, origin).unwrap();
                    for split in splits {
                        let mut chunks = Vec::new();
                        let mut start = 0;
                        for &end in split {
                            let shard = MvData::new(
                                Samples::Values(&x[start * d..end * d]),
                                d,
                                &[0, 1],
                                Some(&w[start..end]),
                            )
                            .unwrap();
                            let s = statistics(&shard, &dens, start).unwrap();
                            assert_eq!(s.rows, end - start);
                            assert_eq!(s.chunks.len(), (end - start).div_ceil(c) * s.stride);
                            chunks.extend_from_slice(&s.chunks);
                            start = end;
                        }
                        let acc = fold(&chunks, model.shape.stride()).unwrap();
                        assert_eq!(
                            acc[1].to_bits(),
                            reference.log_likelihoods[it].to_bits(),
                            "{cov_type}, threads {threads}, split {split:?}"
                        );
                        let next =
                            mstep_from_chunks(model.shape, &chunks, model.shape.stride(), 1e-6)
                                .unwrap();
                        let expected = &reference.trajectory[it * per..(it + 1) * per];
                        let got: Vec<f64> = next
                            .weights
                            .iter()
                            .chain(&next.means)
                            .chain(&next.covariances)
                            .copied()
                            .collect();
                        assert_eq!(bits(&got), bits(expected), "{cov_type}, split {split:?}");
                    }
                    model = Model {
                        shape: model.shape,
                        weights: reference.trajectory[it * per..][..model.weights.len()].to_vec(),
                        means: reference.trajectory[it * per + model.weights.len()..]
                            [..model.means.len()]
                            .to_vec(),
                        covariances: reference.trajectory
                            [it * per + model.weights.len() + model.means.len()..]
                            [..model.covariances.len()]
                            .to_vec(),
                    };
                }
                assert_eq!(bits(&model.covariances), bits(&reference.model.covariances));
            });
        }
    }
}

#[test]
fn predictions_are_thread_invariant_and_consistent() {
    let d = 3;
    let n = STATS_CHUNK + 123;
    let x = clustered(n, d, 9);
    for cov_type in TYPES {
        let init = init_model(cov_type, 4, d, &x);
        let data = MvData::new(Samples::Values(&x), d, &[0, 1, 2], None).unwrap();
        let dens = Density::new(&init, Origin::Given(MODEL)).unwrap();
        let run = |threads: usize| {
            pool(threads).install(|| {
                let mut scores = vec![0.0; n];
                let mut labels = vec![0u8; n];
                let mut proba = vec![0.0; n * 4];
                score_samples_into(&data, &dens, &mut scores).unwrap();
                labels_into(&data, &dens, &mut labels).unwrap();
                proba_into(&data, &dens, &mut proba).unwrap();
                (scores, labels, proba)
            })
        };
        let (s1, l1, p1) = run(1);
        for threads in [2, 3] {
            let (s, l, p) = run(threads);
            assert_eq!(bits(&s), bits(&s1));
            assert_eq!(l, l1);
            assert_eq!(bits(&p), bits(&p1));
        }
        for i in 0..n {
            let row = &p1[i * 4..(i + 1) * 4];
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            let best = (0..4).fold(0, |b, k| if row[k] > row[b] { k } else { b });
            assert_eq!(l1[i] as usize, best);
        }
        let total: f64 = s1.iter().sum();
        let stats = statistics(&data, &dens, 0).unwrap();
        let acc = fold(&stats.chunks, stats.stride).unwrap();
        assert!((acc[1] - total).abs() <= 1e-9 * total.abs());
    }
}

#[test]
fn bytes_are_read_as_v_over_255_and_columns_pick_channels() {
    let mut rng = Rng(1);
    let rgba: Vec<u8> = (0..4 * 500).map(|_| (rng.next() * 256.0) as u8).collect();
    let rgb: Vec<f64> = rgba
        .chunks(4)
        .flat_map(|p| p[..3].iter().map(|&v| v as f64 / 255.0).collect::<Vec<_>>())
        .collect();
    let a = MvData::new(Samples::Bytes(&rgba), 4, &[0, 1, 2], None).unwrap();
    let b = MvData::new(Samples::Values(&rgb), 3, &[0, 1, 2], None).unwrap();
    let init = init_model("full", 2, 3, &rgb);
    let fa = fit(&a, &options(init.clone(), 4), false, &mut no_progress).unwrap();
    let fb = fit(&b, &options(init, 4), false, &mut no_progress).unwrap();
    assert_eq!(fa, fb);
}

#[test]
fn tolerance_progress_and_cancellation() {
    let d = 2;
    let x = clustered(600, d, 2);
    let data = MvData::new(Samples::Values(&x), d, &[0, 1], None).unwrap();
    let init = init_model("full", 3, d, &x);
    let mut opts = options(init, 500);
    opts.tol = Some(1e-3);
    let mut seen = Vec::new();
    let out = fit(&data, &opts, false, &mut |i, ll| {
        seen.push((i, ll));
        Flow::Continue
    })
    .unwrap();
    assert!(out.converged && out.iterations < 500 && out.iterations >= 2);
    assert_eq!(seen.len(), out.iterations);
    let lls = &out.log_likelihoods;
    assert!((lls[lls.len() - 1] - lls[lls.len() - 2]).abs() <= 1e-3 * 600.0);
    let e = fit(&data, &opts, false, &mut |i, _| {
        if i == 2 {
            Flow::Stop
        } else {
            Flow::Continue
        }
    })
    .unwrap_err();
    assert_eq!(e, crate::GmmError::Cancelled);
}

#[test]
fn bad_inputs_are_errors() {
    let x = clustered(30, 2, 4);
    let data = MvData::new(Samples::Values(&x), 2, &[0, 1], None).unwrap();
    let init = init_model("full", 2, 2, &x);
    let mut opts = options(init.clone(), 3);
    opts.iterations = crate::MAX_ITERATIONS + 1;
    assert_eq!(
        fit(&data, &opts, false, &mut no_progress)
            .unwrap_err()
            .to_string(),
        "options.iterations must be at most 10000000 (GMM_MAX_ITERATIONS), got 10000001"
    );
    let data3 = MvData::new(Samples::Values(&x[..30]), 3, &[0, 1, 2], None).unwrap();
    assert!(
        fit(&data3, &options(init.clone(), 1), false, &mut no_progress)
            .unwrap_err()
            .to_string()
            .starts_with("options.init.dims must equal the number of columns used (3")
    );
    // A collapsed component (all its rows identical) without regCovar.
    let same = [0.5; 20];
    let data = MvData::new(Samples::Values(&same), 2, &[0, 1], None).unwrap();
    let init = Model::checked(INIT, "full", 2, &[1.0], &[0.0, 0.0], &[1.0, 0.0, 0.0, 1.0]).unwrap();
    let mut opts = options(init, 2);
    opts.reg_covar = 0.0;
    assert_eq!(
        fit(&data, &opts, false, &mut no_progress).unwrap_err().to_string(),
        "component 0 covariance is not positive definite after regCovar = 0; increase options.regCovar"
    );
    let empty = MvData::new(Samples::Values(&[]), 2, &[0, 1], None).unwrap();
    assert_eq!(
        fit(&empty, &opts, false, &mut no_progress)
            .unwrap_err()
            .to_string(),
        "data must not be empty, got Float64Array(0)"
    );
    let model = Model::checked(MODEL, "diag", 2, &[1.0], &[0.0, 0.0], &[1.0, 1.0]).unwrap();
    let dens = Density::new(&model, Origin::Given(MODEL)).unwrap();
    assert_eq!(
        statistics(&data, &dens, 100).unwrap_err().to_string(),
        "options.rowOffset must be a multiple of the chunk size GMM_STATS_CHUNK = 16384, got 100"
    );
    let mut out = vec![0.0; 3];
    assert_eq!(
        score_samples_into(&data, &dens, &mut out)
            .unwrap_err()
            .to_string(),
        "out must have length 10 (one value per row), got length 3"
    );
    assert_eq!(
        mstep_from_chunks(model.shape, &[0.0; 8], 8, 0.0).unwrap_err().to_string(),
        "stats.stride must be 7 (2 + K + K × dims + S for K = 1, dims = 2, covariance 'diag'), got 8"
    );
    assert_eq!(
        mstep_from_chunks(model.shape, &[0.0; 14], 7, 0.0)
            .unwrap_err()
            .to_string(),
        "sampleWeight must contain at least one value > 0, got all zeros"
    );
}

#[test]
fn one_dimension_runs_through_every_covariance_type_alike() {
    let x = clustered(900, 1, 12);
    let data = MvData::new(Samples::Values(&x), 1, &[0], None).unwrap();
    let fits: Vec<MvFit> = ["full", "diag", "spherical"]
        .iter()
        .map(|t| {
            let init = Model::checked(INIT, t, 1, &[1.0, 1.0], &[0.1, 0.5], &[0.01, 0.01]).unwrap();
            fit(&data, &options(init, 5), false, &mut no_progress).unwrap()
        })
        .collect();
    for f in &fits[1..] {
        close(&f.model.weights, &fits[0].model.weights, 1e-12);
        close(&f.model.means, &fits[0].model.means, 1e-12);
        close(&f.model.covariances, &fits[0].model.covariances, 1e-10);
        close(&f.log_likelihoods, &fits[0].log_likelihoods, 1e-12);
    }
}

/// The lane kernel (blocks of 8 rows, vectorised exp and ln, fused
/// multiply-adds, lanes added at the end) against the scalar E-step it
/// replaced (rows in order, libm): every value of a chunk partial within
/// 1e-12 of the scale of its sum (the sum of the absolute values of its
/// terms, bounded here by `sum w` times the largest term), for every
/// covariance type, the unrolled and the run-time dimensions, a chunk
/// whose end is not a multiple of 8 (padded lanes) and zero weights.
#[test]
fn lane_partials_match_the_scalar_reference() {
    use crate::multivariate::stats::scalar;
    for d in [1, 2, 3, 4, 5, 7] {
        let n = 1003;
        let x = clustered(n, d, 40 + d as u32);
        let mut rng = Rng(d as u32);
        let w: Vec<f64> = (0..n)
            .map(|i| if i % 11 == 0 { 0.0 } else { 0.5 + rng.next() })
            .collect();
        let cols: Vec<u32> = (0..d as u32).collect();
        for k in [1, 3, 6] {
            for cov_type in TYPES {
                let init = init_model(cov_type, k, d, &x);
                let dens = Density::new(&init, Origin::Given(INIT)).unwrap();
                let data = MvData::new(Samples::Values(&x), d, &cols, Some(&w)).unwrap();
                let stride = init.shape.stride();
                let lanes = statistics(&data, &dens, 0).unwrap().chunks;
                let mut expected = vec![0.0; stride];
                scalar::chunk_partial(&data, &dens, 0, n, &mut expected).unwrap();
                // Bounds of the terms: |ll_i| <= largest |lse|, |x| <= 2 here.
                let mut lp = vec![0.0; k];
                let (mut row, mut z) = (vec![0.0; d], vec![0.0; d]);
                let mut max_lse: f64 = 0.0;
                for i in 0..n {
                    data.row(i, &mut row);
                    dens.weighted_log_prob(&row, &mut z, &mut lp);
                    max_lse = max_lse.max(density::log_sum_exp(&lp).abs());
                }
                let mass = expected[0];
                for (i, (&got, &want)) in lanes.iter().zip(&expected).enumerate() {
                    let scale = if i == 1 { mass * max_lse } else { mass * 4.0 };
                    assert!(
                        (got - want).abs() <= 1e-12 * scale,
                        "d {d}, K {k}, {cov_type}: [{i}] {got} vs {want}"
                    );
                }
            }
        }
    }
}

#[test]
fn unscanned_statistics_give_the_bits_and_the_errors_of_scanned_data() {
    let d = 2;
    let n = 3 * STATS_CHUNK + 77;
    let x = clustered(n, d, 21);
    let w: Vec<f64> = (0..n).map(|i| (i % 5) as f64 * 0.5).collect();
    let init = init_model("full", 3, d, &x);
    let dens = Density::new(&init, Origin::Given(MODEL)).unwrap();
    let stats = |data: &MvData<'_>| {
        pool(2).install(|| {
            statistics(data, &dens, 0)
                .map(|s| bits(&s.chunks))
                .map_err(|e| e.to_string())
        })
    };
    let scanned = MvData::new(Samples::Values(&x), d, &[0, 1], Some(&w)).unwrap();
    let unscanned = MvData::unscanned(Samples::Values(&x), d, &[0, 1], Some(&w)).unwrap();
    assert_eq!(stats(&unscanned), stats(&scanned));

    // One or two bad values: in the first, a middle and the last chunk, in
    // values and in weights, and both at once (the data's error comes first).
    let cases: [(&[usize], &[usize]); 6] = [
        (&[5], &[]),
        (&[2 * STATS_CHUNK * d + 1], &[]),
        (&[n * d - 1, STATS_CHUNK * d + 3], &[]),
        (&[], &[STATS_CHUNK + 9]),
        (&[], &[n - 1, 4]),
        (&[3 * STATS_CHUNK * d], &[1]),
    ];
    for (bad_values, bad_weights) in cases {
        for (value, weight) in [
            (f64::NAN, -1.0),
            (f64::INFINITY, f64::NAN),
            (f64::NEG_INFINITY, f64::INFINITY),
        ] {
            let mut x = x.clone();
            let mut w = w.clone();
            bad_values.iter().for_each(|&i| x[i] = value);
            bad_weights.iter().for_each(|&i| w[i] = weight);
            let expected = MvData::new(Samples::Values(&x), d, &[0, 1], Some(&w))
                .unwrap_err()
                .to_string();
            let data = MvData::unscanned(Samples::Values(&x), d, &[0, 1], Some(&w)).unwrap();
            assert_eq!(
                stats(&data),
                Err(expected),
                "{bad_values:?} {bad_weights:?}"
            );
        }
    }
    // A wrong weight count: `new` reports bad data before it.
    let mut x = x.clone();
    x[7] = f64::NAN;
    let short = &w[..n - 1];
    let expected = MvData::new(Samples::Values(&x), d, &[0, 1], Some(short))
        .unwrap_err()
        .to_string();
    assert!(expected.starts_with("data[7]"), "{expected}");
    let unscanned = MvData::unscanned(Samples::Values(&x), d, &[0, 1], Some(short))
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert_eq!(unscanned, expected);
}
