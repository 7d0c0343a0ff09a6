//! mulberry32: the seeded generator shared with the TypeScript reference
//! (`ts/mds/random.ts`), so both backends draw the same random initial
//! configurations.

#[derive(Debug, Clone)]
pub struct Mulberry32(u32);

impl Mulberry32 {
    pub fn new(seed: u32) -> Self {
        Self(seed)
    }

    /// The next number, uniform in [0, 1), a multiple of 2^-32.
    pub fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x6d2b_79f5);
        let mut t = self.0;
        t = (t ^ (t >> 15)).wrapping_mul(t | 1);
        t ^= t.wrapping_add((t ^ (t >> 7)).wrapping_mul(t | 61));
        f64::from(t ^ (t >> 14)) / 4_294_967_296.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_javascript_sequence() {
        // First draws of seededRandom(42) in benches/harness.ts / ts/mds/random.ts.
        let mut rng = Mulberry32::new(42);
        let draws: Vec<f64> = (0..3).map(|_| rng.next_f64()).collect();
        assert_eq!(
            draws,
            vec![0.6011037519201636, 0.44829055899754167, 0.8524657934904099]
        );
    }
}
