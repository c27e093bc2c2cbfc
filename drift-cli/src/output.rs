//! Writing: atomic files, reports, colour, progress.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use anyhow::Context;
use drift_core::render::{JsonRenderer, Renderer, TextRenderer};
use drift_core::{Report, Severity};

use crate::atomic::MANIFEST_BUFFER;
pub use crate::atomic::write_atomically;
use crate::cli::{ColorChoice, Format};

/// Writes what `write` streams to `path` atomically, or to standard output,
/// and returns what it returned.
pub fn write_streamed<T>(
    path: Option<&Path>,
    write: impl FnOnce(&mut (dyn Write + Send)) -> io::Result<T>,
) -> anyhow::Result<T> {
    match path {
        Some(p) => {
            let mut value = None;
            write_atomically(p, |w| {
                value = Some(write(w)?);
                Ok(())
            })?;
            value.context("the manifest was not written")
        }
        None => {
            let mut w = io::BufWriter::with_capacity(MANIFEST_BUFFER, QuietPipe::new(io::stdout()));
            write(&mut w)
                .and_then(|v| w.flush().map(|()| v))
                .context("failed to write the manifest to standard output")
        }
    }
}

/// A writer whose reader may go away (`drift snapshot | head`): once the
/// pipe is closed, what is written is dropped, and the run goes on to its
/// end (and its exit code).
struct QuietPipe<W> {
    inner: W,
    closed: bool,
}

impl<W> QuietPipe<W> {
    fn new(inner: W) -> QuietPipe<W> {
        QuietPipe {
            inner,
            closed: false,
        }
    }
}

impl<W: Write> Write for QuietPipe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.closed {
            match self.inner.write(buf) {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => self.closed = true,
                other => return other,
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.inner.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

/// Whether the text report should be coloured.
pub fn use_color(choice: ColorChoice, no_color: Option<&str>, term: Option<&str>) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            io::stdout().is_terminal() && no_color.is_none_or(str::is_empty) && term != Some("dumb")
        }
    }
}

/// The buffer of a report on standard output.
const REPORT_BUFFER: usize = 64 << 10;

/// Renders a report on standard output.
pub fn print_report(
    report: &Report,
    format: Format,
    fail_on: Severity,
    color: bool,
) -> anyhow::Result<()> {
    let renderer: Box<dyn Renderer> = match format {
        Format::Text => Box::new(TextRenderer { color, fail_on }),
        Format::Json => Box::new(JsonRenderer { fail_on }),
    };
    let stdout = io::stdout();
    // Small writes are gathered; the renderers' large blocks, larger than
    // this, go out without being copied.
    let mut w = io::BufWriter::with_capacity(REPORT_BUFFER, stdout.lock());
    ignore_broken_pipe(renderer.render(report, &mut w).and_then(|()| w.flush()))
        .context("failed to write the report to standard output")
}

/// Shows a report as the flags ask (threshold, format, colour) and returns
/// the gate's exit code. `config_fail_on` is drift.toml's `fail_on`.
pub fn show_report(
    report: &Report,
    args: &crate::cli::ReportArgs,
    config_fail_on: Option<Severity>,
) -> anyhow::Result<crate::exit::Exit> {
    let fail_on = args
        .fail_on
        .map(crate::fail_on)
        .or(config_fail_on)
        .unwrap_or(Severity::Error);
    let color = use_color(
        args.color,
        std::env::var("NO_COLOR").ok().as_deref(),
        std::env::var("TERM").ok().as_deref(),
    );
    print_report(report, args.format, fail_on, color)?;
    Ok(report.outcome(fail_on).into())
}

/// A reader that stopped reading (`drift … | head`) is not an error.
fn ignore_broken_pipe(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Progress lines on standard error, only when it is a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    enabled: bool,
}

impl Progress {
    /// Progress when standard error is a terminal, not `quiet`, and not
    /// in CI (`CI` set).
    pub fn new(quiet: bool) -> Progress {
        Progress {
            enabled: crate::bars::wanted_here(quiet),
        }
    }

    /// Prints one line, escaped: it names hosts and what they answered.
    pub fn line(&self, text: &str) {
        if self.enabled {
            let mut e = io::stderr().lock();
            let _ = writeln!(e, "{}", drift_core::display::Escaped(text));
        }
    }
}

/// Today's date (UTC), for waiver expiry.
pub fn today() -> drift_core::Date {
    drift_core::Date::from_unix_seconds(now_unix())
}

/// Now, RFC 3339 UTC, for manifests.
pub fn now_rfc3339() -> String {
    drift_core::date::rfc3339(now_unix())
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_choice() {
        assert!(use_color(ColorChoice::Always, None, None));
        assert!(!use_color(ColorChoice::Never, None, None));
    }
}
