//! PEP 440 versions (PyPI), with the standard's normalisation of spellings,
//! and Composer versions ordered by the same stability rules.

use std::cmp::Ordering;

use super::{Skew, caret_skew, cmp_digits, release_skew};

/// A pre-release phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum PreKind {
    /// `a`, `alpha`.
    Alpha,
    /// `b`, `beta`.
    Beta,
    /// `rc`, `c`, `pre`, `preview`.
    Rc,
}

/// One segment of a local version (`ubuntu` and `1` of `+ubuntu.1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum LocalPart {
    /// A number (sorts after any text).
    Num(String),
    /// Lower-cased text.
    Text(String),
}

/// A parsed PEP 440 version. Numbers are digit text without leading zeros
/// (`""` is zero), so that no size overflows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pep440Version {
    /// The epoch (`"1"` of `1!2.0`).
    pub epoch: String,
    /// The release numbers.
    pub release: Vec<String>,
    /// The pre-release phase and number.
    pub pre: Option<(PreKind, String)>,
    /// The post-release number.
    pub post: Option<String>,
    /// The dev-release number.
    pub dev: Option<String>,
    /// The local version segments.
    pub local: Vec<LocalPart>,
}

/// A cursor over lower-cased ASCII text.
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn digits(&mut self) -> Option<String> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        (self.i > start).then(|| norm(&self.s[start..self.i]))
    }

    fn separator(&mut self) -> bool {
        if matches!(self.peek(), Some(b'.' | b'-' | b'_')) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Consumes the first of `words` found here (longest first in `words`).
    fn word(&mut self, words: &[&str]) -> Option<usize> {
        let rest = &self.s[self.i..];
        let k = words.iter().position(|w| rest.starts_with(w.as_bytes()))?;
        self.i += words[k].len();
        Some(k)
    }

    /// Tries `f`; restores the position when it fails.
    fn attempt<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let at = self.i;
        let r = f(self);
        if r.is_none() {
            self.i = at;
        }
        r
    }
}

fn norm(digits: &[u8]) -> String {
    let s = String::from_utf8_lossy(digits);
    s.trim_start_matches('0').to_owned()
}

impl Pep440Version {
    /// Parses `text`; `None` when it is not a PEP 440 version.
    pub(super) fn parse(text: &str) -> Option<Pep440Version> {
        let lower = text.trim().to_ascii_lowercase();
        let mut c = Cursor {
            s: lower.as_bytes(),
            i: 0,
        };
        if c.peek() == Some(b'v') {
            c.i += 1;
        }
        let first = c.digits()?;
        let (epoch, first) = if c.peek() == Some(b'!') {
            c.i += 1;
            (first, c.digits()?)
        } else {
            (String::new(), first)
        };
        let mut release = vec![first];
        while let Some(n) = c.attempt(|c| {
            (c.peek() == Some(b'.')).then_some(())?;
            c.i += 1;
            c.digits()
        }) {
            release.push(n);
        }
        let pre = c.attempt(|c| {
            c.separator();
            let kind = match c.word(&["alpha", "a", "beta", "b", "preview", "pre", "rc", "c"])? {
                0 | 1 => PreKind::Alpha,
                2 | 3 => PreKind::Beta,
                _ => PreKind::Rc,
            };
            // The separator may stand without a number (`1.0b.`).
            c.separator();
            let n = c.digits();
            Some((kind, n.unwrap_or_default()))
        });
        let post = c
            .attempt(|c| {
                (c.peek() == Some(b'-')).then_some(())?;
                c.i += 1;
                c.digits()
            })
            .or_else(|| {
                c.attempt(|c| {
                    c.separator();
                    c.word(&["post", "rev", "r"])?;
                    c.separator();
                    let n = c.digits();
                    Some(n.unwrap_or_default())
                })
            });
        let dev = c.attempt(|c| {
            c.separator();
            c.word(&["dev"])?;
            // The separator may stand without a number (`1.0b.`).
            c.separator();
            let n = c.digits();
            Some(n.unwrap_or_default())
        });
        let mut local = Vec::new();
        if c.peek() == Some(b'+') {
            c.i += 1;
            let rest = std::str::from_utf8(&c.s[c.i..]).ok()?;
            for part in rest.split(['.', '-', '_']) {
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return None;
                }
                local.push(if part.bytes().all(|b| b.is_ascii_digit()) {
                    LocalPart::Num(norm(part.as_bytes()))
                } else {
                    LocalPart::Text(part.to_owned())
                });
            }
            c.i = c.s.len();
        }
        if c.i != c.s.len() {
            return None;
        }
        Some(Pep440Version {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }

    fn release_trimmed(&self) -> &[String] {
        let end = self
            .release
            .iter()
            .rposition(|n| !n.is_empty())
            .map_or(0, |i| i + 1);
        &self.release[..end]
    }
}

/// A sort key part with infinities, as the `packaging` library orders them.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key<T> {
    Low,
    Val(T),
    High,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Num<'a>(usize, &'a str);

fn num(s: &str) -> Num<'_> {
    Num(s.len(), s)
}

fn pre_key(v: &Pep440Version) -> Key<(PreKind, Num<'_>)> {
    match &v.pre {
        None if v.post.is_none() && v.dev.is_some() => Key::Low,
        None => Key::High,
        Some((k, n)) => Key::Val((*k, num(n))),
    }
}

fn post_key(v: &Pep440Version) -> Key<Num<'_>> {
    v.post.as_deref().map_or(Key::Low, |n| Key::Val(num(n)))
}

fn dev_key(v: &Pep440Version) -> Key<Num<'_>> {
    v.dev.as_deref().map_or(Key::High, |n| Key::Val(num(n)))
}

impl Ord for Pep440Version {
    fn cmp(&self, o: &Self) -> Ordering {
        cmp_digits(&self.epoch, &o.epoch)
            .then_with(|| {
                let (a, b) = (self.release_trimmed(), o.release_trimmed());
                a.iter().map(|s| num(s)).cmp(b.iter().map(|s| num(s)))
            })
            .then_with(|| pre_key(self).cmp(&pre_key(o)))
            .then_with(|| post_key(self).cmp(&post_key(o)))
            .then_with(|| dev_key(self).cmp(&dev_key(o)))
            .then_with(|| cmp_local(&self.local, &o.local))
    }
}

/// Local versions: none sorts first; numeric segments after text ones;
/// a shorter list first when it is a prefix.
fn cmp_local(a: &[LocalPart], b: &[LocalPart]) -> Ordering {
    for (x, y) in a.iter().zip(b.iter()) {
        let o = match (x, y) {
            (LocalPart::Num(x), LocalPart::Num(y)) => cmp_digits(x, y),
            (LocalPart::Num(_), LocalPart::Text(_)) => Ordering::Greater,
            (LocalPart::Text(_), LocalPart::Num(_)) => Ordering::Less,
            (LocalPart::Text(x), LocalPart::Text(y)) => x.cmp(y),
        };
        if o.is_ne() {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

impl PartialOrd for Pep440Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

pub(super) fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Pep440Version::parse(a)?.cmp(&Pep440Version::parse(b)?))
}

pub(super) fn skew(a: &str, b: &str) -> Option<Skew> {
    skew_of(&Pep440Version::parse(a)?, &Pep440Version::parse(b)?, false)
}

fn skew_of(a: &Pep440Version, b: &Pep440Version, caret: bool) -> Option<Skew> {
    if cmp_digits(&a.epoch, &b.epoch).is_ne() {
        return Some(Skew::Major);
    }
    let ra: Vec<&str> = a.release.iter().map(|s| norm_zero(s)).collect();
    let rb: Vec<&str> = b.release.iter().map(|s| norm_zero(s)).collect();
    let release = if caret {
        caret_skew(&ra, &rb)
    } else {
        release_skew(&ra, &rb)
    };
    if release.is_some() {
        return release;
    }
    if a.post != b.post {
        return Some(Skew::Patch);
    }
    if a.pre != b.pre || a.dev != b.dev || a.local != b.local {
        return Some(Skew::Prerelease);
    }
    None
}

fn norm_zero(s: &str) -> &str {
    if s.is_empty() { "0" } else { s }
}

/// Composer's spelling turned into PEP 440's: `stable` dropped, `patch`,
/// `pl` and `p` as post-releases. Branch versions (`dev-main`, `1.x-dev`)
/// are not versions.
fn composer_to_pep440(text: &str) -> Option<String> {
    let t = text.trim().to_ascii_lowercase();
    if t.starts_with("dev-") || t.contains(".x") || t.contains('*') {
        return None;
    }
    let t = t.strip_prefix('v').unwrap_or(&t);
    let alpha = t.find(|c: char| c.is_ascii_alphabetic());
    let Some(at) = alpha else {
        return Some(t.to_owned());
    };
    let (head, tail) = t.split_at(at);
    let word_end = tail
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(tail.len());
    let (word, rest) = tail.split_at(word_end);
    let word = match word {
        "stable" => "",
        "patch" | "pl" | "p" => "post",
        w => w,
    };
    let head = if word.is_empty() {
        head.trim_end_matches(['-', '.', '_'])
    } else {
        head
    };
    Some(format!("{head}{word}{rest}"))
}

pub(super) fn compare_composer(a: &str, b: &str) -> Option<Ordering> {
    let a = Pep440Version::parse(&composer_to_pep440(a)?)?;
    let b = Pep440Version::parse(&composer_to_pep440(b)?)?;
    Some(a.cmp(&b))
}

pub(super) fn skew_composer(a: &str, b: &str) -> Option<Skew> {
    let a = Pep440Version::parse(&composer_to_pep440(a)?)?;
    let b = Pep440Version::parse(&composer_to_pep440(b)?)?;
    skew_of(&a, &b, true)
}

#[cfg(test)]
mod tests {
    use super::super::{Skew, compare, skew};
    use std::cmp::Ordering::*;

    #[test]
    fn pep440_ordering_example() {
        // The order given in PEP 440's summary of permitted suffixes.
        let chain = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ];
        for w in chain.windows(2) {
            assert_eq!(compare("pep440", w[0], w[1]), Some(Less), "{w:?}");
            assert_eq!(compare("pep440", w[1], w[0]), Some(Greater), "{w:?}");
        }
    }

    #[test]
    fn spellings_and_trailing_zeros_normalise() {
        for (a, b) in [
            ("1.0", "1.0.0"),
            ("1.0", "v1.0"),
            ("1.0ALPHA1", "1.0a1"),
            ("1.0-beta.2", "1.0b2"),
            ("1.0c1", "1.0rc1"),
            ("1.0-preview-1", "1.0rc1"),
            ("1.0-1", "1.0.post1"),
            ("1.0.rev1", "1.0.post1"),
            ("1.0post", "1.0.post0"),
            ("1.0-dev", "1.0.dev0"),
            ("01.002", "1.2"),
            ("0!1.0", "1.0"),
            ("1.0+Ubuntu-1", "1.0+ubuntu.1"),
        ] {
            assert_eq!(compare("pep440", a, b), Some(Equal), "{a} {b}");
        }
    }

    #[test]
    fn epochs_dominate() {
        assert_eq!(compare("pep440", "1!0.1", "2024.1"), Some(Greater));
        assert_eq!(skew("pep440", "1!0.1", "0.1"), Skew::Major);
    }

    #[test]
    fn skews() {
        assert_eq!(skew("pep440", "2.31.0", "2.32.3"), Skew::Minor);
        assert_eq!(skew("pep440", "2.31.0", "2.31.1"), Skew::Patch);
        assert_eq!(skew("pep440", "2.31.0", "2.31.0.post1"), Skew::Patch);
        assert_eq!(skew("pep440", "2.31.0rc1", "2.31.0"), Skew::Prerelease);
        assert_eq!(skew("pep440", "2.31.0", "2.31.0+local"), Skew::Prerelease);
        assert_eq!(skew("pep440", "0.3", "0.4"), Skew::Minor);
        assert_eq!(skew("pep440", "1.0", "1.0.0"), Skew::Other);
    }

    #[test]
    fn nonsense_is_not_ordered() {
        for bad in [
            "", "latest", "1.0+", "1.0+a..b", "1.0 foo", "1.0-", "!1.0", "1.0.x",
        ] {
            assert_eq!(compare("pep440", bad, "1.0"), None, "{bad}");
        }
    }

    #[test]
    fn composer_stability_order() {
        let chain = [
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-beta2",
            "1.0.0-RC1",
            "1.0.0",
            "1.0.0-patch1",
            "v1.0.1",
        ];
        for w in chain.windows(2) {
            assert_eq!(compare("composer", w[0], w[1]), Some(Less), "{w:?}");
        }
        assert_eq!(compare("composer", "v6.3.2", "6.3.2"), Some(Equal));
        assert_eq!(compare("composer", "1.0.0-stable", "1.0.0"), Some(Equal));
        assert_eq!(compare("composer", "dev-main", "1.0.0"), None);
        assert_eq!(compare("composer", "2.x-dev", "2.1.0"), None);
        assert_eq!(skew("composer", "0.3.0", "0.4.0"), Skew::Major);
        assert_eq!(skew("composer", "v6.3.2", "v6.4.0"), Skew::Minor);
        assert_eq!(skew("composer", "1.2.3.4", "1.2.3.5"), Skew::Patch);
    }
}
