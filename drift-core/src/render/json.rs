//! The JSON report, `drift-report/1` (documented in `docs/report.md`).

use std::io::{self, Write};

use crate::manifest::write_value;
use crate::policy::Severity;
use crate::report::{Detail, Finding, MatchCount, NamedValue, Note, Outcome, Report, WaiverNote};

use super::Renderer;

/// The format tag of JSON reports.
pub(super) const REPORT_FORMAT: &str = "drift-report/1";

/// Renders the documented, stable JSON report: a top-level object with
/// `format`, `outcome`, `fail_on`, `environments`, `summary`, `findings`,
/// `errors` and `notes`. Values use the manifest's value encoding (scalars
/// bare, typed values as single-tag objects, `null` when absent).
#[derive(Debug, Clone)]
pub struct JsonRenderer {
    /// The gate's threshold, for `outcome`.
    pub fail_on: Severity,
}

impl Default for JsonRenderer {
    fn default() -> JsonRenderer {
        JsonRenderer {
            fail_on: Severity::Error,
        }
    }
}

fn s<W: Write + ?Sized>(out: &mut W, text: &str) -> io::Result<()> {
    crate::manifest::write_json_str(out, text)
}

fn opt_s<W: Write + ?Sized>(out: &mut W, text: Option<&str>) -> io::Result<()> {
    match text {
        Some(t) => s(out, t),
        None => out.write_all(b"null"),
    }
}

/// `[item, item]` on one line, each item written by `each`.
fn inline<W: Write + ?Sized, T>(
    out: &mut W,
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(&mut W, T) -> io::Result<()>,
) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.write_all(b", ")?;
        }
        each(out, item)?;
    }
    out.write_all(b"]")
}

/// The items of a top-level list, one per line at `indent`, and the line
/// break before the closing bracket when there are any (the caller writes
/// the brackets).
fn lines<W: Write + ?Sized, T>(
    out: &mut W,
    indent: &str,
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(&mut W, T) -> io::Result<()>,
) -> io::Result<()> {
    let mut any = false;
    for item in items {
        out.write_all(if any { b",\n" } else { b"\n" })?;
        out.write_all(indent.as_bytes())?;
        each(out, item)?;
        any = true;
    }
    if any {
        out.write_all(b"\n")?;
        out.write_all(&indent.as_bytes()[2..])?;
    }
    Ok(())
}

fn names<W: Write + ?Sized, N: AsRef<str>>(out: &mut W, list: &[N]) -> io::Result<()> {
    inline(out, list, |out, n| s(out, n.as_ref()))
}

fn values<W: Write + ?Sized>(out: &mut W, vals: &[NamedValue]) -> io::Result<()> {
    out.write_all(b"{")?;
    for (i, (name, v)) in vals.iter().enumerate() {
        if i > 0 {
            out.write_all(b", ")?;
        }
        s(out, name)?;
        out.write_all(b": ")?;
        match v {
            Some(v) => write_value(&mut *out, v)?,
            None => out.write_all(b"null")?,
        }
    }
    out.write_all(b"}")
}

fn waiver<W: Write + ?Sized>(out: &mut W, w: Option<&WaiverNote>) -> io::Result<()> {
    let Some(w) = w else {
        return out.write_all(b"null");
    };
    out.write_all(b"{\"reason\": ")?;
    s(out, &w.reason)?;
    out.write_all(b", \"expires\": ")?;
    opt_s(out, w.expires.map(|d| d.to_string()).as_deref())?;
    out.write_all(b", \"origin\": ")?;
    opt_s(out, w.origin.as_deref())?;
    write!(out, ", \"baseline\": {}}}", w.baseline)
}

fn detail<W: Write + ?Sized>(out: &mut W, d: Option<&Detail>) -> io::Result<()> {
    match d {
        None => out.write_all(b"null"),
        Some(Detail::Version(v)) => {
            out.write_all(b"{\"type\": \"version\", \"skew\": ")?;
            s(out, v.skew.as_str())?;
            out.write_all(b", \"newest\": ")?;
            names(out, &v.newest)?;
            out.write_all(b", \"behind\": ")?;
            names(out, &v.behind)?;
            out.write_all(b", \"reference\": ")?;
            opt_s(out, v.reference.as_deref())?;
            out.write_all(b"}")
        }
        Some(Detail::Fields(fields)) => {
            out.write_all(b"{\"type\": \"fields\", \"fields\": ")?;
            inline(out, fields, |out, f| {
                out.write_all(b"{\"field\": ")?;
                s(out, &f.field)?;
                out.write_all(b", \"values\": ")?;
                values(out, &f.values)?;
                out.write_all(b"}")
            })?;
            out.write_all(b"}")
        }
        Some(Detail::Text(diffs)) => {
            out.write_all(b"{\"type\": \"text\", \"diffs\": ")?;
            inline(out, diffs, |out, d| {
                out.write_all(b"{\"from\": ")?;
                s(out, &d.from)?;
                out.write_all(b", \"to\": ")?;
                s(out, &d.to)?;
                out.write_all(b", \"unified\": ")?;
                s(out, &d.unified)?;
                out.write_all(b"}")
            })?;
            out.write_all(b"}")
        }
        Some(Detail::EqualGroups(groups)) => {
            out.write_all(b"{\"type\": \"equal_groups\", \"groups\": ")?;
            inline(out, groups, |out, g| names(out, g))?;
            out.write_all(b"}")
        }
    }
}

fn finding<W: Write + ?Sized>(out: &mut W, f: &Finding) -> io::Result<()> {
    out.write_all(b"{\"key\": ")?;
    s(out, f.key.as_str())?;
    out.write_all(b", \"layer\": ")?;
    s(out, f.key.layer().as_str())?;
    out.write_all(b", \"kind\": ")?;
    s(out, f.kind.as_str())?;
    out.write_all(b", \"severity\": ")?;
    s(out, f.severity.as_str())?;
    out.write_all(b", \"environment\": ")?;
    opt_s(out, f.environment.as_deref())?;
    out.write_all(b", \"values\": ")?;
    values(out, &f.values)?;
    out.write_all(b", \"absent\": ")?;
    inline(out, f.absent(), |out, n| s(out, n))?;
    out.write_all(b", \"odd_one_out\": ")?;
    names(out, &f.odd_one_out)?;
    out.write_all(b", \"detail\": ")?;
    detail(out, f.detail.as_deref())?;
    out.write_all(b", \"waived\": ")?;
    waiver(out, f.waived.as_deref())?;
    out.write_all(b", \"expired_waiver\": ")?;
    waiver(out, f.expired_waiver.as_deref())?;
    out.write_all(b", \"rule\": ")?;
    opt_s(out, f.rule.as_deref())?;
    out.write_all(b", \"reason\": ")?;
    opt_s(out, f.reason.as_deref())?;
    if let Some(c) = f.change_class {
        out.write_all(b", \"change_class\": ")?;
        s(out, c.as_str())?;
    }
    out.write_all(b"}")
}

/// `"readiness": [...]`, one object per release and target environment.
fn readiness<W: Write + ?Sized>(out: &mut W, r: &Report) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, x) in r.readiness.iter().enumerate() {
        if i > 0 {
            out.write_all(b", ")?;
        }
        out.write_all(b"{\"release\": ")?;
        s(out, &x.release)?;
        out.write_all(b", \"environment\": ")?;
        s(out, &x.environment)?;
        out.write_all(b", \"verdict\": ")?;
        s(out, x.verdict.as_str())?;
        for (name, keys) in [
            ("pending", &x.pending),
            ("contract", &x.contract),
            ("blocking", &x.blocking),
        ] {
            write!(out, ", \"{name}\": ")?;
            names(out, keys)?;
        }
        // A fleet: each host's verdict and keys.
        if !x.hosts.is_empty() {
            out.write_all(b", \"hosts\": [")?;
            for (j, h) in x.hosts.iter().enumerate() {
                if j > 0 {
                    out.write_all(b", ")?;
                }
                out.write_all(b"{\"host\": ")?;
                s(out, &h.host)?;
                out.write_all(b", \"verdict\": ")?;
                s(out, h.verdict.as_str())?;
                for (name, keys) in [
                    ("pending", &h.pending),
                    ("contract", &h.contract),
                    ("blocking", &h.blocking),
                ] {
                    write!(out, ", \"{name}\": ")?;
                    names(out, keys)?;
                }
                out.write_all(b"}")?;
            }
            out.write_all(b"]")?;
        }
        out.write_all(b"}")?;
    }
    out.write_all(b"]")
}

fn note_kind(n: &Note) -> &'static str {
    match n {
        Note::WaiverExpired { .. } => "waiver_expired",
        Note::WaiverUnused { .. } => "waiver_unused",
        Note::RuleUnused { .. } => "rule_unused",
        Note::BaselineStale { .. } => "baseline_stale",
        Note::BaselineExpired { .. } => "baseline_expired",
        Note::FingerprintKeysDiffer { .. } => "fingerprint_keys_differ",
        Note::HiddenInSome { .. } => "hidden_in_some",
        Note::UnkeyedFingerprints { .. } => "unkeyed_fingerprints",
    }
}

impl Renderer for JsonRenderer {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let outcome = match report.outcome(self.fail_on) {
            Outcome::Clean => "clean",
            Outcome::Drift => "drift",
            _ => "incomplete",
        };
        write!(
            out,
            "{{\n  \"format\": \"{REPORT_FORMAT}\",\n  \"outcome\": \"{outcome}\",\n  \"fail_on\": \"{}\",\n  \"environments\": [",
            self.fail_on
        )?;
        for (i, e) in report.environments.iter().enumerate() {
            out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
            out.write_all(b"{\"name\": ")?;
            s(out, &e.name)?;
            out.write_all(b", \"hosts\": ")?;
            inline(out, &e.hosts, |out, h| {
                out.write_all(b"{\"name\": ")?;
                s(out, &h.name)?;
                out.write_all(b", \"target\": ")?;
                s(out, &h.target)?;
                out.write_all(b", \"created_at\": ")?;
                opt_s(out, h.created_at.as_deref())?;
                write!(
                    out,
                    ", \"entries\": {}, \"errors\": {}, \"hidden\": {{",
                    h.entries, h.errors
                )?;
                for (k, (by, n)) in h.hidden.iter().enumerate() {
                    let sep = if k == 0 { "" } else { ", " };
                    write!(out, "{sep}\"{by}\": {n}")?;
                }
                out.write_all(b"}}")
            })?;
            out.write_all(b"}")?;
        }
        out.write_all(b"\n  ]")?;
        // Against a release only: the verdict per target environment.
        if !report.readiness.is_empty() {
            out.write_all(b",\n  \"readiness\": ")?;
            readiness(out, report)?;
        }
        let sm = &report.summary;
        write!(
            out,
            ",\n  \"summary\": {{\"keys\": {}, \"findings\": {}, \"error\": {}, \"warning\": {}, \"info\": {}, \"waived\": {}, \"baselined\": {}, \"complete\": {}}},\n  \"findings\": [",
            sm.keys,
            sm.findings,
            sm.errors,
            sm.warnings,
            sm.infos,
            sm.waived,
            sm.baselined,
            sm.complete
        )?;
        super::write_parallel(&report.findings, out, |i, f, buf| {
            buf.extend_from_slice(if i == 0 { b"\n    " } else { b",\n    " });
            finding(buf, f)
        })?;
        if !report.findings.is_empty() {
            out.write_all(b"\n  ")?;
        }
        out.write_all(b"],\n  \"errors\": [")?;
        lines(out, "    ", &report.errors, |out, e| {
            out.write_all(b"{\"environment\": ")?;
            s(out, &e.environment)?;
            out.write_all(b", \"target\": ")?;
            s(out, &e.target)?;
            out.write_all(b", \"collector\": ")?;
            s(out, &e.error.collector)?;
            out.write_all(b", \"source\": ")?;
            s(out, &e.error.source)?;
            out.write_all(b", \"line\": ")?;
            match e.error.line {
                Some(l) => write!(out, "{l}")?,
                None => out.write_all(b"null")?,
            }
            out.write_all(b", \"kind\": ")?;
            serde_json::to_writer(&mut *out, &e.error.kind).map_err(io::Error::from)?;
            out.write_all(b", \"message\": ")?;
            s(out, &e.error.message)?;
            out.write_all(b"}")
        })?;
        out.write_all(b"],\n  \"notes\": [")?;
        lines(out, "    ", &report.notes, |out, n| {
            out.write_all(b"{\"kind\": ")?;
            s(out, note_kind(n))?;
            out.write_all(b", \"message\": ")?;
            s(out, &n.to_string())?;
            out.write_all(b"}")
        })?;
        out.write_all(b"],\n  \"policy\": {")?;
        let m = &report.matches;
        for (i, (name, list)) in [
            ("rules", &m.rules),
            ("waivers", &m.waivers),
            ("baseline", &m.baseline),
        ]
        .into_iter()
        .enumerate()
        {
            let sep = if i == 0 { "" } else { "," };
            write!(out, "{sep}\n    \"{name}\": [")?;
            lines(out, "      ", list, match_count)?;
            out.write_all(b"]")?;
        }
        out.write_all(b"\n  }\n}\n")
    }
}

/// `{"origin", "keys", "matched_keys"}`, and `matched_findings` for
/// waivers and baseline entries.
fn match_count<W: Write + ?Sized>(out: &mut W, c: &MatchCount) -> io::Result<()> {
    out.write_all(b"{\"origin\": ")?;
    opt_s(out, c.origin.as_deref())?;
    out.write_all(b", \"keys\": ")?;
    names(out, &c.globs)?;
    write!(out, ", \"matched_keys\": {}", c.keys)?;
    if let Some(n) = c.findings {
        write!(out, ", \"matched_findings\": {n}")?;
    }
    out.write_all(b"}")
}
