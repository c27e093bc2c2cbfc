//! `package-lock.json` (v1, v2, v3) and `npm-shrinkwrap.json`.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;

use super::{Ecosystem, Package, ParseError};

#[derive(Deserialize)]
struct Lock<'a> {
    #[serde(borrow, default)]
    packages: Option<HashMap<Cow<'a, str>, Entry<'a>>>,
    #[serde(borrow, default)]
    dependencies: Option<HashMap<Cow<'a, str>, V1Entry<'a>>>,
}

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(borrow)]
    version: Option<Cow<'a, str>>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    link: bool,
}

#[derive(Deserialize)]
struct V1Entry<'a> {
    #[serde(borrow)]
    version: Option<Cow<'a, str>>,
    #[serde(default)]
    dev: bool,
    #[serde(borrow, default)]
    dependencies: Option<HashMap<Cow<'a, str>, V1Entry<'a>>>,
}

/// The installed packages of an npm lockfile. From v2 on the `packages` map
/// is read: every `node_modules/…` path is one installed copy, named by its
/// last `node_modules/` segment (the name code requires, also for aliases),
/// so nested copies at other versions are all kept. The root, workspace
/// members and links are the project itself and are left out. v1 lockfiles
/// are read from their nested `dependencies` tree. `dev: true` marks
/// dev-only packages (`devOptional` ones are installed in production when
/// optional dependencies are).
pub(super) fn parse(text: &str) -> Result<Vec<Package>, ParseError> {
    let lock: Lock<'_> =
        serde_json::from_str(text).map_err(|e| ParseError::json(&e, "package-lock.json"))?;
    let mut out = Vec::new();
    if let Some(packages) = lock.packages {
        out.reserve(packages.len());
        for (path, e) in packages {
            let Some(i) = path.rfind("node_modules/") else {
                continue;
            };
            let name = &path[i + "node_modules/".len()..];
            if e.link || name.is_empty() {
                continue;
            }
            let Some(version) = e.version else {
                continue;
            };
            out.push(Package::new(Ecosystem::Npm, name, version).dev(e.dev));
        }
        return Ok(out);
    }
    if let Some(deps) = lock.dependencies {
        walk_v1(deps, &mut out);
        return Ok(out);
    }
    Err(ParseError::new(
        "package-lock.json has neither `packages` nor `dependencies`; is it a lockfile?",
    ))
}

fn walk_v1(deps: HashMap<Cow<'_, str>, V1Entry<'_>>, out: &mut Vec<Package>) {
    for (name, e) in deps {
        if let Some(version) = e.version {
            out.push(Package::new(Ecosystem::Npm, name, version).dev(e.dev));
        }
        if let Some(nested) = e.dependencies {
            walk_v1(nested, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_nested_copies_and_links() {
        let text = r#"{"lockfileVersion": 3, "packages": {
            "": {"name": "app", "version": "1.0.0"},
            "packages/lib": {"name": "lib", "version": "0.1.0"},
            "node_modules/lib": {"resolved": "packages/lib", "link": true},
            "node_modules/debug": {"version": "4.3.4"},
            "node_modules/send/node_modules/debug": {"version": "2.6.9"},
            "node_modules/@types/node": {"version": "20.8.0", "dev": true},
            "node_modules/my-alias": {"name": "real", "version": "1.0.0"}}}"#;
        let mut p = parse(text).unwrap();
        p.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
        let got: Vec<_> = p
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.dev))
            .collect();
        assert_eq!(
            got,
            [
                ("@types/node", "20.8.0", true),
                ("debug", "2.6.9", false),
                ("debug", "4.3.4", false),
                ("my-alias", "1.0.0", false)
            ]
        );
    }

    #[test]
    fn v1_tree() {
        let text = r#"{"lockfileVersion": 1, "dependencies": {
            "a": {"version": "1.0.0", "dependencies": {"b": {"version": "2.0.0", "dev": true}}}}}"#;
        assert_eq!(parse(text).unwrap().len(), 2);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("{\n\"packages\": {\n\"x\": [}\n}").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(!e.message.contains("at line"), "{}", e.message);
    }
}
