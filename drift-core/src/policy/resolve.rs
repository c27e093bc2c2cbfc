//! Resolving the settings of one key.

use crate::key::KeyPath;
use crate::version::Skew;

use super::{Expect, Policy, Severity, Tolerance, defaults};

/// The settings that apply to one key.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved<'p> {
    /// What the values must be.
    pub expect: Expect,
    /// Whether a rule set `expect` (else it is the default for the key's name).
    pub expect_explicit: bool,
    /// The environments the expectation is about (`None`: all).
    pub environments: Option<&'p [String]>,
    /// A severity set by a rule.
    pub severity: Option<Severity>,
    /// Tolerated version skew.
    pub tolerate: Option<Skew>,
    /// Tolerated numeric difference.
    pub tolerance: Option<Tolerance>,
    /// The environment no other may be older than.
    pub not_older_than: Option<&'p str>,
    /// Leave development-only dependencies out.
    pub ignore_dev: bool,
    /// The reason of the last matching rule that gave one.
    pub reason: Option<&'p str>,
    /// Where the last matching rule was written.
    pub rule: Option<&'p str>,
    /// The index of the rule that gave `reason`.
    pub reason_index: Option<usize>,
    /// The index of the rule that gave `rule`.
    pub rule_index: Option<usize>,
    /// The index of the rule that gave `expect` (`None`: the default).
    pub expect_index: Option<usize>,
}

pub(super) fn resolve<'p>(policy: &'p Policy, key: &KeyPath) -> Resolved<'p> {
    let mut r = Resolved {
        expect: defaults::expect_for(key),
        expect_explicit: false,
        environments: None,
        severity: None,
        tolerate: None,
        tolerance: None,
        not_older_than: None,
        ignore_dev: false,
        reason: None,
        rule: None,
        reason_index: None,
        rule_index: None,
        expect_index: None,
    };
    for (index, rule) in policy.rules.iter().enumerate() {
        if !rule.matches(key.as_str()) {
            continue;
        }
        if let Some(e) = rule.expect {
            r.expect = e;
            r.expect_explicit = true;
            r.environments = rule.environments.as_deref();
            r.expect_index = Some(index);
        }
        if rule.severity.is_some() {
            r.severity = rule.severity;
        }
        if rule.tolerate.is_some() {
            r.tolerate = rule.tolerate;
        }
        if rule.tolerance.is_some() {
            r.tolerance = rule.tolerance;
        }
        if let Some(env) = &rule.not_older_than {
            r.not_older_than = Some(env);
        }
        if let Some(d) = rule.ignore_dev {
            r.ignore_dev = d;
        }
        if let Some(reason) = &rule.reason {
            r.reason = Some(reason);
            r.reason_index = Some(index);
        }
        if let Some(origin) = &rule.origin {
            r.rule = Some(origin);
            r.rule_index = Some(index);
        }
    }
    r
}
