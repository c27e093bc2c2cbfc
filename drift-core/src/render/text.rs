//! The text report for people: grouped by layer and severity, the odd one
//! out first, colour only when asked for.
//!
//! Every text that came from outside (keys, values, names, diffs, reasons,
//! errors, notes) is written through [`crate::display`]: escaped, so that
//! drift's own colours are the only escape sequences the report holds, and
//! cut to a width, so that a huge key or value does not flood a terminal
//! (the JSON report keeps them whole).

use std::borrow::Cow;
use std::io::{self, Write};

use crate::display::{escape, escape_cut};
use crate::policy::Severity;
use crate::report::{Detail, Finding, FindingKind, Outcome, Report};
use crate::value::Value;

use super::{Renderer, thousands};

/// Renders a report as grouped, aligned text.
#[derive(Debug, Clone)]
pub struct TextRenderer {
    /// Use ANSI colours (the caller decides: a terminal, and no `NO_COLOR`).
    pub color: bool,
    /// The gate's threshold, for the result line.
    pub fail_on: Severity,
}

impl Default for TextRenderer {
    fn default() -> TextRenderer {
        TextRenderer {
            color: false,
            fail_on: Severity::Error,
        }
    }
}

/// The indentation of a finding's detail lines.
const INDENT: &str = "           ";

/// The widest a value is shown before it is cut.
pub(super) const MAX_VALUE_CHARS: usize = 100;
/// The widest a key is shown before it is cut.
pub(super) const MAX_KEY_CHARS: usize = 200;
/// The widest an environment's or a host's name is shown.
const MAX_NAME_CHARS: usize = 200;
/// The widest a line of a text diff, a reason, an error or a note is shown.
pub(super) const MAX_LINE_CHARS: usize = 1000;
/// How many names a group line lists before it counts the rest.
const MAX_NAMES: usize = 4;

#[derive(Clone, Copy)]
enum Style {
    Bold,
    Dim,
    Red,
    Yellow,
    Cyan,
    Green,
}

struct Painter {
    color: bool,
}

impl Painter {
    /// `text` in `style`, escaped whatever it holds, so that drift's
    /// colours are the only escape sequences written.
    fn paint<'t>(&self, style: Style, text: &'t str) -> Cow<'t, str> {
        let text = escape(text);
        if !self.color {
            return text;
        }
        let code = match style {
            Style::Bold => "1",
            Style::Dim => "2",
            Style::Red => "1;31",
            Style::Yellow => "33",
            Style::Cyan => "36",
            Style::Green => "32",
        };
        Cow::Owned(format!("\x1b[{code}m{text}\x1b[0m"))
    }

    fn severity(&self, s: Severity) -> Cow<'static, str> {
        match s {
            Severity::Error => self.paint(Style::Red, "ERROR  "),
            Severity::Warning => self.paint(Style::Yellow, "WARNING"),
            _ => self.paint(Style::Cyan, "INFO   "),
        }
    }
}

/// A value as shown: escaped, and cut when long.
pub(crate) fn shown(v: Option<&Value>) -> String {
    match v {
        None => "(absent)".to_owned(),
        Some(v) => {
            let text = v.to_string();
            match escape_cut(&text, MAX_VALUE_CHARS) {
                Cow::Borrowed(_) => text,
                Cow::Owned(shown) => shown,
            }
        }
    }
}

/// A key as shown: escaped, and cut when long.
pub(crate) fn key(k: &str) -> Cow<'_, str> {
    escape_cut(k, MAX_KEY_CHARS)
}

/// An environment's or a host's name as shown: escaped, and cut when long.
pub(crate) fn name(n: &str) -> Cow<'_, str> {
    escape_cut(n, MAX_NAME_CHARS)
}

/// A line of text from outside (a diff's, a reason, an error, a note):
/// escaped, and cut when long.
pub(crate) fn line(text: &str) -> Cow<'_, str> {
    escape_cut(text, MAX_LINE_CHARS)
}

/// `text`, then spaces up to `width` characters (what `{:<width$}` does).
fn write_padded(out: &mut dyn Write, text: &str, width: usize) -> io::Result<()> {
    out.write_all(text.as_bytes())?;
    const SPACES: &[u8; 32] = b"                                ";
    let mut pad = width.saturating_sub(text.chars().count());
    while pad > 0 {
        let n = pad.min(SPACES.len());
        out.write_all(&SPACES[..n])?;
        pad -= n;
    }
    Ok(())
}

pub(super) fn list(names: &[&str]) -> String {
    if names.len() <= MAX_NAMES {
        names.join(", ")
    } else {
        format!(
            "{} and {} more",
            names[..MAX_NAMES - 1].join(", "),
            names.len() - (MAX_NAMES - 1)
        )
    }
}

/// A few of something, without a heap allocation for the usual counts.
pub(super) type Few<T> = smallvec::SmallVec<[T; 4]>;

/// One line that shows a value: the names that have it (as [`list`] writes
/// them), the value, and whether they are the odd ones out.
pub(super) struct ValueLine<'f> {
    /// The names, as [`name`] shows them.
    pub(super) names: Few<Cow<'f, str>>,
    pub(super) value: Option<&'f Value>,
    pub(super) odd: bool,
}

impl ValueLine<'_> {
    /// The width of the names as [`list`] writes them, in characters.
    fn names_width(&self) -> usize {
        let shown = if self.names.len() <= MAX_NAMES {
            self.names.len()
        } else {
            MAX_NAMES - 1
        };
        let joined: usize = self.names[..shown]
            .iter()
            .map(|n| n.chars().count())
            .sum::<usize>()
            + 2 * shown.saturating_sub(1);
        if shown == self.names.len() {
            joined
        } else {
            joined + " and  more".len() + count_digits(self.names.len() - shown)
        }
    }

    /// Writes the names as [`list`] does, padded to `width` characters.
    fn write_names(&self, out: &mut Vec<u8>, width: usize) {
        if self.names.len() > MAX_NAMES {
            let names: Few<&str> = self.names.iter().map(|n| &**n).collect();
            let _ = write_padded(out, &list(&names), width);
            return;
        }
        for (i, n) in self.names.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(b", ");
            }
            out.extend_from_slice(n.as_bytes());
        }
        let _ = write_padded(out, "", width.saturating_sub(self.names_width()));
    }
}

fn count_digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Writes a value as [`shown`] does; numbers and booleans (written as in
/// a manifest) without a string in between.
fn write_shown(out: &mut Vec<u8>, v: Option<&Value>) {
    match v {
        Some(v @ (Value::Int(_) | Value::Bool(_))) => {
            // Writing into a vector cannot fail.
            let _ = crate::manifest::write_value(out, v);
        }
        _ => out.extend_from_slice(shown(v).as_bytes()),
    }
}

/// The lines that show each value: the odd ones out first, then the others,
/// each side grouped by equal value, in environment order.
pub(super) fn value_lines(f: &Finding) -> Few<ValueLine<'_>> {
    let mut lines: Few<ValueLine<'_>> = Few::new();
    for (name, v) in &f.values {
        if f.odd_one_out.contains(name) {
            match lines.iter_mut().find(|l| l.value == v.as_ref()) {
                Some(line) => line.names.push(self::name(name)),
                None => lines.push(ValueLine {
                    names: [self::name(name)].into_iter().collect(),
                    value: v.as_ref(),
                    odd: true,
                }),
            }
        }
    }
    let odd = lines.len();
    for (name, v) in &f.values {
        if f.odd_one_out.contains(name) {
            continue;
        }
        match lines[odd..].iter_mut().find(|l| l.value == v.as_ref()) {
            Some(line) => line.names.push(self::name(name)),
            None => lines.push(ValueLine {
                names: [self::name(name)].into_iter().collect(),
                value: v.as_ref(),
                odd: false,
            }),
        }
    }
    lines
}

/// The keys behind a readiness verdict, a line per kind; for a fleet, each
/// key with the hosts it holds on (unless all), then each host's verdict.
fn readiness_lines(out: &mut dyn Write, r: &crate::readiness::Readiness) -> io::Result<()> {
    type HostKeys = fn(&crate::readiness::HostReadiness) -> &[String];
    let lines: [(&str, &[String], HostKeys); 3] = [
        ("blocked by", &r.blocking, |h| &h.blocking),
        ("contract (a later release)", &r.contract, |h| &h.contract),
        ("migrate first", &r.pending, |h| &h.pending),
    ];
    for (what, keys, of_host) in lines {
        if keys.is_empty() {
            continue;
        }
        let shown: Vec<String> = keys
            .iter()
            .map(|k| {
                let on: Vec<Cow<'_, str>> = r
                    .hosts
                    .iter()
                    .filter(|h| of_host(h).contains(k))
                    .map(|h| name(&h.host))
                    .collect();
                if on.is_empty() || on.len() == r.hosts.len() {
                    key(k).into_owned()
                } else {
                    format!("{} ({})", key(k), on.join(", "))
                }
            })
            .collect();
        writeln!(out, "    {what}: {}", shown.join(", "))?;
    }
    if !r.hosts.is_empty() {
        let hosts: Vec<String> = r
            .hosts
            .iter()
            .map(|h| format!("{} {}", name(&h.host), h.verdict.title()))
            .collect();
        writeln!(out, "    hosts: {}", hosts.join(" · "))?;
    }
    Ok(())
}

impl TextRenderer {
    fn finding(&self, p: &Painter, f: &Finding, out: &mut Vec<u8>) -> io::Result<()> {
        let indent = INDENT;
        // The lines of a million findings are written piece by piece, not
        // through `format!`: the same bytes, a fraction of the time.
        out.write_all(b"  ")?;
        out.write_all(p.severity(f.severity).as_bytes())?;
        out.write_all(b"  ")?;
        write_padded(out, f.kind.as_str(), 13)?;
        out.write_all(b" ")?;
        out.write_all(p.paint(Style::Bold, &key(f.key.as_str())).as_bytes())?;
        if let (FindingKind::Outlier, Some(env)) = (f.kind, &f.environment) {
            let env = name(env);
            let odd: Vec<Cow<'_, str>> = f.odd_one_out.iter().map(|n| name(n)).collect();
            let odd: Vec<&str> = odd.iter().map(|n| &**n).collect();
            let siblings = f.values.len() - odd.len();
            write!(
                out,
                "  {}",
                p.paint(
                    Style::Dim,
                    &format!(
                        "({env}: {} {} from {} {} sibling{})",
                        list(&odd),
                        if odd.len() == 1 { "differs" } else { "differ" },
                        if odd.len() == 1 { "its" } else { "their" },
                        siblings,
                        if siblings == 1 { "" } else { "s" }
                    )
                )
            )?;
        } else if let (Some(env), false) = (&f.environment, f.odd_one_out.is_empty()) {
            // A release held to a fleet: the hosts where the finding holds.
            let on: Vec<Cow<'_, str>> = f.odd_one_out.iter().map(|n| name(n)).collect();
            write!(
                out,
                "  {}",
                p.paint(Style::Dim, &format!("({}: {})", name(env), on.join(", ")))
            )?;
        } else if let Some(env) = &f.environment {
            write!(
                out,
                "  {}",
                p.paint(Style::Dim, &format!("(hosts of {})", name(env)))
            )?;
        }
        if let Some(c) = f.change_class {
            write!(out, "  {}", p.paint(Style::Dim, &format!("[{c}]")))?;
        }
        writeln!(out)?;
        let show_values = !matches!(f.detail.as_deref(), Some(Detail::Fields(_)))
            || f.kind == FindingKind::Missing;
        if show_values {
            let lines = value_lines(f);
            let width = lines
                .iter()
                .map(ValueLine::names_width)
                .max()
                .unwrap_or(0)
                .min(32);
            for line in lines {
                out.write_all(indent.as_bytes())?;
                line.write_names(out, width);
                out.write_all(b"  ")?;
                write_shown(out, line.value);
                if line.odd && !f.odd_one_out.is_empty() {
                    out.write_all(b"  ")?;
                    out.write_all(p.paint(Style::Red, "← odd one out").as_bytes())?;
                }
                out.write_all(b"\n")?;
            }
        }
        match f.detail.as_deref() {
            Some(Detail::Version(v)) => {
                let names =
                    |list: &[String]| list.iter().map(|n| name(n)).collect::<Vec<_>>().join(", ");
                let mut line = format!("{} skew", v.skew);
                if !v.behind.is_empty() {
                    line.push_str(&format!(" · behind: {}", names(&v.behind)));
                }
                if !v.newest.is_empty() {
                    line.push_str(&format!(" · newest: {}", names(&v.newest)));
                }
                if let Some(r) = &v.reference {
                    line.push_str(&format!(
                        " · must not be older than {}",
                        escape_cut(r, MAX_VALUE_CHARS)
                    ));
                }
                writeln!(out, "{indent}{}", p.paint(Style::Dim, &line))?;
            }
            Some(Detail::Fields(fields)) => {
                for fd in fields {
                    let vals: Vec<String> = fd
                        .values
                        .iter()
                        .map(|(n, v)| format!("{} {}", name(n), shown(v.as_ref())))
                        .collect();
                    writeln!(out, "{indent}{}: {}", key(&fd.field), vals.join(" · "))?;
                }
            }
            Some(Detail::Text(diffs)) => {
                for d in diffs {
                    for text in d.unified.lines() {
                        let line = &*self::line(text);
                        let styled = if line.starts_with("@@") {
                            p.paint(Style::Cyan, line)
                        } else if line.starts_with('+') {
                            p.paint(Style::Green, line)
                        } else if line.starts_with('-') {
                            p.paint(Style::Red, line)
                        } else {
                            Cow::Borrowed(line)
                        };
                        writeln!(out, "{indent}{styled}")?;
                    }
                }
            }
            Some(Detail::EqualGroups(groups)) => {
                for g in groups {
                    writeln!(
                        out,
                        "{indent}{}",
                        p.paint(
                            Style::Dim,
                            &format!(
                                "equal, but must differ: {}",
                                g.iter().map(|n| name(n)).collect::<Vec<_>>().join(" = ")
                            )
                        )
                    )?;
                }
            }
            _ => {}
        }
        if let Some(reason) = &f.reason {
            let origin = f
                .rule
                .as_ref()
                .map(|r| format!(" ({})", line(r)))
                .unwrap_or_default();
            writeln!(
                out,
                "{indent}{}",
                p.paint(Style::Dim, &format!("why: {}{origin}", line(reason)))
            )?;
        }
        if let Some(w) = &f.expired_waiver {
            let text = format!(
                "{} expired on {}: {}",
                if w.baseline {
                    "baseline entry"
                } else {
                    "waiver"
                },
                w.expires.map(|d| d.to_string()).unwrap_or_default(),
                line(&w.reason)
            );
            writeln!(out, "{indent}{}", p.paint(Style::Yellow, &text))?;
        }
        Ok(())
    }
}

impl Renderer for TextRenderer {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let p = Painter { color: self.color };
        let envs: Vec<String> = report
            .environments
            .iter()
            .map(|e| {
                if e.hosts.len() > 1 {
                    format!("{} ({} hosts)", name(&e.name), e.hosts.len())
                } else {
                    name(&e.name).into_owned()
                }
            })
            .collect();
        writeln!(
            out,
            "{} {} · {} keys compared",
            p.paint(Style::Bold, "drift:"),
            envs.join(" → "),
            thousands(report.summary.keys)
        )?;
        if !report.readiness.is_empty() {
            writeln!(out, "\n{}", p.paint(Style::Bold, "DEPLOY READINESS"))?;
            for r in &report.readiness {
                let fleet = if r.hosts.is_empty() {
                    String::new()
                } else {
                    format!(" ({} hosts)", r.hosts.len())
                };
                writeln!(
                    out,
                    "  {} → {}{fleet}: {}",
                    name(&r.release),
                    name(&r.environment),
                    p.paint(Style::Bold, r.verdict.title())
                )?;
                readiness_lines(out, r)?;
            }
        }
        for (layer, list) in super::by_layer(report) {
            let count = list.len();
            writeln!(
                out,
                "\n{} {}",
                p.paint(Style::Bold, &layer.as_str().to_uppercase()),
                p.paint(
                    Style::Dim,
                    &format!(
                        "({} finding{})",
                        thousands(count),
                        if count == 1 { "" } else { "s" }
                    )
                )
            )?;
            super::write_parallel(&list, out, |_, f, buf| self.finding(&p, f, buf))?;
        }
        let waived: Vec<&Finding> = report.findings.iter().filter(|f| !f.is_active()).collect();
        if !waived.is_empty() {
            let title = match (report.summary.waived, report.summary.baselined) {
                (0, _) => "BASELINED",
                (_, 0) => "WAIVED",
                _ => "WAIVED AND BASELINED",
            };
            writeln!(out, "\n{}", p.paint(Style::Bold, title))?;
            for f in waived {
                if let Some(w) = &f.waived {
                    let until = w.expires.map(|d| format!(" until {d}")).unwrap_or_default();
                    writeln!(
                        out,
                        "  {:<7}  {:<13} {}",
                        f.severity.as_str(),
                        f.kind.as_str(),
                        key(f.key.as_str()),
                    )?;
                    writeln!(
                        out,
                        "           {}",
                        p.paint(
                            Style::Dim,
                            &format!(
                                "{}{until}: {}{}",
                                if w.baseline { "baselined" } else { "waived" },
                                line(&w.reason),
                                w.origin
                                    .as_deref()
                                    .filter(|_| w.baseline)
                                    .map(|o| format!(" ({})", line(o)))
                                    .unwrap_or_default()
                            )
                        )
                    )?;
                }
            }
        }
        if !report.errors.is_empty() {
            writeln!(
                out,
                "\n{} {}",
                p.paint(Style::Red, "COLLECTION ERRORS"),
                p.paint(
                    Style::Dim,
                    "(these sources were not compared; the gate fails closed)"
                )
            )?;
            for e in &report.errors {
                writeln!(
                    out,
                    "  {}: {}",
                    name(&e.environment),
                    line(&e.error.to_string())
                )?;
            }
        }
        if !report.notes.is_empty() {
            writeln!(out, "\n{}", p.paint(Style::Bold, "NOTES"))?;
            for n in &report.notes {
                writeln!(out, "  {}", line(&n.to_string()))?;
            }
        }
        if let Some(line) = hidden_line(report) {
            writeln!(out, "\n{}", p.paint(Style::Dim, &line))?;
        }
        let counts = super::counts(&report.summary);
        let verdict = super::verdict(report, self.fail_on);
        let result = match report.outcome(self.fail_on) {
            Outcome::Clean => p.paint(Style::Green, &verdict),
            _ => p.paint(Style::Red, &verdict),
        };
        writeln!(out, "\n{counts} · result: {result}")
    }
}

/// `secrets hidden: dev 3 (name 3) · prod 4 (name 3, content 1)`: how many
/// values each snapshot's secret judgement hid, by layer, when any was.
pub(super) fn hidden_line(report: &Report) -> Option<String> {
    let hosts: Vec<String> = report
        .environments
        .iter()
        .flat_map(|e| &e.hosts)
        .filter(|h| h.hidden_total() > 0)
        .map(|h| {
            let layers: Vec<String> = h
                .hidden
                .iter()
                .map(|(by, n)| format!("{by} {}", thousands(*n)))
                .collect();
            format!(
                "{} {} ({})",
                name(&h.name),
                thousands(h.hidden_total()),
                layers.join(", ")
            )
        })
        .collect();
    (!hosts.is_empty()).then(|| format!("secrets hidden: {}", hosts.join(" · ")))
}
