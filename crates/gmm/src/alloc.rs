//! Fallible allocation of output arrays: a result too large for memory is an
//! error the caller sees, not an abort of the host process. The shared
//! allocator also asks for huge pages on large outputs (see
//! `fastkernels_common::alloc` for why).

use fastkernels_common::alloc::{self, Zeroable};

use crate::error::GmmError;

/// A vector of `len` zeros, or [`GmmError::OutputTooLarge`] if it cannot be
/// allocated. Zeroed pages come from the allocator (no extra pass over them).
pub fn zeroed<T: Zeroable>(len: usize) -> Result<Vec<T>, GmmError> {
    alloc::zeroed(len).map_err(|e| GmmError::OutputTooLarge { values: e.len })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocates_zeros_or_reports_the_size() {
        let v: Vec<f64> = zeroed(1000).unwrap();
        assert!(v.len() == 1000 && v.iter().all(|&x| x == 0.0));
        assert!(zeroed::<u8>(0).unwrap().is_empty());
        assert_eq!(
            zeroed::<f64>(usize::MAX / 4),
            Err(GmmError::OutputTooLarge {
                values: usize::MAX / 4
            })
        );
    }
}
