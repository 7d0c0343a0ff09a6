//! fastkernels-mds: pure-Rust kernels (work in progress).
