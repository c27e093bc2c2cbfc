//! `drift init`, `drift completions` and `drift man`.

use std::path::Path;

use crate::support::Drift;

fn touch(root: &Path, rel: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, "A=1\n").unwrap();
}

#[test]
fn init_writes_a_drift_toml_naming_what_it_found() {
    let dir = tempfile::tempdir().unwrap();
    touch(dir.path(), ".env.staging");
    touch(dir.path(), "config/app.yaml");
    touch(dir.path(), "Cargo.lock");
    touch(dir.path(), "node_modules/left-pad/package-lock.json");
    let out = dir.path().join("drift.toml");
    Drift::new()
        .args(["init", "--output"])
        .arg_path(&out)
        .status(0)
        .stderr_has("1 dotenv file(s)");
    let text = std::fs::read_to_string(&out).unwrap();
    for found in ["\".env.staging\"", "\"config\"", "\"Cargo.lock\""] {
        assert!(text.contains(found), "{found} not named:\n{text}");
    }
    assert!(!text.contains("node_modules"), "{text}");
    for env in ["dev", "staging", "prod"] {
        assert!(text.contains(&format!("[environments.{env}]")), "{text}");
    }
    // drift's own loader takes it: `check --env` with an unknown name fails
    // on the name, after the file was read and validated.
    Drift::new()
        .args(["check", "--env", "qa", "--config"])
        .arg_path(&out)
        .status(2)
        .stderr_has("declares no environment `qa` (it declares: dev, staging, prod)");
}

#[test]
fn init_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("drift.toml");
    std::fs::write(&out, "# mine\n").unwrap();
    Drift::new()
        .args(["init", "--output"])
        .arg_path(&out)
        .status(2)
        .stderr_has("already exists; drift init never overwrites");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "# mine\n");
}

#[test]
fn completions_name_the_subcommands_and_flags() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = Drift::new().args(["completions", shell]).status(0);
        let script = run.stdout();
        for word in ["snapshot", "diff", "check", "init", "fail-on", "host-facts"] {
            assert!(script.contains(word), "{shell}: no {word}");
        }
    }
}

#[test]
fn the_bash_completion_is_valid_bash() {
    let script = Drift::new()
        .args(["completions", "bash"])
        .status(0)
        .stdout();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("drift.bash");
    std::fs::write(&file, &script).unwrap();
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .status()
        .unwrap();
    assert!(status.success(), "bash -n refused the script");
}

#[test]
fn man_pages_are_roff_with_the_commands_and_flags() {
    let page = Drift::new().args(["man"]).status(0).stdout();
    assert!(page.contains(".TH drift 1"), "{page}");
    for word in ["snapshot", "diff", "check", "completions"] {
        assert!(page.contains(word), "no {word}");
    }
    let diff = Drift::new().args(["man", "diff"]).status(0).stdout();
    assert!(diff.contains(".TH drift-diff 1"), "{diff}");
    assert!(diff.contains("\\-\\-fail\\-on"), "{diff}");
    Drift::new()
        .args(["man", "nope"])
        .status(2)
        .stderr_has("no subcommand of that name");
}
