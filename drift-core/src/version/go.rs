//! Go module versions: SemVer with a `v`, `+incompatible` (build metadata,
//! ignored for ordering), and pseudo-versions.

use std::cmp::Ordering;

use super::{
    Skew,
    semver::{SemVersion, skew_of},
};

/// A parsed Go module version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct GoVersion<'a> {
    /// The version as SemVer.
    pub semver: SemVersion<'a>,
    /// For a pseudo-version, its commit time (`yyyymmddhhmmss`) and
    /// revision prefix.
    pub pseudo: Option<(&'a str, &'a str)>,
}

impl<'a> GoVersion<'a> {
    /// Parses `text` (`v1.2.3`, `v2.0.0+incompatible`,
    /// `v0.0.0-20191109021931-daa7c04131f5`).
    pub(super) fn parse(text: &'a str) -> Option<GoVersion<'a>> {
        let semver = SemVersion::parse(text)?;
        let pseudo = pseudo_parts(&semver);
        Some(GoVersion { semver, pseudo })
    }
}

/// The time and revision of a pseudo-version: its last pre-release
/// identifier is `yyyymmddhhmmss-abcdefabcdef`, after nothing, `0` or
/// `PRE.0`.
fn pseudo_parts<'a>(v: &SemVersion<'a>) -> Option<(&'a str, &'a str)> {
    let last = *v.pre.last()?;
    let (time, rev) = last.split_once('-')?;
    let ok = time.len() == 14
        && time.bytes().all(|c| c.is_ascii_digit())
        && rev.len() >= 12
        && rev.bytes().all(|c| c.is_ascii_hexdigit());
    let base_ok = match v.pre.len() {
        1 => true,
        n => v.pre[n - 2] == "0",
    };
    (ok && base_ok).then_some((time, rev))
}

pub(super) fn compare(a: &str, b: &str) -> Option<Ordering> {
    let (a, b) = (GoVersion::parse(a)?, GoVersion::parse(b)?);
    if let (Some((ta, ra)), Some((tb, rb))) = (a.pseudo, b.pseudo) {
        // Two commits of the same time and base cannot be ordered.
        if ta == tb && ra != rb && a.semver.core == b.semver.core {
            let (pa, pb) = (&a.semver.pre, &b.semver.pre);
            if pa[..pa.len() - 1] == pb[..pb.len() - 1] {
                return None;
            }
        }
    }
    Some(a.semver.cmp(&b.semver))
}

pub(super) fn skew(a: &str, b: &str) -> Option<Skew> {
    let (a, b) = (GoVersion::parse(a)?, GoVersion::parse(b)?);
    skew_of(&a.semver, &b.semver)
}

#[cfg(test)]
mod tests {
    use super::super::{Skew, compare, skew};
    use std::cmp::Ordering::*;

    #[test]
    fn pseudo_versions_order_by_base_and_time() {
        let chain = [
            "v0.0.0-20191109021931-daa7c04131f5",
            "v0.0.0-20200101000000-0123456789ab",
            "v0.1.0",
            "v1.2.3",
            "v1.2.4-0.20191109021931-daa7c04131f5",
            "v1.2.4-0.20200101000000-0123456789ab",
            "v1.2.4",
            "v1.3.0-pre",
            "v1.3.0-pre.0.20200101000000-0123456789ab",
            "v1.3.0",
        ];
        for w in chain.windows(2) {
            assert_eq!(compare("go", w[0], w[1]), Some(Less), "{w:?}");
            assert_eq!(compare("go", w[1], w[0]), Some(Greater), "{w:?}");
        }
        assert_eq!(
            compare(
                "go",
                "v0.0.0-20191109021931-daa7c04131f5",
                "v0.0.0-20191109021931-aaaaaaaaaaaa"
            ),
            None
        );
    }

    #[test]
    fn incompatible_is_build_metadata() {
        assert_eq!(compare("go", "v2.0.0+incompatible", "v2.0.0"), Some(Equal));
        assert_eq!(
            compare("go", "v2.0.0+incompatible", "v2.1.0+incompatible"),
            Some(Less)
        );
        assert_eq!(
            skew("go", "v2.0.0+incompatible", "v3.0.0+incompatible"),
            Skew::Major
        );
    }

    #[test]
    fn skews() {
        assert_eq!(
            skew("go", "v1.2.3", "v1.2.4-0.20191109021931-daa7c04131f5"),
            Skew::Patch
        );
        assert_eq!(skew("go", "v0.14.0", "v0.15.0"), Skew::Major);
        assert_eq!(skew("go", "v1.14.0", "v1.15.0"), Skew::Minor);
        assert_eq!(skew("go", "v1.2.3", "garbage"), Skew::Other);
    }
}
