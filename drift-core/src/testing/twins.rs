//! One tester for every concern that has a fast path beside a reference
//! path, in the spirit of ripgrep's `SearcherTester`.
//!
//! A concern (reading a JSON config, reading a manifest, writing one…) has
//! one *reference* path, which reads everything and names every error, and
//! one or more *fast* paths, which read the common shapes quickly and
//! decline (`None`) the rest. [`Twins`] runs every input through every
//! path, asserts that each fast path that answers gives exactly what the
//! reference gives, and counts how many inputs each fast path accepted: a
//! fast path that declines everything would pass every differential check,
//! so [`Twins::assert_accepts`] also asserts how much it takes.
//!
//! The `reference-paths` cargo feature (of `drift-core` and
//! `drift-collectors`) turns every fast path off at its entry, so that the
//! whole test suite can run once through the reference paths only; under
//! it [`Twins::assert_accepts`] asserts that the fast paths accepted
//! nothing, which shows the switch really changes the path taken.
//!
//! ```
//! use drift_core::testing::twins::Twins;
//!
//! let mut twins = Twins::new("digits", "parse", |s: &str| s.parse::<u64>().ok())
//!     .fast("ascii", |s: &str| {
//!         (!s.is_empty() && s.len() < 10 && s.bytes().all(|b| b.is_ascii_digit()))
//!             .then(|| s.bytes().try_fold(0u64, |n, b| Some(n * 10 + u64::from(b - b'0'))))
//!     });
//! for input in ["12", "x", "007", ""] {
//!     twins.check(input, input);
//! }
//! twins.assert_accepts("ascii", 2, false);
//! ```

use std::fmt::Debug;
use std::path::{Path, PathBuf};

/// A path that may decline an input.
type Fast<'a, I, O> = Box<dyn Fn(&I) -> Option<O> + 'a>;

/// One fast path and its tally.
struct FastPath<'a, I: ?Sized, O> {
    name: &'static str,
    run: Fast<'a, I, O>,
    accepted: usize,
}

/// A concern's reference path and fast paths, and what they did so far.
pub struct Twins<'a, I: ?Sized, O> {
    concern: &'static str,
    reference_name: &'static str,
    reference: Box<dyn Fn(&I) -> O + 'a>,
    fast: Vec<FastPath<'a, I, O>>,
    inputs: usize,
}

impl<I: ?Sized, O> Twins<'_, I, O> {
    /// One line per fast path: accepted of checked.
    pub fn summary(&self) -> String {
        let mut s = format!("{} ({} inputs):", self.concern, self.inputs);
        for p in &self.fast {
            s.push_str(&format!(" {} accepted {};", p.name, p.accepted));
        }
        s
    }
}

impl<I: ?Sized, O> std::fmt::Debug for Twins<'_, I, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

impl<'a, I: ?Sized, O: PartialEq + Debug> Twins<'a, I, O> {
    /// A concern (`"json config"`) and its reference path.
    pub fn new(
        concern: &'static str,
        reference_name: &'static str,
        reference: impl Fn(&I) -> O + 'a,
    ) -> Twins<'a, I, O> {
        Twins {
            concern,
            reference_name,
            reference: Box::new(reference),
            fast: Vec::new(),
            inputs: 0,
        }
    }

    /// Adds a fast path: `None` when it declines the input.
    pub fn fast(mut self, name: &'static str, run: impl Fn(&I) -> Option<O> + 'a) -> Self {
        self.fast.push(FastPath {
            name,
            run: Box::new(run),
            accepted: 0,
        });
        self
    }

    /// Runs `input` (named `label` in failures) through every path and
    /// asserts that each fast path that answers gives what the reference
    /// gives. Returns the reference's answer.
    pub fn check(&mut self, label: impl std::fmt::Display, input: &I) -> O {
        let want = (self.reference)(input);
        for path in &mut self.fast {
            if let Some(got) = (path.run)(input) {
                path.accepted += 1;
                assert!(
                    got == want,
                    "{}: the {} path differs from the {} path on {label}\n  {}: {got:?}\n  {}: {want:?}",
                    self.concern,
                    path.name,
                    self.reference_name,
                    path.name,
                    self.reference_name,
                );
            }
        }
        self.inputs += 1;
        want
    }

    /// How many inputs were checked.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// How many inputs the fast path `name` accepted.
    ///
    /// # Panics
    ///
    /// When the concern has no fast path of that name.
    pub fn accepted(&self, name: &str) -> usize {
        match self.fast.iter().find(|p| p.name == name) {
            Some(p) => p.accepted,
            None => panic!("{}: no fast path named {name}", self.concern),
        }
    }

    /// Asserts that the fast path `name` accepted at least `at_least` of
    /// the inputs, or, when `reference_paths` (the caller's
    /// `cfg!(feature = "reference-paths")`), none at all.
    pub fn assert_accepts(&self, name: &str, at_least: usize, reference_paths: bool) {
        let accepted = self.accepted(name);
        if reference_paths {
            assert_eq!(
                accepted, 0,
                "{}: reference-paths is on, yet the {name} path accepted inputs",
                self.concern
            );
        } else {
            assert!(
                accepted >= at_least,
                "{}: the {name} path accepted {accepted} of {} inputs, expected at least {at_least}",
                self.concern,
                self.inputs
            );
        }
    }
}

/// The repository's `testdata` directory.
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

/// Every file under `root` (recursively, in path order) whose path
/// `matches`, with its bytes. Symbolic links are not followed.
pub fn fixtures(root: &Path, matches: impl Fn(&Path) -> bool) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(read) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in read.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                dirs.push(path);
            } else if kind.is_file()
                && matches(&path)
                && let Ok(bytes) = std::fs::read(&path)
            {
                out.push((path, bytes));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Whether `path`'s file name ends with one of `suffixes`.
pub fn named(path: &Path, suffixes: &[&str]) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| suffixes.iter().any(|s| n.ends_with(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "the bad path differs from the good path")]
    fn a_fast_path_that_disagrees_fails() {
        let mut t = Twins::new("x", "good", |n: &u32| n * 2).fast("bad", |n: &u32| Some(n + 2));
        t.check("1", &1);
        t.check("3", &3);
    }

    #[test]
    #[should_panic(expected = "accepted 0 of 2 inputs, expected at least 1")]
    fn a_fast_path_that_declines_everything_fails() {
        let mut t = Twins::new("x", "good", |n: &u32| n * 2).fast("lazy", |_: &u32| None);
        t.check("1", &1);
        t.check("2", &2);
        t.assert_accepts("lazy", 1, false);
    }

    #[test]
    fn tallies_and_fixtures() {
        let mut t = Twins::new("x", "good", |n: &u32| n * 2)
            .fast("even", |n: &u32| n.is_multiple_of(2).then(|| n << 1));
        for n in 0..10 {
            assert_eq!(t.check(n, &n), n * 2);
        }
        assert_eq!((t.inputs(), t.accepted("even")), (10, 5));
        t.assert_accepts("even", 5, false);
        assert!(t.summary().contains("even accepted 5"), "{}", t.summary());
        let demo = fixtures(&testdata().join("demo"), |p| named(p, &[".yaml"]));
        assert_eq!(
            demo.len(),
            3,
            "{:?}",
            demo.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
        assert!(demo.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
