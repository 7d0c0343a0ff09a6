//! Binding of fastkernels-polygon (work in progress).
