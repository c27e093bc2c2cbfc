//! The report: what the diff engine found, in a form renderers and
//! embedders consume.

use std::fmt;
use std::sync::Arc;

use crate::date::Date;
use crate::key::KeyPath;
use crate::manifest::CollectionError;
use crate::policy::Severity;
use crate::secret::HiddenBy;
use crate::value::Value;
use crate::version::Skew;

/// What kind of difference a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FindingKind {
    /// The key is absent in some environments (or hosts).
    Missing,
    /// The values differ.
    Changed,
    /// The values are of different types (a number here, a string there).
    TypeMismatch,
    /// A rule expects the values to differ, and some are equal.
    NotDifferent,
    /// A version is older than a rule's reference environment.
    Behind,
    /// One or a few hosts of an environment differ from the majority of
    /// their siblings.
    Outlier,
    /// A release's migration the environment has not applied: the deploy
    /// must run it.
    Pending,
    /// A migration the environment applied that the release does not know
    /// (a branch that never merged, or a rollback target).
    Unknown,
    /// A migration applied with another checksum than the release's file.
    Edited,
    /// A pending migration older than the latest applied one.
    OutOfOrder,
    /// A migration that failed, or a history left dirty.
    Failed,
}

impl FindingKind {
    /// The name used in reports: `missing`, `changed`, `type_mismatch`,
    /// `not_different`, `behind`, `outlier`; against a release `pending`,
    /// `unknown`, `edited`, `out_of_order`, `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Missing => "missing",
            FindingKind::Changed => "changed",
            FindingKind::TypeMismatch => "type_mismatch",
            FindingKind::NotDifferent => "not_different",
            FindingKind::Behind => "behind",
            FindingKind::Outlier => "outlier",
            FindingKind::Pending => "pending",
            FindingKind::Unknown => "unknown",
            FindingKind::Edited => "edited",
            FindingKind::OutOfOrder => "out_of_order",
            FindingKind::Failed => "failed",
        }
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name of an environment or host in a report. Shared: a report of a
/// million findings holds each name once.
pub type Name = Arc<str>;

/// One column's value in a finding: an environment (or a host, for outlier
/// findings) and its value, `None` when absent.
pub type NamedValue = (Name, Option<Value>);

/// One difference that matters, with every environment's value.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The key path.
    pub key: KeyPath,
    /// What kind of difference.
    pub kind: FindingKind,
    /// How serious.
    pub severity: Severity,
    /// For findings among the hosts of one environment, that environment;
    /// `None` for findings across environments.
    pub environment: Option<Name>,
    /// Every environment's (or host's) value, in environment order;
    /// secrets are fingerprints.
    pub values: Vec<NamedValue>,
    /// The environments (or hosts) that differ from a strict majority, when
    /// there is one.
    pub odd_one_out: Vec<Name>,
    /// What differs, more precisely.
    pub detail: Option<Box<Detail>>,
    /// The waiver that waives this finding: it does not fail the gate.
    pub waived: Option<Arc<WaiverNote>>,
    /// A waiver that matched but has expired: the finding counts again.
    pub expired_waiver: Option<Arc<WaiverNote>>,
    /// Where the rule that decided the finding's settings was written.
    pub rule: Option<Arc<str>>,
    /// The rule's reason.
    pub reason: Option<Arc<str>>,
    /// Against a release: the schema change's class (`expand`,
    /// `contract`, `unmet`).
    pub change_class: Option<crate::readiness::ChangeClass>,
}

impl Finding {
    /// The environments (or hosts) where the key is absent.
    pub fn absent(&self) -> impl Iterator<Item = &str> {
        self.values
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| &**n)
    }

    /// Whether the finding counts towards the gate (not waived).
    pub fn is_active(&self) -> bool {
        self.waived.is_none()
    }
}

/// Extra detail of a finding.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Detail {
    /// The fields of object values (schema objects) that differ.
    Fields(Vec<FieldDiff>),
    /// Line diffs of text files against a reference environment.
    Text(Vec<TextDiff>),
    /// Version skew.
    Version(VersionDetail),
    /// Groups of environments whose values are equal though they must
    /// differ.
    EqualGroups(Vec<Vec<String>>),
}

/// One differing field of an object value.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDiff {
    /// The field name.
    pub field: String,
    /// Each environment's value of the field.
    pub values: Vec<NamedValue>,
}

/// A unified line diff from one environment's text to another's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextDiff {
    /// The reference environment.
    pub from: String,
    /// The environment compared with it.
    pub to: String,
    /// The unified diff (`-`/`+`/` ` lines with `@@` hunk headers).
    pub unified: String,
}

/// Version skew between environments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionDetail {
    /// The largest skew between any two environments.
    pub skew: Skew,
    /// The environments on the newest version.
    pub newest: Vec<String>,
    /// The environments behind it.
    pub behind: Vec<String>,
    /// The reference of a `not_older_than` rule, if one applied.
    pub reference: Option<String>,
}

/// A waiver as shown in a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverNote {
    /// Why.
    pub reason: String,
    /// Its last day.
    pub expires: Option<Date>,
    /// Where it was written.
    pub origin: Option<String>,
    /// Whether it is a baseline entry rather than a drift.toml waiver.
    pub baseline: bool,
}

/// A collection error of one environment's snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportError {
    /// The environment.
    pub environment: String,
    /// The host (manifest target).
    pub target: String,
    /// The error.
    pub error: CollectionError,
}

/// Something the reader should know that is not a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Note {
    /// A waiver expired; the findings it covered count again.
    WaiverExpired {
        /// The waiver.
        waiver: WaiverNote,
        /// How many findings it would have waived.
        findings: usize,
    },
    /// A waiver matched no finding: it can be removed.
    WaiverUnused {
        /// The waiver.
        waiver: WaiverNote,
    },
    /// A rule matched no key compared: its globs are probably wrong.
    RuleUnused {
        /// Where it was written.
        origin: Option<String>,
        /// Its key globs.
        keys: Vec<String>,
    },
    /// A baseline entry matched no finding: the drift it accepted was fixed
    /// (remove the entry) or has drifted further (the finding counts again).
    BaselineStale {
        /// The entry's key glob.
        key: String,
        /// The entry.
        entry: WaiverNote,
        /// Whether a finding on its key and environments had other values.
        drifted: bool,
        /// Whether the entry's fingerprint was made with another
        /// fingerprint key than this run's.
        other_key: bool,
    },
    /// A baseline entry expired; the findings it covered count again.
    BaselineExpired {
        /// The entry's key glob.
        key: String,
        /// The entry.
        entry: WaiverNote,
        /// How many findings it would have accepted.
        findings: usize,
    },
    /// The manifests' secrets were fingerprinted with different keys, so
    /// secrets were compared for presence only.
    FingerprintKeysDiffer {
        /// Environment → key id (`unkeyed` when none).
        keys: Vec<(String, String)>,
    },
    /// These keys' values were hidden in some manifests and not in others
    /// (manifests written by drifts that judged secrets differently): they
    /// were neither shown nor compared.
    HiddenInSome {
        /// The keys.
        keys: Vec<String>,
    },
    /// These environments' secrets were fingerprinted without a key: a
    /// short secret could be guessed offline from their manifests.
    UnkeyedFingerprints {
        /// The environments (or hosts) whose manifests are unkeyed.
        environments: Vec<String>,
    },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let origin = |w: &WaiverNote| {
            w.origin
                .as_ref()
                .map(|o| format!(" ({o})"))
                .unwrap_or_default()
        };
        match self {
            Note::WaiverExpired { waiver, findings } => write!(
                f,
                "waiver expired on {}{}: \"{}\" no longer waives {} finding(s); renew it or fix the drift",
                waiver.expires.map(|d| d.to_string()).unwrap_or_default(),
                origin(waiver),
                waiver.reason,
                findings
            ),
            Note::WaiverUnused { waiver } => write!(
                f,
                "waiver{} \"{}\" matched no finding; remove it",
                origin(waiver),
                waiver.reason
            ),
            Note::RuleUnused { origin, keys } => {
                let at = origin
                    .as_ref()
                    .map(|o| format!(" ({o})"))
                    .unwrap_or_default();
                let globs: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
                write!(
                    f,
                    "rule{at} for {} matched no key; fix its glob (`drift explain KEY` shows what applies to a key) or remove it",
                    globs.join(", ")
                )
            }
            Note::BaselineStale {
                key,
                entry,
                drifted,
                other_key,
            } => {
                write!(
                    f,
                    "baseline entry{} for `{key}` matched no finding",
                    origin(entry)
                )?;
                if *other_key {
                    f.write_str(
                        ": it was written with another fingerprint key; write the baseline again with this run's key",
                    )
                } else if *drifted {
                    f.write_str(
                        ": the values drifted further since it was written, so the finding counts again; fix the drift or write the baseline again",
                    )
                } else {
                    f.write_str(": the drift it accepted is gone; remove it")
                }
            }
            Note::BaselineExpired {
                key,
                entry,
                findings,
            } => write!(
                f,
                "baseline entry{} for `{key}` expired on {}: {} finding(s) count again; fix the drift or write the baseline again",
                origin(entry),
                entry.expires.map(|d| d.to_string()).unwrap_or_default(),
                findings
            ),
            Note::FingerprintKeysDiffer { keys } => {
                write!(f, "secrets were fingerprinted with different keys (")?;
                for (i, (env, k)) in keys.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{env}: {k}")?;
                }
                write!(
                    f,
                    "), so they were compared for presence only; snapshot every environment with the same DRIFT_FINGERPRINT_KEY"
                )
            }
            Note::HiddenInSome { keys } => {
                const SHOWN: usize = 5;
                write!(
                    f,
                    "{} key(s) hidden as secret in some manifests and not in others were not compared: ",
                    keys.len()
                )?;
                for (i, k) in keys.iter().take(SHOWN).enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(k)?;
                }
                if keys.len() > SHOWN {
                    write!(f, " and {} more", keys.len() - SHOWN)?;
                }
                f.write_str("; take fresh snapshots of every environment with this drift")
            }
            Note::UnkeyedFingerprints { environments } => write!(
                f,
                "secrets of {} were fingerprinted without a key, so a short one could be guessed offline from the manifest; set DRIFT_FINGERPRINT_KEY (or `fingerprint_key_file`) to a long random key when snapshotting",
                environments.join(", ")
            ),
        }
    }
}

/// One snapshot that took part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSummary {
    /// Its name in the report (the environment's name, or a host label).
    pub name: String,
    /// The manifest's target.
    pub target: String,
    /// When it was taken.
    pub created_at: Option<String>,
    /// How many entries it holds.
    pub entries: usize,
    /// How many collection errors it recorded.
    pub errors: usize,
    /// How many values each layer of the secret judgement hid, in the
    /// order of [`HiddenBy::ALL`], layers that hid nothing left out
    /// (counts only, never which values).
    pub hidden: Vec<(HiddenBy, u64)>,
}

impl HostSummary {
    /// How many values were hidden in all.
    pub fn hidden_total(&self) -> u64 {
        self.hidden.iter().map(|(_, n)| n).sum()
    }
}

/// One environment that took part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentSummary {
    /// Its name.
    pub name: String,
    /// Its snapshots (one per host).
    pub hosts: Vec<HostSummary>,
}

/// Counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Distinct keys compared.
    pub keys: usize,
    /// Active (not waived) findings.
    pub findings: usize,
    /// Active findings of severity error.
    pub errors: usize,
    /// Active findings of severity warning.
    pub warnings: usize,
    /// Active findings of severity info.
    pub infos: usize,
    /// Findings waived by a drift.toml waiver.
    pub waived: usize,
    /// Findings accepted by a baseline entry.
    pub baselined: usize,
    /// Whether every source was collected (no collection errors).
    pub complete: bool,
}

/// How many keys (or findings) one rule, waiver or baseline entry matched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchCount {
    /// Where it was written (`drift.toml:12`, `drift-baseline.toml:7`).
    pub origin: Option<String>,
    /// Its key globs.
    pub globs: Vec<String>,
    /// How many keys compared it matched (for a baseline entry: how many
    /// findings it matched by key and environments, whatever their values).
    pub keys: usize,
    /// For a waiver or baseline entry, how many findings it waived or
    /// accepted (expired ones included); `None` for a rule.
    pub findings: Option<usize>,
}

/// What each rule, waiver and baseline entry matched, in the order they
/// were given: a rule that matches nothing is a typo until shown otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyMatches {
    /// The rules.
    pub rules: Vec<MatchCount>,
    /// The waivers.
    pub waivers: Vec<MatchCount>,
    /// The baseline entries (empty without a baseline).
    pub baseline: Vec<MatchCount>,
}

/// What a CI gate should conclude from a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Nothing at or above the threshold, and everything was collected.
    Clean,
    /// Drift at or above the threshold.
    Drift,
    /// Something could not be collected: fail closed.
    Incomplete,
}

/// The result of a diff.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The environments compared, in order.
    pub environments: Vec<EnvironmentSummary>,
    /// The findings, sorted by key (so grouped by layer); for one key, the
    /// findings among the hosts of each environment come before the one
    /// across environments.
    pub findings: Vec<Finding>,
    /// Collection errors recorded in the manifests.
    pub errors: Vec<ReportError>,
    /// Notes (expired and unused waivers, fingerprint key mismatch).
    pub notes: Vec<Note>,
    /// Counts.
    pub summary: Summary,
    /// What each rule, waiver and baseline entry matched.
    pub matches: PolicyMatches,
    /// What would have been findings on the keys that `expect = "ignore"`
    /// rules leave out, judged under the keys' default expectation, each
    /// naming the ignoring rule in [`Finding::rule`]; in key order. Filled
    /// only with [`DiffOptions::keep_ignored`](crate::diff::DiffOptions);
    /// never counted, never active.
    pub ignored: Vec<Finding>,
    /// Against a release: the verdict for each target environment.
    pub readiness: Vec<crate::readiness::Readiness>,
}

impl Summary {
    /// The counts of `findings`, of `keys` keys compared.
    pub(crate) fn of(findings: &[Finding], keys: usize, complete: bool) -> Summary {
        let mut s = Summary {
            keys,
            complete,
            ..Summary::default()
        };
        for f in findings {
            match &f.waived {
                Some(w) if w.baseline => s.baselined += 1,
                Some(_) => s.waived += 1,
                None => {
                    s.findings += 1;
                    match f.severity {
                        Severity::Error => s.errors += 1,
                        Severity::Warning => s.warnings += 1,
                        _ => s.infos += 1,
                    }
                }
            }
        }
        s
    }
}

impl Report {
    /// Counts the findings again, after some were waived or baselined.
    pub(crate) fn recount(&mut self) {
        self.summary = Summary::of(&self.findings, self.summary.keys, self.summary.complete);
    }

    /// Whether an active finding is at or above `threshold`.
    pub fn has_drift(&self, threshold: Severity) -> bool {
        self.findings
            .iter()
            .any(|f| f.is_active() && f.severity >= threshold)
    }

    /// The gate's conclusion: incomplete collection wins over drift, so that
    /// a gate fails closed.
    pub fn outcome(&self, threshold: Severity) -> Outcome {
        if !self.summary.complete {
            Outcome::Incomplete
        } else if self.has_drift(threshold) {
            Outcome::Drift
        } else {
            Outcome::Clean
        }
    }
}
