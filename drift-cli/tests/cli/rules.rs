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
