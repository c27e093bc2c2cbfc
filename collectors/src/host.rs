//! Host facts: the resources and limits code assumes about its machine,
//! read from `/proc` and `/sys` through the transport.
//!
//! | key | value | source |
//! |---|---|---|
//! | `host:cpu.count` | integer | `/sys/devices/system/cpu/online`, else `/proc/cpuinfo` |
//! | `host:memory.total_bytes` | integer | `/proc/meminfo` `MemTotal` |
//! | `host:cgroup.version` | 1 or 2 | which hierarchy is mounted at `/sys/fs/cgroup` |
//! | `host:cgroup.memory.limit_bytes` | integer, or `"max"` | v2 `memory.max`, v1 `memory/memory.limit_in_bytes` |
//! | `host:cgroup.cpu.limit_cores` | float (quota / period), or `"max"` | v2 `cpu.max`, v1 `cpu/cpu.cfs_quota_us` and `cpu.cfs_period_us` |
//! | `host:limits.nofile.soft`, `host:limits.nofile.hard` | integer, or `"unlimited"` | `/proc/self/limits` `Max open files` |
//! | `host:sysctl.net.core.somaxconn`, `host:sysctl.fs.file-max`, `host:sysctl.vm.overcommit_memory` | integer | `/proc/sys/…` |
//! | `host:container.image_digest` | string | given to [`HostCollector::image_digest`] |
//!
//! The cgroup limits are those of the cgroup mounted at `/sys/fs/cgroup`:
//! in a container, the container's own. `/proc/self/limits` is the limit of
//! the reading process (the SSH session for a remote target). Volatile
//! values (free memory, load, uptime) are never recorded. A file that does
//! not exist leaves its fact out; one that exists but cannot be read or
//! parsed is a collection error.

use std::path::PathBuf;

use drift_core::key::{KeyBuilder, KeyPath};
use drift_core::{Collection, CollectionError, ErrorKind, Value};

use crate::collector::Collector;
use crate::transport::{Transport, TransportError};

const NAME: &str = "host";
const SMALL_FILE: u64 = 4 << 20;

/// Above this a v1 memory limit means "no limit" (the kernel writes
/// `LONG_MAX` rounded down to a page).
const V1_UNLIMITED: u64 = 1 << 62;

/// The sysctls recorded, by `/proc/sys` path.
const SYSCTLS: [&str; 3] = ["net/core/somaxconn", "fs/file-max", "vm/overcommit_memory"];

/// Collects host facts.
///
/// ```
/// use drift_collectors::host::HostCollector;
/// use drift_collectors::transport::Local;
/// use drift_collectors::Collector;
///
/// let c = HostCollector::new().image_digest("sha256:0123abcd");
/// let collection = c.collect(&Local::new());
/// assert!(collection.entries.iter().any(|(k, _)| k.as_str() == "host:container.image_digest"));
/// ```
#[derive(Debug, Clone)]
pub struct HostCollector {
    root: PathBuf,
    image_digest: Option<String>,
}

impl Default for HostCollector {
    fn default() -> HostCollector {
        HostCollector::new()
    }
}

impl HostCollector {
    /// Reads the facts of `/`.
    pub fn new() -> HostCollector {
        HostCollector {
            root: PathBuf::from("/"),
            image_digest: None,
        }
    }

    /// Reads `/proc` and `/sys` under `root` instead (a test tree).
    pub fn root(mut self, root: impl Into<PathBuf>) -> HostCollector {
        self.root = root.into();
        self
    }

    /// Records the digest of the container image the target runs.
    pub fn image_digest(mut self, digest: impl Into<String>) -> HostCollector {
        self.image_digest = Some(digest.into());
        self
    }
}

fn key(fields: &[&str]) -> KeyPath {
    let mut b = KeyBuilder::new(NAME);
    for f in fields {
        b.push_field(f);
    }
    b.finish()
}

/// Reads host files under a root, recording errors and coverage.
struct Reader<'a> {
    transport: &'a dyn Transport,
    root: &'a PathBuf,
    c: Collection,
}

impl Reader<'_> {
    fn path(&self, abs: &str) -> PathBuf {
        self.root.join(abs.trim_start_matches('/'))
    }

    fn exists(&self, abs: &str) -> bool {
        self.transport.metadata(&self.path(abs), true).is_ok()
    }

    /// The trimmed text of a file; `None` when it does not exist or could
    /// not be read (recorded).
    fn read(&mut self, abs: &str) -> Option<String> {
        let path = self.path(abs);
        match self.transport.read_file(&path, SMALL_FILE) {
            Ok(bytes) => Some(String::from_utf8_lossy(&bytes).trim().to_owned()),
            Err(TransportError::NotFound { .. }) => None,
            Err(e) => {
                self.c.error(e.to_collection_error(NAME));
                None
            }
        }
    }

    fn parse_error(&mut self, abs: &str, message: &str) {
        let path = self.path(abs);
        self.c.error(CollectionError::new(
            NAME,
            path.display().to_string(),
            ErrorKind::Parse,
            message,
        ));
    }

    fn record(&mut self, abs: &str, key: KeyPath, value: Value) {
        self.c.insert(key, value);
        let source = self.path(abs).display().to_string();
        self.c.cover(NAME, &source, 1);
    }
}

impl Collector for HostCollector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn collect(&self, transport: &dyn Transport) -> Collection {
        let mut r = Reader {
            transport,
            root: &self.root,
            c: Collection::new(),
        };
        cpu_count(&mut r);
        memory(&mut r);
        cgroup(&mut r);
        open_files(&mut r);
        for sysctl in SYSCTLS {
            let abs = format!("/proc/sys/{sysctl}");
            if let Some(text) = r.read(&abs) {
                match text.parse::<i64>() {
                    Ok(n) => {
                        let mut fields = vec!["sysctl"];
                        fields.extend(sysctl.split('/'));
                        r.record(&abs, key(&fields), Value::Int(n));
                    }
                    Err(_) => r.parse_error(&abs, "expected an integer"),
                }
            }
        }
        if let Some(digest) = &self.image_digest {
            r.c.insert(
                key(&["container", "image_digest"]),
                Value::String(digest.clone()),
            );
        }
        r.c
    }
}

fn cpu_count(r: &mut Reader<'_>) {
    let online = "/sys/devices/system/cpu/online";
    if let Some(text) = r.read(online) {
        match count_cpu_list(&text) {
            Some(n) => return r.record(online, key(&["cpu", "count"]), Value::Int(n)),
            None => return r.parse_error(online, "expected a CPU list such as `0-3,5`"),
        }
    }
    let cpuinfo = "/proc/cpuinfo";
    if let Some(text) = r.read(cpuinfo) {
        let n = text
            .lines()
            .filter(|l| l.split(':').next().is_some_and(|k| k.trim() == "processor"))
            .count();
        if n > 0 {
            r.record(cpuinfo, key(&["cpu", "count"]), Value::Int(n as i64));
        } else {
            r.parse_error(cpuinfo, "no `processor` lines");
        }
    }
}

/// The number of CPUs in a kernel CPU list (`0-3,5,7-8` is 7).
pub(crate) fn count_cpu_list(text: &str) -> Option<i64> {
    let mut n: i64 = 0;
    for part in text.trim().split(',') {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let (a, b): (i64, i64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        if b < a {
            return None;
        }
        n = n.checked_add(b - a + 1)?;
    }
    Some(n)
}

fn memory(r: &mut Reader<'_>) {
    let meminfo = "/proc/meminfo";
    let Some(text) = r.read(meminfo) else {
        return;
    };
    let total = text.lines().find_map(|l| {
        let rest = l.strip_prefix("MemTotal:")?;
        let mut w = rest.split_whitespace();
        let n: i64 = w.next()?.parse().ok()?;
        let unit = match w.next() {
            Some("kB") => 1024,
            None => 1,
            Some(_) => return None,
        };
        n.checked_mul(unit)
    });
    match total {
        Some(bytes) => r.record(meminfo, key(&["memory", "total_bytes"]), Value::Int(bytes)),
        None => r.parse_error(meminfo, "no readable `MemTotal` line"),
    }
}

/// A limit: a number, or the word meaning "none".
fn limit_value(text: &str, unlimited_word: &str) -> Option<Value> {
    if text == unlimited_word {
        return Some(Value::String(unlimited_word.to_owned()));
    }
    text.parse::<i64>().ok().map(Value::Int)
}

fn cgroup(r: &mut Reader<'_>) {
    if r.exists("/sys/fs/cgroup/cgroup.controllers") {
        r.c.insert(key(&["cgroup", "version"]), Value::Int(2));
        let mem = "/sys/fs/cgroup/memory.max";
        // The root cgroup has no limit files: nothing limits it.
        let text = r.read(mem).unwrap_or_else(|| "max".to_owned());
        match limit_value(&text, "max") {
            Some(v) => r.record(mem, key(&["cgroup", "memory", "limit_bytes"]), v),
            None => r.parse_error(mem, "expected a byte count or `max`"),
        }
        let cpu = "/sys/fs/cgroup/cpu.max";
        let text = r.read(cpu).unwrap_or_else(|| "max".to_owned());
        let mut w = text.split_whitespace();
        let value = match (w.next(), w.next().map(str::parse::<f64>)) {
            (Some("max"), _) => Some(Value::String("max".into())),
            (Some(q), Some(Ok(period))) if period > 0.0 => {
                q.parse::<f64>().ok().map(|q| Value::Float(q / period))
            }
            (Some(q), None) => q.parse::<f64>().ok().map(|q| Value::Float(q / 100_000.0)),
            _ => None,
        };
        match value {
            Some(v) => r.record(cpu, key(&["cgroup", "cpu", "limit_cores"]), v),
            None => r.parse_error(cpu, "expected `QUOTA PERIOD` or `max`"),
        }
        return;
    }
    let mem = "/sys/fs/cgroup/memory/memory.limit_in_bytes";
    let cpu_dir = ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"]
        .into_iter()
        .find(|d| r.exists(&format!("{d}/cpu.cfs_quota_us")));
    let has_mem = r.exists(mem);
    if !has_mem && cpu_dir.is_none() {
        return;
    }
    r.c.insert(key(&["cgroup", "version"]), Value::Int(1));
    if let Some(text) = r.read(mem) {
        match text.parse::<u64>() {
            Ok(n) if n >= V1_UNLIMITED => r.record(
                mem,
                key(&["cgroup", "memory", "limit_bytes"]),
                Value::String("max".into()),
            ),
            Ok(n) => r.record(
                mem,
                key(&["cgroup", "memory", "limit_bytes"]),
                Value::Int(n as i64),
            ),
            Err(_) => r.parse_error(mem, "expected a byte count"),
        }
    }
    if let Some(dir) = cpu_dir {
        let quota_path = format!("{dir}/cpu.cfs_quota_us");
        let period_path = format!("{dir}/cpu.cfs_period_us");
        let quota = r.read(&quota_path).and_then(|t| t.parse::<i64>().ok());
        let period = r.read(&period_path).and_then(|t| t.parse::<i64>().ok());
        match (quota, period) {
            (Some(q), _) if q < 0 => r.record(
                &quota_path,
                key(&["cgroup", "cpu", "limit_cores"]),
                Value::String("max".into()),
            ),
            (Some(q), Some(p)) if p > 0 => r.record(
                &quota_path,
                key(&["cgroup", "cpu", "limit_cores"]),
                Value::Float(q as f64 / p as f64),
            ),
            _ => r.parse_error(
                &quota_path,
                "expected integer `cpu.cfs_quota_us` and `cpu.cfs_period_us`",
            ),
        }
    }
}

fn open_files(r: &mut Reader<'_>) {
    let limits = "/proc/self/limits";
    let Some(text) = r.read(limits) else {
        return;
    };
    let Some(line) = text.lines().find(|l| l.starts_with("Max open files")) else {
        return r.parse_error(limits, "no `Max open files` line");
    };
    let mut w = line["Max open files".len()..].split_whitespace();
    let (Some(soft), Some(hard)) = (w.next(), w.next()) else {
        return r.parse_error(
            limits,
            "the `Max open files` line has no soft and hard limit",
        );
    };
    for (name, text) in [("soft", soft), ("hard", hard)] {
        match limit_value(text, "unlimited") {
            Some(v) => r.record(limits, key(&["limits", "nofile", name]), v),
            None => r.parse_error(
                limits,
                "expected a number or `unlimited` for the open-file limit",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists() {
        assert_eq!(count_cpu_list("0-3,5,7-8\n"), Some(7));
        assert_eq!(count_cpu_list("0"), Some(1));
        assert_eq!(count_cpu_list("3-1"), None);
        assert_eq!(count_cpu_list("x"), None);
    }
}
