//! Debian versions, `[epoch:]upstream[-revision]`, ordered exactly as dpkg
//! orders them (`lib/dpkg/version.c`: `verrevcmp`).

use std::cmp::Ordering;

use super::{Skew, cmp_digits, numeric_prefix, release_skew};

/// A parsed Debian version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DebVersion<'a> {
    /// The epoch digits (`""` when absent, which is 0).
    pub epoch: &'a str,
    /// The upstream version.
    pub upstream: &'a str,
    /// The Debian revision (`""` when absent).
    pub revision: &'a str,
}

impl<'a> DebVersion<'a> {
    /// Parses `text` with dpkg's rules (`parseversion`); `None` for what
    /// dpkg rejects: empty parts, embedded spaces, a non-numeric epoch, an
    /// empty revision after `-`, characters outside the allowed set.
    pub(super) fn parse(text: &'a str) -> Option<DebVersion<'a>> {
        let t = text.trim();
        if t.is_empty() || t.contains(char::is_whitespace) {
            return None;
        }
        let (epoch, rest) = match t.split_once(':') {
            Some((e, r)) => {
                if e.is_empty() || !e.bytes().all(|c| c.is_ascii_digit()) || e.len() > 10 {
                    return None;
                }
                // dpkg refuses epochs above INT_MAX.
                if e.parse::<u64>().ok()? > i32::MAX as u64 {
                    return None;
                }
                (e, r)
            }
            None => ("", t),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((u, r)) => {
                if r.is_empty() {
                    return None;
                }
                (u, r)
            }
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return None;
        }
        let ok_upstream = upstream
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b".-+~:".contains(&c));
        let ok_revision = revision
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b".+~".contains(&c));
        if !ok_upstream || !ok_revision {
            return None;
        }
        Some(DebVersion {
            epoch,
            upstream,
            revision,
        })
    }
}

impl Ord for DebVersion<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(self.epoch, other.epoch)
            .then_with(|| verrevcmp(self.upstream, other.upstream))
            .then_with(|| verrevcmp(self.revision, other.revision))
    }
}

impl PartialOrd for DebVersion<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// dpkg's character weight: digits 0, letters themselves, `~` below
/// everything (even the end of the string), other characters above letters.
fn order(c: u8) -> i32 {
    if c.is_ascii_digit() {
        0
    } else if c.is_ascii_alphabetic() {
        i32::from(c)
    } else if c == b'~' {
        -1
    } else if c != 0 {
        i32::from(c) + 256
    } else {
        0
    }
}

/// dpkg's `verrevcmp`, with digit runs compared at any length.
pub(crate) fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let at = |s: &[u8], i: usize| s.get(i).copied().unwrap_or(0);
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let (ac, bc) = (order(at(a, i)), order(at(b, j)));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        let si = i;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        let sj = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        // Both slices are ASCII digits.
        let x = std::str::from_utf8(&a[si..i]).unwrap_or("");
        let y = std::str::from_utf8(&b[sj..j]).unwrap_or("");
        let o = cmp_digits(x, y);
        if o.is_ne() {
            return o;
        }
    }
    Ordering::Equal
}

pub(super) fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(DebVersion::parse(a)?.cmp(&DebVersion::parse(b)?))
}

pub(super) fn skew(a: &str, b: &str) -> Option<Skew> {
    let (a, b) = (DebVersion::parse(a)?, DebVersion::parse(b)?);
    if cmp_digits(a.epoch, b.epoch).is_ne() {
        return Some(Skew::Major);
    }
    if let Some(s) = upstream_skew(a.upstream, b.upstream, verrevcmp) {
        return Some(s);
    }
    // Same epoch, equal upstream: only the revision can still differ.
    a.cmp(&b).is_ne().then_some(Skew::Patch)
}

/// The skew of two upstream versions (shared by deb, rpm and apk): the
/// numeric components first; then a remaining difference is a pre-release
/// when a `~` is involved, else a patch; `None` when they order as equal.
pub(super) fn upstream_skew(a: &str, b: &str, cmp: fn(&str, &str) -> Ordering) -> Option<Skew> {
    if cmp(a, b).is_eq() {
        return None;
    }
    let (na, _) = numeric_prefix(a);
    let (nb, _) = numeric_prefix(b);
    if na.is_empty() || nb.is_empty() {
        return Some(Skew::Other);
    }
    if let Some(s) = release_skew(&na, &nb) {
        return Some(s);
    }
    Some(if a.contains('~') || b.contains('~') {
        Skew::Prerelease
    } else {
        Skew::Patch
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Skew, compare, skew};
    use std::cmp::Ordering::*;

    #[test]
    fn tilde_sorts_before_everything() {
        let chain = ["1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a", "1.0+b1", "1.0.1"];
        for w in chain.windows(2) {
            assert_eq!(compare("deb", w[0], w[1]), Some(Less), "{w:?}");
            assert_eq!(compare("deb", w[1], w[0]), Some(Greater), "{w:?}");
        }
        assert_eq!(compare("deb", "2.36.1~rc1-1", "2.36.1-1"), Some(Less));
        assert_eq!(compare("deb", "3.0.11-1~deb12u1", "3.0.11-1"), Some(Less));
        assert_eq!(
            compare("deb", "3.0.11-1~deb12u2", "3.0.11-1~deb12u1"),
            Some(Greater)
        );
    }

    #[test]
    fn epochs_and_revisions() {
        assert_eq!(compare("deb", "1:1.0", "2.0"), Some(Greater));
        assert_eq!(compare("deb", "0:1.0", "1.0"), Some(Equal));
        assert_eq!(compare("deb", "1.0", "1.0-0"), Some(Equal));
        assert_eq!(compare("deb", "1.0-1", "1.0-1.1"), Some(Less));
        assert_eq!(compare("deb", "1.0-10", "1.0-9"), Some(Greater));
        // The last hyphen splits the revision; upstream may hold hyphens.
        assert_eq!(compare("deb", "1.0-rc-1", "1.0-rc-2"), Some(Less));
        assert_eq!(compare("deb", "1:2.3-4:5", "1:2.3-4"), None);
    }

    #[test]
    fn leading_zeros_and_long_numbers() {
        assert_eq!(compare("deb", "1.001", "1.1"), Some(Equal));
        assert_eq!(compare("deb", "1.0010", "1.9"), Some(Greater));
        assert_eq!(
            compare("deb", "20240101000000000000001", "20240101000000000000000"),
            Some(Greater)
        );
    }

    #[test]
    fn dpkg_rejects_are_unordered() {
        for bad in [
            "",
            "a b",
            "x:1.0",
            "1:",
            "1.0-",
            "1.0_1",
            "1.0-a_b",
            ":1.0",
            "99999999999:1",
        ] {
            assert_eq!(compare("deb", bad, "1.0"), None, "{bad:?}");
        }
    }

    #[test]
    fn skews() {
        assert_eq!(
            skew("deb", "3.0.11-1~deb12u1", "3.0.11-1~deb12u2"),
            Skew::Patch
        );
        assert_eq!(skew("deb", "3.0.11-1", "3.0.19-1"), Skew::Patch);
        assert_eq!(skew("deb", "3.0.11-1", "3.1.0-1"), Skew::Minor);
        assert_eq!(skew("deb", "1.1.1n-0+deb11u5", "3.0.11-1"), Skew::Major);
        assert_eq!(skew("deb", "1:1.0-1", "1.0-1"), Skew::Major);
        assert_eq!(skew("deb", "2.36.1~rc1-1", "2.36.1-1"), Skew::Prerelease);
        assert_eq!(skew("deb", "1.2.3", "1.2.3+dfsg-1"), Skew::Patch);
        assert_eq!(skew("deb", "1.0", "1.0-0"), Skew::Other);
        assert_eq!(skew("deb", "git20190101", "git20200101"), Skew::Other);
    }
}
