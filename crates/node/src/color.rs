//! Binding of fastkernels-color: the CIE94 difference of two RGB images.
//!
//! Two entry points per call shape because the kernel is generic over the
//! pixel encoding: 8-bit (read as value / 255) and float in [0, 1]. The TS
//! layer converts a mixed pair to floats first.

use fastkernels_color::{cie94_difference, Normalization, RgbImage};
use napi::bindgen_prelude::{Float64Array, Object};
use napi::{Env, Error, Result, Status};
use napi_derive::napi;

use crate::buffers::copy;
use crate::errors::{js_number, kernel_error};
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

fn compute<A: RgbImage, B: RgbImage>(
    first: A,
    second: B,
    width: u32,
    height: u32,
    mode: Normalization,
) -> Result<Vec<f64>> {
    cie94_difference(first, second, width as usize, height as usize, mode).map_err(kernel_error)
}

/// The value scan of float images: every channel in [0, 1] (NaN fails),
/// worded as the TypeScript reference's.
fn check_unit(name: &str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !(*v >= 0.0 && *v <= 1.0)) {
        Some(i) => Err(Error::new(
            Status::InvalidArg,
            format!(
                "{name}[{i}] must be a finite number from 0 to 1, got {}",
                js_number(values[i])
            ),
        )),
        None => Ok(()),
    }
}

#[napi(js_name = "colorCie94DifferenceU8")]
pub fn cie94_difference_u8(
    rgb_a: &[u8],
    rgb_b: &[u8],
    width: u32,
    height: u32,
    normalization_name: String,
    threads: u32,
) -> Result<Float64Array> {
    let mode = normalization(&normalization_name)?;
    let out = run_sync(KERNEL, threads, || {
        compute(rgb_a, rgb_b, width, height, mode)
    })?;
    Ok(Float64Array::new(out))
}

#[napi(js_name = "colorCie94DifferenceF64")]
pub fn cie94_difference_f64(
    rgb_a: &[f64],
    rgb_b: &[f64],
    width: u32,
    height: u32,
    normalization_name: String,
    threads: u32,
) -> Result<Float64Array> {
    let mode = normalization(&normalization_name)?;
    let out = run_sync(KERNEL, threads, || {
        check_unit("rgbA", rgb_a)?;
        check_unit("rgbB", rgb_b)?;
        compute(rgb_a, rgb_b, width, height, mode)
    })?;
    Ok(Float64Array::new(out))
}

#[napi(
    js_name = "colorCie94DifferenceU8Async",
    ts_return_type = "Promise<Float64Array>"
)]
pub fn cie94_difference_u8_async<'env>(
    env: &'env Env,
    rgb_a: &[u8],
    rgb_b: &[u8],
    width: u32,
    height: u32,
    normalization_name: String,
    threads: u32,
) -> Result<Object<'env>> {
    let mode = normalization(&normalization_name)?;
    let (a, b) = (copy(rgb_a)?, copy(rgb_b)?);
    run_async(
        env,
        KERNEL,
        threads,
        move || compute(a.as_slice(), b.as_slice(), width, height, mode),
        |out| Ok(Float64Array::new(out)),
    )
}

#[napi(
    js_name = "colorCie94DifferenceF64Async",
    ts_return_type = "Promise<Float64Array>"
)]
pub fn cie94_difference_f64_async<'env>(
    env: &'env Env,
    rgb_a: &[f64],
    rgb_b: &[f64],
    width: u32,
    height: u32,
    normalization_name: String,
    threads: u32,
) -> Result<Object<'env>> {
    let mode = normalization(&normalization_name)?;
    let (a, b) = (copy(rgb_a)?, copy(rgb_b)?);
    run_async(
        env,
        KERNEL,
        threads,
        move || {
            check_unit("rgbA", &a)?;
            check_unit("rgbB", &b)?;
            compute(a.as_slice(), b.as_slice(), width, height, mode)
        },
        |out| Ok(Float64Array::new(out)),
    )
}
