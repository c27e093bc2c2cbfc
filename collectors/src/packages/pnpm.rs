//! `pnpm-lock.yaml` (lockfile versions 5, 6 and 9).

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::{Yaml, YamlLoader};

use super::graph::Graph;
use super::{Ecosystem, Package, ParseError};

/// The deepest nesting read: a pnpm lockfile is a few levels deep, and
/// yaml-rust2's loader recurses once per level (and so does dropping what
/// it built), so a deeper document is refused before it is loaded.
const MAX_DEPTH: usize = 128;

/// Refuses a document nested deeper than [`MAX_DEPTH`], at the line where
/// it goes past it, and one holding an alias; syntax errors are left to the
/// loader.
fn check_depth(text: &str) -> Result<(), ParseError> {
    let mut parser = Parser::new_from_str(text);
    let mut depth = 0usize;
    loop {
        match parser.next_token() {
            Err(_) | Ok((Event::StreamEnd, _)) => return Ok(()),
            Ok((Event::SequenceStart(..) | Event::MappingStart(..), mark)) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ParseError::at(
                        mark.line(),
                        format!("invalid pnpm-lock.yaml: nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
            }
            Ok((Event::SequenceEnd | Event::MappingEnd, _)) => depth = depth.saturating_sub(1),
            // The loader copies an alias's node wherever it is used: nine
            // aliases of nine aliases make a billion nodes from a few
            // lines. pnpm never writes aliases.
            Ok((Event::Alias(_), mark)) => {
                return Err(ParseError::at(
                    mark.line(),
                    "invalid pnpm-lock.yaml: YAML aliases (`*name`) are not read; pnpm never writes them"
                        .to_owned(),
                ));
            }
            Ok(_) => {}
        }
    }
}

/// The packages of a pnpm lockfile.
///
/// - v5 keys are `/name/version[_peers]`, v6 keys `/name@version[(peers)]`,
///   v9 keys `name@version`; a `name`/`version` field (tarball and git
///   dependencies) wins over the key.
/// - v5 and v6 mark dev-only packages with `dev: true`. v9 records no flag:
///   a package is dev-only when no importer reaches it (through `snapshots`)
///   from its `dependencies` or `optionalDependencies`.
pub(super) fn parse(text: &str) -> Result<Vec<Package>, ParseError> {
    check_depth(text)?;
    let docs = YamlLoader::load_from_str(text).map_err(|e| {
        ParseError::at(
            e.marker().line(),
            format!("invalid pnpm-lock.yaml: {}", e.info()),
        )
    })?;
    let Some(doc) = docs.first() else {
        return Ok(Vec::new());
    };
    let lock_version = scalar(&doc["lockfileVersion"]).unwrap_or_default();
    let major: u32 = lock_version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| ParseError::new("pnpm-lock.yaml has no readable `lockfileVersion`"))?;
    let Some(packages) = doc["packages"].as_hash() else {
        return Ok(Vec::new());
    };
    // Without importers nothing says what is dev-only.
    let prod = (major >= 9 && doc["importers"].as_hash().is_some()).then(|| v9_prod_nodes(doc));
    let mut out = Vec::with_capacity(packages.len());
    for (key, entry) in packages {
        let Some(key) = key.as_str() else {
            continue;
        };
        let Some((name, version)) = split_key(key, major) else {
            return Err(ParseError::new(format!(
                "pnpm-lock.yaml: cannot read the package key `{}`",
                drift_core::secret::scrub(key)
            )));
        };
        let name = scalar(&entry["name"]).unwrap_or_else(|| name.to_owned());
        let version = scalar(&entry["version"]).unwrap_or_else(|| version.to_owned());
        let dev = match &prod {
            Some(prod) => !prod.contains(strip_peers(key)),
            None => entry["dev"].as_bool() == Some(true),
        };
        out.push(Package::new(Ecosystem::Npm, name, version).dev(dev));
    }
    Ok(out)
}

/// A scalar as text (YAML may read `1.10` as a number; its text is kept).
fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        _ => None,
    }
}

fn strip_peers(key: &str) -> &str {
    key.split('(').next().unwrap_or(key)
}

/// `(name, version)` of a package key.
fn split_key(key: &str, major: u32) -> Option<(&str, &str)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    if major < 6 {
        let (name, version) = key.rsplit_once('/')?;
        let version = version.split('_').next().unwrap_or(version);
        return (!name.is_empty() && !version.is_empty()).then_some((name, version));
    }
    let key = strip_peers(key);
    let at = key.rfind('@').filter(|&i| i > 0)?;
    Some((&key[..at], &key[at + 1..]))
}

/// The `name@version` of every package that an importer reaches from its
/// production dependencies.
fn v9_prod_nodes(doc: &Yaml) -> std::collections::BTreeSet<String> {
    let mut graph = Graph::default();
    let sections = ["dependencies", "optionalDependencies"];
    if let Some(importers) = doc["importers"].as_hash() {
        for importer in importers.values() {
            for section in sections {
                let Some(deps) = importer[section].as_hash() else {
                    continue;
                };
                for (name, spec) in deps {
                    let (Some(name), Some(version)) = (name.as_str(), scalar(&spec["version"]))
                    else {
                        continue;
                    };
                    graph.prod_root(format!("{name}@{version}"));
                }
            }
        }
    }
    if let Some(snapshots) = doc["snapshots"].as_hash() {
        for (key, snap) in snapshots {
            let Some(key) = key.as_str() else {
                continue;
            };
            for section in sections {
                let Some(deps) = snap[section].as_hash() else {
                    continue;
                };
                for (name, version) in deps {
                    if let (Some(name), Some(version)) = (name.as_str(), scalar(version)) {
                        graph.edge(key, format!("{name}@{version}"));
                    }
                }
            }
        }
    }
    graph
        .prod_reachable()
        .into_iter()
        .map(|n| strip_peers(&n).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_documents_are_an_error_at_their_line_not_a_crash() {
        let deep = |d: usize| format!("lockfileVersion: '9.0'\nx:\n{}1\n", "- ".repeat(d));
        std::thread::scope(|s| {
            std::thread::Builder::new()
                .stack_size(2 * 1024 * 1024)
                .spawn_scoped(s, || {
                    for d in [MAX_DEPTH + 1, 100_000] {
                        let e = parse(&deep(d)).unwrap_err();
                        assert_eq!(e.line, Some(3), "{d}");
                        assert!(e.message.contains("nested deeper"), "{}", e.message);
                    }
                    assert!(parse(&deep(MAX_DEPTH - 1)).unwrap().is_empty());
                })
                .unwrap()
                .join()
                .unwrap();
        });
    }

    #[test]
    fn aliases_are_refused_before_they_are_expanded() {
        // Nine levels of nine aliases: a billion nodes if expanded.
        let mut text =
            String::from("lockfileVersion: '9.0'\na0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let started = std::time::Instant::now();
        let e = parse(&text).unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("aliases"), "{}", e.message);
    }

    #[test]
    fn keys() {
        assert_eq!(
            split_key("/@babel/core/7.22.5", 5),
            Some(("@babel/core", "7.22.5"))
        );
        assert_eq!(
            split_key("/react-dom/18.2.0_react@18.2.0", 5),
            Some(("react-dom", "18.2.0"))
        );
        assert_eq!(
            split_key("/@babel/core@7.22.5", 6),
            Some(("@babel/core", "7.22.5"))
        );
        assert_eq!(
            split_key("react-dom@18.2.0(react@18.2.0)", 9),
            Some(("react-dom", "18.2.0"))
        );
        assert_eq!(split_key("nonsense", 9), None);
    }

    #[test]
    fn v6_dev_flags() {
        let text = "lockfileVersion: '6.0'\npackages:\n  /a@1.0.0:\n    dev: false\n  /b@2.0.0:\n    dev: true\n";
        let p = parse(text).unwrap();
        assert_eq!(p.iter().map(|p| p.dev).collect::<Vec<_>>(), [false, true]);
        let e = parse("lockfileVersion: '6.0'\npackages: [\n").unwrap_err();
        assert!(e.line.is_some(), "{e:?}");
    }
}
