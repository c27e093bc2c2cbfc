//! Deploy readiness from the command line: the demo's release against
//! production, through `check` and through `snapshot --release` + `diff`.

use crate::support::{Drift, root};

#[test]
fn the_demo_release_is_blocked_on_prod_by_a_key_the_code_reads() {
    let config = root().join("testdata/demo/release.toml");
    let run = Drift::new()
        .args(["check", "--format", "json", "--config"])
        .arg_path(&config)
        .status(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    let r = &v["readiness"][0];
    assert_eq!(r["environment"], "prod");
    assert_eq!(r["verdict"], "blocked");
    assert_eq!(
        r["blocking"],
        serde_json::json!(["env:PAYMENT_GATEWAY_TIMEOUT_MS"])
    );
    let find = |key: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == key)
            .cloned()
            .unwrap_or_else(|| panic!("no finding {key}"))
    };
    let pending = find("schema:shop:migration:schema_migrations:20240215093000");
    assert_eq!(pending["kind"], "pending");
    let column = find("schema:shop:column:orders.payment_intent_id");
    assert_eq!(column["change_class"], "expand");
    // The release declares no value: only presence counts, and the keys
    // only production has are no findings.
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["key"] != "env:DATABASE_HOST")
    );
    let text = Drift::new()
        .args(["check", "--config"])
        .arg_path(&config)
        .status(1)
        .stdout();
    let at = text.find("DEPLOY READINESS").unwrap();
    assert!(at < text.find("SCHEMA").unwrap(), "{text}");
    assert!(text.contains("release → prod: blocked"), "{text}");
}

#[test]
fn snapshot_release_then_diff_is_the_same_comparison() {
    let dir = tempfile::tempdir().unwrap();
    let demo = root().join("testdata/demo");
    let release = dir.path().join("release.json");
    let prod = dir.path().join("prod.json");
    Drift::new()
        .args([
            "snapshot",
            "--env",
            "release",
            "--release",
            "--quiet",
            "--dotenv",
        ])
        .arg_path(&demo.join("release/.env.example"))
        .args(["--migrations"])
        .arg_path(&demo.join("release/db/migrate"))
        .args(["--schema-label", "shop", "--output"])
        .arg_path(&release)
        .status(0);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&release).unwrap()).unwrap();
    assert_eq!(m["role"], "release");
    Drift::new()
        .args(["snapshot", "--env", "prod", "--quiet", "--dotenv"])
        .arg_path(&demo.join("prod/.env"))
        .args(["--output"])
        .arg_path(&prod)
        .status(0);
    let run = Drift::new()
        .args(["diff", "--format", "json"])
        .arg_path(&release)
        .arg_path(&prod)
        .status(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(v["readiness"][0]["verdict"], "blocked");
    // The pending migration is only info; with no live history in this
    // prod manifest every migration is pending.
    let kinds: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "pending").count(), 3);
    // Without --release, --migrations is refused.
    Drift::new()
        .args(["snapshot", "--env", "x", "--migrations"])
        .arg_path(&demo.join("release/db/migrate"))
        .status(2);
}
