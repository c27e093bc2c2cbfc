//! The JUnit XML report, through `quick-junit`: one test suite per layer,
//! a failing test case per finding at or above the gate's threshold, a
//! passing one per finding below it, a skipped one per waived finding, a
//! passing `compared clean` case per layer without failures, and a suite of
//! errors for sources that could not be collected.
//!
//! XML cannot carry every character: `quick-junit` drops controls and
//! escapes markup, and every text from outside is first escaped as in the
//! text report; the two non-characters XML forbids besides (U+FFFE,
//! U+FFFF) are written as `\u{fffe}`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use crate::key::Layer;
use crate::policy::Severity;
use crate::report::Report;

use super::context::Context;
use super::{Renderer, ci};

/// Renders a report as JUnit XML.
#[derive(Debug, Clone)]
pub struct JunitRenderer<'c> {
    /// Findings at or above it fail their test case.
    pub fail_on: Severity,
    /// The layers compared.
    pub context: &'c Context,
}

/// `text` with what XML cannot carry written visibly.
fn xml(text: &str) -> String {
    text.replace('\u{fffe}', "\\u{fffe}")
        .replace('\u{ffff}', "\\u{ffff}")
}

impl Renderer for JunitRenderer<'_> {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut suites: BTreeMap<Layer, (TestSuite, bool)> = BTreeMap::new();
        for layer in ci::layers(report, &self.context.layers) {
            suites.insert(layer, (TestSuite::new(layer.as_str()), false));
        }
        for f in &report.findings {
            let layer = f.key.layer();
            let Some((suite, failed)) = suites.get_mut(&layer) else {
                continue;
            };
            let rule = ci::rule_id(layer, f.kind);
            let details = xml(&ci::details(f).join("\n"));
            let status = if !f.is_active() {
                let mut s = TestCaseStatus::skipped();
                s.set_message(xml(&format!(
                    "waived: {}",
                    f.waived
                        .as_ref()
                        .map(|w| super::text::line(&w.reason).into_owned())
                        .unwrap_or_default()
                )));
                s.set_type(rule.as_str());
                s.set_description(details.as_str());
                s
            } else if f.severity >= self.fail_on {
                *failed = true;
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(xml(&format!("{} {}", ci::level(f.severity), ci::title(f))));
                s.set_type(rule.as_str());
                s.set_description(details.as_str());
                s
            } else {
                TestCaseStatus::success()
            };
            let mut case = TestCase::new(xml(&super::text::key(f.key.as_str())), status);
            case.set_classname(format!("drift.{}", layer.as_str()));
            if f.is_active() && f.severity < self.fail_on {
                case.set_system_out(details.as_str());
            }
            suite.add_test_case(case);
        }
        let mut junit = quick_junit::Report::new("drift");
        for (layer, (mut suite, failed)) in suites {
            if !failed {
                let mut case = TestCase::new(
                    format!("{} compared clean at {}", layer.as_str(), self.fail_on),
                    TestCaseStatus::success(),
                );
                case.set_classname(format!("drift.{}", layer.as_str()));
                suite.add_test_case(case);
            }
            junit.add_test_suite(suite);
        }
        if !report.errors.is_empty() {
            let mut suite = TestSuite::new("collection");
            for e in &report.errors {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(xml(&super::text::line(&e.error.to_string())));
                s.set_type("drift/collection/error");
                let mut case = TestCase::new(
                    xml(&format!(
                        "{} {}",
                        super::text::name(&e.environment),
                        super::text::line(&e.error.source)
                    )),
                    s,
                );
                case.set_classname("drift.collection");
                suite.add_test_case(case);
            }
            junit.add_test_suite(suite);
        }
        junit.serialize(out).map_err(io::Error::other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_characters_are_written_visibly() {
        assert_eq!(xml("a\u{fffe}b\u{ffff}"), "a\\u{fffe}b\\u{ffff}");
    }
}
