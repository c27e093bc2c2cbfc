//! RPM versions, `[epoch:]version[-release]`, ordered as rpm orders them
//! (`rpmio/rpmvercmp.c`, with `~` and `^`).
//!
//! One departure makes the order total: rpm lets a missing release match
//! any release (`1.0 == 1.0-1` and `1.0 == 1.0-2`, yet `1.0-1 < 1.0-2`),
//! which is not transitive, so [`RpmVersion`]'s `Ord` could not be a
//! total order. Here a version without a release comes before the same
//! version with any release. `rpmvercmp` itself is a total preorder (it
//! compares the digit and letter segments, `~` and `^` of two texts in
//! turn, with `~` < end < `^` < letters < digits), so everywhere else the
//! order is rpm's; spellings rpm holds equal (`1.0` and `1_0`, `10.01`
//! and `10.1`, epoch `0` and none) are equal here too, and `==` agrees
//! with the order.

use std::cmp::Ordering;

use super::{Skew, cmp_digits, deb::upstream_skew};

/// A parsed RPM EVR. Two versions are `==` when they order as equal.
#[derive(Debug, Clone)]
pub struct RpmVersion<'a> {
    /// The epoch digits (`""` when absent, which is 0).
    pub epoch: &'a str,
    /// The version.
    pub version: &'a str,
    /// The release (`None` when absent: it then orders before any release).
    pub release: Option<&'a str>,
}

impl<'a> RpmVersion<'a> {
    /// Parses `text`; `None` when it is empty, holds whitespace, or has a
    /// non-numeric epoch.
    pub fn parse(text: &'a str) -> Option<RpmVersion<'a>> {
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
                (a, b) => a.is_some().cmp(&b.is_some()),
            })
    }
}

impl PartialEq for RpmVersion<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for RpmVersion<'_> {}

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
        // rpm would match `1.0` with any release; a total order puts it
        // before them all.
        assert_eq!(compare("rpm", "1.0", "1.0-5"), Some(Less));
        assert_eq!(compare("rpm", "1.0-5", "1.0"), Some(Greater));
        assert_eq!(compare("rpm", "1.0", "0:1_0"), Some(Equal));
        assert_eq!(compare("rpm", "x:1.0", "1.0"), None);
        assert_eq!(compare("rpm", "", "1.0"), None);
    }

    /// Random EVRs from the characters that matter to rpm.
    fn random_versions(n: usize) -> Vec<String> {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        const PIECES: [&str; 14] = [
            "0", "1", "01", "2", "10", "a", "b", "rc", ".", "_", "~", "^", "-", ":",
        ];
        (0..n)
            .map(|_| {
                let len = 1 + next() % 6;
                (0..len)
                    .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_order_is_total() {
        use super::RpmVersion;
        let texts = random_versions(160);
        let versions: Vec<RpmVersion<'_>> =
            texts.iter().filter_map(|t| RpmVersion::parse(t)).collect();
        assert!(versions.len() > 100, "{}", versions.len());
        for a in &versions {
            assert_eq!(a.cmp(a), Equal, "{a:?}");
            for b in &versions {
                let ab = a.cmp(b);
                assert_eq!(ab, b.cmp(a).reverse(), "{a:?} {b:?}");
                assert_eq!(ab.is_eq(), a == b, "{a:?} {b:?}");
                for c in &versions {
                    let (bc, ac) = (b.cmp(c), a.cmp(c));
                    if ab == bc || bc == Equal {
                        assert_eq!(ac, ab, "{a:?} {ab:?} {b:?} {bc:?} {c:?}");
                    } else if ab == Equal {
                        assert_eq!(ac, bc, "{a:?} {ab:?} {b:?} {bc:?} {c:?}");
                    }
                }
            }
        }
        // Sorting is then well defined, and agrees with `compare`.
        let mut sorted = versions.clone();
        sorted.sort();
        for w in sorted.windows(2) {
            assert_ne!(w[0].cmp(&w[1]), Greater);
        }
    }

    #[test]
    fn the_order_is_rpmvercmp_when_releases_are_both_there_or_both_missing() {
        use super::{RpmVersion, rpmvercmp};
        let texts = random_versions(400);
        for a in texts.iter().filter_map(|t| RpmVersion::parse(t)) {
            for b in texts.iter().filter_map(|t| RpmVersion::parse(t)) {
                if a.release.is_some() != b.release.is_some() {
                    continue;
                }
                let rpm = super::cmp_digits(a.epoch, b.epoch)
                    .then_with(|| rpmvercmp(a.version, b.version))
                    .then_with(|| match (a.release, b.release) {
                        (Some(x), Some(y)) => rpmvercmp(x, y),
                        _ => Equal,
                    });
                assert_eq!(a.cmp(&b), rpm, "{a:?} {b:?}");
            }
        }
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
