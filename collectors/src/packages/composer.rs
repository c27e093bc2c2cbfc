//! `composer.lock`.

use serde::Deserialize;

use super::{Ecosystem, Package, ParseError};

#[derive(Deserialize)]
struct Lock {
    // Lockfiles of 2012 may write `"packages-dev": null`.
    #[serde(default)]
    packages: Option<Vec<Entry>>,
    #[serde(default, rename = "packages-dev")]
    packages_dev: Option<Vec<Entry>>,
}

#[derive(Deserialize)]
struct Entry {
    name: Option<String>,
    /// The name in lockfiles of 2012, before Composer wrote whole packages.
    package: Option<String>,
    version: Option<String>,
}

/// `packages` and `packages-dev` (dev) of a `composer.lock`; names are
/// lower-cased as Composer compares them.
///
/// Lockfiles of 2012 (Composer 1.0 alphas, before it wrote whole packages) name an entry by
/// `package` rather than `name`; both are read.
pub(super) fn parse(text: &str) -> Result<Vec<Package>, ParseError> {
    let lock: Lock =
        serde_json::from_str(text).map_err(|e| ParseError::json(&e, "composer.lock"))?;
    let mut out = Vec::new();
    for (section, entries, dev) in [
        ("packages", lock.packages, false),
        ("packages-dev", lock.packages_dev, true),
    ] {
        for (i, e) in entries.unwrap_or_default().into_iter().enumerate() {
            let (Some(name), Some(version)) = (e.name.or(e.package), e.version) else {
                return Err(ParseError::new(format!(
                    "entry {} of `{section}` has no `name` (or 2012's `package`) or no \
                     `version`; run `composer update` to write a current composer.lock",
                    i + 1
                )));
            };
            out.push(
                Package::new(Ecosystem::Composer, name.to_ascii_lowercase(), version).dev(dev),
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfiles_of_2012_name_entries_by_package() {
        let text = r#"{"hash": "ab", "packages": [
            {"package": "Symfony/Console", "version": "v2.1.0"},
            {"package": "monolog/monolog", "version": "dev-master", "source-reference": "abc"}],
            "packages-dev": null, "aliases": [], "minimum-stability": "dev"}"#;
        let p = parse(text).unwrap();
        let got: Vec<_> = p
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.dev))
            .collect();
        assert_eq!(
            got,
            [
                ("symfony/console", "v2.1.0", false),
                ("monolog/monolog", "dev-master", false)
            ]
        );
    }

    #[test]
    fn an_entry_without_a_name_is_refused_with_what_to_do() {
        let e = parse(r#"{"packages": [], "packages-dev": [{"version": "1.0.0"}]}"#).unwrap_err();
        assert!(e.message.contains("entry 1 of `packages-dev`"), "{e}");
        assert!(e.message.contains("composer update"), "{e}");
    }
}
