//! Binding of fastkernels-mds (work in progress).
