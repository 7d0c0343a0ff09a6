//! Binding of fastkernels-gmm (work in progress).
