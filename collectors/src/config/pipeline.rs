//! Work on many items in parallel, taken in order on one thread.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::thread;
use std::time::Duration;

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
    let batches: Vec<&[T]> = items.chunks(BATCH).collect();
    let spare: Mutex<Vec<Vec<R>>> = Mutex::new(Vec::new());
    let (sender, receiver) = mpsc::channel::<(usize, thread::Result<Vec<R>>)>();
    let (work, spare, batches) = (&work, &spare, &batches);
    rayon::in_place_scope(|scope| {
        let spawn = |b: usize| {
            let sender = sender.clone();
            scope.spawn(move |_| {
                let mut out = spare
                    .lock()
                    .ok()
                    .and_then(|mut s| s.pop())
                    .unwrap_or_default();
                let done = panic::catch_unwind(AssertUnwindSafe(|| {
                    batches[b].par_iter().map(work).collect_into_vec(&mut out);
                    out
                }));
                // The receiver outlives every batch.
                let _ = sender.send((b, done));
            });
        };
        let mut spawned = 0;
        while spawned < batches.len().min(BATCHES_IN_FLIGHT) {
            spawn(spawned);
            spawned += 1;
        }
        let mut ready = BTreeMap::new();
        for b in 0..batches.len() {
            let done = loop {
                if let Some(done) = ready.remove(&b) {
                    break done;
                }
                match receive(&receiver) {
                    Some((at, done)) => ready.insert(at, done),
                    None => return,
                };
            };
            let mut out = match done {
                Ok(out) => out,
                Err(payload) => panic::resume_unwind(payload),
            };
            if spawned < batches.len() {
                spawn(spawned);
                spawned += 1;
            }
            take(&mut out, b * BATCH);
            out.clear();
            if let Ok(mut s) = spare.lock() {
                s.push(out);
            }
        }
    });
}

/// The next message; on a worker of a pool, the pool's pending work is done
/// meanwhile (blocking there could wait for work queued behind this thread).
fn receive<M>(receiver: &Receiver<M>) -> Option<M> {
    loop {
        match receiver.try_recv() {
            Ok(m) => return Some(m),
            Err(TryRecvError::Disconnected) => return None,
            Err(TryRecvError::Empty) => {}
        }
        match rayon::yield_now() {
            None => return receiver.recv().ok(),
            Some(rayon::Yield::Executed) => {}
            Some(rayon::Yield::Idle) => {
                if let Ok(m) = receiver.recv_timeout(Duration::from_micros(200)) {
                    return Some(m);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
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
