//! The SARIF 2.1.0 report, through `serde-sarif`, for code scanning
//! (GitHub's, and other SARIF viewers).
//!
//! - one rule per layer and kind of finding, `drift/LAYER/KIND`, with help
//!   text, in the driver's `rules`;
//! - one result per finding: the level of its severity (`error`,
//!   `warning`, `note`), a message naming the key, the environments and
//!   their values (escaped as in the text report; secrets are
//!   fingerprints), the same in `properties`, the finding's place (see
//!   [`Context`]), a `partialFingerprints` entry that stays the same from
//!   run to run while the drift does, and a suppression when it is waived;
//! - `automationDetails.id` names the environments compared, so that each
//!   set of environments is its own analysis;
//! - collection errors and notes are the invocation's notifications.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{Value as Json, json};
use serde_sarif::sarif;

use crate::key::Layer;
use crate::policy::Severity;
use crate::report::{Finding, FindingKind, Report};

use super::context::{Context, Location};
use super::{Renderer, ci};

/// The key of drift's entry in `partialFingerprints`.
pub(crate) const FINGERPRINT_KEY: &str = "driftFinding/v1";

/// The most results a report holds: GitHub code scanning takes at most
/// 25,000 a run. Past it, the most severe findings are kept (in report
/// order), and a notification counts the others; this also bounds the
/// memory a report of a million findings takes.
pub(crate) const MAX_RESULTS: usize = 25_000;

/// Renders a report as SARIF 2.1.0.
#[derive(Debug, Clone)]
pub struct SarifRenderer<'c> {
    /// Where the findings are.
    pub context: &'c Context,
}

fn text(t: impl Into<String>) -> sarif::Message {
    sarif::Message::builder().text(t.into()).build()
}

fn multiformat(t: impl Into<String>) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(t.into())
        .build()
}

fn level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        _ => sarif::ResultLevel::Note,
    }
}

/// A path as a relative URI reference: every byte but unreserved ones and
/// `/` percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn location(loc: &Location) -> sarif::Location {
    let artifact = sarif::ArtifactLocation::builder()
        .uri(uri(loc.path()))
        .build();
    let region = sarif::Region::builder()
        .start_line(i64::from(loc.line().unwrap_or(1)))
        .build();
    sarif::Location::builder()
        .physical_location(
            sarif::PhysicalLocation::builder()
                .artifact_location(artifact)
                .region(region)
                .build(),
        )
        .build()
}

/// `automationDetails.id`: `drift/ENV+ENV+…/`, each name reduced to
/// letters, digits, `.`, `_` and `-`.
fn automation_id(report: &Report) -> String {
    let names: Vec<String> = report
        .environments
        .iter()
        .map(|e| {
            e.name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        })
        .collect();
    format!("drift/{}/", names.join("+"))
}

fn rule(layer: Layer, kind: FindingKind) -> sarif::ReportingDescriptor {
    let name: String = format!("{}_{}", layer.as_str(), kind.as_str())
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    let short = format!("A {} key {}", layer.as_str(), ci::kind_title(kind));
    let mut props = sarif::PropertyBag::builder()
        .tags(vec!["drift".to_owned(), layer.as_str().to_owned()])
        .build();
    props
        .additional_properties
        .insert("layer".to_owned(), json!(layer.as_str()));
    sarif::ReportingDescriptor::builder()
        .id(ci::rule_id(layer, kind))
        .name(name)
        .short_description(multiformat(short.clone()))
        .full_description(multiformat(format!("{short}.")))
        .help(multiformat(ci::kind_help(kind)))
        .properties(props)
        .build()
}

fn result(f: &Finding, rule_index: usize, loc: Option<&Location>) -> sarif::Result {
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_owned(), ci::fingerprint(f));
    let values: serde_json::Map<String, Json> = f
        .values
        .iter()
        .map(|(n, v)| {
            (
                super::text::name(n).into_owned(),
                json!(super::text::shown(v.as_ref())),
            )
        })
        .collect();
    let mut props = sarif::PropertyBag::builder().build();
    let extra = &mut props.additional_properties;
    extra.insert("key".to_owned(), json!(super::text::key(f.key.as_str())));
    extra.insert("kind".to_owned(), json!(f.kind.as_str()));
    if let Some(c) = f.change_class {
        extra.insert("changeClass".to_owned(), json!(c.as_str()));
    }
    extra.insert("severity".to_owned(), json!(f.severity.as_str()));
    extra.insert("environments".to_owned(), json!(ci::environments(f)));
    extra.insert("values".to_owned(), Json::Object(values));
    if !f.odd_one_out.is_empty() {
        let odd: Vec<String> = f
            .odd_one_out
            .iter()
            .map(|n| super::text::name(n).into_owned())
            .collect();
        extra.insert("oddOneOut".to_owned(), json!(odd));
    }
    if let Some(env) = &f.environment {
        extra.insert("environment".to_owned(), json!(super::text::name(env)));
    }
    let mut r = sarif::Result::builder()
        .rule_id(ci::rule_id(f.key.layer(), f.kind))
        .rule_index(rule_index as i64)
        .level(level(f.severity))
        .message(text(ci::message(f)))
        .partial_fingerprints(fingerprints)
        .properties(props)
        .build();
    if let Some(loc) = loc {
        r.locations = Some(vec![location(loc)]);
    }
    if let Some(w) = &f.waived {
        r.suppressions = Some(vec![
            sarif::Suppression::builder()
                .kind(json!("external"))
                .justification(super::text::line(&w.reason).into_owned())
                .build(),
        ]);
    }
    r
}

fn notification(level: &str, message: String) -> sarif::Notification {
    sarif::Notification::builder()
        .level(json!(level))
        .message(text(message))
        .build()
}

/// The findings a report holds, at most `max`: the most severe first
/// chosen, then given in report order.
fn kept(report: &Report, max: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..report.findings.len()).collect();
    if order.len() > max {
        // Stable: among equals, the earlier finding is kept.
        order.sort_by_key(|&i| std::cmp::Reverse(report.findings[i].severity));
        order.truncate(max);
        order.sort_unstable();
    }
    order
}

impl Renderer for SarifRenderer<'_> {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let kept = kept(report, MAX_RESULTS);
        let mut kinds: Vec<(Layer, FindingKind)> = kept
            .iter()
            .map(|&i| {
                let f = &report.findings[i];
                (f.key.layer(), f.kind)
            })
            .collect();
        kinds.sort();
        kinds.dedup();
        let rules: Vec<sarif::ReportingDescriptor> =
            kinds.iter().map(|&(l, k)| rule(l, k)).collect();
        let results: Vec<sarif::Result> = kept
            .iter()
            .map(|&i| {
                let f = &report.findings[i];
                let index = kinds
                    .binary_search(&(f.key.layer(), f.kind))
                    .unwrap_or_default();
                result(f, index, self.context.location(i))
            })
            .collect();
        let mut notifications: Vec<sarif::Notification> = Vec::new();
        let left_out = report.findings.len() - kept.len();
        if left_out > 0 {
            notifications.push(notification(
                "warning",
                format!(
                    "{left_out} less severe finding(s) are left out: a SARIF run holds at most {MAX_RESULTS} results; the JSON report has them all"
                ),
            ));
        }
        notifications.extend(report.errors.iter().map(|e| {
            notification(
                "error",
                format!(
                    "collection incomplete in {}: {}",
                    super::text::name(&e.environment),
                    super::text::line(&e.error.to_string())
                ),
            )
        }));
        notifications.extend(
            report
                .notes
                .iter()
                .map(|n| notification("note", super::text::line(&n.to_string()).into_owned())),
        );
        let invocation = sarif::Invocation::builder()
            .execution_successful(report.summary.complete)
            .tool_execution_notifications(notifications)
            .build();
        let driver = sarif::ToolComponent::builder()
            .name("drift")
            .information_uri(env!("CARGO_PKG_REPOSITORY"))
            .version(env!("CARGO_PKG_VERSION"))
            .semantic_version(env!("CARGO_PKG_VERSION"))
            .rules(rules)
            .build();
        let run = sarif::Run::builder()
            .tool(sarif::Tool::builder().driver(driver).build())
            .automation_details(
                sarif::RunAutomationDetails::builder()
                    .id(automation_id(report))
                    .build(),
            )
            .invocations(vec![invocation])
            .results(results)
            .build();
        let log = sarif::Sarif::builder()
            .schema(sarif::SCHEMA_URL)
            .version(json!("2.1.0"))
            .runs(vec![run])
            .build();
        serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::from)?;
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_severe_findings_are_kept() {
        let report = crate::render::tests::sample();
        let all = kept(&report, usize::MAX);
        assert_eq!(all.len(), report.findings.len());
        let two = kept(&report, 2);
        assert_eq!(two.len(), 2);
        assert!(two.windows(2).all(|w| w[0] < w[1]));
        let least = two
            .iter()
            .map(|&i| report.findings[i].severity)
            .min()
            .unwrap();
        let left_out = (0..report.findings.len()).filter(|i| !two.contains(i));
        assert!(
            left_out
                .map(|i| report.findings[i].severity)
                .all(|s| s <= least)
        );
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("a b/c%d.yaml"), "a%20b/c%25d.yaml");
        assert_eq!(uri("é"), "%C3%A9");
    }
}
