//! Work on the next groups while the previous one is consumed.
//!
//! Writing a manifest, rendering a report, gathering the diff's findings and
//! reading a config tree all have one shape: many groups of items are
//! worked on in parallel, and their results are taken in order on one
//! thread (the writer may be bound to it). [`in_order`] is that loop,
//! written once: the pool works a few groups ahead of the taker, so that
//! neither waits for the other.
//!
//! Written by hand on rayon: rayon's ordered iterators collect everything
//! before the first result is taken (memory grows with the input), and its
//! `par_bridge` gives up the order.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::thread;
use std::time::Duration;

/// Runs `work` on each group `0..groups` on the current rayon pool, at most
/// `ahead` groups (at least one) ahead of `take`, which gets each group's
/// result in group order on this thread. Each group is worked on by one
/// task; `work` itself may fork (`par_iter`) to spread a group.
///
/// The first error of `take` stops new work, and is returned once the
/// groups already started are done. A panic in `work` is resumed here when
/// its group is due.
pub fn in_order<R, E>(
    groups: usize,
    ahead: usize,
    work: impl Fn(usize) -> R + Sync,
    mut take: impl FnMut(usize, R) -> Result<(), E>,
) -> Result<(), E>
where
    R: Send,
{
    let ahead = ahead.max(1);
    let (sender, receiver) = mpsc::channel::<(usize, thread::Result<R>)>();
    let work = &work;
    rayon::in_place_scope(|scope| {
        let start = |g: usize| {
            let sender = sender.clone();
            scope.spawn(move |_| {
                let done = panic::catch_unwind(AssertUnwindSafe(|| work(g)));
                // The receiver outlives every group.
                let _ = sender.send((g, done));
            });
        };
        let mut started = 0;
        while started < groups.min(ahead) {
            start(started);
            started += 1;
        }
        let mut ready = BTreeMap::new();
        for g in 0..groups {
            let done = loop {
                if let Some(done) = ready.remove(&g) {
                    break done;
                }
                match receive(&receiver) {
                    Some((at, done)) => ready.insert(at, done),
                    // Unreachable: `sender` lives until the scope ends.
                    None => return Ok(()),
                };
            };
            let result = match done {
                Ok(result) => result,
                Err(payload) => panic::resume_unwind(payload),
            };
            if started < groups {
                start(started);
                started += 1;
            }
            take(g, result)?;
        }
        Ok(())
    })
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
    use std::convert::Infallible;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    /// Squares of `0..groups`, as taken.
    fn squares(groups: usize, ahead: usize) -> Vec<(usize, usize)> {
        let mut taken = Vec::new();
        in_order(
            groups,
            ahead,
            |g| g * g,
            |g, sq| {
                taken.push((g, sq));
                Ok::<(), Infallible>(())
            },
        )
        .unwrap();
        taken
    }

    #[test]
    fn results_come_in_group_order_on_any_pool_and_outside_one() {
        for groups in [0, 1, 2, 7, 100] {
            let expected: Vec<(usize, usize)> = (0..groups).map(|g| (g, g * g)).collect();
            for ahead in [0, 1, 4, 200] {
                for threads in [1, 2, 4] {
                    let taken = pool(threads).install(|| squares(groups, ahead));
                    assert_eq!(taken, expected, "{threads} threads, ahead {ahead}");
                }
                assert_eq!(squares(groups, ahead), expected, "outside a pool");
            }
        }
    }

    #[test]
    fn work_stays_at_most_ahead_groups_in_front_of_the_taker() {
        for ahead in [1, 3] {
            let begun = AtomicUsize::new(0);
            let mut most = 0;
            pool(4).install(|| {
                in_order(
                    50,
                    ahead,
                    |_| {
                        begun.fetch_add(1, Ordering::SeqCst);
                    },
                    |g, ()| {
                        // Group g is taken: at most g + 1 + ahead have begun
                        // (the next is started before this one is taken).
                        most = most.max(begun.load(Ordering::SeqCst) - g);
                        Ok::<(), Infallible>(())
                    },
                )
                .unwrap();
            });
            assert!(most <= ahead + 1, "ahead {ahead}: {most} groups in front");
            assert_eq!(begun.load(Ordering::SeqCst), 50);
        }
    }

    #[test]
    fn the_first_error_of_the_taker_stops_new_work() {
        let begun = AtomicUsize::new(0);
        let mut taken = Vec::new();
        let result = in_order(
            100,
            2,
            |g| {
                begun.fetch_add(1, Ordering::SeqCst);
                g
            },
            |g, _| {
                taken.push(g);
                if g == 5 { Err("full") } else { Ok(()) }
            },
        );
        assert_eq!(result, Err("full"));
        assert_eq!(taken, vec![0, 1, 2, 3, 4, 5]);
        assert!(begun.load(Ordering::SeqCst) <= 5 + 1 + 2);
    }

    #[test]
    fn a_panic_in_the_work_is_resumed_when_its_group_is_due() {
        let mut taken = Vec::new();
        let caught = panic::catch_unwind(AssertUnwindSafe(|| {
            pool(2).install(|| {
                in_order(
                    10,
                    4,
                    |g| {
                        assert!(g != 3, "group {g}");
                        g
                    },
                    |g, _| {
                        taken.push(g);
                        Ok::<(), Infallible>(())
                    },
                )
            })
        }));
        assert!(caught.is_err());
        assert_eq!(taken, vec![0, 1, 2]);
    }
}
