//! What the CI formats need to know besides the report: where each finding
//! is in the repository, and which layers were compared.
//!
//! drift-core reads no file, so the caller (the command line) works this
//! out from the manifests' coverage, drift.toml and the working directory,
//! and hands it over as plain data.

use crate::display::is_hidden;
use crate::key::Layer;

/// A place in the repository: a path relative to its root (`/`
/// separators), and a 1-based line when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    path: String,
    line: Option<u32>,
}

impl Location {
    /// A location, or `None` when `path` cannot name a file of the
    /// repository: empty, absolute, leaving it (`..`), or holding a
    /// character that is not shown as it is (a control, a bidirectional
    /// override — see [`crate::display::is_hidden`]): CI systems show it
    /// raw, so such a path is not used at all.
    pub fn new(path: &str, line: Option<u32>) -> Option<Location> {
        let path = path.replace('\\', "/");
        let path = path.trim_start_matches("./");
        let valid = !path.is_empty()
            && !path.starts_with('/')
            && !path.split('/').any(|part| part == "..")
            && !path.chars().any(is_hidden)
            && !path.contains(':');
        valid.then(|| Location {
            path: path.to_owned(),
            line: line.filter(|&l| l > 0),
        })
    }

    /// The path, relative to the repository's root.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The 1-based line, when known.
    pub fn line(&self) -> Option<u32> {
        self.line
    }
}

/// Where a report's findings are, and what was compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// One entry per finding of the report, in the report's order: the
    /// finding's place, when one is known. Missing entries count as
    /// `None`.
    pub locations: Vec<Option<Location>>,
    /// The place of findings that have none of their own: the drift.toml,
    /// or the manifest given on the command line.
    pub fallback: Option<Location>,
    /// The layers the compared manifests hold keys of, for the JUnit
    /// report's passing cases.
    pub layers: Vec<Layer>,
}

impl Context {
    /// The place of the report's finding `index`, or the fallback.
    pub fn location(&self, index: usize) -> Option<&Location> {
        self.locations
            .get(index)
            .and_then(Option::as_ref)
            .or(self.fallback.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_inside_the_repository() {
        assert_eq!(
            Location::new("./a/b.yaml", Some(3)).map(|l| l.path().to_owned()),
            Some("a/b.yaml".to_owned())
        );
        assert_eq!(Location::new("a/b", Some(0)).and_then(|l| l.line()), None);
        for bad in [
            "",
            "/etc/x",
            "../x",
            "a/../../x",
            "a\u{202e}b",
            "a\nb",
            "C:/x",
        ] {
            assert_eq!(Location::new(bad, None), None, "{bad:?}");
        }
    }

    #[test]
    fn fallback() {
        let c = Context {
            locations: vec![None, Location::new("x", Some(2))],
            fallback: Location::new("drift.toml", None),
            layers: Vec::new(),
        };
        assert_eq!(c.location(0).map(Location::path), Some("drift.toml"));
        assert_eq!(c.location(1).map(Location::path), Some("x"));
        assert_eq!(c.location(9).map(Location::path), Some("drift.toml"));
    }
}
