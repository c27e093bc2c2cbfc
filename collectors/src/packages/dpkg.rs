//! dpkg's `status` database: RFC 822-style paragraphs.

use super::{Ecosystem, Package, ParseError};

/// One paragraph's fields of interest, with the line it starts on.
#[derive(Default)]
struct Stanza<'a> {
    line: usize,
    package: Option<&'a str>,
    version: Option<&'a str>,
    arch: Option<&'a str>,
    status: Option<&'a str>,
}

/// The packages installed according to a dpkg status file (or a file of
/// `status.d/`, where entries have no `Status` and are all installed):
/// entries whose
/// status is `installed`, or `triggers-pending`/`triggers-awaited` (installed
/// and configured, a trigger still to run). Removed packages that kept their
/// configuration (`config-files`), half-installed and unpacked ones are not
/// installed.
pub(super) fn parse(text: &str) -> Result<Vec<Package>, ParseError> {
    let mut out = Vec::new();
    let mut cur = Stanza::default();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            finish(&mut cur, &mut out)?;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            // A continuation line (Description, Conffiles); nothing we need.
            if cur.line == 0 {
                return Err(ParseError::at(
                    n,
                    "continuation line outside a package paragraph; the status file is damaged",
                ));
            }
            continue;
        }
        let Some((field, value)) = line.split_once(':') else {
            return Err(ParseError::at(
                n,
                "expected a `Field: value` line; the status file is damaged",
            ));
        };
        if cur.line == 0 {
            cur.line = n;
        }
        let value = value.trim();
        match field {
            "Package" => cur.package = Some(value),
            "Version" => cur.version = Some(value),
            "Architecture" => cur.arch = Some(value),
            "Status" => cur.status = Some(value),
            _ => {}
        }
    }
    finish(&mut cur, &mut out)?;
    Ok(out)
}

fn finish<'a>(cur: &mut Stanza<'a>, out: &mut Vec<Package>) -> Result<(), ParseError> {
    let s = std::mem::take(cur);
    if s.line == 0 {
        return Ok(());
    }
    let Some(name) = s.package else {
        return Err(ParseError::at(
            s.line,
            "package paragraph without a `Package` field",
        ));
    };
    // dpkg always writes `Status`; the per-package files of
    // `/var/lib/dpkg/status.d/` (distroless images) list installed packages
    // without one.
    let installed = s.status.is_none_or(|st| {
        st.split_whitespace().nth(2).is_some_and(|state| {
            matches!(state, "installed" | "triggers-pending" | "triggers-awaited")
        })
    });
    if !installed {
        return Ok(());
    }
    let Some(version) = s.version else {
        return Err(ParseError::at(
            s.line,
            format!("installed package `{name}` has no `Version` field"),
        ));
    };
    let mut p = Package::new(Ecosystem::Deb, name, version);
    p.arch = s.arch.map(str::to_owned);
    out.push(p);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_only_with_arch() {
        let text = "Package: a\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\nDescription: x\n multi\n .\n line\n\nPackage: b\nStatus: deinstall ok config-files\nVersion: 2\n\n\nPackage: c\nStatus: install ok triggers-pending\nArchitecture: all\nVersion: 1:3\n";
        let p = parse(text).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].key().as_str(), "package:deb:a:amd64");
        assert_eq!(p[1].version, "1:3");
    }

    #[test]
    fn damaged_files_name_the_line() {
        let e =
            parse("Package: a\nStatus: install ok installed\nVersion: 1\n\ngarbage\n").unwrap_err();
        assert_eq!(e.line, Some(5));
        let e = parse("Package: a\nStatus: install ok installed\n").unwrap_err();
        assert_eq!(e.line, Some(1));
    }
}
