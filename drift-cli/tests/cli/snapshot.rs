//! `drift snapshot`: manifests, atomic output, bad input.

use std::path::Path;

use crate::support::{Drift, root};

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn snapshot_to_stdout_is_a_valid_manifest() {
    let demo = root().join("testdata/demo/prod");
    let run = Drift::new()
        .args(["snapshot", "--env", "prod", "--dotenv"])
        .arg_path(&demo.join(".env"))
        .args(["--config-dir"])
        .arg_path(&demo.join("config"))
        .status(0);
    let v = run.json();
    assert_eq!(v["format"], "drift-manifest/1");
    assert_eq!(v["environment"], "prod");
    assert_eq!(v["entries"]["env:APP_ENV"], "production");
    assert_eq!(v["entries"]["config:app.yaml:service.port"], 8080);
    assert!(v["entries"]["env:PAYMENT_GATEWAY_WEBHOOK_SECRET"]["secret"].is_string());
    let url = &v["entries"]["env:DATABASE_URL"]["url"];
    assert_eq!(
        url["url"],
        "postgres://checkout@db-primary.prod.shop.internal:5432/checkout"
    );
    assert!(!run.stdout().contains("pr0d-s3cret"));
    assert!(!run.stdout().contains("whsec_live"));
}

#[test]
fn same_state_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "c/a.yaml", "b: 1\na: [x, y]\n");
    let snap = |out: &str| {
        Drift::new()
            .args(["snapshot", "--env", "dev", "--config-dir"])
            .arg_path(&dir.path().join("c"))
            .args(["--output"])
            .arg_path(&dir.path().join(out))
            .status(0);
        std::fs::read_to_string(dir.path().join(out))
            .unwrap()
            .lines()
            .filter(|l| !l.contains("created_at"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(snap("1.json"), snap("2.json"));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 3, "a temporary file was left: {names:?}");
}

#[test]
fn an_output_that_is_a_pipe_is_written_to_and_never_replaced() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "c/a.yaml", "a: 1\n");
    let fifo = dir.path().join("out.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(fifo)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        })
    };
    Drift::new()
        .args(["snapshot", "--env", "dev", "--config-dir"])
        .arg_path(&dir.path().join("c"))
        .args(["--output"])
        .arg_path(&fifo)
        .status(0);
    let text = reader.join().unwrap();
    assert!(text.contains("\"config:a.yaml:a\": 1"), "{text}");
    let kind = std::fs::metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the pipe was replaced by a file");
}

#[test]
fn unreadable_sources_are_recorded_and_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "c/bad.json", "{\"a\": 1,\n\"b\": }\n");
    write(dir.path(), "c/good.toml", "x = 1\n");
    let out = dir.path().join("m.json");
    let run = Drift::new()
        .args(["snapshot", "--env", "dev", "--config-dir"])
        .arg_path(&dir.path().join("c"))
        .args(["--dotenv"])
        .arg_path(&dir.path().join("missing.env"))
        .args(["--output"])
        .arg_path(&out)
        .status(3);
    run.stderr_has("bad.json")
        .stderr_has("line 2")
        .stderr_has("missing.env");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["entries"]["config:good.toml:x"], 1);
    assert_eq!(v["errors"].as_array().unwrap().len(), 2);
}

#[test]
fn usage_errors_exit_2() {
    Drift::new()
        .args(["snapshot", "--env", "prod"])
        .status(2)
        .stderr_has("nothing to snapshot");
    Drift::new()
        .args(["snapshot", "--env", "pr od", "--process-env"])
        .status(2)
        .stderr_has("not a valid environment name");
    Drift::new()
        .args(["snapshot"])
        .status(2)
        .stderr_has("--env");
}

#[test]
fn process_env_is_injected_and_drift_variables_are_left_out() {
    let run = Drift::new()
        .env("CHECKOUT_TEST_VAR", "hello")
        .env("DRIFT_FINGERPRINT_KEY", "k3y")
        .args(["snapshot", "--env", "dev", "--process-env"])
        .status(0);
    let v = run.json();
    assert_eq!(v["entries"]["env:CHECKOUT_TEST_VAR"], "hello");
    assert!(v["entries"].get("env:DRIFT_FINGERPRINT_KEY").is_none());
    assert!(!run.stdout().contains("k3y"));
}
