//! Inputs nested past any stack (issue 16): a deep configuration file is a
//! collection error naming it and its line (exit 3, the rest collected), a
//! deep manifest or drift.toml an input error (exit 2); never a crash.

use std::path::Path;

use drift_core::Value;

use crate::support::{Drift, manifest};

fn nested_json(depth: usize) -> String {
    format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_json_file_of_ten_thousand_levels_is_read() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("deep.json"), &nested_json(10_000));
    write(
        &dir.path().join("deep.yaml"),
        &format!("{}1\n", "- ".repeat(10_000)),
    );
    let run = Drift::new()
        .args(["snapshot", "--env", "a", "--config-dir"])
        .arg_path(dir.path())
        .status(0);
    let m = run.json();
    let entries = m["entries"].as_object().unwrap();
    assert!(
        entries
            .keys()
            .any(|k| k.starts_with("config:deep.json:a.a.a"))
    );
    assert!(
        entries
            .keys()
            .any(|k| k.starts_with("config:deep.yaml:[0][0][0]"))
    );
}

/// TOML (inline tables) and YAML flow sequences of `depth` levels.
fn nested_toml_and_yaml_flow(dir: &Path, depth: usize) {
    let d = depth - 1;
    write(
        &dir.join("deep.toml"),
        &format!("x = {}1{}\n", "{a = ".repeat(d), "}".repeat(d)),
    );
    write(
        &dir.join("deep.yml"),
        &format!("x: {}1{}\n", "[".repeat(d), "]".repeat(d)),
    );
}

#[test]
fn toml_and_yaml_flow_files_of_five_thousand_levels_are_read() {
    let dir = tempfile::tempdir().unwrap();
    nested_toml_and_yaml_flow(dir.path(), 5_000);
    let run = Drift::new()
        .args(["snapshot", "--env", "a", "--config-dir"])
        .arg_path(dir.path())
        .status(0);
    let m = run.json();
    let entries = m["entries"].as_object().unwrap();
    assert!(
        entries
            .keys()
            .any(|k| k.starts_with("config:deep.toml:x.a.a.a"))
    );
    assert!(entries.keys().any(|k| k.starts_with("config:deep.yml:x")));
}

#[test]
fn deeper_toml_and_yaml_flow_files_are_collection_errors_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    nested_toml_and_yaml_flow(dir.path(), 100_000);
    write(&dir.path().join("plain.ini"), "port = 80\n");
    let run = Drift::new()
        .args(["snapshot", "--env", "a", "--config-dir"])
        .arg_path(dir.path())
        .status(3)
        .stderr_has("deep.toml` line 1")
        .stderr_has("deep.yml` line 1")
        .stderr_has("nested deeper than");
    assert_eq!(run.json()["entries"]["config:plain.ini:port"], "80");
}

#[test]
fn a_deeper_config_file_is_a_collection_error_naming_it_and_the_rest_is_collected() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("deep.json"), &nested_json(100_000));
    write(
        &dir.path().join("deep.yaml"),
        &format!("a: 1\nb:\n{}1\n", "- ".repeat(100_000)),
    );
    write(&dir.path().join("plain.ini"), "port = 80\n");
    let run = Drift::new()
        .args(["snapshot", "--env", "a", "--config-dir"])
        .arg_path(dir.path())
        .status(3)
        .stderr_has("deep.json` line 1")
        .stderr_has("deep.yaml` line 3")
        .stderr_has("nested deeper than");
    let m = run.json();
    assert_eq!(m["entries"]["config:plain.ini:port"], "80");
    assert!(!run.stderr().contains("overflow"), "{}", run.stderr());
}

#[test]
fn a_deep_manifest_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = manifest(dir.path(), "b", &[("env:A", Value::from("1"))]);
    let text = std::fs::read_to_string(&good).unwrap();
    // A value nested 100,000 objects deep, in a small manifest and in one
    // large enough for the parallel reader.
    let deep = format!(
        "{}1{}",
        "{\"object\":{\"a\":".repeat(100_000),
        "}}".repeat(100_000)
    );
    let padding: String = (0..20_000)
        .map(|i| format!("\"env:PAD_{i:05}\": \"x\",\n"))
        .collect();
    for pad in ["", padding.as_str()] {
        let forged = text.replacen(
            "\"entries\": {",
            &format!("\"entries\": {{\n{pad}\"env:DEEP\": {deep},"),
            1,
        );
        let path = dir.path().join("deep.json");
        write(&path, &forged);
        Drift::new()
            .args(["diff"])
            .arg_path(&path)
            .arg_path(&good)
            .status(2)
            .stderr_has("deep.json");
    }
}

#[test]
fn a_deep_drift_toml_is_an_input_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("drift.toml");
    write(
        &config,
        &format!(
            "[environments.a]\nx = {}1{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    );
    Drift::new()
        .args(["check", "--config"])
        .arg_path(&config)
        .status(2)
        .stderr_has("drift.toml` line 2");
    // drift.toml reads 80 levels (what the `toml` crate allowed), not 5,000.
    for depth in [5_000, 81] {
        write(
            &config,
            &format!(
                "[environments.a]\nx = {}1{}\n",
                "{a = ".repeat(depth),
                "}".repeat(depth)
            ),
        );
        Drift::new()
            .args(["check", "--config"])
            .arg_path(&config)
            .status(2)
            .stderr_has("drift.toml` line 2")
            .stderr_has("nested deeper than 80 levels");
    }
}

#[test]
fn a_schema_default_of_deep_parentheses_is_read_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let ddl = dir.path().join("schema.sql");
    let n = 100_000;
    write(
        &ddl,
        &format!(
            "CREATE TABLE t (a int DEFAULT {o}1{c} CHECK ({o}a > 1{c}));\n",
            o = "(".repeat(n),
            c = ")".repeat(n)
        ),
    );
    let started = std::time::Instant::now();
    Drift::new()
        .args(["snapshot", "--env", "a", "--schema-file"])
        .arg_path(&ddl)
        .status(0);
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}
