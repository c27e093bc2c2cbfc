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
mod readiness;
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
    readiness::run(environments, policy, options, &is_release)
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
