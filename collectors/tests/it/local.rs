//! The local transport and `snapshot` together.

use drift_collectors::transport::{Local, Transport};
use drift_collectors::{Collector, snapshot};
use drift_core::{Collection, Sanitizer};

#[derive(Debug)]
struct ReadOne(std::path::PathBuf);

impl Collector for ReadOne {
    fn name(&self) -> &'static str {
        "test"
    }

    fn collect(&self, transport: &dyn Transport) -> Collection {
        let mut c = Collection::new();
        match transport.read_file(&self.0, 1024) {
            Ok(bytes) => c.insert(
                drift_core::KeyPath::env("CONTENT"),
                String::from_utf8_lossy(&bytes).into_owned(),
            ),
            Err(e) => c.error(e.to_collection_error(self.name())),
        }
        c
    }
}

#[test]
fn snapshot_records_entries_and_errors_of_each_collector() {
    let dir = tempfile::tempdir().unwrap();
    let ok = dir.path().join("ok.txt");
    std::fs::write(&ok, "hello").unwrap();
    let collectors: Vec<Box<dyn Collector>> = vec![
        Box::new(ReadOne(ok)),
        Box::new(ReadOne(dir.path().join("missing.txt"))),
    ];
    let m = snapshot(
        "dev",
        &Local::new(),
        &collectors,
        Sanitizer::default(),
        None,
    );
    assert_eq!(
        m.get("env:CONTENT"),
        Some(&drift_core::Value::from("hello"))
    );
    assert_eq!(m.errors.len(), 1);
    assert!(
        m.errors[0].message.contains("does not exist"),
        "{}",
        m.errors[0].message
    );
    assert_eq!(m.target, "local");
    assert_eq!(m.collectors.get("test").map(String::as_str), Some("0.1.0"));
}
