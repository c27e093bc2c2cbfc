//! Migrations: what the release declares against the environment's
//! history — pending, unknown, edited, out of order, failed and dirty.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use super::{Out, schema_parts};
use crate::key::{KeyPath, Layer};
use crate::manifest::Manifest;
use crate::report::{Finding, FindingKind};
use crate::value::Value;

/// Tools whose ids are not ordered (no `out_of_order` for them).
const UNORDERED: &[&str] = &["django", "knex", "liquibase"];

/// Migration entries of `m`: (label, tool) → id → (key, value).
type ByTool<'a> = BTreeMap<(String, String), BTreeMap<String, (&'a KeyPath, &'a Value)>>;

fn by_tool(m: &Manifest) -> ByTool<'_> {
    let mut out: ByTool<'_> = BTreeMap::new();
    for e in m.entries() {
        if e.key.layer() != Layer::Schema {
            continue;
        }
        let Some((label, "migration", rest)) = schema_parts(&e.key) else {
            continue;
        };
        let Some((tool, id)) = rest.split_once(':') else {
            continue;
        };
        out.entry((label.to_owned(), tool.to_owned()))
            .or_default()
            .insert(unquote(id), (&e.key, &e.value));
    }
    out
}

fn unquote(id: &str) -> String {
    match id.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => id.to_owned(),
    }
}

fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    match v {
        Value::Object(f) => f.get(name),
        _ => None,
    }
}

/// The checksum a tool stores (`checksum`, Atlas's `hash`), when any.
fn checksum(v: &Value) -> Option<&Value> {
    field(v, "checksum")
        .or_else(|| field(v, "hash"))
        .filter(|c| !matches!(c, Value::Null))
}

/// Whether two different checksums say that a migration was edited: both
/// shown, or both hidden as secrets (a hash can look like one, Atlas's
/// base64 does) under one fingerprint key. Fingerprints of two keys, or a
/// value hidden on one side only, differ whatever the files hold.
fn comparable(a: &Value, b: &Value, release: &Manifest, env: &Manifest) -> bool {
    match (a.is_secret(), b.is_secret()) {
        (false, false) => true,
        (true, true) => release.fingerprint_key == env.fingerprint_key,
        _ => false,
    }
}

/// Compares ids with digit runs as numbers (`9` < `10`), as the live
/// history's `latest` does.
pub(crate) fn natural(a: &str, b: &str) -> Ordering {
    fn runs(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let bytes = s.as_bytes();
        let mut start = 0;
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
                out.push((bytes[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    let (ra, rb) = (runs(a), runs(b));
    for (x, y) in ra.iter().zip(rb.iter()) {
        let o = match (x, y) {
            ((true, p), (true, q)) => {
                let (p, q) = (p.trim_start_matches('0'), q.trim_start_matches('0'));
                p.len().cmp(&q.len()).then_with(|| p.cmp(q))
            }
            ((_, p), (_, q)) => p.cmp(q),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    ra.len().cmp(&rb.len()).then_with(|| a.cmp(b))
}

/// The ids of the release the environment has applied.
fn applied(
    tool: &str,
    declared: &BTreeMap<String, (&KeyPath, &Value)>,
    live: &BTreeMap<String, (&KeyPath, &Value)>,
) -> BTreeSet<String> {
    match tool {
        // One row: the current version; every version up to it is applied.
        "golang-migrate" => {
            let current = live.keys().max_by(|a, b| natural(a, b));
            declared
                .keys()
                .filter(|id| current.is_some_and(|c| natural(id, c) != Ordering::Greater))
                .cloned()
                .collect()
        }
        // The heads: every revision they descend from is applied.
        "alembic" => {
            let mut done = BTreeSet::new();
            let mut todo: Vec<String> = live.keys().cloned().collect();
            while let Some(rev) = todo.pop() {
                if !done.insert(rev.clone()) {
                    continue;
                }
                if let Some((_, v)) = declared.get(&rev)
                    && let Some(Value::List(downs)) = field(v, "down_revision")
                {
                    for d in downs {
                        if let Value::String(d) = d {
                            todo.push(d.clone());
                        }
                    }
                }
            }
            done
        }
        _ => live.keys().cloned().collect(),
    }
}

pub(super) fn compare(release: &Manifest, env: &Manifest, out: &mut Out) {
    let declared = by_tool(release);
    let live = by_tool(env);
    let empty = BTreeMap::new();
    for ((label, tool), ids) in &declared {
        let here = live.get(&(label.clone(), tool.clone())).unwrap_or(&empty);
        let done = applied(tool, ids, here);
        let ordered = !UNORDERED.contains(&tool.as_str());
        let latest = done.iter().max_by(|a, b| natural(a, b)).cloned();
        for (id, (key, value)) in ids {
            if !done.contains(id) {
                let late = ordered
                    && latest
                        .as_deref()
                        .is_some_and(|l| natural(id, l) == Ordering::Less);
                let kind = if late {
                    FindingKind::OutOfOrder
                } else {
                    FindingKind::Pending
                };
                out.push_migration(key, kind, Some(value), None);
                continue;
            }
            if let Some((_, there)) = here.get(id) {
                if let (Some(a), Some(b)) = (checksum(value), checksum(there))
                    && a != b
                    && comparable(a, b, release, env)
                {
                    out.push_migration(key, FindingKind::Edited, Some(value), Some(there));
                } else if field(there, "success") == Some(&Value::Bool(false)) {
                    out.push_migration(key, FindingKind::Failed, Some(value), Some(there));
                }
            }
        }
        // Golang-migrate's one row, and Alembic's heads, name a migration
        // the release must know too.
        for (id, (key, there)) in here {
            if !ids.contains_key(id) {
                out.push_migration(key, FindingKind::Unknown, None, Some(there));
            }
        }
        let summary = format!("schema:{label}:migrations:{tool}");
        if let Some(s) = env.get(&summary)
            && field(s, "dirty") == Some(&Value::Bool(true))
            && let Ok(k) = KeyPath::new(summary.clone())
        {
            out.push_migration(&k, FindingKind::Failed, release.get(&summary), Some(s));
        }
    }
}

/// The schema labels with migrations to run.
pub(super) fn pending_labels(findings: &[Finding]) -> Vec<String> {
    let mut out: Vec<String> = findings
        .iter()
        .filter(|f| matches!(f.kind, FindingKind::Pending | FindingKind::OutOfOrder))
        .filter_map(|f| schema_parts(&f.key).map(|(l, _, _)| l.to_owned()))
        .collect();
    out.dedup();
    out
}

/// What the pending migrations do: `(label, operation, object)` from the
/// `operations` the release recorded for its SQL migrations.
pub(super) fn pending_operations(
    release: &Manifest,
    findings: &[Finding],
) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for f in findings {
        if !matches!(f.kind, FindingKind::Pending | FindingKind::OutOfOrder) {
            continue;
        }
        let Some((label, _, _)) = schema_parts(&f.key) else {
            continue;
        };
        let Some(v) = release.get(f.key.as_str()) else {
            continue;
        };
        if let Some(Value::List(ops)) = field(v, "operations") {
            for op in ops {
                if let Value::String(op) = op
                    && let Some((what, object)) = op.split_once(' ')
                {
                    let object = object.split(' ').next().unwrap_or(object);
                    out.push((label.to_owned(), what.to_owned(), object.to_owned()));
                }
            }
        }
    }
    out
}

/// The pending migrations' operations as recorded: `(label, operation)`.
pub(super) fn pending_operations_raw(
    release: &Manifest,
    findings: &[Finding],
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in findings {
        if !matches!(f.kind, FindingKind::Pending | FindingKind::OutOfOrder) {
            continue;
        }
        let (Some((label, _, _)), Some(v)) = (schema_parts(&f.key), release.get(f.key.as_str()))
        else {
            continue;
        };
        if let Some(Value::List(ops)) = field(v, "operations") {
            for op in ops {
                if let Value::String(op) = op {
                    out.push((label.to_owned(), op.clone()));
                }
            }
        }
    }
    out
}
