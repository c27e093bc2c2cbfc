//! Progress bars for long collection (`indicatif`): files and bytes read per
//! source, and hosts done of the total. Drawn only when standard error is a
//! terminal, never with `--quiet` nor in CI (`CI` set). The collectors only
//! report (`drift_collectors::progress::Progress`); the accounting is
//! [`Tally`], the drawing [`Bars`].

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use drift_collectors::progress::Progress;
use drift_core::display::Escaped;
use indicatif::{HumanBytes, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether bars may be drawn: standard error is a terminal, the run is not
/// `--quiet`, and `ci` (the `CI` variable) is not set.
pub fn wanted(quiet: bool, stderr_is_terminal: bool, ci: bool) -> bool {
    !quiet && stderr_is_terminal && !ci
}

/// Whether bars may be drawn in this process.
pub fn wanted_here(quiet: bool) -> bool {
    wanted(
        quiet,
        std::io::stderr().is_terminal(),
        std::env::var_os("CI").is_some(),
    )
}

/// Fewer manifests than this are read without a bar: they take a moment.
pub const MANIFESTS_BAR_MIN: usize = 16;

/// A bar of manifests read of `total`, for `drift diff` given many (a fleet
/// collected elsewhere); hidden when bars are not [`wanted_here`] or the
/// manifests are few.
pub fn manifests(total: usize, quiet: bool) -> ProgressBar {
    if total < MANIFESTS_BAR_MIN || !wanted_here(quiet) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("manifests {bar:30} {pos}/{len} {elapsed}") {
        bar.set_style(style);
    }
    bar
}

/// What one source has read so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceCount {
    /// Files read.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Whether the source is done.
    pub done: bool,
}

/// The accounting behind the bars: per source (`host/collector`), and
/// hosts done of the total. Thread-safe; counts only.
#[derive(Debug, Default)]
pub struct Tally {
    sources: Mutex<BTreeMap<String, SourceCount>>,
    hosts: Mutex<(usize, usize)>,
}

impl Tally {
    /// A tally of `hosts` hosts.
    pub fn new(hosts: usize) -> Tally {
        Tally {
            sources: Mutex::default(),
            hosts: Mutex::new((0, hosts)),
        }
    }

    /// One file of `bytes` read by `source`; its counts after it.
    pub fn read(&self, source: &str, bytes: u64) -> SourceCount {
        let mut map = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        let c = map.entry(source.to_owned()).or_default();
        c.files += 1;
        c.bytes = c.bytes.saturating_add(bytes);
        *c
    }

    /// `source` is done; its counts.
    pub fn finish(&self, source: &str) -> SourceCount {
        let mut map = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        let c = map.entry(source.to_owned()).or_default();
        c.done = true;
        *c
    }

    /// One more host done: (done, total).
    pub fn host_done(&self) -> (usize, usize) {
        let mut h = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        h.0 = (h.0 + 1).min(h.1);
        *h
    }

    /// What `source` has read.
    pub fn source(&self, source: &str) -> SourceCount {
        let map = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        map.get(source).copied().unwrap_or_default()
    }
}

/// The line a source's bar shows.
fn source_line(source: &str, c: SourceCount) -> String {
    format!(
        "{}: {} file(s), {}{}",
        Escaped(source),
        c.files,
        HumanBytes(c.bytes),
        if c.done { " ✓" } else { "" }
    )
}

/// The bars of one run.
#[derive(Debug)]
pub struct Bars {
    multi: MultiProgress,
    hosts: Option<ProgressBar>,
    sources: Mutex<BTreeMap<String, ProgressBar>>,
    tally: Tally,
}

impl Bars {
    /// Bars for a run over `hosts` hosts (a bar of hosts when more than one).
    pub fn new(hosts: usize) -> Bars {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let hosts_bar = (hosts > 1).then(|| {
            let bar = multi.add(ProgressBar::new(hosts as u64));
            if let Ok(style) = ProgressStyle::with_template("hosts {bar:30} {pos}/{len} {elapsed}")
            {
                bar.set_style(style);
            }
            bar
        });
        Bars {
            multi,
            hosts: hosts_bar,
            sources: Mutex::default(),
            tally: Tally::new(hosts),
        }
    }

    /// Progress of the sources read on `host` (`None`: the only one).
    pub fn host<'b>(&'b self, host: Option<&str>) -> HostBars<'b> {
        HostBars {
            bars: self,
            host: host.map(str::to_owned),
        }
    }

    /// A line above the bars.
    pub fn println(&self, line: &str) {
        let _ = self.multi.println(Escaped(line).to_string());
    }

    /// One more host done.
    pub fn host_done(&self) {
        self.tally.host_done();
        if let Some(bar) = &self.hosts {
            bar.inc(1);
        }
    }

    /// Removes the bars from the terminal.
    pub fn clear(&self) {
        let sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        for bar in sources.values() {
            bar.finish_and_clear();
        }
        if let Some(bar) = &self.hosts {
            bar.finish_and_clear();
        }
        let _ = self.multi.clear();
    }

    fn bar(&self, name: &str) -> ProgressBar {
        let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        sources
            .entry(name.to_owned())
            .or_insert_with(|| {
                let bar = self.multi.add(ProgressBar::new_spinner());
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            })
            .clone()
    }
}

/// The progress of one host's sources, as the collectors report it.
#[derive(Debug)]
pub struct HostBars<'b> {
    bars: &'b Bars,
    host: Option<String>,
}

impl HostBars<'_> {
    fn name(&self, source: &str) -> String {
        match &self.host {
            Some(h) => format!("{h}/{source}"),
            None => source.to_owned(),
        }
    }
}

impl Progress for HostBars<'_> {
    fn started(&self, source: &str) {
        let name = self.name(source);
        let c = self.bars.tally.source(&name);
        self.bars.bar(&name).set_message(source_line(&name, c));
    }

    fn read(&self, source: &str, bytes: u64) {
        let name = self.name(source);
        let c = self.bars.tally.read(&name, bytes);
        self.bars.bar(&name).set_message(source_line(&name, c));
    }

    fn finished(&self, source: &str) {
        let name = self.name(source);
        let c = self.bars.tally.finish(&name);
        let bar = self.bars.bar(&name);
        bar.set_message(source_line(&name, c));
        // A finished host's sources leave room for the next ones.
        if self.host.is_some() {
            bar.finish_and_clear();
        } else {
            bar.finish();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_drawn_only_on_a_terminal_outside_ci_without_quiet() {
        assert!(wanted(false, true, false));
        assert!(!wanted(true, true, false));
        assert!(!wanted(false, false, false));
        assert!(!wanted(false, true, true));
    }

    #[test]
    fn a_manifest_bar_only_for_many_manifests_and_never_quiet() {
        assert!(manifests(MANIFESTS_BAR_MIN - 1, false).is_hidden());
        assert!(manifests(10_000, true).is_hidden());
        // Tests write to a pipe, never a terminal: hidden as well.
        assert!(manifests(10_000, false).is_hidden());
    }

    #[test]
    fn the_tally_counts_files_and_bytes_per_source_and_hosts() {
        let t = Tally::new(2);
        t.read("web-1/config", 10);
        t.read("web-1/config", 5);
        t.read("web-2/config", 7);
        assert_eq!(
            t.finish("web-1/config"),
            SourceCount {
                files: 2,
                bytes: 15,
                done: true
            }
        );
        assert_eq!(t.source("web-2/config").files, 1);
        assert_eq!(t.source("web-2/config").bytes, 7);
        assert!(!t.source("web-2/config").done);
        assert_eq!(t.source("web-3/env"), SourceCount::default());
        assert_eq!(t.host_done(), (1, 2));
        assert_eq!(t.host_done(), (2, 2));
        // Never past the total.
        assert_eq!(t.host_done(), (2, 2));
    }

    #[test]
    fn reported_progress_reaches_the_tally_under_the_host() {
        let bars = Bars {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::hidden()),
            hosts: None,
            sources: Mutex::default(),
            tally: Tally::new(1),
        };
        let host = bars.host(Some("web-1"));
        host.started("config");
        host.read("config", 3);
        host.read("config", 4);
        host.finished("config");
        let c = bars.tally.source("web-1/config");
        assert_eq!((c.files, c.bytes, c.done), (2, 7, true));
        assert_eq!(
            source_line("web-1/config", c),
            "web-1/config: 2 file(s), 7 B ✓"
        );
    }
}
