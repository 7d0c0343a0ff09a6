//! Deterministic parallel reductions.
//!
//! A floating-point sum depends on the order of its additions. To give the same
//! bits for every thread count, data is cut into chunks of a fixed size that
//! does not depend on the pool, each chunk is reduced sequentially, and the
//! per-chunk results are combined sequentially in chunk order.

use rayon::prelude::*;

/// Default chunk length, in elements, for reductions over large arrays.
pub const CHUNK: usize = 1 << 14;

/// Maps every fixed-size chunk of `data` to a partial result in parallel and
/// folds the partials in chunk order. `chunk` must not depend on the pool size.
pub fn chunked_fold<T, P, M, C>(data: &[T], chunk: usize, map: M, init: P, combine: C) -> P
where
    T: Sync,
    P: Send,
    M: Fn(usize, &[T]) -> P + Sync + Send,
    C: Fn(P, P) -> P,
{
    let chunk = chunk.max(1);
    let partials: Vec<P> = data
        .par_chunks(chunk)
        .enumerate()
        .map(|(index, part)| map(index * chunk, part))
        .collect();
    partials.into_iter().fold(init, combine)
}

/// Sum of `f(i)` for `i` in `0..len`, deterministic for every thread count.
pub fn chunked_sum<F>(len: usize, chunk: usize, f: F) -> f64
where
    F: Fn(usize) -> f64 + Sync + Send,
{
    let chunk = chunk.max(1);
    let chunks = len.div_ceil(chunk);
    let partials: Vec<f64> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let end = ((c + 1) * chunk).min(len);
            (c * chunk..end).map(&f).sum::<f64>()
        })
        .collect();
    partials.into_iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    #[test]
    fn chunked_sum_is_identical_for_every_thread_count() {
        let f = |i: usize| ((i as f64) * 0.7315).sin() * 1e3 + 1.0 / (i as f64 + 1.0);
        let one = pool(1).install(|| chunked_sum(1_000_003, 4096, f));
        for threads in [2, 3, 4, 7] {
            let many = pool(threads).install(|| chunked_sum(1_000_003, 4096, f));
            assert_eq!(one.to_bits(), many.to_bits(), "threads = {threads}");
        }
    }

    #[test]
    fn chunked_fold_visits_every_element_once_in_order() {
        let data: Vec<u64> = (0..10_001).collect();
        let folded = pool(3).install(|| {
            chunked_fold(
                &data,
                1000,
                |start, part| vec![(start, part.len())],
                Vec::new(),
                |mut a, b| {
                    a.extend(b);
                    a
                },
            )
        });
        let starts: Vec<usize> = folded.iter().map(|(s, _)| *s).collect();
        assert_eq!(starts, (0..11).map(|c| c * 1000).collect::<Vec<_>>());
        assert_eq!(folded.iter().map(|(_, n)| n).sum::<usize>(), 10_001);
    }
}
