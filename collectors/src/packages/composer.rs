//! `composer.lock`.

use serde::Deserialize;

use super::{Ecosystem, Package, ParseError};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    packages: Vec<Entry>,
    #[serde(default, rename = "packages-dev")]
    packages_dev: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    version: String,
}

/// `packages` and `packages-dev` (dev) of a `composer.lock`; names are
/// lower-cased as Composer compares them.
pub(super) fn parse(text: &str) -> Result<Vec<Package>, ParseError> {
    let lock: Lock =
        serde_json::from_str(text).map_err(|e| ParseError::json(&e, "composer.lock"))?;
    let entry = |e: Entry, dev: bool| {
        Package::new(Ecosystem::Composer, e.name.to_ascii_lowercase(), e.version).dev(dev)
    };
    Ok(lock
        .packages
        .into_iter()
        .map(|e| entry(e, false))
        .chain(lock.packages_dev.into_iter().map(|e| entry(e, true)))
        .collect())
}
