//! The manifest: one environment's (or one host's) normalized snapshot.
//!
//! The format, `drift-manifest/1`, is documented in `docs/manifest.md`.
//! Manifests are built with a [`ManifestBuilder`], which hides secrets,
//! sorts and deduplicates entries; they are written with
//! [`Manifest::write_to`] (deterministic bytes, BLAKE3 digest) and read back
//! with [`Manifest::from_slice`], which validates everything it reads.

mod build;
/// Entry points for the fuzz targets (`fuzzing` feature; test support only).
// Also the twin definitions of the tests (`twins.rs`).
#[cfg(any(test, feature = "fuzzing"))]
#[cfg_attr(not(feature = "fuzzing"), allow(dead_code))]
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod keyed;
mod read;
mod read_compact;
mod read_lines;
mod read_parallel;
mod read_stream;
pub(crate) mod stream;
#[cfg(test)]
mod twins;
mod write;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use build::{Collection, ManifestBuilder};
pub(crate) use keyed::KeyedValues;
pub use read::{DEFAULT_MAX_MANIFEST_SIZE, ManifestError};

pub use stream::{ManifestStream, StreamSummary};
pub(crate) use write::{write_str as write_json_str, write_value};

use crate::key::KeyPath;
use crate::value::Value;

/// The format tag written in every manifest.
pub const FORMAT: &str = "drift-manifest/1";
/// The format's minor version: fields added in a newer minor are ignored on
/// read, a newer major is refused.
pub const FORMAT_MINOR: u32 = 4;

/// One entry: a key path and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key path.
    pub key: KeyPath,
    /// The value (secrets already fingerprinted).
    pub value: Value,
}

/// What a collector covered in one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// The collector (`env`, `config`, `schema`, …).
    pub collector: String,
    /// The source it read: a directory, a file, a redacted URL.
    pub source: String,
    /// How many items (files, variables, tables…) it recorded.
    pub items: u64,
}

/// The class of a collection error, for machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The source could not be read (missing, I/O error).
    Read,
    /// Permission denied.
    Permission,
    /// The content could not be parsed.
    Parse,
    /// A connection could not be made (refused, unreachable, DNS).
    Connect,
    /// Authentication failed or a host key was refused.
    Auth,
    /// An operation timed out.
    Timeout,
    /// A size or count limit was hit.
    Limit,
    /// The source is of a kind this build cannot read.
    Unsupported,
    /// Anything else (also: a kind from a newer drift).
    #[serde(other)]
    Other,
}

/// A source that could not be fully collected. The snapshot goes on with the
/// other sources; the error makes the gate fail closed (exit 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionError {
    /// The collector that met the error.
    pub collector: String,
    /// The source: a file path, a directory, a redacted URL, a host.
    pub source: String,
    /// The 1-based line in the source, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The error's class.
    pub kind: ErrorKind,
    /// A message for people (URL passwords are scrubbed).
    pub message: String,
}

impl CollectionError {
    /// A collection error; the source and message are scrubbed of URL
    /// passwords.
    pub fn new(
        collector: impl Into<String>,
        source: impl AsRef<str>,
        kind: ErrorKind,
        message: impl AsRef<str>,
    ) -> CollectionError {
        CollectionError {
            collector: collector.into(),
            source: crate::secret::scrub(source.as_ref()),
            line: None,
            kind,
            message: crate::secret::scrub(message.as_ref()),
        }
    }

    /// Sets the line.
    pub fn at_line(mut self, line: u64) -> CollectionError {
        self.line = Some(line);
        self
    }
}

impl std::fmt::Display for CollectionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: `{}`", self.collector, self.source)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// What a manifest stands for (minor 3 and later): an environment, or a
/// release — the code about to ship, with its migrations, declared schema
/// and the configuration keys it reads — that is compared one way with the
/// environment it ships to (see `docs/readiness.md`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// An environment or one of its hosts (the default; not written).
    #[default]
    Environment,
    /// A release: `"role": "release"`.
    Release,
}

impl Role {
    /// The role as the manifest writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Environment => "environment",
            Role::Release => "release",
        }
    }
}

/// A snapshot of one environment or host.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The environment's name (`dev`, `staging`, `prod`).
    pub environment: String,
    /// What was snapshotted: `local`, `ssh://deploy@web-1:22`.
    pub target: String,
    /// The host's name (`web-1`), when the snapshot recorded one (minor 2
    /// and later): a fleet's manifests are told apart by it.
    pub host: Option<String>,
    /// Whether it is an environment's or a release's (minor 3 and later).
    pub role: Role,
    /// When, RFC 3339 UTC; not part of the digest.
    pub created_at: Option<String>,
    /// The tool that wrote it (`drift 0.1.0`).
    pub tool: String,
    /// The id of the fingerprint key, `None` when fingerprints are unkeyed.
    pub fingerprint_key: Option<String>,
    /// Collector name → version.
    pub collectors: BTreeMap<String, String>,
    /// What each collector covered.
    pub coverage: Vec<Coverage>,
    /// What could not be collected.
    pub errors: Vec<CollectionError>,
    entries: Vec<Entry>,
    /// The minor version it was written in (read) or is written in (built):
    /// a manifest is written back, and its digest checked, in its own.
    format_minor: u32,
}

impl Manifest {
    /// The format's minor version of this manifest (see [`FORMAT_MINOR`]).
    pub fn format_minor(&self) -> u32 {
        self.format_minor
    }

    /// The entries, sorted by key path, each key once.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .binary_search_by(|e| e.key.as_str().cmp(key))
            .ok()
            .map(|i| &self.entries[i].value)
    }

    /// The index of the first entry whose key is `>= key`.
    pub(crate) fn lower_bound(&self, key: &str) -> usize {
        self.entries.partition_point(|e| e.key.as_str() < key)
    }

    /// Whether the collection was complete (no errors recorded).
    pub fn is_complete(&self) -> bool {
        self.errors.is_empty()
    }

    /// The BLAKE3 digest of the canonical content (everything but
    /// `created_at`), as `blake3:HEX`.
    pub fn digest(&self) -> String {
        write::digest(self)
    }
}

#[cfg(test)]
mod tests;
