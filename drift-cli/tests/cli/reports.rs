//! The CI report formats of `drift check` and `drift diff`: `--format`,
//! `--report FORMAT=PATH`, and each format on the demo (docs/reports.md).

use std::path::{Path, PathBuf};

use crate::support::{Drift, root};

fn demo() -> PathBuf {
    root().join("testdata/demo/drift.toml")
}

/// What varies between machines and runs (see check.rs), and drift's
/// version.
fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            r#""created_at": "[^"]*""#,
            r#""created_at": "[created_at]""#,
        ),
        (r#""mode": "0[0-7]{3}""#, r#""mode": "[mode]""#),
        (r"\bmode 0[0-7]{3}\b", "mode [mode]"),
        (
            r#""(semanticV|v)ersion": "\d+\.\d+\.\d+""#,
            r#""${1}ersion": "[version]""#,
        ),
    ]
}

fn assert_no_secret(report: &str) {
    for secret in ["whsec_", "dev-password", "st4ging-pw", "pr0d-s3cret"] {
        assert!(!report.contains(secret), "{secret} leaked");
    }
}

/// `drift check` of the demo in `format`, run from the repository's root
/// as CI does.
fn demo_report(format: &str) -> String {
    let run = Drift::new()
        .current_dir(&root())
        .args([
            "check",
            "--format",
            format,
            "--config",
            "testdata/demo/drift.toml",
        ])
        .status(1);
    let report = run.stdout();
    assert_no_secret(&report);
    assert!(!report.contains('\x1b'), "colour outside text");
    report
}

#[test]
fn the_demo_sarif_report() {
    let report = demo_report("sarif");
    drift_test_support::sarif::assert_valid_sarif(&report);
    let v: serde_json::Value = serde_json::from_str(&report).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let uri = |key: &str| {
        let r = results
            .iter()
            .find(|r| r["properties"]["key"] == key)
            .unwrap_or_else(|| panic!("{key}"));
        let loc = &r["locations"][0]["physicalLocation"];
        (
            loc["artifactLocation"]["uri"].as_str().unwrap().to_owned(),
            loc["region"]["startLine"].as_u64().unwrap(),
        )
    };
    // The source file of the odd one out, when it is in the repository.
    assert_eq!(
        uri("env:PAYMENT_GATEWAY_TIMEOUT_MS").0,
        "testdata/demo/prod/.env"
    );
    // A variable's line in its dotenv file.
    assert_eq!(
        uri("env:PAYMENT_GATEWAY_WEBHOOK_SECRET"),
        ("testdata/demo/dev/.env".to_owned(), 9)
    );
    assert_eq!(
        uri("config:app.yaml:cache.ttl_seconds").0,
        "testdata/demo/prod/config/app.yaml"
    );
    assert_eq!(
        uri("package:npm:stripe").0,
        "testdata/demo/prod/package-lock.json"
    );
    assert_eq!(
        uri("schema:shop:column:orders.payment_intent_id").0,
        "testdata/demo/prod/schema.sql"
    );
    assert_eq!(
        v["runs"][0]["automationDetails"]["id"],
        "drift/dev+staging+prod/"
    );
    // The waived finding is suppressed, not left out.
    let waived = results
        .iter()
        .find(|r| r["properties"]["key"] == "config:app.yaml:cache.ttl_seconds")
        .unwrap();
    assert_eq!(waived["suppressions"][0]["kind"], "external");
    insta::with_settings!({ filters => filters() }, {
        insta::assert_snapshot!(report);
    });
}

#[test]
fn sarif_falls_back_to_drift_toml_lines_and_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("saved");
    Drift::new()
        .args(["check", "--save-manifests"])
        .arg_path(&saved)
        .args(["--config"])
        .arg_path(&demo())
        .status(1);
    // Run from the temporary folder: the sources are outside it.
    let run = Drift::new()
        .current_dir(dir.path())
        .args([
            "diff",
            "--format",
            "sarif",
            "saved/dev.json",
            "saved/prod.json",
        ])
        .status(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    for r in v["runs"][0]["results"].as_array().unwrap() {
        let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert_eq!(loc, "saved/dev.json", "{r}");
    }
    // With the policy: a rule's finding at its line.
    std::fs::copy(demo(), dir.path().join("drift.toml")).unwrap();
    let run = Drift::new()
        .current_dir(dir.path())
        .args(["diff", "--format", "sarif", "--policy", "drift.toml"])
        .args(["saved/dev.json", "saved/staging.json", "saved/prod.json"])
        .status(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    let stripe = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["properties"]["key"] == "package:npm:stripe")
        .unwrap();
    let loc = &stripe["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "drift.toml");
    assert_eq!(loc["region"]["startLine"], 58);
}

#[test]
fn the_demo_junit_report() {
    let report = demo_report("junit");
    insta::with_settings!({ filters => filters() }, {
        insta::assert_snapshot!(report);
    });
}

#[test]
fn the_demo_github_report() {
    let report = demo_report("github");
    assert!(report.lines().any(|l| l.starts_with(
        "::error file=testdata/demo/prod/.env,title=drift env%3APAYMENT_GATEWAY_TIMEOUT_MS%3A"
    )));
    insta::with_settings!({ filters => filters() }, {
        insta::assert_snapshot!(report);
    });
}

#[test]
fn the_github_format_appends_markdown_to_the_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let run = Drift::new()
        .current_dir(&root())
        .env("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())
        .args([
            "check",
            "--format",
            "github",
            "--config",
            "testdata/demo/drift.toml",
        ])
        .status(1);
    assert!(run.stdout().starts_with("::"), "annotations on stdout");
    let text = std::fs::read_to_string(&summary).unwrap();
    // Appended, never truncated: the earlier step's summary stays.
    assert!(text.starts_with("earlier step\n"), "{text}");
    assert!(text.contains("drift: drift at or above"), "{text}");
    assert!(text.contains("PAYMENT_GATEWAY_TIMEOUT_MS"), "{text}");
    assert_no_secret(&text);
    // Without the github format, the summary is left alone.
    Drift::new()
        .current_dir(&root())
        .env("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())
        .args([
            "check",
            "--format",
            "json",
            "--config",
            "testdata/demo/drift.toml",
        ])
        .status(1);
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), text);
}

#[test]
fn the_demo_gitlab_report() {
    let report = demo_report("gitlab");
    let v: serde_json::Value = serde_json::from_str(&report).unwrap();
    // Ten active findings; the waived eleventh is left out.
    assert_eq!(v.as_array().unwrap().len(), 10);
    assert!(!report.contains("cache.ttl_seconds"));
    insta::with_settings!({ filters => filters() }, {
        insta::assert_snapshot!(report);
    });
}

#[test]
fn reports_are_written_besides_the_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = |n: &str| dir.path().join(n);
    let flag = |f: &str, n: &str| format!("{f}={}", file(n).display());
    let run = Drift::new()
        .current_dir(&root())
        .args([
            "check",
            "--config",
            "testdata/demo/drift.toml",
            "--color",
            "always",
        ])
        .args(["--report", &flag("sarif", "d.sarif")])
        .args(["--report", &flag("junit", "d.xml")])
        .args(["--report", &flag("text", "d.txt")])
        .args(["--report", &flag("json", "d.json")])
        .status(1);
    // Standard output is the text report, coloured as asked; the text
    // file is not.
    assert!(run.stdout().contains('\x1b'));
    let text = std::fs::read_to_string(file("d.txt")).unwrap();
    assert!(!text.contains('\x1b') && text.contains("PAYMENT_GATEWAY_TIMEOUT_MS"));
    drift_test_support::sarif::assert_valid_sarif(
        &std::fs::read_to_string(file("d.sarif")).unwrap(),
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file("d.json")).unwrap()).unwrap();
    assert_eq!(json["format"], "drift-report/1");
    assert!(
        std::fs::read_to_string(file("d.xml"))
            .unwrap()
            .starts_with("<?xml")
    );
    // No temporary file is left.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
}

#[test]
fn bad_report_flags_are_refused_before_anything_is_collected() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sarif");
    for (flags, says) in [
        (
            vec!["--report", "pdf=x.pdf"],
            "--report: unknown format `pdf`",
        ),
        (vec!["--report", "sarif"], "--report takes FORMAT=PATH"),
        (vec!["--report", "junit="], "--report: no PATH"),
    ] {
        for command in [
            vec!["check", "--config", "testdata/demo/drift.toml"],
            vec!["diff", "nothing-1.json", "nothing-2.json"],
        ] {
            Drift::new()
                .current_dir(&root())
                .args(&command)
                .args(&flags)
                .status(2)
                .stderr_has(says);
        }
    }
    let twice = [
        format!("sarif={}", a.display()),
        format!("json={}/./a.sarif", dir.path().display()),
    ];
    Drift::new()
        .args(["check", "--config"])
        .arg_path(&demo())
        .args(["--report", &twice[0], "--report", &twice[1]])
        .status(2)
        .stderr_has("is given twice");
    assert!(!a.exists());
    assert!(!Path::new(&dir.path().join("saved")).exists());
}
