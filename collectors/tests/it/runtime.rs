//! The runtime collector: canned command outputs and a fixture tree, and
//! one smoke test on this machine.

use drift_collectors::Collector;
use drift_collectors::runtime::RuntimeCollector;
use drift_collectors::transport::{AllowedCommand, Local, Program};
use drift_core::Value;

use crate::fake::{Fake, testdata};

fn read(name: &str) -> String {
    std::fs::read_to_string(testdata().join("runtime/commands").join(name)).unwrap()
}

fn text(v: Option<&Value>) -> Option<(String, String)> {
    match v {
        Some(Value::Version(v)) => Some((v.scheme.clone(), v.text.clone())),
        _ => None,
    }
}

#[test]
fn versions_os_release_and_kernel_from_fixtures() {
    let fake = Fake::new(testdata().join("runtime"))
        .command(
            AllowedCommand::Version(Program::Node),
            0,
            &read("node.txt"),
            "",
        )
        .command(
            AllowedCommand::Version(Program::Python3),
            0,
            &read("python3.txt"),
            "",
        )
        .command(
            AllowedCommand::Version(Program::Java),
            0,
            "",
            &read("java.txt"),
        )
        .command(
            AllowedCommand::Version(Program::Openssl),
            0,
            &read("openssl.txt"),
            "",
        )
        .command(
            AllowedCommand::Version(Program::Nginx),
            0,
            "",
            &read("nginx.txt"),
        )
        .command(
            AllowedCommand::Version(Program::Psql),
            0,
            &read("psql.txt"),
            "",
        )
        // A shell that finds no such program (SSH targets).
        .command(
            AllowedCommand::Version(Program::Ruby),
            127,
            "",
            "sh: 1: ruby: not found\n",
        );
    let c = RuntimeCollector::new().collect(&fake);
    assert!(c.errors.is_empty(), "{:#?}", c.errors);
    let get = |key: &str| {
        c.entries
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v)
    };
    let pair = |a: &str, b: &str| Some((a.to_owned(), b.to_owned()));
    assert_eq!(text(get("runtime:node")), pair("semver", "18.19.0"));
    assert_eq!(text(get("runtime:python3")), pair("pep440", "3.10.12"));
    assert_eq!(text(get("runtime:java")), pair("generic", "17.0.9"));
    assert_eq!(text(get("runtime:openssl")), pair("generic", "3.0.2"));
    assert_eq!(text(get("runtime:nginx")), pair("generic", "1.18.0"));
    assert_eq!(text(get("runtime:psql")), pair("generic", "14.10"));
    assert_eq!(
        text(get("runtime:kernel")),
        pair("generic", "5.15.0-1050-aws")
    );
    assert_eq!(text(get("runtime:os.version_id")), pair("generic", "22.04"));
    assert_eq!(get("runtime:os.id"), Some(&Value::from("ubuntu")));
    assert!(
        get("runtime:ruby").is_none(),
        "not installed is absent, not an error"
    );
    assert!(get("runtime:go").is_none());
    assert_eq!(c.entries.len(), 9);
}

#[test]
fn unreadable_version_output_is_an_error() {
    let fake = Fake::new(testdata().join("runtime")).command(
        AllowedCommand::Version(Program::Php),
        1,
        "",
        "Segmentation fault\n",
    );
    let c = RuntimeCollector::new()
        .programs([Program::Php])
        .collect(&fake);
    assert_eq!(c.errors.len(), 1);
    assert!(
        c.errors[0].message.contains("php --version"),
        "{}",
        c.errors[0].message
    );
}

#[test]
fn smoke_on_this_machine() {
    let c = RuntimeCollector::new().collect(&Local::new());
    assert!(c.errors.is_empty(), "{:#?}", c.errors);
    let keys: Vec<&str> = c.entries.iter().map(|(k, _)| k.as_str()).collect();
    assert!(keys.contains(&"runtime:kernel"), "{keys:?}");
    assert!(keys.contains(&"runtime:os.id"), "{keys:?}");
    // The tests run under cargo on Linux; python3 and uname are always there
    // on the machines that run them.
    assert!(keys.contains(&"runtime:python3"), "{keys:?}");
}
