//! Fallible allocation of output arrays: a result too large for memory is an
//! error the caller sees, not an abort of the host process.

use std::alloc::{alloc_zeroed, Layout};

use crate::error::GmmError;

/// Element types whose all-zero bit pattern is a valid value.
///
/// # Safety
/// Implementors must be valid when every byte is zero.
pub unsafe trait Zeroable: Copy {}

// SAFETY: 0.0 and 0 are all-zero bit patterns.
unsafe impl Zeroable for f64 {}
// SAFETY: as above.
unsafe impl Zeroable for u8 {}

/// A vector of `len` zeros, or [`GmmError::OutputTooLarge`] if it cannot be
/// allocated. Zeroed pages come from the allocator (no extra pass over them).
pub fn zeroed<T: Zeroable>(len: usize) -> Result<Vec<T>, GmmError> {
    let too_large = || GmmError::OutputTooLarge { values: len };
    if len == 0 || std::mem::size_of::<T>() == 0 {
        return Ok(Vec::new());
    }
    let layout = Layout::array::<T>(len).map_err(|_| too_large())?;
    // SAFETY: the layout has a non-zero size (len > 0, T not zero-sized).
    let ptr = unsafe { alloc_zeroed(layout) } as *mut T;
    if ptr.is_null() {
        return Err(too_large());
    }
    // SAFETY: ptr was allocated by the global allocator with the layout of
    // [T; len], which is the layout Vec uses for capacity len; all `len`
    // elements are initialised (zero is a valid T).
    Ok(unsafe { Vec::from_raw_parts(ptr, len, len) })
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
