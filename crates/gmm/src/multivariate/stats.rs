//! Mergeable sufficient statistics: one E-step against a model, cut into
//! chunks of [`STATS_CHUNK`] rows aligned to the global row index, one
//! partial per chunk, folded linearly in chunk order.
//!
//! A partial is `[weightSum, logLikelihood, resp (K), sumX (K d), sumXX (S)]`
//! with `S = K d^2` (full), `K d` (diag, spherical: `sum w r x_j^2`), `d^2`
//! (tied: `sum w x x^T`); sums are plain (not centred). Inside a chunk the
//! rows are accumulated in `LANES` interleaved lanes (row `first + 8 b + l`
//! goes to lane `l`), the lanes then added in lane order
//! ([`crate::multivariate::block`]), so a chunk's partial depends only on
//! its rows and the model: the statistics of a fit are the concatenation of
//! those of any chunk-aligned shards, for any thread count.

use rayon::prelude::*;

use fastkernels_common::alloc::{zeroed_for, Advice};
use fastkernels_common::isa::{detect, Isa};
use fastkernels_common::limits::output_elements;

use crate::error::GmmError;
use crate::multivariate::block::{chunk_partial_lanes, Scratch};
use crate::multivariate::density::Density;
use crate::multivariate::model::{CovarianceType, MvData, Shape};

/// Rows per chunk of the statistics (`GMM_STATS_CHUNK`).
pub const STATS_CHUNK: usize = 1 << 14;

/// Most partial values the in-process fit holds at once (8 MiB): every
/// chunk of a 40-million-row fit of K = 5, d = 3 in one parallel loop.
const BATCH_VALUES: usize = 1 << 20;

/// The instruction set the kernels of this process use, as the statistics
/// report it: `"avx512" | "avx2" | "baseline"`.
pub fn isa_name() -> &'static str {
    match detect() {
        Isa::Avx512 => "avx512",
        Isa::Avx2Fma => "avx2",
        Isa::Baseline => "baseline",
    }
}

/// The chunk partials of a shard: `chunks` holds one partial of `stride`
/// values per chunk, in chunk order.
#[derive(Debug, Clone, PartialEq)]
pub struct Statistics {
    pub chunks: Vec<f64>,
    pub stride: usize,
    pub rows: usize,
    pub chunk_size: usize,
    pub isa: &'static str,
}

/// The partial of rows `[first, first + len)` of `data` into `out` (one
/// partial of `stride` values): the lane kernel, then the triangles mirrored.
fn chunk_partial(
    data: &MvData<'_>,
    dens: &Density,
    first: usize,
    len: usize,
    out: &mut [f64],
    scratch: &mut Scratch,
) -> Result<(), GmmError> {
    chunk_partial_lanes(data, dens, first, len, out, scratch)?;
    mirror_partial(dens, out);
    Ok(())
}

/// Only lower triangles are accumulated: mirrors them in a partial.
fn mirror_partial(dens: &Density, out: &mut [f64]) {
    let shape = dens.shape();
    let (k, d) = (shape.components, shape.dims);
    let sum_xx = &mut out[2 + k + k * d..];
    match shape.covariance {
        CovarianceType::Full => {
            for m in sum_xx.chunks_mut(d * d) {
                mirror_lower(m, d);
            }
        }
        CovarianceType::Tied => mirror_lower(sum_xx, d),
        _ => {}
    }
}

/// Copies the lower triangle of a d x d row-major matrix onto its upper one.
pub(crate) fn mirror_lower(m: &mut [f64], d: usize) {
    for a in 0..d {
        for b in a + 1..d {
            m[a * d + b] = m[b * d + a];
        }
    }
}

/// Checks that the shard starts on a chunk boundary and that its partials
/// fit in one typed array; returns (chunks, stride).
fn shard_size(rows: usize, row_offset: usize, shape: &Shape) -> Result<(usize, usize), GmmError> {
    if !row_offset.is_multiple_of(STATS_CHUNK) {
        return Err(GmmError::MisalignedShard {
            row_offset,
            chunk: STATS_CHUNK,
        });
    }
    let chunks = rows.div_ceil(STATS_CHUNK);
    let stride = shape.stride();
    output_elements("chunks", chunks, "stride", stride, "values")?;
    Ok((chunks, stride))
}

/// Fills `out` (chunks x stride, zeroed) with the partials of `data`, in parallel.
fn partials_into(
    data: &MvData<'_>,
    dens: &Density,
    first_chunk: usize,
    out: &mut [f64],
) -> Result<(), GmmError> {
    let stride = dens.shape().stride();
    let rows = data.rows();
    out.par_chunks_mut(stride).enumerate().try_for_each_init(
        || Scratch::new(dens),
        |scratch, (c, part)| {
            let scratch = scratch.as_mut().map_err(|e| e.clone())?;
            let first = (first_chunk + c) * STATS_CHUNK;
            let len = STATS_CHUNK.min(rows - first);
            if !data.chunk_is_clean(first, len) {
                // Whichever chunk finds it, the error is the whole data's first offender.
                data.check_values()?;
            }
            chunk_partial(data, dens, first, len, part, scratch)
        },
    )
}

/// The chunk partials of the rows of a shard whose first row has global
/// index `row_offset` (a multiple of [`STATS_CHUNK`]). The data's d must
/// equal the model's (checked by the caller, see [`MvData::check_model`]).
pub fn statistics(
    data: &MvData<'_>,
    dens: &Density,
    row_offset: usize,
) -> Result<Statistics, GmmError> {
    let shape = dens.shape();
    let (chunks, stride) = shard_size(data.rows(), row_offset, &shape)?;
    let mut out = zeroed_for(chunks * stride, "the chunk statistics", Advice::Plain)?;
    partials_into(data, dens, 0, &mut out)?;
    Ok(Statistics {
        chunks: out,
        stride,
        rows: data.rows(),
        chunk_size: STATS_CHUNK,
        isa: isa_name(),
    })
}

/// `acc = ((0 + p0) + p1) + ...` element by element, in chunk order.
pub fn fold(chunks: &[f64], stride: usize) -> Result<Vec<f64>, GmmError> {
    let mut acc = zeroed_for(stride, "the folded statistics", Advice::Plain)?;
    fold_into(&mut acc, chunks, stride);
    Ok(acc)
}

fn fold_into(acc: &mut [f64], chunks: &[f64], stride: usize) {
    for part in chunks.chunks_exact(stride) {
        for (a, &p) in acc.iter_mut().zip(part) {
            *a += p;
        }
    }
}

/// The folded statistics of all of `data` (the in-process fit's E-step):
/// the same partials and the same fold as [`statistics`] + [`fold`], with
/// the partials computed a batch of chunks at a time, so memory is
/// bounded (`BATCH_VALUES`, or 2 x threads partials) rather than O(chunks x stride).
pub fn folded_statistics(data: &MvData<'_>, dens: &Density) -> Result<Vec<f64>, GmmError> {
    let shape = dens.shape();
    let (chunks, stride) = shard_size(data.rows(), 0, &shape)?;
    // As many chunks per parallel loop as BATCH_VALUES allows: every loop
    // ends with threads idle while the last chunks finish.
    let batch = (BATCH_VALUES / stride)
        .max(2 * rayon::current_num_threads())
        .clamp(1, chunks.max(1));
    let mut acc = zeroed_for(stride, "the folded statistics", Advice::Plain)?;
    let mut parts = zeroed_for(batch * stride, "the chunk statistics", Advice::Plain)?;
    let mut first = 0;
    while first < chunks {
        let n = batch.min(chunks - first);
        let parts = &mut parts[..n * stride];
        parts.iter_mut().for_each(|v| *v = 0.0);
        partials_into(data, dens, first, parts)?;
        fold_into(&mut acc, parts, stride);
        first += n;
    }
    Ok(acc)
}

/// The scalar E-step the lane kernel replaced (rows in order, libm `exp`
/// and `ln`): the reference the lane kernel is tested against.
#[cfg(test)]
pub(crate) mod scalar {
    use super::*;
    use crate::multivariate::density::log_sum_exp;

    /// Per-task scratch: the row, its centred copy, K log-probabilities.
    struct Scratch {
        x: Vec<f64>,
        z: Vec<f64>,
        lp: Vec<f64>,
    }

    impl Scratch {
        fn new(d: usize, k: usize) -> Result<Self, GmmError> {
            Ok(Self {
                x: zeroed_for(d, "a row", Advice::Plain)?,
                z: zeroed_for(d, "a row", Advice::Plain)?,
                lp: zeroed_for(k, "the log-probabilities of a row", Advice::Plain)?,
            })
        }
    }

    /// The partial of rows `[first, first + len)` of `data` into `out` (one
    /// zeroed partial of `stride` values), rows in order.
    pub(crate) fn chunk_partial(
        data: &MvData<'_>,
        dens: &Density,
        first: usize,
        len: usize,
        out: &mut [f64],
    ) -> Result<(), GmmError> {
        let shape = dens.shape();
        let (k, d) = (shape.components, shape.dims);
        let mut s = Scratch::new(d, k)?;
        let (head, rest) = out.split_at_mut(2 + k);
        let (sum_x, sum_xx) = rest.split_at_mut(k * d);
        let (mut weight_sum, mut ll) = (head[0], head[1]);
        let resp = &mut head[2..];
        for i in first..first + len {
            data.row(i, &mut s.x);
            let w = data.weight(i);
            dens.weighted_log_prob(&s.x, &mut s.z, &mut s.lp);
            let lse = log_sum_exp(&s.lp);
            weight_sum += w;
            ll += w * lse;
            if shape.covariance == CovarianceType::Tied {
                let x = &s.x;
                for a in 0..d {
                    let wa = w * x[a];
                    let row = &mut sum_xx[a * d..a * d + a + 1];
                    for (acc, &xb) in row.iter_mut().zip(x) {
                        *acc += wa * xb;
                    }
                }
            }
            for c in 0..k {
                let cr = w * (s.lp[c] - lse).exp();
                resp[c] += cr;
                let x = &s.x;
                let sx = &mut sum_x[c * d..(c + 1) * d];
                for (acc, &xj) in sx.iter_mut().zip(x) {
                    *acc += cr * xj;
                }
                match shape.covariance {
                    CovarianceType::Full => {
                        let m = &mut sum_xx[c * d * d..(c + 1) * d * d];
                        for a in 0..d {
                            let ca = cr * x[a];
                            let row = &mut m[a * d..a * d + a + 1];
                            for (acc, &xb) in row.iter_mut().zip(x) {
                                *acc += ca * xb;
                            }
                        }
                    }
                    CovarianceType::Diag | CovarianceType::Spherical => {
                        let sq = &mut sum_xx[c * d..(c + 1) * d];
                        for (acc, &xj) in sq.iter_mut().zip(x) {
                            *acc += (cr * xj) * xj;
                        }
                    }
                    CovarianceType::Tied => {}
                }
            }
        }
        head[0] = weight_sum;
        head[1] = ll;
        // Only lower triangles were accumulated: mirror them.
        match shape.covariance {
            CovarianceType::Full => {
                for m in sum_xx.chunks_mut(d * d) {
                    mirror_lower(m, d);
                }
            }
            CovarianceType::Tied => mirror_lower(sum_xx, d),
            _ => {}
        }
        Ok(())
    }
}
