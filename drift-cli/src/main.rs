//! `drift`: the command line. Turns flags and drift.toml into library calls,
//! prints reports, and maps outcomes to the documented exit codes.

// A binary exports nothing: its `pub` means the crate, so the workspace's
// `unreachable_pub` (meant for the libraries' API) does not apply.
#![allow(unreachable_pub)]

mod allow;
mod atomic;
mod bars;
mod baseline;
mod cli;
mod collect;
mod commands;
mod exit;
mod inputs;
mod jobs;
mod locate;
mod output;
mod sanitizer;
mod settings;
mod sources;
mod targets;

use std::process::ExitCode;

use clap::Parser;
use drift_core::Severity;
use drift_core::display::Escaped;

use crate::cli::{Cli, Command, FailOn};
use crate::exit::Exit;

/// mimalloc rather than the system allocator: a snapshot or a diff holds
/// millions of small keys and values, built on every core, and glibc grows
/// each thread's heap a page at a time (one `mprotect` per page, under the
/// process-wide memory lock). Snapshots of 100,000 files and diffs of
/// 1,000,000 entries take a third less time with it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns off transparent huge pages for this process (and what it
/// starts). A run touches its heap once and exits, so huge pages save few
/// TLB misses, while each is 2 MiB zeroed at its first touch; and on a
/// virtual machine that hands free memory back to its host, the host must
/// back each one again. Measured on such a VM, runs interleaved with other
/// work, means of 8 to 10: a three-way diff of 1,000,000 entries 0.92 →
/// 0.82 s (with huge pages anywhere from 0.63 to 1.52 s), a two-way diff
/// 0.41 → 0.26 s, a snapshot of 100,000 files 1.01 → 0.94 s. Only runs of
/// one command back to back, which find the last run's huge pages still
/// backed, are as fast with them.
fn no_huge_pages() {
    // Without it, only slower: nothing to report.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

/// The threshold of a `--fail-on` flag.
pub fn fail_on(f: FailOn) -> Severity {
    match f {
        FailOn::Info => Severity::Info,
        FailOn::Warning => Severity::Warning,
        FailOn::Error => Severity::Error,
    }
}

/// The longest an error message is shown before it is cut.
const MAX_ERROR_CHARS: usize = 2000;

fn main() -> ExitCode {
    no_huge_pages();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors.
            let code = if e.use_stderr() {
                Exit::Input
            } else {
                Exit::Clean
            };
            match cli::usage_error_without_values(&e) {
                Some(message) => eprintln!("{}", Escaped(message)),
                None => {
                    let _ = e.print();
                }
            }
            return code.into();
        }
    };
    let result = match cli.command {
        Command::Snapshot(args) => commands::snapshot::run(*args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Check(args) => commands::check::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Init(args) => commands::init::run(&args),
        Command::Completions(args) => commands::completions::completions(args.shell),
        Command::Man(args) => commands::completions::man(args.command.as_deref()),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(e) => {
            // The message may name what a host, a manifest or a drift.toml
            // holds (a file's name, a key): shown escaped, and cut when huge.
            let message = drift_core::secret::scrub(&format!("{e:#}"));
            eprintln!(
                "drift: error: {}",
                drift_core::display::escape_cut(&message, MAX_ERROR_CHARS)
            );
            Exit::Input.into()
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn huge_pages_are_turned_off() {
        super::no_huge_pages();
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        // Kernels before 5.0 have no such line; then the call is all there is.
        if let Some(line) = status.lines().find(|l| l.starts_with("THP_enabled:")) {
            assert_eq!(line.split_whitespace().nth(1), Some("0"), "{line}");
        }
    }
}
