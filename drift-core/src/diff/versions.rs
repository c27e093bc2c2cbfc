//! Versions and version sets compared as versions.
//!
//! A package installed at several versions in one environment (nested npm
//! copies, two lockfiles) is recorded as a [`Value::List`] of
//! [`Value::Version`]s: a *version set*. A set is judged by its newest
//! member: that member decides the skew class and the direction, and it is
//! what `tolerate` and `not_older_than` see; the report still shows the
//! whole sets. A set is development-only when every member is. A version and
//! a set are never a type mismatch (of two schemes, they are `changed`
//! without a version detail, as two versions of two schemes are).
//!
//! When every environment's newest member is the same and the sets differ
//! only in older copies, the skew is the largest between an older copy
//! that is not in every set and that newest version, no environment is
//! newer than another, and any `tolerate` accepts it (the newest versions
//! agree).

use std::cmp::Ordering;

use crate::report::VersionDetail;
use crate::value::Value;
use crate::version::{self, Skew};

/// A value read as a version: a single version, or a version set.
#[derive(Debug, Clone, Copy)]
pub(super) struct View<'v> {
    /// The ordering scheme.
    pub scheme: &'v str,
    /// The version, or the newest member of a set.
    pub newest: &'v str,
    /// The members (one for a single version).
    members: &'v [Value],
}

impl<'v> View<'v> {
    fn texts(&self) -> impl Iterator<Item = &'v str> + 'v {
        self.members.iter().filter_map(|m| match m {
            Value::Version(v) => Some(v.text.as_str()),
            _ => None,
        })
    }
}

/// `v` as a version: a [`Value::Version`], or a non-empty [`Value::List`]
/// of versions of one scheme (its newest member by that scheme's order;
/// among members that cannot be ordered, the first one written).
pub(super) fn view(v: &Value) -> Option<View<'_>> {
    match v {
        Value::Version(ver) => Some(View {
            scheme: &ver.scheme,
            newest: &ver.text,
            members: std::slice::from_ref(v),
        }),
        Value::List(items) => {
            let mut out: Option<View<'_>> = None;
            for item in items {
                let Value::Version(ver) = item else {
                    return None;
                };
                match &mut out {
                    None => {
                        out = Some(View {
                            scheme: &ver.scheme,
                            newest: &ver.text,
                            members: items,
                        })
                    }
                    Some(o) if o.scheme != ver.scheme => return None,
                    Some(o) => {
                        if version::compare(o.scheme, &ver.text, o.newest)
                            == Some(Ordering::Greater)
                        {
                            o.newest = &ver.text;
                        }
                    }
                }
            }
            out
        }
        _ => None,
    }
}

/// The versions of `v`: itself, or the members of a non-empty list of
/// versions (`None` for anything else).
fn members(v: &Value) -> Option<&[Value]> {
    match v {
        Value::Version(_) => Some(std::slice::from_ref(v)),
        Value::List(items)
            if !items.is_empty() && items.iter().all(|i| matches!(i, Value::Version(_))) =>
        {
            Some(items)
        }
        _ => None,
    }
}

/// Whether `v` is a development-only package (a version or a set whose
/// members all are).
pub(super) fn is_dev(v: &Value) -> bool {
    members(v).is_some_and(|m| m.iter().all(|i| matches!(i, Value::Version(x) if x.dev)))
}

/// Whether `v` is a version or a version set.
pub(super) fn is_versions(v: &Value) -> bool {
    members(v).is_some()
}

/// Whether `a` and `b` are both versions or version sets: never a type
/// mismatch, whatever their schemes (as two versions of two schemes are
/// not).
pub(super) fn both_versions(a: &Value, b: &Value) -> bool {
    is_versions(a) && is_versions(b)
}

/// The views of all values, when each is a version or a set of one scheme.
fn views<'v>(vals: &[&'v Value]) -> Option<Vec<View<'v>>> {
    let out: Vec<View<'v>> = vals.iter().map(|v| view(v)).collect::<Option<_>>()?;
    let scheme = out.first()?.scheme;
    out.iter().all(|w| w.scheme == scheme).then_some(out)
}

/// Skew class and direction between versions or version sets, and whether
/// the newest versions are all the same (only older copies differ).
///
/// `None` when only development flags differ.
pub(super) fn detail(names: &[&str], vals: &[&Value]) -> Option<(VersionDetail, bool)> {
    let views = views(vals)?;
    let scheme = views[0].scheme;
    let mut skew: Option<Skew> = None;
    for (i, a) in views.iter().enumerate() {
        for b in &views[i + 1..] {
            if a.newest != b.newest {
                let s = version::skew(scheme, a.newest, b.newest);
                skew = Some(skew.map_or(s, |k| k.max(s)));
            }
        }
    }
    let Some(skew) = skew else {
        let vd = older_copies(&views)?;
        return Some((vd, true));
    };
    let mut newest: Option<&str> = None;
    let mut orderable = true;
    for w in &views {
        match newest {
            None => newest = Some(w.newest),
            Some(n) => match version::compare(scheme, w.newest, n) {
                Some(Ordering::Greater) => newest = Some(w.newest),
                Some(_) => {}
                None => orderable = false,
            },
        }
    }
    let (newest_envs, behind) = match (orderable, newest) {
        (true, Some(n)) => {
            let mut up = Vec::new();
            let mut down = Vec::new();
            for (i, w) in views.iter().enumerate() {
                if version::compare(scheme, w.newest, n) == Some(Ordering::Equal) {
                    up.push(names[i].to_owned());
                } else {
                    down.push(names[i].to_owned());
                }
            }
            (up, down)
        }
        _ => (Vec::new(), Vec::new()),
    };
    let vd = VersionDetail {
        skew,
        newest: newest_envs,
        behind,
        reference: None,
    };
    Some((vd, false))
}

/// Sets with one newest version that differ in older copies: the largest
/// skew between a copy not in every set and the newest version.
fn older_copies(views: &[View<'_>]) -> Option<VersionDetail> {
    let scheme = views[0].scheme;
    let newest = views[0].newest;
    let mut skew: Option<Skew> = None;
    for w in views {
        for t in w.texts() {
            if views.iter().all(|o| o.texts().any(|u| u == t)) {
                continue;
            }
            let s = version::skew(scheme, t, newest);
            skew = Some(skew.map_or(s, |k| k.max(s)));
        }
    }
    Some(VersionDetail {
        skew: skew?,
        newest: Vec::new(),
        behind: Vec::new(),
        reference: None,
    })
}

/// The environments whose version (a set's newest member) is older than
/// the reference's, with the largest skew; `None` when none is.
pub(super) fn older_than(
    names: &[&str],
    values: &[Option<&Value>],
    r: usize,
) -> Option<(Vec<String>, Skew)> {
    let reference = view(values.get(r).copied().flatten()?)?;
    let mut older = Vec::new();
    let mut worst: Option<Skew> = None;
    for (i, v) in values.iter().enumerate() {
        if i == r {
            continue;
        }
        if let Some(w) = v.and_then(view)
            && w.scheme == reference.scheme
            && version::compare(w.scheme, w.newest, reference.newest) == Some(Ordering::Less)
        {
            older.push(names[i].to_owned());
            let s = version::skew(w.scheme, w.newest, reference.newest);
            worst = Some(worst.map_or(s, |k| k.max(s)));
        }
    }
    Some((older, worst?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Version;

    fn v(text: &str, dev: bool) -> Value {
        Value::from(Version {
            scheme: "semver".into(),
            text: text.into(),
            dev,
        })
    }

    #[test]
    fn a_set_is_seen_as_its_newest_member() {
        // Sorted by text, `10.0.0` comes before `9.1.0`.
        let set = Value::List(vec![v("10.0.0", true), v("9.1.0", false), v("9.0.0", true)]);
        let w = view(&set).unwrap();
        assert_eq!(w.newest, "10.0.0");
        assert_eq!(w.scheme, "semver");
        assert!(!is_dev(&set));
        assert!(is_dev(&Value::List(vec![
            v("1.0.0", true),
            v("2.0.0", true)
        ])));
        assert!(!is_dev(&Value::List(vec![])));
        assert!(view(&Value::List(vec![v("1.0.0", false), Value::from("x")])).is_none());
        assert!(both_versions(&set, &v("1.0.0", false)));
        assert!(!both_versions(&set, &Value::from("1.0.0")));
        assert!(!both_versions(&Value::List(vec![]), &v("1.0.0", false)));
    }

    #[test]
    fn tied_newest_versions_take_the_skew_of_the_older_copies() {
        let a = Value::List(vec![v("1.4.0", false), v("2.0.0", false)]);
        let b = v("2.0.0", false);
        let (vd, tied) = detail(&["dev", "prod"], &[&a, &b]).unwrap();
        assert!(tied);
        assert_eq!(vd.skew, Skew::Major);
        assert!(vd.newest.is_empty() && vd.behind.is_empty());
        // Only development flags differ: no version skew at all.
        let c = Value::List(vec![v("1.4.0", true), v("2.0.0", false)]);
        assert!(detail(&["dev", "prod"], &[&a, &c]).is_none());
    }
}
