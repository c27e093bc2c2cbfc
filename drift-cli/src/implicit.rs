//! Rules drift adds on its own, where the sources themselves say something
//! cannot be compared.

use drift_collectors::schema::LIVE_ONLY_KINDS;
use drift_core::diff::{DiffError, DiffOptions, Environment, diff};
use drift_core::policy::{Expect, Rule};
use drift_core::{KeyPattern, Manifest, Policy, Report};

/// Diffs `envs` under `policy` and the rules drift adds on its own.
pub fn diff_with_implicit_rules(
    envs: &[Environment<'_>],
    policy: &Policy,
    options: &DiffOptions,
) -> Result<Report, DiffError> {
    let by_env: Vec<(&str, Vec<&Manifest>)> = envs
        .iter()
        .map(|e| (e.name, e.hosts.iter().map(|h| h.manifest).collect()))
        .collect();
    let implicit = schema_file_rules(&by_env);
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

/// A schema file cannot hold what only a live database has (server version,
/// settings, extension versions, owners, grants), and a schema-only dump
/// holds no migration history: in an environment whose schemas all come
/// from files (the code's expected schema), those keys are left out, so that
/// holding a file against a live database reports only real differences. A
/// file that does carry its history (Rails' `structure.sql` inserts the
/// versions) is compared on it. `envs` pairs each environment's name with
/// its manifests.
pub fn schema_file_rules(envs: &[(&str, Vec<&Manifest>)]) -> Vec<Rule> {
    let from_files: Vec<&(&str, Vec<&Manifest>)> = envs
        .iter()
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
            m.entries().iter().any(|e| {
                e.key.layer() == drift_core::Layer::Schema && e.key.body().contains(":migration")
            })
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
    use drift_core::{Policy, Sanitizer};

    fn manifest(env: &str, source: &str) -> Manifest {
        let mut c = Collection::new();
        c.cover("schema", source, 3);
        c.insert(
            drift_core::KeyPath::new("schema:postgres:server:version").unwrap(),
            "15",
        );
        let mut b = ManifestBuilder::new(env, "local", Sanitizer::default());
        b.add("schema", "1", c);
        b.finish(None)
    }

    #[test]
    fn files_held_against_live_databases_leave_live_only_kinds_out() {
        let code = manifest("code", "db/structure.sql");
        let prod = manifest("prod", "postgres://drift@db:5432/shop");
        let rules = schema_file_rules(&[("code", vec![&code]), ("prod", vec![&prod])]);
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
            let r = policy.resolve(&drift_core::KeyPath::new(key).unwrap());
            assert_eq!(r.expect, Expect::Ignore, "{key}");
        }
        // Only files, or only live databases: nothing to leave out.
        assert!(schema_file_rules(&[("a", vec![&code]), ("b", vec![&code])]).is_empty());
        assert!(schema_file_rules(&[("a", vec![&prod]), ("b", vec![&prod])]).is_empty());
    }
}
