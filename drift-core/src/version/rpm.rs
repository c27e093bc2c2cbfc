//! RPM versions, `[epoch:]version[-release]`, ordered as rpm orders them
//! (`rpmio/rpmvercmp.c`, with `~` and `^`).

use std::cmp::Ordering;

use super::{Skew, cmp_digits, deb::upstream_skew};

/// A parsed RPM EVR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RpmVersion<'a> {
    /// The epoch digits (`""` when absent, which is 0).
    pub epoch: &'a str,
    /// The version.
    pub version: &'a str,
    /// The release (`None` when absent: it then matches any release).
    pub release: Option<&'a str>,
}

impl<'a> RpmVersion<'a> {
    /// Parses `text`; `None` when it is empty, holds whitespace, or has a
    /// non-numeric epoch.
    pub(super) fn parse(text: &'a str) -> Option<RpmVersion<'a>> {
        let t = text.trim();
        if t.is_empty() || t.contains(char::is_whitespace) {
            return None;
        }
        let (epoch, rest) = match t.split_once(':') {
            Some((e, r)) if e.bytes().all(|c| c.is_ascii_digit()) => (e, r),
            Some(_) => return None,
            None => ("", t),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => (v, Some(r)),
            None => (rest, None),
        };
        if version.is_empty() || release == Some("") {
            return None;
        }
        Some(RpmVersion {
            epoch,
            version,
            release,
        })
    }
}

impl Ord for RpmVersion<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(self.epoch, other.epoch)
            .then_with(|| rpmvercmp(self.version, other.version))
            .then_with(|| match (self.release, other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                _ => Ordering::Equal,
            })
    }
}

impl PartialOrd for RpmVersion<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// rpm's `rpmvercmp`: alternating numeric and alphabetic segments, other
/// characters separate; numbers beat letters; `~` sorts before everything
/// and `^` after the end but before anything else.
pub(crate) fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let sep = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    let (mut i, mut j) = (0, 0);
    loop {
        while i < a.len() && sep(a[i]) {
            i += 1;
        }
        while j < b.len() && sep(b[j]) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else {
            break;
        };
        let numeric = ca.is_ascii_digit();
        let class = |c: u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let (si, sj) = (i, j);
        while i < a.len() && class(a[i]) {
            i += 1;
        }
        while j < b.len() && class(b[j]) {
            j += 1;
        }
        if j == sj {
            // Different kinds of segment: numbers are newer than letters.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let (x, y) = (&a[si..i], &b[sj..j]);
        let o = if numeric {
            cmp_digits(
                std::str::from_utf8(x).unwrap_or(""),
                std::str::from_utf8(y).unwrap_or(""),
            )
        } else {
            x.cmp(y)
        };
        if o.is_ne() {
            return o;
        }
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

pub(super) fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(RpmVersion::parse(a)?.cmp(&RpmVersion::parse(b)?))
}

pub(super) fn skew(a: &str, b: &str) -> Option<Skew> {
    let (a, b) = (RpmVersion::parse(a)?, RpmVersion::parse(b)?);
    if cmp_digits(a.epoch, b.epoch).is_ne() {
        return Some(Skew::Major);
    }
    if let Some(s) = upstream_skew(a.version, b.version, rpmvercmp) {
        // A `^` snapshot after a release is a post-release.
        return Some(
            if s == Skew::Prerelease || !(a.version.contains('^') || b.version.contains('^')) {
                s
            } else {
                Skew::Patch
            },
        );
    }
    a.cmp(&b).is_ne().then_some(Skew::Patch)
}

#[cfg(test)]
mod tests {
    use super::super::{Skew, compare, skew};
    use std::cmp::Ordering::*;

    #[test]
    fn rpmvercmp_cases() {
        // From rpm's own test suite (tests/rpmvercmp.at).
        for (a, b, o) in [
            ("1.0", "1.0", Equal),
            ("1.0", "2.0", Less),
            ("2.0.1", "2.0.1a", Less),
            ("2.0.1a", "2.0.1", Greater),
            ("5.5p1", "5.5p10", Less),
            ("5.5p10", "5.5p1", Greater),
            ("10xyz", "10.1xyz", Less),
            ("xyz10", "xyz10.1", Less),
            ("xyz.4", "8", Less),
            ("5.5p2", "5.6p1", Less),
            ("5.6p1", "6.5p1", Less),
            ("6.0.rc1", "6.0", Greater),
            ("10b2", "10a1", Greater),
            ("1.0aa", "1.0a", Greater),
            ("10.0001", "10.1", Equal),
            ("10.0001", "10.0039", Less),
            ("4.999.9", "5.0", Less),
            ("20101121", "20101122", Less),
            ("2_0", "2_0", Equal),
            ("2.0", "2_0", Equal),
            ("a", "a", Equal),
            ("a+", "a_", Equal),
            ("+", "_", Equal),
            ("1.0~rc1", "1.0", Less),
            ("1.0~rc1", "1.0~rc2", Less),
            ("1.0~rc1~git123", "1.0~rc1", Less),
            ("1.0^", "1.0", Greater),
            ("1.0^git1", "1.0", Greater),
            ("1.0^git1", "1.01", Less),
            ("1.0^20160101", "1.0.1", Less),
            ("1.0^20160101^git1", "1.0^20160101", Greater),
            ("1.0~rc1^git1", "1.0~rc1", Greater),
            ("1.0^git1~pre", "1.0^git1", Less),
        ] {
            assert_eq!(compare("rpm", a, b), Some(o), "{a} {b}");
        }
    }

    #[test]
    fn evr() {
        assert_eq!(compare("rpm", "1:1.0-1", "2.0-1"), Some(Greater));
        assert_eq!(compare("rpm", "0:1.0-1", "1.0-1"), Some(Equal));
        assert_eq!(
            compare("rpm", "3.0.7-27.el9", "3.0.7-24.el9"),
            Some(Greater)
        );
        assert_eq!(compare("rpm", "1.0", "1.0-5"), Some(Equal));
        assert_eq!(compare("rpm", "x:1.0", "1.0"), None);
        assert_eq!(compare("rpm", "", "1.0"), None);
    }

    #[test]
    fn skews() {
        assert_eq!(skew("rpm", "3.0.7-24.el9", "3.0.7-27.el9"), Skew::Patch);
        assert_eq!(skew("rpm", "3.0.7-24.el9", "3.2.1-1.el9"), Skew::Minor);
        assert_eq!(skew("rpm", "1:3.0.7-24.el9", "3.0.7-24.el9"), Skew::Major);
        assert_eq!(skew("rpm", "1.0~rc1-1", "1.0-1"), Skew::Prerelease);
        assert_eq!(skew("rpm", "1.0^git1-1", "1.0-1"), Skew::Patch);
    }
}
