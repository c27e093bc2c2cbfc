//! Installed packages and locked dependencies.
//!
//! [`PackagesCollector`] reads OS package databases (dpkg, apk, rpm) and
//! language lockfiles through the transport and records one entry per
//! package, keyed by ecosystem and name (and architecture for OS packages),
//! never by version:
//!
//! - `package:deb:openssl:amd64`, `package:apk:musl:x86_64`,
//!   `package:rpm:openssl-libs:x86_64`
//! - `package:npm:express`, `package:npm:@babel/core`, `package:cargo:serde`,
//!   `package:pypi:requests` (PEP 503 names), `package:gem:rails`,
//!   `package:go:github.com/pkg/errors`, `package:composer:symfony/console`
//!
//! The value is a [`Value::Version`](drift_core::Value::Version) with the ecosystem's ordering scheme,
//! the version as written, and `dev: true` for development-only
//! dependencies. A package present at several versions (nested npm copies,
//! two lockfiles of one environment) is a [`Value::List`](drift_core::Value::List) of its distinct
//! versions sorted by text, so that nothing is merged away and every key is
//! recorded once. Every parser takes bytes; see [`Format::parse`].
//!
//! ```
//! use drift_collectors::packages::Format;
//! let lock = br#"{"lockfileVersion": 3, "packages": {
//!     "": {"name": "app"},
//!     "node_modules/express": {"version": "4.18.2"},
//!     "node_modules/jest": {"version": "29.7.0", "dev": true}}}"#;
//! let packages = Format::NpmLock.parse(lock).unwrap();
//! assert_eq!(packages.len(), 2);
//! assert!(packages.iter().any(|p| p.name == "jest" && p.dev));
//! ```

mod apk;
mod cargo;
mod collector;
mod composer;
mod discover;
mod dpkg;
mod gem;
mod gomod;
mod graph;
mod npm;
mod pnpm;
mod pylock;
mod python;
mod rpm;
mod sqlite;
mod yarn;

use drift_core::key::{KeyBuilder, KeyPath};
use drift_core::version::Scheme;

pub use collector::PackagesCollector;
pub use rpm::parse_rpm_query;

/// A package ecosystem: the first part of a `package:` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Ecosystem {
    /// Debian packages (dpkg).
    Deb,
    /// Alpine packages (apk).
    Apk,
    /// RPM packages.
    Rpm,
    /// Rust crates.
    Cargo,
    /// npm packages (npm, yarn, pnpm).
    Npm,
    /// Python distributions.
    Pypi,
    /// Ruby gems.
    Gem,
    /// Go modules.
    Go,
    /// PHP Composer packages.
    Composer,
}

impl Ecosystem {
    /// The name used in key paths.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Gem => "gem",
            Ecosystem::Go => "go",
            Ecosystem::Composer => "composer",
        }
    }

    /// The version ordering scheme of the ecosystem.
    pub fn scheme(self) -> Scheme {
        match self {
            Ecosystem::Deb => Scheme::Deb,
            Ecosystem::Apk => Scheme::Apk,
            Ecosystem::Rpm => Scheme::Rpm,
            Ecosystem::Cargo | Ecosystem::Npm => Scheme::Semver,
            Ecosystem::Pypi => Scheme::Pep440,
            Ecosystem::Gem => Scheme::Gem,
            Ecosystem::Go => Scheme::Go,
            Ecosystem::Composer => Scheme::Composer,
        }
    }
}

/// One package as a source lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The name, normalised as the ecosystem compares names (PEP 503 for
    /// PyPI; as written elsewhere).
    pub name: String,
    /// The architecture of an OS package.
    pub arch: Option<String>,
    /// The version as the source writes it.
    pub version: String,
    /// Whether the source marks it as a development-only dependency.
    pub dev: bool,
}

impl Package {
    /// A package without architecture, not dev-only.
    pub fn new(
        ecosystem: Ecosystem,
        name: impl Into<String>,
        version: impl Into<String>,
    ) -> Package {
        Package {
            ecosystem,
            name: name.into(),
            arch: None,
            version: version.into(),
            dev: false,
        }
    }

    /// Sets the dev flag.
    pub fn dev(mut self, dev: bool) -> Package {
        self.dev = dev;
        self
    }

    /// Sets the architecture.
    pub fn arch(mut self, arch: impl Into<String>) -> Package {
        self.arch = Some(arch.into());
        self
    }

    /// The entry's key: `package:ECOSYSTEM:NAME[:ARCH]`.
    pub fn key(&self) -> KeyPath {
        let b = KeyBuilder::new("package")
            .part(self.ecosystem.as_str())
            .part(&self.name);
        match &self.arch {
            Some(arch) => b.part(arch).finish(),
            None => b.finish(),
        }
    }
}

/// Why a package file could not be parsed. Messages never quote the file's
/// content (a lockfile may hold a registry token in a URL).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// The 1-based line, when known.
    pub line: Option<u64>,
    /// What is wrong, and what to do.
    pub message: String,
}

impl ParseError {
    /// An error at `line`.
    pub fn at(line: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            line: Some(line as u64),
            message: message.into(),
        }
    }

    /// An error without a line.
    pub fn new(message: impl Into<String>) -> ParseError {
        ParseError {
            line: None,
            message: message.into(),
        }
    }

    fn json(e: &serde_json::Error, what: &str) -> ParseError {
        // serde_json's messages name positions and expectations, and quote
        // the strings they did not expect: those are taken out.
        let message = format!(
            "invalid {what}: {}",
            without_quoted_strings(strip_position(&e.to_string()))
        );
        ParseError::at(e.line(), message)
    }

    /// Deserializes a TOML lockfile (`what` names it in errors), nested
    /// at most [`LOCK_TOML_DEPTH`] levels.
    fn from_toml<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, ParseError> {
        crate::toml_depth::parse_within(text, LOCK_TOML_DEPTH, || toml::from_str(text))
            .map_err(|e| ParseError::at(e.line, format!("invalid {what}: {e}")))?
            .map_err(|e| ParseError::toml(&e, text, what))
    }

    fn toml(e: &toml::de::Error, text: &str, what: &str) -> ParseError {
        let line = e
            .span()
            .map(|s| text.get(..s.start).map_or(0, |t| t.matches('\n').count()) + 1);
        ParseError {
            line: line.map(|l| l as u64),
            message: format!(
                "invalid {what}: {}",
                without_quoted_strings(e.message().trim_end_matches('.'))
            ),
        }
    }
}

/// How deep a TOML lockfile may nest: the `toml` crate's own limit before
/// drift lifted it for configuration files. What a lockfile is read into
/// is dropped after the parse, on the worker's stack, so it stays shallow.
const LOCK_TOML_DEPTH: usize = 80;

/// serde's `invalid type: string "…"` without the string, which may be a
/// credential (`https://TOKEN@registry/…`): `invalid type: a string`.
fn without_quoted_strings(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("string \"") {
        out.push_str(&rest[..at]);
        out.push_str("a string");
        let quoted = &rest[at + "string \"".len()..];
        let mut escaped = false;
        let end = quoted.char_indices().find_map(|(i, c)| match c {
            _ if escaped => {
                escaped = false;
                None
            }
            '\\' => {
                escaped = true;
                None
            }
            '"' => Some(i + 1),
            _ => None,
        });
        rest = end.map_or("", |e| &quoted[e..]);
    }
    out.push_str(rest);
    out
}

/// serde_json appends " at line L column C"; the line is kept separately.
fn strip_position(message: &str) -> &str {
    message.find(" at line ").map_or(message, |i| &message[..i])
}

/// A file format this collector reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// `/var/lib/dpkg/status`.
    Dpkg,
    /// `/lib/apk/db/installed`.
    Apk,
    /// `rpmdb.sqlite` (read without SQLite; see `docs/packages.md`).
    RpmSqlite,
    /// `Cargo.lock`.
    CargoLock,
    /// `package-lock.json` (v1, v2, v3) or `npm-shrinkwrap.json`.
    NpmLock,
    /// `yarn.lock`, classic (v1) or berry (v2+).
    YarnLock,
    /// `pnpm-lock.yaml` (v5, v6, v9).
    PnpmLock,
    /// A pinned `requirements*.txt`; `dev` when its name says so
    /// (`requirements-dev.txt`, `test-requirements.txt`).
    Requirements {
        /// Whether the file lists development requirements.
        dev: bool,
    },
    /// `poetry.lock`.
    PoetryLock,
    /// `Pipfile.lock`.
    PipfileLock,
    /// `uv.lock`.
    UvLock,
    /// An installed distribution's `*.dist-info/METADATA`.
    PythonMetadata,
    /// `Gemfile.lock`.
    GemfileLock,
    /// `go.mod`.
    GoMod,
    /// `composer.lock`.
    ComposerLock,
}

impl Format {
    /// The format of a file by its name; `None` for a name this collector
    /// does not know. Generic names (`status`, `installed`, `METADATA`) are
    /// recognised too: use this for files the user named.
    pub fn from_file_name(name: &str) -> Option<Format> {
        Some(match name {
            "status" => Format::Dpkg,
            "installed" => Format::Apk,
            "rpmdb.sqlite" => Format::RpmSqlite,
            "METADATA" => Format::PythonMetadata,
            other => return Format::from_lockfile_name(other),
        })
    }

    /// The format of a lockfile by its name, as a directory search finds
    /// them (no generic names).
    pub fn from_lockfile_name(name: &str) -> Option<Format> {
        Some(match name {
            "Cargo.lock" => Format::CargoLock,
            "package-lock.json" | "npm-shrinkwrap.json" => Format::NpmLock,
            "yarn.lock" => Format::YarnLock,
            "pnpm-lock.yaml" => Format::PnpmLock,
            "poetry.lock" => Format::PoetryLock,
            "Pipfile.lock" => Format::PipfileLock,
            "uv.lock" => Format::UvLock,
            "Gemfile.lock" | "gems.locked" => Format::GemfileLock,
            "go.mod" => Format::GoMod,
            "composer.lock" => Format::ComposerLock,
            other if python::is_requirements_name(other) => Format::Requirements {
                dev: python::is_dev_requirements_name(other),
            },
            _ => return None,
        })
    }

    /// A short name for messages (`package-lock.json`).
    pub fn describe(self) -> &'static str {
        match self {
            Format::Dpkg => "dpkg status file",
            Format::Apk => "apk installed database",
            Format::RpmSqlite => "rpm sqlite database",
            Format::CargoLock => "Cargo.lock",
            Format::NpmLock => "package-lock.json",
            Format::YarnLock => "yarn.lock",
            Format::PnpmLock => "pnpm-lock.yaml",
            Format::Requirements { .. } => "requirements file",
            Format::PoetryLock => "poetry.lock",
            Format::PipfileLock => "Pipfile.lock",
            Format::UvLock => "uv.lock",
            Format::PythonMetadata => "dist-info METADATA",
            Format::GemfileLock => "Gemfile.lock",
            Format::GoMod => "go.mod",
            Format::ComposerLock => "composer.lock",
        }
    }

    /// Parses a file of this format.
    pub fn parse(self, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
        if self == Format::RpmSqlite {
            return rpm::parse_sqlite(bytes);
        }
        if matches!(
            self,
            Format::Dpkg | Format::Apk | Format::PythonMetadata | Format::GemfileLock
        ) {
            // Line formats whose names and versions are ASCII; old databases
            // may hold Latin-1 maintainer names or descriptions.
            return self.parse_str(&String::from_utf8_lossy(bytes));
        }
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            ParseError::at(line, format!("the {} is not valid UTF-8", self.describe()))
        })?;
        self.parse_str(text)
    }

    /// Parses the text of a file of this format (every format but
    /// [`Format::RpmSqlite`], which is binary).
    pub fn parse_str(self, text: &str) -> Result<Vec<Package>, ParseError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        match self {
            Format::Dpkg => dpkg::parse(text),
            Format::Apk => apk::parse(text),
            Format::RpmSqlite => rpm::parse_sqlite(text.as_bytes()),
            Format::CargoLock => cargo::parse(text),
            Format::NpmLock => npm::parse(text),
            Format::YarnLock => yarn::parse(text),
            Format::PnpmLock => pnpm::parse(text),
            Format::Requirements { dev } => python::parse_requirements(text, dev),
            Format::PoetryLock => pylock::parse_poetry(text),
            Format::PipfileLock => python::parse_pipfile_lock(text),
            Format::UvLock => pylock::parse_uv(text),
            Format::PythonMetadata => python::parse_metadata(text),
            Format::GemfileLock => gem::parse(text),
            Format::GoMod => gomod::parse(text),
            Format::ComposerLock => composer::parse(text),
        }
    }
}

/// A PyPI name normalised as PEP 503 says: lower case, runs of `-`, `_`
/// and `.` as one `-`.
pub(crate) fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// The name of an npm descriptor (`@scope/name@^1.0`, `alias@npm:real@1`):
/// up to the first `@` that does not start the name.
pub(crate) fn npm_descriptor_name(descriptor: &str) -> &str {
    let from = usize::from(descriptor.starts_with('@'));
    match descriptor[from..].find('@') {
        Some(i) => &descriptor[..from + i],
        None => descriptor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_never_quote_strings() {
        let m = without_quoted_strings(
            r#"invalid type: string "https://tok\"en@x", expected struct Entry"#,
        );
        assert_eq!(m, "invalid type: a string, expected struct Entry");
        assert_eq!(without_quoted_strings("expected `,`"), "expected `,`");
    }

    #[test]
    fn pep503_names() {
        assert_eq!(pep503("Django"), "django");
        assert_eq!(pep503("zope.interface"), "zope-interface");
        assert_eq!(pep503("Foo__Bar-.baz"), "foo-bar-baz");
    }

    #[test]
    fn keys() {
        let p = Package::new(Ecosystem::Deb, "openssl", "3.0.11-1").arch("amd64");
        assert_eq!(p.key().as_str(), "package:deb:openssl:amd64");
        let p = Package::new(Ecosystem::Npm, "@babel/core", "7.0.0");
        assert_eq!(p.key().as_str(), "package:npm:@babel/core");
    }

    #[test]
    fn descriptor_names() {
        assert_eq!(npm_descriptor_name("@babel/core@^7.0.0"), "@babel/core");
        assert_eq!(npm_descriptor_name("lodash@npm:4.17.21"), "lodash");
        assert_eq!(npm_descriptor_name("alias@npm:real@^1"), "alias");
        assert_eq!(npm_descriptor_name("plain"), "plain");
    }

    #[test]
    fn file_names() {
        assert_eq!(Format::from_file_name("status"), Some(Format::Dpkg));
        assert_eq!(Format::from_lockfile_name("status"), None);
        assert_eq!(
            Format::from_lockfile_name("requirements-dev.txt"),
            Some(Format::Requirements { dev: true })
        );
        assert_eq!(
            Format::from_lockfile_name("requirements.txt"),
            Some(Format::Requirements { dev: false })
        );
        assert_eq!(Format::from_lockfile_name("notes.txt"), None);
    }
}
