//! Alpine versions, ordered by apk-tools' rules (the Gentoo scheme):
//! `1.2.3` numbers, an optional letter, `_alpha`/`_beta`/`_pre`/`_rc`
//! suffixes before the release and `_cvs`/`_svn`/`_git`/`_hg`/`_p` after it,
//! an optional `~hash`, and a `-rN` revision.

use std::cmp::Ordering;

use super::{Skew, cmp_digits, is_digits, release_skew};

/// A parsed apk version.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ApkVersion<'a> {
    nums: Vec<&'a str>,
    letter: Option<u8>,
    /// (rank, number): rank below 0 before the release, above 0 after it.
    suffixes: Vec<(i8, &'a str)>,
    revision: &'a str,
}

const SUFFIXES: [(&str, i8); 9] = [
    ("alpha", -4),
    ("beta", -3),
    ("pre", -2),
    ("rc", -1),
    ("cvs", 1),
    ("svn", 2),
    ("git", 3),
    ("hg", 4),
    ("p", 5),
];

impl<'a> ApkVersion<'a> {
    fn parse(text: &'a str) -> Option<ApkVersion<'a>> {
        let t = text.trim();
        let (t, revision) = match t.rsplit_once("-r") {
            Some((v, r)) if is_digits(r) => (v, r),
            _ => (t, "0"),
        };
        let t = match t.split_once('~') {
            Some((v, hash)) if hash.bytes().all(|c| c.is_ascii_hexdigit()) => v,
            Some(_) => return None,
            None => t,
        };
        let end = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (head, mut rest) = t.split_at(end);
        let nums: Vec<&str> = head.split('.').collect();
        if !nums.iter().all(|n| is_digits(n)) {
            return None;
        }
        let mut letter = None;
        if let Some(c) = rest.bytes().next().filter(u8::is_ascii_lowercase) {
            letter = Some(c);
            rest = &rest[1..];
        }
        let mut suffixes = Vec::new();
        while let Some(r) = rest.strip_prefix('_') {
            let word_end = r.find(|c: char| !c.is_ascii_lowercase()).unwrap_or(r.len());
            let rank = SUFFIXES.iter().find(|(w, _)| *w == &r[..word_end])?.1;
            let r = &r[word_end..];
            let num_end = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            suffixes.push((rank, &r[..num_end]));
            rest = &r[num_end..];
        }
        if !rest.is_empty() {
            return None;
        }
        Some(ApkVersion {
            nums,
            letter,
            suffixes,
            revision,
        })
    }
}

/// Gentoo's rule for components after the first: one with a leading zero
/// compares as a decimal fraction (trailing zeros stripped), else as a number.
fn cmp_component(a: &str, b: &str) -> Ordering {
    if a.starts_with('0') || b.starts_with('0') {
        a.trim_end_matches('0').cmp(b.trim_end_matches('0'))
    } else {
        cmp_digits(a, b)
    }
}

impl Ord for ApkVersion<'_> {
    fn cmp(&self, o: &Self) -> Ordering {
        let mut ord = cmp_digits(self.nums[0], o.nums[0]);
        for (a, b) in self.nums.iter().zip(o.nums.iter()).skip(1) {
            ord = ord.then_with(|| cmp_component(a, b));
        }
        ord.then_with(|| self.nums.len().cmp(&o.nums.len()))
            .then_with(|| self.letter.cmp(&o.letter))
            .then_with(|| {
                let n = self.suffixes.len().max(o.suffixes.len());
                (0..n)
                    .map(|i| match (self.suffixes.get(i), o.suffixes.get(i)) {
                        (Some(a), Some(b)) => a.0.cmp(&b.0).then_with(|| cmp_digits(a.1, b.1)),
                        (Some(a), None) => a.0.cmp(&0),
                        (None, Some(b)) => 0.cmp(&b.0),
                        (None, None) => Ordering::Equal,
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            })
            .then_with(|| cmp_digits(self.revision, o.revision))
    }
}

impl PartialOrd for ApkVersion<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

pub(super) fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(ApkVersion::parse(a)?.cmp(&ApkVersion::parse(b)?))
}

pub(super) fn skew(a: &str, b: &str) -> Option<Skew> {
    let (a, b) = (ApkVersion::parse(a)?, ApkVersion::parse(b)?);
    if a.cmp(&b).is_eq() {
        return None;
    }
    if let Some(s) = release_skew(&a.nums, &b.nums) {
        return Some(s);
    }
    let pre = |v: &ApkVersion<'_>| v.suffixes.iter().any(|s| s.0 < 0);
    if a.letter == b.letter && a.suffixes != b.suffixes && (pre(&a) || pre(&b)) {
        return Some(Skew::Prerelease);
    }
    Some(Skew::Patch)
}

#[cfg(test)]
mod tests {
    use super::super::{Skew, compare, skew};
    use std::cmp::Ordering::*;

    #[test]
    fn ordering() {
        let chain = [
            "1.0_alpha1",
            "1.0_beta",
            "1.0_pre2",
            "1.0_rc1",
            "1.0",
            "1.0-r1",
            "1.0-r10",
            "1.0_p1",
            "1.0a",
            "1.0.1",
            "1.1",
            "1.10",
        ];
        for w in chain.windows(2) {
            assert_eq!(compare("apk", w[0], w[1]), Some(Less), "{w:?}");
            assert_eq!(compare("apk", w[1], w[0]), Some(Greater), "{w:?}");
        }
        assert_eq!(compare("apk", "1.01", "1.1"), Some(Less));
        assert_eq!(compare("apk", "1.2.3~abc123-r0", "1.2.3"), Some(Equal));
        assert_eq!(compare("apk", "3.1.4-r5", "3.1.4-r6"), Some(Less));
        assert_eq!(compare("apk", "latest", "1.0"), None);
        assert_eq!(compare("apk", "1.0_foo", "1.0"), None);
    }

    #[test]
    fn skews() {
        assert_eq!(skew("apk", "3.1.4-r5", "3.1.4-r6"), Skew::Patch);
        assert_eq!(skew("apk", "3.1.4-r5", "3.2.0-r0"), Skew::Minor);
        assert_eq!(skew("apk", "1.0_rc1", "1.0"), Skew::Prerelease);
        assert_eq!(skew("apk", "1.1.1t-r0", "1.1.1u-r0"), Skew::Patch);
    }
}
