//! fastkernels-polygon: pure-Rust kernels (work in progress).
