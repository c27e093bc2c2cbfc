//! RubyGems versions, ordered as `Gem::Version#<=>` orders them.

use std::cmp::Ordering;

use super::{Skew, cmp_digits, is_zero, release_skew};

/// One segment of a gem version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum GemSegment<'a> {
    /// Digits.
    Num(&'a str),
    /// Letters (a pre-release marker).
    Text(&'a str),
}

/// A parsed gem version: its segments (`1.0.0.pre.rc1` → `1 0 0 pre rc 1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct GemVersion<'a> {
    /// All segments as written.
    pub segments: Vec<GemSegment<'a>>,
}

impl<'a> GemVersion<'a> {
    /// Parses `text` with RubyGems' pattern
    /// (`[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`).
    pub(super) fn parse(text: &'a str) -> Option<GemVersion<'a>> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let (main, pre) = match t.split_once('-') {
            Some((m, p)) => (m, Some(p)),
            None => (t, None),
        };
        let mut parts = main.split('.');
        let first = parts.next()?;
        if first.is_empty() || !first.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if !parts.all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphanumeric())) {
            return None;
        }
        if let Some(p) = pre
            && !p
                .split('.')
                .all(|s| !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
        {
            return None;
        }
        // Every `-` stands for `.pre.` (RubyGems rewrites them all before
        // splitting), and `scan(/[0-9]+|[a-z]+/i)` splits the rest.
        let mut segments = Vec::new();
        scan(t, &mut segments);
        Some(GemVersion { segments })
    }

    /// The segments without trailing zeros of the numeric and the string
    /// part (`Gem::Version#canonical_segments`).
    fn canonical(&self) -> Vec<&GemSegment<'a>> {
        fn trim<'s, 'a>(part: &'s [GemSegment<'a>]) -> &'s [GemSegment<'a>] {
            let end = part
                .iter()
                .rposition(|s| !matches!(s, GemSegment::Num(n) if is_zero(n)))
                .map_or(0, |i| i + 1);
            &part[..end]
        }
        let split = self
            .segments
            .iter()
            .position(|s| matches!(s, GemSegment::Text(_)))
            .unwrap_or(self.segments.len());
        let (nums, rest) = self.segments.split_at(split);
        trim(nums).iter().chain(trim(rest).iter()).collect()
    }

    fn numeric_release(&self) -> Vec<&'a str> {
        self.segments
            .iter()
            .map_while(|s| match s {
                GemSegment::Num(n) => Some(*n),
                GemSegment::Text(_) => None,
            })
            .collect()
    }
}

/// Splits `s` into digit and letter runs; each `-` is a `pre` segment.
fn scan<'a>(s: &'a str, out: &mut Vec<GemSegment<'a>>) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        if b[i].is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            out.push(GemSegment::Num(&s[start..i]));
        } else if b[i].is_ascii_alphabetic() {
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(GemSegment::Text(&s[start..i]));
        } else {
            if b[i] == b'-' {
                out.push(GemSegment::Text("pre"));
            }
            i += 1;
        }
    }
}

impl Ord for GemVersion<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.canonical(), other.canonical());
        let zero = GemSegment::Num("0");
        for i in 0..a.len().max(b.len()) {
            let x = a.get(i).copied().unwrap_or(&zero);
            let y = b.get(i).copied().unwrap_or(&zero);
            let o = match (x, y) {
                (GemSegment::Num(x), GemSegment::Num(y)) => cmp_digits(x, y),
                (GemSegment::Text(_), GemSegment::Num(_)) => Ordering::Less,
                (GemSegment::Num(_), GemSegment::Text(_)) => Ordering::Greater,
                (GemSegment::Text(x), GemSegment::Text(y)) => x.cmp(y),
            };
            if o.is_ne() {
                return o;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

pub(super) fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(GemVersion::parse(a)?.cmp(&GemVersion::parse(b)?))
}

pub(super) fn skew(a: &str, b: &str) -> Option<Skew> {
    let (a, b) = (GemVersion::parse(a)?, GemVersion::parse(b)?);
    if let Some(s) = release_skew(&a.numeric_release(), &b.numeric_release()) {
        return Some(s);
    }
    a.cmp(&b).is_ne().then_some(Skew::Prerelease)
}

#[cfg(test)]
mod tests {
    use super::super::{Skew, compare, skew};
    use std::cmp::Ordering::*;

    #[test]
    fn ordering() {
        let chain = [
            "1.0.0.a",
            "1.0.0.alpha.1",
            "1.0.0.b1",
            "1.0.0.pre",
            "1.0.0.rc1",
            "1.0.0.rc2",
            "1.0.0",
            "1.0.1",
            "1.1",
            "1.10",
        ];
        for w in chain.windows(2) {
            assert_eq!(compare("gem", w[0], w[1]), Some(Less), "{w:?}");
            assert_eq!(compare("gem", w[1], w[0]), Some(Greater), "{w:?}");
        }
        assert_eq!(compare("gem", "1.0", "1.0.0"), Some(Equal));
        assert_eq!(compare("gem", "1.0.0-rc1", "1.0.0.pre.rc1"), Some(Equal));
        assert_eq!(compare("gem", "1.0.a2", "1.0.a10"), Some(Less));
        assert_eq!(compare("gem", "7.1.2", "7.0.8.4"), Some(Greater));
        assert_eq!(compare("gem", "x.1", "1"), None);
        assert_eq!(compare("gem", "1..2", "1"), None);
    }

    /// Every `-` is `.pre.`, not only the first: pairs as `Gem::Version#<=>`
    /// orders them (`Gem::Version.new(a) <=> Gem::Version.new(b)`).
    #[test]
    fn every_dash_is_a_pre_release_marker() {
        let table = [
            ("2.0.0-rc-1", "2.0.0-rc.1", Less),
            ("1.0-a-b", "1.0-a.c", Greater),
            ("1.0-a-b", "1.0.pre.a.pre.b", Equal),
            ("2.0.0-rc-1", "2.0.0.pre.rc.pre.1", Equal),
            ("1.0-a-1", "1.0-a1", Less),
            ("1.0-rc1", "1.0.pre.rc1", Equal),
            ("1.0-rc1-2", "1.0-rc1", Less),
            ("1-a-b-c", "1-a-b", Less),
            ("1.0--a", "1.0.pre.pre.a", Equal),
            ("1.0-1-1", "1.0-1.1", Less),
            ("1.0-1", "1.0", Less),
        ];
        for (a, b, want) in table {
            assert_eq!(compare("gem", a, b), Some(want), "{a} <=> {b}");
            assert_eq!(compare("gem", b, a), Some(want.reverse()), "{b} <=> {a}");
        }
    }

    #[test]
    fn skews() {
        assert_eq!(skew("gem", "7.0.8.4", "7.1.2"), Skew::Minor);
        assert_eq!(skew("gem", "7.0.8.4", "7.0.8.5"), Skew::Patch);
        assert_eq!(skew("gem", "7.1.0.rc1", "7.1.0"), Skew::Prerelease);
        assert_eq!(skew("gem", "1.0", "1.0.0"), Skew::Other);
    }
}
