//! The two accepted pixel encodings, read as linear RGB in [0, 1].

/// Interleaved R, G, B samples of one image.
pub trait RgbImage: Sync {
    /// Number of channel values (three per pixel).
    fn channel_values(&self) -> usize;
    /// Pixel `i` as `[r, g, b]` in [0, 1].
    fn rgb(&self, i: usize) -> [f64; 3];
    /// The first channel value outside [0, 1] (or NaN), as (index, value).
    fn first_out_of_range(&self) -> Option<(usize, f64)> {
        None
    }
}

/// 8-bit samples, read as `value / 255` like the original's normalisation.
impl RgbImage for &[u8] {
    fn channel_values(&self) -> usize {
        <[u8]>::len(self)
    }
    #[inline]
    fn rgb(&self, i: usize) -> [f64; 3] {
        let p = &self[3 * i..3 * i + 3];
        [
            f64::from(p[0]) / 255.0,
            f64::from(p[1]) / 255.0,
            f64::from(p[2]) / 255.0,
        ]
    }
}

/// Samples already in [0, 1].
impl RgbImage for &[f64] {
    fn channel_values(&self) -> usize {
        <[f64]>::len(self)
    }
    #[inline]
    fn rgb(&self, i: usize) -> [f64; 3] {
        let p = &self[3 * i..3 * i + 3];
        [p[0], p[1], p[2]]
    }
    fn first_out_of_range(&self) -> Option<(usize, f64)> {
        use rayon::prelude::*;
        // Written so that NaN fails too, as in `ts/color/validate.ts`.
        let bad = |v: &f64| !(*v >= 0.0 && *v <= 1.0);
        let index = if self.len() > 1 << 16 {
            self.par_iter().position_first(bad)
        } else {
            self.iter().position(bad)
        };
        index.map(|i| (i, self[i]))
    }
}
