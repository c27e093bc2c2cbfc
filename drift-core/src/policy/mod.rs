//! Policy: which differences are drift, and how serious they are.
//!
//! A [`Policy`] holds [`Rule`]s matched by key glob and [`Waiver`]s. Rules
//! are applied in order and each later matching rule overrides the settings
//! it names (so the last match wins, setting by setting). Where no rule says
//! otherwise, the defaults (`policy/defaults.rs`) apply: every key must be
//! present everywhere, and its value must be equal everywhere unless the key
//! looks environment-specific (hosts, URLs, endpoints, secrets), where
//! presence is enough.

pub mod baseline;
pub(crate) mod defaults;
mod resolve;
mod waiver;

use std::fmt;
use std::str::FromStr;

pub use resolve::Resolved;
pub use waiver::{Waiver, WaiverState};

use crate::pattern::KeyPattern;
use crate::version::Skew;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// Worth knowing; never fails the gate unless `--fail-on info`.
    Info,
    /// Probably wrong.
    Warning,
    /// Will break something.
    Error,
}

impl Severity {
    /// `info`, `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that is not one of a setting's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{found}` is not a valid {what}: expected one of {expected}")]
pub struct ParseSettingError {
    /// What was being parsed.
    pub what: &'static str,
    /// What was found (truncated).
    pub found: String,
    /// The valid values.
    pub expected: &'static str,
}

impl FromStr for Severity {
    type Err = ParseSettingError;

    fn from_str(s: &str) -> Result<Severity, ParseSettingError> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            _ => Err(ParseSettingError {
                what: "severity",
                found: s.chars().take(40).collect(),
                expected: "`info`, `warning`, `error`",
            }),
        }
    }
}

/// What a rule expects of a key's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expect {
    /// Present everywhere with equal values (the default).
    Equal,
    /// Present everywhere with values that differ pairwise (the production
    /// database host must not be staging's).
    Differ,
    /// Present everywhere; values may differ.
    Present,
    /// Not compared at all (in the rule's environments, or everywhere).
    Ignore,
}

impl Expect {
    /// The word used in drift.toml.
    pub fn as_str(self) -> &'static str {
        match self {
            Expect::Equal => "equal",
            Expect::Differ => "differ",
            Expect::Present => "present",
            Expect::Ignore => "ignore",
        }
    }
}

impl FromStr for Expect {
    type Err = ParseSettingError;

    fn from_str(s: &str) -> Result<Expect, ParseSettingError> {
        match s {
            "equal" => Ok(Expect::Equal),
            "differ" => Ok(Expect::Differ),
            "present" => Ok(Expect::Present),
            "ignore" => Ok(Expect::Ignore),
            _ => Err(ParseSettingError {
                what: "expectation",
                found: s.chars().take(40).collect(),
                expected: "`equal`, `differ`, `present`, `ignore`",
            }),
        }
    }
}

/// A numeric tolerance: values within it count as equal.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Tolerance {
    /// Values within this absolute distance are equal.
    Absolute(f64),
    /// Values within this fraction of the largest magnitude are equal
    /// (`0.1` for 10 %).
    Relative(f64),
}

impl Tolerance {
    /// Whether `a` and `b` are within the tolerance.
    pub fn accepts(self, a: f64, b: f64) -> bool {
        let d = (a - b).abs();
        match self {
            Tolerance::Absolute(t) => d <= t,
            Tolerance::Relative(r) => d <= r * a.abs().max(b.abs()),
        }
    }
}

impl FromStr for Tolerance {
    type Err = ParseSettingError;

    /// `5` (absolute) or `10%` (relative).
    fn from_str(s: &str) -> Result<Tolerance, ParseSettingError> {
        let err = || ParseSettingError {
            what: "tolerance",
            found: s.chars().take(40).collect(),
            expected: "a non-negative number such as `5`, or a percentage such as `10%`",
        };
        let t = s.trim();
        let (num, relative) = match t.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (t, false),
        };
        let v: f64 = num.parse().map_err(|_| err())?;
        if !v.is_finite() || v < 0.0 {
            return Err(err());
        }
        Ok(if relative {
            Tolerance::Relative(v / 100.0)
        } else {
            Tolerance::Absolute(v)
        })
    }
}

/// What drift expects of a key no rule names: `present` for settings whose
/// names say they differ by environment by design (hosts, URLs, endpoints),
/// `equal` otherwise (`drift explain` shows it as the default).
pub fn default_expect(key: &crate::key::KeyPath) -> Expect {
    defaults::expect_for(key)
}

/// Parses a version tolerance: `patch`, `minor` (or `major`, `prerelease`).
pub fn parse_tolerate(s: &str) -> Result<Skew, ParseSettingError> {
    match s {
        "prerelease" => Ok(Skew::Prerelease),
        "patch" => Ok(Skew::Patch),
        "minor" => Ok(Skew::Minor),
        "major" => Ok(Skew::Major),
        _ => Err(ParseSettingError {
            what: "version tolerance",
            found: s.chars().take(40).collect(),
            expected: "`prerelease`, `patch`, `minor`, `major`",
        }),
    }
}

/// A rule: settings for the keys matching its globs. `None` settings leave
/// what earlier rules or the defaults said.
#[derive(Debug, Clone, Default)]
pub struct Rule {
    /// The key globs the rule applies to.
    pub keys: Vec<KeyPattern>,
    /// What the values must be.
    pub expect: Option<Expect>,
    /// The environments the expectation is about; `None` for all. For
    /// `ignore`, the environments left out of the comparison.
    pub environments: Option<Vec<String>>,
    /// The severity of findings on these keys.
    pub severity: Option<Severity>,
    /// Version differences up to this skew are tolerated.
    pub tolerate: Option<Skew>,
    /// Numeric differences within this are tolerated.
    pub tolerance: Option<Tolerance>,
    /// No environment may run an older version than this one.
    pub not_older_than: Option<String>,
    /// Leave development-only dependencies out.
    pub ignore_dev: Option<bool>,
    /// Why the rule exists, shown with its findings.
    pub reason: Option<String>,
    /// Where the rule was written (`drift.toml:42`), for reports.
    pub origin: Option<String>,
}

impl Rule {
    /// A rule for the keys matching `glob`, with no settings yet.
    pub fn new(glob: &str) -> Result<Rule, crate::pattern::PatternError> {
        Ok(Rule {
            keys: vec![KeyPattern::new(glob)?],
            ..Rule::default()
        })
    }

    /// Whether the rule matches `key`.
    pub fn matches(&self, key: &str) -> bool {
        self.keys.iter().any(|p| p.matches(key))
    }
}

/// Rules and waivers.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Rules in order; later ones override earlier ones setting by setting.
    pub rules: Vec<Rule>,
    /// Waivers.
    pub waivers: Vec<Waiver>,
}

impl Policy {
    /// The settings for `key`: the defaults, overridden by every matching
    /// rule in order.
    pub fn resolve(&self, key: &crate::key::KeyPath) -> Resolved<'_> {
        resolve::resolve(self, key)
    }

    /// Whether any rule expects values to differ (equal keys must then be
    /// checked too).
    pub(crate) fn has_differ_rules(&self) -> bool {
        self.rules.iter().any(|r| r.expect == Some(Expect::Differ))
    }
}

#[cfg(test)]
mod tests;
