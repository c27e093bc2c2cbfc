//! GitHub Actions workflow commands: one `::error`, `::warning` or
//! `::notice` annotation per finding, at the finding's file and line.
//!
//! Written by hand: a workflow command is one line, and no crate does
//! GitHub's escaping. Messages escape `%`, CR and LF (`%25`, `%0D`,
//! `%0A`); properties (`file`, `title`) also `:` and `,` (`%3A`, `%2C`).
//! Every text from outside is first escaped as in the text report, so a
//! value cannot end the line and start a command of its own.
//!
//! GitHub shows at most 10 annotations of each level per step; the
//! findings past that are summed up in one notice, and every finding is
//! still listed as a plain log line after the annotations.

use std::io::{self, Write};

use crate::policy::Severity;
use crate::report::Report;

use super::context::Context;
use super::{Renderer, ci};

/// The most annotations of one level GitHub shows for a step.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// Renders a report as GitHub Actions workflow commands.
#[derive(Debug, Clone)]
pub struct GithubRenderer<'c> {
    /// The gate's threshold, for the verdict line.
    pub fail_on: Severity,
    /// Where the findings are.
    pub context: &'c Context,
}

/// A workflow command's message, escaped.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value, escaped.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        _ => "notice",
    }
}

impl Renderer for GithubRenderer<'_> {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        // One notice is kept for the summary of what was not annotated.
        let mut left = [
            ANNOTATIONS_PER_LEVEL,
            ANNOTATIONS_PER_LEVEL,
            ANNOTATIONS_PER_LEVEL - 1,
        ];
        let mut unshown = [0usize; 3];
        for (i, f) in report.findings.iter().enumerate() {
            if !f.is_active() {
                continue;
            }
            let level = match f.severity {
                Severity::Error => 0,
                Severity::Warning => 1,
                _ => 2,
            };
            if left[level] == 0 {
                unshown[level] += 1;
                continue;
            }
            left[level] -= 1;
            write!(out, "::{} ", command(f.severity))?;
            if let Some(loc) = self.context.location(i) {
                write!(out, "file={}", escape_property(loc.path()))?;
                if let Some(line) = loc.line() {
                    write!(out, ",line={line}")?;
                }
                out.write_all(b",")?;
            }
            let title = format!("drift {}", ci::title(f));
            writeln!(
                out,
                "title={}::{}",
                escape_property(&title),
                escape_data(&ci::message(f))
            )?;
        }
        let hidden: usize = unshown.iter().sum();
        if hidden > 0 {
            writeln!(
                out,
                "::notice title=drift::{}",
                escape_data(&format!(
                    "{hidden} more finding(s) are not annotated (GitHub shows {ANNOTATIONS_PER_LEVEL} of each level a step): {} error(s), {} warning(s), {} info; every finding is listed in this step's log",
                    unshown[0], unshown[1], unshown[2]
                ))
            )?;
        }
        // The whole list, as plain lines (escaped: none starts a command).
        for f in &report.findings {
            let state = if f.is_active() { "" } else { " (waived)" };
            writeln!(
                out,
                "{} {}{state}: {}",
                ci::level(f.severity),
                escape_data(&ci::title(f)),
                escape_data(&ci::values_line(f))
            )?;
        }
        for e in &report.errors {
            writeln!(
                out,
                "::error title=drift collection error::{}",
                escape_data(&format!(
                    "{}: {}",
                    super::text::name(&e.environment),
                    super::text::line(&e.error.to_string())
                ))
            )?;
        }
        for n in &report.notes {
            writeln!(
                out,
                "note: {}",
                escape_data(&super::text::line(&n.to_string()))
            )?;
        }
        writeln!(out, "{}", escape_data(&ci::verdict(report, self.fail_on)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50%\r\nx"), "50%25%0D%0Ax");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
