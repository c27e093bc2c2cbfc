//! Snapshots one directory with the config collector and writes the
//! manifest to stdout: `cargo run --release -p drift-collectors --example
//! collect_tree -- DIR [MAX_FILE_SIZE] > manifest.json`. Used by the
//! snapshot benchmark. `COLLECT_TREE_TIMING=1` prints the time of each
//! phase on stderr.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use drift_collectors::config::{ConfigCollector, ConfigRoot};
use drift_collectors::transport::Local;
use drift_collectors::{Collector, snapshot};
use drift_core::Sanitizer;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: collect_tree DIR");
        return ExitCode::from(2);
    };
    let mut config = ConfigCollector::new([ConfigRoot::new(dir)]);
    if let Some(limit) = std::env::args().nth(2) {
        let Ok(limit) = limit.parse::<u64>() else {
            eprintln!("collect_tree: MAX_FILE_SIZE must be a number of bytes");
            return ExitCode::from(2);
        };
        config = config.max_file_size(limit);
    }
    let timing = std::env::var_os("COLLECT_TREE_TIMING").is_some();
    let start = std::time::Instant::now();
    let collectors: Vec<Box<dyn Collector>> = vec![Box::new(config)];
    let manifest = snapshot(
        "bench",
        &Local::new(),
        &collectors,
        Sanitizer::default(),
        None,
    );
    let collected = start.elapsed();
    let stdout = std::io::stdout().lock();
    let mut out = BufWriter::with_capacity(1 << 20, stdout);
    let written = manifest.write_to(&mut out).and_then(|()| out.flush());
    if timing {
        eprintln!(
            "{} entries, {} errors; snapshot {:?}, write {:?}",
            manifest.len(),
            manifest.errors.len(),
            collected,
            start.elapsed() - collected
        );
    }
    // The process ends here: freeing millions of entries one by one would
    // only cost time.
    std::mem::forget(manifest);
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("collect_tree: cannot write the manifest: {e}");
            ExitCode::from(1)
        }
    }
}
