//! What a report with a release says of every manifest — the keys counted,
//! the rules matched, the errors, the fingerprint notes — though the engine
//! compares the targets alone.

use crate::diff::{DiffOptions, diff_manifests};
use crate::fingerprint::Fingerprinter;
use crate::key::KeyPath;
use crate::manifest::{Collection, CollectionError, ErrorKind, Manifest, ManifestBuilder, Role};
use crate::policy::{Policy, Rule};
use crate::report::Note;
use crate::secret::Sanitizer;
use crate::value::Value;

fn manifest(env: &str, role: Role, keys: &[&str], error: bool, fp: Option<&[u8]>) -> Manifest {
    let mut c = Collection::new();
    if error {
        c.error(CollectionError::new(
            "env",
            ".env",
            ErrorKind::Parse,
            "bad line 3",
        ));
    }
    for k in keys {
        c.insert(KeyPath::new(*k).unwrap(), Value::from("1"));
    }
    let sanitizer = match fp {
        Some(k) => Sanitizer::new(Fingerprinter::keyed(k)),
        None => Sanitizer::default(),
    };
    let mut b = ManifestBuilder::new(env, "local", sanitizer);
    b.role(role);
    b.add("env", "1", c);
    b.finish(None)
}

fn rules(globs: &[&str]) -> Policy {
    Policy {
        rules: globs.iter().map(|g| Rule::new(g).unwrap()).collect(),
        waivers: vec![],
    }
}

fn unused_rules(notes: &[Note]) -> Vec<Vec<String>> {
    notes
        .iter()
        .filter_map(|n| match n {
            Note::RuleUnused { keys, .. } => Some(keys.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_releases_keys_count_though_the_engine_compares_the_targets_alone() {
    let release = manifest(
        "release",
        Role::Release,
        &["env:A", "env:ONLY_RELEASE"],
        true,
        None,
    );
    let staging = manifest(
        "staging",
        Role::Environment,
        &["env:A", "env:B"],
        false,
        None,
    );
    let prod = manifest("prod", Role::Environment, &["env:A"], false, None);
    let policy = rules(&["env:ONLY_RELEASE", "env:B", "env:NOWHERE"]);
    let r = diff_manifests(&[release, staging, prod], &policy, &DiffOptions::default()).unwrap();
    // A, B and the release's own key.
    assert_eq!(r.summary.keys, 3);
    let counts: Vec<usize> = r.matches.rules.iter().map(|m| m.keys).collect();
    assert_eq!(counts, [1, 1, 0]);
    assert_eq!(unused_rules(&r.notes), [vec!["env:NOWHERE".to_owned()]]);
    // The release's collection error is the report's, and makes it
    // incomplete.
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].environment, "release");
    assert!(!r.summary.complete);
    assert_eq!(r.environments.len(), 3);
}

#[test]
fn one_target_of_one_host_needs_no_comparison_of_its_own() {
    let release = manifest("release", Role::Release, &["env:X", "env:Y"], false, None);
    let prod = manifest("prod", Role::Environment, &["env:Y", "env:Z"], false, None);
    let policy = rules(&["env:Z", "env:X"]);
    let r = diff_manifests(&[release, prod], &policy, &DiffOptions::default()).unwrap();
    assert_eq!(r.summary.keys, 3);
    let counts: Vec<usize> = r.matches.rules.iter().map(|m| m.keys).collect();
    assert_eq!(counts, [1, 1]);
    assert!(unused_rules(&r.notes).is_empty());
    assert!(r.summary.complete);
    // X is missing in prod: the one finding.
    let keys: Vec<&str> = r.findings.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["env:X"]);
}

#[test]
fn a_release_under_another_fingerprint_key_is_noted() {
    let key = b"a fingerprint key long enough to use";
    let release = manifest("release", Role::Release, &["env:X"], false, None);
    let staging = manifest("staging", Role::Environment, &["env:X"], false, Some(key));
    let prod = manifest("prod", Role::Environment, &["env:X"], false, Some(key));
    let r = diff_manifests(
        &[release, staging, prod],
        &Policy::default(),
        &DiffOptions::default(),
    )
    .unwrap();
    let differ: Vec<Vec<String>> = r
        .notes
        .iter()
        .filter_map(|n| match n {
            Note::FingerprintKeysDiffer { keys } => {
                Some(keys.iter().map(|(name, _)| name.clone()).collect())
            }
            _ => None,
        })
        .collect();
    assert_eq!(differ, [vec!["release", "staging", "prod"]]);
    // The targets share a key: their comparison is complete.
    assert!(r.summary.complete);
}
