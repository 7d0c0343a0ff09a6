//! Stable counting sort by a small integer key, parallel over fixed chunks.
//!
//! Each chunk of [`BUCKET_CHUNK`] items is counting-sorted on its own (in
//! parallel); then every bucket of the output is filled (in parallel, one
//! disjoint slice per bucket) by concatenating that bucket's segment of each
//! chunk in chunk order. Within a bucket the items keep their input order, so
//! the result is the stable sort, the same for every thread count.

use fastkernels_common::alloc::{collected, filled, AllocError};
use rayon::prelude::*;

/// Items per parallel work item (independent of the pool size).
pub const BUCKET_CHUNK: usize = 16_384;

/// The items sorted by key and `start`: bucket b is `items[start[b]..start[b + 1]]`.
pub struct Buckets<T> {
    pub items: Vec<T>,
    pub start: Vec<usize>,
}

/// Sequential stable counting sort; `key(item) < buckets` (larger keys are
/// clamped into the last bucket, so a bad key cannot index out of bounds).
pub fn counting_sort<T: Copy + Default>(
    items: &[T],
    buckets: usize,
    key: impl Fn(&T) -> usize,
) -> Result<Buckets<T>, AllocError> {
    let last = buckets.saturating_sub(1);
    let keys = collected(
        items.len(),
        items.iter().map(|item| key(item).min(last)),
        "the sort keys",
    )?;
    let mut start = filled(buckets + 1, 0usize, "the bucket starts")?;
    for &k in &keys {
        start[k + 1] += 1;
    }
    for b in 0..buckets {
        start[b + 1] += start[b];
    }
    let mut next = fastkernels_common::alloc::copied(&start, "the bucket starts")?;
    let mut sorted = filled(items.len(), T::default(), "the sorted items")?;
    for (item, &k) in items.iter().zip(&keys) {
        sorted[next[k]] = *item;
        next[k] += 1;
    }
    Ok(Buckets {
        items: sorted,
        start,
    })
}

/// [`counting_sort`], parallel when there is more than one chunk.
pub fn par_counting_sort<T: Copy + Default + Send + Sync>(
    items: &[T],
    buckets: usize,
    key: impl Fn(&T) -> usize + Sync,
) -> Result<Buckets<T>, AllocError> {
    if items.len() <= BUCKET_CHUNK || buckets <= 1 {
        return counting_sort(items, buckets, key);
    }
    let chunks: Vec<Buckets<T>> = items
        .par_chunks(BUCKET_CHUNK)
        .map(|chunk| counting_sort(chunk, buckets, &key))
        .collect::<Result<_, _>>()?;
    let mut start = filled(buckets + 1, 0usize, "the bucket starts")?;
    for b in 0..buckets {
        let len: usize = chunks.iter().map(|c| c.start[b + 1] - c.start[b]).sum();
        start[b + 1] = start[b] + len;
    }
    let mut sorted = filled(items.len(), T::default(), "the sorted items")?;
    let mut slices: Vec<&mut [T]> = Vec::with_capacity(buckets);
    let mut rest = &mut sorted[..];
    for b in 0..buckets {
        let (head, tail) = rest.split_at_mut(start[b + 1] - start[b]);
        slices.push(head);
        rest = tail;
    }
    slices.into_par_iter().enumerate().for_each(|(b, dest)| {
        let mut at = 0;
        for c in &chunks {
            let segment = &c.items[c.start[b]..c.start[b + 1]];
            dest[at..at + segment.len()].copy_from_slice(segment);
            at += segment.len();
        }
    });
    Ok(Buckets {
        items: sorted,
        start,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_sort_is_the_stable_sort_for_every_thread_count() {
        let items: Vec<(u32, u32)> = (0..100_003u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) % 97, i))
            .collect();
        let mut expected = items.clone();
        expected.sort_by_key(|&(k, _)| k); // stable
        for threads in [1, 2, 3, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let got = pool.install(|| par_counting_sort(&items, 97, |&(k, _)| k as usize).unwrap());
            assert_eq!(got.items, expected);
            assert_eq!(got.start[97], items.len());
            for b in 0..97 {
                assert!(got.items[got.start[b]..got.start[b + 1]]
                    .iter()
                    .all(|&(k, _)| k as usize == b));
            }
        }
    }
}
