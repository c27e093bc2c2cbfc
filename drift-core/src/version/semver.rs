//! SemVer 2.0 (cargo, npm), read leniently: a leading `v` or `=` and a
//! missing minor or patch (`1.2` is `1.2.0`) are accepted, numbers of any
//! length are compared exactly.

use std::cmp::Ordering;

use super::{Skew, caret_skew, cmp_digits, is_digits};

/// A parsed SemVer version; numbers are kept as digit text so that no size
/// overflows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SemVersion<'a> {
    /// Major, minor and patch, as written (`"0"` when missing).
    pub core: [&'a str; 3],
    /// Pre-release identifiers (`["rc", "1"]` of `1.0.0-rc.1`).
    pub pre: Vec<&'a str>,
    /// Build metadata (`"build.5"` of `1.0.0+build.5`), ignored for ordering.
    pub build: Option<&'a str>,
}

impl<'a> SemVersion<'a> {
    /// Parses `text`; `None` when it is not a version.
    pub(super) fn parse(text: &'a str) -> Option<SemVersion<'a>> {
        let t = text.trim();
        let t = t.strip_prefix(['v', 'V', '=']).unwrap_or(t);
        let (rest, build) = match t.split_once('+') {
            Some((r, b)) => (r, Some(b)),
            None => (t, None),
        };
        if let Some(b) = build
            && !b.split('.').all(|i| is_identifier(&i))
        {
            return None;
        }
        let (core_text, pre_text) = match rest.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (rest, None),
        };
        let mut core = ["0"; 3];
        for (n, part) in core_text.split('.').enumerate() {
            if n == 3 || !is_digits(part) {
                return None;
            }
            core[n] = part;
        }
        let pre = match pre_text {
            Some(p) => {
                let ids: Vec<&str> = p.split('.').collect();
                if !ids.iter().all(is_identifier) {
                    return None;
                }
                ids
            }
            None => Vec::new(),
        };
        Some(SemVersion { core, pre, build })
    }
}

impl Ord for SemVersion<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.core
            .iter()
            .zip(other.core.iter())
            .map(|(a, b)| cmp_digits(a, b))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
            .then_with(|| cmp_pre(&self.pre, &other.pre))
    }
}

impl PartialOrd for SemVersion<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn is_identifier(s: &&str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
}

/// Pre-release precedence: none sorts after any; numeric identifiers before
/// alphanumeric ones; a shorter list first when it is a prefix.
pub(crate) fn cmp_pre(a: &[&str], b: &[&str]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    for (x, y) in a.iter().zip(b.iter()) {
        let o = match (is_digits(x), is_digits(y)) {
            (true, true) => cmp_digits(x, y),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => x.cmp(y),
        };
        if o.is_ne() {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

pub(super) fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(SemVersion::parse(a)?.cmp(&SemVersion::parse(b)?))
}

pub(super) fn skew(a: &str, b: &str) -> Option<Skew> {
    skew_of(&SemVersion::parse(a)?, &SemVersion::parse(b)?)
}

/// The skew of two parsed versions (shared with the `go` scheme).
pub(super) fn skew_of(a: &SemVersion<'_>, b: &SemVersion<'_>) -> Option<Skew> {
    if let Some(s) = caret_skew(&a.core, &b.core) {
        return Some(s);
    }
    if cmp_pre(&a.pre, &b.pre).is_ne() || a.build != b.build {
        return Some(Skew::Prerelease);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::{Skew, compare, skew};
    use std::cmp::Ordering::*;

    #[test]
    fn spec_precedence_example() {
        // The chain of SemVer 2.0 §11.
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.1.0",
            "2.0.0",
        ];
        for w in chain.windows(2) {
            assert_eq!(compare("semver", w[0], w[1]), Some(Less), "{w:?}");
            assert_eq!(compare("semver", w[1], w[0]), Some(Greater), "{w:?}");
        }
    }

    #[test]
    fn build_metadata_is_ignored_for_ordering_but_is_a_skew() {
        assert_eq!(compare("semver", "1.0.0+a", "1.0.0+b"), Some(Equal));
        assert_eq!(compare("semver", "1.0.0+zzz", "1.0.1"), Some(Less));
        assert_eq!(skew("semver", "1.0.0+a", "1.0.0+b"), Skew::Prerelease);
    }

    #[test]
    fn numbers_compare_numerically_at_any_size() {
        assert_eq!(compare("semver", "1.10.0", "1.9.0"), Some(Greater));
        assert_eq!(
            compare(
                "semver",
                "1.0.99999999999999999999999",
                "1.0.100000000000000000000000"
            ),
            Some(Less)
        );
        assert_eq!(compare("semver", "v1.2.3", "1.2.3"), Some(Equal));
        assert_eq!(compare("semver", "01.2.3", "1.2.3"), Some(Equal));
        assert_eq!(compare("semver", "1.2", "1.2.0"), Some(Equal));
        assert_eq!(skew("semver", "1.2", "1.2.0"), Skew::Other);
    }

    #[test]
    fn zero_major_minor_bumps_are_breaking() {
        assert_eq!(skew("semver", "0.3.1", "0.4.0"), Skew::Major);
        assert_eq!(skew("semver", "0.0.3", "0.0.4"), Skew::Major);
        assert_eq!(skew("semver", "0.3.1", "0.3.2"), Skew::Patch);
        assert_eq!(skew("semver", "1.3.1", "1.4.0"), Skew::Minor);
        assert_eq!(skew("semver", "1.3.1", "2.0.0"), Skew::Major);
        assert_eq!(skew("semver", "1.0.0-rc.1", "1.0.0"), Skew::Prerelease);
        assert_eq!(skew("semver", "1.0.0-rc.1", "1.0.1"), Skew::Patch);
    }

    #[test]
    fn nonsense_is_not_ordered() {
        for bad in [
            "",
            "latest",
            "1.2.3.4",
            "1..2",
            "1.2.3-",
            "1.2.3-a..b",
            "file:../x",
            "1.2.x",
        ] {
            assert_eq!(compare("semver", bad, "1.0.0"), None, "{bad}");
            assert_eq!(skew("semver", bad, "1.0.0"), Skew::Other, "{bad}");
        }
        assert_eq!(compare("semver", "latest", "latest"), Some(Equal));
    }
}
