//! The packages collector.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use drift_core::key::KeyPath;
use drift_core::value::Version;
use drift_core::{Collection, CollectionError, ErrorKind, Value};
use rayon::prelude::*;

use super::discover::{Search, Source, SourceKind, discover};
use super::{Format, Package, ParseError, parse_rpm_query};
use crate::collector::Collector;
use crate::transport::{AllowedCommand, Transport};

const NAME: &str = "packages";

/// Collects installed packages and locked dependencies from package
/// databases, lockfiles, and directories searched for them.
///
/// ```no_run
/// use drift_collectors::packages::PackagesCollector;
/// use drift_collectors::transport::Local;
/// use drift_collectors::Collector;
///
/// let collector = PackagesCollector::new(["/", "/srv/shop"]);
/// let collection = collector.collect(&Local::new());
/// for (key, value) in &collection.entries {
///     // package:deb:openssl:amd64 = 3.0.11-1~deb12u2, …
///     let _ = (key, value);
/// }
/// ```
#[derive(Debug, Clone)]
pub struct PackagesCollector {
    paths: Vec<PathBuf>,
    max_file_size: u64,
    search: Search,
}

impl PackagesCollector {
    /// A collector of `paths`: each a package database file, a lockfile, a
    /// root filesystem (`/` or an unpacked image: its dpkg, apk and rpm
    /// databases are read) or a project directory (searched for lockfiles).
    pub fn new<I, P>(paths: I) -> PackagesCollector
    where
        I: IntoIterator<Item = P>,
        P: Into<PathBuf>,
    {
        PackagesCollector {
            paths: paths.into_iter().map(Into::into).collect(),
            max_file_size: 256 << 20,
            search: Search {
                max_depth: 6,
                max_dirs: 20_000,
            },
        }
    }

    /// The largest file read (256 MiB by default); larger ones are a
    /// `limit` collection error.
    pub fn max_file_size(mut self, bytes: u64) -> PackagesCollector {
        self.max_file_size = bytes;
        self
    }

    /// How deep project directories are searched (6 by default).
    pub fn max_depth(mut self, depth: usize) -> PackagesCollector {
        self.search.max_depth = depth;
        self
    }

    /// How many directories one path's search may visit (20,000 by default).
    pub fn max_dirs(mut self, dirs: usize) -> PackagesCollector {
        self.search.max_dirs = dirs;
        self
    }

    fn read(
        &self,
        transport: &dyn Transport,
        source: &Source,
    ) -> Result<Vec<Package>, CollectionError> {
        let path = &source.path;
        let parse_error = |e: ParseError, format: &str| {
            let mut c = CollectionError::new(
                NAME,
                path.display().to_string(),
                ErrorKind::Parse,
                format!("failed to parse the {format}: {}", e.message),
            );
            c.line = e.line;
            c
        };
        match source.kind {
            SourceKind::RpmCommand => {
                let command = AllowedCommand::RpmQueryAll;
                let out = transport
                    .run(&command)
                    .map_err(|e| e.to_collection_error(NAME))?;
                if out.status != 0 {
                    return Err(CollectionError::new(
                        NAME,
                        command.command_line(),
                        ErrorKind::Read,
                        format!(
                            "`rpm -qa` exited with status {} while listing `{}`",
                            out.status,
                            path.display()
                        ),
                    ));
                }
                let text = String::from_utf8_lossy(&out.stdout);
                parse_rpm_query(&text).map_err(|e| parse_error(e, "`rpm -qa` output"))
            }
            SourceKind::File(format) => {
                if format == Format::RpmSqlite {
                    check_wal(transport, path)?;
                }
                // A regular file only, never /proc, /sys or /dev (issue 17).
                let bytes = transport
                    .read_source_file(path, self.max_file_size)
                    .map_err(|e| e.to_collection_error(NAME))?;
                format
                    .parse(&bytes)
                    .map_err(|e| parse_error(e, format.describe()))
            }
        }
    }
}

/// An rpmdb.sqlite whose write-ahead log holds pages: rpm is writing, or
/// stopped mid-way; the main file alone may miss packages.
fn check_wal(transport: &dyn Transport, path: &Path) -> Result<(), CollectionError> {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    match transport.metadata(&wal, true) {
        Ok(m) if m.size > 0 => Err(CollectionError::new(
            NAME,
            wal.display().to_string(),
            ErrorKind::Unsupported,
            "the rpm database has changes in its write-ahead log that are not in rpmdb.sqlite \
             yet (rpm is running, or was interrupted); run the snapshot again once rpm is done",
        )),
        _ => Ok(()),
    }
}

impl Collector for PackagesCollector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn collect(&self, transport: &dyn Transport) -> Collection {
        let mut collection = Collection::new();
        let mut sources: Vec<Source> = Vec::new();
        for path in &self.paths {
            for s in discover(transport, path, self.search, &mut collection.errors) {
                if !sources.contains(&s) {
                    sources.push(s);
                }
            }
        }
        let results: Vec<_> = sources
            .par_iter()
            .map(|s| (s, self.read(transport, s)))
            .collect();
        let mut packages: Vec<Package> = Vec::new();
        for (source, result) in results {
            match result {
                Ok(found) => {
                    collection.cover(NAME, &source.path.display().to_string(), found.len() as u64);
                    packages.extend(found);
                }
                Err(e) => collection.error(e),
            }
        }
        for (key, value) in aggregate(packages) {
            collection.insert(key, value);
        }
        collection
    }
}

/// One entry per key: the plain version when all sources agree on one, a
/// list of the distinct versions (sorted by text) when they do not. A
/// version is dev-only when every source that lists it says so.
pub(super) fn aggregate(packages: Vec<Package>) -> Vec<(KeyPath, Value)> {
    let mut by_key: BTreeMap<KeyPath, (&'static str, BTreeMap<String, bool>)> = BTreeMap::new();
    for p in packages {
        let (_, versions) = by_key
            .entry(p.key())
            .or_insert_with(|| (p.ecosystem.scheme().as_str(), BTreeMap::new()));
        versions
            .entry(p.version)
            .and_modify(|dev| *dev &= p.dev)
            .or_insert(p.dev);
    }
    by_key
        .into_iter()
        .map(|(key, (scheme, versions))| {
            let mut values: Vec<Value> = versions
                .into_iter()
                .map(|(text, dev)| {
                    Value::from(Version {
                        scheme: scheme.to_owned(),
                        text,
                        dev,
                    })
                })
                .collect();
            let value = if values.len() == 1 {
                values.pop().unwrap_or(Value::Null)
            } else {
                Value::List(values)
            };
            (key, value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::Ecosystem;

    #[test]
    fn one_version_is_plain_and_several_are_a_list() {
        let p = |name: &str, v: &str, dev: bool| Package::new(Ecosystem::Npm, name, v).dev(dev);
        let out = aggregate(vec![
            p("a", "1.0.0", false),
            p("a", "1.0.0", true),
            p("b", "4.3.4", false),
            p("b", "2.6.9", true),
            p("c", "1.0.0", true),
        ]);
        assert_eq!(out.len(), 3);
        assert!(matches!(&out[0].1, Value::Version(v) if v.text == "1.0.0" && !v.dev));
        let Value::List(items) = &out[1].1 else {
            panic!("{:?}", out[1].1)
        };
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[0], Value::Version(v) if v.text == "2.6.9" && v.dev));
        assert!(matches!(&out[2].1, Value::Version(v) if v.dev));
    }
}
