//! Running tasks with bounded concurrency, results in task order.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A task for [`run_bounded`].
pub type Task<'a, T> = Box<dyn FnOnce() -> T + Send + 'a>;

/// Runs `tasks` on at most `jobs` threads and returns their results in the
/// order of the tasks.
pub fn run_bounded<'a, T: Send>(jobs: usize, tasks: Vec<Task<'a, T>>) -> Vec<T> {
    let n = tasks.len();
    let slots: Vec<Mutex<Option<Task<'a, T>>>> =
        tasks.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let results: Vec<Mutex<Option<T>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, n.max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let task = slots[i].lock().ok().and_then(|mut t| t.take());
                    if let Some(task) = task {
                        let r = task();
                        if let Ok(mut slot) = results[i].lock() {
                            *slot = Some(r);
                        }
                    }
                }
            });
        }
    });
    results
        .into_iter()
        .filter_map(|m| m.into_inner().ok().flatten())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    #[test]
    fn results_come_back_in_order_with_bounded_concurrency() {
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let tasks: Vec<Box<dyn FnOnce() -> usize + Send + '_>> = (0..12usize)
            .map(|i| {
                let running = &running;
                let peak = &peak;
                Box::new(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(10));
                    running.fetch_sub(1, Ordering::SeqCst);
                    i * 2
                }) as Box<dyn FnOnce() -> usize + Send>
            })
            .collect();
        let out = run_bounded(3, tasks);
        assert_eq!(out, (0..12).map(|i| i * 2).collect::<Vec<_>>());
        assert!(peak.load(Ordering::SeqCst) <= 3);
    }
}
