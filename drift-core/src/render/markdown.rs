//! The Markdown report: GitHub-flavoured Markdown for `$GITHUB_STEP_SUMMARY`
//! and merge-request comments. The verdict first, then a table per layer
//! (key, environments, values, the odd one out marked), long details (text
//! diffs, why a rule applies) collapsed in `<details>`, the waived findings,
//! notes; never more than [`MarkdownRenderer::max_bytes`] (1 MiB, GitHub's
//! limit of a step summary), cut with a note of how many findings were left
//! out.
//!
//! Every text from outside (keys, values, names, diffs, reasons, errors,
//! notes) is shown in a code span or a fenced code block, never as
//! Markdown: that is the one place where neither CommonMark nor GitHub's
//! and GitLab's extensions act — no link, autolink (`www.`, `https://`,
//! `a@b.c`), raw HTML, emphasis, emoji shortcode, `@mention` or `#ref`
//! (both are resolved outside `<code>` only). Entity escaping would not
//! do: autolinks and mentions are found in the text after entities are
//! decoded. Each text is first escaped for people ([`crate::display`]:
//! no control, newline or bidirectional override survives, so no text can
//! end a table row), then fenced with one backtick more than its longest
//! run of backticks, padded with a space each side (so that no backtick
//! inside can close it); inside a table, `|` is written `\|`, which
//! GitHub-flavoured tables take out of a cell before its code span is read.
//! Drift's own words are the only Markdown.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::policy::Severity;
use crate::report::{Detail, Finding, FindingKind, Report};

use super::text::{hidden_line, key, line, name, shown, value_lines};
use super::{Renderer, counts, thousands, verdict};

/// GitHub's limit of a job step's summary (`$GITHUB_STEP_SUMMARY`).
pub const MAX_MARKDOWN_BYTES: usize = 1 << 20;

/// Room kept for the closing note and the summary line once the findings
/// no longer fit.
const RESERVE: usize = 1024;

/// Renders a report as GitHub-flavoured Markdown of at most `max_bytes`.
#[derive(Debug, Clone)]
pub struct MarkdownRenderer {
    /// The gate's threshold, for the verdict.
    pub fail_on: Severity,
    /// The most bytes written; findings past it are left out and counted
    /// in a closing note. At least a few KiB (the verdict, the counts and
    /// the note always fit).
    pub max_bytes: usize,
}

impl Default for MarkdownRenderer {
    fn default() -> MarkdownRenderer {
        MarkdownRenderer {
            fail_on: Severity::Error,
            max_bytes: MAX_MARKDOWN_BYTES,
        }
    }
}

/// Where a code span is written: in a table cell, `|` must be escaped.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Prose,
    Cell,
}

/// `text` (already escaped for people) as a code span: fenced with one
/// backtick more than its longest run, and a space inside each fence when
/// the text is empty, starts or ends with a backtick (which would join the
/// fence), or starts and ends with a space (which a reader strips).
fn code(text: &str, place: Place) -> String {
    let fence = "`".repeat(longest_backtick_run(text) + 1);
    let pad = if text.is_empty()
        || text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' '))
    {
        " "
    } else {
        ""
    };
    let body: Cow<'_, str> = if place == Place::Cell && text.contains('|') {
        Cow::Owned(text.replace('|', "\\|"))
    } else {
        Cow::Borrowed(text)
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

fn longest_backtick_run(text: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for b in text.bytes() {
        if b == b'`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

/// Lines (each escaped for people) as a fenced code block, with a fence
/// longer than any run of backticks in them and at least three long.
fn code_block(info: &str, lines: &[Cow<'_, str>], out: &mut String) {
    let longest = lines
        .iter()
        .map(|l| longest_backtick_run(l))
        .max()
        .unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    let _ = writeln!(out, "{fence}{info}");
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    let _ = writeln!(out, "{fence}\n");
}

/// Names, each a code span, joined by `, `.
fn names<'n>(list: impl IntoIterator<Item = &'n str>, place: Place) -> String {
    list.into_iter()
        .map(|n| code(&name(n), place))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The severity as a word with a mark a reader can scan.
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "🔴 error",
        Severity::Warning => "🟡 warning",
        _ => "🔵 info",
    }
}

const TABLE_HEAD: &str =
    "| Severity | Kind | Key | Environments | Value | |\n|---|---|---|---|---|---|\n";

/// The table rows of one finding: a row per group of environments that
/// share a value (the odd ones out first), or per differing field.
fn rows(f: &Finding, out: &mut String) {
    let mut key_cell = code(&key(f.key.as_str()), Place::Cell);
    if let Some(env) = &f.environment {
        let _ = write!(key_cell, " (hosts of {})", code(&name(env), Place::Cell));
    }
    let first = format!(
        "| {} | {} | {key_cell} |",
        severity(f.severity),
        super::ci::kind_with_class(f)
    );
    let mut lead = Some(first);
    let mut row = |envs: &str, value: &str, odd: bool, out: &mut String| {
        let start = lead.take().unwrap_or_else(|| "| | | |".to_owned());
        let mark = if odd { "**← odd one out**" } else { "" };
        let _ = writeln!(out, "{start} {envs} | {value} | {mark} |");
    };
    match f.detail.as_deref() {
        Some(Detail::Fields(fields)) if f.kind != FindingKind::Missing => {
            for fd in fields {
                let vals: Vec<String> = fd
                    .values
                    .iter()
                    .map(|(n, v)| {
                        format!(
                            "{} {}",
                            code(&name(n), Place::Cell),
                            code(&shown(v.as_ref()), Place::Cell)
                        )
                    })
                    .collect();
                let field = format!("field {}", code(&key(&fd.field), Place::Cell));
                row(&field, &vals.join(" · "), false, out);
            }
        }
        _ => {
            for l in value_lines(f) {
                let envs = names(l.names.iter().map(|n| &**n), Place::Cell);
                let value = match l.value {
                    None => "_absent_".to_owned(),
                    Some(v) => code(&shown(Some(v)), Place::Cell),
                };
                row(&envs, &value, l.odd && !f.odd_one_out.is_empty(), out);
            }
        }
    }
}

/// The collapsed details of one finding (its text diffs, version skew,
/// equal groups, why its rule applies, an expired waiver), empty when it
/// has none.
fn details(f: &Finding, out: &mut String) {
    let start = out.len();
    match f.detail.as_deref() {
        Some(Detail::Text(diffs)) => {
            for d in diffs {
                let lines: Vec<Cow<'_, str>> = d.unified.lines().map(line).collect();
                code_block("diff", &lines, out);
            }
        }
        Some(Detail::Version(v)) => {
            let mut text = format!("{} skew", v.skew);
            if !v.behind.is_empty() {
                let _ = write!(
                    text,
                    " · behind: {}",
                    names(v.behind.iter().map(String::as_str), Place::Prose)
                );
            }
            if !v.newest.is_empty() {
                let _ = write!(
                    text,
                    " · newest: {}",
                    names(v.newest.iter().map(String::as_str), Place::Prose)
                );
            }
            if let Some(r) = &v.reference {
                let _ = write!(
                    text,
                    " · must not be older than {}",
                    code(&name(r), Place::Prose)
                );
            }
            let _ = writeln!(out, "{text}\n");
        }
        Some(Detail::EqualGroups(groups)) => {
            for g in groups {
                let equal: Vec<String> = g.iter().map(|n| code(&name(n), Place::Prose)).collect();
                let _ = writeln!(out, "equal, but must differ: {}\n", equal.join(" = "));
            }
        }
        _ => {}
    }
    if let Some(reason) = &f.reason {
        let _ = write!(out, "why: {}", code(&line(reason), Place::Prose));
        if let Some(rule) = &f.rule {
            let _ = write!(out, " ({})", code(&line(rule), Place::Prose));
        }
        out.push_str("\n\n");
    }
    if let Some(w) = &f.expired_waiver {
        let _ = writeln!(
            out,
            "waiver expired on {}: {}\n",
            w.expires.map(|d| d.to_string()).unwrap_or_default(),
            code(&line(&w.reason), Place::Prose)
        );
    }
    if out.len() > start {
        let heading = format!("{}\n\n", code(&key(f.key.as_str()), Place::Prose));
        out.insert_str(start, &heading);
    }
}

/// The report as written so far, and what no longer fitted.
struct Budget {
    out: String,
    /// Where the findings must stop so that the closing note fits.
    limit: usize,
    /// Findings (active or waived) left out.
    left_out: usize,
}

impl Budget {
    /// Whether `more` bytes still fit, and `tail` after them.
    fn fits(&self, more: usize, tail: usize) -> bool {
        self.left_out == 0 && self.out.len() + more + tail <= self.limit
    }
}

impl MarkdownRenderer {
    fn layers(&self, report: &Report, b: &mut Budget) {
        for (layer, list) in super::by_layer(report) {
            let count = list.len();
            let head = format!(
                "### {} · {} finding{}\n\n{TABLE_HEAD}",
                layer.as_str(),
                thousands(count),
                if count == 1 { "" } else { "s" }
            );
            let (mut table, mut more) = (String::new(), String::new());
            let mut shown = 0;
            for f in &list {
                let (mut r, mut d) = (String::new(), String::new());
                rows(f, &mut r);
                details(f, &mut d);
                let wrap = DETAILS_OPEN.len() + DETAILS_CLOSE.len() + 64;
                let size = head.len() + table.len() + r.len() + more.len() + d.len();
                if !b.fits(size, wrap + 1) {
                    break;
                }
                table.push_str(&r);
                more.push_str(&d);
                shown += 1;
            }
            if shown > 0 {
                b.out.push_str(&head);
                b.out.push_str(&table);
                b.out.push('\n');
                if !more.is_empty() {
                    let _ = write!(b.out, "{DETAILS_OPEN}Details{DETAILS_SUMMARY_END}");
                    b.out.push_str(&more);
                    b.out.push_str(DETAILS_CLOSE);
                }
            }
            b.left_out += count - shown;
        }
    }

    fn waived(&self, report: &Report, b: &mut Budget) {
        let waived: Vec<&Finding> = report.findings.iter().filter(|f| !f.is_active()).collect();
        if waived.is_empty() {
            return;
        }
        let head = format!(
            "### Waived · {}\n\n| Severity | Kind | Key | Until | Reason |\n|---|---|---|---|---|\n",
            thousands(waived.len())
        );
        let mut table = String::new();
        let mut shown = 0;
        for f in &waived {
            let Some(w) = &f.waived else { continue };
            let until = w.expires.map(|d| d.to_string()).unwrap_or_default();
            let r = format!(
                "| {} | {} | {} | {until} | {} |\n",
                f.severity.as_str(),
                f.kind.as_str(),
                code(&key(f.key.as_str()), Place::Cell),
                code(&line(&w.reason), Place::Cell)
            );
            if !b.fits(head.len() + table.len() + r.len(), 1) {
                break;
            }
            table.push_str(&r);
            shown += 1;
        }
        if shown > 0 {
            b.out.push_str(&head);
            b.out.push_str(&table);
            b.out.push('\n');
        }
        b.left_out += waived.len() - shown;
    }

    /// A section of items (collection errors, notes) as a list, as many as
    /// fit; returns how many were left out.
    fn list(heading: &str, intro: &str, items: &[String], b: &mut Budget) -> usize {
        if items.is_empty() {
            return 0;
        }
        let mut section = format!("### {heading}\n\n{intro}");
        let mut shown = 0;
        for item in items {
            let entry = format!("- {item}\n");
            if !b.fits(section.len() + entry.len(), 1) {
                break;
            }
            section.push_str(&entry);
            shown += 1;
        }
        if shown > 0 {
            b.out.push_str(&section);
            b.out.push('\n');
        }
        items.len() - shown
    }
}

const DETAILS_OPEN: &str = "<details><summary>";
const DETAILS_SUMMARY_END: &str = "</summary>\n\n";
const DETAILS_CLOSE: &str = "</details>\n\n";

impl Renderer for MarkdownRenderer {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let outcome = report.outcome(self.fail_on);
        let mark = match outcome {
            crate::report::Outcome::Clean => "✅",
            crate::report::Outcome::Drift => "❌",
            _ => "⚠️",
        };
        let mut b = Budget {
            out: String::new(),
            limit: self.max_bytes.saturating_sub(RESERVE),
            left_out: 0,
        };
        let _ = writeln!(
            b.out,
            "## {mark} drift: {}\n",
            verdict(report, self.fail_on)
        );
        let envs: Vec<String> = report
            .environments
            .iter()
            .map(|e| {
                let n = code(&name(&e.name), Place::Prose);
                if e.hosts.len() > 1 {
                    format!("{n} ({} hosts)", thousands(e.hosts.len()))
                } else {
                    n
                }
            })
            .collect();
        let mut summary = format!(
            "**{}** · {} keys compared",
            counts(&report.summary),
            thousands(report.summary.keys)
        );
        if !envs.is_empty() {
            let _ = write!(summary, " · {}", envs.join(" → "));
        }
        // Environments are many at most in a fleet; their list is cut to
        // the budget like the rest.
        if summary.len() > b.limit / 4 {
            summary = format!(
                "**{}** · {} keys compared · {} environments",
                counts(&report.summary),
                thousands(report.summary.keys),
                thousands(envs.len())
            );
        }
        let _ = writeln!(b.out, "{summary}\n");
        let errors: Vec<String> = report
            .errors
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    code(&name(&e.environment), Place::Prose),
                    code(&line(&e.error.to_string()), Place::Prose)
                )
            })
            .collect();
        let errors_left = Self::list(
            "Collection errors",
            "These sources were not compared; the gate fails closed.\n\n",
            &errors,
            &mut b,
        );
        self.layers(report, &mut b);
        self.waived(report, &mut b);
        let notes: Vec<String> = report
            .notes
            .iter()
            .map(|n| code(&line(&n.to_string()), Place::Prose))
            .collect();
        let notes_left = Self::list("Notes", "", &notes, &mut b);
        if let Some(hidden) = hidden_line(report) {
            let text = format!("{}\n\n", code(&line(&hidden), Place::Prose));
            if b.fits(text.len(), 0) {
                b.out.push_str(&text);
            }
        }
        let left: Vec<String> = [
            (b.left_out, "finding"),
            (errors_left, "collection error"),
            (notes_left, "note"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{} {what}{}", thousands(n), if *n == 1 { "" } else { "s" }))
        .collect();
        if !left.is_empty() {
            let _ = writeln!(
                b.out,
                "> **Cut to {} KiB:** {} left out; the JSON report (`--format json`) holds them all.",
                thousands(self.max_bytes / 1024),
                left.join(", "),
            );
        }
        // The closing note is short and the reserve holds it; a limit set
        // too small for even the verdict still never writes past it.
        let end = floor_char_boundary(&b.out, self.max_bytes);
        out.write_all(&b.out.as_bytes()[..end])
    }
}

/// The largest index at most `at` that is a character boundary of `text`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    (0..=at)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::text::MAX_KEY_CHARS;

    #[test]
    fn a_code_span_outlasts_every_backtick_run() {
        assert_eq!(code("a", Place::Prose), "`a`");
        assert_eq!(code("a`b", Place::Prose), "``a`b``");
        assert_eq!(code("``x```", Place::Prose), "```` ``x``` ````");
        assert_eq!(code(" a ", Place::Prose), "`  a  `");
        assert_eq!(code(" a", Place::Prose), "` a`");
        assert_eq!(code("", Place::Prose), "`  `");
        assert_eq!(code("a|b", Place::Cell), "`a\\|b`");
        assert_eq!(code("a|b", Place::Prose), "`a|b`");
    }

    #[test]
    fn cutting_keeps_characters_whole() {
        assert_eq!(floor_char_boundary("aé", 2), 1);
        assert_eq!(floor_char_boundary("aé", 3), 3);
        assert_eq!(floor_char_boundary("aé", 9), 3);
    }

    #[test]
    fn a_key_is_cut_in_a_cell() {
        let long = format!("env:{}", "K".repeat(MAX_KEY_CHARS * 2));
        assert!(code(&key(&long), Place::Cell).len() < MAX_KEY_CHARS + 64);
    }
}
