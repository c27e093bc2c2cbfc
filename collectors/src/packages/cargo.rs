//! `Cargo.lock`.

use serde::Deserialize;

use super::{Ecosystem, Package, ParseError};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    version: String,
    source: Option<String>,
}

/// The crates of a `Cargo.lock` that come from a registry or git; the
/// workspace's own crates and path dependencies (no `source`) are the
/// project itself and are left out. Cargo.lock does not mark
/// dev-dependencies.
pub(super) fn parse(text: &str) -> Result<Vec<Package>, ParseError> {
    let lock: Lock = ParseError::from_toml(text, "Cargo.lock")?;
    Ok(lock
        .package
        .into_iter()
        .filter(|p| p.source.is_some())
        .map(|p| Package::new(Ecosystem::Cargo, p.name, p.version))
        .collect())
}
