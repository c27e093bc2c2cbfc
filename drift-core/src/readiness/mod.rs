//! Deploy readiness: a release compared one way with the environment it
//! ships to (`docs/readiness.md`).
//!
//! What the release declares must hold in the environment; keys only the
//! environment has are not findings, except applied migrations the release
//! does not know. Values of an `.env.example` or a template count by
//! presence. The release never joins the majority vote of the ordinary
//! N-way comparison. Pure: manifests in, findings and a verdict out.

mod class;
pub(crate) mod fleet;
pub(crate) mod migrations;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use crate::key::{KeyPath, Layer};
use crate::manifest::Manifest;
use crate::policy::Severity;
use crate::report::{Finding, FindingKind, Name};
use crate::value::Value;

pub use class::ChangeClass;

/// The verdict for one target environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Verdict {
    /// Nothing to do before the deploy.
    Ready,
    /// Only expand changes are pending: run the migrations, then deploy.
    MigrateFirst,
    /// Contract changes would break the running version: they belong to a
    /// later release.
    ExpandContractNeeded,
    /// Something the release needs is unmet (or a migration is edited, out
    /// of order, failed or dirty).
    Blocked,
}

impl Verdict {
    /// The verdict's name in reports: `ready`, `migrate_first`,
    /// `expand_contract_needed`, `blocked`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::MigrateFirst => "migrate_first",
            Verdict::ExpandContractNeeded => "expand_contract_needed",
            Verdict::Blocked => "blocked",
        }
    }

    /// The verdict for people: `ready`, `migrate first`,
    /// `expand–contract needed`, `blocked`.
    pub fn title(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::MigrateFirst => "migrate first",
            Verdict::ExpandContractNeeded => "expand–contract needed",
            Verdict::Blocked => "blocked",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// The readiness of one release for one target environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// The release's name.
    pub release: String,
    /// The target environment's name.
    pub environment: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Migrations the deploy must run (keys).
    pub pending: Vec<String>,
    /// Contract changes: keys whose change breaks the running version.
    pub contract: Vec<String>,
    /// What blocks the deploy: keys the release needs that are unmet, and
    /// migrations edited, out of order, failed or dirty.
    pub blocking: Vec<String>,
    /// For a target environment of several hosts (a fleet), each host's
    /// readiness, in the fleet's order: the verdict above is the worst of
    /// theirs, and its lists of keys hold every host's. Empty for an
    /// environment of one host.
    pub hosts: Vec<HostReadiness>,
}

/// The readiness of one release for one host of a fleet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostReadiness {
    /// The host's name.
    pub host: String,
    /// The verdict for this host.
    pub verdict: Verdict,
    /// Migrations the deploy must run on this host (keys).
    pub pending: Vec<String>,
    /// Contract changes on this host (keys).
    pub contract: Vec<String>,
    /// What blocks the deploy on this host (keys).
    pub blocking: Vec<String>,
}

/// Compares `release` one way with `env`: the findings (sorted by key) and
/// the verdict. Every finding's values are the release's and the
/// environment's, in that order.
pub fn compare(release: &Manifest, env: &Manifest) -> (Vec<Finding>, Readiness) {
    let r_name: Name = Arc::from(release.environment.as_str());
    let e_name: Name = Arc::from(env.environment.as_str());
    let mut out = Out {
        r_name,
        e_name,
        findings: Vec::new(),
    };
    migrations::compare(release, env, &mut out);
    let ops = migrations::pending_operations(release, &out.findings);
    let ops_raw = migrations::pending_operations_raw(release, &out.findings);
    // A release object the environment lacks is an expand when a pending
    // migration creates it (its table, column, index, type or view). The
    // operations by label and object, so that each object is looked up,
    // not every operation scanned for it.
    let mut by_object: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for (l, op, object) in &ops {
        by_object
            .entry((l.as_str(), object.as_str()))
            .or_default()
            .push(op.as_str());
    }
    let creates = |label: &str, kind: &str, name: &str| {
        let has = |object: Option<&str>, wanted: &[&str]| {
            object
                .and_then(|o| by_object.get(&(label, o)))
                .is_some_and(|list| list.iter().any(|op| wanted.contains(op)))
        };
        match kind {
            "table" | "column_order" => has(Some(name), &["create_table"]),
            "column" => has(Some(name), &["add_column"]) || has(parent(name), &["create_table"]),
            "index" => has(Some(name), &["create_index"]),
            "constraint" => has(parent(name), &["create_table", "add_constraint"]),
            "enum" => has(Some(name), &["create_type", "add_enum_value"]),
            "view" | "materialized_view" => has(Some(name), &["create_view"]),
            _ => false,
        }
    };
    // A new index built without CONCURRENTLY blocks writes meanwhile.
    let locks = |label: &str, name: &str| {
        ops_raw.iter().any(|(l, op)| {
            l == label
                && op.starts_with("create_index ")
                && op.ends_with(" not_concurrently")
                && op.split(' ').nth(1) == Some(name)
        })
    };
    // Without recorded operations (migrations not written in SQL), a
    // pending migration of the same label is taken to create it.
    let pending_labels = migrations::pending_labels(&out.findings);
    let op_labels: BTreeSet<&str> = ops.iter().map(|(l, _, _)| l.as_str()).collect();
    let unknown_ops =
        |label: &str| pending_labels.iter().any(|l| l == label) && !op_labels.contains(label);
    // The labels under which the release declares tables (a schema file).
    let declared_labels: BTreeSet<&str> = release
        .entries()
        .iter()
        .filter(|e| e.key.layer() == Layer::Schema)
        .filter_map(|e| match schema_parts(&e.key) {
            Some((label, "table", _)) => Some(label),
            _ => None,
        })
        .collect();
    for entry in release.entries() {
        let key = &entry.key;
        let there = env.get(key.as_str());
        match key.layer() {
            Layer::Schema => {
                let Some((label, kind, name)) = schema_parts(key) else {
                    continue;
                };
                if matches!(kind, "migration" | "migrations") || LIVE_ONLY.contains(&kind) {
                    continue;
                }
                let pending = creates(label, kind, name) || unknown_ops(label);
                match there {
                    None => {
                        let class = if pending {
                            ChangeClass::Expand
                        } else {
                            ChangeClass::Unmet
                        };
                        out.push(key, FindingKind::Missing, class, Some(&entry.value), None);
                        if kind == "index"
                            && locks(label, name)
                            && let Some(f) = out.findings.last_mut()
                        {
                            f.reason = Some(Arc::from(
                                "built without CONCURRENTLY by a pending migration: it \
                                 blocks writes to the table while it builds",
                            ));
                        }
                    }
                    Some(v) if *v != entry.value => {
                        let class = class::of_change(kind, v, &entry.value);
                        out.push(
                            key,
                            FindingKind::Changed,
                            class,
                            Some(&entry.value),
                            Some(v),
                        );
                    }
                    Some(_) => {}
                }
            }
            Layer::Package => match there {
                None => out.push_plain(
                    key,
                    FindingKind::Missing,
                    Severity::Error,
                    &entry.value,
                    None,
                ),
                Some(v) if *v != entry.value => {
                    out.push_plain(
                        key,
                        FindingKind::Changed,
                        Severity::Warning,
                        &entry.value,
                        Some(v),
                    );
                }
                Some(_) => {}
            },
            // The keys the code reads: by presence.
            _ => {
                if there.is_none() {
                    out.push_plain(
                        key,
                        FindingKind::Missing,
                        Severity::Error,
                        &entry.value,
                        None,
                    );
                }
            }
        }
    }
    // Contract: objects of a table the release declares that the
    // environment holds and the release does not (it drops them).
    for entry in env.entries() {
        let key = &entry.key;
        if key.layer() != Layer::Schema || release.get(key.as_str()).is_some() {
            continue;
        }
        let Some((label, kind, name)) = schema_parts(key) else {
            continue;
        };
        let declared = match kind {
            "column" | "constraint" => parent(name)
                .is_some_and(|t| release.get(&format!("schema:{label}:table:{t}")).is_some()),
            "table" | "enum" | "view" | "index" => declared_labels.contains(label),
            _ => false,
        };
        if declared {
            out.push(
                key,
                FindingKind::Missing,
                ChangeClass::Contract,
                None,
                Some(&entry.value),
            );
        }
    }
    // What the pending migrations drop, rename or narrow breaks the
    // running version, whatever the release declares.
    for (label, op, object) in &ops {
        let kind = match op.as_str() {
            "drop_table" | "rename_table" => "table",
            "drop_column" | "rename_column" | "alter_type" | "set_not_null" => "column",
            "drop_index" => "index",
            "drop_view" => "view",
            "drop_type" | "rename_enum_value" => "enum",
            "drop_constraint" => "constraint",
            _ => continue,
        };
        let Ok(key) = KeyPath::new(format!("schema:{label}:{kind}:{object}")) else {
            continue;
        };
        if out.findings.iter().any(|f| f.key == key) {
            continue;
        }
        // A column made NOT NULL with a default keeps writers working.
        if op == "set_not_null"
            && release
                .get(key.as_str())
                .is_some_and(|v| !matches!(class::field(v, "default"), None | Some(Value::Null)))
        {
            continue;
        }
        let why = Value::String(format!("{op} by a pending migration"));
        out.push(
            &key,
            FindingKind::Changed,
            ChangeClass::Contract,
            Some(&why),
            env.get(key.as_str()),
        );
    }
    out.findings.sort_by(|a, b| a.key.cmp(&b.key));
    let readiness = verdict_of(&release.environment, &env.environment, &out.findings);
    (out.findings, readiness)
}

/// Kinds only a live database has: absent on a release's side by nature.
const LIVE_ONLY: &[&str] = &["server", "setting", "extension_version", "owner", "grant"];

/// `schema:LABEL:KIND:NAME` → (label, kind, name).
pub(crate) fn schema_parts(key: &KeyPath) -> Option<(&str, &str, &str)> {
    let mut it = key.as_str().splitn(4, ':');
    let _ = it.next()?;
    Some((it.next()?, it.next()?, it.next()?))
}

/// `public.orders.id` → `public.orders`.
fn parent(name: &str) -> Option<&str> {
    name.rsplit_once('.').map(|(p, _)| p)
}

/// Collects findings.
pub(crate) struct Out {
    r_name: Name,
    e_name: Name,
    pub(crate) findings: Vec<Finding>,
}

impl Out {
    fn finding(
        &self,
        key: &KeyPath,
        kind: FindingKind,
        severity: Severity,
        release: Option<&Value>,
        env: Option<&Value>,
    ) -> Finding {
        Finding {
            key: key.clone(),
            kind,
            severity,
            environment: None,
            values: vec![
                (self.r_name.clone(), release.cloned()),
                (self.e_name.clone(), env.cloned()),
            ],
            odd_one_out: vec![self.e_name.clone()],
            detail: None,
            waived: None,
            expired_waiver: None,
            rule: None,
            reason: None,
            change_class: None,
        }
    }

    fn push(
        &mut self,
        key: &KeyPath,
        kind: FindingKind,
        class: ChangeClass,
        release: Option<&Value>,
        env: Option<&Value>,
    ) {
        let mut f = self.finding(key, kind, class.severity(), release, env);
        f.change_class = Some(class);
        self.findings.push(f);
    }

    fn push_plain(
        &mut self,
        key: &KeyPath,
        kind: FindingKind,
        severity: Severity,
        release: &Value,
        env: Option<&Value>,
    ) {
        let f = self.finding(key, kind, severity, Some(release), env);
        self.findings.push(f);
    }

    pub(crate) fn push_migration(
        &mut self,
        key: &KeyPath,
        kind: FindingKind,
        release: Option<&Value>,
        env: Option<&Value>,
    ) {
        let severity = match kind {
            FindingKind::Pending => Severity::Info,
            FindingKind::Unknown => Severity::Warning,
            _ => Severity::Error,
        };
        let f = self.finding(key, kind, severity, release, env);
        self.findings.push(f);
    }
}

/// The verdict of `release` for `env` from their findings (sorted by
/// key); waived ones count for nothing.
pub(crate) fn verdict_of<'a>(
    release: &str,
    env: &str,
    findings: impl IntoIterator<Item = &'a Finding>,
) -> Readiness {
    let mut r = Readiness {
        release: release.to_owned(),
        environment: env.to_owned(),
        verdict: Verdict::Ready,
        pending: Vec::new(),
        contract: Vec::new(),
        blocking: Vec::new(),
        hosts: Vec::new(),
    };
    for f in findings.into_iter().filter(|f| f.is_active()) {
        let key = f.key.as_str().to_owned();
        match (f.kind, f.change_class) {
            (FindingKind::Pending, _) | (_, Some(ChangeClass::Expand)) => r.pending.push(key),
            (FindingKind::Unknown, _) => {}
            (_, Some(ChangeClass::Contract)) => r.contract.push(key),
            _ if f.severity == Severity::Error => r.blocking.push(key),
            _ => {}
        }
    }
    // A key found twice (on two hosts of a fleet, as two kinds) is listed
    // once.
    r.pending.dedup();
    r.contract.dedup();
    r.blocking.dedup();
    r.verdict = if !r.blocking.is_empty() {
        Verdict::Blocked
    } else if !r.contract.is_empty() {
        Verdict::ExpandContractNeeded
    } else if !r.pending.is_empty() {
        Verdict::MigrateFirst
    } else {
        Verdict::Ready
    };
    r
}

#[cfg(test)]
mod tests;
