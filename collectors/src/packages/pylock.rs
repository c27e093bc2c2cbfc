//! `poetry.lock` and `uv.lock` (TOML).

use serde::Deserialize;

use super::graph::Graph;
use super::{Ecosystem, Package, ParseError, pep503};

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<PoetryEntry>,
}

#[derive(Deserialize)]
struct PoetryEntry {
    name: String,
    version: String,
    category: Option<String>,
    groups: Option<Vec<String>>,
}

/// The packages of a `poetry.lock`: dev-only when `category = "dev"`
/// (Poetry < 1.5) or when `groups` (Poetry 2) does not hold `main`.
pub(super) fn parse_poetry(text: &str) -> Result<Vec<Package>, ParseError> {
    let lock: PoetryLock = ParseError::from_toml(text, "poetry.lock")?;
    Ok(lock
        .package
        .into_iter()
        .map(|p| {
            let dev = p.category.as_deref() == Some("dev")
                || p.groups
                    .as_ref()
                    .is_some_and(|g| !g.iter().any(|g| g == "main"));
            Package::new(Ecosystem::Pypi, pep503(&p.name), p.version).dev(dev)
        })
        .collect())
}

#[derive(Deserialize)]
struct UvLock {
    #[serde(default)]
    package: Vec<UvEntry>,
}

#[derive(Deserialize)]
struct UvEntry {
    name: String,
    version: Option<String>,
    #[serde(default)]
    source: toml::Table,
    #[serde(default)]
    dependencies: Vec<UvDep>,
    // `dev-dependencies` are not followed: what only they reach is dev-only.
    #[serde(default, rename = "optional-dependencies")]
    optional: toml::Table,
}

#[derive(Deserialize)]
struct UvDep {
    name: String,
    version: Option<String>,
}

fn uv_node(name: &str, version: Option<&str>) -> String {
    format!("{}@{}", pep503(name), version.unwrap_or(""))
}

/// The packages of a `uv.lock`. The project's own packages (`editable`,
/// `virtual`, `directory` sources) are the roots and are left out; a
/// package is dev-only when it is reachable from the roots only through
/// `dev-dependencies`.
pub(super) fn parse_uv(text: &str) -> Result<Vec<Package>, ParseError> {
    let lock: UvLock = ParseError::from_toml(text, "uv.lock")?;
    let is_local = |e: &UvEntry| {
        ["editable", "virtual", "directory", "path"]
            .iter()
            .any(|k| e.source.contains_key(*k))
    };
    // A dependency without a version names the one package of that name.
    let versions_of = |name: &str| -> Vec<String> {
        lock.package
            .iter()
            .filter(|p| pep503(&p.name) == pep503(name))
            .map(|p| uv_node(&p.name, p.version.as_deref()))
            .collect()
    };
    let mut graph = Graph::default();
    let targets = |d: &UvDep| match &d.version {
        Some(v) => vec![uv_node(&d.name, Some(v))],
        None => versions_of(&d.name),
    };
    for p in &lock.package {
        let from = uv_node(&p.name, p.version.as_deref());
        let mut prod: Vec<&UvDep> = p.dependencies.iter().collect();
        let extras: Vec<UvDep> = p
            .optional
            .values()
            .filter_map(|v| v.clone().try_into::<Vec<UvDep>>().ok())
            .flatten()
            .collect();
        prod.extend(extras.iter());
        for d in prod {
            for t in targets(d) {
                graph.edge(&from, t);
            }
        }
        if is_local(p) {
            graph.prod_root(from);
        }
    }
    let prod = graph.prod_reachable();
    let has_roots = lock.package.iter().any(is_local);
    Ok(lock
        .package
        .iter()
        .filter(|p| !is_local(p))
        .filter_map(|p| {
            let version = p.version.clone()?;
            let node = uv_node(&p.name, Some(&version));
            let dev = has_roots && !prod.contains(&node);
            Some(Package::new(Ecosystem::Pypi, pep503(&p.name), version).dev(dev))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poetry_categories_and_groups() {
        let text = "[[package]]\nname = \"Django\"\nversion = \"4.2.7\"\ncategory = \"main\"\n\n[[package]]\nname = \"pytest\"\nversion = \"7.4.3\"\ncategory = \"dev\"\n\n[[package]]\nname = \"black\"\nversion = \"23.1\"\ngroups = [\"lint\"]\n";
        let p = parse_poetry(text).unwrap();
        assert_eq!(
            p.iter().map(|p| p.dev).collect::<Vec<_>>(),
            [false, true, true]
        );
        assert_eq!(p[0].name, "django");
        let e = parse_poetry("[[package]]\nname = \"x\"\nversion = \n").unwrap_err();
        assert_eq!(e.line, Some(3));
    }
}
