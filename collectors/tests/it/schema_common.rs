//! Helpers of the schema tests: unique databases on the shared servers,
//! collections as maps, and a key-by-key comparison of two collections.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use drift_collectors::Collector;
use drift_collectors::schema::{SchemaCollector, SchemaOptions, SchemaSource};
use drift_collectors::transport::Local;
use drift_core::{Collection, Value};

/// The PostgreSQL server of the tests (a superuser URL, any database).
pub fn pg_url() -> String {
    std::env::var("DRIFT_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The MariaDB/MySQL server of the tests (root, any database).
pub fn mysql_url() -> String {
    std::env::var("DRIFT_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/mysql".to_owned())
}

/// `url` with its database replaced by `db`.
pub fn with_db(url: &str, db: &str) -> String {
    let (head, tail) = url.split_once("://").expect("a URL");
    let (authority, query) = match tail.find(['/', '?']) {
        Some(p) => (&tail[..p], tail[p..].split_once('?').map(|(_, q)| q)),
        None => (tail, None),
    };
    match query {
        Some(q) => format!("{head}://{authority}/{db}?{q}"),
        None => format!("{head}://{authority}/{db}"),
    }
}

/// `url` with its user and password replaced.
pub fn with_user(url: &str, user: &str, password: Option<&str>) -> String {
    let (head, tail) = url.split_once("://").expect("a URL");
    let host = tail.rsplit_once('@').map_or(tail, |(_, h)| h);
    match password {
        Some(p) => format!("{head}://{user}:{p}@{host}"),
        None => format!("{head}://{user}@{host}"),
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A database name no other test or helper uses.
pub fn unique_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "drift_{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// Collects `sources` with `options` through the local transport.
pub fn collect_with(sources: Vec<SchemaSource>, options: SchemaOptions) -> Collection {
    SchemaCollector::new(sources)
        .with_options(options)
        .collect(&Local::new())
}

/// Collects one source with default options.
pub fn collect(source: SchemaSource) -> Collection {
    collect_with(vec![source], SchemaOptions::default())
}

/// The entries of a collection by key text.
pub fn entries(c: &Collection) -> BTreeMap<String, Value> {
    c.entries
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
        .collect()
}

/// Asserts that a collection has no errors.
pub fn assert_no_errors(c: &Collection) {
    assert!(c.errors.is_empty(), "unexpected errors: {:#?}", c.errors);
}

/// What differs between two collections: key → (left, right).
pub fn diff(
    a: &BTreeMap<String, Value>,
    b: &BTreeMap<String, Value>,
) -> BTreeMap<String, (Option<Value>, Option<Value>)> {
    let mut out = BTreeMap::new();
    for k in a.keys().chain(b.keys()) {
        let (x, y) = (a.get(k), b.get(k));
        if x != y {
            out.insert(k.clone(), (x.cloned(), y.cloned()));
        }
    }
    out
}

/// The fields of two objects that differ.
pub fn differing_fields(a: &Value, b: &Value) -> Vec<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => x
            .keys()
            .chain(y.keys())
            .filter(|k| x.get(*k) != y.get(*k))
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
        _ => vec!["<value>".to_owned()],
    }
}

/// Each key of a [`diff`] with the fields that differ (none for a key on
/// one side only).
pub fn changes(d: &BTreeMap<String, (Option<Value>, Option<Value>)>) -> Vec<(String, Vec<String>)> {
    d.iter()
        .map(|(k, (x, y))| {
            let fields = match (x, y) {
                (Some(x), Some(y)) => differing_fields(x, y),
                _ => vec![],
            };
            (k.clone(), fields)
        })
        .collect()
}

/// Keys of kinds only a live database has.
pub fn is_live_only(key: &str) -> bool {
    let kind = key.split(':').nth(2).unwrap_or("");
    drift_collectors::schema::LIVE_ONLY_KINDS.contains(&kind)
        || kind == "migrations"
        || kind == "migration"
}

/// The entries without live-only kinds.
pub fn file_expressible(m: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    m.iter()
        .filter(|(k, _)| !is_live_only(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The value of a field of an object entry.
pub fn field<'a>(m: &'a BTreeMap<String, Value>, key: &str, field: &str) -> &'a Value {
    match m.get(key) {
        Some(Value::Object(o)) => o
            .get(field)
            .unwrap_or_else(|| panic!("`{key}` has no field `{field}`: {o:?}")),
        other => panic!("`{key}` is not an object: {other:?}"),
    }
}

/// A fixture under testdata/schema.
pub fn fixture(name: &str) -> std::path::PathBuf {
    drift_test_support::testdata("schema").join(name)
}

/// A fixture's text.
pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture")
}
