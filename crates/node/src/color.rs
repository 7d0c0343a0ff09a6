//! Binding of fastkernels-color: the CIE94 difference of two RGB images.
//! Converts types, maps errors, schedules work; the kernel crate checks the
//! shapes and the float channel ranges.
//!
//! Each image is 8-bit (read as value / 255) or float in [0, 1] (float64,
//! or float32 widened off-thread); the kernel is generic over the encoding
//! of each image, so a mixed pair needs no conversion. The output is the
//! typed array the TS layer allocated, filled in place.

use std::borrow::Cow;

use fastkernels_color::{cie94_difference_into, ColorError, Normalization, RgbImage};
use napi::bindgen_prelude::{Either, Float64Array, Object, Uint8Array};
use napi::{Env, Error, Result, Status};
use napi_derive::napi;

use crate::buffers::{out_f64, ByteInput, FloatArray, FloatInput};
use crate::errors::kernel_error;
use crate::run::{run_async, run_sync};

const KERNEL: &str = "cie94Difference";

fn normalization(name: &str) -> Result<Normalization> {
    match name {
        "original" => Ok(Normalization::Original),
        "minMax" => Ok(Normalization::MinMax),
        "none" => Ok(Normalization::None),
        other => Err(Error::new(
            Status::InvalidArg,
            format!(
                "options.normalization must be \"original\", \"minMax\" or \"none\", got {other:?}"
            ),
        )),
    }
}

/// An image as JS hands it over: floats (float64 or float32) or 8-bit.
type ImageArray = Either<FloatArray, Uint8Array>;

/// An image owned by the call (copied or lent).
enum ImageInput {
    Floats(FloatInput),
    Bytes(ByteInput),
}

impl ImageInput {
    fn new(image: ImageArray, borrow: bool) -> Result<Self> {
        Ok(match image {
            Either::A(floats) => Self::Floats(FloatInput::new(floats, borrow)?),
            Either::B(bytes) => Self::Bytes(ByteInput::new(bytes, borrow)?),
        })
    }
}

/// An image as the kernel reads it (float32 widened).
enum ImageView<'a> {
    Floats(Cow<'a, [f64]>),
    Bytes(&'a [u8]),
}

impl ImageView<'_> {
    fn of(input: &ImageInput) -> Result<ImageView<'_>> {
        Ok(match input {
            ImageInput::Floats(f) => ImageView::Floats(f.values()?),
            ImageInput::Bytes(b) => ImageView::Bytes(b.bytes()),
        })
    }
}

/// The kernel's call with both images' concrete encodings.
fn difference<A: RgbImage>(
    first: A,
    second: &ImageView<'_>,
    width: u32,
    height: u32,
    mode: Normalization,
    out: &mut [f64],
) -> std::result::Result<(), ColorError> {
    let (w, h) = (width as usize, height as usize);
    match second {
        ImageView::Floats(b) => cie94_difference_into(first, &b[..], w, h, mode, out),
        ImageView::Bytes(b) => cie94_difference_into(first, *b, w, h, mode, out),
    }
}

/// The one compute path of both entries.
fn compute(
    a: &ImageInput,
    b: &ImageInput,
    width: u32,
    height: u32,
    mode: Normalization,
    out: &mut Float64Array,
) -> Result<()> {
    let (first, second) = (ImageView::of(a)?, ImageView::of(b)?);
    let out = out_f64(out);
    match &first {
        ImageView::Floats(a) => difference(&a[..], &second, width, height, mode, out),
        ImageView::Bytes(a) => difference(*a, &second, width, height, mode, out),
    }
    .map_err(kernel_error)
}

#[napi(js_name = "colorCie94Difference")]
pub fn cie94_difference(
    rgb_a: ImageArray,
    rgb_b: ImageArray,
    width: u32,
    height: u32,
    normalization_name: String,
    mut out: Float64Array,
    threads: u32,
) -> Result<()> {
    let mode = normalization(&normalization_name)?;
    let (a, b) = (ImageInput::new(rgb_a, true)?, ImageInput::new(rgb_b, true)?);
    run_sync(KERNEL, threads, || {
        compute(&a, &b, width, height, mode, &mut out)
    })
}

#[napi(
    js_name = "colorCie94DifferenceAsync",
    ts_return_type = "Promise<void>"
)]
pub fn cie94_difference_async<'env>(
    env: &'env Env,
    rgb_a: ImageArray,
    rgb_b: ImageArray,
    layout: ColorPairLayout,
    mut out: Float64Array,
    threads: u32,
) -> Result<Object<'env>> {
    let ColorPairLayout {
        width,
        height,
        normalization: name,
        borrow,
    } = layout;
    let mode = normalization(&name)?;
    let (a, b) = (
        ImageInput::new(rgb_a, borrow)?,
        ImageInput::new(rgb_b, borrow)?,
    );
    run_async(
        env,
        KERNEL,
        threads,
        move || compute(&a, &b, width, height, mode, &mut out),
        |()| Ok(()),
    )
}

/// The size and normalisation of an async image pair, and whether the
/// images are lent (`borrow`) or copied.
#[napi(object)]
pub struct ColorPairLayout {
    pub width: u32,
    pub height: u32,
    /// "original", "none" or "unit" (see `cie94Difference`).
    pub normalization: String,
    pub borrow: bool,
}
