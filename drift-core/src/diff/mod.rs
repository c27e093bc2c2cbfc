//! The N-way diff engine: pure, parallel, deterministic.
//!
//! [`diff`] aligns 2..N environments' manifests by key (a sorted merge,
//! split into key ranges that rayon compares in parallel), compares each
//! key's values under the [`Policy`], and returns a [`Report`]. It reads no
//! file, clock or environment variable: the date that waivers expire against
//! comes in [`DiffOptions`].
//!
//! An environment may hold several hosts (a fleet): their manifests are
//! first compared with each other (a host that differs from the majority of
//! its siblings is an [`Outlier`](crate::report::FindingKind::Outlier)), and
//! the environment's consensus is then compared across environments.

mod classify;
mod detail;
mod engine;
mod group;
mod versions;

use crate::date::Date;
use crate::manifest::Manifest;
use crate::policy::Policy;
use crate::report::Report;

/// Options of a diff.
#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// Today's date, for waiver expiry; `None` treats every waiver as active.
    pub today: Option<Date>,
    /// The most lines a text file's line diff may show.
    pub max_diff_lines: usize,
    /// Also compare the keys an `expect = "ignore"` rule (without
    /// `environments`) leaves out, under their default expectation, and
    /// keep what would have been findings in [`Report::ignored`], so that a
    /// report can show what the ignore rules hide. They are never counted.
    pub keep_ignored: bool,
}

impl Default for DiffOptions {
    fn default() -> DiffOptions {
        DiffOptions {
            today: None,
            max_diff_lines: 200,
            keep_ignored: false,
        }
    }
}

/// One host's manifest within an environment.
#[derive(Debug, Clone, Copy)]
pub struct Host<'a> {
    /// The host's name in reports (`web-1`).
    pub name: &'a str,
    /// Its manifest.
    pub manifest: &'a Manifest,
}

/// One environment: one manifest, or several for a fleet of hosts.
#[derive(Debug, Clone)]
pub struct Environment<'a> {
    /// The environment's name (`prod`).
    pub name: &'a str,
    /// Its hosts' manifests (at least one).
    pub hosts: Vec<Host<'a>>,
}

impl<'a> Environment<'a> {
    /// An environment of one manifest, named after the manifest's
    /// environment.
    pub fn single(manifest: &'a Manifest) -> Environment<'a> {
        Environment {
            name: &manifest.environment,
            hosts: vec![Host {
                name: &manifest.environment,
                manifest,
            }],
        }
    }
}

/// Why a diff cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiffError {
    /// Fewer than two things to compare.
    #[error(
        "nothing to compare: give at least two environments, or one environment with several hosts"
    )]
    TooFew,
    /// Two environments with one name.
    #[error(
        "two environments are both named `{0}`; give each manifest its own environment name (`drift snapshot --env NAME`)"
    )]
    DuplicateEnvironment(String),
    /// Two hosts with one name in an environment.
    #[error("environment `{env}` has two hosts named `{host}`")]
    DuplicateHost {
        /// The environment.
        env: String,
        /// The host name.
        host: String,
    },
    /// An environment without manifests.
    #[error("environment `{0}` has no snapshot")]
    EmptyEnvironment(String),
}

/// Compares environments under a policy.
///
/// ```
/// use drift_core::diff::{diff, DiffOptions, Environment};
/// use drift_core::manifest::{Collection, ManifestBuilder};
/// use drift_core::policy::Policy;
/// use drift_core::{KeyPath, Sanitizer};
///
/// let snap = |env: &str, timeout: Option<&str>| {
///     let mut c = Collection::new();
///     c.insert(KeyPath::env("FEATURE_X"), "on");
///     if let Some(t) = timeout {
///         c.insert(KeyPath::env("PAYMENT_GATEWAY_TIMEOUT_MS"), t);
///     }
///     let mut b = ManifestBuilder::new(env, "local", Sanitizer::default());
///     b.add("env", "1", c);
///     b.finish(None)
/// };
/// let (staging, prod) = (snap("staging", Some("2500")), snap("prod", None));
/// let envs = [Environment::single(&staging), Environment::single(&prod)];
/// let report = diff(&envs, &Policy::default(), &DiffOptions::default()).unwrap();
/// assert_eq!(report.findings.len(), 1);
/// assert_eq!(report.findings[0].key.as_str(), "env:PAYMENT_GATEWAY_TIMEOUT_MS");
/// assert_eq!(report.findings[0].kind.as_str(), "missing");
/// ```
pub fn diff(
    environments: &[Environment<'_>],
    policy: &Policy,
    options: &DiffOptions,
) -> Result<Report, DiffError> {
    let is_release = |e: &Environment<'_>| {
        !e.hosts.is_empty()
            && e.hosts
                .iter()
                .all(|h| h.manifest.role == crate::manifest::Role::Release)
    };
    if !environments.iter().any(is_release) {
        return engine::run(environments, policy, options);
    }
    readiness(environments, policy, options, &is_release)
}

/// The policy on readiness findings: `ignore` rules drop them, a rule's
/// severity replaces theirs, and waivers waive them (an expired waiver
/// says so), as the ordinary comparison does. Adds to `hits` the findings
/// each waiver matched.
fn apply_policy(
    findings: &mut Vec<crate::report::Finding>,
    policy: &Policy,
    options: &DiffOptions,
    hits: &mut [usize],
) {
    use crate::policy::{Expect, WaiverState};
    findings.retain(|f| {
        let r = policy.resolve(&f.key);
        !(r.expect_explicit && r.expect == Expect::Ignore)
    });
    for f in findings.iter_mut() {
        let r = policy.resolve(&f.key);
        if let Some(s) = r.severity {
            f.severity = s;
        }
        if r.rule.is_some() {
            f.rule = r.rule.map(std::sync::Arc::from);
        }
        if r.reason.is_some() {
            f.reason = r.reason.map(std::sync::Arc::from);
        }
        for (i, w) in policy.waivers.iter().enumerate() {
            if !w.matches(f.key.as_str()) {
                continue;
            }
            if let Some(envs) = &w.environments
                && !f.values.iter().any(|(n, _)| envs.iter().any(|e| e == &**n))
            {
                continue;
            }
            if let Some(h) = hits.get_mut(i) {
                *h += 1;
            }
            let note = std::sync::Arc::new(engine::waiver_note(w));
            match w.state(options.today) {
                WaiverState::Active => {
                    f.waived = Some(note);
                    f.expired_waiver = None;
                }
                WaiverState::Expired => {
                    if f.waived.is_none() {
                        f.expired_waiver = Some(note);
                    }
                }
            }
        }
    }
}

/// Counts what each waiver matched among the findings the report keeps —
/// those among the targets (`among`) and the readiness findings (`hits`);
/// the comparison of every manifest, release included, counted findings
/// the report drops — and says again which waivers matched nothing or
/// have expired.
fn count_waiver_hits(
    report: &mut Report,
    policy: &Policy,
    options: &DiffOptions,
    among: &[usize],
    hits: &[usize],
) {
    use crate::policy::WaiverState;
    use crate::report::Note;
    report
        .notes
        .retain(|n| !matches!(n, Note::WaiverUnused { .. } | Note::WaiverExpired { .. }));
    for (i, w) in policy.waivers.iter().enumerate() {
        let n = among.get(i).copied().unwrap_or(0) + hits.get(i).copied().unwrap_or(0);
        if let Some(m) = report.matches.waivers.get_mut(i) {
            m.findings = Some(n);
        }
        let waiver = engine::waiver_note(w);
        match (w.state(options.today), n) {
            (_, 0) => report.notes.push(Note::WaiverUnused { waiver }),
            (WaiverState::Expired, findings) => {
                report.notes.push(Note::WaiverExpired { waiver, findings })
            }
            _ => {}
        }
    }
}

/// A release among the environments: compared one way with each of the
/// others, never joining their vote (`docs/readiness.md`).
fn readiness(
    environments: &[Environment<'_>],
    policy: &Policy,
    options: &DiffOptions,
    is_release: &dyn Fn(&Environment<'_>) -> bool,
) -> Result<Report, DiffError> {
    let (releases, targets): (Vec<&Environment<'_>>, Vec<&Environment<'_>>) =
        environments.iter().partition(|e| is_release(e));
    if targets.is_empty() {
        return Err(DiffError::TooFew);
    }
    // The environments, errors, match counts and notes about the
    // manifests as the ordinary comparison of all of them gives them.
    let mut report = engine::run(environments, policy, options)?;
    // The findings among the targets as the ordinary comparison of the
    // targets alone gives them: a release is held to each target one way
    // below, never compared as an environment (so nothing it holds
    // differently, a value an .env.example leaves out, makes a note, an
    // ignored finding or an incomplete run).
    let among = if targets.len() >= 2 {
        let others: Vec<Environment<'_>> = targets.iter().map(|e| (*e).clone()).collect();
        Some(engine::run(&others, policy, options)?)
    } else {
        None
    };
    let among_hits: Vec<usize> = among
        .as_ref()
        .map(|r| {
            r.matches
                .waivers
                .iter()
                .map(|m| m.findings.unwrap_or(0))
                .collect()
        })
        .unwrap_or_default();
    report
        .notes
        .retain(|n| !matches!(n, crate::report::Note::HiddenInSome { .. }));
    report.summary.complete =
        report.errors.is_empty() && among.as_ref().is_none_or(|r| r.summary.complete);
    match among {
        Some(r) => {
            report.notes.extend(
                r.notes
                    .into_iter()
                    .filter(|n| matches!(n, crate::report::Note::HiddenInSome { .. })),
            );
            report.findings = r.findings;
            report.ignored = r.ignored;
        }
        None => {
            report.findings = Vec::new();
            report.ignored = Vec::new();
        }
    }
    let mut hits = vec![0usize; policy.waivers.len()];
    for r in &releases {
        for t in &targets {
            // A fleet stands for itself by its first host here.
            let (Some(rh), Some(th)) = (r.hosts.first(), t.hosts.first()) else {
                continue;
            };
            let (mut findings, _) = crate::readiness::compare(rh.manifest, th.manifest);
            apply_policy(&mut findings, policy, options, &mut hits);
            let verdict = crate::readiness::verdict_of(r.name, t.name, &findings);
            report.findings.extend(findings);
            report.readiness.push(verdict);
        }
    }
    count_waiver_hits(&mut report, policy, options, &among_hits, &hits);
    report.findings.sort_by(|a, b| a.key.cmp(&b.key));
    report.recount();
    Ok(report)
}

/// Compares manifests, each one its own environment named by its
/// `environment` field.
pub fn diff_manifests(
    manifests: &[Manifest],
    policy: &Policy,
    options: &DiffOptions,
) -> Result<Report, DiffError> {
    let envs: Vec<Environment<'_>> = manifests.iter().map(Environment::single).collect();
    diff(&envs, policy, options)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod version_set_tests;
