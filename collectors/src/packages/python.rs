//! Pinned `requirements*.txt`, `Pipfile.lock` and installed distributions'
//! `METADATA`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Ecosystem, Package, ParseError, pep503};

/// Whether a file name is a requirements file: `requirements*.txt`,
/// `*-requirements.txt`, `*_requirements.txt`.
pub(super) fn is_requirements_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".txt") else {
        return false;
    };
    stem.starts_with("requirements")
        || stem.ends_with("-requirements")
        || stem.ends_with("_requirements")
}

/// Whether a requirements file lists development requirements by its name
/// (`requirements-dev.txt`, `dev-requirements.txt`, `requirements_test.txt`).
pub(super) fn is_dev_requirements_name(name: &str) -> bool {
    let stem = name
        .strip_suffix(".txt")
        .unwrap_or(name)
        .to_ascii_lowercase();
    stem.split(['-', '_', '.']).any(|w| {
        matches!(
            w,
            "dev" | "develop" | "development" | "test" | "tests" | "testing" | "lint" | "docs"
        )
    })
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// The `name==version` (or `===`) pins of a requirements file. Unpinned
/// requirements (`>=`, ranges, URLs, editable installs) pin no version and
/// are left out; options (`-r`, `--hash`, `-i`) are skipped; comments and
/// line continuations are understood.
pub(super) fn parse_requirements(text: &str, dev: bool) -> Result<Vec<Package>, ParseError> {
    let mut out = Vec::new();
    let mut logical = String::new();
    let mut start = 0;
    for (i, raw) in text.lines().enumerate() {
        if logical.is_empty() {
            start = i + 1;
        }
        let line = strip_comment(raw);
        if let Some(head) = line.strip_suffix('\\') {
            logical.push_str(head);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let req = std::mem::take(&mut logical);
        if let Some(p) = requirement(req.trim(), start)? {
            out.push(p.dev(dev));
        }
    }
    if let Some(p) = requirement(logical.trim(), start)? {
        out.push(p.dev(dev));
    }
    Ok(out)
}

fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    match line.find(" #").or_else(|| line.find("\t#")) {
        Some(i) => &line[..i],
        None => line,
    }
}

fn requirement(req: &str, line: usize) -> Result<Option<Package>, ParseError> {
    if req.is_empty() || req.starts_with('-') {
        return Ok(None);
    }
    // Environment markers and per-requirement options do not change the pin.
    let req = req.split(';').next().unwrap_or("").trim();
    let req = req.split(" --").next().unwrap_or("").trim();
    let Some(at) = req.find("==") else {
        return Ok(None);
    };
    let head = req[..at].trim();
    let name = head.split('[').next().unwrap_or("").trim();
    if name.is_empty() || !name.chars().all(is_name_char) || head.contains('@') {
        return Err(ParseError::at(
            line,
            "a pinned requirement without a valid project name before `==`",
        ));
    }
    let version = req[at..].trim_start_matches('=').trim();
    if version.is_empty() || version.contains(char::is_whitespace) {
        return Err(ParseError::at(
            line,
            format!("requirement `{name}` pins an empty or malformed version"),
        ));
    }
    if version.ends_with(".*") || version.contains(',') {
        // `==1.2.*` or `==1.2,!=1.2.1` is a range, not a pin.
        return Ok(None);
    }
    Ok(Some(Package::new(Ecosystem::Pypi, pep503(name), version)))
}

#[derive(Deserialize)]
struct PipfileLock {
    #[serde(default)]
    default: BTreeMap<String, PipfileEntry>,
    #[serde(default)]
    develop: BTreeMap<String, PipfileEntry>,
}

#[derive(Deserialize)]
struct PipfileEntry {
    version: Option<String>,
}

/// The `default` and `develop` (dev) sections of a `Pipfile.lock`; entries
/// without a version (VCS or path installs) are left out.
pub(super) fn parse_pipfile_lock(text: &str) -> Result<Vec<Package>, ParseError> {
    let lock: PipfileLock =
        serde_json::from_str(text).map_err(|e| ParseError::json(&e, "Pipfile.lock"))?;
    let section = |m: BTreeMap<String, PipfileEntry>, dev: bool| {
        m.into_iter().filter_map(move |(name, e)| {
            let v = e.version?;
            let v = v.trim_start_matches('=').trim().to_owned();
            Some(Package::new(Ecosystem::Pypi, pep503(&name), v).dev(dev))
        })
    };
    Ok(section(lock.default, false)
        .chain(section(lock.develop, true))
        .collect())
}

/// `Name` and `Version` of an installed distribution's `METADATA` (an
/// email-style header block).
pub(super) fn parse_metadata(text: &str) -> Result<Vec<Package>, ParseError> {
    let (mut name, mut version) = (None, None);
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Name:") {
            name = Some(v.trim());
        } else if let Some(v) = line.strip_prefix("Version:") {
            version = Some(v.trim());
        }
    }
    match (name, version) {
        (Some(n), Some(v)) if !n.is_empty() && !v.is_empty() => {
            Ok(vec![Package::new(Ecosystem::Pypi, pep503(n), v)])
        }
        _ => Err(ParseError::new(
            "METADATA has no `Name` or no `Version` header",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_pins() {
        let text = "# comment\n-r base.txt\nDjango==4.2.7 \\\n    --hash=sha256:abc \\\n    --hash=sha256:def\nrequests[socks]==2.31.0 ; python_version >= \"3.8\"  # pinned\nflask>=2\nnumpy==1.26.*\n-e git+https://x/y#egg=z\nzope.interface===6.1\n";
        let p = parse_requirements(text, false).unwrap();
        let got: Vec<_> = p
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("django", "4.2.7"),
                ("requests", "2.31.0"),
                ("zope-interface", "6.1")
            ]
        );
        assert_eq!(
            parse_requirements("ok==1\n==2\n", false).unwrap_err().line,
            Some(2)
        );
    }

    #[test]
    fn names() {
        assert!(is_requirements_name("requirements.txt"));
        assert!(is_requirements_name("requirements-dev.txt"));
        assert!(is_requirements_name("test-requirements.txt"));
        assert!(!is_requirements_name("notes.txt"));
        assert!(is_dev_requirements_name("requirements-dev.txt"));
        assert!(is_dev_requirements_name("test-requirements.txt"));
        assert!(!is_dev_requirements_name("requirements.txt"));
        assert!(!is_dev_requirements_name("requirements-prod.txt"));
    }

    #[test]
    fn metadata() {
        let p = parse_metadata(
            "Metadata-Version: 2.1\nName: Flask_Login\nVersion: 0.6.3\n\nName: body\n",
        )
        .unwrap();
        assert_eq!(p[0].name, "flask-login");
        assert!(parse_metadata("Metadata-Version: 2.1\n").is_err());
    }
}
