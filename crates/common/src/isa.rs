//! Runtime choice of instruction set for the vectorised kernels of every
//! family (one detection per process, one dispatch macro).
//!
//! Kernels are written once as `#[inline(always)]` functions generic over
//! `const FMA: bool` on fixed-width lane arrays; [`multiversion!`] compiles
//! them for AVX-512, AVX2+FMA and the baseline, and picks one per process.
//! AVX-512 and AVX2 builds run the same operations (only the vector width
//! differs), so they give identical bits; the baseline build has no fused
//! multiply-add and may differ from them in the last bits.

use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    Baseline,
    Avx2Fma,
    Avx512,
}

/// The instruction set the kernels use in this process.
pub fn detect() -> Isa {
    static ISA: OnceLock<Isa> = OnceLock::new();
    *ISA.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            let avx2 = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
            if avx2 && is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512dq") {
                return Isa::Avx512;
            }
            if avx2 {
                return Isa::Avx2Fma;
            }
        }
        Isa::Baseline
    })
}

/// Defines `pub fn $name(args) -> ret` that calls `$kernel::<FMA>(args)`
/// compiled for the best instruction set of the machine.
#[macro_export]
macro_rules! multiversion {
    ($(#[$meta:meta])* $vis:vis fn $name:ident = $kernel:ident ( $($arg:ident : $ty:ty),* $(,)? ) $(-> $ret:ty)?) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
                unsafe fn avx512($($arg: $ty),*) $(-> $ret)? {
                    $kernel::<true>($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                unsafe fn avx2($($arg: $ty),*) $(-> $ret)? {
                    $kernel::<true>($($arg),*)
                }
                match $crate::isa::detect() {
                    // SAFETY: detect() confirmed the CPU supports these features.
                    $crate::isa::Isa::Avx512 => return unsafe { avx512($($arg),*) },
                    // SAFETY: as above.
                    $crate::isa::Isa::Avx2Fma => return unsafe { avx2($($arg),*) },
                    $crate::isa::Isa::Baseline => {}
                }
            }
            $kernel::<false>($($arg),*)
        }
    };
}

pub use multiversion;
