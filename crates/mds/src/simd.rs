//! Which instruction set the vectorised kernels are compiled for, picked at
//! run time. The kernels use only IEEE add, sub, mul, div and sqrt (no fused
//! multiply-add), all correctly rounded, and the same lanes at every level:
//! every level gives the same bits; only the speed differs.

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum SimdLevel {
    Avx512,
    Avx2,
    Portable,
}

impl SimdLevel {
    pub(crate) fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return SimdLevel::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return SimdLevel::Avx2;
            }
        }
        SimdLevel::Portable
    }
}
