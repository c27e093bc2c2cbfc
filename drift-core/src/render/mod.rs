//! Renderers: a [`Report`] as text for people, JSON for machines, Markdown
//! for CI summaries and merge-request comments, a self-contained HTML page,
//! and the formats CI systems read: SARIF (code scanning), JUnit XML (test
//! reports), GitHub workflow commands and GitLab Code Quality.
//!
//! Renderers write to any `io::Write` the caller gives; they never print on
//! their own, read no file, and never show a secret: values in a report are
//! already fingerprints. What the CI formats need besides the report (where
//! each finding is in the repository) comes in a [`Context`].

mod ci;
mod context;
mod github;
mod gitlab;
mod html;
mod json;
mod junit;
mod markdown;
mod sarif;
mod text;

use std::io;

pub use context::{Context, Location};
pub use github::{ANNOTATIONS_PER_LEVEL, GithubRenderer};
pub use gitlab::GitlabRenderer;
pub use html::HtmlRenderer;
pub use json::JsonRenderer;
pub use junit::JunitRenderer;
pub use markdown::{MAX_MARKDOWN_BYTES, MarkdownRenderer};
pub use sarif::SarifRenderer;
pub use text::TextRenderer;

use crate::key::Layer;
use crate::policy::Severity;
use crate::report::{Finding, Outcome, Report, Summary};

/// Writes a report in some format.
pub trait Renderer {
    /// Writes `report` to `out`.
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()>;
}

/// Items formatted per batch when rendering in parallel.
const BATCH: usize = 2048;

/// Formats `items` in parallel batches and writes them in order: reports of
/// a million findings render several times faster, with the same bytes.
/// Each group of batches is written while the next one is formatted, and at
/// most two groups are held in memory at once.
pub(crate) fn write_parallel<T: Sync>(
    items: &[T],
    out: &mut dyn io::Write,
    format: impl Fn(usize, &T, &mut Vec<u8>) -> io::Result<()> + Sync,
) -> io::Result<()> {
    use rayon::prelude::*;
    let threads = rayon::current_num_threads().max(1);
    let group = BATCH * threads * 4;
    let render = |g: usize| -> io::Result<Vec<Vec<u8>>> {
        let start = g * group;
        let part = items.get(start..(start + group).min(items.len()));
        part.unwrap_or_default()
            .par_chunks(BATCH)
            .enumerate()
            .map(|(b, batch)| {
                let mut buf = Vec::with_capacity(batch.len() * 128);
                for (i, item) in batch.iter().enumerate() {
                    format(start + b * BATCH + i, item, &mut buf)?;
                }
                Ok(buf)
            })
            .collect()
    };
    // Written here (the writer may be bound to this thread) while the pool
    // formats the next group.
    crate::pipeline::in_order(items.len().div_ceil(group), 1, render, |_, ready| {
        ready?.iter().try_for_each(|buf| out.write_all(buf))
    })
}

/// Formats a count with thousands separators: `1,234,567`.
pub(crate) fn thousands(n: impl std::fmt::Display) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The active findings by layer, in the order of [`Layer::ALL`], each
/// layer's ordered by severity (errors first), then by key as the findings
/// come; layers without findings left out.
pub(crate) fn by_layer(report: &Report) -> Vec<(Layer, Vec<&Finding>)> {
    let severities = [Severity::Error, Severity::Warning, Severity::Info];
    let mut buckets: Vec<[Vec<&Finding>; 3]> =
        Layer::ALL.iter().map(|_| Default::default()).collect();
    for f in report.findings.iter().filter(|f| f.is_active()) {
        let layer = f.key.layer();
        let l = Layer::ALL
            .iter()
            .position(|x| *x == layer)
            .unwrap_or(Layer::ALL.len() - 1);
        let s = severities
            .iter()
            .position(|x| *x == f.severity)
            .unwrap_or(2);
        buckets[l][s].push(f);
    }
    Layer::ALL
        .iter()
        .zip(buckets)
        .map(|(layer, groups)| (*layer, groups.into_iter().flatten().collect::<Vec<_>>()))
        .filter(|(_, list)| !list.is_empty())
        .collect()
}

/// `10 findings (8 errors, 1 warning, 1 info) · 1 waived`.
pub(crate) fn counts(sm: &Summary) -> String {
    let mut counts = format!(
        "{} finding{}",
        thousands(sm.findings),
        if sm.findings == 1 { "" } else { "s" }
    );
    if sm.findings > 0 {
        counts.push_str(&format!(
            " ({} error{}, {} warning{}, {} info)",
            thousands(sm.errors),
            if sm.errors == 1 { "" } else { "s" },
            thousands(sm.warnings),
            if sm.warnings == 1 { "" } else { "s" },
            thousands(sm.infos)
        ));
    }
    if sm.waived > 0 {
        counts.push_str(&format!(" · {} waived", thousands(sm.waived)));
    }
    if sm.baselined > 0 {
        counts.push_str(&format!(" · {} baselined", thousands(sm.baselined)));
    }
    counts
}

/// The gate's conclusion in words: `clean`, ``drift at or above `error` ``,
/// `incomplete: 1 source could not be read`.
pub(crate) fn verdict(report: &Report, fail_on: Severity) -> String {
    match report.outcome(fail_on) {
        Outcome::Clean => "clean".to_owned(),
        Outcome::Drift => format!("drift at or above `{fail_on}`"),
        _ if report.errors.is_empty() => {
            "incomplete: secrets could not be compared (see notes)".to_owned()
        }
        _ => format!(
            "incomplete: {} source{} could not be read",
            report.errors.len(),
            if report.errors.len() == 1 { "" } else { "s" }
        ),
    }
}

#[cfg(test)]
mod tests;
