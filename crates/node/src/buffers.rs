//! Inputs and outputs of the kernels as they cross the boundary.
//!
//! - Inputs of async calls are copied before the call returns (the caller
//!   may reuse its arrays at once), or, with `borrow`, kept by reference:
//!   the caller then promises not to mutate or transfer them until the
//!   promise settles (as with Node's own zlib and stream buffers), and the
//!   synchronous part of the call is O(1). A Float32Array is widened to
//!   float64 inside the compute closure, off the event loop.
//! - Outputs of known size are typed arrays that the TS layer allocated
//!   (V8-owned memory: the garbage collector sees their size, so a
//!   synchronous loop reclaims them like any typed array). The kernel fills
//!   them in place; async calls keep them alive by reference and hand the
//!   same objects back. They are never reachable from user code before the
//!   call settles, so writing them off-thread races with nothing.

use fastkernels_gmm::Samples;
use napi::bindgen_prelude::{
    Either, Float32Array, Float64Array, Int32Array, Uint32Array, Uint8Array,
};
use napi::{Error, Result, Status};

/// A copy of `values`; an allocation failure is a RangeError, not an abort.
/// This copy is the one O(N) step an async call makes on the JS thread, so
/// large blocks get the huge-page advice (512 times fewer page faults on the
/// first touch; see common::alloc).
pub fn copy<T: Copy>(values: &[T]) -> Result<Vec<T>> {
    let advice = fastkernels_common::alloc::Advice::HugePages;
    let mut out = fastkernels_common::alloc::with_capacity_for(values.len(), "a copy", advice).map_err(|_| {
        Error::new(
            Status::InvalidArg,
            format!(
                "could not allocate {} values ({} MiB) to copy the input of an async call; pass borrow: true or process the data in smaller parts",
                values.len(),
                std::mem::size_of_val(values) >> 20
            ),
        )
    })?;
    out.extend_from_slice(values);
    Ok(out)
}

/// Float values as JS hands them over: float64, or float32 to widen.
pub type FloatArray = Either<Float64Array, Float32Array>;

/// Float samples owned by an async call (copied or lent).
pub enum FloatInput {
    Copied(Vec<f64>),
    Lent(Float64Array),
    /// Float32 samples, copied or lent, widened when the compute closure asks.
    Narrow(Either<Vec<f32>, Float32Array>),
}

impl FloatInput {
    pub fn new(array: FloatArray, borrow: bool) -> Result<Self> {
        Ok(match (array, borrow) {
            (Either::A(f64s), true) => Self::Lent(f64s),
            (Either::A(f64s), false) => Self::Copied(copy(&f64s)?),
            (Either::B(f32s), true) => Self::Narrow(Either::B(f32s)),
            (Either::B(f32s), false) => Self::Narrow(Either::A(copy(&f32s)?)),
        })
    }

    /// Number of values (float32 or float64), without widening.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        match self {
            Self::Copied(v) => v.len(),
            Self::Lent(a) => a.len(),
            Self::Narrow(Either::A(v)) => v.len(),
            Self::Narrow(Either::B(a)) => a.len(),
        }
    }

    /// The samples as float64; float32 input is widened here (on the pool
    /// thread for async calls), fallibly.
    pub fn values(&self) -> Result<std::borrow::Cow<'_, [f64]>> {
        use std::borrow::Cow;
        Ok(match self {
            Self::Copied(v) => Cow::Borrowed(v),
            Self::Lent(a) => Cow::Borrowed(a),
            Self::Narrow(narrow) => {
                let f32s: &[f32] = match narrow {
                    Either::A(v) => v,
                    Either::B(a) => a,
                };
                Cow::Owned(widen(f32s)?)
            }
        })
    }
}

/// Float32 values widened to float64 (exact), fallibly.
pub fn widen(values: &[f32]) -> Result<Vec<f64>> {
    let mut out = Vec::new();
    out.try_reserve_exact(values.len()).map_err(|_| {
        Error::new(
            Status::InvalidArg,
            format!(
                "could not allocate {} values ({} MiB) to widen Float32Array data to float64; process the data in smaller parts",
                values.len(),
                (values.len() * 8) >> 20
            ),
        )
    })?;
    out.extend(values.iter().map(|&v| f64::from(v)));
    Ok(out)
}

/// 8-bit samples owned by an async call (copied or lent).
pub enum ByteInput {
    Copied(Vec<u8>),
    Lent(Uint8Array),
}

impl ByteInput {
    pub fn new(array: Uint8Array, borrow: bool) -> Result<Self> {
        Ok(if borrow {
            Self::Lent(array)
        } else {
            Self::Copied(copy(&array)?)
        })
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            Self::Copied(v) => v,
            Self::Lent(a) => a,
        }
    }
}

/// Values of one element type (no widening) owned by an async call, copied
/// or lent: vertex buffers, offsets, scores.
pub enum ArrayInput<A, T> {
    Copied(Vec<T>),
    Lent(A),
}

impl<A: std::ops::Deref<Target = [T]>, T: Copy> ArrayInput<A, T> {
    pub fn new(array: A, borrow: bool) -> Result<Self> {
        Ok(if borrow {
            Self::Lent(array)
        } else {
            Self::Copied(copy(&array)?)
        })
    }

    pub fn values(&self) -> &[T] {
        match self {
            Self::Copied(v) => v,
            Self::Lent(a) => a,
        }
    }
}

/// Float64-only values of an async call (coordinates of polygon vertices, scores).
pub type F64Input = ArrayInput<Float64Array, f64>;
/// Uint32 values of an async call (polygon offsets).
pub type U32Input = ArrayInput<Uint32Array, u32>;

/// Mutable access to an output typed array that the TS layer allocated for
/// this call and that no other code can reach until the call settles.
pub fn out_f64(array: &mut Float64Array) -> &mut [f64] {
    // SAFETY: the array was created by the TS layer for this call only and is
    // handed to user code after the call settles; nothing else reads or
    // writes it meanwhile (see the module doc).
    unsafe { array.as_mut() }
}

/// As [`out_f64`] for byte outputs.
pub fn out_u8(array: &mut Uint8Array) -> &mut [u8] {
    // SAFETY: as in `out_f64`.
    unsafe { array.as_mut() }
}

/// As [`out_f64`] for Int32 outputs.
pub fn out_i32(array: &mut Int32Array) -> &mut [i32] {
    // SAFETY: as in `out_f64`.
    unsafe { array.as_mut() }
}

/// Float or 8-bit samples of a fit or prediction, as JS hands them over.
pub type SampleArray = Either<FloatArray, Uint8Array>;

/// Float or 8-bit samples of a fit or prediction, owned by the call.
pub enum SampleInput {
    Floats(FloatInput),
    Bytes(ByteInput),
}

impl SampleInput {
    pub fn new(data: SampleArray, borrow: bool) -> Result<Self> {
        Ok(match data {
            Either::A(floats) => Self::Floats(FloatInput::new(floats, borrow)?),
            Either::B(bytes) => Self::Bytes(ByteInput::new(bytes, borrow)?),
        })
    }

    /// Runs `kernel` on the samples (float32 widened first).
    pub fn with<T>(&self, kernel: impl FnOnce(Samples<'_>) -> Result<T>) -> Result<T> {
        match self {
            Self::Floats(f) => {
                let values = f.values()?;
                kernel(Samples::Values(&values))
            }
            Self::Bytes(b) => kernel(Samples::Bytes(b.bytes())),
        }
    }
}
