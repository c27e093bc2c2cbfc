//! The env collector on the fixtures of `testdata/env/` and on live
//! processes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use drift_collectors::env::{EnvCollector, ProcSelector};
use drift_collectors::transport::Local;
use drift_collectors::{Collector, snapshot};
use drift_core::{Collection, ErrorKind, Sanitizer, Value};

fn testdata(rel: &str) -> PathBuf {
    drift_test_support::testdata("env").join(rel)
}

fn vars(c: &Collection) -> BTreeMap<String, Value> {
    c.entries
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
        .collect()
}

fn pair(k: &str, v: &str) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

#[test]
fn dotenv_files_are_read_literally() {
    let c = EnvCollector::new()
        .dotenv(testdata("app.env"))
        .collect(&Local::new());
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let v = vars(&c);
    let s = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{k}"))
    };
    assert_eq!(s("env:PAYMENT_GATEWAY_TIMEOUT_MS"), "2500");
    assert_eq!(s("env:FEATURE_NEW_CHECKOUT"), "true");
    assert_eq!(s("env:GREETING"), "Hello ${USER}, $HOME stays");
    assert_eq!(s("env:MULTI"), "line one\nline two");
    assert_eq!(s("env:ESCAPES"), "tab\there \"quoted\" $HOME");
    assert_eq!(s("env:EMPTY"), "");
    assert_eq!(s("env:HASH"), "a#b");
    assert_eq!(c.coverage.len(), 1);
    assert_eq!(c.coverage[0].items, 8);
    assert!(c.coverage[0].source.ends_with("app.env"));
}

#[test]
fn crlf_and_a_byte_order_mark_are_accepted() {
    let c = EnvCollector::new()
        .dotenv(testdata("crlf.env"))
        .collect(&Local::new());
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let v = vars(&c);
    assert_eq!(v.get("env:A"), Some(&Value::from("1")));
    assert_eq!(v.get("env:B"), Some(&Value::from("two\nlines")));
    assert_eq!(v.get("env:C"), Some(&Value::from("three")));
}

#[test]
fn later_sources_override_earlier_ones_and_each_key_is_recorded_once() {
    let c = EnvCollector::new()
        .process_env([
            pair("PAYMENT_GATEWAY_TIMEOUT_MS", "1000"),
            pair("FROM_PROCESS", "x"),
        ])
        .dotenv(testdata("app.env"))
        .dotenv(testdata("override.env"))
        .collect(&Local::new());
    let v = vars(&c);
    assert_eq!(
        v.get("env:PAYMENT_GATEWAY_TIMEOUT_MS"),
        Some(&Value::from("3000"))
    );
    assert_eq!(v.get("env:FROM_PROCESS"), Some(&Value::from("x")));
    assert_eq!(v.get("env:ONLY_HERE"), Some(&Value::from("1")));
    let keys: Vec<&str> = c.entries.iter().map(|(k, _)| k.as_str()).collect();
    let mut unique = keys.clone();
    unique.dedup();
    assert_eq!(keys, unique);
    assert_eq!(c.coverage.len(), 3);
    assert_eq!(c.coverage[0].source, "process environment");
}

#[test]
fn a_missing_or_malformed_dotenv_is_an_error_and_the_rest_is_collected() {
    let c = EnvCollector::new()
        .dotenv(testdata("missing.env"))
        .dotenv(testdata("bad.env"))
        .dotenv(testdata("override.env"))
        .collect(&Local::new());
    assert_eq!(c.errors.len(), 2, "{:?}", c.errors);
    assert_eq!(c.errors[0].kind, ErrorKind::Read);
    assert!(
        c.errors[0].message.ends_with("missing.env` does not exist"),
        "{}",
        c.errors[0].message
    );
    let bad = &c.errors[1];
    assert_eq!(bad.kind, ErrorKind::Parse);
    assert_eq!(bad.line, Some(2));
    assert!(
        bad.message
            .ends_with("bad.env` line 2: quoted value is not closed; add the closing quote"),
        "{}",
        bad.message
    );
    assert!(!bad.message.contains("hunter2"));
    // The good file is collected; nothing of the bad one is.
    let v = vars(&c);
    assert_eq!(v.get("env:ONLY_HERE"), Some(&Value::from("1")));
    assert!(!v.contains_key("env:GOOD"));
}

#[test]
fn secrets_in_dotenv_files_are_fingerprinted_in_the_manifest() {
    let collectors: Vec<Box<dyn Collector>> =
        vec![Box::new(EnvCollector::new().dotenv(testdata("app.env")))];
    let m = snapshot(
        "prod",
        &Local::new(),
        &collectors,
        Sanitizer::default(),
        None,
    );
    let url = m.get("env:DATABASE_URL").unwrap();
    assert!(url.is_secret(), "{url:?}");
    assert!(!m.to_json_string().contains("hunter2"));
}

#[test]
fn the_environment_of_this_process_by_self_pid_name_and_pidfile() {
    let expected: BTreeMap<String, Value> = std::env::vars()
        .map(|(k, v)| {
            (
                drift_core::KeyPath::env(&k).as_str().to_owned(),
                Value::from(v),
            )
        })
        .collect();
    let pid = std::process::id();
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("it.pid");
    std::fs::write(&pidfile, format!("{pid}\n")).unwrap();
    let exe = std::env::current_exe().unwrap();
    let argv0 = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    let argv0 = String::from_utf8_lossy(argv0.split(|&b| b == 0).next().unwrap()).into_owned();
    let name = Path::new(&argv0)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(exe.to_string_lossy().contains(&name));
    for selector in [
        ProcSelector::SelfProcess,
        ProcSelector::Pid(pid),
        ProcSelector::Pidfile(pidfile.clone()),
        ProcSelector::Name(name.clone()),
    ] {
        let c = EnvCollector::new()
            .proc_environ(selector.clone())
            .collect(&Local::new());
        assert!(c.errors.is_empty(), "{selector:?}: {:?}", c.errors);
        // The test harness may set variables after start; the environment
        // at exec time is what /proc shows, so compare those present there.
        let got = vars(&c);
        assert!(!got.is_empty());
        for (k, v) in &got {
            if let Some(e) = expected.get(k) {
                assert_eq!(v, e, "{selector:?}: {k}");
            }
        }
    }
}

#[test]
fn processes_that_cannot_be_found_are_errors() {
    let c = EnvCollector::new()
        .proc_environ(ProcSelector::Name("ghp_NotAProcessName0123".into()))
        .proc_environ(ProcSelector::Pid(u32::MAX))
        .process_env([pair("STILL", "collected")])
        .collect(&Local::new());
    assert_eq!(c.errors.len(), 2, "{:?}", c.errors);
    // A value that may be a pasted secret is not repeated.
    assert_eq!(
        c.errors[0].message,
        "no running process has the name given in `process_env_of`; check the name (as in /proc/PID/comm) or give its pid or pid file"
    );
    assert_eq!(c.errors[0].source, "process_env_of");
    assert!(!format!("{:?}", c.errors[0]).contains("ghp_"));
    assert_eq!(c.errors[1].kind, ErrorKind::Read);
    assert_eq!(
        c.errors[1].message,
        format!("`/proc/{}/environ` does not exist", u32::MAX)
    );
    assert_eq!(vars(&c).get("env:STILL"), Some(&Value::from("collected")));
}

#[test]
fn a_pidfile_without_a_pid_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("bad.pid");
    std::fs::write(&pidfile, "not a pid").unwrap();
    let c = EnvCollector::new()
        .proc_environ(ProcSelector::Pidfile(pidfile.clone()))
        .collect(&Local::new());
    assert_eq!(c.errors.len(), 1);
    assert_eq!(c.errors[0].kind, ErrorKind::Parse);
    assert_eq!(
        c.errors[0].message,
        format!(
            "pid file `{}` does not hold a process id; check that the service is running",
            pidfile.display()
        )
    );
}

#[test]
fn per_session_variables_are_left_out_of_process_environments_only() {
    let dir = tempfile::tempdir().unwrap();
    let dotenv = dir.path().join(".env");
    std::fs::write(&dotenv, "PWD=/srv/app\n").unwrap();
    let c = EnvCollector::new()
        .process_env([
            pair("SSH_CONNECTION", "10.0.0.1 51234 10.0.0.2 22"),
            pair("SHLVL", "2"),
            pair("APP_MODE", "live"),
        ])
        .dotenv(&dotenv)
        .collect(&Local::new());
    let v = vars(&c);
    assert!(!v.contains_key("env:SSH_CONNECTION"));
    assert!(!v.contains_key("env:SHLVL"));
    assert_eq!(v.get("env:APP_MODE"), Some(&Value::from("live")));
    assert_eq!(v.get("env:PWD"), Some(&Value::from("/srv/app")));
}

#[test]
fn debug_output_never_shows_values() {
    let c = EnvCollector::new().process_env([pair("DB_PASSWORD", "hunter2")]);
    assert!(!format!("{c:?}").contains("hunter2"));
    let collected = c.collect(&Local::new());
    assert!(!format!("{collected:?}").contains("hunter2"));
}
