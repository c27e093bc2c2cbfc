//! Judging one key's values: is it drift, and of what kind.

use crate::policy::{Expect, Resolved, Tolerance};
use crate::report::{Detail, FindingKind, VersionDetail};
use crate::value::Value;
use crate::version::Skew;

use super::detail;
use super::group;
use super::versions::{self, is_dev};

/// What a comparison is asked to check.
pub(super) struct Check<'r> {
    pub expect: Expect,
    pub tolerate: Option<Skew>,
    pub tolerance: Option<Tolerance>,
    /// The index (into the values) of the `not_older_than` reference.
    pub reference: Option<usize>,
    /// Whether secrets may be compared by fingerprint.
    pub secrets_comparable: bool,
    /// Whether a rule set the expectation (secrets then compare by value).
    pub expect_explicit: bool,
    /// Whether the key's own name says secret: such values differ between
    /// environments by design and need only be present; values hidden for
    /// what they hold are compared by fingerprint.
    pub secret_by_name: bool,
    /// Leave development-only packages out.
    pub ignore_dev: bool,
    /// The most lines of a text diff.
    pub max_diff_lines: usize,
    /// Only these indices take part in value checks (`None`: all).
    pub scope: Option<&'r [usize]>,
}

impl<'r> Check<'r> {
    pub(super) fn from_resolved(
        r: &Resolved<'_>,
        secrets_comparable: bool,
        max_diff_lines: usize,
    ) -> Check<'r> {
        Check {
            expect: r.expect,
            tolerate: r.tolerate,
            tolerance: r.tolerance,
            reference: None,
            secrets_comparable,
            expect_explicit: r.expect_explicit,
            secret_by_name: false,
            ignore_dev: r.ignore_dev,
            max_diff_lines,
            scope: None,
        }
    }
}

/// The verdict on one key.
#[derive(Debug)]
pub(super) struct Verdict {
    pub kind: FindingKind,
    pub detail: Option<Detail>,
    pub skew: Option<Skew>,
    /// Every present value is a development-only package.
    pub dev: bool,
}

/// Judges the values (one per environment or host, `None` when absent).
pub(super) fn judge(
    check: &Check<'_>,
    names: &[&str],
    values: &[Option<&Value>],
) -> Option<Verdict> {
    let present = values.iter().filter(|v| v.is_some()).count();
    let dev = present > 0 && values.iter().flatten().all(|v| is_dev(v));
    if check.ignore_dev && dev {
        return None;
    }
    if present < values.len() {
        return Some(Verdict {
            kind: FindingKind::Missing,
            detail: None,
            skew: None,
            dev,
        });
    }
    // Value checks run over the scope only.
    let scoped: Small<usize> = match check.scope {
        Some(s) => s.iter().copied().collect(),
        None => (0..values.len()).collect(),
    };
    let vals: Small<&Value> = scoped.iter().filter_map(|&i| values[i]).collect();
    // Secrets named so differ between environments by design unless a
    // rule says they must match; with mismatched fingerprint keys they
    // cannot be compared at all; a value hidden in one manifest and plain
    // in another (manifests of drift before and after a change of its
    // judge) is never shown, nor a finding by itself (the engine notes it).
    let secrets = vals.iter().filter(|v| v.is_secret()).count();
    if secrets > 0
        && (secrets < vals.len()
            || !check.secrets_comparable
            || (check.secret_by_name && !check.expect_explicit))
    {
        return None;
    }
    if let Some(verdict) = behind(check, names, values) {
        return Some(verdict);
    }
    match check.expect {
        Expect::Present | Expect::Ignore => None,
        Expect::Differ => {
            let scoped_vals: Small<Option<&Value>> = scoped.iter().map(|&i| values[i]).collect();
            let equal: Vec<Vec<usize>> = group::groups(&scoped_vals)
                .into_iter()
                .filter(|g| g.len() > 1)
                .map(|g| g.into_iter().map(|i| scoped[i]).collect())
                .collect();
            (!equal.is_empty()).then(|| Verdict {
                kind: FindingKind::NotDifferent,
                detail: Some(Detail::EqualGroups(
                    equal
                        .iter()
                        .map(|g| g.iter().map(|&i| names[i].to_owned()).collect())
                        .collect(),
                )),
                skew: None,
                dev,
            })
        }
        Expect::Equal => {
            if vals.windows(2).all(|w| w[0] == w[1]) {
                return None;
            }
            let first = vals[0];
            if vals
                .iter()
                .any(|v| !v.same_type(first) && !versions::both_versions(v, first))
            {
                return Some(Verdict {
                    kind: FindingKind::TypeMismatch,
                    detail: None,
                    skew: None,
                    dev,
                });
            }
            if let Some(t) = check.tolerance
                && within_tolerance(t, &vals)
            {
                return None;
            }
            let mut skew = None;
            let detail = if versions::is_versions(first)
                || matches!(first, Value::Object(_) | Value::File(_))
            {
                let scoped_names: Small<&str> = scoped.iter().map(|&i| names[i]).collect();
                if let Some((vd, tied)) = versions::detail(&scoped_names, &vals) {
                    // A tie of the newest versions is within any tolerance.
                    if let Some(t) = check.tolerate
                        && (tied || (vd.skew <= t && vd.skew != Skew::Other))
                    {
                        return None;
                    }
                    skew = Some(vd.skew);
                    Some(Detail::Version(vd))
                } else {
                    detail::describe(&scoped_names, &vals, check.max_diff_lines)
                }
            } else {
                None
            };
            Some(Verdict {
                kind: FindingKind::Changed,
                detail,
                skew,
                dev,
            })
        }
    }
}

/// Per-key scratch lists: environments are few, fleets rarely many.
type Small<T> = smallvec::SmallVec<[T; 8]>;

fn within_tolerance(t: Tolerance, vals: &[&Value]) -> bool {
    let nums: Option<Vec<f64>> = vals.iter().map(|v| v.as_f64()).collect();
    let Some(nums) = nums else {
        return false;
    };
    let min = nums.iter().copied().fold(f64::INFINITY, f64::min);
    let max = nums.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    t.accepts(min, max)
}

/// A `not_older_than` violation: some value is an older version than the
/// reference's (a version set's newest member on either side).
fn behind(check: &Check<'_>, names: &[&str], values: &[Option<&Value>]) -> Option<Verdict> {
    let r = check.reference?;
    let (older, skew) = versions::older_than(names, values, r)?;
    let newest: Vec<String> = values
        .iter()
        .enumerate()
        .filter(|(i, _)| !older.iter().any(|o| o == names[*i]))
        .filter(|(_, v)| v.is_some())
        .map(|(i, _)| names[i].to_owned())
        .collect();
    Some(Verdict {
        kind: FindingKind::Behind,
        detail: Some(Detail::Version(VersionDetail {
            skew,
            newest,
            behind: older,
            reference: Some(names[r].to_owned()),
        })),
        skew: Some(skew),
        dev: values.iter().flatten().all(|v| is_dev(v)),
    })
}
