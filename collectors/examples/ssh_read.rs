//! Reads a folder from SSH hosts: connect, walk, read every file. Used by
//! `scripts/bench-ssh` to time one host against a fleet.
//!
//! ```text
//! cargo run --release -p drift-collectors --features ssh --example ssh_read -- \
//!     --dir /etc/app --known-hosts KH --identity KEY [--jobs 8] [--parallel 16] \
//!     ssh://root@127.0.0.1:2201 ssh://root@127.0.0.1:2202 …
//! ```
//!
//! Prints one line per host and a summary line:
//! `hosts=20 jobs=8 files=20000 bytes=… seconds=…`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use drift_collectors::transport::{FileKind, Ssh, SshOptions, SshTarget, Transport, WalkOptions};

struct Args {
    dir: PathBuf,
    jobs: usize,
    parallel: usize,
    options: SshOptions,
    targets: Vec<SshTarget>,
}

fn parse_args() -> Result<Args, String> {
    let mut dir = None;
    let mut jobs = 1;
    let mut parallel = 16;
    let mut options = SshOptions::new().no_ssh_config();
    let mut targets = Vec::new();
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("`{a}` needs a value"));
        match a.as_str() {
            "--dir" => dir = Some(PathBuf::from(value()?)),
            "--jobs" => jobs = value()?.parse().map_err(|e| format!("--jobs: {e}"))?,
            "--parallel" => parallel = value()?.parse().map_err(|e| format!("--parallel: {e}"))?,
            "--known-hosts" => options = options.known_hosts_file(value()?),
            "--identity" => options = options.identity_file(value()?),
            t => targets.push(SshTarget::parse(t).map_err(|e| e.to_string())?),
        }
    }
    let dir = dir.ok_or("--dir is required")?;
    if targets.is_empty() {
        return Err("no target given".into());
    }
    Ok(Args {
        dir,
        jobs: jobs.max(1),
        parallel,
        options: options.parallel_requests(parallel),
        targets,
    })
}

/// Connects, walks `dir` and reads every file, from as many threads as the
/// transport's parallelism. Returns (files, bytes, time per phase).
fn read_host(
    target: &SshTarget,
    options: &SshOptions,
    dir: &Path,
) -> Result<(usize, u64, String), String> {
    let t0 = Instant::now();
    let t = Ssh::connect(target, options).map_err(|e| e.to_string())?;
    let connected = t0.elapsed().as_secs_f64();
    let walk = t
        .walk(dir, &WalkOptions::default())
        .map_err(|e| e.to_string())?;
    let walked = t0.elapsed().as_secs_f64() - connected;
    if let Some(e) = walk.errors.first() {
        return Err(e.to_string());
    }
    let files: Vec<&Path> = walk
        .entries
        .iter()
        .filter(|e| e.meta.kind == FileKind::File)
        .map(|e| e.path.as_path())
        .collect();
    let next = AtomicUsize::new(0);
    let total = Mutex::new((0usize, 0u64, None::<String>));
    std::thread::scope(|s| {
        for _ in 0..t.parallelism() {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let r = t.read_file(path, 1 << 20);
                    let mut total = total
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    match r {
                        Ok(bytes) => {
                            total.0 += 1;
                            total.1 += bytes.len() as u64;
                        }
                        Err(e) => total.2 = Some(e.to_string()),
                    }
                }
            });
        }
    });
    let (n, bytes, err) = total
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let phases = format!(
        "connect={connected:.3} walk={walked:.3} read={:.3}",
        t0.elapsed().as_secs_f64() - connected - walked
    );
    match err {
        Some(e) => Err(e),
        None => Ok((n, bytes, phases)),
    }
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("ssh_read: {e}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..args.jobs.min(args.targets.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(target) = args.targets.get(i) else {
                        break;
                    };
                    let t0 = Instant::now();
                    let r = read_host(target, &args.options, &args.dir);
                    let secs = t0.elapsed().as_secs_f64();
                    results
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push((i, r, secs));
                }
            });
        }
    });
    let mut results = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    results.sort_by_key(|r| r.0);
    let (mut files, mut bytes, mut failed) = (0, 0, 0);
    for (i, r, secs) in &results {
        match r {
            Ok((n, b, phases)) => {
                files += n;
                bytes += b;
                eprintln!(
                    "{} files={n} bytes={b} seconds={secs:.3} {phases}",
                    args.targets[*i]
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("{} error: {e}", args.targets[*i]);
            }
        }
    }
    println!(
        "hosts={} jobs={} parallel={} files={files} bytes={bytes} failed={failed} seconds={:.3}",
        args.targets.len(),
        args.jobs,
        args.parallel,
        started.elapsed().as_secs_f64()
    );
    if failed > 0 {
        std::process::exit(1);
    }
}
