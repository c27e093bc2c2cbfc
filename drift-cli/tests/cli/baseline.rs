//! Baselines: `--write-baseline`, `--baseline`, drift.toml's `baseline`.

use std::path::{Path, PathBuf};

use drift_core::Value;

use crate::support::{Drift, manifest};

fn s(v: &str) -> Value {
    Value::from(v)
}

/// staging and prod disagreeing on two keys, one with a glob character.
fn pair(dir: &Path, prod_timeout: &str) -> (PathBuf, PathBuf) {
    (
        manifest(
            dir,
            "staging",
            &[
                ("env:TIMEOUT_MS", s("2500")),
                ("config:app.yaml:pool*size", s("10")),
                ("env:SAME", s("x")),
            ],
        ),
        manifest(
            dir,
            "prod",
            &[
                ("env:TIMEOUT_MS", s(prod_timeout)),
                ("config:app.yaml:pool*size", s("20")),
                ("env:SAME", s("x")),
            ],
        ),
    )
}

fn notes(run: &crate::support::Run) -> Vec<(String, String)> {
    run.json()["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap().to_owned(),
                n["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_written_baseline_makes_the_same_drift_pass_and_new_drift_fail() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = pair(dir.path(), "1000");
    let base = dir.path().join("baseline.toml");
    Drift::new()
        .args(["diff", "--fail-on", "warning"])
        .args([&a, &b])
        .status(1);
    Drift::new()
        .args(["diff", "--fail-on", "warning"])
        .args([&a, &b])
        .arg_path(Path::new("--write-baseline"))
        .arg_path(&base)
        .status(0)
        .stderr_has("wrote 2 baseline entries");
    let text = std::fs::read_to_string(&base).unwrap();
    // The glob character is escaped; the values are not there.
    assert!(
        text.contains(r#"key = 'config:app.yaml:pool\*size'"#)
            || text.contains(r#"key = "config:app.yaml:pool\\*size""#),
        "{text}"
    );
    assert!(text.contains("reason = \"baseline of "), "{text}");
    assert!(text.contains("expires = \""), "{text}");
    assert!(
        text.contains("environments = [\"staging\", \"prod\"]"),
        "{text}"
    );
    for value in ["2500", "1000", "\"10\"", "\"20\""] {
        assert!(!text.contains(value), "{value} in {text}");
    }

    // The same drift: clean, the findings shown apart.
    let run = Drift::new()
        .args([
            "diff",
            "--fail-on",
            "warning",
            "--format",
            "json",
            "--baseline",
        ])
        .arg_path(&base)
        .args([&a, &b])
        .status(0);
    let report = run.json();
    assert_eq!(report["summary"]["baselined"], 2);
    assert_eq!(report["summary"]["findings"], 0);
    assert_eq!(report["findings"][0]["waived"]["baseline"], true);
    assert!(notes(&run).is_empty(), "{:?}", notes(&run));
    Drift::new()
        .args(["diff", "--fail-on", "warning", "--baseline"])
        .arg_path(&base)
        .args([&a, &b])
        .status(0)
        .stdout_has("BASELINED")
        .stdout_has("baselined until ")
        .stdout_has("2 baselined");

    // The timeout drifts further, and a new key appears: both fail; the
    // timeout's entry is stale because its values changed.
    let new_dir = tempfile::tempdir().unwrap();
    let (a2, _) = pair(new_dir.path(), "1000");
    let b2 = manifest(
        new_dir.path(),
        "prod",
        &[
            ("env:TIMEOUT_MS", s("900")),
            ("config:app.yaml:pool*size", s("20")),
            ("env:SAME", s("y")),
        ],
    );
    let run = Drift::new()
        .args([
            "diff",
            "--fail-on",
            "warning",
            "--format",
            "json",
            "--baseline",
        ])
        .arg_path(&base)
        .args([&a2, &b2])
        .status(1);
    let report = run.json();
    assert_eq!(report["summary"]["baselined"], 1);
    assert_eq!(report["summary"]["findings"], 2);
    let stale = notes(&run);
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert_eq!(stale[0].0, "baseline_stale");
    assert!(stale[0].1.contains("env:TIMEOUT_MS"), "{}", stale[0].1);
    assert!(stale[0].1.contains("drifted further"), "{}", stale[0].1);
    assert!(stale[0].1.contains("baseline.toml:"), "{}", stale[0].1);
}

#[test]
fn fixed_drift_leaves_a_stale_entry_named_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = pair(dir.path(), "1000");
    let base = dir.path().join("b.toml");
    Drift::new()
        .args(["diff", "--fail-on", "warning", "--write-baseline"])
        .arg_path(&base)
        .args([&a, &b])
        .status(0);
    let fixed = tempfile::tempdir().unwrap();
    let (a2, b2) = pair(fixed.path(), "2500");
    let run = Drift::new()
        .args([
            "diff",
            "--fail-on",
            "warning",
            "--format",
            "json",
            "--baseline",
        ])
        .arg_path(&base)
        .args([&a2, &b2])
        .status(0);
    let n = notes(&run);
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0].1.contains("the drift it accepted is gone; remove it"));
    Drift::new()
        .args(["diff", "--fail-on", "warning", "--baseline"])
        .arg_path(&base)
        .args([&a2, &b2])
        .status(0)
        .stdout_has("NOTES")
        .stdout_has("for `env:TIMEOUT_MS` matched no finding");
}

#[test]
fn an_expired_entry_no_longer_applies() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = pair(dir.path(), "1000");
    let base = dir.path().join("b.toml");
    Drift::new()
        .args(["diff", "--fail-on", "warning", "--write-baseline"])
        .arg_path(&base)
        .args([&a, &b])
        .status(0);
    let text = std::fs::read_to_string(&base).unwrap();
    let expired = regex_free_replace_expires(&text, "2020-01-01");
    std::fs::write(&base, expired).unwrap();
    let run = Drift::new()
        .args([
            "diff",
            "--fail-on",
            "warning",
            "--format",
            "json",
            "--baseline",
        ])
        .arg_path(&base)
        .args([&a, &b])
        .status(1);
    let n = notes(&run);
    assert_eq!(n.len(), 2, "{n:?}");
    assert!(
        n.iter()
            .all(|(k, m)| k == "baseline_expired" && m.contains("expired on 2020-01-01"))
    );
    assert_eq!(run.json()["summary"]["baselined"], 0);
}

/// `text` with every `expires = "…"` set to `date`.
fn regex_free_replace_expires(text: &str, date: &str) -> String {
    text.lines()
        .map(|l| {
            if l.starts_with("expires = ") {
                format!("expires = \"{date}\"")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn an_existing_file_is_not_overwritten_unless_told() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = pair(dir.path(), "1000");
    let base = dir.path().join("b.toml");
    std::fs::write(&base, "keep me").unwrap();
    Drift::new()
        .args(["diff", "--fail-on", "warning", "--write-baseline"])
        .arg_path(&base)
        .args([&a, &b])
        .status(2)
        .stderr_has("--overwrite-baseline");
    assert_eq!(std::fs::read_to_string(&base).unwrap(), "keep me");
    Drift::new()
        .args([
            "diff",
            "--fail-on",
            "warning",
            "--overwrite-baseline",
            "--baseline-expires",
            "30",
            "--write-baseline",
        ])
        .arg_path(&base)
        .args([&a, &b])
        .status(0);
    assert!(
        std::fs::read_to_string(&base)
            .unwrap()
            .contains("[[baseline]]")
    );
    Drift::new()
        .args([
            "diff",
            "--fail-on",
            "warning",
            "--baseline-expires",
            "someday",
            "--write-baseline",
        ])
        .arg_path(&dir.path().join("c.toml"))
        .args([&a, &b])
        .status(2)
        .stderr_has("--baseline-expires");
}

#[test]
fn a_broken_baseline_is_an_input_error_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = pair(dir.path(), "1000");
    let base = dir.path().join("b.toml");
    std::fs::write(
        &base,
        "\n[[baseline]]\nkey = \"env:A\"\nenvironments = [\"staging\", \"prod\"]\nfingerprint = \"pr0d-s3cret\"\nreason = \"r\"\n",
    )
    .unwrap();
    let run = Drift::new()
        .args(["diff", "--fail-on", "warning", "--baseline"])
        .arg_path(&base)
        .args([&a, &b])
        .status(2)
        .stderr_has("line 2")
        .stderr_has("fingerprint");
    assert!(!run.stderr().contains("pr0d-s3cret"));
    Drift::new()
        .args(["diff", "--fail-on", "warning", "--baseline"])
        .arg_path(&dir.path().join("missing.toml"))
        .args([&a, &b])
        .status(2);
}

/// An environment per dotenv file, and a drift.toml naming them.
fn check_dir(dir: &Path, extra: &str) -> PathBuf {
    std::fs::write(dir.join("staging.env"), "TIMEOUT_MS=2500\nFLAG=on\n").unwrap();
    std::fs::write(dir.join("prod.env"), "TIMEOUT_MS=1000\nFLAG=on\n").unwrap();
    let config = dir.join("drift.toml");
    std::fs::write(
        &config,
        format!(
            "{extra}\n[environments.staging]\ndotenv = [\"staging.env\"]\n\n[environments.prod]\ndotenv = [\"prod.env\"]\n"
        ),
    )
    .unwrap();
    config
}

#[test]
fn check_writes_and_applies_a_baseline_named_by_drift_toml() {
    let dir = tempfile::tempdir().unwrap();
    let config = check_dir(
        dir.path(),
        "[settings]\nbaseline = \"drift-baseline.toml\"\n",
    );
    // Writing ignores the baseline drift.toml names (it does not exist yet).
    Drift::new()
        .args(["check", "--fail-on", "warning", "--quiet", "--config"])
        .arg_path(&config)
        .arg_path(Path::new("--write-baseline"))
        .arg_path(&dir.path().join("drift-baseline.toml"))
        .status(0);
    Drift::new()
        .args(["check", "--fail-on", "warning", "--quiet", "--config"])
        .arg_path(&config)
        .status(0)
        .stdout_has("1 baselined");
    // New drift fails.
    std::fs::write(dir.path().join("prod.env"), "TIMEOUT_MS=1000\nFLAG=off\n").unwrap();
    Drift::new()
        .args(["check", "--fail-on", "warning", "--quiet", "--config"])
        .arg_path(&config)
        .status(1)
        .stdout_has("env:FLAG");
}

#[test]
fn check_writes_a_baseline_and_exits_3_when_collection_is_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let config = check_dir(dir.path(), "");
    std::fs::remove_file(dir.path().join("prod.env")).unwrap();
    let base = dir.path().join("b.toml");
    Drift::new()
        .args(["check", "--fail-on", "warning", "--quiet", "--config"])
        .arg_path(&config)
        .arg_path(Path::new("--write-baseline"))
        .arg_path(&base)
        .status(3);
    assert!(base.exists());
}

#[test]
fn a_drift_toml_cannot_read_a_baseline_outside_its_folder() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("elsewhere.toml");
    std::fs::write(&secret, "# no entries\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = check_dir(
        dir.path(),
        &format!(
            "[settings]\nbaseline = {:?}\n",
            secret.display().to_string()
        ),
    );
    Drift::new()
        .args(["check", "--fail-on", "warning", "--quiet", "--config"])
        .arg_path(&config)
        .status(2)
        .stderr_has("outside the drift.toml's folder")
        .stderr_has("--baseline PATH");
    // Nor through a link inside it.
    let link = dir.path().join("linked.toml");
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    let config = check_dir(dir.path(), "[settings]\nbaseline = \"linked.toml\"\n");
    Drift::new()
        .args(["check", "--fail-on", "warning", "--quiet", "--config"])
        .arg_path(&config)
        .status(2)
        .stderr_has("outside the drift.toml's folder");
    // The person running drift may name any file.
    Drift::new()
        .args(["check", "--fail-on", "warning", "--quiet", "--config"])
        .arg_path(&config)
        .arg_path(Path::new("--baseline"))
        .arg_path(&secret)
        .status(1);
}
