//! Writing: atomic files, reports, colour, progress.

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::Path;

use anyhow::Context;
use drift_core::render::{JsonRenderer, Renderer, TextRenderer};
use drift_core::{Report, Severity};

use crate::cli::{ColorChoice, Format};

/// Writes `write` into `path` atomically: a temporary file in the same
/// folder, renamed over the target once complete. An interrupted run leaves
/// the old file (or none), never half of a new one.
///
/// The file is not fsynced: that would cost as much as the whole snapshot of
/// a large tree, and protects only against an operating-system crash in the
/// seconds after the write — after which a torn manifest is refused by its
/// digest and truncation checks when read, never silently used.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<WriteBehind<'_>>) -> io::Result<()>,
) -> anyhow::Result<()> {
    if fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        // A device or a pipe (`--output /dev/null`, `--output >(…)`): it is
        // written to, never replaced.
        return write_through(path, write)
            .with_context(|| format!("failed to write `{}`", path.display()));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("`{}` is not a file name", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> io::Result<()> {
        write_through(&tmp, write)?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("failed to write `{}`", path.display()));
    }
    Ok(())
}

/// Creates (or opens) `path` and writes it through a large buffer.
fn write_through(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<WriteBehind<'_>>) -> io::Result<()>,
) -> io::Result<()> {
    let file = fs::File::create(path)?;
    let mut w = io::BufWriter::with_capacity(1 << 20, WriteBehind::new(&file));
    write(&mut w)?;
    w.flush()
}

/// Writes to a file and, every few megabytes, has the system start writing
/// what came before to disk, rather than leave it all to the end: a large
/// manifest renamed over an older one would otherwise wait for hundreds of
/// megabytes to be handed to the disk at the rename (ext4 does that when a
/// file replaces another), after the work is done.
pub struct WriteBehind<'f> {
    file: &'f fs::File,
    written: u64,
    started: u64,
}

/// Bytes written between two starts of write-back.
const WRITE_BEHIND: u64 = 16 << 20;

impl<'f> WriteBehind<'f> {
    fn new(file: &'f fs::File) -> WriteBehind<'f> {
        WriteBehind {
            file,
            written: 0,
            started: 0,
        }
    }

    /// Starts the write-back of the bytes written since the last start. It
    /// is advice: an error changes nothing written.
    fn start_write_back(&mut self) {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{Advice, fadvise};
            // `DONTNEED` starts the write-back of the range's dirty pages;
            // they stay cached.
            let len = std::num::NonZeroU64::new(self.written - self.started);
            let _ = fadvise(self.file, self.started, len, Advice::DontNeed);
        }
        self.started = self.written;
    }
}

impl Write for WriteBehind<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = (&*self.file).write(buf)?;
        self.written += n as u64;
        if self.written - self.started >= WRITE_BEHIND {
            self.start_write_back();
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&*self.file).flush()
    }
}

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
            let mut w = io::BufWriter::with_capacity(1 << 20, QuietPipe::new(io::stdout()));
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
    let mut w = io::BufWriter::with_capacity(1 << 20, stdout.lock());
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
    /// Progress when standard error is a terminal and not `quiet`.
    pub fn new(quiet: bool) -> Progress {
        Progress {
            enabled: !quiet && io::stderr().is_terminal(),
        }
    }

    /// Prints one line.
    pub fn line(&self, text: &str) {
        if self.enabled {
            let mut e = io::stderr().lock();
            let _ = writeln!(e, "{text}");
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
    fn atomic_write_replaces_whole_files_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.json");
        write_atomically(&p, |w| w.write_all(b"one")).unwrap();
        write_atomically(&p, |w| w.write_all(b"two")).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let err = write_atomically(&p, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("interrupted"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn files_larger_than_the_write_behind_window_are_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.json");
        // Three windows and a part, in writes of odd sizes.
        let data: Vec<u8> = (0..3 * WRITE_BEHIND + 12_345)
            .map(|i| (i % 251) as u8)
            .collect();
        write_atomically(&p, |w| {
            data.chunks(777_777).try_for_each(|c| w.write_all(c))
        })
        .unwrap();
        assert!(fs::read(&p).unwrap() == data);
    }

    #[test]
    fn color_choice() {
        assert!(use_color(ColorChoice::Always, None, None));
        assert!(!use_color(ColorChoice::Never, None, None));
    }
}
