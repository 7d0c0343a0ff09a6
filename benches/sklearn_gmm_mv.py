"""
The scikit-learn row of benches/gmm-mv.bench.ts: times
GaussianMixture(covariance_type, max_iter, tol=0, reg_covar, weights_init,
means_init, precisions_init).fit(X) on the bench's data and prints one JSON
line: {"sklearn", "numpy", "blas", "times_ms", "median_ms", "weights",
"means", "covariances", "lower_bound"}.

    python3 benches/sklearn_gmm_mv.py <data.f64> <init.json> [repeats]

<data.f64>: N x d float64 little-endian, row-major (the values fastkernels
fits: 8-bit channels already divided by 255). <init.json>: {"dims",
"components", "iterations", "covariance", "reg_covar", "weights", "means"
(K*d), "covariances" (fastkernels' layout)}. The precisions handed to
scikit-learn are the inverses of those covariances. `fit` runs max_iter
(E-step, M-step) pairs, then one more E-step of its own (for fit_predict's
labels); that E-step is part of the timed call.
"""
import json
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture


def precisions(init):
    k, d, kind = init["components"], init["dims"], init["covariance"]
    c = np.asarray(init["covariances"], dtype=np.float64)
    if kind == "full":
        return np.linalg.inv(c.reshape(k, d, d))
    if kind == "tied":
        return np.linalg.inv(c.reshape(d, d))
    return 1.0 / c.reshape(k, d) if kind == "diag" else 1.0 / c


def blas_info():
    try:
        from threadpoolctl import threadpool_info

        return [f'{p.get("internal_api")} {p.get("version")}, {p.get("num_threads")} threads' for p in threadpool_info()]
    except Exception as error:  # threadpoolctl is a scikit-learn dependency; be tolerant anyway
        return [f"unknown ({error})"]


def main():
    data_file, init_file = sys.argv[1], sys.argv[2]
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    with open(init_file) as f:
        init = json.load(f)
    d = init["dims"]
    x = np.fromfile(data_file, dtype="<f8").reshape(-1, d)
    times = []
    model = None
    for _ in range(repeats):
        model = GaussianMixture(
            n_components=init["components"],
            covariance_type=init["covariance"],
            max_iter=init["iterations"],
            tol=0,
            reg_covar=init["reg_covar"],
            weights_init=np.asarray(init["weights"], dtype=np.float64),
            means_init=np.asarray(init["means"], dtype=np.float64).reshape(init["components"], d),
            precisions_init=precisions(init),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(x)
            times.append((time.perf_counter() - start) * 1000)
    print(
        json.dumps(
            {
                "sklearn": sklearn.__version__,
                "numpy": np.__version__,
                "blas": blas_info(),
                "times_ms": times,
                "median_ms": float(np.median(times)),
                "weights": model.weights_.tolist(),
                "means": model.means_.ravel().tolist(),
                "covariances": np.asarray(model.covariances_).ravel().tolist(),
                "lower_bound": float(model.lower_bound_),
            }
        )
    )


if __name__ == "__main__":
    main()
