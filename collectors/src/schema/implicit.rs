//! The implicit rules: what a schema file cannot express, left out when a
//! file is held against a live database.
//!
//! This is the schema collector's knowledge of its own sources (which kinds
//! of keys only a live database has, and how a file's coverage differs from
//! a database's), stated as policy rules so that every caller — the `drift`
//! command line and an embedder alike — compares the same way.

use drift_core::diff::{DiffError, DiffOptions, Environment, diff};
use drift_core::policy::{Expect, Rule};
use drift_core::{KeyPattern, Layer, Manifest, Policy, Report};

use super::LIVE_ONLY_KINDS;

/// Diffs `envs` under `policy` and the [`implicit_rules`] for them.
pub fn diff_with_implicit_rules(
    envs: &[Environment<'_>],
    policy: &Policy,
    options: &DiffOptions,
) -> Result<Report, DiffError> {
    let implicit = implicit_rules(envs);
    if implicit.is_empty() {
        return diff(envs, policy, options);
    }
    let given = policy.rules.len();
    let mut policy = policy.clone();
    policy.rules.extend(implicit);
    let mut report = diff(envs, &policy, options)?;
    // drift's own rules are not the user's to fix: no counts, no notes.
    report.matches.rules.truncate(given);
    let implicit = &policy.rules[given..];
    report.notes.retain(|n| match n {
        drift_core::report::Note::RuleUnused { origin, .. } => {
            !implicit.iter().any(|r| &r.origin == origin)
        }
        _ => true,
    });
    Ok(report)
}

/// The rules drift adds on its own for `envs`, to be applied after the
/// user's.
///
/// A schema file cannot hold what only a live database has (server version,
/// settings, extension versions, owners, grants), and a schema-only dump
/// holds no migration history: in an environment whose schemas all come
/// from files (the code's expected schema), those keys are left out, so that
/// holding a file against a live database reports only real differences. A
/// file that does carry its history (Rails' `structure.sql` inserts the
/// versions) is compared on it. When every environment, or none, reads its
/// schemas from files, there is nothing to leave out.
pub fn implicit_rules(envs: &[Environment<'_>]) -> Vec<Rule> {
    let from_files: Vec<(&str, Vec<&Manifest>)> = envs
        .iter()
        .map(|e| {
            (
                e.name,
                e.hosts.iter().map(|h| h.manifest).collect::<Vec<_>>(),
            )
        })
        .filter(|(_, manifests)| {
            let sources: Vec<&str> = manifests
                .iter()
                .flat_map(|m| m.coverage.iter())
                .filter(|c| c.collector == "schema")
                .map(|c| c.source.as_str())
                .collect();
            !sources.is_empty() && sources.iter().all(|s| !s.contains("://"))
        })
        .collect();
    if from_files.is_empty() || from_files.len() == envs.len() {
        return Vec::new();
    }
    let mut rules = vec![ignore_in(
        LIVE_ONLY_KINDS,
        from_files.iter().map(|(n, _)| *n),
        "a schema file cannot hold what only a live database has",
    )];
    let without_history = from_files.iter().filter(|(_, manifests)| {
        !manifests.iter().any(|m| {
            m.entries()
                .iter()
                .any(|e| e.key.layer() == Layer::Schema && e.key.body().contains(":migration"))
        })
    });
    let names: Vec<&str> = without_history.map(|(n, _)| *n).collect();
    if !names.is_empty() {
        rules.push(ignore_in(
            &["migration", "migrations"],
            names,
            "this schema file holds no migration history",
        ));
    }
    rules
}

fn ignore_in<'a>(kinds: &[&str], envs: impl IntoIterator<Item = &'a str>, reason: &str) -> Rule {
    Rule {
        keys: kinds
            .iter()
            .filter_map(|kind| KeyPattern::new(&format!("schema:*:{kind}:*")).ok())
            .collect(),
        expect: Some(Expect::Ignore),
        environments: Some(envs.into_iter().map(str::to_owned).collect()),
        reason: Some(reason.to_owned()),
        origin: Some("drift (schema files)".to_owned()),
        ..Rule::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use drift_core::manifest::{Collection, ManifestBuilder};
    use drift_core::{KeyPath, Sanitizer};

    fn manifest(env: &str, source: &str, migration: bool) -> Manifest {
        let mut c = Collection::new();
        c.cover("schema", source, 3);
        c.insert(
            KeyPath::new("schema:postgres:server:version").unwrap(),
            "15",
        );
        if migration {
            c.insert(
                KeyPath::new("schema:postgres:migration:20260101").unwrap(),
                true,
            );
        }
        let mut b = ManifestBuilder::new(env, "local", Sanitizer::default());
        b.add("schema", "1", c);
        b.finish(None)
    }

    fn envs<'a>(manifests: &[&'a Manifest]) -> Vec<Environment<'a>> {
        manifests.iter().map(|m| Environment::single(m)).collect()
    }

    #[test]
    fn files_held_against_live_databases_leave_live_only_kinds_out() {
        let code = manifest("code", "db/structure.sql", false);
        let prod = manifest("prod", "postgres://drift@db:5432/shop", false);
        let rules = implicit_rules(&envs(&[&code, &prod]));
        assert_eq!(rules.len(), 2);
        assert_eq!(
            rules[0].environments.as_deref(),
            Some(&["code".to_owned()][..])
        );
        let policy = Policy {
            rules,
            waivers: vec![],
        };
        for key in [
            "schema:postgres:server:version",
            "schema:postgres:migrations:flyway",
        ] {
            let r = policy.resolve(&KeyPath::new(key).unwrap());
            assert_eq!(r.expect, Expect::Ignore, "{key}");
        }
        // Only files, or only live databases: nothing to leave out.
        assert!(implicit_rules(&envs(&[&code, &code])).is_empty());
        assert!(implicit_rules(&envs(&[&prod, &prod])).is_empty());
    }

    #[test]
    fn a_file_with_its_migration_history_is_compared_on_it() {
        let code = manifest("code", "db/structure.sql", true);
        let prod = manifest("prod", "postgres://drift@db:5432/shop", true);
        let rules = implicit_rules(&envs(&[&code, &prod]));
        assert_eq!(rules.len(), 1, "live-only kinds only");
        let policy = Policy {
            rules,
            waivers: vec![],
        };
        let r = policy.resolve(&KeyPath::new("schema:postgres:migration:20260101").unwrap());
        assert_ne!(r.expect, Expect::Ignore);
    }

    #[test]
    fn the_diff_leaves_the_live_only_keys_of_a_file_out() {
        let code = manifest("code", "db/structure.sql", false);
        let mut c = Collection::new();
        c.cover("schema", "postgres://drift@db:5432/shop", 3);
        c.insert(
            KeyPath::new("schema:postgres:server:version").unwrap(),
            "16",
        );
        let mut b = ManifestBuilder::new("prod", "local", Sanitizer::default());
        b.add("schema", "1", c);
        let prod = b.finish(None);
        let envs = envs(&[&code, &prod]);
        let options = DiffOptions::default();
        let keys = |r: &Report| -> Vec<String> {
            r.findings
                .iter()
                .map(|f| f.key.as_str().to_owned())
                .collect()
        };
        let plain = diff(&envs, &Policy::default(), &options).unwrap();
        assert_eq!(keys(&plain), ["schema:postgres:server:version"]);
        let implicit = diff_with_implicit_rules(&envs, &Policy::default(), &options).unwrap();
        assert_eq!(keys(&implicit), Vec::<String>::new());
    }
}
