//! Version ordering by each ecosystem's own rules, and skew classes.
//!
//! The diff engine asks two things of two versions of one scheme: which is
//! newer ([`compare`]), and how far apart they are ([`skew`]).
//!
//! | scheme | used for | rules |
//! |---|---|---|
//! | `semver` | cargo, npm, node | [SemVer 2.0](https://semver.org): pre-releases before the release, build metadata ignored for ordering; a leading `v` is accepted |
//! | `pep440` | PyPI, python | [PEP 440](https://peps.python.org/pep-0440/): epochs, pre, post and dev releases, local versions, the standard's spelling variants |
//! | `deb` | dpkg | `[epoch:]upstream[-revision]` compared with dpkg's own algorithm (`~` sorts before everything, even the end) |
//! | `rpm` | rpm | `[epoch:]version[-release]` compared with `rpmvercmp` (`~` sorts before everything, `^` after the end) |
//! | `apk` | Alpine | apk-tools' rules: numbers, one letter, `_alpha`…`_p` suffixes, `-rN` revision |
//! | `gem` | RubyGems | `Gem::Version`: every `-` stands for `.pre.`, a letter makes a pre-release, trailing zeros do not count |
//! | `go` | Go modules | SemVer with a mandatory-in-practice `v`, `+incompatible`, pseudo-versions ordered by base and commit time |
//! | `composer` | Composer | PEP 440-like stability order (`dev` < `alpha` < `beta` < `RC` < stable < `patch`) |
//! | `generic` | everything else | dotted numbers, then a suffix: pre-release words and `~` before the release, anything else after |
//!
//! An unknown scheme name is ordered as `generic`. Nothing here panics on any
//! input: text a scheme cannot read gives `None` from [`compare`] (unless both
//! texts are identical) and [`Skew::Other`] from [`skew`].
//!
//! ## Skew classes
//!
//! [`skew`] names the most significant component that differs, by each
//! scheme's own components:
//!
//! - an epoch change (deb, rpm, pep440) is [`Skew::Major`];
//! - the first, second and any further numeric release components are
//!   [`Skew::Major`], [`Skew::Minor`] and [`Skew::Patch`];
//! - `semver`, `go` and `composer` follow the caret rule of cargo and npm:
//!   below 1.0.0 the first non-zero component is the breaking one, so
//!   `0.3.1` → `0.4.0` and `0.0.3` → `0.0.4` are [`Skew::Major`];
//! - a change of the distribution revision only (deb revision, rpm release,
//!   apk `-rN`), a post-release (`.post1`, rpm `^`, apk `_p`) or a letter
//!   suffix after the numbers (`1.1.1w`) is [`Skew::Patch`];
//! - a pre-release, dev-release, build-metadata or local-version difference
//!   only is [`Skew::Prerelease`];
//! - [`Skew::Other`]: unparsable text, versions without numeric components,
//!   or two spellings that order as equal (`1.0` and `1.0.0`).

use std::cmp::Ordering;

mod apk;
mod deb;
mod gem;
mod generic;
mod go;
mod pep440;
// `RpmVersion` is public to the fuzz target only (`fuzzing` below).
#[cfg_attr(not(feature = "fuzzing"), allow(unreachable_pub))]
mod rpm;

/// The fuzz targets' door to the parsed RPM version, whose `Ord` they check
/// for totality (docs/fuzzing.md). Test support only, outside the API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    pub use super::rpm::RpmVersion;
}
mod semver;

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

    /// Parses a skew name as written in policies (`patch`, `minor`, …).
    pub fn from_name(name: &str) -> Option<Skew> {
        Some(match name {
            "prerelease" => Skew::Prerelease,
            "patch" => Skew::Patch,
            "minor" => Skew::Minor,
            "major" => Skew::Major,
            "other" => Skew::Other,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Skew {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A version ordering scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// SemVer 2.0 (cargo, npm).
    Semver,
    /// PEP 440 (PyPI).
    Pep440,
    /// Debian (dpkg).
    Deb,
    /// RPM (rpmvercmp with epoch and release).
    Rpm,
    /// Alpine (apk-tools).
    Apk,
    /// RubyGems.
    Gem,
    /// Go modules, with pseudo-versions.
    Go,
    /// Composer (PHP).
    Composer,
    /// Dotted numbers with a suffix.
    Generic,
}

impl Scheme {
    /// Every scheme.
    pub const ALL: [Scheme; 9] = [
        Scheme::Semver,
        Scheme::Pep440,
        Scheme::Deb,
        Scheme::Rpm,
        Scheme::Apk,
        Scheme::Gem,
        Scheme::Go,
        Scheme::Composer,
        Scheme::Generic,
    ];

    /// The scheme's name as stored in [`crate::value::Version::scheme`].
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Semver => "semver",
            Scheme::Pep440 => "pep440",
            Scheme::Deb => "deb",
            Scheme::Rpm => "rpm",
            Scheme::Apk => "apk",
            Scheme::Gem => "gem",
            Scheme::Go => "go",
            Scheme::Composer => "composer",
            Scheme::Generic => "generic",
        }
    }

    /// The scheme of a name, `None` for an unknown one.
    pub fn from_name(name: &str) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Orders two versions; `None` when they cannot be ordered.
    pub fn compare(self, a: &str, b: &str) -> Option<Ordering> {
        self.strict_compare(a, b)
            .or_else(|| (a == b).then_some(Ordering::Equal))
    }

    /// Orders two versions the scheme can read, without the fallback for
    /// identical texts.
    fn strict_compare(self, a: &str, b: &str) -> Option<Ordering> {
        match self {
            Scheme::Semver => semver::compare(a, b),
            Scheme::Pep440 => pep440::compare(a, b),
            Scheme::Deb => deb::compare(a, b),
            Scheme::Rpm => rpm::compare(a, b),
            Scheme::Apk => apk::compare(a, b),
            Scheme::Gem => gem::compare(a, b),
            Scheme::Go => go::compare(a, b),
            Scheme::Composer => pep440::compare_composer(a, b),
            Scheme::Generic => generic::compare(a, b),
        }
    }

    /// The skew class between two versions.
    pub fn skew(self, a: &str, b: &str) -> Skew {
        let skew = match self {
            Scheme::Semver => semver::skew(a, b),
            Scheme::Pep440 => pep440::skew(a, b),
            Scheme::Deb => deb::skew(a, b),
            Scheme::Rpm => rpm::skew(a, b),
            Scheme::Apk => apk::skew(a, b),
            Scheme::Gem => gem::skew(a, b),
            Scheme::Go => go::skew(a, b),
            Scheme::Composer => pep440::skew_composer(a, b),
            Scheme::Generic => generic::skew(a, b),
        };
        skew.unwrap_or(Skew::Other)
    }

    /// Whether `text` is a version this scheme can order.
    pub fn is_valid(self, text: &str) -> bool {
        self.strict_compare(text, text).is_some()
    }
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Orders two versions of `scheme`; `None` when they cannot be ordered.
///
/// An unknown scheme name orders as `generic`. Identical texts are always
/// `Some(Equal)`.
///
/// ```
/// use std::cmp::Ordering;
/// use drift_core::version::compare;
/// assert_eq!(compare("deb", "1.0~rc1-1", "1.0-1"), Some(Ordering::Less));
/// assert_eq!(compare("pep440", "1.0.post1", "1.0"), Some(Ordering::Greater));
/// assert_eq!(compare("semver", "not a version", "1.0.0"), None);
/// ```
pub fn compare(scheme: &str, a: &str, b: &str) -> Option<Ordering> {
    scheme_of(scheme).compare(a, b)
}

/// The skew class between two versions of `scheme`.
///
/// ```
/// use drift_core::version::{skew, Skew};
/// assert_eq!(skew("deb", "3.0.11-1~deb12u1", "3.0.11-1~deb12u2"), Skew::Patch);
/// assert_eq!(skew("semver", "0.3.1", "0.4.0"), Skew::Major);
/// assert_eq!(skew("semver", "1.3.1", "1.4.0"), Skew::Minor);
/// ```
pub fn skew(scheme: &str, a: &str, b: &str) -> Skew {
    scheme_of(scheme).skew(a, b)
}

fn scheme_of(name: &str) -> Scheme {
    Scheme::from_name(name).unwrap_or(Scheme::Generic)
}

/// Compares two runs of ASCII digits as numbers of any length.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Whether a digit run is zero.
pub(crate) fn is_zero(a: &str) -> bool {
    a.bytes().all(|c| c == b'0')
}

/// Whether `s` is a non-empty run of ASCII digits.
pub(crate) fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

/// The skew of two numeric release lists (`[1, 2, 3]`), a missing component
/// counting as zero: `None` when they are numerically equal.
pub(crate) fn release_skew(a: &[&str], b: &[&str]) -> Option<Skew> {
    first_difference(a, b).map(|i| match i {
        0 => Skew::Major,
        1 => Skew::Minor,
        _ => Skew::Patch,
    })
}

/// Component `i`, zero when missing.
fn at<'a>(v: &[&'a str], i: usize) -> &'a str {
    v.get(i).copied().unwrap_or("0")
}

/// The index of the first numerically different component.
fn first_difference(a: &[&str], b: &[&str]) -> Option<usize> {
    (0..a.len().max(b.len())).find(|&i| cmp_digits(at(a, i), at(b, i)) != Ordering::Equal)
}

/// [`release_skew`] with the caret rule of cargo and npm: below 1.0.0 the
/// first non-zero component is the breaking one.
pub(crate) fn caret_skew(a: &[&str], b: &[&str]) -> Option<Skew> {
    let i = first_difference(a, b)?;
    // Components before `i` are equal, so checking `a` is enough.
    let breaking = (0..i).all(|j| is_zero(at(a, j))) && i <= 2;
    Some(match i {
        _ if breaking => Skew::Major,
        1 => Skew::Minor,
        _ => Skew::Patch,
    })
}

/// The leading dotted run of digits of `s` (`1.2.3` of `1.2.3+dfsg`), split,
/// and the rest.
pub(crate) fn numeric_prefix(s: &str) -> (Vec<&str>, &str) {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    // A trailing dot belongs to the rest (`1.2.` + `x`), so that it still
    // takes part in equality.
    let (head, rest) = s.split_at(end);
    let nums = head.split('.').filter(|p| !p.is_empty()).collect();
    (nums, rest)
}

#[cfg(test)]
mod tests;
