//! Version sets (a package installed at several versions) are compared as
//! versions: the newest member decides.

use super::*;
use crate::key::KeyPath;
use crate::manifest::{Collection, ManifestBuilder};
use crate::policy::{Rule, Severity};
use crate::report::{Detail, Finding, FindingKind, VersionDetail};
use crate::secret::Sanitizer;
use crate::value::{Value, Version};
use crate::version::Skew;

const KEY: &str = "package:npm:pretty-format";

fn manifest(env: &str, value: Value) -> Manifest {
    let mut c = Collection::new();
    c.insert(KeyPath::new(KEY).unwrap(), value);
    let mut b = ManifestBuilder::new(env, "local", Sanitizer::default());
    b.add("test", "1", c);
    b.finish(None)
}

fn v(text: &str) -> Value {
    version(text, false)
}

fn version(text: &str, dev: bool) -> Value {
    Value::from(Version {
        scheme: "semver".into(),
        text: text.into(),
        dev,
    })
}

fn set(texts: &[&str]) -> Value {
    Value::List(texts.iter().map(|t| v(t)).collect())
}

fn dev_set(texts: &[&str]) -> Value {
    Value::List(texts.iter().map(|t| version(t, true)).collect())
}

fn policy(f: impl FnOnce(&mut Rule)) -> Policy {
    let mut r = Rule::new("package:*").unwrap();
    f(&mut r);
    Policy {
        rules: vec![r],
        waivers: vec![],
    }
}

fn run(pairs: &[(&str, Value)], policy: &Policy) -> Vec<Finding> {
    let ms: Vec<Manifest> = pairs.iter().map(|(e, v)| manifest(e, v.clone())).collect();
    diff_manifests(&ms, policy, &DiffOptions::default())
        .unwrap()
        .findings
}

fn one(pairs: &[(&str, Value)], policy: &Policy) -> Finding {
    let mut f = run(pairs, policy);
    assert_eq!(f.len(), 1, "{f:?}");
    f.remove(0)
}

fn version_detail(f: &Finding) -> &VersionDetail {
    match f.detail.as_deref() {
        Some(Detail::Version(v)) => v,
        other => panic!("expected a version detail, got {other:?}"),
    }
}

#[test]
fn list_to_single_is_a_version_change_not_a_type_mismatch() {
    // The report that found it: `pretty-format [29.7.0, 30.0.0-alpha.7] → 30.4.1`.
    let pairs = [
        ("staging", set(&["29.7.0", "30.0.0-alpha.7"])),
        ("prod", v("30.4.1")),
    ];
    let f = one(&pairs, &Policy::default());
    assert_eq!(f.kind, FindingKind::Changed);
    let d = version_detail(&f);
    assert_eq!(d.skew, Skew::Minor);
    assert_eq!(d.newest, ["prod"]);
    assert_eq!(d.behind, ["staging"]);
    assert_eq!(f.severity, Severity::Warning);
    // The report shows the whole set.
    assert_eq!(f.values[0].1, Some(set(&["29.7.0", "30.0.0-alpha.7"])));
}

#[test]
fn single_to_list_takes_the_newest_member() {
    let pairs = [
        ("staging", v("4.17.21")),
        ("prod", set(&["3.10.1", "5.0.0"])),
    ];
    let f = one(&pairs, &Policy::default());
    assert_eq!(f.kind, FindingKind::Changed);
    let d = version_detail(&f);
    assert_eq!(d.skew, Skew::Major);
    assert_eq!(d.newest, ["prod"]);
    assert_eq!(d.behind, ["staging"]);
    assert_eq!(f.severity, Severity::Error);
}

#[test]
fn list_to_list_has_skew_and_direction() {
    // Members sort by text, so the newest is not the last one written.
    let pairs = [
        ("dev", set(&["10.2.0", "9.0.0"])),
        ("staging", set(&["10.1.3", "9.0.0"])),
        ("prod", set(&["10.1.3", "8.0.0"])),
    ];
    let f = one(&pairs, &Policy::default());
    assert_eq!(f.kind, FindingKind::Changed);
    let d = version_detail(&f);
    assert_eq!(d.skew, Skew::Minor);
    assert_eq!(d.newest, ["dev"]);
    assert_eq!(d.behind, ["staging", "prod"]);
}

#[test]
fn equal_sets_are_no_finding() {
    let pairs = [
        ("staging", set(&["1.0.0", "2.0.0"])),
        ("prod", set(&["1.0.0", "2.0.0"])),
    ];
    assert!(run(&pairs, &Policy::default()).is_empty());
}

#[test]
fn sets_that_differ_only_in_older_copies_have_no_direction() {
    let pairs = [("staging", set(&["1.4.0", "2.0.0"])), ("prod", v("2.0.0"))];
    let f = one(&pairs, &Policy::default());
    assert_eq!(f.kind, FindingKind::Changed);
    let d = version_detail(&f);
    assert_eq!(d.skew, Skew::Major);
    assert!(d.newest.is_empty() && d.behind.is_empty(), "{d:?}");
    // The newest versions agree: within any tolerance, and not older.
    assert!(run(&pairs, &policy(|r| r.tolerate = Some(Skew::Patch))).is_empty());
    let p = policy(|r| {
        r.expect = Some(crate::policy::Expect::Present);
        r.not_older_than = Some("staging".into());
    });
    assert!(run(&pairs, &p).is_empty());
}

#[test]
fn tolerate_sees_the_newest_member() {
    let pairs = [
        ("staging", set(&["1.0.0", "2.3.1"])),
        ("prod", set(&["1.1.0", "2.3.4"])),
    ];
    assert!(run(&pairs, &policy(|r| r.tolerate = Some(Skew::Patch))).is_empty());
    let pairs = [("staging", set(&["1.0.0", "2.3.1"])), ("prod", v("2.4.0"))];
    let f = one(&pairs, &policy(|r| r.tolerate = Some(Skew::Patch)));
    assert_eq!(version_detail(&f).skew, Skew::Minor);
    assert!(run(&pairs, &policy(|r| r.tolerate = Some(Skew::Minor))).is_empty());
}

#[test]
fn not_older_than_sees_the_newest_member() {
    let p = policy(|r| r.not_older_than = Some("staging".into()));
    // prod's newest (2.0.0) is older than staging's newest (3.0.0).
    let pairs = [
        ("staging", set(&["1.0.0", "3.0.0"])),
        ("prod", set(&["2.0.0", "1.0.0"])),
    ];
    let f = one(&pairs, &p);
    assert_eq!(f.kind, FindingKind::Behind);
    let d = version_detail(&f);
    assert_eq!(d.skew, Skew::Major);
    assert_eq!(d.behind, ["prod"]);
    assert_eq!(d.reference.as_deref(), Some("staging"));
    // prod holds an older copy too, but its newest is newer: not behind.
    let pairs = [("staging", v("2.0.0")), ("prod", set(&["1.0.0", "2.1.0"]))];
    let f = one(&pairs, &p);
    assert_eq!(f.kind, FindingKind::Changed);
    assert_eq!(version_detail(&f).newest, ["prod"]);
    // A single reference against a set works the other way round too.
    let pairs = [("staging", set(&["1.0.0", "2.1.0"])), ("prod", v("2.0.0"))];
    assert_eq!(one(&pairs, &p).kind, FindingKind::Behind);
}

#[test]
fn a_set_of_dev_only_versions_is_dev_only() {
    let pairs = [
        ("staging", dev_set(&["29.7.0", "30.0.0"])),
        ("prod", version("28.1.0", true)),
    ];
    let f = one(&pairs, &Policy::default());
    // A major skew of a development-only package is a warning.
    assert_eq!(version_detail(&f).skew, Skew::Major);
    assert_eq!(f.severity, Severity::Warning);
    assert!(run(&pairs, &policy(|r| r.ignore_dev = Some(true))).is_empty());
    // Missing in one environment: still dev-only, still ignored.
    let mut other = Collection::new();
    other.insert(KeyPath::new("env:OTHER").unwrap(), Value::from("x"));
    let mut b = ManifestBuilder::new("prod", "local", Sanitizer::default());
    b.add("test", "1", other);
    let ms = [
        manifest("staging", dev_set(&["1.0.0", "2.0.0"])),
        b.finish(None),
    ];
    let missing = |p: &Policy| {
        let r = diff_manifests(&ms, p, &DiffOptions::default()).unwrap();
        r.findings.into_iter().find(|f| f.key.as_str() == KEY)
    };
    let f = missing(&Policy::default()).expect("a missing finding");
    assert_eq!(
        (f.kind, f.severity),
        (FindingKind::Missing, Severity::Warning)
    );
    assert!(missing(&policy(|r| r.ignore_dev = Some(true))).is_none());
}

#[test]
fn a_set_with_one_non_dev_member_is_not_dev_only() {
    let mixed = Value::List(vec![version("29.7.0", true), version("30.0.0", false)]);
    let pairs = [("staging", mixed), ("prod", version("31.0.0", true))];
    let f = one(&pairs, &policy(|r| r.ignore_dev = Some(true)));
    assert_eq!(f.severity, Severity::Error);
}
