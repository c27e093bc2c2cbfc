//! `drift diff`: exit codes, reports, bad input.

use drift_core::Value;

use crate::support::{Drift, manifest};

fn s(v: &str) -> Value {
    Value::from(v)
}

fn pair(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    (
        manifest(
            dir,
            "staging",
            &[
                ("env:TIMEOUT_MS", s("2500")),
                ("env:FLAG", s("on")),
                ("env:DB_PASSWORD", s("hunter2")),
            ],
        ),
        manifest(
            dir,
            "prod",
            &[("env:FLAG", s("off")), ("env:DB_PASSWORD", s("hunter3"))],
        ),
    )
}

#[test]
fn equal_manifests_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let a = manifest(dir.path(), "staging", &[("env:A", s("1"))]);
    let b = manifest(dir.path(), "prod", &[("env:A", s("1"))]);
    Drift::new()
        .args(["diff"])
        .args([&a, &b])
        .status(0)
        .stdout_has("0 findings")
        .stdout_has("result: clean");
}

#[test]
fn drift_exits_1_with_a_grouped_report() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = pair(dir.path());
    let run = Drift::new().args(["diff"]).args([&a, &b]).status(1);
    let out = run.stdout();
    assert!(out.contains("ENV (2 findings)"), "{out}");
    assert!(
        out.contains("ERROR    missing       env:TIMEOUT_MS"),
        "{out}"
    );
    assert!(out.contains("WARNING  changed       env:FLAG"), "{out}");
    assert!(!out.contains("hunter"), "{out}");
}

#[test]
fn fail_on_sets_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let a = manifest(dir.path(), "staging", &[("env:FLAG", s("on"))]);
    let b = manifest(dir.path(), "prod", &[("env:FLAG", s("off"))]);
    Drift::new().args(["diff"]).args([&a, &b]).status(0);
    Drift::new()
        .args(["diff", "--fail-on", "warning"])
        .args([&a, &b])
        .status(1);
}

#[test]
fn json_report_is_documented_and_hides_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = pair(dir.path());
    let run = Drift::new()
        .args(["diff", "--format", "json"])
        .args([&a, &b])
        .status(1);
    assert!(!run.stdout().contains("hunter"));
    let v = run.json();
    assert_eq!(v["format"], "drift-report/1");
    assert_eq!(v["outcome"], "drift");
    let missing = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "env:TIMEOUT_MS")
        .unwrap();
    assert_eq!(missing["kind"], "missing");
    assert_eq!(missing["severity"], "error");
    assert_eq!(missing["values"]["staging"], "2500");
    assert!(missing["values"]["prod"].is_null());
    assert_eq!(v["summary"]["error"], 1);
    assert!(v["errors"].as_array().unwrap().is_empty());
}

#[test]
fn three_way_names_the_odd_one_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = manifest(dir.path(), "dev", &[("env:T", s("1"))]);
    let st = manifest(dir.path(), "staging", &[("env:T", s("1"))]);
    let p = manifest(dir.path(), "prod", &[("env:T", s("2"))]);
    let v = Drift::new()
        .args(["diff", "--format", "json"])
        .args([&d, &st, &p])
        .status(0)
        .json();
    assert_eq!(v["findings"][0]["odd_one_out"], serde_json::json!(["prod"]));
}

#[test]
fn malformed_manifest_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = manifest(dir.path(), "staging", &[("env:A", s("1"))]);
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"format\": \"drift-manifest/1\",\n  oops").unwrap();
    Drift::new()
        .args(["diff"])
        .args([&a, &bad])
        .status(2)
        .stderr_has("bad.json` is not a valid drift manifest")
        .stderr_has("line 2");
}

#[test]
fn truncated_manifest_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let a = manifest(dir.path(), "staging", &[("env:A", s("1"))]);
    let text = std::fs::read_to_string(&a).unwrap();
    let cut = dir.path().join("cut.json");
    std::fs::write(&cut, &text[..text.len() - 20]).unwrap();
    Drift::new()
        .args(["diff"])
        .args([&a, &cut])
        .status(2)
        .stderr_has("cut.json` is truncated");
}

#[test]
fn wrong_format_and_missing_files_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let a = manifest(dir.path(), "staging", &[("env:A", s("1"))]);
    let pkg = dir.path().join("package.json");
    std::fs::write(&pkg, r#"{"name": "shop", "version": "1.0.0"}"#).unwrap();
    Drift::new()
        .args(["diff"])
        .args([&a, &pkg])
        .status(2)
        .stderr_has("package.json` is not a drift manifest");
    Drift::new()
        .args(["diff"])
        .args([&a, &dir.path().join("nope.json")])
        .status(2)
        .stderr_has("cannot read the manifest");
    // A folder opens, then fails to read: named once, its reason once.
    let err = Drift::new()
        .args(["diff"])
        .args([&a, &dir.path().to_path_buf()])
        .status(2)
        .stderr();
    assert!(err.contains("cannot read the manifest `"), "{err}");
    assert_eq!(err.matches("Is a directory").count(), 1, "{err}");
}

#[test]
fn edited_manifest_fails_its_digest() {
    let dir = tempfile::tempdir().unwrap();
    let a = manifest(dir.path(), "staging", &[("env:A", s("1"))]);
    let b = manifest(dir.path(), "prod", &[("env:A", s("1"))]);
    let text = std::fs::read_to_string(&b)
        .unwrap()
        .replace("\"env:A\": \"1\"", "\"env:A\": \"2\"");
    std::fs::write(&b, text).unwrap();
    Drift::new()
        .args(["diff"])
        .args([&a, &b])
        .status(2)
        .stderr_has("was changed after drift wrote it");
}

#[test]
fn one_manifest_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let a = manifest(dir.path(), "staging", &[]);
    Drift::new().args(["diff"]).arg_path(&a).status(2);
}

#[test]
fn same_environment_twice_is_told_apart_by_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = manifest(dir.path(), "prod", &[("env:A", s("1"))]);
    let other = tempfile::tempdir().unwrap();
    let b = manifest(other.path(), "prod", &[("env:A", s("2"))]);
    Drift::new()
        .args(["diff"])
        .args([&a, &b])
        .status(0)
        .stdout_has("prod@");
}

#[test]
fn policy_rules_and_waivers_apply() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = pair(dir.path());
    let policy = dir.path().join("drift.toml");
    std::fs::write(
        &policy,
        r#"
[environments.staging]
[environments.prod]

[[rules]]
keys = "env:FLAG"
severity = "error"

[[waivers]]
keys = "env:TIMEOUT_MS"
reason = "prod uses the gateway default until the migration"
expires = 2999-12-31
"#,
    )
    .unwrap();
    let v = Drift::new()
        .args(["diff", "--format", "json", "--policy"])
        .args([&policy, &a, &b])
        .status(1)
        .json();
    let find = |k: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == k)
            .unwrap()
            .clone()
    };
    assert_eq!(find("env:FLAG")["severity"], "error");
    assert_eq!(
        find("env:TIMEOUT_MS")["waived"]["reason"],
        "prod uses the gateway default until the migration"
    );
    assert_eq!(v["summary"]["waived"], 1);
}

#[test]
fn expired_waiver_stops_waiving_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = pair(dir.path());
    let policy = dir.path().join("drift.toml");
    std::fs::write(
        &policy,
        "[[waivers]]\nkeys = \"env:TIMEOUT_MS\"\nreason = \"temporary\"\nexpires = 2020-01-31\n",
    )
    .unwrap();
    Drift::new()
        .args(["diff", "--policy"])
        .args([&policy, &a, &b])
        .status(1)
        .stdout_has("waiver expired on 2020-01-31: temporary");
}

#[test]
fn malformed_policy_exits_2_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = pair(dir.path());
    let policy = dir.path().join("drift.toml");
    std::fs::write(&policy, "[[rules]]\nkeys = \"env:*\"\nexpect = \"same\"\n").unwrap();
    Drift::new()
        .args(["diff", "--policy"])
        .args([&policy, &a, &b])
        .status(2)
        .stderr_has(
            "drift.toml` line 3: `expect` must be one of `equal`, `differ`, `present`, `ignore`",
        );
}

#[test]
fn help_lists_the_exit_codes() {
    Drift::new()
        .args(["diff", "--help"])
        .status(0)
        .stdout_has("Exit codes:")
        .stdout_has("3  collection incomplete");
    Drift::new().args(["--bogus"]).status(2);
}

#[test]
fn a_manifest_can_come_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = pair(dir.path());
    let text = std::fs::read(&a).unwrap();
    Drift::new()
        .args(["diff", "-"])
        .arg_path(&b)
        .stdin(text)
        .status(1)
        .stdout_has("env:TIMEOUT_MS");
}

#[test]
fn a_manifest_can_come_from_a_pipe() {
    // `drift diff <(ssh host cat prod.json) staging.json`: a named pipe,
    // which cannot seek, is read whole.
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = pair(dir.path());
    let fifo = dir.path().join("staging.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let text = std::fs::read(&a).unwrap();
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, text).unwrap())
    };
    Drift::new()
        .args(["diff"])
        .args([&fifo, &b])
        .status(1)
        .stdout_has("env:TIMEOUT_MS");
    writer.join().unwrap();
}

#[test]
fn a_manifest_over_the_size_limit_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let a = manifest(dir.path(), "dev", &[("env:A", Value::Int(1))]);
    let b = manifest(dir.path(), "prod", &[("env:A", Value::Int(2))]);
    let len = std::fs::metadata(&b).unwrap().len();
    Drift::new()
        .args(["diff", "--max-manifest-size", &len.to_string()])
        .arg_path(&a)
        .arg_path(&b)
        .status(0);
    let small = (len - 1).to_string();
    Drift::new()
        .args(["diff", "--max-manifest-size", &small])
        .arg_path(&a)
        .arg_path(&b)
        .status(2)
        .stderr_has("prod.json` is larger than")
        .stderr_has("--max-manifest-size");
    Drift::new()
        .args(["diff", "--max-manifest-size", &small, "-"])
        .arg_path(&a)
        .stdin(std::fs::read(&b).unwrap())
        .status(2)
        .stderr_has("`<stdin>` is larger than");
}

#[test]
fn a_manifest_edited_under_a_newer_minor_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = manifest(dir.path(), "dev", &[("env:A", Value::Int(1))]);
    let b = manifest(dir.path(), "prod", &[("env:A", Value::Int(1))]);
    // Raising the minor no longer skips the digest.
    let text = std::fs::read_to_string(&b).unwrap();
    let edited = text
        .replace("\"format_minor\": 0", "\"format_minor\": 3")
        .replace("\"env:A\": 1", "\"env:A\": 2");
    std::fs::write(&b, edited).unwrap();
    Drift::new()
        .args(["diff"])
        .arg_path(&a)
        .arg_path(&b)
        .status(2)
        .stderr_has("digest does not match");
}
