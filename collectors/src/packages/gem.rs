//! `Gemfile.lock` (Bundler).

use super::{Ecosystem, Package, ParseError};

/// The gems of the `GEM` and `GIT` sections' `specs:`. `PATH` gems are the
/// project's own. The platform suffix (`nokogiri (1.15.4-x86_64-linux)`) is
/// not part of the version, so platform variants of one version are one
/// version. Gemfile.lock does not record groups, so nothing is dev-only.
pub(super) fn parse(text: &str) -> Result<Vec<Package>, ParseError> {
    let mut out = Vec::new();
    let mut section = "";
    let mut in_specs = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            in_specs = false;
            continue;
        }
        if !line.starts_with(' ') {
            section = line.trim_end();
            in_specs = false;
            continue;
        }
        if line.trim_end() == "  specs:" {
            in_specs = true;
            continue;
        }
        if !in_specs || !matches!(section, "GEM" | "GIT") {
            continue;
        }
        // Four spaces: a gem; six: one of its dependencies.
        let Some(spec) = line.strip_prefix("    ") else {
            continue;
        };
        if spec.starts_with(' ') {
            continue;
        }
        let Some((name, rest)) = spec.split_once(" (") else {
            return Err(ParseError::at(n, "expected `name (version)` in `specs:`"));
        };
        let Some(version) = rest.trim_end().strip_suffix(')') else {
            return Err(ParseError::at(n, "unterminated `(version)` in `specs:`"));
        };
        let version = version.split_once('-').map_or(version, |(v, _platform)| v);
        if name.is_empty() || version.is_empty() {
            return Err(ParseError::at(n, "empty gem name or version in `specs:`"));
        }
        out.push(Package::new(Ecosystem::Gem, name, version));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_with_platforms() {
        let text = "GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.15.4-x86_64-linux)\n      racc (~> 1.4)\n    rails (7.1.2)\n\nPATH\n  remote: .\n  specs:\n    mine (0.1.0)\n\nPLATFORMS\n  x86_64-linux\n";
        let p = parse(text).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].version, "1.15.4");
        assert_eq!(
            parse("GEM\n  specs:\n    broken\n").unwrap_err().line,
            Some(3)
        );
    }
}
