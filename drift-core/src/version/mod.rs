//! Version ordering by each ecosystem's own rules, and skew classes.
//!
//! The diff engine asks two things of two versions of one scheme: which is
//! newer ([`compare`]), and how far apart they are ([`skew`]).

use std::cmp::Ordering;

/// How far apart two versions are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Skew {
    /// Only a pre-release or build tag differs.
    Prerelease,
    /// The patch (third) component differs.
    Patch,
    /// The minor (second) component differs.
    Minor,
    /// The major (first) component differs, or a breaking 0.x minor.
    Major,
    /// Not comparable by components (different shapes, unparsable).
    Other,
}

impl Skew {
    /// The name used in reports and policies.
    pub fn as_str(self) -> &'static str {
        match self {
            Skew::Prerelease => "prerelease",
            Skew::Patch => "patch",
            Skew::Minor => "minor",
            Skew::Major => "major",
            Skew::Other => "other",
        }
    }
}

impl std::fmt::Display for Skew {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Orders two versions of `scheme`; `None` when they cannot be ordered.
pub fn compare(scheme: &str, a: &str, b: &str) -> Option<Ordering> {
    let _ = scheme;
    generic::compare(a, b)
}

/// The skew class between two versions of `scheme`.
pub fn skew(scheme: &str, a: &str, b: &str) -> Skew {
    let _ = scheme;
    generic::skew(a, b)
}

mod generic {
    //! Dotted numeric versions with an optional suffix, for schemes without
    //! rules of their own.

    use super::Skew;
    use std::cmp::Ordering;

    fn parts(v: &str) -> (Vec<u64>, &str) {
        let v = v.trim().trim_start_matches(['v', 'V']);
        let end = v
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(v.len());
        let nums = v[..end]
            .split('.')
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        (nums, &v[end..])
    }

    pub(super) fn compare(a: &str, b: &str) -> Option<Ordering> {
        let (na, sa) = parts(a);
        let (nb, sb) = parts(b);
        if na.is_empty() || nb.is_empty() {
            return (a == b).then_some(Ordering::Equal);
        }
        let len = na.len().max(nb.len());
        for i in 0..len {
            let x = na.get(i).copied().unwrap_or(0);
            let y = nb.get(i).copied().unwrap_or(0);
            match x.cmp(&y) {
                Ordering::Equal => {}
                other => return Some(other),
            }
        }
        // A suffix marks a pre-release: 1.0-rc1 < 1.0.
        Some(match (sa.is_empty(), sb.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => sa.cmp(sb),
        })
    }

    pub(super) fn skew(a: &str, b: &str) -> Skew {
        let (na, sa) = parts(a);
        let (nb, sb) = parts(b);
        if na.is_empty() || nb.is_empty() {
            return Skew::Other;
        }
        let at = |v: &Vec<u64>, i: usize| v.get(i).copied().unwrap_or(0);
        if at(&na, 0) != at(&nb, 0) {
            Skew::Major
        } else if at(&na, 1) != at(&nb, 1) {
            Skew::Minor
        } else if (2..na.len().max(nb.len())).any(|i| at(&na, i) != at(&nb, i)) {
            Skew::Patch
        } else if sa != sb {
            Skew::Prerelease
        } else {
            Skew::Other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_versions() {
        assert_eq!(
            compare("generic", "1.2.10", "1.2.9"),
            Some(Ordering::Greater)
        );
        assert_eq!(compare("generic", "1.0-rc1", "1.0"), Some(Ordering::Less));
        assert_eq!(skew("generic", "1.2.3", "1.3.0"), Skew::Minor);
        assert_eq!(skew("generic", "3.0.11", "3.0.19"), Skew::Patch);
        assert_eq!(skew("generic", "x", "y"), Skew::Other);
    }
}
