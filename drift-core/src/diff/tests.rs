use super::*;
use crate::key::KeyPath;
use crate::manifest::{Collection, ManifestBuilder};
use crate::pattern::KeyPattern;
use crate::policy::{Expect, Rule, Severity, Tolerance, Waiver};
use crate::report::{Detail, FindingKind, Note};
use crate::secret::Sanitizer;
use crate::value::{Value, Version};
use crate::version::Skew;

fn manifest(env: &str, entries: &[(&str, Value)]) -> Manifest {
    let mut c = Collection::new();
    for (k, v) in entries {
        c.insert(KeyPath::new(*k).unwrap(), v.clone());
    }
    let mut b = ManifestBuilder::new(env, "local", Sanitizer::default());
    b.add("test", "1", c);
    b.finish(None)
}

fn names(list: &[crate::report::Name]) -> Vec<&str> {
    list.iter().map(|n| &**n).collect()
}

fn s(v: &str) -> Value {
    Value::from(v)
}

fn ver(scheme: &str, text: &str) -> Value {
    Value::from(Version {
        scheme: scheme.into(),
        text: text.into(),
        dev: false,
    })
}

fn run(ms: &[Manifest], policy: &Policy) -> Report {
    diff_manifests(ms, policy, &DiffOptions::default()).unwrap()
}

fn rule(glob: &str, f: impl FnOnce(&mut Rule)) -> Rule {
    let mut r = Rule::new(glob).unwrap();
    f(&mut r);
    r
}

fn policy(rules: Vec<Rule>) -> Policy {
    Policy {
        rules,
        waivers: vec![],
    }
}

#[test]
fn equal_environments_have_no_findings() {
    let a = manifest("dev", &[("env:A", s("1")), ("env:B", Value::Int(2))]);
    let b = manifest("prod", &[("env:B", Value::Float(2.0)), ("env:A", s("1"))]);
    let r = run(&[a, b], &Policy::default());
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(r.summary.keys, 2);
    assert!(r.summary.complete);
}

#[test]
fn missing_key_names_the_odd_one_out() {
    let ms = [
        manifest("dev", &[("env:TIMEOUT_MS", s("2500"))]),
        manifest("staging", &[("env:TIMEOUT_MS", s("2500"))]),
        manifest("prod", &[]),
    ];
    let r = run(&ms, &Policy::default());
    assert_eq!(r.findings.len(), 1);
    let f = &r.findings[0];
    assert_eq!(f.kind, FindingKind::Missing);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(names(&f.odd_one_out), ["prod"]);
    assert_eq!(f.absent().collect::<Vec<_>>(), ["prod"]);
    assert_eq!(f.values[0], ("dev".into(), Some(s("2500"))));
}

#[test]
fn changed_value_with_every_environment_value() {
    let ms = [
        manifest("dev", &[("config:f.yaml:flag", Value::Bool(true))]),
        manifest("staging", &[("config:f.yaml:flag", Value::Bool(true))]),
        manifest("prod", &[("config:f.yaml:flag", Value::Bool(false))]),
    ];
    let r = run(&ms, &Policy::default());
    let f = &r.findings[0];
    assert_eq!(f.kind, FindingKind::Changed);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(names(&f.odd_one_out), ["prod"]);
    assert_eq!(f.values.len(), 3);
}

#[test]
fn no_odd_one_out_between_two_or_without_majority() {
    let two = [
        manifest("staging", &[("env:A", s("1"))]),
        manifest("prod", &[("env:A", s("2"))]),
    ];
    assert!(
        run(&two, &Policy::default()).findings[0]
            .odd_one_out
            .is_empty()
    );
    let three = [
        manifest("a", &[("env:A", s("1"))]),
        manifest("b", &[("env:A", s("2"))]),
        manifest("c", &[("env:A", s("3"))]),
    ];
    assert!(
        run(&three, &Policy::default()).findings[0]
            .odd_one_out
            .is_empty()
    );
}

#[test]
fn type_mismatch() {
    let ms = [
        manifest("dev", &[("config:a.yaml:port", Value::Int(8080))]),
        manifest("prod", &[("config:a.yaml:port", s("8080"))]),
    ];
    let r = run(&ms, &Policy::default());
    assert_eq!(r.findings[0].kind, FindingKind::TypeMismatch);
    assert_eq!(r.findings[0].severity, Severity::Error);
}

#[test]
fn environment_specific_keys_need_presence_only() {
    let ms = [
        manifest(
            "staging",
            &[
                ("env:DATABASE_HOST", s("db.staging")),
                ("env:DB_PASSWORD", s("a")),
            ],
        ),
        manifest(
            "prod",
            &[
                ("env:DATABASE_HOST", s("db.prod")),
                ("env:DB_PASSWORD", s("b")),
            ],
        ),
    ];
    assert!(run(&ms, &Policy::default()).findings.is_empty());
    let ms = [
        manifest("staging", &[("env:DATABASE_HOST", s("db.staging"))]),
        manifest("prod", &[]),
    ];
    assert_eq!(
        run(&ms, &Policy::default()).findings[0].kind,
        FindingKind::Missing
    );
}

#[test]
fn values_hidden_for_what_they_hold_are_compared_by_fingerprint() {
    // A password in a URL under an innocent name: hidden by content, and
    // still compared (a rotated password in one environment is drift).
    let ms = [
        manifest("staging", &[("env:CACHE", s("redis://:pw1@cache:6379"))]),
        manifest("prod", &[("env:CACHE", s("redis://:pw2@cache:6379"))]),
    ];
    let r = run(&ms, &Policy::default());
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].kind, FindingKind::Changed);
    assert!(!format!("{:?}", r.findings[0]).contains("pw1"));
    let ms = [
        manifest("staging", &[("env:CACHE", s("redis://:pw1@cache:6379"))]),
        manifest("prod", &[("env:CACHE", s("redis://:pw1@cache:6379"))]),
    ];
    assert!(run(&ms, &Policy::default()).findings.is_empty());
    // Named secret: differs by design, presence is enough.
    let ms = [
        manifest(
            "staging",
            &[("env:CACHE_PASSWORD", s("redis://:pw1@cache:6379"))],
        ),
        manifest(
            "prod",
            &[("env:CACHE_PASSWORD", s("redis://:pw2@cache:6379"))],
        ),
    ];
    assert!(run(&ms, &Policy::default()).findings.is_empty());
}

#[test]
fn a_value_hidden_in_one_manifest_and_plain_in_another_is_noted_not_shown() {
    let hidden = Value::Secret(
        crate::Fingerprinter::unkeyed().fingerprint(&KeyPath::new("env:SIGNING").unwrap(), b"tok"),
    );
    let ms = [
        manifest("staging", &[("env:SIGNING", hidden)]),
        manifest("prod", &[("env:SIGNING", s("plain-old-value"))]),
    ];
    let r = run(&ms, &Policy::default());
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert!(
        r.notes.iter().any(
            |n| matches!(n, crate::report::Note::HiddenInSome { keys } if keys == &["env:SIGNING"])
        ),
        "{:?}",
        r.notes
    );
    assert!(!format!("{:?}", r.notes).contains("plain-old-value"));
}

#[test]
fn a_rule_can_require_secrets_to_match_among_some_environments() {
    let ms = [
        manifest("dev", &[("env:PAYMENT_GATEWAY_SECRET", s("old"))]),
        manifest("staging", &[("env:PAYMENT_GATEWAY_SECRET", s("new"))]),
        manifest("prod", &[("env:PAYMENT_GATEWAY_SECRET", s("live"))]),
    ];
    let p = policy(vec![rule("env:PAYMENT_GATEWAY_SECRET", |r| {
        r.expect = Some(Expect::Equal);
        r.environments = Some(vec!["dev".into(), "staging".into()]);
    })]);
    let r = run(&ms, &p);
    assert_eq!(r.findings.len(), 1);
    let f = &r.findings[0];
    assert_eq!(f.kind, FindingKind::Changed);
    for (_, v) in &f.values {
        assert!(v.as_ref().unwrap().is_secret());
    }
    let text = format!("{f:?}");
    assert!(!text.contains("old") && !text.contains("\"new\"") && !text.contains("live"));
}

#[test]
fn ignore_rules_everywhere_or_in_some_environments() {
    let ms = [
        manifest("dev", &[("env:A", s("1"))]),
        manifest("staging", &[("env:A", s("2"))]),
        manifest("prod", &[("env:A", s("2"))]),
    ];
    let all = policy(vec![rule("env:*", |r| r.expect = Some(Expect::Ignore))]);
    assert!(run(&ms, &all).findings.is_empty());
    let dev = policy(vec![rule("env:A", |r| {
        r.expect = Some(Expect::Ignore);
        r.environments = Some(vec!["dev".into()]);
    })]);
    assert!(run(&ms, &dev).findings.is_empty());
    let prod = policy(vec![rule("env:A", |r| {
        r.expect = Some(Expect::Ignore);
        r.environments = Some(vec!["prod".into()]);
    })]);
    assert_eq!(run(&ms, &prod).findings.len(), 1);
}

#[test]
fn ignored_findings_are_kept_apart_only_when_asked() {
    let ms = [
        manifest(
            "dev",
            &[("env:A", s("1")), ("env:B", s("x")), ("env:C", s("k"))],
        ),
        manifest(
            "staging",
            &[("env:A", s("2")), ("env:B", s("x")), ("env:C", s("k"))],
        ),
        manifest("prod", &[("env:A", s("2")), ("env:B", s("x"))]),
    ];
    let p = policy(vec![
        rule("env:*", |r| {
            r.expect = Some(Expect::Ignore);
            r.origin = Some("drift.toml:3".into());
            r.reason = Some("set per host".into());
        }),
        // A later rule without `expect` does not take the ignore's place.
        rule("env:C", |r| r.origin = Some("drift.toml:9".into())),
    ]);
    let plain = run(&ms, &p);
    assert!(plain.findings.is_empty() && plain.ignored.is_empty());
    let kept = diff_manifests(
        &ms,
        &p,
        &DiffOptions {
            keep_ignored: true,
            ..DiffOptions::default()
        },
    )
    .unwrap();
    // Nothing counts: the gate sees what it saw without.
    assert!(kept.findings.is_empty());
    assert_eq!(kept.summary, plain.summary);
    let got: Vec<(&str, FindingKind, Vec<&str>, Option<&str>)> = kept
        .ignored
        .iter()
        .map(|f| {
            (
                f.key.as_str(),
                f.kind,
                names(&f.odd_one_out),
                f.rule.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "env:A",
                FindingKind::Changed,
                vec!["dev"],
                Some("drift.toml:3")
            ),
            (
                "env:C",
                FindingKind::Missing,
                vec!["prod"],
                Some("drift.toml:3")
            ),
        ]
    );
    assert_eq!(kept.ignored[0].reason.as_deref(), Some("set per host"));
    assert!(kept.ignored.iter().all(|f| f.waived.is_none()));
    // A rule that ignores some environments compares the rest as before,
    // and keeps nothing apart.
    let some = policy(vec![rule("env:A", |r| {
        r.expect = Some(Expect::Ignore);
        r.environments = Some(vec!["dev".into()]);
    })]);
    let r = diff_manifests(
        &ms,
        &some,
        &DiffOptions {
            keep_ignored: true,
            ..DiffOptions::default()
        },
    )
    .unwrap();
    assert!(r.ignored.is_empty());
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    assert_eq!(r.findings[0].key.as_str(), "env:C");
}

#[test]
fn differ_rule_reports_equal_values() {
    let ms = [
        manifest("staging", &[("env:DB_HOST", s("db-1"))]),
        manifest("prod", &[("env:DB_HOST", s("db-1"))]),
    ];
    let p = policy(vec![rule("env:DB_HOST", |r| {
        r.expect = Some(Expect::Differ)
    })]);
    let r = run(&ms, &p);
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].kind, FindingKind::NotDifferent);
    assert_eq!(
        r.findings[0].detail.as_deref(),
        Some(&Detail::EqualGroups(vec![vec![
            "staging".into(),
            "prod".into()
        ]]))
    );
    let ok = [
        manifest("staging", &[("env:DB_HOST", s("db-1"))]),
        manifest("prod", &[("env:DB_HOST", s("db-2"))]),
    ];
    assert!(run(&ok, &p).findings.is_empty());
}

#[test]
fn rule_severity_and_reason_are_reported() {
    let ms = [
        manifest("staging", &[("env:FLAG", s("on"))]),
        manifest("prod", &[("env:FLAG", s("off"))]),
    ];
    let p = policy(vec![rule("env:FLAG*", |r| {
        r.severity = Some(Severity::Error);
        r.reason = Some("flags must match before a deploy".into());
        r.origin = Some("drift.toml:3".into());
    })]);
    let f = &run(&ms, &p).findings[0];
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.rule.as_deref(), Some("drift.toml:3"));
    assert_eq!(
        f.reason.as_deref(),
        Some("flags must match before a deploy")
    );
}

#[test]
fn numeric_tolerance() {
    let ms = [
        manifest("staging", &[("config:a.yaml:pool", Value::Int(100))]),
        manifest("prod", &[("config:a.yaml:pool", Value::Int(108))]),
    ];
    let p = policy(vec![rule("config:*:pool", |r| {
        r.tolerance = Some(Tolerance::Relative(0.1))
    })]);
    assert!(run(&ms, &p).findings.is_empty());
    let p = policy(vec![rule("config:*:pool", |r| {
        r.tolerance = Some(Tolerance::Absolute(5.0))
    })]);
    assert_eq!(run(&ms, &p).findings.len(), 1);
}

#[test]
fn version_skew_class_direction_and_tolerance() {
    let ms = [
        manifest(
            "staging",
            &[("package:deb:openssl", ver("generic", "3.0.19"))],
        ),
        manifest("prod", &[("package:deb:openssl", ver("generic", "3.0.11"))]),
    ];
    let r = run(&ms, &Policy::default());
    let f = &r.findings[0];
    assert_eq!(f.kind, FindingKind::Changed);
    assert_eq!(f.severity, Severity::Info);
    let Some(Detail::Version(v)) = f.detail.as_deref() else {
        panic!("expected version detail")
    };
    assert_eq!(v.skew, Skew::Patch);
    assert_eq!(v.newest, ["staging"]);
    assert_eq!(v.behind, ["prod"]);
    let p = policy(vec![rule("package:*", |r| r.tolerate = Some(Skew::Patch))]);
    assert!(run(&ms, &p).findings.is_empty());
    let p = policy(vec![
        rule("package:*", |r| r.tolerate = Some(Skew::Minor)),
        rule("package:*", |r| r.not_older_than = Some("staging".into())),
    ]);
    let f = &run(&ms, &p).findings[0];
    assert_eq!(f.kind, FindingKind::Behind);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(names(&f.odd_one_out), ["prod"]);
}

#[test]
fn major_skew_is_an_error_and_dev_dependencies_can_be_ignored() {
    let dev = |t: &str| {
        Value::from(Version {
            scheme: "semver".into(),
            text: t.into(),
            dev: true,
        })
    };
    let ms = [
        manifest(
            "staging",
            &[
                ("package:npm:express", ver("semver", "5.0.0")),
                ("package:npm:jest", dev("29.0.0")),
            ],
        ),
        manifest(
            "prod",
            &[
                ("package:npm:express", ver("semver", "4.18.2")),
                ("package:npm:jest", dev("28.0.0")),
            ],
        ),
    ];
    let r = run(&ms, &Policy::default());
    assert_eq!(r.findings.len(), 2);
    assert_eq!(r.findings[0].key.as_str(), "package:npm:express");
    assert_eq!(r.findings[0].severity, Severity::Error);
    assert_eq!(r.findings[1].severity, Severity::Warning);
    let p = policy(vec![rule("package:*", |r| r.ignore_dev = Some(true))]);
    assert_eq!(run(&ms, &p).findings.len(), 1);
}

#[test]
fn waivers_waive_until_they_expire() {
    let ms = [
        manifest("staging", &[("env:FLAG", s("on"))]),
        manifest("prod", &[("env:FLAG", s("off"))]),
    ];
    let waiver = Waiver {
        keys: vec![KeyPattern::new("env:FLAG").unwrap()],
        reason: "rollout".into(),
        expires: Some("2026-11-30".parse().unwrap()),
        environments: None,
        origin: Some("drift.toml:9".into()),
    };
    let p = Policy {
        rules: vec![],
        waivers: vec![waiver],
    };
    let opts = |d: &str| DiffOptions {
        today: Some(d.parse().unwrap()),
        ..DiffOptions::default()
    };
    let r = diff_manifests(&ms, &p, &opts("2026-11-30")).unwrap();
    assert!(r.findings[0].waived.is_some());
    assert_eq!(r.summary.findings, 0);
    assert_eq!(r.summary.waived, 1);
    assert!(!r.has_drift(Severity::Info));
    let r = diff_manifests(&ms, &p, &opts("2026-12-01")).unwrap();
    assert!(r.findings[0].waived.is_none());
    assert!(r.findings[0].expired_waiver.is_some());
    assert_eq!(r.summary.findings, 1);
    assert!(matches!(
        r.notes[0],
        Note::WaiverExpired { findings: 1, .. }
    ));
    assert!(r.notes[0].to_string().contains("expired on 2026-11-30"));
}

#[test]
fn unused_waivers_are_noted() {
    let ms = [manifest("a", &[]), manifest("b", &[])];
    let p = Policy {
        rules: vec![],
        waivers: vec![Waiver {
            keys: vec![KeyPattern::new("env:GONE").unwrap()],
            reason: "old".into(),
            expires: None,
            environments: None,
            origin: None,
        }],
    };
    let r = run(&ms, &p);
    assert!(matches!(r.notes[0], Note::WaiverUnused { .. }));
}

#[test]
fn fleet_outlier_then_consensus_across_environments() {
    let web = |host: &str, nginx: &str| manifest(host, &[("runtime:nginx", ver("generic", nginx))]);
    let prod: Vec<Manifest> = (1..=10)
        .map(|i| {
            web(
                &format!("web-{i}"),
                if i == 3 { "1.22.1" } else { "1.24.0" },
            )
        })
        .collect();
    let staging = web("staging", "1.24.0");
    let mut envs = vec![Environment::single(&staging)];
    envs.push(Environment {
        name: "prod",
        hosts: prod
            .iter()
            .map(|m| Host {
                name: &m.environment,
                manifest: m,
            })
            .collect(),
    });
    let r = diff(&envs, &Policy::default(), &DiffOptions::default()).unwrap();
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    let f = &r.findings[0];
    assert_eq!(f.kind, FindingKind::Outlier);
    assert_eq!(f.environment.as_deref(), Some("prod"));
    assert_eq!(names(&f.odd_one_out), ["web-3"]);
    assert_eq!(f.values.len(), 10);
}

#[test]
fn fingerprint_key_mismatch_is_noted_and_fails_closed_when_it_matters() {
    let keyed = |env: &str, k: &[u8]| {
        let mut c = Collection::new();
        c.insert(KeyPath::env("API_TOKEN"), "same");
        let mut b =
            ManifestBuilder::new(env, "local", Sanitizer::new(crate::Fingerprinter::keyed(k)));
        b.add("env", "1", c);
        b.finish(None)
    };
    let ms = [keyed("staging", b"a"), keyed("prod", b"b")];
    let r = run(&ms, &Policy::default());
    assert!(r.findings.is_empty());
    assert!(matches!(r.notes[0], Note::FingerprintKeysDiffer { .. }));
    assert!(r.summary.complete);
    let p = policy(vec![rule("env:API_TOKEN", |r| {
        r.expect = Some(Expect::Equal)
    })]);
    let r = run(&ms, &p);
    assert!(r.findings.is_empty());
    assert!(!r.summary.complete);
}

#[test]
fn collection_errors_make_the_report_incomplete() {
    let mut c = Collection::new();
    c.error(crate::CollectionError::new(
        "config",
        "x.yaml",
        crate::ErrorKind::Parse,
        "bad",
    ));
    let mut b = ManifestBuilder::new("prod", "local", Sanitizer::default());
    b.add("config", "1", c);
    let ms = [manifest("staging", &[]), b.finish(None)];
    let r = run(&ms, &Policy::default());
    assert!(!r.summary.complete);
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].environment, "prod");
    assert_eq!(
        r.outcome(Severity::Error),
        crate::report::Outcome::Incomplete
    );
}

#[test]
fn findings_are_sorted_by_key() {
    let ms = [
        manifest(
            "a",
            &[("env:X", s("1")), ("schema:sqlite:table:main.t", s("x"))],
        ),
        manifest("b", &[]),
    ];
    let r = run(&ms, &Policy::default());
    let keys: Vec<&str> = r.findings.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["env:X", "schema:sqlite:table:main.t"]);
}

#[test]
fn errors_for_bad_inputs() {
    let a = manifest("a", &[]);
    assert_eq!(
        diff_manifests(
            std::slice::from_ref(&a),
            &Policy::default(),
            &DiffOptions::default()
        ),
        Err(DiffError::TooFew)
    );
    let b = manifest("a", &[]);
    assert_eq!(
        diff_manifests(&[a, b], &Policy::default(), &DiffOptions::default()),
        Err(DiffError::DuplicateEnvironment("a".into()))
    );
}

/// A naive reference: compares key sets and values with maps.
fn naive(ms: &[Manifest]) -> Vec<String> {
    let mut keys: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for m in ms {
        keys.extend(m.entries().iter().map(|e| e.key.as_str()));
    }
    keys.into_iter()
        .filter(|k| {
            let vals: Vec<Option<&Value>> = ms.iter().map(|m| m.get(k)).collect();
            vals.windows(2).any(|w| w[0] != w[1])
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn parallel_chunked_merge_matches_a_naive_comparison() {
    const ENTRIES: u64 = 90_000;
    let mk = |env: &str, seed: u64| {
        let mut entries = Vec::new();
        let mut x = seed;
        for i in 0..ENTRIES {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = (x >> 33) % 1000;
            if r < 5 {
                continue; // dropped
            }
            let v = if r < 10 { i + 1 } else { i };
            entries.push((format!("config:f.json:k{i:06}"), Value::Int(v as i64)));
        }
        if seed.is_multiple_of(2) {
            entries.push(("config:f.json:zz_extra".into(), Value::Int(1)));
        }
        let refs: Vec<(&str, Value)> = entries
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        manifest(env, &refs)
    };
    let ms = [mk("a", 1), mk("b", 2), mk("c", 3)];
    let expected = naive(&ms);
    assert!(expected.len() > 500);
    // On one thread the chunks are compared in several groups.
    assert!(ENTRIES as usize / super::engine::MIN_CHUNK > super::engine::CHUNKS_PER_THREAD);
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let r = pool.install(|| run(&ms, &Policy::default()));
        let got: Vec<String> = r.findings.iter().map(|f| f.key.to_string()).collect();
        assert_eq!(got, expected, "{threads} threads");
        assert_eq!(r.summary.keys, ENTRIES as usize + 1, "{threads} threads");
    }
}

#[test]
fn every_rule_and_waiver_counts_the_keys_it_matched() {
    let ms = [
        manifest(
            "a",
            &[("env:A_URL", s("1")), ("env:B", s("x")), ("env:C", s("y"))],
        ),
        manifest(
            "b",
            &[("env:A_URL", s("2")), ("env:B", s("x")), ("env:C", s("z"))],
        ),
    ];
    let mut typo = rule("env:TYPO_*", |r| r.severity = Some(Severity::Info));
    typo.origin = Some("drift.toml:7".into());
    let p = Policy {
        rules: vec![
            rule("env:*", |r| r.severity = Some(Severity::Warning)),
            typo,
        ],
        waivers: vec![Waiver {
            keys: vec![KeyPattern::new("env:{B,C}").unwrap()],
            reason: "known".into(),
            expires: None,
            environments: None,
            origin: Some("drift.toml:9".into()),
        }],
    };
    let r = run(&ms, &p);
    // Equal keys count too: a rule that matches only keys without drift
    // is not unused.
    let rules: Vec<usize> = r.matches.rules.iter().map(|m| m.keys).collect();
    assert_eq!(rules, vec![3, 0]);
    assert_eq!(r.matches.waivers[0].keys, 2);
    assert_eq!(r.matches.waivers[0].findings, Some(1));
    assert_eq!(r.matches.rules[1].globs, vec!["env:TYPO_*".to_owned()]);
    let unused: Vec<String> = r
        .notes
        .iter()
        .filter(|n| matches!(n, Note::RuleUnused { .. }))
        .map(ToString::to_string)
        .collect();
    assert_eq!(unused.len(), 1, "{:?}", r.notes);
    assert!(unused[0].contains("drift.toml:7"), "{}", unused[0]);
    assert!(unused[0].contains("`env:TYPO_*`"), "{}", unused[0]);
    assert!(unused[0].contains("matched no key"), "{}", unused[0]);
}
