//! `drift diff --fleet`: manifests of one environment collected elsewhere,
//! compared as that environment's hosts; and `snapshot --host-name`.

use std::path::{Path, PathBuf};

use drift_core::manifest::{Collection, ManifestBuilder};
use drift_core::{KeyPath, Sanitizer};

use crate::support::Drift;

/// Writes a manifest of `env` taken on `host` (none: an older manifest
/// without a host name) to `dir/file`.
fn host_manifest(
    dir: &Path,
    file: &str,
    env: &str,
    host: Option<&str>,
    entries: &[(&str, &str)],
) -> PathBuf {
    let mut c = Collection::new();
    for (k, v) in entries {
        c.insert(KeyPath::new(*k).unwrap(), *v);
    }
    let mut b = ManifestBuilder::new(env, "local", Sanitizer::default());
    if let Some(h) = host {
        b.host_name(h);
    }
    b.add("test", "1", c);
    let m = b.finish(Some("2026-11-26T00:00:00Z".into()));
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, m.to_json_string()).unwrap();
    path
}

/// Three prod hosts, web-3 the odd one out; one staging host like the
/// majority. Returns the folder holding prod's manifests.
fn fleet(dir: &Path) -> PathBuf {
    for (host, pool) in [("web-1", "20"), ("web-2", "20"), ("web-3", "5")] {
        host_manifest(
            dir,
            &format!("prod/{host}.json"),
            "prod",
            Some(host),
            &[("env:POOL", pool), ("env:REGION", "eu")],
        );
    }
    host_manifest(
        dir,
        "staging.json",
        "staging",
        Some("stage-1"),
        &[("env:POOL", "20"), ("env:REGION", "us")],
    );
    dir.join("prod")
}

fn findings(run: &crate::support::Run) -> Vec<serde_json::Value> {
    run.json()["findings"].as_array().unwrap().clone()
}

#[test]
fn fleet_reports_the_outlier_host_then_the_environments() {
    let dir = tempfile::tempdir().unwrap();
    let prod = fleet(dir.path());
    let run = Drift::new()
        .args(["diff", "--fleet", "--format", "json", "--fail-on", "info"])
        .arg_path(&dir.path().join("staging.json"))
        .arg_path(&prod)
        .status(1);
    let report = run.json();
    let envs = report["environments"].as_array().unwrap();
    assert_eq!(envs.len(), 2, "{report}");
    assert_eq!(envs[1]["name"], "prod");
    let hosts: Vec<&str> = envs[1]["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, ["web-1", "web-2", "web-3"]);
    let found = findings(&run);
    let outlier = found
        .iter()
        .find(|f| f["kind"] == "outlier")
        .unwrap_or_else(|| panic!("no outlier: {report}"));
    assert_eq!(outlier["key"], "env:POOL");
    assert_eq!(outlier["environment"], "prod");
    assert_eq!(outlier["odd_one_out"], serde_json::json!(["web-3"]));
    // Across environments, prod's consensus (eu) against staging (us).
    let region = found
        .iter()
        .find(|f| f["key"] == "env:REGION")
        .unwrap_or_else(|| panic!("no REGION finding: {report}"));
    assert_eq!(region["environment"], serde_json::Value::Null);
    assert_eq!(region["values"]["prod"], "eu");
}

#[test]
fn fleet_reads_a_quoted_glob() {
    let dir = tempfile::tempdir().unwrap();
    fleet(dir.path());
    let glob = dir.path().join("prod").join("web-*.json");
    let run = Drift::new()
        .args(["diff", "--fleet", "--format", "json", "--fail-on", "info"])
        .arg_path(&glob)
        .status(1);
    let report = run.json();
    assert_eq!(report["environments"].as_array().unwrap().len(), 1);
    assert_eq!(
        report["environments"][0]["hosts"].as_array().unwrap().len(),
        3
    );
    assert!(findings(&run).iter().any(|f| f["kind"] == "outlier"));
}

#[test]
fn without_fleet_manifests_of_one_name_stay_environments_named_by_file() {
    let dir = tempfile::tempdir().unwrap();
    let prod = fleet(dir.path());
    let run = Drift::new()
        .args(["diff", "--format", "json", "--fail-on", "info"])
        .args(["web-1.json", "web-2.json", "web-3.json"].map(|f| prod.join(f)))
        .status(1);
    let report = run.json();
    let names: Vec<String> = report["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 3, "{report}");
    assert!(
        names[0].starts_with("prod@") && names[0].ends_with("web-1.json"),
        "{names:?}"
    );
    assert!(findings(&run).iter().all(|f| f["kind"] != "outlier"));
}

#[test]
fn hosts_of_one_name_are_told_apart_by_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = host_manifest(dir.path(), "a.json", "prod", Some("web"), &[("env:A", "1")]);
    let b = host_manifest(dir.path(), "b.json", "prod", Some("web"), &[("env:A", "2")]);
    // An older manifest without a host name is named by its file.
    let c = host_manifest(dir.path(), "old-host.json", "prod", None, &[("env:A", "1")]);
    let run = Drift::new()
        .args(["diff", "--fleet", "--format", "json"])
        .arg_path(&a)
        .arg_path(&b)
        .arg_path(&c)
        .run();
    let report = run.json();
    let hosts: Vec<String> = report["environments"][0]["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(hosts.len(), 3, "{report}");
    assert!(
        hosts[0].starts_with("web@") && hosts[0].ends_with("a.json"),
        "{hosts:?}"
    );
    assert!(
        hosts[1].starts_with("web@") && hosts[1].ends_with("b.json"),
        "{hosts:?}"
    );
    assert_eq!(hosts[2], "old-host");
}

#[test]
fn one_manifest_is_nothing_to_compare() {
    let dir = tempfile::tempdir().unwrap();
    let a = host_manifest(dir.path(), "a.json", "prod", Some("web"), &[("env:A", "1")]);
    Drift::new()
        .args(["diff", "--fleet"])
        .arg_path(&a)
        .status(2)
        .stderr_has("needs two or more manifests");
    Drift::new()
        .args(["diff", "--fleet"])
        .arg_path(&dir.path().join("nothing-*.json"))
        .status(2)
        .stderr_has("matches no file");
}

#[test]
fn snapshot_records_the_host_name() {
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join(".env");
    std::fs::write(&env, "A=1\n").unwrap();
    let out = dir.path().join("m.json");
    Drift::new()
        .args([
            "snapshot",
            "--env",
            "prod",
            "--host-name",
            "web-7",
            "--dotenv",
        ])
        .arg_path(&env)
        .args(["--output"])
        .arg_path(&out)
        .status(0);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(m["host"], "web-7");
    assert_eq!(m["format_minor"], drift_core::manifest::FORMAT_MINOR);
    // By default, this machine's name.
    let run = Drift::new()
        .args(["snapshot", "--env", "prod", "--dotenv"])
        .arg_path(&env)
        .status(0);
    let m: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    let expected = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok();
    if let Some(h) = expected.filter(|h| !h.is_empty()) {
        assert_eq!(m["host"], h.as_str());
    }
    Drift::new()
        .args([
            "snapshot",
            "--env",
            "prod",
            "--host-name",
            "a\u{1b}]52;b",
            "--dotenv",
        ])
        .arg_path(&env)
        .status(2)
        .stderr_has("not a valid host name");
}
