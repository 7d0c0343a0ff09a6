//! Kernel tests: the fused EM against a direct transcription of the
//! original's update rules, thread invariance, the histogram path and the
//! degenerate cases.

#![allow(clippy::needless_range_loop)] // the oracles index in step, like the formulas

use fastkernels_common::{no_progress, Flow};
use fastkernels_gmm::*;

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-300), self.next());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// Three noisy intensity regions, like a segmented scene.
fn scene(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            let (m, s) = [(0.2, 0.05), (0.5, 0.08), (0.85, 0.04)][i % 3];
            (m + s * rng.normal()).clamp(0.0, 1.0)
        })
        .collect()
}

fn options(k: usize, iterations: usize) -> FitOptions {
    FitOptions {
        iterations,
        tol: None,
        init: Init::original(k),
        variance_floor: 1e-12,
        reg_covar: 0.0,
    }
}

/// The original program's EM, written directly (N x K responsibilities,
/// two-pass variance with the new mean, libm everywhere).
fn original_em(x: &[f64], k: usize, iterations: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let init = Init::original(k);
    let (mut means, mut vars, mut weights) = (init.means, init.variances, init.weights);
    let n = x.len();
    let mut lls = Vec::new();
    let eval = |w: &[f64], m: &[f64], v: &[f64]| -> (Vec<f64>, f64) {
        let mut r = vec![0.0; n * k];
        let mut ll = 0.0;
        for i in 0..n {
            let p: Vec<f64> = (0..k)
                .map(|c| {
                    w[c].ln()
                        - 0.5 * (2.0 * std::f64::consts::PI * v[c]).ln()
                        - (x[i] - m[c]).powi(2) / (2.0 * v[c])
                })
                .collect();
            let pmax = p.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let s: f64 = p.iter().map(|q| (q - pmax).exp()).sum();
            ll += pmax + s.ln();
            for c in 0..k {
                r[c * n + i] = (p[c] - pmax - s.ln()).exp();
            }
        }
        (r, ll)
    };
    for _ in 0..iterations {
        let (r, _) = eval(&weights, &means, &vars);
        for c in 0..k {
            let rc = &r[c * n..(c + 1) * n];
            let nk: f64 = rc.iter().sum();
            means[c] = rc.iter().zip(x).map(|(r, x)| r * x).sum::<f64>() / nk;
            vars[c] = rc
                .iter()
                .zip(x)
                .map(|(r, x)| r * (x - means[c]).powi(2))
                .sum::<f64>()
                / nk;
            weights[c] = nk / n as f64;
        }
        lls.push(eval(&weights, &means, &vars).1);
    }
    (means, vars, weights, lls)
}

fn close(a: &[f64], b: &[f64], rel: f64) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= rel * x.abs().max(y.abs()).max(1e-300),
            "[{i}] {x} vs {y}"
        );
    }
}

#[test]
fn fused_em_reproduces_the_original_update_rules() {
    let x = scene(12_011, 7);
    for k in [1, 2, 3, 5] {
        let fit = fit_gmm(Samples::Values(&x), &options(k, 6), &mut no_progress).unwrap();
        let (means, vars, weights, lls) = original_em(&x, k, 6);
        close(&fit.means, &means, 1e-11);
        close(&fit.variances, &vars, 1e-11);
        close(&fit.weights, &weights, 1e-11);
        close(&fit.log_likelihoods, &lls, 1e-11);
        assert_eq!(fit.iterations, 6);
        assert!(!fit.converged);
    }
}

#[test]
fn results_are_identical_for_every_thread_count() {
    let x = scene(50_003, 11);
    let one =
        pool(1).install(|| fit_gmm(Samples::Values(&x), &options(3, 4), &mut no_progress).unwrap());
    let mix = Mixture::new(&[0.2, 0.5, 0.3], &[0.1, 0.5, 0.9], &[0.1, 0.2, 0.05]).unwrap();
    let ll_one = pool(1).install(|| log_likelihood(&mix, &x));
    let es_one = pool(1).install(|| expsum_stable(&mix, &x).unwrap());
    for threads in [2, 3, 4] {
        let many = pool(threads)
            .install(|| fit_gmm(Samples::Values(&x), &options(3, 4), &mut no_progress).unwrap());
        assert_eq!(one, many, "threads = {threads}");
        let ll = pool(threads).install(|| log_likelihood(&mix, &x));
        assert_eq!(ll.to_bits(), ll_one.to_bits());
        assert_eq!(
            es_one,
            pool(threads).install(|| expsum_stable(&mix, &x).unwrap())
        );
    }
}

#[test]
fn expsum_matches_libm_and_log_likelihood_matches_its_definition() {
    let x = scene(1003, 3);
    let mix = Mixture::new(&[0.2, 0.5, 0.3], &[0.1, 0.5, 0.9], &[0.1, 0.2, 0.05]).unwrap();
    let out = expsum_stable(&mix, &x).unwrap();
    let n = x.len();
    let mut ll = 0.0;
    for i in 0..n {
        let p: Vec<f64> = (0..3).map(|k| mix.log_density(k, x[i])).collect();
        let pmax = p.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let s: f64 = p.iter().map(|q| (q - pmax).exp()).sum();
        for k in 0..3 {
            assert_eq!(out.p[k * n + i], p[k]);
        }
        assert_eq!(out.p_max[i], pmax);
        assert!((out.expsum[i] - s).abs() <= 1e-15 * s);
        ll += pmax + s.ln();
    }
    assert!((log_likelihood(&mix, &x) - ll).abs() <= 1e-12 * ll.abs());
    let r = responsibilities(&mix, &x).unwrap();
    for i in 0..n {
        let total: f64 = (0..3).map(|k| r[k * n + i]).sum();
        assert!((total - 1.0).abs() < 1e-14);
    }
}

#[test]
fn far_samples_and_tiny_sigmas_give_a_finite_log_likelihood() {
    let x = vec![5.0, -3.0, 0.5, 100.0];
    let mix = Mixture::new(&[0.5, 0.5], &[0.0, 1.0], &[1e-3, 1e-4]).unwrap();
    let ll = log_likelihood(&mix, &x);
    assert!(ll.is_finite() && ll < -1e6);
    let r = responsibilities(&mix, &x).unwrap();
    assert!(r.iter().all(|v| v.is_finite()));
}

#[test]
fn the_histogram_path_gives_the_per_pixel_model() {
    let mut rng = Rng(5);
    let bytes: Vec<u8> = scene(50_000, 9)
        .iter()
        .map(|v| (v * 255.0 + rng.next() - 0.5).round().clamp(0.0, 255.0) as u8)
        .collect();
    let values: Vec<f64> = bytes.iter().map(|&b| b as f64 / 255.0).collect();
    let a = fit_gmm(Samples::Bytes(&bytes), &options(3, 8), &mut no_progress).unwrap();
    let b = fit_gmm(Samples::Values(&values), &options(3, 8), &mut no_progress).unwrap();
    close(&a.means, &b.means, 1e-12);
    close(&a.variances, &b.variances, 1e-12);
    close(&a.weights, &b.weights, 1e-12);
    close(&a.log_likelihoods, &b.log_likelihoods, 1e-12);
}

#[test]
fn degenerate_data_stays_finite() {
    // Two distinct values, five components: some collapse onto a value
    // (variance floor), some capture nothing (kept parameters).
    let x: Vec<f64> = (0..1000)
        .map(|i| if i % 4 == 0 { 0.25 } else { 0.75 })
        .collect();
    let fit = fit_gmm(Samples::Values(&x), &options(5, 20), &mut no_progress).unwrap();
    assert!(fit
        .means
        .iter()
        .chain(&fit.variances)
        .chain(&fit.log_likelihoods)
        .all(|v| v.is_finite()));
    assert!(fit.variances.iter().all(|&v| v >= 1e-12));
    assert!((fit.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    // Constant data.
    let fit = fit_gmm(
        Samples::Values(&[0.5; 17]),
        &options(2, 5),
        &mut no_progress,
    )
    .unwrap();
    assert!(fit.variances.iter().all(|&v| v >= 1e-12 && v.is_finite()));
}

#[test]
fn tol_stops_early_and_cancellation_stops() {
    let x = scene(10_000, 1);
    let mut opts = options(3, 200);
    opts.tol = Some(1e-9);
    let fit = fit_gmm(Samples::Values(&x), &opts, &mut no_progress).unwrap();
    assert!(fit.converged && fit.iterations < 200 && fit.log_likelihoods.len() == fit.iterations);
    let mut calls = 0;
    let mut stop = |_: usize, _: f64| {
        calls += 1;
        if calls == 2 {
            Flow::Stop
        } else {
            Flow::Continue
        }
    };
    assert_eq!(
        fit_gmm(Samples::Values(&x), &options(3, 10), &mut stop),
        Err(GmmError::Cancelled)
    );
}

#[test]
fn bad_input_is_an_error() {
    let ok = options(2, 3);
    assert_eq!(
        fit_gmm(Samples::Values(&[]), &ok, &mut no_progress),
        Err(GmmError::EmptyData {
            name: "data",
            kind: "Float64Array"
        })
    );
    assert!(matches!(
        fit_gmm(Samples::Values(&[0.1, f64::NAN]), &ok, &mut no_progress),
        Err(GmmError::NonFiniteData { index: 1, .. })
    ));
    let mut bad = ok.clone();
    bad.iterations = 0;
    assert!(fit_gmm(Samples::Values(&[0.1]), &bad, &mut no_progress).is_err());
    let mut bad = ok.clone();
    bad.init.variances[1] = -1.0;
    assert!(fit_gmm(Samples::Values(&[0.1]), &bad, &mut no_progress).is_err());
    let mix = Mixture::new(&vec![1.0; 300], &vec![0.0; 300], &vec![1.0; 300]).unwrap();
    assert_eq!(
        predict_labels(&mix, Samples::Values(&[0.0])),
        Err(GmmError::TooManyLabels { components: 300 })
    );
}

#[test]
fn predictions_for_bytes_match_values() {
    let bytes: Vec<u8> = (0..=255u8).chain(0..=255u8).collect();
    let values: Vec<f64> = bytes.iter().map(|&b| b as f64 / 255.0).collect();
    let mix = Mixture::new(&[0.2, 0.5, 0.3], &[0.1, 0.5, 0.9], &[0.1, 0.2, 0.05]).unwrap();
    assert_eq!(
        predict_labels(&mix, Samples::Bytes(&bytes)).unwrap(),
        predict_labels(&mix, Samples::Values(&values)).unwrap()
    );
    assert_eq!(
        predict_proba(&mix, Samples::Bytes(&bytes)).unwrap(),
        predict_proba(&mix, Samples::Values(&values)).unwrap()
    );
}

#[test]
fn a_traced_fit_is_the_same_fit_and_records_every_iteration() {
    let x: Vec<f64> = (0..5000)
        .map(|i| ((i * 7919) % 1000) as f64 / 1000.0)
        .collect();
    let opts = options(3, 6);
    let plain = fit_gmm(
        Samples::Values(&x),
        &opts,
        &mut fastkernels_common::no_progress,
    )
    .unwrap();
    let (traced, trajectory) = fastkernels_gmm::fit_gmm_traced(
        Samples::Values(&x),
        &opts,
        &mut fastkernels_common::no_progress,
    )
    .unwrap();
    assert_eq!(plain, traced);
    assert_eq!(trajectory.params.len(), 6 * 3 * 3);
    let last = &trajectory.params[5 * 9..];
    assert_eq!(&last[0..3], plain.means.as_slice());
    assert_eq!(&last[3..6], plain.variances.as_slice());
    assert_eq!(&last[6..9], plain.weights.as_slice());
    // Each prefix of the trajectory is the fit of that many iterations.
    let two = fit_gmm(
        Samples::Values(&x),
        &options(3, 2),
        &mut fastkernels_common::no_progress,
    )
    .unwrap();
    assert_eq!(&trajectory.params[9..12], two.means.as_slice());
}
