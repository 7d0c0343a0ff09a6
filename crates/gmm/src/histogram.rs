//! 8-bit samples: one parallel counting pass, then everything runs on the 256
//! bins weighted by their counts. Counts are integers, so the histogram is
//! exact and independent of the thread count.

use rayon::prelude::*;

/// Bytes per parallel task.
const CHUNK: usize = 1 << 18;

pub type Histogram = [u64; 256];

pub fn histogram(bytes: &[u8]) -> Histogram {
    bytes.par_chunks(CHUNK).map(count_chunk).reduce(
        || [0u64; 256],
        |mut a, b| {
            for (x, y) in a.iter_mut().zip(b.iter()) {
                *x += y;
            }
            a
        },
    )
}

/// Four interleaved tables break the store-to-load dependency when
/// neighbouring pixels share a value (common in images).
fn count_chunk(bytes: &[u8]) -> Histogram {
    let mut tables = [[0u32; 256]; 4];
    let quads = bytes.chunks_exact(4);
    let rest = quads.remainder();
    for q in quads {
        tables[0][q[0] as usize] += 1;
        tables[1][q[1] as usize] += 1;
        tables[2][q[2] as usize] += 1;
        tables[3][q[3] as usize] += 1;
    }
    for &b in rest {
        tables[0][b as usize] += 1;
    }
    let mut out = [0u64; 256];
    for (v, o) in out.iter_mut().enumerate() {
        *o = tables.iter().map(|t| u64::from(t[v])).sum();
    }
    out
}

/// The value of an 8-bit sample, `v / 255` exactly like the original's normalisation.
pub fn byte_value(v: usize) -> f64 {
    v as f64 / 255.0
}

/// The occupied bins as (values, counts).
pub fn occupied_bins(hist: &Histogram) -> (Vec<f64>, Vec<f64>) {
    hist.iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(v, &c)| (byte_value(v), c as f64))
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_byte() {
        let bytes: Vec<u8> = (0..1_000_003u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
            .collect();
        let mut expected = [0u64; 256];
        for &b in &bytes {
            expected[b as usize] += 1;
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        assert_eq!(pool.install(|| histogram(&bytes)), expected);
    }
}
