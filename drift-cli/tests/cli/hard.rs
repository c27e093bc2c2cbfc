//! Edge inputs found on real and generated files (issue 16): what must not
//! be reported as drift, and what must compare.

use std::path::{Path, PathBuf};

use crate::support::Drift;

/// Snapshots the configuration directory `dir` as environment `env` into a
/// manifest beside it, and returns the manifest's path.
fn snapshot(dir: &Path, env: &str) -> PathBuf {
    let out = dir.with_extension("json");
    Drift::new()
        .args(["snapshot", "--env", env, "--config-dir"])
        .arg_path(dir)
        .args(["--output"])
        .arg_path(&out)
        .status(0);
    out
}

/// Two environments whose directories hold `file` as `a` and as `b`.
fn two(name: &str, a: &[u8], b: &[u8]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let mut out = Vec::new();
    for (env, text) in [("a", a), ("b", b)] {
        let dir = root.path().join(env);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
        out.push(snapshot(&dir, env));
    }
    let b = out.pop().unwrap();
    let a = out.pop().unwrap();
    (root, a, b)
}

#[test]
fn reordering_yaml_keys_around_an_empty_block_scalar_is_no_drift() {
    let (_root, a, b) = two("app.yaml", b"x: |\nport: 80\n", b"port: 80\nx: |\n");
    Drift::new()
        .args(["diff"])
        .args([&a, &b])
        .status(0)
        .stdout_has("0 findings");
}

#[test]
fn switching_a_toml_file_between_lf_and_crlf_is_no_drift() {
    let lf = "a = \"\"\"\none\ntwo\n\"\"\"\nb = '''\nx\ny'''\n[t]\nc = 1\n";
    let crlf = lf.replace('\n', "\r\n");
    let (_root, a, b) = two("app.toml", lf.as_bytes(), crlf.as_bytes());
    Drift::new()
        .args(["diff"])
        .args([&a, &b])
        .status(0)
        .stdout_has("0 findings");
}

#[test]
fn a_comment_only_file_has_no_config_entry_but_differs_from_a_missing_one() {
    for name in ["app.ini", "app.toml", "app.properties", ".env"] {
        let root = tempfile::tempdir().unwrap();
        let (a, b) = (root.path().join("a"), root.path().join("b"));
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(a.join(name), "# nothing here\n\n").unwrap();
        let ma = snapshot(&a, "a");
        let mb = snapshot(&b, "b");
        let text = std::fs::read_to_string(&ma).unwrap();
        assert!(
            !text.contains(&format!("\"config:{name}\"")),
            "{name}: {text}"
        );
        assert!(text.contains(&format!("\"file:{name}\"")), "{name}: {text}");
        Drift::new()
            .args(["diff", "--fail-on", "warning"])
            .args([&ma, &mb])
            .status(1)
            .stdout_has(&format!("file:{name}"));
    }
}

#[test]
fn a_manifest_compared_with_itself_compares_like_diff_a_a() {
    let dir = tempfile::tempdir().unwrap();
    let a = crate::support::manifest(
        dir.path(),
        "prod",
        &[("env:A", drift_core::Value::from("1"))],
    );
    for times in [2, 3] {
        Drift::new()
            .args(["diff"])
            .args(std::iter::repeat_n(&a, times))
            .status(0)
            .stdout_has("0 findings")
            .stdout_has("prod@");
    }
    // The same file beside another one of its environment's name: three
    // environments, the copies told apart.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let b = crate::support::manifest(&other, "prod", &[("env:A", drift_core::Value::from("2"))]);
    Drift::new()
        .args(["diff", "--format", "json", "--fail-on", "warning"])
        .args([&a, &a, &b])
        .status(1)
        .stdout_has("#2");
}
