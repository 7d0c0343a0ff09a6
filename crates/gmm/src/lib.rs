//! fastkernels-gmm: pure-Rust kernels (work in progress).
