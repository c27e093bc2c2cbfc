//! Work on many items in parallel, taken in order on one thread: the
//! config collector's use of drift-core's one loop for it
//! (`drift_core::__private::in_order`), by batches of items, with the
//! vectors of results reused.

use std::convert::Infallible;
use std::sync::Mutex;

use rayon::prelude::*;

/// Items worked on in one parallel batch.
const BATCH: usize = 512;

/// Batches worked on at once: ahead of the batch being taken, so that the
/// workers never wait for the taker (nor the taker for a whole batch).
const BATCHES_IN_FLIGHT: usize = 4;

/// Runs `work` on every item in parallel (on the current rayon pool), a few
/// batches ahead of `take`, which gets the results of each batch in item
/// order on this thread, with the index of the batch's first item. The
/// vectors of results are reused: fresh ones would be faulted in anew.
///
/// A panic in `work` is resumed here once its batch is due.
pub(super) fn in_order<T, R>(
    items: &[T],
    work: impl Fn(&T) -> R + Sync,
    mut take: impl FnMut(&mut Vec<R>, usize),
) where
    T: Sync,
    R: Send,
{
    let spare: Mutex<Vec<Vec<R>>> = Mutex::new(Vec::new());
    let done = drift_core::__private::in_order(
        items.len().div_ceil(BATCH),
        BATCHES_IN_FLIGHT,
        |b| {
            let mut out = spare
                .lock()
                .ok()
                .and_then(|mut s| s.pop())
                .unwrap_or_default();
            let batch = items.get(b * BATCH..((b + 1) * BATCH).min(items.len()));
            batch
                .unwrap_or_default()
                .par_iter()
                .map(&work)
                .collect_into_vec(&mut out);
            out
        },
        |b, mut out| {
            take(&mut out, b * BATCH);
            out.clear();
            if let Ok(mut s) = spare.lock() {
                s.push(out);
            }
            Ok::<(), Infallible>(())
        },
    );
    let Ok(()) = done;
}

#[cfg(test)]
mod tests {
    use std::panic;

    use super::*;

    fn squares_in_order(pool: &rayon::ThreadPool, n: usize) -> Vec<(usize, usize)> {
        let items: Vec<usize> = (0..n).collect();
        let mut taken = Vec::new();
        pool.install(|| {
            in_order(
                &items,
                |i| i * i,
                |out, first| {
                    taken.extend(out.drain(..).enumerate().map(|(k, sq)| (first + k, sq)));
                },
            );
        });
        taken
    }

    #[test]
    fn results_come_in_item_order_on_any_pool() {
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            for n in [0, 1, BATCH, BATCH * BATCHES_IN_FLIGHT * 3 + 7] {
                let taken = squares_in_order(&pool, n);
                let expected: Vec<(usize, usize)> = (0..n).map(|i| (i, i * i)).collect();
                assert_eq!(taken, expected, "{threads} threads, {n} items");
            }
        }
    }

    #[test]
    fn results_come_in_order_outside_a_pool() {
        let items: Vec<usize> = (0..BATCH * 5 + 3).collect();
        let mut taken = Vec::new();
        in_order(&items, |i| i + 1, |out, _| taken.append(out));
        assert_eq!(taken, (1..=items.len()).collect::<Vec<_>>());
    }

    #[test]
    fn a_panic_in_the_work_is_resumed() {
        let items: Vec<usize> = (0..BATCH * 3).collect();
        let caught = panic::catch_unwind(|| {
            in_order(
                &items,
                |&i| {
                    assert!(i != BATCH + 1, "item {i}");
                    i
                },
                |_, _| {},
            );
        });
        assert!(caught.is_err());
    }
}
