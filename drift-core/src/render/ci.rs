//! What the CI formats (SARIF, JUnit, GitHub, GitLab) share: a finding's
//! rule id, stable fingerprint, title and message. Every text from outside
//! goes through the text report's escaping ([`super::text`]), so a hostile
//! key or value reads the same, and as harmlessly, in every format.

use std::fmt::Write as _;

use crate::key::Layer;
use crate::policy::Severity;
use crate::report::{Finding, FindingKind, Report};

use super::text::{key, line, name, shown};

/// The stable id of the rule a finding breaks: `drift/LAYER/KIND`.
pub(crate) fn rule_id(layer: Layer, kind: FindingKind) -> String {
    format!("drift/{}/{}", layer.as_str(), kind.as_str())
}

/// A short name of a kind, for titles.
pub(crate) fn kind_title(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::Missing => "missing in some environments",
        FindingKind::Changed => "differs between environments",
        FindingKind::TypeMismatch => "of different types between environments",
        FindingKind::NotDifferent => "equal where it must differ",
        FindingKind::Behind => "behind a newer version",
        FindingKind::Outlier => "differs on some hosts of an environment",
        FindingKind::Pending => "a migration the deploy must run",
        FindingKind::Unknown => "a migration the release does not know",
        FindingKind::Edited => "a migration edited after it was applied",
        FindingKind::OutOfOrder => "a pending migration older than the latest applied",
        FindingKind::Failed => "a failed migration or a dirty history",
    }
}

/// What a kind of finding means and what to do, for a rule's help.
pub(crate) fn kind_help(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::Missing => {
            "The key is present in some environments and absent in others. Add it where it is missing, remove it where it is not needed, or waive the finding in drift.toml."
        }
        FindingKind::Changed => {
            "The key's value differs between environments (the odd one out, when there is one, is named). Make the values agree, or say in drift.toml that they may differ (`expect = \"differ\"`, `ignore`) or waive the finding."
        }
        FindingKind::TypeMismatch => {
            "The key holds values of different types (a number in one environment, a string in another), which usually means a configuration was written by hand differently. Make the types agree."
        }
        FindingKind::NotDifferent => {
            "A drift.toml rule expects the key to differ between these environments (`expect = \"differ\"`), and some hold the same value, for example production pointing at the staging database."
        }
        FindingKind::Behind => {
            "A version is older than in another environment, or than a rule's reference environment (`not_older_than`). Upgrade it before the deploy."
        }
        FindingKind::Outlier => {
            "One or a few hosts of an environment differ from the majority of their siblings. Bring them in line with the others."
        }
        FindingKind::Pending => {
            "The release has a migration the environment has not applied: run the migrations before the new code starts."
        }
        FindingKind::Unknown => {
            "The environment applied a migration the release does not know: a branch that never merged, or a rollback target. Find where it came from before deploying."
        }
        FindingKind::Edited => {
            "A migration file changed after the environment applied it: its checksum differs. Restore the file and put the change in a new migration."
        }
        FindingKind::OutOfOrder => {
            "A pending migration is older than the latest one applied: most tools refuse it (or run it out of order). Give it a newer version."
        }
        FindingKind::Failed => {
            "A migration failed or left the history dirty: repair the database and its history before deploying."
        }
    }
}

/// The SARIF-style level word of a severity: `error`, `warning`, `note`.
pub(crate) fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        _ => "note",
    }
}

/// The stable fingerprint of a finding: the BLAKE3 hash of its rule id,
/// key, scope (an environment, for findings among hosts) and the names of
/// the environments compared — never of its values, which change from run
/// to run while the drift stays the same. Hex, 32 characters.
pub(crate) fn fingerprint(f: &Finding) -> String {
    let mut h = blake3::Hasher::new();
    let mut field = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(rule_id(f.key.layer(), f.kind).as_bytes());
    field(f.key.as_str().as_bytes());
    field(f.environment.as_deref().unwrap_or_default().as_bytes());
    for (n, _) in &f.values {
        field(n.as_bytes());
    }
    let hash = h.finalize();
    hash.to_hex()[..32].to_owned()
}

/// A one-line title: `KEY: missing in some environments`.
pub(crate) fn title(f: &Finding) -> String {
    match f.change_class {
        Some(c) => format!(
            "{}: {} ({c} change)",
            key(f.key.as_str()),
            kind_title(f.kind)
        ),
        None => format!("{}: {}", key(f.key.as_str()), kind_title(f.kind)),
    }
}

/// The kind of a finding with its change class, when it has one
/// (`missing · expand`).
pub(crate) fn kind_with_class(f: &Finding) -> String {
    match f.change_class {
        Some(c) => format!("{} · {c}", f.kind.as_str()),
        None => f.kind.as_str().to_owned(),
    }
}

/// Each environment's value on one line: `dev: 300, prod: 900`, escaped.
pub(crate) fn values_line(f: &Finding) -> String {
    let mut out = String::new();
    for (i, (n, v)) in f.values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{}: {}", name(n), shown(v.as_ref()));
    }
    out
}

/// The environments named in a finding, escaped: `dev, staging, prod`.
pub(crate) fn environments(f: &Finding) -> String {
    let names: Vec<String> = f.values.iter().map(|(n, _)| name(n).into_owned()).collect();
    names.join(", ")
}

/// The lines that explain a finding: its values, the odd one out, where
/// its rule was written and why, its waiver. Escaped; no line breaks
/// inside a line.
pub(crate) fn details(f: &Finding) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(env) = &f.environment {
        lines.push(format!("among the hosts of {}", name(env)));
    }
    lines.push(format!("values: {}", values_line(f)));
    if !f.odd_one_out.is_empty() {
        let odd: Vec<String> = f.odd_one_out.iter().map(|n| name(n).into_owned()).collect();
        lines.push(format!("odd one out: {}", odd.join(", ")));
    }
    if let Some(rule) = &f.rule {
        lines.push(format!("rule: {}", line(rule)));
    }
    if let Some(reason) = &f.reason {
        lines.push(format!("reason: {}", line(reason)));
    }
    if let Some(w) = &f.waived {
        lines.push(format!("waived: {}", line(&w.reason)));
    }
    if let Some(w) = &f.expired_waiver {
        let on = w.expires.map(|d| format!(" on {d}")).unwrap_or_default();
        lines.push(format!("waiver expired{on}: {}", line(&w.reason)));
    }
    lines
}

/// The message of a finding: its title, then its details, one a line.
pub(crate) fn message(f: &Finding) -> String {
    let mut out = title(f);
    for l in details(f) {
        out.push('\n');
        out.push_str(&l);
    }
    out
}

/// The layers a report's findings are in, and the context's compared
/// layers, once each, in report order.
pub(crate) fn layers(report: &Report, compared: &[Layer]) -> Vec<Layer> {
    let mut out: Vec<Layer> = compared.to_vec();
    out.extend(report.findings.iter().map(|f| f.key.layer()));
    out.sort();
    out.dedup();
    out
}

/// The gate's verdict in a sentence.
pub(crate) fn verdict(report: &Report, fail_on: Severity) -> String {
    use crate::report::Outcome;
    let s = &report.summary;
    let counts = format!(
        "{} error(s), {} warning(s), {} info, {} waived, {} keys compared",
        s.errors, s.warnings, s.infos, s.waived, s.keys
    );
    match report.outcome(fail_on) {
        Outcome::Clean => format!("drift: no drift at or above {fail_on} ({counts})"),
        Outcome::Drift => format!("drift: drift found at or above {fail_on} ({counts})"),
        _ => format!(
            "drift: collection incomplete, {} source(s) could not be read ({counts})",
            report.errors.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::changed_finding as finding;

    #[test]
    fn fingerprints_ignore_values() {
        let a = finding("env:A", &[("dev", Some("1")), ("prod", Some("2"))]);
        let b = finding("env:A", &[("dev", Some("1")), ("prod", Some("3"))]);
        let c = finding("env:B", &[("dev", Some("1")), ("prod", Some("2"))]);
        let d = finding("env:A", &[("dev", Some("1")), ("stage", Some("2"))]);
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
        assert_ne!(fingerprint(&a), fingerprint(&d));
        assert_eq!(fingerprint(&a).len(), 32);
    }

    #[test]
    fn messages_are_escaped() {
        let f = finding(
            "env:A",
            &[("dev", Some("x\u{1b}[2J\n::error::y")), ("prod", None)],
        );
        let m = message(&f);
        assert!(!m.contains('\u{1b}'), "{m}");
        assert!(m.lines().all(|l| !l.starts_with("::")), "{m}");
        assert!(m.contains("(absent)"), "{m}");
    }
}
