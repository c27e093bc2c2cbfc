//! Writing: atomic files, reports, colour, progress.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::ValueEnum;
use drift_core::render::{
    Context, GithubRenderer, GitlabRenderer, HtmlRenderer, JsonRenderer, JunitRenderer,
    MarkdownRenderer, Renderer, SarifRenderer, TextRenderer,
};
use drift_core::{Report, Severity};

use crate::atomic::MANIFEST_BUFFER;
pub use crate::atomic::write_atomically;
use crate::cli::{ColorChoice, Format, ReportArgs};

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

/// The renderer of a format. Adding a format is a variant of [`Format`]
/// and an arm here.
fn renderer<'c>(
    format: Format,
    fail_on: Severity,
    color: bool,
    context: &'c Context,
) -> Box<dyn Renderer + 'c> {
    match format {
        Format::Text => Box::new(TextRenderer { color, fail_on }),
        Format::Json => Box::new(JsonRenderer { fail_on }),
        Format::Markdown => Box::new(MarkdownRenderer {
            fail_on,
            ..MarkdownRenderer::default()
        }),
        Format::Html => Box::new(HtmlRenderer { fail_on }),
        Format::Sarif => Box::new(SarifRenderer { context }),
        Format::Junit => Box::new(JunitRenderer { fail_on, context }),
        Format::Github => Box::new(GithubRenderer { fail_on, context }),
        Format::Gitlab => Box::new(GitlabRenderer { context }),
    }
}

/// Whether a format places findings in the repository (and so needs a
/// [`Context`]).
fn needs_context(format: Format) -> bool {
    !matches!(
        format,
        Format::Text | Format::Json | Format::Markdown | Format::Html
    )
}

/// Renders a report on standard output.
pub fn print_report(report: &Report, renderer: &dyn Renderer) -> anyhow::Result<()> {
    let stdout = io::stdout();
    // Small writes are gathered; the renderers' large blocks, larger than
    // this, go out without being copied.
    let mut w = io::BufWriter::with_capacity(REPORT_BUFFER, stdout.lock());
    ignore_broken_pipe(renderer.render(report, &mut w).and_then(|()| w.flush()))
        .context("failed to write the report to standard output")
}

/// One `--report FORMAT=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    /// The format.
    pub format: Format,
    /// Where it is written.
    pub path: PathBuf,
}

/// The names of the formats, for messages.
fn format_names() -> String {
    Format::value_variants()
        .iter()
        .filter_map(ValueEnum::to_possible_value)
        .map(|p| p.get_name().to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `a/./b` and `a/b` are one file; so are two names of one existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    fn plain(p: &Path) -> Vec<std::path::Component<'_>> {
        p.components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect()
    }
    if plain(a) == plain(b) {
        return true;
    }
    matches!(
        (std::fs::canonicalize(a), std::fs::canonicalize(b)),
        (Ok(x), Ok(y)) if x == y
    )
}

/// The `--report` flags, checked before anything is collected: each a
/// known format and a path, and no file named twice.
pub fn report_files(args: &ReportArgs) -> anyhow::Result<Vec<ReportFile>> {
    let mut out: Vec<ReportFile> = Vec::new();
    for r in &args.reports {
        let Some((format, path)) = r.split_once('=') else {
            bail!("--report takes FORMAT=PATH (for example `--report sarif=drift.sarif`)");
        };
        let Ok(format) = Format::from_str(format, false) else {
            // A word that could not be a format's name is not shown back.
            let shown = if format.len() <= 32
                && format
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                format!(" `{format}`")
            } else {
                String::new()
            };
            bail!(
                "--report: unknown format{shown}; the formats are {}",
                format_names()
            );
        };
        if path.is_empty() {
            bail!("--report: no PATH after `=`; use FORMAT=PATH");
        }
        let path = PathBuf::from(path);
        if out.iter().any(|o| same_file(&o.path, &path)) {
            bail!(
                "--report: `{}` is given twice; each report needs a file of its own",
                path.display()
            );
        }
        out.push(ReportFile { format, path });
    }
    Ok(out)
}

/// Whether a report asked for shows what ignore rules hid (the HTML
/// report's "Ignored" section), so that the diff keeps it
/// ([`drift_core::diff::DiffOptions::keep_ignored`]).
pub fn wants_ignored(args: &ReportArgs) -> bool {
    args.format == Format::Html
        || report_files(args).is_ok_and(|files| files.iter().any(|f| f.format == Format::Html))
}

/// Shows a report as the flags ask (threshold, format, colour), writes the
/// `--report` files, and returns the gate's exit code. `config_fail_on` is
/// drift.toml's `fail_on`; `context` says where the findings are, asked
/// only when a format needs it.
pub fn show_report(
    report: &Report,
    args: &ReportArgs,
    config_fail_on: Option<Severity>,
    context: impl FnOnce() -> Context,
) -> anyhow::Result<crate::exit::Exit> {
    let fail_on = args
        .fail_on
        .map(crate::fail_on)
        .or(config_fail_on)
        .unwrap_or(Severity::Error);
    let files = report_files(args)?;
    let formats = || std::iter::once(args.format).chain(files.iter().map(|f| f.format));
    let context = if formats().any(needs_context) {
        context()
    } else {
        Context::default()
    };
    for file in &files {
        let r = renderer(file.format, fail_on, false, &context);
        write_atomically(&file.path, |w| r.render(report, w))?;
    }
    // Colour only in text, and only to a terminal (or when asked).
    let color = args.format == Format::Text
        && use_color(
            args.color,
            std::env::var("NO_COLOR").ok().as_deref(),
            std::env::var("TERM").ok().as_deref(),
        );
    print_report(report, &*renderer(args.format, fail_on, color, &context))?;
    if formats().any(|f| f == Format::Github)
        && let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty())
    {
        append_step_summary(Path::new(&summary), report, fail_on)?;
    }
    Ok(report.outcome(fail_on).into())
}

/// Appends the Markdown report to the job summary GitHub Actions names in
/// `$GITHUB_STEP_SUMMARY`: opened for appending, never truncated, so the
/// summaries of earlier steps stay.
fn append_step_summary(path: &Path, report: &Report, fail_on: Severity) -> anyhow::Result<()> {
    let renderer = MarkdownRenderer {
        fail_on,
        ..MarkdownRenderer::default()
    };
    let mut out = Vec::new();
    renderer
        .render(report, &mut out)
        .context("failed to render the job summary")?;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .with_context(|| {
            format!(
                "failed to open the job summary `$GITHUB_STEP_SUMMARY` ({})",
                drift_core::display::Escaped(&path.display().to_string())
            )
        })?;
    file.write_all(&out)
        .and_then(|()| file.write_all(b"\n"))
        .context("failed to write the job summary `$GITHUB_STEP_SUMMARY`")
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

    fn args(reports: &[&str]) -> ReportArgs {
        ReportArgs {
            format: Format::Text,
            fail_on: None,
            color: ColorChoice::Never,
            reports: reports.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    #[test]
    fn report_flags() {
        let files = report_files(&args(&["sarif=a.sarif", "junit=out/j.xml"])).unwrap();
        assert_eq!(files[0].format, Format::Sarif);
        assert_eq!(files[1].path, PathBuf::from("out/j.xml"));
        for (bad, says) in [
            ("sarif", "FORMAT=PATH"),
            ("pdf=x", "unknown format `pdf`"),
            ("json=", "no PATH"),
        ] {
            let e = report_files(&args(&[bad])).unwrap_err().to_string();
            assert!(e.starts_with("--report") && e.contains(says), "{e}");
        }
        let e = report_files(&args(&["sarif=a", "json=./a"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("given twice"), "{e}");
        // A secret pasted as the format is not shown back.
        let e = report_files(&args(&["hunter2 secret=x"]))
            .unwrap_err()
            .to_string();
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn color_choice() {
        assert!(use_color(ColorChoice::Always, None, None));
        assert!(!use_color(ColorChoice::Never, None, None));
    }
}
