//! Which instruction set the vectorised kernels are compiled for, picked at
//! run time. The kernels use only IEEE add, sub, mul, div and sqrt (no fused
//! multiply-add), all correctly rounded, and the same lanes at every level:
//! every level gives the same bits; only the speed differs.

use fastkernels_common::isa::Isa;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum SimdLevel {
    Avx512,
    Avx2,
    Portable,
}

impl SimdLevel {
    /// The level of the process-wide detection shared by every family
    /// (`fastkernels_common::isa`); these kernels need no FMA, and every
    /// level gives the same bits.
    pub(crate) fn detect() -> Self {
        match fastkernels_common::isa::detect() {
            Isa::Avx512 => SimdLevel::Avx512,
            Isa::Avx2Fma => SimdLevel::Avx2,
            Isa::Baseline => SimdLevel::Portable,
        }
    }
}
