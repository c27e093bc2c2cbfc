//! The config collector: configuration trees, parsed into flattened keys.
//!
//! Each root directory is walked through the [`Transport`]; files are read
//! and parsed in parallel. Keys are relative to the root, so the same tree
//! under two roots gives the same keys (`docs/config-keys.md` has the whole
//! mapping):
//!
//! - JSON, YAML (every document), TOML, INI (`.ini`, `.cnf`), `.properties`
//!   and `.env` files (`.env`, `.env.*`, `*.env`) become one entry per value:
//!   `config:app/settings.yaml:database.pool.size`, plus one
//!   `file:app/settings.yaml` entry `{"format": "yaml", "mode": "0644"}`;
//! - every other file becomes `file:PATH` with its BLAKE3 hash, size, mode
//!   and, for small text files, its text (line ends normalized to `\n`);
//! - secret files (private keys, keystores, credential files) become
//!   `file:PATH` holding a fingerprint only.
//!
//! ```
//! use drift_collectors::config::{ConfigCollector, ConfigRoot};
//! use drift_collectors::transport::Local;
//! use drift_collectors::Collector;
//!
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::create_dir(dir.path().join("app")).unwrap();
//! std::fs::write(dir.path().join("app/settings.yaml"), "database:\n  pool: {size: 10}\n").unwrap();
//! let config = ConfigCollector::new([ConfigRoot::new(dir.path())]);
//! let c = config.collect(&Local::new());
//! assert!(c.errors.is_empty());
//! assert!(c.entries.iter().any(|(k, _)| k.as_str() == "config:app/settings.yaml:database.pool.size"));
//! ```

#[cfg(test)]
mod deep_tests;
pub(crate) mod error;
mod file;
pub(crate) mod format;
/// Entry points for the fuzz targets (`fuzzing` feature; test support
/// only), and the one definition of the readers' twins, which the twin
/// tests (`twins.rs`) use too.
#[cfg(any(test, feature = "fuzzing"))]
#[cfg_attr(not(feature = "fuzzing"), allow(dead_code))]
#[doc(hidden)]
pub mod fuzzing;
mod gather;
mod ini;
mod json;
mod json_fast;
mod pipeline;
mod properties;
pub(crate) mod sink;
mod toml;
mod toml_fast;
pub(crate) mod tree;
#[cfg(test)]
mod twins;
pub(crate) mod yaml;
mod yaml_fast;
mod yaml_scalar;

use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use drift_core::__private::{KeyedValues, bytes_segment};
use drift_core::key::KeyBuilder;
use drift_core::manifest::ManifestStream;
use drift_core::{Collection, CollectionError, ErrorKind, Fingerprinter, KeyPath, Value};
use rayon::prelude::*;

use crate::collector::Collector;
use crate::transport::{FileKind, Transport, WalkEntry, WalkOptions};
use format::Format;
use gather::{FileEntry, Gathered, Prepare, Prepared, Taker, Whole};
use sink::Sink;

/// A directory to collect, optionally named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigRoot {
    /// The directory on the target.
    pub path: PathBuf,
    /// A name that prefixes the keys (`config:NAME/app.yaml:…`), so that
    /// several roots can hold the same relative paths.
    pub name: Option<String>,
}

impl ConfigRoot {
    /// A root without a name: keys are paths relative to it.
    pub fn new(path: impl Into<PathBuf>) -> ConfigRoot {
        ConfigRoot {
            path: path.into(),
            name: None,
        }
    }

    /// A named root: keys are `NAME/` and the relative path.
    pub fn named(path: impl Into<PathBuf>, name: impl Into<String>) -> ConfigRoot {
        ConfigRoot {
            path: path.into(),
            name: Some(name.into()),
        }
    }
}

/// Collects configuration trees; see the [module documentation](self).
#[derive(Debug, Clone)]
pub struct ConfigCollector {
    roots: Vec<ConfigRoot>,
    max_file_size: u64,
    follow_symlinks: bool,
    max_text_diff_size: u64,
    fingerprinter: Fingerprinter,
}

/// Default [`ConfigCollector::max_file_size`]: 8 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 << 20;
/// Default [`ConfigCollector::max_text_diff_size`]: 64 KiB.
pub const DEFAULT_MAX_TEXT_DIFF_SIZE: u64 = 64 << 10;

/// What one file gave.
#[derive(Debug, Default)]
struct FileOut {
    config: KeyedValues,
    file: Option<FileEntry>,
    error: Option<CollectionError>,
}

impl ConfigCollector {
    /// A collector of `roots` with the default options.
    pub fn new(roots: impl IntoIterator<Item = ConfigRoot>) -> ConfigCollector {
        ConfigCollector {
            roots: roots.into_iter().collect(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            follow_symlinks: false,
            max_text_diff_size: DEFAULT_MAX_TEXT_DIFF_SIZE,
            fingerprinter: Fingerprinter::unkeyed(),
        }
    }

    /// Files larger than this are not read; each is recorded as a
    /// [`ErrorKind::Limit`] collection error. Default 8 MiB.
    pub fn max_file_size(mut self, bytes: u64) -> ConfigCollector {
        self.max_file_size = bytes;
        self
    }

    /// Follow symbolic links (default `false`: a link is recorded as
    /// `file:PATH` → `{"symlink": TARGET}` and not read).
    pub fn follow_symlinks(mut self, follow: bool) -> ConfigCollector {
        self.follow_symlinks = follow;
        self
    }

    /// Text files up to this size keep their text for line diffs. Default
    /// 64 KiB.
    pub fn max_text_diff_size(mut self, bytes: u64) -> ConfigCollector {
        self.max_text_diff_size = bytes;
        self
    }

    /// The fingerprinter for secret files; pass the manifest's
    /// ([`drift_core::Sanitizer::fingerprinter`]) so that they are keyed
    /// alike. Default: unkeyed.
    pub fn fingerprinter(mut self, fingerprinter: Fingerprinter) -> ConfigCollector {
        self.fingerprinter = fingerprinter;
        self
    }

    fn process(&self, transport: &dyn Transport, root: &ConfigRoot, entry: &WalkEntry) -> FileOut {
        let mut out = FileOut::default();
        let rel = relative_name(root, entry);
        // For errors only.
        let source = || entry.path.display().to_string();
        let file_key = match &rel {
            Some(rel) => KeyPath::file(rel),
            None => match non_utf8_key(root, &entry.rel_path) {
                Some(k) => k,
                None => {
                    let source = source();
                    out.error = Some(CollectionError::new(
                        self.name(),
                        &source,
                        ErrorKind::Unsupported,
                        format!("`{source}`: its name cannot be written as a key; rename the file"),
                    ));
                    return out;
                }
            },
        };
        if entry.meta.kind == FileKind::Symlink {
            match transport.read_link(&entry.path) {
                Ok(target) => {
                    let target = match target.to_str() {
                        Some(t) => t.to_owned(),
                        None => bytes_segment(target.as_os_str().as_bytes()),
                    };
                    let obj = BTreeMap::from([("symlink".to_owned(), Value::String(target))]);
                    out.file = Some(FileEntry::Value(file_key, Value::Object(obj)));
                }
                Err(e) => out.error = Some(e.to_collection_error(self.name())),
            }
            return out;
        }
        let read = match transport.read_walked(entry, self.max_file_size) {
            Ok(r) => r,
            Err(e) => {
                out.error = Some(e.to_collection_error(self.name()));
                return out;
            }
        };
        let bytes = read.bytes;
        let file_name = entry
            .rel_path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        let format = match &rel {
            // A file holding NUL bytes is binary whatever its name (an
            // `.env` linked to an environ file): hashed, never parsed.
            Some(rel)
                if !file::is_secret_name(file_name) && memchr::memchr(0, &bytes).is_none() =>
            {
                Format::detect(file_name).map(|f| (f, rel))
            }
            _ => None,
        };
        let Some((format, rel)) = format else {
            let value = file::file_value(
                &file_key,
                file_name,
                &bytes,
                read.meta.mode,
                self.max_text_diff_size,
                &self.fingerprinter,
            );
            out.file = Some(FileEntry::Value(file_key, value));
            return out;
        };
        out.file = Some(FileEntry::Info {
            key: file_key,
            format,
            mode: read.meta.mode,
        });
        // About one entry per 48 bytes of configuration, and keys about as
        // long as the text plus the file's key prefix each: sized once for
        // most files rather than grown entry by entry, and not so large
        // that each file's buffers spill into memory the last file's did
        // not warm (twice these sizes measured 5-10% slower on 100,000
        // files; the prefix counted, 5-7% faster).
        let mut builder = KeyBuilder::new("config").path(rel);
        let entries = bytes.len() / 48 + 4;
        out.config =
            KeyedValues::with_capacity(entries, bytes.len() + entries * builder.as_str().len());
        let mut sink = Sink {
            key: &mut builder,
            out: &mut out.config,
        };
        let parsed = format
            .decode(&bytes)
            .and_then(|text| format.parse_into(&text, &mut sink));
        match parsed {
            Ok(()) => {}
            Err(e) => {
                out.config = KeyedValues::default();
                let source = source();
                let at = e.line.map(|l| format!(" line {l}")).unwrap_or_default();
                let err = CollectionError::new(
                    self.name(),
                    &source,
                    ErrorKind::Parse,
                    format!("failed to parse `{source}`{at}: {}", e.message),
                );
                out.error = Some(match e.line {
                    Some(l) => err.at_line(l),
                    None => err,
                });
            }
        }
        out
    }
}

/// The path of a file in its keys: relative to its root, after the root's
/// name; `None` when it is not UTF-8.
fn relative_name(root: &ConfigRoot, entry: &WalkEntry) -> Option<String> {
    match (entry.rel_path.to_str(), &root.name) {
        (Some(rel), Some(name)) => Some(format!("{name}/{rel}")),
        (Some(rel), None) => Some(rel.to_owned()),
        (None, _) => None,
    }
}

/// `file:"…"` for a path that is not UTF-8: each invalid byte as `\xNN`, so
/// two names never give one key. Such files are recorded as whole files.
fn non_utf8_key(root: &ConfigRoot, rel: &Path) -> Option<KeyPath> {
    let mut bytes = Vec::new();
    if let Some(name) = &root.name {
        bytes.extend_from_slice(name.as_bytes());
        bytes.push(b'/');
    }
    bytes.extend_from_slice(rel.as_os_str().as_bytes());
    KeyPath::new(format!("file:{}", bytes_segment(&bytes))).ok()
}

/// Runs `f` on a pool of `threads` threads (the global pool when it has
/// that many), on one of them: the thread that takes the results works
/// for the pool while it waits, and no third thread competes with the
/// pool's two on two cores (measured: a snapshot of 100,000 files 0.92 →
/// 0.87 s, and 50 context switches where there were 520).
fn in_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    let threads = threads.max(1);
    if threads == rayon::current_num_threads() {
        if rayon::current_thread_index().is_some() {
            return f();
        }
        // On one of the pool's threads rather than beside them.
        return rayon::scope(|_| f());
    }
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}

impl Collector for ConfigCollector {
    fn name(&self) -> &'static str {
        "config"
    }

    fn collect(&self, transport: &dyn Transport) -> Collection {
        let mut config = Gathered::default();
        let (mut collection, mut files, _) = self.run(transport, &Whole, &mut config);
        let (entries, errors) = config.into_entries();
        collection.entries = entries;
        collection.errors.extend(errors);
        // Stable: of one path collected twice (two roots), the first root's
        // entry comes first, and is the one kept.
        files.sort_by(|a, b| a.0.cmp(&b.0));
        // `file:` keys sort after `config:` keys.
        collection.entries.append(&mut files);
        collection
    }

    fn streams(&self) -> bool {
        true
    }

    fn collect_streaming(
        &self,
        transport: &dyn Transport,
        stream: &mut ManifestStream<'_>,
    ) -> Collection {
        let preparer = stream.preparer();
        let (collection, files, walks) = self.run(transport, &preparer, stream);
        let mut files = files.runs;
        // Every `file:` key comes after the streamed `config:` keys: each
        // run of files in order as one piece, with the least of the keys
        // after it. Meanwhile another thread frees the walk's paths.
        rayon::join(
            move || drop(walks),
            || {
                let least = least_after(&files, piece_key);
                for (i, least) in least.into_iter().enumerate() {
                    let piece = std::mem::take(&mut files[i]);
                    let bound = least.and_then(|l| piece_key(&files[l]));
                    stream.push(piece, bound.unwrap_or(AFTER_EVERY_KEY));
                }
            },
        );
        collection
    }
}

impl ConfigCollector {
    /// Walks the roots, reads and parses their files in parallel, and hands
    /// each file's `config:` entries, passed through `prepare` on
    /// the worker that parsed them, to `taker` in key order (see [`gather`]),
    /// with a bound: a key no later file's entries sort before. Returns the
    /// coverage and errors, the `file:` entries, sorted, and the walks (for
    /// the caller to free when it suits it).
    fn run<P: Prepare>(
        &self,
        transport: &dyn Transport,
        prepare: &P,
        taker: &mut impl Taker<P::Config>,
    ) -> (Collection, P::Files, Walks<'_>) {
        let mut collection = Collection::new();
        let options = WalkOptions {
            follow_symlinks: self.follow_symlinks,
            // Each file's size and mode come with its bytes.
            file_metadata: false,
            ..WalkOptions::default()
        };
        let mut walks: Walks<'_> = Vec::new();
        for root in &self.roots {
            match transport.walk(&root.path, &options) {
                Ok(walk) => {
                    for e in walk.errors {
                        collection.error(e.to_collection_error(self.name()));
                    }
                    walks.push((root, walk.entries));
                }
                Err(e) => collection.error(e.to_collection_error(self.name())),
            }
        }
        let jobs = jobs_in_key_order(&walks);
        // `file:` keys, which come at the end, are above every `config:` key.
        let bounds: Vec<&str> = least_after(&jobs, Job::bare)
            .into_iter()
            .map(|l| l.and_then(|l| jobs[l].bare()).unwrap_or("file:"))
            .collect();
        taker.expect(jobs.len());
        let mut files = prepare.files(jobs.len());
        let mut recorded = vec![0u64; walks.len()];
        let mut gather = |outs: &mut Vec<Prepared<P>>, first: usize| {
            for (i, (error, file, piece)) in outs.drain(..).enumerate() {
                let job = first + i;
                if let Some(e) = error {
                    collection.error(e);
                }
                if let Some(f) = file {
                    recorded[jobs[job].root] += 1;
                    prepare.gather_file(&mut files, f);
                }
                taker.take(piece, bounds[job]);
            }
        };
        in_pool(transport.parallelism(), || {
            pipeline::in_order(
                &jobs,
                |job| {
                    let out = self.process(transport, walks[job.root].0, job.entry);
                    let file = out.file.map(|f| prepare.file(f));
                    (out.error, file, prepare.config(out.config))
                },
                |outs, first| gather(outs, first),
            );
        });
        for ((root, _), recorded) in walks.iter().zip(recorded) {
            collection.cover(self.name(), &root.path.display().to_string(), recorded);
        }
        (collection, files, walks)
    }
}

/// What the walk of each root found.
type Walks<'r> = Vec<(&'r ConfigRoot, Vec<WalkEntry>)>;

/// The first key of a prepared piece.
fn piece_key(piece: &drift_core::__private::Prepared) -> Option<&str> {
    piece.first_key().map(KeyPath::as_str)
}

/// For each item, the index of the item after it with the least key (items
/// without one are passed over): what bounds the keys still to come.
fn least_after<'a, T>(
    items: &'a [T],
    key: impl Fn(&'a T) -> Option<&'a str>,
) -> Vec<Option<usize>> {
    let mut out = vec![None; items.len()];
    let mut least: Option<(usize, &str)> = None;
    for (i, item) in items.iter().enumerate().rev() {
        out[i] = least.map(|(l, _)| l);
        if let Some(k) = key(item)
            && least.is_none_or(|(_, l)| k < l)
        {
            least = Some((i, k));
        }
    }
    out
}

/// A key after every key: key paths begin with their layer's name.
const AFTER_EVERY_KEY: &str = "\u{10FFFF}";

/// A file to collect: its root (an index into the walks) and its walk entry.
struct Job<'w> {
    root: usize,
    entry: &'w WalkEntry,
    /// `config:PATH:`, the prefix of its keys (empty for names that are not
    /// UTF-8, which have no config keys).
    prefix: String,
}

impl Job<'_> {
    /// `config:PATH`, the key of a file recorded as one value: below every
    /// key of its entries.
    fn bare(&self) -> Option<&str> {
        self.prefix.strip_suffix(':')
    }
}

/// The files of every walk, in the order of their key prefixes (see
/// [`gather`]); files of one path keep the order of their roots.
fn jobs_in_key_order<'w>(walks: &'w [(&ConfigRoot, Vec<WalkEntry>)]) -> Vec<Job<'w>> {
    let mut jobs = Vec::with_capacity(walks.iter().map(|(_, w)| w.len()).sum());
    for (root, (config_root, entries)) in walks.iter().enumerate() {
        // Prefixes are built on every core: for a large tree, one after
        // another they would keep the workers waiting.
        let walk: Vec<Job<'w>> = entries
            .par_iter()
            .map(|entry| Job {
                root,
                entry,
                prefix: match relative_name(config_root, entry) {
                    Some(rel) => {
                        let mut prefix =
                            String::from(KeyBuilder::new("config").path(&rel).finish());
                        prefix.push(':');
                        prefix
                    }
                    None => String::new(),
                },
            })
            .collect();
        jobs.extend(walk);
    }
    if !jobs.is_sorted_by(|a, b| a.prefix <= b.prefix) {
        jobs.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    }
    jobs
}

#[cfg(test)]
mod tests {
    use super::in_pool;

    #[test]
    fn work_runs_on_a_thread_of_the_pool() {
        let global = rayon::current_num_threads();
        assert!(in_pool(global, || rayon::current_thread_index().is_some()));
        let on_worker = rayon::scope(|_| in_pool(global, rayon::current_thread_index));
        assert!(on_worker.is_some());
        let other = in_pool(global + 1, || {
            (rayon::current_thread_index(), rayon::current_num_threads())
        });
        assert!(other.0.is_some());
        assert_eq!(other.1, global + 1);
    }
}
