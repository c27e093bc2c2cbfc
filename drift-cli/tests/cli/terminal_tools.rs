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

/// A folder of `n` small configuration files.
fn config_tree(root: &Path, n: usize) -> std::path::PathBuf {
    let dir = root.join("conf");
    for i in 0..n {
        touch(&dir, &format!("f{i}.yaml"));
    }
    dir
}

#[test]
fn no_progress_is_drawn_when_standard_error_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let conf = config_tree(dir.path(), 20);
    let out = dir.path().join("m.json");
    let run = Drift::new()
        .env_remove("CI")
        .args(["snapshot", "--env", "prod", "--config-dir"])
        .arg_path(&conf)
        .args(["--output"])
        .arg_path(&out)
        .status(0);
    assert!(run.stderr_bytes().is_empty(), "{}", run.stderr());
}

/// Runs drift under a pseudo-terminal (`script`), with `ci` as the `CI`
/// variable; what it drew on the terminal.
fn on_a_terminal(args: &str, ci: Option<&str>) -> String {
    let bin = assert_cmd::cargo::cargo_bin("drift");
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"]);
    cmd.env_remove("CI");
    if let Some(v) = ci {
        cmd.env("CI", v);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn progress_is_drawn_on_a_terminal_but_not_in_ci_nor_with_quiet() {
    if std::process::Command::new("script")
        .arg("-V")
        .output()
        .is_err()
    {
        panic!("this test needs `script` (util-linux) for a pseudo-terminal");
    }
    let dir = tempfile::tempdir().unwrap();
    let conf = config_tree(dir.path(), 20);
    let out = dir.path().join("m.json");
    let args = format!(
        "snapshot --env prod --config-dir {} --output {}",
        conf.display(),
        out.display()
    );
    let drawn = on_a_terminal(&args, None);
    assert!(drawn.contains("config: "), "{drawn:?}");
    assert!(drawn.contains("file(s)"), "{drawn:?}");
    assert_eq!(on_a_terminal(&args, Some("true")), "");
    assert_eq!(on_a_terminal(&format!("{args} --quiet"), None), "");
}
