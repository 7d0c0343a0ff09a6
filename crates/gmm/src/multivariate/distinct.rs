//! Distinct 8-bit colours and their counts (`countDistinctColors`): the
//! input of the exact distinct-colour fit. The output is the TS reference's
//! (`ts/gmm/multivariate/distinct.ts`): colours in ascending lexicographic
//! order (first channel most significant), one count per colour.
//!
//! One pass buckets the pixels by their first channel (a counting sort:
//! histogram, then scatter of the other channels packed in a `u32`); the
//! 256 buckets are then counted in parallel, each with a table indexed by
//! its packed value when that is at most 16 bits and the bucket is not
//! small, else by sorting it and counting runs. Counting is exact, so the
//! result does not depend on the thread count.

use rayon::prelude::*;

use fastkernels_common::alloc::{filled, zeroed_for, Advice};

use crate::error::GmmError;
use crate::fit::Samples;
use crate::multivariate::model::MvData;

/// Most channels a colour may have (the key of 4 channels fills a `u32`).
pub const MAX_CHANNELS: usize = 4;

#[derive(Debug, Clone, PartialEq)]
pub struct DistinctColors {
    /// Distinct colours, d bytes each, ascending.
    pub colors: Vec<u8>,
    /// How many pixels have each colour.
    pub counts: Vec<f64>,
}

/// The distinct colours of `pixels` (`row_width` channels a pixel, the
/// `columns` used, at most [`MAX_CHANNELS`]) and their counts.
pub fn distinct_colors(
    pixels: &[u8],
    row_width: usize,
    columns: &[u32],
) -> Result<DistinctColors, GmmError> {
    let data =
        MvData::new(Samples::Bytes(pixels), row_width, columns, None).map_err(|e| match e {
            // The TS layer names this argument `pixels`.
            GmmError::RaggedData { length, row_width } => GmmError::Mismatch {
                name: "pixels.length",
                what: format!("must be a multiple of dims = {row_width}, got {length}"),
            },
            e => e,
        })?;
    let d = data.dims();
    if d > MAX_CHANNELS {
        return Err(GmmError::Mismatch {
            name: "countDistinctColors",
            what: format!("counts colours of at most {MAX_CHANNELS} channels, got {d} columns"),
        });
    }
    let cols = data.columns();
    let n = data.rows();
    let low_bits = 8 * (d - 1);
    let low = |p: &[u8]| {
        cols[1..]
            .iter()
            .fold(0u32, |k, &c| (k << 8) | u32::from(p[c]))
    };
    let mut starts = [0usize; 257];
    for p in pixels.chunks_exact(row_width) {
        starts[p[cols[0]] as usize + 1] += 1;
    }
    for b in 0..256 {
        starts[b + 1] += starts[b];
    }
    let mut keys: Vec<u32> = zeroed_for(n, "the colour keys", Advice::Plain)?;
    let mut next = starts;
    for p in pixels.chunks_exact(row_width) {
        let b = p[cols[0]] as usize;
        keys[next[b]] = low(p);
        next[b] += 1;
    }
    let mut buckets: Vec<(u8, &mut [u32])> = Vec::new();
    let mut rest = keys.as_mut_slice();
    for b in 0..256 {
        let (bucket, tail) = rest.split_at_mut(starts[b + 1] - starts[b]);
        rest = tail;
        if !bucket.is_empty() {
            buckets.push((b as u8, bucket));
        }
    }
    let table_len = 1usize << low_bits.min(16);
    let parts = buckets
        .into_par_iter()
        .map_init(
            || -> Result<Vec<u32>, GmmError> {
                if low_bits <= 16 {
                    Ok(filled(table_len, 0u32, "a colour count table")?)
                } else {
                    Ok(Vec::new())
                }
            },
            |table, (first, bucket)| {
                let table = table.as_mut().map_err(|e| e.clone())?;
                count_bucket(first, bucket, d, low_bits, table)
            },
        )
        .collect::<Result<Vec<_>, GmmError>>()?;
    let distinct: usize = parts.iter().map(|p| p.counts.len()).sum();
    let mut out = DistinctColors {
        colors: zeroed_for(distinct * d, "the distinct colours", Advice::Plain)?,
        counts: zeroed_for(distinct, "the colour counts", Advice::Plain)?,
    };
    let mut at = 0;
    for p in parts {
        let m = p.counts.len();
        out.colors[at * d..(at + m) * d].copy_from_slice(&p.colors);
        out.counts[at..at + m].copy_from_slice(&p.counts);
        at += m;
    }
    Ok(out)
}

/// The colours of one bucket (first channel `first`, other channels packed
/// in `bucket`), ascending, with their counts.
fn count_bucket(
    first: u8,
    bucket: &mut [u32],
    d: usize,
    low_bits: usize,
    table: &mut [u32],
) -> Result<DistinctColors, GmmError> {
    let mut out = DistinctColors {
        colors: Vec::new(),
        counts: Vec::new(),
    };
    let mut emit = |key: u32, count: f64| -> Result<(), GmmError> {
        fastkernels_common::alloc::push(&mut out.colors, first, "the distinct colours")?;
        for j in (0..d - 1).rev() {
            let byte = (key >> (8 * j)) as u8;
            fastkernels_common::alloc::push(&mut out.colors, byte, "the distinct colours")?;
        }
        fastkernels_common::alloc::push(&mut out.counts, count, "the colour counts")?;
        Ok(())
    };
    // A table scan costs its length; below 1/16 of it, sorting is cheaper.
    if low_bits <= 16 && bucket.len() >= table.len() / 16 {
        for &k in bucket.iter() {
            table[k as usize] += 1;
        }
        for (k, c) in table.iter_mut().enumerate() {
            if *c > 0 {
                emit(k as u32, f64::from(*c))?;
                *c = 0;
            }
        }
    } else {
        bucket.sort_unstable();
        let mut i = 0;
        while i < bucket.len() {
            let mut j = i + 1;
            while j < bucket.len() && bucket[j] == bucket[i] {
                j += 1;
            }
            emit(bucket[i], (j - i) as f64)?;
            i = j;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The TS reference's algorithm: sort packed keys, count runs.
    fn by_sorting(pixels: &[u8], row_width: usize, columns: &[u32]) -> DistinctColors {
        let mut keys: Vec<u32> = pixels
            .chunks_exact(row_width)
            .map(|p| {
                columns
                    .iter()
                    .fold(0, |k, &c| (k << 8) | u32::from(p[c as usize]))
            })
            .collect();
        keys.sort_unstable();
        let d = columns.len();
        let mut out = DistinctColors {
            colors: Vec::new(),
            counts: Vec::new(),
        };
        for (i, &k) in keys.iter().enumerate() {
            if i > 0 && k == keys[i - 1] {
                *out.counts.last_mut().unwrap() += 1.0;
            } else {
                out.colors
                    .extend((0..d).rev().map(|j| (k >> (8 * j)) as u8));
                out.counts.push(1.0);
            }
        }
        out
    }

    #[test]
    fn matches_sorting_for_every_channel_count_and_thread_count() {
        let mut state = 7u32;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        // Few distinct values in some channels (tables), many in others (sorts).
        let pixels: Vec<u8> = (0..4 * 50_000)
            .map(|i| match i % 4 {
                0 => (next() % 7) as u8 * 30,
                1 => (next() % 256) as u8,
                2 => 100 + (next() % 3) as u8,
                _ => (next() % 256) as u8,
            })
            .collect();
        let cases: [(usize, &[u32]); 6] = [
            (4, &[0]),
            (4, &[3, 1]),
            (4, &[0, 1, 2]),
            (4, &[1, 3, 0]),
            (4, &[0, 1, 2, 3]),
            (2, &[1, 0]),
        ];
        for (row_width, columns) in cases {
            let expected = by_sorting(&pixels, row_width, columns);
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let got = pool.install(|| distinct_colors(&pixels, row_width, columns).unwrap());
                assert_eq!(got, expected, "{columns:?}, {threads} threads");
            }
        }
        let total: f64 = distinct_colors(&pixels, 4, &[0, 1, 2])
            .unwrap()
            .counts
            .iter()
            .sum();
        assert_eq!(total, 50_000.0);
    }

    #[test]
    fn bad_layouts_are_errors() {
        let e = distinct_colors(&[0; 10], 3, &[0, 1, 2]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "pixels.length must be a multiple of dims = 3, got 10"
        );
        let e = distinct_colors(&[0; 10], 5, &[0, 1, 2, 3, 4]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "countDistinctColors counts colours of at most 4 channels, got 5 columns"
        );
        let empty = distinct_colors(&[], 3, &[0, 1, 2]).unwrap();
        assert!(empty.colors.is_empty() && empty.counts.is_empty());
    }
}
