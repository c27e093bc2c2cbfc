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

#[test]
fn the_demo_reports_exactly_the_incident() {
    let run = Drift::new()
        .args(["check", "--format", "json", "--config"])
        .arg_path(&demo())
        .status(1);
    let v = run.json();
    let missing = find(&v, "env:PAYMENT_GATEWAY_TIMEOUT_MS").expect("missing timeout");
    assert_eq!(missing["kind"], "missing");
    assert_eq!(missing["severity"], "error");
    assert_eq!(missing["odd_one_out"], serde_json::json!(["prod"]));

    let flag = find(&v, "config:features.json:new_checkout_flow").expect("feature flag");
    assert_eq!(flag["kind"], "changed");
    assert_eq!(flag["severity"], "error");
    assert_eq!(flag["values"]["staging"], true);
    assert_eq!(flag["values"]["prod"], false);
    // dev may experiment: its flag differs, but it is out of the rule's scope.
    assert!(find(&v, "config:features.json:experimental_crypto_payments").is_none());

    let secret = find(&v, "env:PAYMENT_GATEWAY_WEBHOOK_SECRET").expect("rotated secret");
    assert_eq!(secret["kind"], "changed");
    assert!(secret["values"]["dev"]["secret"].is_string());

    let nginx = find(&v, "file:nginx.conf").expect("nginx.conf");
    assert!(
        nginx["detail"]["diffs"][0]["unified"]
            .as_str()
            .unwrap()
            .contains("+    proxy_read_timeout 5s;")
    );

    let waived = find(&v, "config:app.yaml:cache.ttl_seconds").expect("waived ttl");
    assert!(
        waived["waived"]["reason"]
            .as_str()
            .unwrap()
            .contains("SHOP-1432")
    );

    // The reordered YAML, the differing database hosts and URLs: nothing.
    for f in v["findings"].as_array().unwrap() {
        let key = f["key"].as_str().unwrap();
        assert!(
            !key.starts_with("config:app.yaml:payment"),
            "reordered YAML reported: {key}"
        );
        assert!(
            !key.starts_with("config:app.yaml:service"),
            "reordered YAML reported: {key}"
        );
        assert!(
            !key.starts_with("config:app.yaml:database"),
            "reordered YAML reported: {key}"
        );
        assert!(
            !key.contains("DATABASE"),
            "env-specific key reported: {key}"
        );
    }
    let text = run.stdout();
    for secret in ["whsec_", "dev-password", "st4ging-pw", "pr0d-s3cret"] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
    // The schema layer: the migration that adds orders.payment_intent_id
    // never ran in production.
    let column = find(&v, "schema:shop:column:orders.payment_intent_id").expect("missing column");
    assert_eq!(column["kind"], "missing");
    assert_eq!(column["odd_one_out"], serde_json::json!(["prod"]));
    let migration =
        find(&v, "schema:shop:migration:schema_migrations:20240215093000").expect("migration");
    assert_eq!(migration["kind"], "missing");
    assert_eq!(
        find(&v, "schema:shop:column_order:orders").unwrap()["severity"],
        "info"
    );
    // The package layer: the payment SDK is a major version behind in
    // production; express's patch lag is tolerated, jest is dev-only.
    let stripe = find(&v, "package:npm:stripe").expect("stripe");
    assert_eq!(stripe["kind"], "behind");
    assert_eq!(stripe["detail"]["skew"], "major");
    assert_eq!(stripe["detail"]["behind"], serde_json::json!(["prod"]));
    assert!(find(&v, "package:npm:express").is_none());
    assert!(find(&v, "package:npm:jest").is_none());
    assert_eq!(v["summary"]["error"], 8, "{}", run.stdout());
    assert_eq!(v["summary"]["findings"], 10, "{}", run.stdout());
}

#[test]
fn the_demo_text_report() {
    let run = Drift::new()
        .args(["check", "--config"])
        .arg_path(&demo())
        .status(1);
    let out = run.stdout();
    assert!(out.starts_with("drift: dev → staging → prod"), "{out}");
    assert!(
        out.contains("ERROR    missing       env:PAYMENT_GATEWAY_TIMEOUT_MS"),
        "{out}"
    );
    assert!(
        out.contains("prod          (absent)  ← odd one out"),
        "{out}"
    );
    assert!(out.contains("WAIVED"), "{out}");
    assert!(!out.contains('\x1b'), "colour without a terminal");
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

#[test]
fn fail_on_info_and_threshold_from_flags() {
    Drift::new()
        .args(["check", "--fail-on", "info", "--config"])
        .arg_path(&demo())
        .status(1);
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
