use fastkernels_polygon::{never_stop, Best, PolygonIndex, Radius};
use std::time::Instant;
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}
fn main() {
    let n = 1_000_000;
    let side = 10_000.0;
    let mut r = Rng(88172645463325252);
    let (mut x, mut y, mut off) = (Vec::new(), Vec::new(), vec![0u32]);
    for i in 0..n {
        let s = 0.5 + 1.5 * r.next();
        let dx = r.next() * side;
        let dy = r.next() * side;
        for v in 0..10 {
            let vx = v as f64 * 0.1;
            x.push(vx * s + dx);
            y.push((1.0 - vx * vx).sqrt() * s + dy);
        }
        off.push(((i + 1) * 10) as u32);
    }
    let pts: Vec<f64> = (0..2 * n).map(|_| r.next() * side).collect();
    for threads in [1usize, 2, 1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let t = Instant::now();
        let index = pool.install(|| PolygonIndex::build(&x, &y, &off).unwrap());
        let build = t.elapsed();
        let mut times = vec![];
        let mut res = vec![];
        for _ in 0..5 {
            let t = Instant::now();
            res = pool.install(|| {
                index
                    .best_match(
                        &pts,
                        Radius::new(10.0, false).unwrap(),
                        Best::Area,
                        &never_stop,
                    )
                    .unwrap()
            });
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "threads {threads}: build {:.1} ms, best_match min {:.1} med {:.1} ms (sum {})",
            build.as_secs_f64() * 1e3,
            times[0],
            times[2],
            res.iter().map(|&v| v as i64).sum::<i64>()
        );
    }
}
