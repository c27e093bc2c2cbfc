//! The host collector over fake /proc and /sys trees, and on this machine.

use drift_collectors::Collector;
use drift_collectors::host::HostCollector;
use drift_collectors::transport::Local;
use drift_core::{Collection, Value};

use crate::fake::testdata;

fn get<'a>(c: &'a Collection, key: &str) -> Option<&'a Value> {
    c.entries
        .iter()
        .find(|(k, _)| k.as_str() == key)
        .map(|(_, v)| v)
}

#[test]
fn cgroup_v2_container() {
    let c = HostCollector::new()
        .root(testdata().join("host/cgroup2"))
        .image_digest("sha256:4bcdffd70da292293d059d2435c7056711fab2655f8b74f48ad0abe042b63687")
        .collect(&Local::new());
    assert!(c.errors.is_empty(), "{:#?}", c.errors);
    assert_eq!(get(&c, "host:cpu.count"), Some(&Value::Int(4)));
    assert_eq!(
        get(&c, "host:memory.total_bytes"),
        Some(&Value::Int(8_039_292 * 1024))
    );
    assert_eq!(get(&c, "host:cgroup.version"), Some(&Value::Int(2)));
    assert_eq!(
        get(&c, "host:cgroup.memory.limit_bytes"),
        Some(&Value::Int(2_147_483_648))
    );
    assert_eq!(
        get(&c, "host:cgroup.cpu.limit_cores"),
        Some(&Value::Float(1.5))
    );
    assert_eq!(get(&c, "host:limits.nofile.soft"), Some(&Value::Int(65536)));
    assert_eq!(
        get(&c, "host:limits.nofile.hard"),
        Some(&Value::Int(1_048_576))
    );
    assert_eq!(
        get(&c, "host:sysctl.net.core.somaxconn"),
        Some(&Value::Int(4096))
    );
    assert_eq!(
        get(&c, "host:sysctl.fs.file-max"),
        Some(&Value::Int(i64::MAX))
    );
    assert_eq!(
        get(&c, "host:sysctl.vm.overcommit_memory"),
        Some(&Value::Int(0))
    );
    assert!(get(&c, "host:container.image_digest").is_some());
    assert_eq!(c.entries.len(), 11);
    // No volatile value is recorded.
    assert!(!c.entries.iter().any(|(k, _)| k.as_str().contains("free")));
}

#[test]
fn cgroup_v1_host_without_sysctls() {
    let c = HostCollector::new()
        .root(testdata().join("host/cgroup1"))
        .collect(&Local::new());
    assert!(c.errors.is_empty(), "{:#?}", c.errors);
    assert_eq!(get(&c, "host:cpu.count"), Some(&Value::Int(2)));
    assert_eq!(get(&c, "host:cgroup.version"), Some(&Value::Int(1)));
    assert_eq!(
        get(&c, "host:cgroup.memory.limit_bytes"),
        Some(&Value::from("max"))
    );
    assert_eq!(
        get(&c, "host:cgroup.cpu.limit_cores"),
        Some(&Value::Float(0.5))
    );
    assert_eq!(get(&c, "host:limits.nofile.soft"), Some(&Value::Int(1024)));
    assert!(get(&c, "host:sysctl.net.core.somaxconn").is_none());
}

#[test]
fn smoke_on_this_machine() {
    let c = HostCollector::new().collect(&Local::new());
    assert!(c.errors.is_empty(), "{:#?}", c.errors);
    assert!(matches!(get(&c, "host:cpu.count"), Some(Value::Int(n)) if *n >= 1));
    assert!(matches!(get(&c, "host:memory.total_bytes"), Some(Value::Int(n)) if *n > 1 << 20));
    assert!(get(&c, "host:limits.nofile.soft").is_some());
}
