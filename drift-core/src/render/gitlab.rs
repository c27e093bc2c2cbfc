//! The GitLab Code Quality report: a JSON array of issues, each with a
//! `description`, a `check_name`, a unique `fingerprint`, a `severity`
//! (`info`, `minor`, `major`, `critical`) and a `location` (`path`,
//! `lines.begin`), which GitLab shows in merge requests.
//!
//! Waived findings are left out (the format cannot mark an issue
//! accepted); collection errors are `critical` issues of their own.

use std::io::{self, Write};

use serde::Serialize;

use crate::policy::Severity;
use crate::report::Report;

use super::context::{Context, Location};
use super::{Renderer, ci};

/// Renders a report as GitLab Code Quality JSON.
#[derive(Debug, Clone)]
pub struct GitlabRenderer<'c> {
    /// Where the findings are.
    pub context: &'c Context,
}

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation<'a>,
}

#[derive(Serialize)]
struct IssueLocation<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

/// GitLab's severity of a drift severity.
pub(crate) fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        _ => "info",
    }
}

/// A location GitLab accepts: a path and a line (the first when unknown);
/// `.` when nothing is known.
fn location(loc: Option<&Location>) -> IssueLocation<'_> {
    IssueLocation {
        path: loc.map_or(".", Location::path),
        lines: Lines {
            begin: loc.and_then(Location::line).unwrap_or(1),
        },
    }
}

impl Renderer for GitlabRenderer<'_> {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut issues = Vec::new();
        for (i, f) in report.findings.iter().enumerate() {
            if !f.is_active() {
                continue;
            }
            issues.push(Issue {
                kind: "issue",
                description: format!("{} ({})", ci::title(f), ci::values_line(f)),
                check_name: ci::rule_id(f.key.layer(), f.kind),
                fingerprint: ci::fingerprint(f),
                severity: severity(f.severity),
                location: location(self.context.location(i)),
            });
        }
        for e in &report.errors {
            let mut h = blake3::Hasher::new();
            for part in [
                &e.environment,
                &e.target,
                &e.error.collector,
                &e.error.source,
            ] {
                h.update(&(part.len() as u64).to_le_bytes());
                h.update(part.as_bytes());
            }
            issues.push(Issue {
                kind: "issue",
                description: format!(
                    "collection incomplete in {}: {}",
                    super::text::name(&e.environment),
                    super::text::line(&e.error.to_string())
                ),
                check_name: "drift/collection/error".to_owned(),
                fingerprint: h.finalize().to_hex()[..32].to_owned(),
                severity: "critical",
                location: location(self.context.fallback.as_ref()),
            });
        }
        serde_json::to_writer_pretty(&mut *out, &issues).map_err(io::Error::from)?;
        out.write_all(b"\n")
    }
}
