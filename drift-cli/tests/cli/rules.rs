//! Rules you can debug: match counts, unused rules, `drift explain`.

use drift_core::Value;

use crate::support::{Drift, manifest};

fn s(v: &str) -> Value {
    Value::from(v)
}

const POLICY: &str = r#"
[[rules]]
keys = "env:*_MS"
severity = "error"

[[rules]]
keys = "env:TIMEOUT_SECONDS"
expect = "ignore"

[[waivers]]
keys = "env:FLAG"
reason = "rolling out"
"#;

#[test]
fn the_json_report_counts_matches_and_an_unused_rule_is_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let a = manifest(
        dir.path(),
        "staging",
        &[("env:TIMEOUT_MS", s("1")), ("env:FLAG", s("on"))],
    );
    let b = manifest(
        dir.path(),
        "prod",
        &[("env:TIMEOUT_MS", s("2")), ("env:FLAG", s("off"))],
    );
    let policy = dir.path().join("drift.toml");
    std::fs::write(&policy, POLICY).unwrap();
    let run = Drift::new()
        .args(["diff", "--format", "json", "--policy"])
        .arg_path(&policy)
        .args([&a, &b])
        .status(1);
    let report = run.json();
    let rules = report["policy"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["origin"], "drift.toml:2");
    assert_eq!(rules[0]["matched_keys"], 1);
    assert_eq!(rules[1]["matched_keys"], 0);
    assert_eq!(report["policy"]["waivers"][0]["matched_keys"], 1);
    assert_eq!(report["policy"]["waivers"][0]["matched_findings"], 1);
    let notes = report["notes"].as_array().unwrap();
    let unused: Vec<&serde_json::Value> = notes
        .iter()
        .filter(|n| n["kind"] == "rule_unused")
        .collect();
    assert_eq!(unused.len(), 1, "{notes:?}");
    assert!(
        unused[0]["message"]
            .as_str()
            .unwrap()
            .contains("drift.toml:6")
    );

    Drift::new()
        .args(["diff", "--policy"])
        .arg_path(&policy)
        .args([&a, &b])
        .status(1)
        .stdout_has("NOTES")
        .stdout_has("rule (drift.toml:6) for `env:TIMEOUT_SECONDS` matched no key");
}

/// A drift.toml with rules, a waiver, secret globs and a baseline.
fn explained(dir: &std::path::Path) -> std::path::PathBuf {
    let config = dir.join("drift.toml");
    std::fs::write(
        &config,
        r#"[settings]
baseline = "base.toml"

[secrets]
keys = ["env:INTERNAL_*"]
public = ["env:*_TOKEN_TTL"]

[environments.staging]
dotenv = ["staging.env"]

[environments.prod]
dotenv = ["prod.env"]

[[rules]]
keys = "env:*"
severity = "warning"

[[rules]]
keys = ["env:INTERNAL_*", "env:OTHER"]
expect = "present"
environments = ["staging", "prod"]
reason = "rotated apart"

[[rules]]
keys = "package:*"
tolerate = "patch"

[[waivers]]
keys = "env:INTERNAL_*"
reason = "SHOP-1"
expires = 2020-01-01
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("base.toml"),
        format!(
            "[[baseline]]\nkey = \"env:INTERNAL_KEY\"\nenvironments = [\"staging\", \"prod\"]\nfingerprint = \"blake3:{}\"\nreason = \"baseline of 2026-12-07\"\nexpires = \"2099-01-01\"\n",
            "a".repeat(64)
        ),
    )
    .unwrap();
    config
}

#[test]
fn explain_lists_what_applies_in_order_with_lines() {
    let dir = tempfile::tempdir().unwrap();
    let config = explained(dir.path());
    let run = Drift::new()
        .args(["explain", "env:INTERNAL_KEY", "--config"])
        .arg_path(&config)
        .status(0);
    let out = run.stdout();
    let order: Vec<usize> = [
        "default        expect",
        "drift.toml:14  rule      keys = [\"env:*\"]: severity = \"warning\"",
        "drift.toml:18  rule      keys = [\"env:INTERNAL_*\", \"env:OTHER\"]: expect = \"present\", environments = [\"staging\", \"prod\"] (\"rotated apart\")",
        "drift.toml:28  waiver    keys = [\"env:INTERNAL_*\"]: expired on 2020-01-01, no longer waives its findings (\"SHOP-1\")",
        "base.toml:1    baseline  accepts until 2099-01-01: the finding among [\"staging\", \"prod\"] whose values have fingerprint blake3:aaaaaaaaaaaa…",
        "drift.toml:5   secret    [secrets] keys \"env:INTERNAL_*\": every value is hidden",
        "result: expect = \"present\" among [\"staging\", \"prod\"]; severity = \"warning\" (last rule: drift.toml:18)",
        "secret: hidden in every environment, by a secret glob",
    ]
    .iter()
    .map(|line| out.find(line).unwrap_or_else(|| panic!("{line:?} not in:\n{out}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{out}");
    assert!(!out.contains("package:*"), "{out}");

    // A public glob and the name's own judgement.
    Drift::new()
        .args(["explain", "env:API_TOKEN_TTL", "--config"])
        .arg_path(&config)
        .status(0)
        .stdout_has("default        secret    its name says secret")
        .stdout_has("drift.toml:6   public    [secrets] public \"env:*_TOKEN_TTL\"")
        .stdout_has("secret: shown, unless");
}

#[test]
fn explain_says_which_judgement_hid_the_value_in_each_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let config = explained(dir.path());
    let staging = manifest(
        dir.path(),
        "staging",
        &[
            ("env:DB_PASSWORD", s("hunter2")),
            (
                "env:NOTE",
                s(
                    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
                ),
            ),
        ],
    );
    let prod = manifest(dir.path(), "prod", &[("env:NOTE", s("plain"))]);
    let explain = |key: &str| {
        Drift::new()
            .args(["explain", key, "--config"])
            .arg_path(&config)
            .arg_path(std::path::Path::new("--manifest"))
            .arg_path(&staging)
            .arg_path(std::path::Path::new("--manifest"))
            .arg_path(&prod)
            .status(0)
    };
    let run = explain("env:DB_PASSWORD");
    let out = run.stdout();
    assert!(
        out.contains("staging.json (staging): hidden (fingerprint blake3:"),
        "{out}"
    );
    assert!(out.contains("by its name"), "{out}");
    assert!(out.contains("prod.json (prod): absent"), "{out}");
    assert!(!out.contains("hunter2"), "{out}");
    let run = explain("env:NOTE");
    let out = run.stdout();
    assert!(out.contains("by what the value held"), "{out}");
    assert!(out.contains("content 1"), "{out}");
    assert!(out.contains("prod.json (prod): present, shown"), "{out}");
    assert!(!out.contains("b3BlbnNzaC1rZXktdjEAAAAA"), "{out}");
}

#[test]
fn explain_escapes_what_came_from_outside() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("drift.toml");
    std::fs::write(
        &config,
        "[[rules]]\nkeys = \"env:*\"\nseverity = \"info\"\nreason = \"\\u001b]52;c;aGk=\\u0007 \\u202e\"\n",
    )
    .unwrap();
    let run = Drift::new()
        .args(["explain", "env:A", "--config"])
        .arg_path(&config)
        .status(0);
    let out = run.stdout();
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{202e}') && !out.contains('\u{7}'),
        "{out:?}"
    );
    assert!(out.contains(r"\u{1b}]52"), "{out}");
    Drift::new()
        .args(["explain", "not a key", "--config"])
        .arg_path(&config)
        .status(2);
}
