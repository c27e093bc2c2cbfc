//! Writing: atomic files, reports, colour, progress.

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::Path;

use anyhow::Context;
use drift_core::render::{JsonRenderer, Renderer, TextRenderer};
use drift_core::{Report, Severity};

use crate::cli::{ColorChoice, Format};

/// Writes `write` into `path` atomically: a temporary file in the same
/// folder, put in place of the target once complete. An interrupted run
/// leaves the old file (or none), never half of a new one.
///
/// The file is not fsynced: that would cost as much as the whole snapshot of
/// a large tree, and protects only against an operating-system crash in the
/// seconds after the write — after which a torn manifest is refused by its
/// digest and truncation checks when read, never silently used.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<fs::File>) -> io::Result<()>,
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
        replace(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("failed to write `{}`", path.display()));
    }
    Ok(())
}

/// Gathers the small writes around a manifest's entries. A manifest writer
/// hands over its entries in blocks of a megabyte (hashed as they go), which
/// a smaller buffer passes through rather than copies.
const MANIFEST_BUFFER: usize = 64 << 10;

/// Creates (or opens) `path` and writes it through a buffer.
fn write_through(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    let file = fs::File::create(path)?;
    let mut w = io::BufWriter::with_capacity(MANIFEST_BUFFER, file);
    write(&mut w)?;
    w.flush()
}

/// Puts the complete file `tmp` in place of `path`, in one step.
///
/// An existing regular file is exchanged with `tmp` (Linux's
/// `RENAME_EXCHANGE`), and then removed under the temporary name: renamed
/// over, ext4 would first hand the whole new file to the disk (its
/// `auto_da_alloc` guard for programs that do not sync), which costs a
/// large manifest a tenth of a second and more of waiting for nothing this
/// tool promises. Where exchanging is not supported, a rename.
fn replace(tmp: &Path, path: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, tmp, CWD, path, RenameFlags::EXCHANGE).is_ok() {
            // `tmp` now names the old file; a failure to remove it leaves
            // a stray file, never a wrong manifest.
            if fs::symlink_metadata(tmp).is_ok_and(|m| m.is_dir()) {
                // A directory came in between: put it back.
                renameat_with(CWD, tmp, CWD, path, RenameFlags::EXCHANGE)?;
                return Err(io::Error::other(format!(
                    "`{}` is a directory",
                    path.display()
                )));
            }
            let _ = fs::remove_file(tmp);
            return Ok(());
        }
    }
    fs::rename(tmp, path)
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
    /// Progress when standard error is a terminal and not `quiet`.
    pub fn new(quiet: bool) -> Progress {
        Progress {
            enabled: !quiet && io::stderr().is_terminal(),
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
    fn atomic_write_into_a_new_path_and_refused_over_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("new.json");
        write_atomically(&p, |w| w.write_all(b"fresh")).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"fresh");
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).unwrap();
        fs::write(sub.join("kept"), "x").unwrap();
        let err = write_atomically(&sub, |w| w.write_all(b"no")).unwrap_err();
        assert!(
            format!("{err:#}").starts_with(&format!("failed to write `{}`", sub.display())),
            "{err:#}"
        );
        assert_eq!(fs::read(sub.join("kept")).unwrap(), b"x");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn atomic_write_replaces_the_link_not_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.json");
        let link = dir.path().join("link.json");
        fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomically(&link, |w| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"old");
        assert!(fs::symlink_metadata(&link).unwrap().is_file());
        assert_eq!(fs::read(&link).unwrap(), b"new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn color_choice() {
        assert!(use_color(ColorChoice::Always, None, None));
        assert!(!use_color(ColorChoice::Never, None, None));
    }
}
