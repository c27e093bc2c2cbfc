//! # drift-core
//!
//! The pure heart of drift, the environment drift detector: the manifest
//! model (`drift-manifest/1`), key paths, secret fingerprints, the N-way diff
//! engine, policy evaluation, and report renderers.
//!
//! Nothing in this crate reads files, opens sockets, looks at the clock or the
//! process environment, prints, or exits: callers hand it bytes and values
//! and get values back. Collectors live in `drift-collectors`; the command
//! line in `drift-cli`.
//!
//! ## The public API
//!
//! What an embedding tool needs, and nothing of how it is done:
//!
//! | to… | use |
//! |---|---|
//! | build a manifest from collected entries | [`Collection`], [`ManifestBuilder`]; streaming: [`manifest::ManifestStream`] |
//! | write and read manifests | [`Manifest::write_to`], [`Manifest::from_slice`], [`Manifest::from_reader`] ([`manifest`]) |
//! | name keys and hold values | [`KeyPath`], [`key::KeyBuilder`], [`Layer`], [`KeyPattern`], [`Value`] ([`key`], [`value`], [`pattern`]) |
//! | hide secrets | [`Sanitizer`], [`Fingerprinter`], [`secret::scrub`] ([`secret`], [`fingerprint`]) |
//! | say what counts as drift | [`Policy`], [`policy::Rule`], [`policy::Waiver`], [`Severity`] ([`policy`]) |
//! | compare | [`diff()`], [`diff_manifests`], [`DiffOptions`] ([`diff`](mod@diff)) |
//! | judge a release against an environment | [`Role`], [`readiness::compare`], [`readiness::ChangeClass`], [`readiness::Verdict`] ([`readiness`]; [`diff()`] does it when a manifest's role is release) |
//! | report | [`Report`], [`Finding`], [`report::Outcome`]; [`render::TextRenderer`], [`render::JsonRenderer`] ([`report`], [`render`]) |
//! | order versions | [`version::Scheme`], [`version::compare`], [`version::skew`] ([`version`]) |
//! | dates without a clock | [`Date`], [`date::rfc3339`] ([`date`]) |
//! | show outside text on a terminal | [`display::escape`], [`display::Escaped`] ([`display`]) |
//!
//! The surface is checked in as `api/drift-core.txt` (made by
//! `scripts/public-api` from rustdoc's JSON); CI fails when it changes
//! without that file, so every change to it shows in review, and
//! `CHANGELOG.md` records it.
//!
//! ## Stability
//!
//! This crate follows semantic versioning. Public enums are
//! `#[non_exhaustive]`: new variants (finding kinds, value types, layers,
//! error kinds) may come in minor releases, so match them with a wildcard arm.
//! The manifest format `drift-manifest/1` and the JSON report are documented
//! contracts (see `docs/`); their changes follow the same rules.
//!
//! Outside the promise, and hidden from these docs: `__private` and the
//! methods marked unstable in their source (the fast paths' building blocks
//! that `drift-collectors` shares, such as `KeyBuilder::mark`), which may
//! change in any release; and the test support behind the `twin-tests` and
//! `fuzzing` features (`testing` and `manifest::fuzzing`).
#![warn(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod date;
pub mod diff;
pub mod display;
pub mod fingerprint;
pub mod key;
pub mod manifest;
pub mod pattern;
mod pipeline;
pub mod policy;
pub mod readiness;
pub mod render;
pub mod report;
pub mod secret;
pub mod value;
pub mod version;

#[cfg(any(test, feature = "twin-tests"))]
pub mod testing;

pub use date::Date;
pub use diff::{DiffOptions, diff, diff_manifests};
pub use fingerprint::{Fingerprint, Fingerprinter};
pub use key::{KeyPath, Layer};
pub use manifest::{
    Collection, CollectionError, ErrorKind, Manifest, ManifestBuilder, ManifestError, Role,
};
pub use pattern::KeyPattern;
pub use policy::{Policy, Severity};
pub use report::{Finding, FindingKind, Report};
pub use secret::Sanitizer;
pub use value::Value;

/// Building blocks of the fast paths that `drift-collectors` shares
/// (entries of one source in one buffer, entries prepared for the manifest
/// stream, key segments of raw file names, the in-order pipeline).
///
/// **Unstable**: not part of the public API, outside semantic versioning;
/// they change with the collectors that use them. Embedders use
/// [`Collection`] and [`ManifestStream::add`](manifest::ManifestStream::add).
#[doc(hidden)]
pub mod __private {
    pub use crate::manifest::keyed::KeyedValues;
    pub use crate::manifest::stream::{Prepared, Preparer};
    pub use crate::pipeline::in_order;

    /// Compares migration ids with digit runs as numbers (`9` < `10`): the
    /// order of a live history's `latest`, which the readiness comparison
    /// must share.
    pub fn natural_order(a: &str, b: &str) -> std::cmp::Ordering {
        crate::readiness::migrations::natural(a, b)
    }

    /// Renders raw bytes of a file name that are not UTF-8 as a key segment
    /// (see `key::bytes_segment`).
    pub fn bytes_segment(bytes: &[u8]) -> String {
        crate::key::bytes_segment(bytes)
    }
}
