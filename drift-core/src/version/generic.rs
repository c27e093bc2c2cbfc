//! Dotted numeric versions with an optional suffix, for schemes without
//! rules of their own (runtimes, OS releases, kernels).
//!
//! A suffix that starts with `~` or a pre-release word (`alpha`, `beta`,
//! `rc`, `pre`, `preview`, `dev`, `snapshot`, after an optional separator)
//! sorts before the bare release: `1.21rc2` < `1.21`. Any other suffix sorts
//! after it: `1.1.1w` > `1.1.1`, `6.1.0-13-amd64` > `6.1.0`. Suffixes
//! compare with their digit runs as numbers.

use std::cmp::Ordering;

use super::{Skew, cmp_digits, numeric_prefix, release_skew};

struct Generic<'a> {
    nums: Vec<&'a str>,
    suffix: &'a str,
}

fn parse(v: &str) -> Option<Generic<'_>> {
    let v = v.trim();
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    if v.contains(char::is_whitespace) {
        return None;
    }
    let (nums, suffix) = numeric_prefix(v);
    if nums.is_empty() || !v.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some(Generic { nums, suffix })
}

const PRE_WORDS: [&str; 7] = ["alpha", "beta", "rc", "pre", "preview", "dev", "snapshot"];

fn is_pre(suffix: &str) -> bool {
    if suffix.starts_with('~') {
        return true;
    }
    let s = suffix
        .trim_start_matches(['-', '.', '_', '+'])
        .to_ascii_lowercase();
    PRE_WORDS.iter().any(|w| s.starts_with(w))
}

/// Natural order: digit runs as numbers, other runs as text.
fn natural(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (da, db) = (a[i].is_ascii_digit(), b[j].is_ascii_digit());
        let run = |s: &[u8], mut k: usize, digit: bool| {
            while k < s.len() && s[k].is_ascii_digit() == digit {
                k += 1;
            }
            k
        };
        let (ei, ej) = (run(a, i, da), run(b, j, db));
        let o = match (da, db) {
            (true, true) => cmp_digits(
                std::str::from_utf8(&a[i..ei]).unwrap_or(""),
                std::str::from_utf8(&b[j..ej]).unwrap_or(""),
            ),
            _ => a[i..ei].cmp(&b[j..ej]),
        };
        if o.is_ne() {
            return o;
        }
        (i, j) = (ei, ej);
    }
    (a.len() - i).cmp(&(b.len() - j))
}

pub(super) fn compare(a: &str, b: &str) -> Option<Ordering> {
    let (a, b) = (parse(a)?, parse(b)?);
    let len = a.nums.len().max(b.nums.len());
    for i in 0..len {
        let x = a.nums.get(i).copied().unwrap_or("0");
        let y = b.nums.get(i).copied().unwrap_or("0");
        let o = cmp_digits(x, y);
        if o.is_ne() {
            return Some(o);
        }
    }
    let rank = |s: &str| match (s.is_empty(), is_pre(s)) {
        (true, _) => 1,
        (false, true) => 0,
        (false, false) => 2,
    };
    Some(
        rank(a.suffix)
            .cmp(&rank(b.suffix))
            .then_with(|| natural(a.suffix, b.suffix)),
    )
}

pub(super) fn skew(a: &str, b: &str) -> Option<Skew> {
    let order = compare(a, b)?;
    let (a, b) = (parse(a)?, parse(b)?);
    if let Some(s) = release_skew(&a.nums, &b.nums) {
        return Some(s);
    }
    if order.is_eq() {
        return None;
    }
    Some(if is_pre(a.suffix) || is_pre(b.suffix) {
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
    fn ordering() {
        let chain = ["1.21rc2", "1.21", "1.21.0-1", "1.21.1", "1.1000"];
        for w in chain.windows(2) {
            assert_eq!(compare("generic", w[0], w[1]), Some(Less), "{w:?}");
            assert_eq!(compare("generic", w[1], w[0]), Some(Greater), "{w:?}");
        }
        assert_eq!(compare("generic", "1.1.1w", "1.1.1"), Some(Greater));
        assert_eq!(compare("generic", "1.1.1w", "1.1.1t"), Some(Greater));
        assert_eq!(compare("generic", "1.8.0_392", "1.8.0_99"), Some(Greater));
        assert_eq!(
            compare("generic", "5.15.0-1050-aws", "5.15.0-1047-aws"),
            Some(Greater)
        );
        assert_eq!(compare("generic", "1.0-beta", "1.0"), Some(Less));
        assert_eq!(compare("generic", "1.0~x", "1.0"), Some(Less));
        assert_eq!(compare("generic", "v2", "2.0.0"), Some(Equal));
        assert_eq!(compare("generic", "x", "y"), None);
        assert_eq!(compare("generic", "x", "x"), Some(Equal));
        assert_eq!(compare("unknown-scheme", "1.2.10", "1.2.9"), Some(Greater));
    }

    #[test]
    fn skews() {
        assert_eq!(skew("generic", "1.2.3", "1.3.0"), Skew::Minor);
        assert_eq!(skew("generic", "3.0.11", "3.0.19"), Skew::Patch);
        assert_eq!(skew("generic", "1.1.1t", "1.1.1w"), Skew::Patch);
        assert_eq!(skew("generic", "1.21rc2", "1.21.0"), Skew::Prerelease);
        assert_eq!(skew("generic", "x", "y"), Skew::Other);
        assert_eq!(skew("generic", "2", "2.0"), Skew::Other);
    }
}
