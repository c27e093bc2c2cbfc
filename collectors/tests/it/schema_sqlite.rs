//! The schema collector on SQLite: a database file and the same DDL as a
//! schema file give the same entries; every object kind; failures.

use drift_collectors::schema::SchemaSource;
use drift_core::{ErrorKind, Value};

use super::schema_common::*;

/// A database file made from `sql`, in a temp dir kept alive by the guard.
pub fn sqlite_db(sql: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(sql).unwrap();
    (dir, path)
}

pub fn live(path: &std::path::Path) -> std::collections::BTreeMap<String, Value> {
    let c = collect(SchemaSource::url(&format!("sqlite://{}", path.display())).unwrap());
    assert_no_errors(&c);
    entries(&c)
}

#[test]
fn every_object_kind_is_collected() {
    let (_d, path) = sqlite_db(&fixture_text("sqlite_shop.sql"));
    let m = live(&path);
    for k in [
        "schema:sqlite:table:orders",
        "schema:sqlite:column:orders.payment_intent_id",
        "schema:sqlite:column_order:orders",
        "schema:sqlite:index:orders_payment",
        "schema:sqlite:index:orders_status_created",
        "schema:sqlite:constraint:orders.primary_key",
        "schema:sqlite:constraint:customers.unique_email",
        "schema:sqlite:constraint:orders.fk_customer_id_customers",
        "schema:sqlite:constraint:orders.orders_amount_positive",
        "schema:sqlite:constraint:orders.check_1",
        "schema:sqlite:view:paid_orders",
        "schema:sqlite:trigger:orders.orders_touch",
        "schema:sqlite:setting:user_version",
        "schema:sqlite:setting:encoding",
    ] {
        assert!(m.contains_key(k), "missing `{k}`; have {:#?}", m.keys());
    }
    let id = "schema:sqlite:column:customers.id";
    assert_eq!(field(&m, id, "identity"), &Value::from("autoincrement"));
    let status = "schema:sqlite:column:orders.status";
    assert_eq!(field(&m, status, "default"), &Value::from("'pending'"));
    assert_eq!(field(&m, status, "nullable"), &Value::Bool(false));
    let cents = "schema:sqlite:column:orders.amount_cents";
    assert_eq!(field(&m, cents, "generated"), &Value::from("amount * 100"));
    let pay = "schema:sqlite:index:orders_payment";
    assert_eq!(
        field(&m, pay, "predicate"),
        &Value::from("deleted_at IS NULL")
    );
    assert_eq!(field(&m, pay, "unique"), &Value::Bool(true));
    let fk = "schema:sqlite:constraint:orders.fk_customer_id_customers";
    assert_eq!(field(&m, fk, "on_delete"), &Value::from("cascade"));
    assert_eq!(
        field(&m, fk, "ref_columns"),
        &Value::List(vec!["id".into()])
    );
    assert_eq!(
        field(&m, "schema:sqlite:table:tags", "without_rowid"),
        &Value::Bool(true)
    );
    assert_eq!(
        field(&m, "schema:sqlite:table:strict_things", "strict"),
        &Value::Bool(true)
    );
    // sqlite_sequence (AUTOINCREMENT's counters) is never recorded.
    assert!(!m.keys().any(|k| k.contains("sqlite_")));
}

#[test]
fn the_ddl_as_a_file_gives_the_same_entries_as_the_database() {
    let sql = fixture_text("sqlite_shop.sql");
    let (_d, path) = sqlite_db(&sql);
    let m = live(&path);
    let c = collect(SchemaSource::file(fixture("sqlite_shop.sql")));
    assert_no_errors(&c);
    let d = diff(&file_expressible(&m), &file_expressible(&entries(&c)));
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn column_order_and_counters_make_no_difference_elsewhere() {
    let (_a, pa) = sqlite_db("CREATE TABLE t (a INTEGER NOT NULL, b TEXT DEFAULT 'x', c REAL)");
    let (_b, pb) = sqlite_db(
        "CREATE TABLE t (c REAL, a INTEGER NOT NULL, b TEXT DEFAULT 'x'); \
         INSERT INTO t VALUES (1.0, 2, 'y');",
    );
    let d = diff(&live(&pa), &live(&pb));
    let keys: Vec<&str> = d.keys().map(String::as_str).collect();
    assert_eq!(keys, ["schema:sqlite:column_order:t"]);
}

#[test]
fn drift_between_two_databases_names_the_keys_and_fields() {
    let sql = fixture_text("sqlite_shop.sql");
    let (_a, pa) = sqlite_db(&sql);
    let (_b, pb) = sqlite_db(&sql);
    let conn = rusqlite::Connection::open(&pb).unwrap();
    conn.execute_batch(
        "ALTER TABLE customers ADD COLUMN phone TEXT;
         DROP INDEX orders_customer;
         DROP VIEW paid_orders;
         CREATE VIEW paid_orders AS SELECT id FROM orders WHERE status = 'paid';
         PRAGMA user_version = 7;",
    )
    .unwrap();
    drop(conn);
    let d = diff(&live(&pa), &live(&pb));
    let keys: Vec<&str> = d.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "schema:sqlite:column:customers.phone",
            "schema:sqlite:column_order:customers",
            "schema:sqlite:index:orders_customer",
            "schema:sqlite:setting:user_version",
            "schema:sqlite:view:paid_orders",
        ]
    );
}

#[test]
fn a_missing_file_is_a_read_error_and_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.db");
    let c = collect(SchemaSource::url(&format!("sqlite://{}", path.display())).unwrap());
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    assert_eq!(c.errors[0].kind, ErrorKind::Read);
    assert!(!path.exists(), "the collector created the database file");
}

#[test]
fn a_file_that_is_not_a_database_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.db");
    std::fs::write(
        &path,
        "this is not sqlite, just text long enough to be read",
    )
    .unwrap();
    let c = collect(SchemaSource::url(&format!("sqlite://{}", path.display())).unwrap());
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    assert!(c.entries.is_empty());
}

#[test]
fn a_database_file_is_never_written() {
    let (_d, path) = sqlite_db(&fixture_text("sqlite_shop.sql"));
    let before = std::fs::read(&path).unwrap();
    let _ = live(&path);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn the_demo_schemas_differ_by_the_missing_column_and_migration() {
    let demo = fixture("../demo");
    let staging = entries(&collect(SchemaSource::file(
        demo.join("staging/schema.sql"),
    )));
    let prod = entries(&collect(SchemaSource::file(demo.join("prod/schema.sql"))));
    let d = diff(&staging, &prod);
    let keys: Vec<&str> = d.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "schema:sqlite:column:orders.payment_intent_id",
            "schema:sqlite:column_order:orders",
            "schema:sqlite:index:orders_payment_intent",
            "schema:sqlite:migration:schema_migrations:20240215093000",
            "schema:sqlite:migrations:schema_migrations",
        ],
        "{d:#?}"
    );
}

/// The entries of `sql` read as an SQLite schema file.
fn as_file(sql: &str) -> std::collections::BTreeMap<String, Value> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.sql");
    std::fs::write(&path, sql).unwrap();
    let c =
        collect(SchemaSource::file(&path).with_dialect(drift_collectors::schema::Dialect::Sqlite));
    assert_no_errors(&c);
    entries(&c)
}

#[test]
fn column_collations_and_deferred_foreign_keys_are_recorded_the_same_from_a_file() {
    let base = "CREATE TABLE p (id INTEGER PRIMARY KEY);
        CREATE TABLE c (id INTEGER PRIMARY KEY, name TEXT, p_id INTEGER REFERENCES p (id));";
    let changed = "CREATE TABLE p (id INTEGER PRIMARY KEY);
        CREATE TABLE c (id INTEGER PRIMARY KEY, name TEXT COLLATE NOCASE,
          p_id INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED);";
    let (_a, a) = sqlite_db(base);
    let (_b, b) = sqlite_db(changed);
    let (_c, c) = sqlite_db(base);
    assert!(diff(&live(&a), &live(&c)).is_empty());
    let d = diff(&live(&a), &live(&b));
    let got: Vec<(String, Vec<String>)> = d
        .iter()
        .map(|(k, (x, y))| {
            (
                k.clone(),
                differing_fields(x.as_ref().unwrap(), y.as_ref().unwrap()),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "schema:sqlite:column:c.name".to_owned(),
                vec!["collation".to_owned()]
            ),
            (
                "schema:sqlite:constraint:c.fk_p_id_p".to_owned(),
                vec!["deferrable".to_owned(), "initially_deferred".to_owned()]
            ),
        ]
    );
    let m = live(&b);
    assert_eq!(
        field(&m, "schema:sqlite:column:c.name", "collation"),
        &Value::from("nocase")
    );
    let m: std::collections::BTreeMap<String, Value> =
        m.into_iter().filter(|(k, _)| !is_live_only(k)).collect();
    let d = diff(&m, &as_file(changed));
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn a_view_in_other_keyword_case_is_the_same_view() {
    let (_a, a) =
        sqlite_db("CREATE TABLE t (id INTEGER); CREATE VIEW v AS SELECT id FROM t WHERE id > 0;");
    let (_b, b) =
        sqlite_db("create table t (id integer); create view v as select ID from T where id > 0;");
    let d = diff(&live(&a), &live(&b));
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn a_dot_schema_dump_with_sqlite_sequence_reads_as_the_database() {
    let sql = "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);
        CREATE INDEX t_name ON t (name);
        CREATE TRIGGER t_touch AFTER UPDATE ON t BEGIN UPDATE t SET name = name WHERE id = new.id; END;";
    let (_d, path) = sqlite_db(sql);
    let out = std::process::Command::new("sqlite3")
        .arg(&path)
        .arg(".schema")
        .output()
        .expect("sqlite3 runs (apt-get install sqlite3)");
    assert!(out.status.success());
    let dump = String::from_utf8(out.stdout).unwrap();
    assert!(dump.contains("sqlite_sequence"), "{dump}");
    // Guessed as SQLite, without a dialect given.
    assert_eq!(
        drift_collectors::schema::detect_dialect(&dump),
        drift_collectors::schema::Dialect::Sqlite
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schema.sql");
    std::fs::write(&file, &dump).unwrap();
    let c = collect(SchemaSource::file(&file));
    assert_no_errors(&c);
    let f = entries(&c);
    let m: std::collections::BTreeMap<String, Value> = live(&path)
        .into_iter()
        .filter(|(k, _)| !is_live_only(k))
        .collect();
    let d = diff(&m, &f);
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn a_statement_sqlite_refuses_is_an_error_with_its_line_and_the_rest_is_read() {
    let c = collect_schema_text_sqlite(
        "CREATE TABLE a (id INTEGER);\n\nCREATE TABEL b (id INTEGER);\nCREATE TABLE c (id INTEGER);\n",
    );
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    assert_eq!(c.errors[0].kind, ErrorKind::Parse);
    assert_eq!(c.errors[0].line, Some(3));
    assert!(!c.errors[0].message.contains("line 3"), "{}", c.errors[0]);
    let m = entries(&c);
    assert!(m.contains_key("schema:sqlite:table:a"));
    assert!(m.contains_key("schema:sqlite:table:c"));
}

fn collect_schema_text_sqlite(sql: &str) -> drift_core::Collection {
    drift_collectors::schema::collect_schema_text(
        sql,
        drift_collectors::schema::Dialect::Sqlite,
        "sqlite",
    )
}

#[test]
fn equivalent_checks_are_no_difference() {
    let (_a, a) = sqlite_db("CREATE TABLE t (a INTEGER, b TEXT, CHECK (a>0 AND b != 'x'))");
    let (_b, b) = sqlite_db("CREATE TABLE t (a INTEGER, b TEXT, CHECK ((\"a\" > 0 and B <> 'x')))");
    let (_c, c) = sqlite_db("CREATE TABLE t (a INTEGER, b TEXT, CHECK (a >= 0 AND b != 'x'))");
    let d = diff(&live(&a), &live(&b));
    assert!(d.is_empty(), "{d:#?}");
    assert!(!diff(&live(&a), &live(&c)).is_empty());
}
