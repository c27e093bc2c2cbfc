//! Building manifests from what collectors record.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::{CollectionError, Coverage, Entry, ErrorKind, FORMAT_MINOR, Manifest, Role};
use crate::key::KeyPath;
use crate::secret::Sanitizer;
use crate::value::Value;

/// What one collector (or one part of it) recorded: entries, coverage and
/// errors. Collections are merged into a [`ManifestBuilder`]; they may be
/// filled in parallel and appended to each other.
///
/// A collection holds values *before* secrets are hidden: its `Debug` shows
/// counts, never values.
#[derive(Default)]
pub struct Collection {
    /// Recorded entries, in any order, secrets not yet hidden.
    pub entries: Vec<(KeyPath, Value)>,
    /// Recorded coverage.
    pub coverage: Vec<Coverage>,
    /// Recorded errors.
    pub errors: Vec<CollectionError>,
}

impl std::fmt::Debug for Collection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collection")
            .field("entries", &self.entries.len())
            .field("coverage", &self.coverage)
            .field("errors", &self.errors)
            .finish()
    }
}

impl Collection {
    /// An empty collection.
    pub fn new() -> Collection {
        Collection::default()
    }

    /// Records an entry.
    pub fn insert(&mut self, key: KeyPath, value: impl Into<Value>) {
        self.entries.push((key, value.into()));
    }

    /// Records an error.
    pub fn error(&mut self, error: CollectionError) {
        self.errors.push(error);
    }

    /// Records coverage.
    pub fn cover(&mut self, collector: &str, source: &str, items: u64) {
        self.coverage.push(Coverage {
            collector: collector.to_owned(),
            source: crate::secret::scrub(source),
            items,
        });
    }

    /// Moves everything from `other` into `self`.
    pub fn append(&mut self, mut other: Collection) {
        if self.entries.is_empty() {
            std::mem::swap(&mut self.entries, &mut other.entries);
        } else {
            self.entries.append(&mut other.entries);
        }
        self.coverage.append(&mut other.coverage);
        self.errors.append(&mut other.errors);
    }
}

/// Builds a [`Manifest`]: hides secrets with its [`Sanitizer`], sorts the
/// entries and keeps each key once.
///
/// ```
/// use drift_core::key::KeyPath;
/// use drift_core::manifest::{Collection, ManifestBuilder};
/// use drift_core::secret::Sanitizer;
///
/// let mut c = Collection::new();
/// c.insert(KeyPath::env("DB_PASSWORD"), "hunter2");
/// c.insert(KeyPath::env("TIMEOUT_MS"), "2500");
/// let mut b = ManifestBuilder::new("prod", "local", Sanitizer::default());
/// b.add("env", "0.1.0", c);
/// let m = b.finish(None);
/// assert_eq!(m.len(), 2);
/// assert!(m.get("env:DB_PASSWORD").unwrap().is_secret());
/// ```
#[derive(Debug)]
pub struct ManifestBuilder {
    environment: String,
    target: String,
    host: Option<String>,
    role: Role,
    sanitizer: Sanitizer,
    collectors: BTreeMap<String, String>,
    collection: Collection,
}

impl ManifestBuilder {
    /// Starts a manifest for `environment` collected from `target`.
    pub fn new(
        environment: impl Into<String>,
        target: impl Into<String>,
        sanitizer: Sanitizer,
    ) -> ManifestBuilder {
        ManifestBuilder {
            environment: environment.into(),
            target: crate::secret::scrub(&target.into()),
            host: None,
            role: Role::Environment,
            sanitizer: sanitizer.counting_apart(),
            collectors: BTreeMap::new(),
            collection: Collection::new(),
        }
    }

    /// Records the host's name (`web-1`), which tells a fleet's manifests
    /// apart.
    pub fn host_name(&mut self, name: impl Into<String>) {
        self.host = Some(crate::secret::scrub(&name.into()));
    }

    /// Marks the manifest as a release's (or an environment's).
    pub fn role(&mut self, role: Role) {
        self.role = role;
    }

    /// The sanitizer, for collectors that must judge a secret before they
    /// record it (whole secret files).
    pub fn sanitizer(&self) -> &Sanitizer {
        &self.sanitizer
    }

    /// Adds what collector `name` at `version` recorded.
    pub fn add(&mut self, name: &str, version: &str, collection: Collection) {
        self.collectors.insert(name.to_owned(), version.to_owned());
        self.collection.append(collection);
    }

    /// Hides secrets, sorts, deduplicates, and returns the manifest.
    /// `created_at` is the RFC 3339 time of the snapshot, given by the caller.
    pub fn finish(self, created_at: Option<String>) -> Manifest {
        let ManifestBuilder {
            environment,
            target,
            host,
            role,
            sanitizer,
            collectors,
            collection,
        } = self;
        let Collection {
            entries,
            mut coverage,
            mut errors,
        } = collection;
        let mut entries = entries;
        // Sanitized in place and converted without a copy: a manifest of
        // millions of entries would otherwise be moved into a new vector.
        // Chunks keep the consecutive keys of a file together, so that
        // their shared prefix is judged once. Collectors mostly hand over
        // sorted entries, each key once: each chunk is checked for that
        // while its keys are at hand, and the chunks' boundaries after.
        let secret_docs = crate::secret::secret_documents(&entries);
        let chunks_in_order = entries
            .par_chunks_mut(SANITIZE_CHUNK)
            .map(|chunk| {
                sanitizer.sanitize_entries_in(chunk, &secret_docs);
                chunk.windows(2).all(|w| w[0].0 < w[1].0)
            })
            .reduce(|| true, |a, b| a && b);
        let in_order = chunks_in_order
            && entries
                .chunks(SANITIZE_CHUNK)
                .zip(entries.chunks(SANITIZE_CHUNK).skip(1))
                .all(|(a, b)| a[a.len() - 1].0 < b[0].0);
        let mut entries: Vec<Entry> = entries
            .into_iter()
            .map(|(key, value)| Entry { key, value })
            .collect();
        if !in_order {
            // Stable: of two entries with one key, the first one is kept.
            entries.par_sort_by(|a, b| a.key.cmp(&b.key));
            entries = dedup(entries, &mut errors);
        }
        coverage.extend(sanitizer.hidden_coverage());
        coverage.sort_by(|a, b| {
            (&a.collector, &a.source, a.items).cmp(&(&b.collector, &b.source, b.items))
        });
        sort_errors(&mut errors);
        Manifest {
            environment,
            target,
            host,
            role,
            created_at,
            tool: Manifest::tool_name(),
            fingerprint_key: sanitizer.fingerprinter().key_id().map(str::to_owned),
            collectors,
            coverage,
            errors,
            entries,
            format_minor: FORMAT_MINOR,
        }
    }
}

/// Entries sanitized and checked by one task: a few MiB, so that the keys
/// are still in the cache when they are compared.
pub(super) const SANITIZE_CHUNK: usize = 4 << 10;

/// Keeps each key once. Equal duplicates collapse; different values under one
/// key are a collection error, and the first value is kept.
pub(super) fn dedup(entries: Vec<Entry>, errors: &mut Vec<CollectionError>) -> Vec<Entry> {
    let has_dup = entries.windows(2).any(|w| w[0].key == w[1].key);
    if !has_dup {
        return entries;
    }
    let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
    for e in entries {
        match out.last() {
            Some(last) if last.key == e.key => {
                if last.value != e.value {
                    errors.push(conflict(e.key.as_str()));
                }
            }
            _ => out.push(e),
        }
    }
    out
}

/// Sorts errors (by collector, source, line, message) and drops repeats.
pub(super) fn sort_errors(errors: &mut Vec<CollectionError>) {
    errors.sort_by(|a, b| {
        (&a.collector, &a.source, a.line, &a.message).cmp(&(
            &b.collector,
            &b.source,
            b.line,
            &b.message,
        ))
    });
    errors.dedup();
}

impl Manifest {
    /// The `tool` of the manifests this build writes (`drift 0.1.0`).
    pub(super) fn tool_name() -> String {
        concat!("drift ", env!("CARGO_PKG_VERSION")).to_owned()
    }
}

/// The error for a key collected twice with different values.
pub(super) fn conflict(key: &str) -> CollectionError {
    let collector = key.split(':').next().unwrap_or(key);
    CollectionError::new(
        collector,
        key,
        ErrorKind::Other,
        "this key was collected twice with different values; \
         give the sources distinct names so their keys differ",
    )
}
