//! Baselines: today's drift, accepted so that a gate fails only on new
//! drift.
//!
//! A [`BaselineEntry`] names a key (a glob; drift writes each key escaped so
//! that it matches that key alone), the environments of the finding, and a
//! [`values_fingerprint`] of the values that were accepted, never the
//! values. [`apply`] marks every active finding that an entry matches —
//! same key, same environments, same fingerprint — as baselined: it is shown
//! apart, like a waived one, and does not fail the gate. A baselined key
//! whose values drift further no longer matches its fingerprint and counts
//! again. An entry that matches no finding is stale (the drift was fixed,
//! or drifted further), and an entry past its `expires` date no longer
//! applies; both are named in the report's notes.
//!
//! Reading and writing baseline files, and the clock, are the caller's.

use std::collections::HashMap;
use std::sync::Arc;

use crate::date::Date;
use crate::fingerprint::{Fingerprint, Fingerprinter};
use crate::pattern::KeyPattern;
use crate::report::{Finding, MatchCount, Note, Report, WaiverNote};

use super::WaiverState;

/// What the values of a baseline fingerprint are prefixed with, so that it
/// can never equal a secret's fingerprint.
const CONTEXT: &[u8] = b"drift-baseline/1\0";

/// One accepted finding.
#[derive(Debug, Clone)]
pub struct BaselineEntry {
    /// The key glob (escaped: it matches one key, as drift writes it).
    pub key: KeyPattern,
    /// The environments (or hosts) of the finding, in report order.
    pub environments: Vec<String>,
    /// For a finding among the hosts of one environment, that environment.
    pub within: Option<String>,
    /// The fingerprint of the accepted values ([`values_fingerprint`]).
    pub fingerprint: Fingerprint,
    /// Why the drift is accepted (`baseline of 2026-12-07`).
    pub reason: String,
    /// The last day the entry holds; `None` for no expiry.
    pub expires: Option<Date>,
    /// Where it was written (`drift-baseline.toml:12`).
    pub origin: Option<String>,
}

impl BaselineEntry {
    /// The entry that accepts `finding` as it is, keyed by `fingerprinter`.
    pub fn accepting(
        finding: &Finding,
        fingerprinter: &Fingerprinter,
        reason: String,
        expires: Option<Date>,
    ) -> BaselineEntry {
        BaselineEntry {
            key: KeyPattern::literal(finding.key.as_str()),
            environments: finding.values.iter().map(|(n, _)| n.to_string()).collect(),
            within: finding.environment.as_deref().map(str::to_owned),
            fingerprint: values_fingerprint(finding, fingerprinter),
            reason,
            expires,
            origin: None,
        }
    }

    /// Its state on `today`; without a date, every entry is active.
    pub fn state(&self, today: Option<Date>) -> WaiverState {
        match (self.expires, today) {
            (Some(exp), Some(today)) if today > exp => WaiverState::Expired,
            _ => WaiverState::Active,
        }
    }

    /// Whether it is about `finding`'s key and environments (whatever the
    /// values).
    fn covers(&self, finding: &Finding) -> bool {
        self.within.as_deref() == finding.environment.as_deref()
            && self.environments.len() == finding.values.len()
            && self
                .environments
                .iter()
                .zip(&finding.values)
                .all(|(a, (b, _))| a == &**b)
            && self.key.matches(finding.key.as_str())
    }

    fn note(&self) -> WaiverNote {
        WaiverNote {
            reason: self.reason.clone(),
            expires: self.expires,
            origin: self.origin.clone(),
            baseline: true,
        }
    }
}

/// The fingerprint of a finding's values: its key, kind, environments and
/// every environment's value (secrets as their fingerprints), hashed as
/// secrets are (keyed BLAKE3 when `fingerprinter` has a key), so that the
/// baseline file holds no value and a short one cannot be guessed from it
/// when a fingerprint key is used.
pub fn values_fingerprint(finding: &Finding, fingerprinter: &Fingerprinter) -> Fingerprint {
    let mut bytes = Vec::with_capacity(64 + finding.values.len() * 32);
    bytes.extend_from_slice(CONTEXT);
    bytes.extend_from_slice(finding.kind.as_str().as_bytes());
    bytes.push(0);
    if let Some(env) = &finding.environment {
        bytes.extend_from_slice(env.as_bytes());
    }
    bytes.push(0);
    for (name, value) in &finding.values {
        bytes.extend_from_slice(&(name.len() as u64).to_le_bytes());
        bytes.extend_from_slice(name.as_bytes());
        match value {
            // Writing to a vector cannot fail.
            Some(v) => {
                bytes.push(1);
                let _ = crate::manifest::write_value(&mut bytes, v);
            }
            None => bytes.push(0),
        }
        bytes.push(0);
    }
    fingerprinter.fingerprint_text(finding.key.as_str(), &bytes)
}

/// The key a glob matches alone, when it has no wildcard or alternatives
/// (as drift writes baseline keys); `None` for a glob.
fn literal_key(glob: &str) -> Option<String> {
    let mut out = String::with_capacity(glob.len());
    let mut chars = glob.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next().unwrap_or('\\')),
            '*' | '?' | '{' | '}' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

/// Marks the findings that `entries` accept as baselined, and notes the
/// stale and expired entries. `fingerprinter` must be the one the entries'
/// fingerprints were made with (a fingerprint made with another key never
/// matches, and the stale note says so). Returns how many findings each
/// entry matched (whether active or expired).
pub fn apply(
    report: &mut Report,
    entries: &[BaselineEntry],
    fingerprinter: &Fingerprinter,
    today: Option<Date>,
) -> Vec<usize> {
    let mut literal: HashMap<String, Vec<usize>> = HashMap::new();
    let mut globs: Vec<usize> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        match literal_key(e.key.as_str()) {
            Some(k) => literal.entry(k).or_default().push(i),
            None => globs.push(i),
        }
    }
    let notes: Vec<Arc<WaiverNote>> = entries.iter().map(|e| Arc::new(e.note())).collect();
    let mut hits = vec![0usize; entries.len()];
    let mut covered = vec![0usize; entries.len()];
    // Entries whose key and environments matched a finding whose values
    // have drifted since.
    let mut drifted = vec![false; entries.len()];
    for f in report.findings.iter_mut().filter(|f| f.is_active()) {
        let candidates = literal
            .get(f.key.as_str())
            .into_iter()
            .flatten()
            .chain(&globs)
            .copied()
            .filter(|&i| entries[i].covers(f))
            .collect::<Vec<usize>>();
        let mut fingerprint: Option<Fingerprint> = None;
        for i in candidates {
            covered[i] += 1;
            let fp = fingerprint.get_or_insert_with(|| values_fingerprint(f, fingerprinter));
            if *fp != entries[i].fingerprint {
                drifted[i] = true;
                continue;
            }
            hits[i] += 1;
            match entries[i].state(today) {
                WaiverState::Active => {
                    f.waived = Some(notes[i].clone());
                    f.expired_waiver = None;
                }
                _ => {
                    if f.waived.is_none() && f.expired_waiver.is_none() {
                        f.expired_waiver = Some(notes[i].clone());
                    }
                }
            }
        }
    }
    for (i, e) in entries.iter().enumerate() {
        let key = e.key.as_str().to_owned();
        match (hits[i], e.state(today)) {
            (0, _) => report.notes.push(Note::BaselineStale {
                key,
                entry: e.note(),
                drifted: drifted[i],
                other_key: e.fingerprint.key_id() != fingerprinter.key_id(),
            }),
            (n, WaiverState::Expired) => report.notes.push(Note::BaselineExpired {
                key,
                entry: e.note(),
                findings: n,
            }),
            _ => {}
        }
    }
    report.matches.baseline = entries
        .iter()
        .zip(covered.into_iter().zip(&hits))
        .map(|(e, (keys, &findings))| MatchCount {
            origin: e.origin.clone(),
            globs: vec![e.key.as_str().to_owned()],
            keys,
            findings: Some(findings),
        })
        .collect();
    report.recount();
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Severity;
    use crate::report::Summary;
    use crate::testing::changed_finding as finding;

    fn report(findings: Vec<Finding>) -> Report {
        let mut r = Report {
            findings,
            summary: Summary {
                complete: true,
                ..Summary::default()
            },
            ..Report::default()
        };
        r.recount();
        r
    }

    fn day(s: &str) -> Option<Date> {
        s.parse().ok()
    }

    fn entries(r: &Report, fp: &Fingerprinter, expires: Option<Date>) -> Vec<BaselineEntry> {
        r.findings
            .iter()
            .map(|f| BaselineEntry::accepting(f, fp, "baseline of 2026-12-07".into(), expires))
            .collect()
    }

    #[test]
    fn a_baseline_accepts_todays_drift_and_nothing_more() {
        let fp = Fingerprinter::unkeyed();
        let today = report(vec![
            finding("env:A*", &[("staging", Some("1")), ("prod", Some("2"))]),
            finding("env:B", &[("staging", Some("x")), ("prod", None)]),
        ]);
        let base = entries(&today, &fp, day("2027-03-07"));
        assert_eq!(base[0].key.as_str(), r"env:A\*");

        // The same drift: all baselined, the gate passes.
        let mut same = today.clone();
        let hits = apply(&mut same, &base, &fp, day("2026-12-08"));
        assert_eq!(hits, vec![1, 1]);
        assert_eq!(same.matches.baseline[0].keys, 1);
        assert_eq!(same.matches.baseline[0].findings, Some(1));
        assert!(!same.has_drift(Severity::Info));
        assert_eq!(same.summary.baselined, 2);
        assert_eq!(same.summary.findings, 0);
        assert!(same.notes.is_empty());
        assert!(same.findings[0].waived.as_ref().unwrap().baseline);

        // A further drift of A, a new key C, and B fixed.
        let mut next = report(vec![
            finding("env:A*", &[("staging", Some("1")), ("prod", Some("3"))]),
            finding("env:C", &[("staging", Some("x")), ("prod", None)]),
        ]);
        let hits = apply(&mut next, &base, &fp, day("2026-12-08"));
        assert_eq!(hits, vec![0, 0]);
        // A's entry still matched A's key, but not its values.
        assert_eq!(next.matches.baseline[0].keys, 1);
        assert_eq!(next.matches.baseline[1].keys, 0);
        assert_eq!(next.summary.findings, 2);
        assert!(next.has_drift(Severity::Error));
        let stale: Vec<(&str, bool)> = next
            .notes
            .iter()
            .filter_map(|n| match n {
                Note::BaselineStale { key, drifted, .. } => Some((key.as_str(), *drifted)),
                _ => None,
            })
            .collect();
        assert_eq!(stale, vec![(r"env:A\*", true), ("env:B", false)]);
        assert!(next.notes[0].to_string().contains("drifted further"));
        assert!(next.notes[1].to_string().contains("remove it"));
    }

    #[test]
    fn an_expired_entry_no_longer_applies_and_says_so() {
        let fp = Fingerprinter::unkeyed();
        let today = report(vec![finding(
            "env:A",
            &[("staging", Some("1")), ("prod", Some("2"))],
        )]);
        let base = entries(&today, &fp, day("2026-12-31"));
        let mut later = today.clone();
        apply(&mut later, &base, &fp, day("2027-01-01"));
        assert!(later.has_drift(Severity::Error));
        assert!(later.findings[0].expired_waiver.is_some());
        assert!(matches!(
            later.notes[..],
            [Note::BaselineExpired { findings: 1, .. }]
        ));
        let mut last_day = today.clone();
        apply(&mut last_day, &base, &fp, day("2026-12-31"));
        assert!(!last_day.has_drift(Severity::Info));
    }

    #[test]
    fn fingerprints_are_keyed_and_hold_no_value() {
        let f = finding("env:A", &[("staging", Some("hunter2")), ("prod", None)]);
        let unkeyed = values_fingerprint(&f, &Fingerprinter::unkeyed());
        let keyed = values_fingerprint(&f, &Fingerprinter::keyed(b"k"));
        assert_ne!(unkeyed, keyed);
        assert!(keyed.key_id().is_some());
        assert!(!keyed.as_str().contains("hunter2"));
        // Another key: the entry does not match, and the note says why.
        let base = vec![BaselineEntry::accepting(
            &f,
            &Fingerprinter::keyed(b"k"),
            "r".into(),
            None,
        )];
        let mut r = report(vec![f]);
        apply(&mut r, &base, &Fingerprinter::unkeyed(), None);
        assert!(matches!(
            r.notes[..],
            [Note::BaselineStale {
                other_key: true,
                ..
            }]
        ));
    }

    #[test]
    fn waived_findings_are_left_to_their_waiver_and_environments_must_match() {
        let fp = Fingerprinter::unkeyed();
        let f = finding("env:A", &[("staging", Some("1")), ("prod", Some("2"))]);
        let base = vec![BaselineEntry::accepting(&f, &fp, "r".into(), None)];
        let mut other_envs = report(vec![finding(
            "env:A",
            &[("dev", Some("1")), ("prod", Some("2"))],
        )]);
        apply(&mut other_envs, &base, &fp, None);
        assert_eq!(other_envs.summary.findings, 1);
        let mut waived = f.clone();
        waived.waived = Some(Arc::new(WaiverNote {
            reason: "w".into(),
            expires: None,
            origin: None,
            baseline: false,
        }));
        let mut r = report(vec![waived]);
        let hits = apply(&mut r, &base, &fp, None);
        assert_eq!(hits, vec![0]);
        assert_eq!(r.summary.waived, 1);
        assert_eq!(r.summary.baselined, 0);
    }

    #[test]
    fn literal_keys_are_told_from_globs() {
        assert_eq!(literal_key(r"env:A\*").as_deref(), Some("env:A*"));
        assert_eq!(literal_key("env:A*"), None);
        assert_eq!(literal_key("env:{A,B}"), None);
    }
}
