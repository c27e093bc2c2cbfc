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
//! ## Stability
//!
//! This crate follows semantic versioning. Public enums are
//! `#[non_exhaustive]`: new variants (finding kinds, value types, layers,
//! error kinds) may come in minor releases, so match them with a wildcard arm.
//! The manifest format `drift-manifest/1` and the JSON report are documented
//! contracts (see `docs/`); their changes follow the same rules.
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
pub mod policy;
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
    Collection, CollectionError, ErrorKind, Manifest, ManifestBuilder, ManifestError,
};
pub use pattern::KeyPattern;
pub use policy::{Policy, Severity};
pub use report::{Finding, FindingKind, Report};
pub use secret::Sanitizer;
pub use value::Value;
