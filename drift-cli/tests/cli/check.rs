//! `drift check`: the demo, exit codes, drift.toml errors.

use std::path::Path;

use crate::support::{Drift, root};

fn demo() -> std::path::PathBuf {
    root().join("testdata/demo/drift.toml")
}

fn find<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
}

/// What varies between machines and runs, replaced before a report is
/// compared with its snapshot: the time each manifest was taken and the
/// files' modes (the checkout's umask).
fn demo_filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            r#""created_at": "[^"]*""#,
            r#""created_at": "[created_at]""#,
        ),
        (r#""mode": "0[0-7]{3}""#, r#""mode": "[mode]""#),
        (r"\bmode 0[0-7]{3}\b", "mode [mode]"),
    ]
}

/// Fails if any of the demo's secret values shows in `report`. The snapshot
/// would show a leak too, but an accepted snapshot update must not be able
/// to make one pass.
fn assert_no_secret(report: &str) {
    for secret in ["whsec_", "dev-password", "st4ging-pw", "pr0d-s3cret"] {
        assert!(!report.contains(secret), "{secret} leaked");
    }
}

/// The demo's incident, as its JSON report shows it: the timeout missing in
/// prod, the feature flag staging and prod disagree on (dev's experimental
/// flag is out of the rule's scope), the rotated webhook secret (by
/// fingerprint only), nginx's read timeout (with its diff), the waived cache
/// TTL, the migration that never ran in prod (its column, its index), the
/// column order (info), the payment SDK a major version behind in prod.
/// Nothing for the reordered YAML, the environment-specific database hosts
/// and URLs, express's tolerated patch lag or the dev-only jest.
#[test]
fn the_demo_reports_exactly_the_incident() {
    let run = Drift::new()
        .args(["check", "--format", "json", "--config"])
        .arg_path(&demo())
        .status(1);
    let report = run.stdout();
    assert_no_secret(&report);
    insta::with_settings!({ filters => demo_filters() }, {
        insta::assert_snapshot!(report);
    });
}

#[test]
fn the_demo_text_report() {
    let run = Drift::new()
        .args(["check", "--config"])
        .arg_path(&demo())
        .status(1);
    let report = run.stdout();
    assert_no_secret(&report);
    // NO_COLOR is set (see `Drift::new`) and stdout is a pipe.
    assert!(!report.contains('\x1b'), "colour without a terminal");
    insta::with_settings!({ filters => demo_filters() }, {
        insta::assert_snapshot!(report);
    });
}

/// The demo's report in `format`, checked for secrets.
fn demo_report(format: &str) -> String {
    let run = Drift::new()
        .args(["check", "--format", format, "--config"])
        .arg_path(&demo())
        .status(1);
    let report = run.stdout();
    assert_no_secret(&report);
    report
}

#[test]
fn the_demo_markdown_report() {
    let report = demo_report("markdown");
    assert!(report.starts_with("## ❌ drift: drift at or above `error`\n"));
    insta::with_settings!({ filters => demo_filters() }, {
        insta::assert_snapshot!(report);
    });
}

#[test]
fn the_demo_html_report() {
    let report = demo_report("html");
    // The page's own style and script are checked by their hashes (and in
    // Chromium, tests/cli/html.rs); the snapshot is of the report.
    let start = report.find("<body>").unwrap();
    let end = report.find("<script>").unwrap();
    insta::with_settings!({ filters => demo_filters() }, {
        insta::assert_snapshot!(&report[start..end]);
    });
}

#[test]
fn selecting_environments() {
    // staging and prod only: the dev/staging secret rule has one environment left.
    let v = Drift::new()
        .args([
            "check", "--format", "json", "--env", "staging", "--env", "prod", "--config",
        ])
        .arg_path(&demo())
        .status(1)
        .json();
    assert!(find(&v, "env:PAYMENT_GATEWAY_WEBHOOK_SECRET").is_none());
    assert_eq!(v["environments"].as_array().unwrap().len(), 2);
    Drift::new()
        .args(["check", "--env", "prdo", "--config"])
        .arg_path(&demo())
        .status(2)
        .stderr_has("no environment `prdo`")
        .stderr_has("did you mean `prod`?");
}

/// Two environments whose only difference is a table's column order: one
/// info finding, under `fail_on` of `drift.toml`.
fn column_order_only(fail_on: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a/schema.sql",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, note TEXT);\n",
    );
    write(
        dir.path(),
        "b/schema.sql",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT, name TEXT);\n",
    );
    write(
        dir.path(),
        "drift.toml",
        &format!(
            "[settings]\nfail_on = \"{fail_on}\"\n\
             [environments.a]\nschema = [{{ file = \"a/schema.sql\", dialect = \"sqlite\", name = \"db\" }}]\n\
             [environments.b]\nschema = [{{ file = \"b/schema.sql\", dialect = \"sqlite\", name = \"db\" }}]\n"
        ),
    );
    dir
}

#[test]
fn fail_on_info_and_threshold_from_flags() {
    let dir = column_order_only("error");
    let config = dir.path().join("drift.toml");
    let check = |flags: &[&str], code| {
        Drift::new()
            .args(["check", "--format", "json"])
            .args(flags)
            .args(["--config"])
            .arg_path(&config)
            .status(code)
            .json()
    };
    // The one finding is an info: below the default threshold, it passes.
    let v = check(&[], 0);
    assert_eq!(v["summary"]["findings"], 1, "{v}");
    assert_eq!(v["summary"]["info"], 1, "{v}");
    assert_eq!(v["findings"][0]["key"], "schema:db:column_order:t");
    assert_eq!(v["outcome"], "clean");
    // Only `--fail-on info` makes it fail the gate.
    assert_eq!(check(&["--fail-on", "info"], 1)["outcome"], "drift");
    check(&["--fail-on", "warning"], 0);
    // The flag overrides `fail_on` of drift.toml, both ways.
    let dir = column_order_only("info");
    let config = dir.path().join("drift.toml");
    Drift::new()
        .args(["check", "--config"])
        .arg_path(&config)
        .status(1);
    Drift::new()
        .args(["check", "--fail-on", "error", "--config"])
        .arg_path(&config)
        .status(0);
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn equal_environments_pass_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/.env", "A=1\nB=2\n");
    write(dir.path(), "b/.env", "B=2\nA=1\n");
    write(
        dir.path(),
        "drift.toml",
        "[environments.a]\ndotenv = [\"a/.env\"]\n[environments.b]\ndotenv = [\"b/.env\"]\n",
    );
    Drift::new()
        .args(["check", "--config"])
        .arg_path(&dir.path().join("drift.toml"))
        .status(0)
        .stdout_has("result: clean");
}

#[test]
fn unreadable_source_exits_3_and_still_compares_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/.env", "A=1\n");
    write(dir.path(), "b/.env", "A=2\n");
    write(dir.path(), "a/config/ok.yaml", "x: 1\n");
    write(dir.path(), "b/config/ok.yaml", "x: 1\n");
    write(dir.path(), "b/config/broken.yaml", "a: [1, 2\nb: 3\n");
    write(
        dir.path(),
        "drift.toml",
        "[environments.a]\ndotenv = [\"a/.env\", \"a/missing.env\"]\nconfig_dirs = [\"a/config\"]\n\
         [environments.b]\ndotenv = [\"b/.env\"]\nconfig_dirs = [\"b/config\"]\n",
    );
    let run = Drift::new()
        .args(["check", "--format", "json", "--config"])
        .arg_path(&dir.path().join("drift.toml"))
        .status(3);
    let v = run.json();
    assert_eq!(v["outcome"], "incomplete");
    let errors = v["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["source"].as_str().unwrap().ends_with("missing.env")),
        "{errors:?}"
    );
    let broken = errors
        .iter()
        .find(|e| e["source"].as_str().unwrap().contains("broken.yaml"))
        .expect("broken.yaml");
    assert_eq!(broken["kind"], "parse");
    assert!(broken["line"].is_number());
    assert!(find(&v, "env:A").is_some(), "the rest was not compared");
}

#[test]
fn malformed_drift_toml_exits_2_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "drift.toml",
        "[environments.a]\nconfg_dirs = []\n",
    );
    Drift::new()
        .args(["check", "--config"])
        .arg_path(&dir.path().join("drift.toml"))
        .status(2)
        .stderr_has("drift.toml` line 2: unknown field `confg_dirs`")
        .stderr_has("did you mean `config_dirs`?");
    Drift::new()
        .args(["check", "--config"])
        .arg_path(&dir.path().join("nope.toml"))
        .status(2)
        .stderr_has("nope.toml`: no such file");
}

#[test]
fn manifests_can_be_saved() {
    let dir = tempfile::tempdir().unwrap();
    Drift::new()
        .args(["check", "--quiet", "--save-manifests"])
        .arg_path(dir.path())
        .args(["--config"])
        .arg_path(&demo())
        .status(1);
    for env in ["dev", "staging", "prod"] {
        let text = std::fs::read_to_string(dir.path().join(format!("{env}.json"))).unwrap();
        assert!(text.contains("\"format\": \"drift-manifest/1\""));
        assert!(!text.contains("whsec_"));
    }
    // The saved manifests diff like the check.
    let paths: Vec<_> = ["dev", "staging", "prod"]
        .iter()
        .map(|e| dir.path().join(format!("{e}.json")))
        .collect();
    Drift::new()
        .args(["diff", "--policy"])
        .arg_path(&demo())
        .args(&paths)
        .status(1)
        .stdout_has("env:PAYMENT_GATEWAY_TIMEOUT_MS");
}

#[test]
fn the_fingerprint_key_is_used_and_never_collected() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/.env", "API_TOKEN=t0ken\n");
    write(dir.path(), "b/.env", "API_TOKEN=t0ken\n");
    write(
        dir.path(),
        "drift.toml",
        "[environments.a]\ndotenv = [\"a/.env\"]\nprocess_env = true\n[environments.b]\ndotenv = [\"b/.env\"]\nprocess_env = true\n",
    );
    let saved = dir.path().join("saved");
    Drift::new()
        .env("DRIFT_FINGERPRINT_KEY", "correct horse battery staple")
        .args(["check", "--save-manifests"])
        .arg_path(&saved)
        .args(["--config"])
        .arg_path(&dir.path().join("drift.toml"))
        .status(0);
    let text = std::fs::read_to_string(saved.join("a.json")).unwrap();
    assert!(text.contains("blake3k:"), "{text}");
    assert!(!text.contains("correct horse"));
    assert!(!text.contains("DRIFT_FINGERPRINT_KEY"));
    assert!(!text.contains("t0ken"));
}
