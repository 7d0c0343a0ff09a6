//! Size limits refused before allocation, the history grown as the fit runs,
//! `_into` variants identical to the Vec ones, and the TS layer's messages.

use std::time::{Duration, Instant};

use fastkernels_common::{no_progress, Classify, ErrorClass, Flow};
use fastkernels_gmm::*;

fn options(k: usize, iterations: usize) -> FitOptions {
    FitOptions {
        iterations,
        tol: None,
        init: Init::original(k),
        variance_floor: DEFAULT_VARIANCE_FLOOR,
        reg_covar: 0.0,
    }
}

fn samples(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| ((i as f64) * 0.618_033_988_75).fract())
        .collect()
}

fn message(e: GmmError) -> String {
    assert_eq!(e.class(), ErrorClass::Range);
    e.to_string()
}

#[test]
fn huge_iteration_counts_are_refused_at_once() {
    let x = samples(1000);
    let start = Instant::now();
    let e = fit_gmm(
        Samples::Values(&x),
        &options(3, 1_000_000_000_000),
        &mut no_progress,
    )
    .unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(
        message(e),
        "options.iterations must be at most 10000000 (GMM_MAX_ITERATIONS), got 1000000000000"
    );
    // At the limit it is accepted (and stopped after one iteration).
    let mut calls = 0;
    let fit = fit_gmm(
        Samples::Values(&x),
        &options(2, MAX_ITERATIONS),
        &mut |_, _| {
            calls += 1;
            Flow::Stop
        },
    );
    assert_eq!(fit, Err(GmmError::Cancelled));
    assert_eq!(calls, 1);
}

#[test]
fn huge_component_counts_are_refused_before_any_allocation() {
    let start = Instant::now();
    assert_eq!(
        message(Init::try_original(1_000_000_000).unwrap_err()),
        "options.components must be at most 65536 (GMM_MAX_COMPONENTS), got 1000000000"
    );
    assert_eq!(
        message(Init::try_original(0).unwrap_err()),
        "options.components must be an integer >= 1, got 0"
    );
    assert_eq!(Init::try_original(3).unwrap(), Init::original(3));
    let mut o = options(1, 5);
    o.init.means = vec![0.0; MAX_COMPONENTS + 1];
    assert_eq!(
        message(fit_gmm(Samples::Values(&[0.5]), &o, &mut no_progress).unwrap_err()),
        "options.components must be at most 65536 (GMM_MAX_COMPONENTS), got 65537"
    );
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[test]
fn the_history_grows_as_the_fit_runs() {
    let x = samples(5000);
    let mut o = options(3, MAX_ITERATIONS);
    o.tol = Some(1e-3);
    let fit = fit_gmm(Samples::Values(&x), &o, &mut no_progress).unwrap();
    assert!(fit.converged);
    assert_eq!(fit.log_likelihoods.len(), fit.iterations);
    // Nothing near MAX_ITERATIONS doubles was reserved.
    assert!(
        fit.log_likelihoods.capacity() < 1024,
        "{}",
        fit.log_likelihoods.capacity()
    );
}

#[test]
fn planes_over_the_output_limit_are_refused_before_allocating() {
    let k = MAX_COMPONENTS;
    let mix = Mixture::new(&vec![1.0; k], &vec![0.0; k], &vec![1.0; k]).unwrap();
    let x = vec![0.5; (1 << 16) + 1];
    let expected = "intensities.length \u{d7} K = 65537 \u{d7} 65536 = 4295032832 values would exceed the largest typed array (4294967296 elements, MAX_OUTPUT_ELEMENTS); process the data in smaller parts";
    let start = Instant::now();
    assert_eq!(message(expsum_stable(&mix, &x).unwrap_err()), expected);
    assert_eq!(message(responsibilities(&mix, &x).unwrap_err()), expected);
    let mut none: [f64; 0] = [];
    assert_eq!(
        message(responsibilities_into(&mix, &x, &mut none).unwrap_err()),
        expected
    );
    assert_eq!(
        message(predict_proba(&mix, Samples::Values(&x)).unwrap_err()),
        expected.replace("intensities", "data")
    );
    assert!(start.elapsed() < Duration::from_secs(1));
}

fn mixture() -> Mixture {
    Mixture::new(&[0.2, 0.5, 0.3], &[0.1, 0.5, 0.9], &[0.1, 0.2, 0.05]).unwrap()
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn into_variants_equal_the_vec_ones_bit_for_bit() {
    let x = samples(40_003);
    let mix = mixture();
    let n = x.len();
    let out = expsum_stable(&mix, &x).unwrap();
    let (mut e, mut p, mut m) = (vec![f64::NAN; n], vec![f64::NAN; 3 * n], vec![f64::NAN; n]);
    expsum_stable_into(&mix, &x, &mut e, &mut p, &mut m).unwrap();
    assert_eq!(bits(&out.expsum), bits(&e));
    assert_eq!(bits(&out.p), bits(&p));
    assert_eq!(bits(&out.p_max), bits(&m));

    let r = responsibilities(&mix, &x).unwrap();
    let mut r2 = vec![f64::NAN; 3 * n];
    responsibilities_into(&mix, &x, &mut r2).unwrap();
    assert_eq!(bits(&r), bits(&r2));

    let bytes: Vec<u8> = (0..n).map(|i| (i * 7 % 256) as u8).collect();
    for s in [Samples::Values(&x), Samples::Bytes(&bytes)] {
        let labels = predict_labels(&mix, s).unwrap();
        let mut l2 = vec![255u8; n];
        predict_labels_into(&mix, s, &mut l2).unwrap();
        assert_eq!(labels, l2);
        let proba = predict_proba(&mix, s).unwrap();
        let mut p2 = vec![f64::NAN; 3 * n];
        predict_proba_into(&mix, s, &mut p2).unwrap();
        assert_eq!(bits(&proba), bits(&p2));
    }
}

#[test]
fn wrong_output_lengths_are_errors() {
    let x = samples(10);
    let mix = mixture();
    let (mut e, mut p, mut m) = (vec![0.0; 10], vec![0.0; 30], vec![0.0; 10]);
    assert_eq!(
        message(expsum_stable_into(&mix, &x, &mut e, &mut p[1..], &mut m).unwrap_err()),
        "p must have length 30 (K planes of N values), got length 29"
    );
    assert_eq!(
        message(expsum_stable_into(&mix, &x, &mut e[..9], &mut p, &mut m).unwrap_err()),
        "expsum must have length 10 (one value per sample), got length 9"
    );
    assert_eq!(
        message(expsum_stable_into(&mix, &x, &mut e, &mut p, &mut m[..0]).unwrap_err()),
        "pMax must have length 10 (one value per sample), got length 0"
    );
    assert_eq!(
        message(responsibilities_into(&mix, &x, &mut p[..3]).unwrap_err()),
        "out must have length 30 (K planes of N values), got length 3"
    );
    let mut labels = vec![0u8; 11];
    assert_eq!(
        message(predict_labels_into(&mix, Samples::Values(&x), &mut labels).unwrap_err()),
        "out must have length 10 (one label per sample), got length 11"
    );
    assert_eq!(
        message(predict_proba_into(&mix, Samples::Values(&x), &mut p[..29]).unwrap_err()),
        "out must have length 30 (K planes of N values), got length 29"
    );
}

#[test]
fn messages_match_the_ts_layer() {
    let x = samples(10);
    let fit = |samples: Samples<'_>, o: &FitOptions| {
        message(fit_gmm(samples, o, &mut no_progress).unwrap_err())
    };
    assert_eq!(
        fit(Samples::Bytes(&[]), &options(2, 3)),
        "data must not be empty, got Uint8Array(0)"
    );
    assert_eq!(
        fit(Samples::Values(&[]), &options(2, 3)),
        "data must not be empty, got Float64Array(0)"
    );
    assert_eq!(
        fit(Samples::Values(&[0.0, f64::INFINITY]), &options(2, 3)),
        "data[1] must be a finite number, got Infinity"
    );
    assert_eq!(
        fit(Samples::Values(&x), &options(2, 0)),
        "options.iterations must be an integer >= 1, got 0"
    );
    let mut o = options(2, 3);
    o.tol = Some(f64::NAN);
    assert_eq!(
        fit(Samples::Values(&x), &o),
        "options.tol must be a number >= 0 and <= 1.7976931348623157e+308, got NaN"
    );
    let mut o = options(2, 3);
    o.variance_floor = 0.0;
    assert_eq!(
        fit(Samples::Values(&x), &o),
        "options.varianceFloor must be a number > 0 and <= 1.7976931348623157e+308, got 0"
    );
    let mut o = options(2, 3);
    o.reg_covar = -1e-30;
    assert_eq!(
        fit(Samples::Values(&x), &o),
        "options.regCovar must be a number >= 0 and <= 1.7976931348623157e+308, got -1e-30"
    );
    let mut o = options(2, 3);
    o.init.weights.pop();
    assert_eq!(
        fit(Samples::Values(&x), &o),
        "options.init.weights must have length 2 (one value per component, options.components = 2), got length 1"
    );
    let mut o = options(2, 3);
    o.init.means[1] = f64::NAN;
    assert_eq!(
        fit(Samples::Values(&x), &o),
        "options.init.means[1] must be a finite number, got NaN"
    );
    let mut o = options(2, 3);
    o.init.variances[0] = -1.0;
    assert_eq!(
        fit(Samples::Values(&x), &o),
        "options.init.variances[0] must be a finite number > 0, got -1"
    );
    let mut o = options(2, 3);
    o.init.weights = vec![0.0, 0.0];
    assert_eq!(
        fit(Samples::Values(&x), &o),
        "options.init.weights must contain at least one value > 0, got all zeros"
    );
    assert_eq!(
        message(check_samples(&[1.0, f64::NAN]).unwrap_err()),
        "intensities[1] must be a finite number, got NaN"
    );
    assert_eq!(
        message(check_samples(&[]).unwrap_err()),
        "intensities must not be empty, got Float64Array(0)"
    );
    let mix = Mixture::new(&vec![1.0; 300], &vec![0.0; 300], &vec![1.0; 300]).unwrap();
    assert_eq!(
        message(predict_labels(&mix, Samples::Values(&[0.0])).unwrap_err()),
        "predictGmm returns 8-bit labels, so model may have at most 256 components, got 300"
    );
    assert_eq!(
        message(predict_proba(&mix, Samples::Values(&[f64::NAN])).unwrap_err()),
        "data[0] must be a finite number, got NaN"
    );
}
