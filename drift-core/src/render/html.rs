//! The HTML report: one self-contained page with the parity matrix (keys ×
//! environments, grouped by layer), a filter box, the odd one out
//! highlighted, each finding's details, and the waived and ignored findings
//! apart (ignored: what `expect = "ignore"` rules hid, when the diff kept
//! it, [`crate::diff::DiffOptions::keep_ignored`]).
//!
//! The page loads nothing: its style and script are inline
//! (`html/report.css`, `html/report.js`), and a Content Security Policy
//! allows those two blocks by their SHA-256 hashes and nothing else
//! (`default-src 'none'`, no `'unsafe-inline'`): no image, frame, font,
//! form or connection, and no script but drift's, even if a value did
//! get through as markup.
//!
//! Values come from hosts that may be hostile, and none does: every text
//! from outside is first escaped for people ([`crate::display`]: controls,
//! escape sequences and bidirectional overrides written visibly, long
//! texts cut), then for HTML (`&`, `<`, `>`, `"`, `'` as entities), and is
//! written only as element text or a double-quoted attribute value —
//! never inside the script or the style, which hold no data at all (the
//! script reads the page).
//!
//! Written by hand rather than through a template crate: the page has
//! exactly those two contexts and one escaping function, the rows of a
//! large report are formatted in parallel batches and streamed like the
//! text report's (a template renders the whole page into memory first),
//! and the CSP hashes must be of the exact bytes written.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::policy::Severity;
use crate::report::{Detail, Finding, FindingKind, Outcome, Report};
use crate::value::Value;

use super::text::{MAX_LINE_CHARS, hidden_line, key, line, name, shown};
use super::{Renderer, counts, thousands, verdict};

/// The page's style, allowed by its hash.
const STYLE: &str = include_str!("html/report.css");
/// The page's script (the filter), allowed by its hash.
const SCRIPT: &str = include_str!("html/report.js");

/// Renders a report as one self-contained HTML page.
#[derive(Debug, Clone)]
pub struct HtmlRenderer {
    /// The gate's threshold, for the verdict.
    pub fail_on: Severity,
}

impl Default for HtmlRenderer {
    fn default() -> HtmlRenderer {
        HtmlRenderer {
            fail_on: Severity::Error,
        }
    }
}

/// `'sha256-BASE64'`: a CSP source that allows exactly `block`.
fn csp_hash(block: &str) -> String {
    let digest = Sha256::digest(block.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The Content Security Policy of the page.
pub(crate) fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src {}; script-src {}; base-uri 'none'; form-action 'none'",
        csp_hash(STYLE),
        csp_hash(SCRIPT)
    )
}

/// `text` (already escaped for people) escaped for HTML element text and
/// double- or single-quoted attribute values.
fn esc(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A value's cell: its class (odd one out, absent) and its text.
fn value_cell(out: &mut String, v: Option<&Value>, odd: bool) {
    let mut class = String::from("value");
    if odd {
        class.push_str(" odd");
    }
    if v.is_none() {
        class.push_str(" absent");
    }
    let _ = write!(out, "<td class=\"{class}\">{}", esc(&shown(v)));
    if odd {
        out.push_str("<span class=\"mark\">odd one out</span>");
    }
    out.push_str("</td>");
}

/// One finding's row of the matrix (a cell per environment) and, when it
/// has any, the row of its details.
fn finding(f: &Finding, envs: &[&str], out: &mut String) {
    let sev = f.severity.as_str();
    let _ = write!(
        out,
        "<tr class=\"finding {sev}\"><th scope=\"row\" class=\"key\">{}</th>\
         <td class=\"kind\"><span class=\"sev {sev}\">{sev}</span> {}</td>",
        esc(&key(f.key.as_str())),
        super::ci::kind_with_class(f)
    );
    let is_odd = |n: &str| f.odd_one_out.iter().any(|o| &**o == n);
    match &f.environment {
        // Among the hosts of one environment: its cell lists each host.
        // (A release held to a fleet: the release's value in its own column.)
        Some(env) => {
            for column in envs {
                if *column != &**env {
                    match f.values.iter().find(|(n, _)| &**n == *column) {
                        Some((n, v)) => value_cell(out, v.as_ref(), is_odd(n)),
                        None => out.push_str("<td class=\"value none\"></td>"),
                    }
                    continue;
                }
                out.push_str("<td class=\"value\"><ul class=\"hosts\">");
                for (host, v) in &f.values {
                    if envs.iter().any(|c| *c == &**host) {
                        continue;
                    }
                    let class = if is_odd(host) { " class=\"odd\"" } else { "" };
                    let _ = write!(
                        out,
                        "<li{class}>{}: {}</li>",
                        esc(&name(host)),
                        esc(&shown(v.as_ref()))
                    );
                }
                out.push_str("</ul></td>");
            }
        }
        None => {
            for column in envs {
                match f.values.iter().find(|(n, _)| &**n == *column) {
                    Some((n, v)) => value_cell(out, v.as_ref(), is_odd(n)),
                    None => out.push_str("<td class=\"value none\"></td>"),
                }
            }
        }
    }
    out.push_str("</tr>\n");
    let mut detail = String::new();
    details(f, &mut detail);
    if !detail.is_empty() {
        let _ = writeln!(
            out,
            "<tr class=\"detail\"><td colspan=\"{}\"><details><summary>details</summary>{detail}</details></td></tr>",
            envs.len() + 2
        );
    }
}

/// A finding's details: differing fields, text diffs, version skew, equal
/// groups, why its rule applies, an expired waiver.
fn details(f: &Finding, out: &mut String) {
    match f.detail.as_deref() {
        Some(Detail::Fields(fields)) if f.kind != FindingKind::Missing => {
            out.push_str("<table class=\"fields\">");
            for fd in fields {
                let _ = write!(out, "<tr><th>{}</th>", esc(&key(&fd.field)));
                for (n, v) in &fd.values {
                    let _ = write!(
                        out,
                        "<td>{}: {}</td>",
                        esc(&name(n)),
                        esc(&shown(v.as_ref()))
                    );
                }
                out.push_str("</tr>");
            }
            out.push_str("</table>");
        }
        Some(Detail::Text(diffs)) => {
            for d in diffs {
                out.push_str("<pre class=\"diff\">");
                for text in d.unified.lines() {
                    let l = line(text);
                    let class = if l.starts_with("@@") {
                        "hunk"
                    } else if l.starts_with('+') {
                        "add"
                    } else if l.starts_with('-') {
                        "del"
                    } else {
                        "ctx"
                    };
                    let _ = writeln!(out, "<span class=\"{class}\">{}</span>", esc(&l));
                }
                out.push_str("</pre>");
            }
        }
        Some(Detail::Version(v)) => {
            let names = |list: &[String]| {
                list.iter()
                    .map(|n| esc(&name(n)).into_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let _ = write!(out, "<p>{} skew", v.skew);
            if !v.behind.is_empty() {
                let _ = write!(out, " · behind: {}", names(&v.behind));
            }
            if !v.newest.is_empty() {
                let _ = write!(out, " · newest: {}", names(&v.newest));
            }
            if let Some(r) = &v.reference {
                let _ = write!(out, " · must not be older than {}", esc(&name(r)));
            }
            out.push_str("</p>");
        }
        Some(Detail::EqualGroups(groups)) => {
            for g in groups {
                let equal: Vec<String> = g.iter().map(|n| esc(&name(n)).into_owned()).collect();
                let _ = write!(out, "<p>equal, but must differ: {}</p>", equal.join(" = "));
            }
        }
        _ => {}
    }
    if let Some(reason) = &f.reason {
        let _ = write!(out, "<p>why: {}", esc(&line(reason)));
        if let Some(rule) = &f.rule {
            let _ = write!(out, " <span class=\"dim\">({})</span>", esc(&line(rule)));
        }
        out.push_str("</p>");
    }
    if let Some(w) = &f.expired_waiver {
        let _ = write!(
            out,
            "<p>waiver expired on {}: {}</p>",
            w.expires.map(|d| d.to_string()).unwrap_or_default(),
            esc(&line(&w.reason))
        );
    }
}

impl HtmlRenderer {
    fn head(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let verdict = verdict(report, self.fail_on);
        write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
             <meta name=\"referrer\" content=\"no-referrer\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>drift: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
            content_security_policy(),
            esc(&verdict)
        )?;
        let class = match report.outcome(self.fail_on) {
            Outcome::Clean => "clean",
            Outcome::Drift => "drift",
            _ => "incomplete",
        };
        let envs: Vec<String> = report
            .environments
            .iter()
            .map(|e| {
                let n = esc(&name(&e.name)).into_owned();
                if e.hosts.len() > 1 {
                    format!("{n} ({} hosts)", thousands(e.hosts.len()))
                } else {
                    n
                }
            })
            .collect();
        writeln!(
            out,
            "<header>\n<h1 class=\"{class}\">drift: {}</h1>\n<p>{} · {} keys compared · {}</p>",
            esc(&verdict),
            counts(&report.summary),
            thousands(report.summary.keys),
            envs.join(" → ")
        )?;
        if let Some(hidden) = hidden_line(report) {
            writeln!(out, "<p class=\"dim\">{}</p>", esc(&line(&hidden)))?;
        }
        writeln!(out, "</header>")
    }

    fn lists(report: &Report, out: &mut dyn Write) -> io::Result<()> {
        if !report.errors.is_empty() {
            writeln!(
                out,
                "<section id=\"errors\"><h2>Collection errors <span class=\"count\">these sources were not compared; the gate fails closed</span></h2><ul>"
            )?;
            for e in &report.errors {
                writeln!(
                    out,
                    "<li>{}: {}</li>",
                    esc(&name(&e.environment)),
                    esc(&line(&e.error.to_string()))
                )?;
            }
            writeln!(out, "</ul></section>")?;
        }
        if !report.notes.is_empty() {
            writeln!(out, "<section id=\"notes\"><h2>Notes</h2><ul>")?;
            for n in &report.notes {
                writeln!(out, "<li>{}</li>", esc(&line(&n.to_string())))?;
            }
            writeln!(out, "</ul></section>")?;
        }
        Ok(())
    }

    fn waived(report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let waived: Vec<&Finding> = report.findings.iter().filter(|f| !f.is_active()).collect();
        if waived.is_empty() {
            return Ok(());
        }
        writeln!(
            out,
            "<section id=\"waived\"><h2>Waived <span class=\"count\">{} finding{}, not counted by the gate</span></h2>\n\
             <table><thead><tr><th>Key</th><th>Finding</th><th>Until</th><th>Why</th><th>Waiver</th></tr></thead><tbody>",
            thousands(waived.len()),
            if waived.len() == 1 { "" } else { "s" }
        )?;
        for f in waived {
            let Some(w) = &f.waived else { continue };
            let sev = f.severity.as_str();
            writeln!(
                out,
                "<tr class=\"waived\"><th scope=\"row\" class=\"key\">{}</th><td><span class=\"sev {sev}\">{sev}</span> {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&key(f.key.as_str())),
                f.kind.as_str(),
                w.expires.map(|d| d.to_string()).unwrap_or_default(),
                esc(&line(&w.reason)),
                esc(&line(w.origin.as_deref().unwrap_or("")))
            )?;
        }
        writeln!(out, "</tbody></table></section>")
    }

    /// What ignore rules hid: each would-be finding with its values and the
    /// rule that ignores its key.
    fn ignored(report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let n = report.ignored.len();
        if n == 0 {
            return Ok(());
        }
        writeln!(
            out,
            "<section id=\"ignored\"><h2>Ignored <span class=\"count\">{} finding{} an ignore rule hid, judged by the default expectation; not counted by the gate</span></h2>\n\
             <table><thead><tr><th>Key</th><th>Would be</th><th>Values</th><th>Ignored by</th><th>Why</th></tr></thead><tbody>",
            thousands(n),
            if n == 1 { "" } else { "s" }
        )?;
        super::write_parallel(&report.ignored, out, |_, f, buf| {
            let sev = f.severity.as_str();
            let mut row = String::with_capacity(256);
            let _ = write!(
                row,
                "<tr class=\"ignored\"><th scope=\"row\" class=\"key\">{}</th><td><span class=\"sev {sev}\">{sev}</span> {}</td><td><ul class=\"hosts\">",
                esc(&key(f.key.as_str())),
                f.kind.as_str()
            );
            for (n, v) in &f.values {
                let class = if f.odd_one_out.iter().any(|o| o == n) {
                    " class=\"odd\""
                } else {
                    ""
                };
                let _ = write!(
                    row,
                    "<li{class}>{}: {}</li>",
                    esc(&name(n)),
                    esc(&shown(v.as_ref()))
                );
            }
            let _ = writeln!(
                row,
                "</ul></td><td>{}</td><td>{}</td></tr>",
                esc(&line(f.rule.as_deref().unwrap_or(""))),
                esc(&line(f.reason.as_deref().unwrap_or("")))
            );
            buf.write_all(row.as_bytes())
        })?;
        writeln!(out, "</tbody></table></section>")
    }
}

impl Renderer for HtmlRenderer {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        self.head(report, out)?;
        writeln!(out, "<main>")?;
        Self::lists(report, out)?;
        writeln!(
            out,
            "<div class=\"filter\"><label for=\"filter\">Filter</label> \
             <input id=\"filter\" type=\"search\" autocomplete=\"off\" spellcheck=\"false\" \
             placeholder=\"key, value, environment, kind…\"> <span id=\"shown\" class=\"dim\"></span></div>"
        )?;
        let envs: Vec<&str> = report.environments.iter().map(|e| &*e.name).collect();
        let mut columns = String::new();
        for e in &envs {
            let _ = write!(columns, "<th scope=\"col\">{}</th>", esc(&name(e)));
        }
        for (layer, list) in super::by_layer(report) {
            writeln!(
                out,
                "<section class=\"findings\" id=\"layer-{0}\"><h2>{0} <span class=\"count\">{1} finding{2}</span></h2>\n\
                 <table class=\"matrix\"><thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Finding</th>{columns}</tr></thead><tbody>",
                layer.as_str(),
                thousands(list.len()),
                if list.len() == 1 { "" } else { "s" }
            )?;
            super::write_parallel(&list, out, |_, f, buf| {
                let mut row = String::with_capacity(256);
                finding(f, &envs, &mut row);
                buf.write_all(row.as_bytes())
            })?;
            writeln!(out, "</tbody></table></section>")?;
        }
        if report.summary.findings == 0 {
            writeln!(out, "<p>No drift at any severity.</p>")?;
        }
        Self::waived(report, out)?;
        Self::ignored(report, out)?;
        writeln!(
            out,
            "<p class=\"dim\">Values are cut at 100 characters and lines at {} (the JSON report keeps them whole); secrets are shown only as fingerprints.</p>",
            thousands(MAX_LINE_CHARS)
        )?;
        writeln!(out, "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping() {
        assert_eq!(esc("plain"), "plain");
        assert_eq!(
            esc("<img src=x onerror=\"a('1')\">&"),
            "&lt;img src=x onerror=&quot;a(&#39;1&#39;)&quot;&gt;&amp;"
        );
    }

    #[test]
    fn the_policy_allows_only_the_inline_blocks() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none'; style-src 'sha256-"));
        assert!(!csp.contains("unsafe"));
        // The known SHA-256 of the empty string, as a CSP source.
        assert_eq!(
            csp_hash(""),
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
        );
        // Neither block can end its element early.
        assert!(!STYLE.contains("</"));
        assert!(!SCRIPT.contains("</"));
    }
}
