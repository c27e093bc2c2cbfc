//! A secret given where a name, a path or a setting is expected is never
//! printed back (issue 15, layer 6): not on stderr, not on stdout, not in
//! a written manifest. Each case of the "Echoes in errors".

use std::path::Path;

use crate::hostile::assert_absent;
use crate::support::{Drift, Run};

/// Shaped like a password: no 8 characters of it may show.
const PW: &str = "Vq7#Lm2$Rt9!Kp4&Xz";
/// Shaped like a token (a valid variable name in form, mixed case).
const TOKEN: &str = "tok_Hs8Kd2Lq9Zx4Wm7Pv3";

fn assert_quiet(run: &Run, secret: &str) {
    assert_absent(secret, &run.stderr(), "stderr");
    assert_absent(secret, &run.stdout(), "stdout");
}

fn check(dir: &Path, toml: &str, code: i32) -> Run {
    let path = dir.join("drift.toml");
    std::fs::write(&path, toml).unwrap();
    Drift::new()
        .args(["check", "--format", "json", "--config"])
        .arg_path(&path)
        .status(code)
}

#[test]
fn a_password_given_as_a_variable_name() {
    let dir = tempfile::tempdir().unwrap();
    for secret in [PW, TOKEN] {
        let run = check(
            dir.path(),
            &format!(
                "[environments.a]\nschema = [{{ url = \"postgres://ci@127.0.0.1:1/x\", password_env = {secret:?} }}]\n[environments.b]\n"
            ),
            2,
        )
        .stderr_has("line 2");
        assert_quiet(&run, secret);
        let run = Drift::new()
            .args([
                "snapshot",
                "--env",
                "a",
                "--schema",
                "postgres://ci@127.0.0.1:1/x",
            ])
            .args(["--schema-password-env", secret])
            .status(2)
            .stderr_has("--schema-password-env");
        assert_quiet(&run, secret);
    }
}

#[test]
fn a_secret_given_as_a_file_path() {
    let dir = tempfile::tempdir().unwrap();
    let run = check(
        dir.path(),
        &format!(
            "[environments.a]\nschema = [{{ url = \"postgres://ci@127.0.0.1:1/x\", password_file = {PW:?} }}]\n[environments.b]\n"
        ),
        2,
    )
    .stderr_has("`password_file` in `drift.toml` line 2")
    .stderr_has("no such file");
    assert_quiet(&run, PW);
    let run = check(
        dir.path(),
        &format!(
            "[settings]\nfingerprint_key_file = {PW:?}\n[environments.a]\nprocess_env = true\n[environments.b]\nprocess_env = true\n"
        ),
        2,
    )
    .stderr_has("`fingerprint_key_file` (drift.toml line 2)");
    assert_quiet(&run, PW);
}

#[test]
fn a_secret_given_as_a_setting() {
    let dir = tempfile::tempdir().unwrap();
    for (table, field) in [
        ("settings", "fail_on"),
        ("settings", "jobs"),
        ("environments.a", "process_env"),
        ("environments.a", "dotenv"),
        ("ssh", "operation_timeout"),
    ] {
        let run = check(
            dir.path(),
            &format!("[{table}]\n{field} = {PW:?}\n[environments.b]\n"),
            2,
        )
        .stderr_has("line 2");
        assert_quiet(&run, PW);
    }
}

#[test]
fn a_variable_given_as_a_dotenv_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.json");
    let run = Drift::new()
        .args(["snapshot", "--env", "a", "--output"])
        .arg_path(&out)
        .args(["--dotenv", &format!("API_TOKEN={TOKEN}")])
        .status(2)
        .stderr_has("NAME=value");
    assert_quiet(&run, TOKEN);
    assert!(!out.exists());
    // From a drift.toml: a collection error, in the report and the saved
    // manifest, without the value.
    let saved = dir.path().join("saved");
    std::fs::write(
        dir.path().join("drift.toml"),
        format!(
            "[environments.a]\ndotenv = [\"API_TOKEN={TOKEN}\"]\n[environments.b]\nprocess_env = true\n"
        ),
    )
    .unwrap();
    let run = Drift::new()
        .args(["check", "--format", "json", "--save-manifests"])
        .arg_path(&saved)
        .args(["--config"])
        .arg_path(&dir.path().join("drift.toml"))
        .status(3)
        .stdout_has("NAME=value");
    assert_quiet(&run, TOKEN);
    let manifest = std::fs::read_to_string(saved.join("a.json")).unwrap();
    assert!(manifest.contains("NAME=value"), "{manifest}");
    assert_absent(TOKEN, &manifest, "the manifest");
}

#[test]
fn a_password_in_an_sqlite_url() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://u:{PW}@/x.db");
    let run = Drift::new()
        .args(["snapshot", "--env", "a", "--schema", &url])
        .status(2)
        .stderr_has("takes a file path");
    assert_quiet(&run, PW);
    let run = check(
        dir.path(),
        &format!("[environments.a]\nschema = [{url:?}]\n[environments.b]\n"),
        2,
    )
    .stderr_has("line 2");
    assert_quiet(&run, PW);
}

#[test]
fn a_token_in_a_lockfile_url() {
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("package-lock.json");
    std::fs::write(
        &lock,
        format!(
            "{{\"name\":\"x\",\"lockfileVersion\":3,\"packages\":{{\"node_modules/a\":\"https://{TOKEN}@registry.example/a.tgz\"}}}}"
        ),
    )
    .unwrap();
    let run = Drift::new()
        .args(["snapshot", "--env", "a", "--packages"])
        .arg_path(&lock)
        .status(3);
    assert_quiet(&run, TOKEN);
}

#[test]
fn a_secret_given_as_a_flag_value() {
    for args in [
        vec![
            "snapshot",
            "--env",
            "a",
            "--process-env",
            "--max-file-size",
            PW,
        ],
        vec!["check", "--jobs", PW],
        vec!["check", "--fail-on", PW],
        vec![
            "snapshot",
            "--env",
            "a",
            "--process-env",
            &format!("--db-password={PW}"),
        ],
        vec!["snapshot", "--env", "a", "--process-env", PW],
    ] {
        let run = Drift::new().args(&args).status(2);
        assert_quiet(&run, PW);
        assert!(run.stderr().contains("error:"), "{}", run.stderr());
    }
    Drift::new()
        .args(["check", "--fail-on", "warn"])
        .status(2)
        .stderr_has("'--fail-on <FAIL_ON>'")
        .stderr_has("possible values: info, warning, error");
    Drift::new()
        .args(["snapshot", "--env", "a", "--proces-env"])
        .status(2)
        .stderr_has("unexpected argument '--proces-env'")
        .stderr_has("did you mean '--process-env'?");
}
