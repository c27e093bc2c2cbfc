//! `go.mod`.

use super::{Ecosystem, Package, ParseError};

/// The `require`d modules of a `go.mod`, with the version of a versioned
/// `replace` target when one applies (the build uses the replacement). Go
/// has no dev-only modules.
///
/// `go.sum` is not read: it lists every version the build ever consulted,
/// not the selected one.
pub(super) fn parse(text: &str) -> Result<Vec<Package>, ParseError> {
    let mut requires: Vec<(String, String)> = Vec::new();
    let mut replaces: Vec<(String, Option<String>, String)> = Vec::new();
    let mut block: Option<&str> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(verb) = block {
            if line == ")" {
                block = None;
                continue;
            }
            directive(verb, line, n, &mut requires, &mut replaces)?;
            continue;
        }
        let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        if rest == "(" {
            block = Some(match verb {
                "require" => "require",
                "replace" => "replace",
                _ => "other",
            });
            continue;
        }
        directive(verb, rest, n, &mut requires, &mut replaces)?;
    }
    if block.is_some() {
        return Err(ParseError::new(
            "a `(` block is not closed; the go.mod is truncated",
        ));
    }
    Ok(requires
        .into_iter()
        .map(|(path, version)| {
            let replaced = replaces
                .iter()
                .filter(|(from, from_version, _)| {
                    *from == path && from_version.as_ref().is_none_or(|v| *v == version)
                })
                .map(|(_, _, to)| to.clone())
                .next_back();
            Package::new(Ecosystem::Go, unquote(&path), replaced.unwrap_or(version))
        })
        .collect())
}

fn unquote(s: &str) -> String {
    s.trim_matches(['"', '`']).to_owned()
}

fn directive(
    verb: &str,
    args: &str,
    n: usize,
    requires: &mut Vec<(String, String)>,
    replaces: &mut Vec<(String, Option<String>, String)>,
) -> Result<(), ParseError> {
    match verb {
        "require" => {
            let mut it = args.split_whitespace();
            let (Some(path), Some(version)) = (it.next(), it.next()) else {
                return Err(ParseError::at(n, "expected `require MODULE VERSION`"));
            };
            requires.push((unquote(path), version.to_owned()));
        }
        "replace" => {
            let Some((from, to)) = args.split_once("=>") else {
                return Err(ParseError::at(
                    n,
                    "expected `replace MODULE [VERSION] => TARGET [VERSION]`",
                ));
            };
            let mut from = from.split_whitespace();
            let mut to = to.split_whitespace();
            let (Some(path), Some(_target)) = (from.next(), to.next()) else {
                return Err(ParseError::at(
                    n,
                    "expected `replace MODULE [VERSION] => TARGET [VERSION]`",
                ));
            };
            // A local directory replacement has no version; it is not recorded.
            if let Some(version) = to.next() {
                replaces.push((
                    unquote(path),
                    from.next().map(str::to_owned),
                    version.to_owned(),
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_and_replaces() {
        let text = "module example.com/app\n\ngo 1.21\n\nrequire (\n\tgithub.com/pkg/errors v0.9.1\n\tgolang.org/x/sys v0.0.0-20191109021931-daa7c04131f5 // indirect\n)\n\nrequire github.com/a/b v1.2.3\n\nreplace github.com/a/b => github.com/fork/b v1.2.4\nreplace github.com/pkg/errors => ../errors\n";
        let p = parse(text).unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p[2].name, "github.com/a/b");
        assert_eq!(p[2].version, "v1.2.4");
        assert_eq!(p[0].version, "v0.9.1");
        assert_eq!(parse("require (\n x v1\n").unwrap_err().line, None);
        assert_eq!(parse("require x\n").unwrap_err().line, Some(1));
    }
}
