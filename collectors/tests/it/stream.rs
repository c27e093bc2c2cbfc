//! A manifest written while it is collected has the bytes of one collected
//! whole.

use drift_collectors::config::{ConfigCollector, ConfigRoot};
use drift_collectors::env::EnvCollector;
use drift_collectors::transport::Local;
use drift_collectors::{Collector, snapshot, snapshot_to};
use drift_core::{Fingerprinter, Manifest, Sanitizer};
use drift_test_support::testdata;

const AT: &str = "2026-11-26T00:00:00Z";

/// Streams `collectors`, checks the bytes against the whole manifest's, and
/// returns the streamed manifest.
fn streams_alike(collectors: Vec<Box<dyn Collector>>) -> Manifest {
    let sanitizer = || Sanitizer::new(Fingerprinter::keyed(b"test key"));
    let whole = snapshot(
        "prod",
        &Local::new(),
        &collectors,
        sanitizer(),
        Some(AT.into()),
    );
    let mut out = Vec::new();
    let summary = snapshot_to(
        "prod",
        &Local::new(),
        &collectors,
        sanitizer(),
        Some(AT),
        &mut out,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text, whole.to_json_string());
    assert_eq!(summary.digest, whole.digest());
    assert_eq!(summary.errors, whole.errors);
    assert_eq!(summary.entries, whole.len() as u64);
    Manifest::from_slice(text.as_bytes(), "streamed").unwrap()
}

fn config(roots: impl IntoIterator<Item = ConfigRoot>) -> Box<dyn Collector> {
    Box::new(ConfigCollector::new(roots).fingerprinter(Fingerprinter::keyed(b"test key")))
}

#[test]
fn the_fixture_trees_stream_alike_with_their_errors() {
    let m = streams_alike(vec![
        config([
            ConfigRoot::named(testdata("config/tree-a"), "a"),
            ConfigRoot::named(testdata("config/invalid"), "invalid"),
            ConfigRoot::named(testdata("config/secrets"), "secrets"),
        ]),
        Box::new(EnvCollector::new().process_env([
            ("HOME".to_owned(), "/root".to_owned()),
            ("API_TOKEN".to_owned(), "tok-123456".to_owned()),
        ])),
    ]);
    assert!(!m.errors.is_empty(), "the invalid fixtures are errors");
    assert!(m.get("env:API_TOKEN").unwrap().is_secret());
}

#[test]
fn the_demo_streams_alike() {
    for env in ["dev", "staging", "prod"] {
        let dir = testdata(&format!("demo/{env}/config"));
        let m = streams_alike(vec![config([ConfigRoot::new(dir)])]);
        assert!(m.len() > 10, "{env}: {}", m.len());
    }
}

#[test]
fn files_out_of_walk_order_and_paths_twice_stream_alike() {
    // `file:.env` (an empty file: no `config:` entry) sorts before
    // `file:.env.local` though the walk meets `.env.local` first; one
    // path under two roots is kept once, with an error for the conflict.
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (dir, n) in [(&one, 1), (&two, 2)] {
        let d = dir.path();
        for sub in ["conf", "conf.d"] {
            std::fs::create_dir(d.join(sub)).unwrap();
        }
        for (path, text) in [
            ("conf/x.yaml", "x: 1\n".to_owned()),
            ("conf.d/y.yaml", format!("y: {n}\n")),
            (".env", String::new()),
            (".env.local", "A=1\nDB_PASSWORD=hunter2\n".to_owned()),
            ("same.txt", "x".repeat(n)),
        ] {
            std::fs::write(d.join(path), text).unwrap();
        }
    }
    let m = streams_alike(vec![config([
        ConfigRoot::new(one.path()),
        ConfigRoot::named(one.path(), "b"),
        ConfigRoot::new(two.path()),
    ])]);
    assert!(m.get("config:.env").is_none() && m.get("file:.env").is_some());
    assert!(m.get("config:.env.local:DB_PASSWORD").unwrap().is_secret());
    assert_eq!(m.errors.len(), 2, "{:?}", m.errors);
}

#[test]
fn an_empty_root_streams_alike() {
    let dir = tempfile::tempdir().unwrap();
    let m = streams_alike(vec![config([ConfigRoot::new(dir.path())])]);
    assert!(m.is_empty());
}
