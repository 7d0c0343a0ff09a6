//! Fallible allocation of large output vectors that the kernel fills next.
//!
//! Fresh large blocks come straight from the kernel (glibc malloc mmaps them),
//! so the kernel's first write to every page faults. With 4 KiB pages that is
//! one fault per 512 doubles, and on this kind of machine (a VM, transparent
//! huge pages in `madvise` mode) the faults cost more than writing the data;
//! with several threads faulting at once into the same address space they
//! also contend on the page-table locks, so more threads got slower. Asking
//! for huge pages (`MADV_HUGEPAGE`) *before* the first touch makes each fault
//! map 2 MiB at once: 512 times fewer faults.
//!
//! Only the 2 MiB-aligned interior of a block can be backed by huge pages,
//! so that is what is advised; the vector itself is an ordinary `Vec`
//! allocated by the global allocator with its ordinary layout (it is freed
//! the usual way). The advice is a hint: if the kernel refuses it (old
//! kernel, THP disabled) nothing changes but the speed, so its error is
//! ignored. Off Linux the advice is a no-op.
//!
//! Measured on the 2-core Firecracker VM (free page reporting on): a clear
//! win for the distance matrix (`with_capacity`). For the gmm outputs
//! (`zeroed`) a controlled loop was 2x faster, but `npm run bench:gmm`
//! regressed in two of four expsum rows, so gmm allocates with
//! [`Advice::Plain`] (the same fallible path, without the advice).
//!
//! Every helper here reports failure as an [`AllocError`] naming the block;
//! kernels map it to their own error (class `Range`), never an abort.

use std::alloc::{alloc_zeroed, Layout};
use std::fmt;

/// Blocks smaller than this are left alone: they span few huge pages, may
/// come from the malloc heap (already faulted in), and are cheap anyway.
pub const HUGE_PAGE_THRESHOLD_BYTES: usize = 4 << 20;

/// The block size of a transparent huge page on x86-64 and aarch64 (4 KiB
/// base pages).
const HUGE_PAGE_BYTES: usize = 2 << 20;

/// Whether a fresh block is advised for huge pages (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advice {
    /// Advise the 2 MiB-aligned interior of large blocks (`MADV_HUGEPAGE`).
    HugePages,
    /// Leave the block alone (the gmm outputs: see the module doc).
    Plain,
}

/// The allocator refused a block of `len` elements (`bytes` bytes) meant
/// for `what`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocError {
    pub len: usize,
    /// Size of the block in bytes (`len * size_of::<T>()`, exact).
    pub bytes: u128,
    /// What the block was for, e.g. "the distance matrix".
    pub what: &'static str,
}

impl AllocError {
    pub fn new<T>(len: usize, what: &'static str) -> Self {
        Self {
            len,
            bytes: len as u128 * std::mem::size_of::<T>() as u128,
            what,
        }
    }
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not allocate {} values ({:.1} MiB) for {}; process the data in smaller parts",
            self.len,
            self.bytes as f64 / (1u64 << 20) as f64,
            self.what
        )
    }
}

impl std::error::Error for AllocError {}

/// Element types whose all-zero bit pattern is a valid value.
///
/// # Safety
/// Implementors must be valid when every byte is zero.
pub unsafe trait Zeroable: Copy {}

// SAFETY: 0.0 and 0 are all-zero bit patterns.
unsafe impl Zeroable for f64 {}
// SAFETY: as above.
unsafe impl Zeroable for f32 {}
// SAFETY: as above.
unsafe impl Zeroable for u8 {}
// SAFETY: as above.
unsafe impl Zeroable for u32 {}
// SAFETY: as above.
unsafe impl Zeroable for i32 {}
// SAFETY: as above.
unsafe impl Zeroable for usize {}

/// What [`with_capacity`] and [`zeroed`] report their blocks as.
const OUTPUT: &str = "an output array";

/// An empty vector with capacity for exactly `len` elements, its large
/// interior advised for huge pages. For kernels that write every element
/// before `set_len` (no zero-fill pass).
pub fn with_capacity<T: Copy>(len: usize) -> Result<Vec<T>, AllocError> {
    with_capacity_for(len, OUTPUT, Advice::HugePages)
}

/// [`with_capacity`] naming the block and choosing the advice.
pub fn with_capacity_for<T>(
    len: usize,
    what: &'static str,
    advice: Advice,
) -> Result<Vec<T>, AllocError> {
    let mut v: Vec<T> = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| AllocError::new::<T>(len, what))?;
    if advice == Advice::HugePages {
        advise_huge_pages(v.as_mut_ptr().cast(), len * std::mem::size_of::<T>());
    }
    Ok(v)
}

/// A vector of `len` zeros, its large interior advised for huge pages.
/// The zeros come from the allocator (`calloc`: pages fresh from the kernel
/// are not written again), so the first touch is still the kernel's own.
pub fn zeroed<T: Zeroable>(len: usize) -> Result<Vec<T>, AllocError> {
    zeroed_for(len, OUTPUT, Advice::HugePages)
}

/// [`zeroed`] naming the block and choosing the advice.
pub fn zeroed_for<T: Zeroable>(
    len: usize,
    what: &'static str,
    advice: Advice,
) -> Result<Vec<T>, AllocError> {
    if len == 0 || std::mem::size_of::<T>() == 0 {
        return Ok(Vec::new());
    }
    let layout = Layout::array::<T>(len).map_err(|_| AllocError::new::<T>(len, what))?;
    // SAFETY: the layout has a non-zero size (len > 0, T not zero-sized).
    let ptr = unsafe { alloc_zeroed(layout) };
    if ptr.is_null() {
        return Err(AllocError::new::<T>(len, what));
    }
    if advice == Advice::HugePages {
        advise_huge_pages(ptr, layout.size());
    }
    // SAFETY: ptr was allocated by the global allocator with the layout of
    // [T; len], which is the layout Vec uses for capacity len; all `len`
    // elements are initialised (zero is a valid T).
    Ok(unsafe { Vec::from_raw_parts(ptr.cast::<T>(), len, len) })
}

/// `len` copies of `value` (no advice: for scratch and small outputs).
pub fn filled<T: Clone>(len: usize, value: T, what: &'static str) -> Result<Vec<T>, AllocError> {
    let mut v = with_capacity_for(len, what, Advice::Plain)?;
    v.resize(len, value);
    Ok(v)
}

/// A copy of `values`.
pub fn copied<T: Copy>(values: &[T], what: &'static str) -> Result<Vec<T>, AllocError> {
    let mut v = with_capacity_for(values.len(), what, Advice::Plain)?;
    v.extend_from_slice(values);
    Ok(v)
}

/// The items of an iterator that yields exactly `len` of them (or fewer),
/// in one block reserved up front.
pub fn collected<T, I: IntoIterator<Item = T>>(
    len: usize,
    items: I,
    what: &'static str,
) -> Result<Vec<T>, AllocError> {
    let mut v = with_capacity_for(len, what, Advice::Plain)?;
    v.extend(items.into_iter().take(len));
    Ok(v)
}

/// Pushes onto a growing vector (e.g. a per-iteration history), reporting
/// an allocation failure instead of aborting.
pub fn push<T>(v: &mut Vec<T>, value: T, what: &'static str) -> Result<(), AllocError> {
    if v.len() == v.capacity() {
        v.try_reserve(1)
            .map_err(|_| AllocError::new::<T>(v.len().saturating_add(1), what))?;
    }
    v.push(value);
    Ok(())
}

/// The 2 MiB-aligned part of `[addr, addr + bytes)` as (start, length), if
/// the block is large enough to be worth advising.
fn aligned_interior(addr: usize, bytes: usize) -> Option<(usize, usize)> {
    if bytes < HUGE_PAGE_THRESHOLD_BYTES {
        return None;
    }
    let start = addr.checked_add(HUGE_PAGE_BYTES - 1)? & !(HUGE_PAGE_BYTES - 1);
    let end = addr.checked_add(bytes)? & !(HUGE_PAGE_BYTES - 1);
    (end > start).then(|| (start, end - start))
}

#[cfg(target_os = "linux")]
fn advise_huge_pages(ptr: *mut u8, bytes: usize) {
    if let Some((start, len)) = aligned_interior(ptr as usize, bytes) {
        // SAFETY: [start, start + len) lies inside a block we own; the advice
        // changes no contents, only how untouched pages will be backed. Its
        // result is ignored on purpose (a refused hint only costs speed).
        unsafe {
            libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_ptr: *mut u8, _bytes: usize) {}

/// Advises huge pages for a caller's output buffer that has not been
/// written yet (for example a typed array V8 just allocated: large blocks
/// come from fresh zero pages), as [`with_capacity_for`] does for its own
/// blocks. A hint: nothing changes but the speed of the first touch.
pub fn advise_output<T>(out: &mut [T]) {
    advise_huge_pages(out.as_mut_ptr().cast(), std::mem::size_of_val(out));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeroed_allocates_zeros_or_reports_the_size() {
        let v: Vec<f64> = zeroed(1000).unwrap();
        assert!(v.len() == 1000 && v.iter().all(|&x| x == 0.0));
        let big: Vec<f64> = zeroed(3 << 20).unwrap();
        assert!(big.iter().all(|&x| x == 0.0));
        assert!(zeroed::<u8>(0).unwrap().is_empty());
        assert_eq!(
            zeroed::<f64>(usize::MAX / 4),
            Err(AllocError::new::<f64>(usize::MAX / 4, "an output array"))
        );
    }

    #[test]
    fn with_capacity_reserves_exactly_or_reports_the_size() {
        let mut v: Vec<f64> = with_capacity(3 << 20).unwrap();
        assert!(v.is_empty() && v.capacity() >= 3 << 20);
        v.extend((0..3 << 20).map(|i| i as f64));
        assert_eq!(v[12345], 12345.0);
        assert_eq!(
            with_capacity::<f64>(usize::MAX / 4),
            Err(AllocError::new::<f64>(usize::MAX / 4, "an output array"))
        );
    }

    #[test]
    fn huge_requests_are_errors_with_a_readable_message() {
        let len = usize::MAX / 16;
        let e = filled::<f64>(len, 0.0, "the test buffer").unwrap_err();
        assert_eq!(e.len, len);
        assert_eq!(e.bytes, len as u128 * 8);
        assert!(e
            .to_string()
            .starts_with(&format!("could not allocate {len} values (")));
        assert!(e
            .to_string()
            .contains(" MiB) for the test buffer; process the data in smaller parts"));
        assert!(zeroed_for::<u8>(usize::MAX / 2 + 7, "x", Advice::Plain).is_err());
        assert!(with_capacity_for::<f64>(len, "x", Advice::Plain).is_err());
        assert!(collected(len, 0..3, "x").is_err());
        assert_eq!(collected(3, 0..10, "x").unwrap(), vec![0, 1, 2]);
        assert_eq!(copied(&[1u8, 2], "x").unwrap(), vec![1, 2]);
        let mut v = Vec::new();
        for i in 0..100 {
            push(&mut v, i, "x").unwrap();
        }
        assert_eq!(v.len(), 100);
        assert_eq!(
            AllocError::new::<f64>(1 << 20, "the matrix").to_string(),
            "could not allocate 1048576 values (8.0 MiB) for the matrix; process the data in smaller parts"
        );
    }

    #[test]
    fn only_the_aligned_interior_of_large_blocks_is_advised() {
        const M: usize = HUGE_PAGE_BYTES;
        assert_eq!(aligned_interior(16, 1 << 20), None);
        assert_eq!(aligned_interior(M + 16, 5 * M), Some((2 * M, 4 * M)));
        assert_eq!(aligned_interior(M, 4 * M), Some((M, 4 * M)));
        assert_eq!(aligned_interior(usize::MAX - 10, 8 * M), None);
    }
}
