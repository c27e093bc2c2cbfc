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

/// One entry of a `Pipfile.lock` section.
#[derive(Deserialize)]
#[serde(untagged)]
enum PipfileEntry {
    /// The first format (2017, `_meta.Pipfile-sha256`): the Pipfile's own
    /// requirement, `"==1.0"` or `"*"`.
    Spec(String),
    /// Every later format: a table whose `version` is `"==1.0"`.
    Table { version: Option<String> },
}

/// The version pinned by `spec` (`==1.0`, `===1.0`), `None` for a range.
fn pinned(spec: &str) -> Option<&str> {
    let v = spec.trim().strip_prefix("==")?;
    let v = v.strip_prefix('=').unwrap_or(v).trim();
    (!v.is_empty() && !v.contains(['*', ',', ' '])).then_some(v)
}

/// The `default` and `develop` (dev) sections of a `Pipfile.lock`; entries
/// without a version (VCS or path installs) are left out.
///
/// The first format (2017) wrote each entry as the Pipfile's requirement
/// (`"requests": "==2.13.0"`): an exact pin is read as the version; a range
/// (`"*"`, `">=2"`) locks nothing, and the file is refused with what to do.
pub(super) fn parse_pipfile_lock(text: &str) -> Result<Vec<Package>, ParseError> {
    let lock: PipfileLock =
        serde_json::from_str(text).map_err(|e| ParseError::json(&e, "Pipfile.lock"))?;
    let mut out = Vec::with_capacity(lock.default.len() + lock.develop.len());
    for (section, entries, dev) in [
        ("default", lock.default, false),
        ("develop", lock.develop, true),
    ] {
        for (name, e) in entries {
            let spec = match e {
                PipfileEntry::Spec(s) => s,
                PipfileEntry::Table { version: Some(v) } => v,
                PipfileEntry::Table { version: None } => continue,
            };
            let Some(v) = pinned(&spec) else {
                // The entry's line: where its quoted name first appears.
                let line = text
                    .find(&format!("\"{name}\""))
                    .map(|at| text[..at].matches('\n').count() as u64 + 1);
                return Err(ParseError {
                    line,
                    ..ParseError::new(format!(
                        "`{name}` in `{section}` is a range, not a locked version: this is the \
                     first Pipfile.lock format (pipenv, 2017, `_meta.Pipfile-sha256`), which \
                     copied the Pipfile's requirements; run `pipenv lock` to write a current \
                     Pipfile.lock"
                    ))
                });
            };
            out.push(Package::new(Ecosystem::Pypi, pep503(&name), v).dev(dev));
        }
    }
    Ok(out)
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
    fn pipfile_lock_pins_of_every_format() {
        // 2017: the requirement itself; later: a table with `version`.
        let text = r#"{"_meta": {"Pipfile-sha256": "ab"},
            "default": {"Requests": "==2.13.0", "six": {"version": "==1.10.0"},
                        "pinax": {"git": "git://x/pinax.git"}},
            "develop": {"nose": "===1.3.7"}}"#;
        let p = parse_pipfile_lock(text).unwrap();
        let got: Vec<_> = p
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.dev))
            .collect();
        assert_eq!(
            got,
            [
                ("requests", "2.13.0", false),
                ("six", "1.10.0", false),
                ("nose", "1.3.7", true)
            ]
        );
        for range in ["*", ">=2.0", "==2.*", "==1.0,!=1.0.1", "=="] {
            let text = format!(r#"{{"default": {{"requests": "{range}"}}}}"#);
            let e = parse_pipfile_lock(&text).unwrap_err();
            assert!(e.message.contains("`requests` in `default`"), "{e}");
            assert!(e.message.contains("run `pipenv lock`"), "{e}");
            assert!(!e.message.contains(range), "{e}");
        }
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
