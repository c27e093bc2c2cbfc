use std::collections::BTreeMap;

use super::*;
use crate::manifest::{Collection, ManifestBuilder, Role};
use crate::secret::Sanitizer;

fn obj(fields: &[(&str, Value)]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn manifest(env: &str, role: Role, entries: &[(&str, Value)]) -> Manifest {
    let mut c = Collection::new();
    for (k, v) in entries {
        c.insert(KeyPath::new(*k).unwrap(), v.clone());
    }
    let mut b = ManifestBuilder::new(env, "local", Sanitizer::default());
    b.role(role);
    b.add("schema", "0.1.0", c);
    b.finish(None)
}

fn mig(checksum: &str) -> Value {
    obj(&[
        ("checksum", Value::from(checksum)),
        ("success", Value::Bool(true)),
    ])
}

fn kinds(findings: &[Finding]) -> Vec<(String, &'static str)> {
    findings
        .iter()
        .map(|f| (f.key.as_str().to_owned(), f.kind.as_str()))
        .collect()
}

#[test]
fn migrations_pending_unknown_edited_out_of_order() {
    let k = |id: &str| format!("schema:shop:migration:flyway:{id}");
    let release = manifest(
        "release",
        Role::Release,
        &[
            (&k("1"), mig("11")),
            (&k("2"), mig("22")),
            (&k("3"), mig("33")),
            (&k("4"), mig("44")),
            (&k("5"), mig("55")),
        ],
    );
    let prod = manifest(
        "prod",
        Role::Environment,
        &[
            (&k("1"), mig("11")),
            (&k("2"), mig("-2")),
            (&k("4"), mig("44")),
            (&k("9"), mig("99")),
        ],
    );
    let (findings, r) = compare(&release, &prod);
    assert_eq!(
        kinds(&findings),
        [
            (k("2"), "edited"),
            (k("3"), "out_of_order"),
            (k("5"), "out_of_order"),
            (k("9"), "unknown"),
        ]
    );
    assert_eq!(r.verdict, Verdict::Blocked);
    // Without the stray 9 and the edit, 5 is merely pending.
    let prod = manifest(
        "prod",
        Role::Environment,
        &[
            (&k("1"), mig("11")),
            (&k("2"), mig("22")),
            (&k("3"), mig("33")),
            (&k("4"), mig("44")),
        ],
    );
    let (findings, r) = compare(&release, &prod);
    assert_eq!(kinds(&findings), [(k("5"), "pending")]);
    assert_eq!(findings[0].severity, Severity::Info);
    assert_eq!(r.verdict, Verdict::MigrateFirst);
    assert_eq!(r.pending, [k("5")]);
}

#[test]
fn hashes_hidden_under_other_fingerprint_keys_are_not_edits() {
    let k = "schema:shop:migration:atlas:20240101000000";
    let hash = b"h1:Esg/mDsMlLnHAQ3MkhSVidX7AaPTKvj21plUXZXbkEA=";
    // A hash the secret judge hid (Atlas's base64 can look like a token),
    // fingerprinted with the manifest's key.
    let with = |env: &str, role: Role, secret_key: &[u8]| {
        let fp = crate::Fingerprinter::keyed(secret_key);
        let entry = obj(&[(
            "hash",
            Value::Secret(fp.fingerprint(&KeyPath::new(k).unwrap(), hash)),
        )]);
        let mut c = Collection::new();
        c.insert(KeyPath::new(k).unwrap(), entry);
        let mut b = ManifestBuilder::new(env, "local", Sanitizer::new(fp));
        b.role(role);
        b.add("schema", "0.1.0", c);
        b.finish(None)
    };
    let one = b"key one, long enough to be a key";
    let release = with("release", Role::Release, one);
    // One key: the same file is the same fingerprint.
    assert!(
        compare(&release, &with("prod", Role::Environment, one))
            .0
            .is_empty()
    );
    // Another file under that key is an edit.
    let edited = {
        let fp = crate::Fingerprinter::keyed(one);
        let entry = obj(&[(
            "hash",
            Value::Secret(fp.fingerprint(&KeyPath::new(k).unwrap(), b"h1:other")),
        )]);
        let mut c = Collection::new();
        c.insert(KeyPath::new(k).unwrap(), entry);
        let mut b = ManifestBuilder::new("prod", "local", Sanitizer::new(fp));
        b.role(Role::Environment);
        b.add("schema", "0.1.0", c);
        b.finish(None)
    };
    assert_eq!(
        kinds(&compare(&release, &edited).0),
        [(k.to_owned(), "edited")]
    );
    // Two keys: the fingerprints differ, the files do not; no edit.
    let other = with(
        "prod",
        Role::Environment,
        b"key two, long enough to be a key",
    );
    assert_ne!(release.fingerprint_key, other.fingerprint_key);
    let (findings, _) = compare(&release, &other);
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn golang_migrate_and_alembic_histories_hold_the_head_only() {
    let g = |id: &str| format!("schema:shop:migration:golang-migrate:{id}");
    let dirty = |d: bool| obj(&[("dirty", Value::Bool(d))]);
    let release = manifest(
        "release",
        Role::Release,
        &[
            (&g("1"), dirty(false)),
            (&g("2"), dirty(false)),
            (&g("3"), dirty(false)),
        ],
    );
    let prod = manifest("prod", Role::Environment, &[(&g("2"), dirty(false))]);
    let (findings, _) = compare(&release, &prod);
    assert_eq!(kinds(&findings), [(g("3"), "pending")]);

    let a = |id: &str| format!("schema:shop:migration:alembic:{id}");
    let down = |d: &[&str]| {
        obj(&[(
            "down_revision",
            Value::List(d.iter().map(|s| Value::from(*s)).collect()),
        )])
    };
    let release = manifest(
        "release",
        Role::Release,
        &[
            (&a("aaa"), down(&[])),
            (&a("bbb"), down(&["aaa"])),
            (&a("ccc"), down(&["bbb"])),
        ],
    );
    let prod = manifest("prod", Role::Environment, &[(&a("bbb"), obj(&[]))]);
    let (findings, _) = compare(&release, &prod);
    assert_eq!(kinds(&findings), [(a("ccc"), "pending")]);
}

#[test]
fn only_what_the_release_declares_counts_and_env_example_values_by_presence() {
    let release = manifest(
        "release",
        Role::Release,
        &[
            ("env:PAYMENT_TIMEOUT_MS", Value::from("")),
            ("env:NEW_FLAG", Value::from("false")),
        ],
    );
    let prod = manifest(
        "prod",
        Role::Environment,
        &[
            ("env:PAYMENT_TIMEOUT_MS", Value::from("2500")),
            ("env:ONLY_PROD", Value::from("x")),
        ],
    );
    let (findings, r) = compare(&release, &prod);
    assert_eq!(kinds(&findings), [("env:NEW_FLAG".to_owned(), "missing")]);
    assert_eq!(findings[0].severity, Severity::Error);
    assert_eq!(r.verdict, Verdict::Blocked);
}

#[test]
fn schema_classes() {
    let col = |ty: &str, nullable: bool| {
        obj(&[
            ("type", Value::from(ty)),
            ("nullable", Value::Bool(nullable)),
            ("default", Value::Null),
        ])
    };
    let t = obj(&[]);
    let release = manifest(
        "release",
        Role::Release,
        &[
            ("schema:shop:table:public.orders", t.clone()),
            ("schema:shop:column:public.orders.id", col("bigint", false)),
            ("schema:shop:column:public.orders.note", col("text", true)),
        ],
    );
    let prod = manifest(
        "prod",
        Role::Environment,
        &[
            ("schema:shop:table:public.orders", t.clone()),
            ("schema:shop:column:public.orders.id", col("integer", false)),
            ("schema:shop:column:public.orders.legacy", col("text", true)),
        ],
    );
    let (findings, r) = compare(&release, &prod);
    let classes: Vec<(&str, Option<ChangeClass>)> = findings
        .iter()
        .map(|f| (f.key.as_str(), f.change_class))
        .collect();
    assert_eq!(
        classes,
        [
            (
                "schema:shop:column:public.orders.id",
                Some(ChangeClass::Expand)
            ),
            (
                "schema:shop:column:public.orders.legacy",
                Some(ChangeClass::Contract)
            ),
            (
                "schema:shop:column:public.orders.note",
                Some(ChangeClass::Unmet)
            ),
        ]
    );
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(r.contract, ["schema:shop:column:public.orders.legacy"]);
}

#[test]
fn a_release_never_joins_the_vote() {
    let release = manifest("release", Role::Release, &[("env:A", Value::from("1"))]);
    let staging = manifest(
        "staging",
        Role::Environment,
        &[("env:A", Value::from("2")), ("env:B", Value::from("x"))],
    );
    let prod = manifest("prod", Role::Environment, &[("env:A", Value::from("3"))]);
    let report = crate::diff_manifests(
        &[release, staging, prod],
        &crate::Policy::default(),
        &crate::DiffOptions::default(),
    )
    .unwrap();
    // The N-way comparison of staging and prod only: B missing in prod;
    // A's values are not the release's business.
    for f in &report.findings {
        assert!(f.values.iter().all(|(n, _)| &**n != "release"), "{f:?}");
    }
    assert_eq!(report.readiness.len(), 2);
    assert!(report.readiness.iter().all(|r| r.verdict == Verdict::Ready));
}

#[test]
fn every_report_format_carries_the_change_class_and_json_the_verdict() {
    use crate::render::{
        Context, GitlabRenderer, JsonRenderer, MarkdownRenderer, Renderer, SarifRenderer,
    };
    let col = obj(&[
        ("type", Value::from("text")),
        ("nullable", Value::Bool(true)),
    ]);
    let release = manifest(
        "release",
        Role::Release,
        &[
            ("schema:shop:table:public.orders", obj(&[])),
            ("schema:shop:column:public.orders.note", col),
        ],
    );
    let prod = manifest(
        "prod",
        Role::Environment,
        &[("schema:shop:table:public.orders", obj(&[]))],
    );
    let report = crate::diff_manifests(
        &[release, prod],
        &crate::Policy::default(),
        &crate::DiffOptions::default(),
    )
    .unwrap();
    let render = |r: &dyn Renderer| {
        let mut out = Vec::new();
        r.render(&report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let json: serde_json::Value = serde_json::from_str(&render(&JsonRenderer::default())).unwrap();
    assert_eq!(json["findings"][0]["change_class"], "unmet");
    assert_eq!(json["readiness"][0]["verdict"], "blocked");
    let md = render(&MarkdownRenderer {
        fail_on: Severity::Error,
        max_bytes: crate::render::MAX_MARKDOWN_BYTES,
    });
    assert!(md.contains("missing · unmet"), "{md}");
    let ctx = Context::default();
    let sarif: serde_json::Value =
        serde_json::from_str(&render(&SarifRenderer { context: &ctx })).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["properties"]["changeClass"],
        "unmet"
    );
    assert!(render(&GitlabRenderer { context: &ctx }).contains("(unmet change)"));
}

#[test]
fn what_pending_migrations_do_decides_the_class() {
    let ops = |list: &[&str]| {
        obj(&[
            ("checksum", Value::from("1")),
            (
                "operations",
                Value::List(list.iter().map(|s| Value::from(*s)).collect()),
            ),
        ])
    };
    let col = obj(&[
        ("type", Value::from("text")),
        ("nullable", Value::Bool(true)),
    ]);
    let release = manifest(
        "release",
        Role::Release,
        &[
            ("schema:shop:column:public.orders.note", col.clone()),
            ("schema:shop:column:public.orders.other", col.clone()),
            ("schema:shop:migration:flyway:1", mig("1")),
            (
                "schema:shop:migration:flyway:2",
                ops(&[
                    "add_column public.orders.note",
                    "drop_column public.orders.legacy",
                ]),
            ),
        ],
    );
    let prod = manifest(
        "prod",
        Role::Environment,
        &[
            ("schema:shop:migration:flyway:1", mig("1")),
            ("schema:shop:column:public.orders.legacy", col),
        ],
    );
    let (findings, r) = compare(&release, &prod);
    let classes: Vec<(&str, Option<ChangeClass>)> = findings
        .iter()
        .map(|f| (f.key.as_str(), f.change_class))
        .collect();
    assert_eq!(
        classes,
        [
            (
                "schema:shop:column:public.orders.legacy",
                Some(ChangeClass::Contract)
            ),
            (
                "schema:shop:column:public.orders.note",
                Some(ChangeClass::Expand)
            ),
            (
                "schema:shop:column:public.orders.other",
                Some(ChangeClass::Unmet)
            ),
            ("schema:shop:migration:flyway:2", None),
        ]
    );
    assert_eq!(r.verdict, Verdict::Blocked);
}

#[test]
fn waivers_and_rules_apply_to_readiness_findings() {
    use crate::policy::{Expect, Rule, Waiver};
    let release = manifest(
        "release",
        Role::Release,
        &[
            ("env:NEW_FLAG", Value::from("")),
            ("env:OTHER", Value::from("")),
        ],
    );
    let prod = manifest("prod", Role::Environment, &[]);
    let mut policy = crate::Policy::default();
    policy.waivers.push(Waiver {
        keys: vec![crate::KeyPattern::new("env:NEW_FLAG").unwrap()],
        reason: "ships dark".into(),
        expires: None,
        environments: None,
        origin: None,
    });
    let mut ignore = Rule::new("env:OTHER").unwrap();
    ignore.expect = Some(Expect::Ignore);
    policy.rules.push(ignore);
    let report =
        crate::diff_manifests(&[release, prod], &policy, &crate::DiffOptions::default()).unwrap();
    let keys: Vec<(&str, bool)> = report
        .findings
        .iter()
        .map(|f| (f.key.as_str(), f.is_active()))
        .collect();
    assert_eq!(keys, [("env:NEW_FLAG", false)]);
    assert_eq!(report.readiness[0].verdict, Verdict::Ready);
    assert_eq!(report.summary.errors, 0);
}

#[test]
fn an_index_built_without_concurrently_is_noted() {
    let release = manifest(
        "release",
        Role::Release,
        &[
            (
                "schema:shop:index:public.orders_note_idx",
                obj(&[("table", Value::from("public.orders"))]),
            ),
            (
                "schema:shop:migration:flyway:1",
                obj(&[(
                    "operations",
                    Value::List(vec![Value::from(
                        "create_index public.orders_note_idx not_concurrently",
                    )]),
                )]),
            ),
        ],
    );
    let prod = manifest(
        "prod",
        Role::Environment,
        &[("schema:shop:migrations:flyway", obj(&[]))],
    );
    let (findings, r) = compare(&release, &prod);
    // Through the whole comparison too: the policy keeps the note.
    let report = crate::diff_manifests(
        &[release.clone(), prod.clone()],
        &crate::Policy::default(),
        &crate::DiffOptions::default(),
    )
    .unwrap();
    let through = report
        .findings
        .iter()
        .find(|f| f.key.as_str().contains(":index:"))
        .unwrap();
    assert!(through.reason.is_some());
    let index = &findings[0];
    assert_eq!(index.change_class, Some(ChangeClass::Expand));
    assert!(index.reason.as_deref().unwrap().contains("CONCURRENTLY"));
    assert_eq!(r.verdict, Verdict::MigrateFirst);
}

#[test]
fn a_value_hidden_only_in_the_environment_makes_no_note() {
    let release = manifest(
        "release",
        Role::Release,
        &[(
            "env:DATABASE_URL",
            Value::from("postgres://app@localhost/shop"),
        )],
    );
    let prod = manifest(
        "prod",
        Role::Environment,
        &[(
            "env:DATABASE_URL",
            Value::from("postgres://app:s3cret-pw@db.internal/shop"),
        )],
    );
    assert!(prod.get("env:DATABASE_URL").is_some_and(Value::is_secret));
    let report = crate::diff::diff_manifests(
        &[release, prod],
        &crate::Policy::default(),
        &crate::DiffOptions::default(),
    )
    .unwrap();
    assert!(
        !report
            .notes
            .iter()
            .any(|n| matches!(n, crate::report::Note::HiddenInSome { .. })),
        "{:?}",
        report.notes
    );
    assert!(report.summary.complete);
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

#[test]
fn waivers_count_the_findings_the_report_keeps() {
    let k = "schema:shop:migration:flyway:2";
    let release = manifest(
        "release",
        Role::Release,
        &[(k, mig("22")), ("env:MODE", Value::from("a"))],
    );
    let prod = manifest("prod", Role::Environment, &[("env:MODE", Value::from("b"))]);
    let waiver = |glob: &str, origin: &str| crate::policy::Waiver {
        keys: vec![crate::KeyPattern::new(glob).unwrap()],
        reason: "known".into(),
        expires: None,
        environments: None,
        origin: Some(origin.into()),
    };
    let policy = crate::Policy {
        rules: vec![],
        waivers: vec![
            // Waives the pending migration.
            waiver(k, "drift.toml:1"),
            // Matches a value only the release-as-environment comparison
            // (never reported) would differ in: it waived nothing.
            waiver("env:MODE", "drift.toml:2"),
        ],
    };
    let report =
        crate::diff::diff_manifests(&[release, prod], &policy, &crate::DiffOptions::default())
            .unwrap();
    assert_eq!(kinds(&report.findings), [(k.to_owned(), "pending")]);
    assert!(report.findings[0].waived.is_some());
    let counts: Vec<Option<usize>> = report.matches.waivers.iter().map(|m| m.findings).collect();
    assert_eq!(counts, [Some(1), Some(0)]);
    let unused: Vec<Option<&str>> = report
        .notes
        .iter()
        .filter_map(|n| match n {
            crate::report::Note::WaiverUnused { waiver } => Some(waiver.origin.as_deref()),
            _ => None,
        })
        .collect();
    assert_eq!(unused, [Some("drift.toml:2")]);
}
