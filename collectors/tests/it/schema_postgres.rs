//! The schema collector against a live PostgreSQL: every object kind, the
//! same entries from a dump file as from the database, and the failures.

use std::collections::BTreeMap;

use drift_collectors::schema::{SchemaOptions, SchemaSource};
use drift_core::{ErrorKind, Value};

use super::listing::listing;
use super::schema_common::*;
use super::schema_pg_support::{PgDb, Tunnelled, dumped};

const NEEDS_PG: &str =
    "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored";

fn shop() -> PgDb {
    PgDb::new(&fixture_text("pg_shop.sql"))
}

fn live(db: &PgDb) -> BTreeMap<String, Value> {
    let c = collect(SchemaSource::url(&db.url()).unwrap());
    assert_no_errors(&c);
    entries(&c)
}

/// `m` with what depends on the server's build and configuration rather
/// than on the schema replaced by its type (`[integer]`, `[version]`): the
/// settings (postgresql.conf, the locale of initdb), the server's version
/// and the extensions' versions.
fn server_independent(m: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    m.iter()
        .map(|(k, v)| {
            let depends = k.starts_with("schema:postgres:setting:")
                || k.starts_with("schema:postgres:extension_version:")
                || k == "schema:postgres:server:version";
            let v = if depends {
                Value::from(format!("[{}]", v.type_name()))
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect()
}

/// Every object kind of `pg_shop.sql` as the live database gives it: tables,
/// columns with canonical types, defaults, identity and generation, column
/// order (an inheritance child lists its parent's columns first),
/// constraints with their foreign-key actions, indexes with included columns
/// and predicates, sequences, views, functions, procedures, triggers,
/// extensions, enums, domains, policies, settings, the server, the Flyway
/// history. Partitions are folded into their parent; there is no identity
/// sequence, no history table as a table, no owner or grant. With grants
/// asked for, owners and grants are added and nothing else changes.
///
/// Taken on PostgreSQL 15 (Debian 12's, as scripts/ci-db-setup installs):
/// another major version may deparse expressions (views, defaults, checks)
/// or own and grant the `public` schema differently.
#[test]
#[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn every_object_kind_is_collected() {
    let _ = NEEDS_PG;
    let db = shop();
    let m = live(&db);
    // Nothing that changes as rows come and go, whatever the snapshot says.
    let text = format!("{m:?}");
    for volatile in ["last_value", "relpages", "reltuples", "n_live_tup"] {
        assert!(!text.contains(volatile), "{volatile} recorded");
    }
    insta::assert_snapshot!(listing(&server_independent(&m)));
    let options = SchemaOptions {
        include_grants: true,
        ..SchemaOptions::default()
    };
    let g = entries(&collect_with(
        vec![SchemaSource::url(&db.url()).unwrap()],
        options,
    ));
    let (same, added): (BTreeMap<_, _>, BTreeMap<_, _>) =
        g.into_iter().partition(|(k, _)| m.contains_key(k));
    assert_eq!(same, m, "asking for grants changed other entries");
    insta::assert_snapshot!("grants", listing(&added));
}

#[test]
#[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn a_pg_dump_file_gives_the_same_entries_as_the_live_database() {
    let db = shop();
    let m = live(&db);
    let f = dumped(&db);
    let d = diff(&file_expressible(&m), &file_expressible(&f));
    assert!(d.is_empty(), "dump and live differ: {d:#?}");
    assert!(f.len() > 40, "too few entries from the dump: {}", f.len());
}

#[test]
#[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn hand_written_ddl_matches_live_except_deparsed_expressions() {
    let db = shop();
    let m = live(&db);
    let c = collect(SchemaSource::file(fixture("pg_shop.sql")));
    assert_no_errors(&c);
    let d = diff(&file_expressible(&m), &file_expressible(&entries(&c)));
    // PostgreSQL rewrites these expressions (`0` → `(0)::numeric`); a dump
    // carries the rewritten form, hand-written DDL does not.
    let keys: Vec<&str> = d.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "schema:postgres:column:public.orders.amount_cents",
            "schema:postgres:constraint:public.orders.orders_amount_check",
            "schema:postgres:domain:public.positive_amount",
        ],
        "{d:#?}"
    );
}

#[test]
#[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn column_order_alone_differs_only_in_the_column_order_key() {
    let a = PgDb::new("CREATE TABLE t (a int NOT NULL, b text DEFAULT 'x', c date)");
    let b = PgDb::new("CREATE TABLE t (c date, a int NOT NULL, b text DEFAULT 'x')");
    let d = diff(&live(&a), &live(&b));
    let keys: Vec<&str> = d.keys().map(String::as_str).collect();
    assert_eq!(keys, ["schema:postgres:column_order:public.t"]);
}

#[test]
#[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn two_snapshots_of_one_database_are_identical() {
    let db = shop();
    db.exec("INSERT INTO customers (email) VALUES ('a@x'), ('b@x'); ANALYZE;");
    let first = live(&db);
    db.exec("INSERT INTO customers (email) VALUES ('c@x'); SELECT nextval('invoice_no'); ANALYZE;");
    assert_eq!(diff(&first, &live(&db)), Default::default());
}

/// The drift the issue lists, each between a base and a drifted database:
/// (SQL applied to the drifted one, key, differing fields; empty fields
/// mean the key is missing on one side or is not an object).
#[test]
#[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn each_listed_drift_is_a_difference_of_exactly_its_key_and_fields() {
    let setup = format!(
        "{}\nCREATE EXTENSION hstore VERSION '1.7';\n\
         INSERT INTO flyway_schema_history VALUES \
           (1, '1', 'init', 'SQL', 'V1__init.sql', 111, 'ci', now(), 5, true), \
           (2, '2', 'more', 'SQL', 'V2__more.sql', 222, 'ci', now(), 5, true);",
        fixture_text("pg_shop.sql")
    );
    let base = PgDb::new(&setup);
    let drifted = PgDb::new(&setup);
    drifted.exec(&format!(
        "ALTER TABLE customers ADD COLUMN phone text;
         CREATE TABLE refunds (id bigint PRIMARY KEY);
         ALTER TABLE customers DROP CONSTRAINT customers_email_key;
         ALTER TABLE customers ALTER COLUMN name TYPE varchar(100);
         ALTER TABLE customers ALTER COLUMN created_at DROP NOT NULL;
         ALTER TABLE orders ALTER COLUMN note SET DEFAULT 'n/a';
         DROP INDEX orders_customer_idx;
         UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'orders_status_created_idx'::regclass;
         ALTER TABLE orders DROP CONSTRAINT orders_amount_check;
         ALTER TABLE orders ADD CONSTRAINT orders_amount_check CHECK (amount > (0)::numeric) NOT VALID;
         ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;
         ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id) ON DELETE RESTRICT;
         ALTER TYPE order_status ADD VALUE 'refunded';
         ALTER EXTENSION hstore UPDATE TO '1.8';
         CREATE OR REPLACE VIEW paid_orders AS SELECT id, amount FROM orders WHERE status = 'shipped';
         CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ begin return new; end $$;
         DROP TRIGGER orders_touch ON orders;
         CREATE TRIGGER orders_touch AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
         ALTER DATABASE {} SET work_mem = '8MB';
         UPDATE flyway_schema_history SET checksum = 999 WHERE version = '1';
         INSERT INTO flyway_schema_history VALUES (3, '3', 'bad', 'SQL', 'V3__bad.sql', 333, 'ci', now(), 1, false);",
        drifted.name
    ));
    let a = live(&base);
    let b = live(&drifted);
    let d = diff(&a, &b);
    let p = "schema:postgres:";
    let expected: Vec<(String, Vec<&str>)> = vec![
        ("column:public.customers.created_at", vec!["nullable"]),
        ("column:public.customers.name", vec!["type"]),
        ("column:public.customers.phone", vec![]),
        ("column:public.orders.note", vec!["default"]),
        ("column:public.refunds.id", vec![]),
        ("column_order:public.customers", vec!["<value>"]),
        ("column_order:public.refunds", vec![]),
        ("constraint:public.customers.customers_email_key", vec![]),
        (
            "constraint:public.orders.orders_amount_check",
            vec!["validated"],
        ),
        (
            "constraint:public.orders.orders_customer_id_fkey",
            vec!["on_delete"],
        ),
        ("constraint:public.refunds.refunds_pkey", vec![]),
        ("enum:public.order_status", vec!["<value>"]),
        ("extension_version:hstore", vec!["<value>"]),
        ("function:public.touch()", vec!["body"]),
        ("index:public.orders_customer_idx", vec![]),
        ("index:public.orders_status_created_idx", vec!["valid"]),
        ("migration:flyway:1", vec!["checksum"]),
        ("migration:flyway:3", vec![]),
        ("migrations:flyway", vec!["count", "failed", "latest"]),
        ("setting:work_mem", vec!["<value>"]),
        ("table:public.refunds", vec![]),
        ("trigger:public.orders.orders_touch", vec!["timing"]),
        ("view:public.paid_orders", vec!["definition"]),
    ]
    .into_iter()
    .map(|(k, f)| (format!("{p}{k}"), f))
    .collect();
    let got = changes(&d);
    let expected: Vec<(String, Vec<String>)> = expected
        .into_iter()
        .map(|(k, f)| (k, f.into_iter().map(str::to_owned).collect()))
        .collect();
    assert_eq!(got, expected, "{d:#?}");
    // The failed migration is named in the summary.
    assert_eq!(
        field(&b, "schema:postgres:migrations:flyway", "failed"),
        &Value::List(vec!["3".into()])
    );
}

#[test]
#[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn a_refused_connection_is_a_connect_error_and_other_sources_are_still_read() {
    let db = PgDb::new("CREATE TABLE t (id int)");
    let refused = SchemaSource::url("postgres://postgres:hunter2@127.0.0.1:1/x")
        .unwrap()
        .named("down");
    let c = collect_with(
        vec![refused, SchemaSource::url(&db.url()).unwrap()],
        SchemaOptions::default(),
    );
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    assert_eq!(c.errors[0].kind, ErrorKind::Connect);
    assert!(!format!("{:?}", c.errors).contains("hunter2"));
    assert!(
        c.errors[0].message.contains("127.0.0.1:1"),
        "{}",
        c.errors[0].message
    );
    assert!(entries(&c).contains_key("schema:postgres:table:public.t"));
}

#[test]
#[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn a_bad_password_is_an_auth_error_and_a_good_one_given_apart_works() {
    let db = PgDb::new("CREATE TABLE t (id int)");
    let url = with_db(&with_user(&pg_url(), "drift_test_pw", None), &db.name);
    let bad = collect(SchemaSource::url(&url).unwrap().with_password("not-it"));
    assert_eq!(bad.errors.len(), 1, "{:?}", bad.errors);
    assert_eq!(bad.errors[0].kind, ErrorKind::Auth, "{:?}", bad.errors);
    assert!(!format!("{:?}", bad.errors).contains("not-it"));
    let good = collect(
        SchemaSource::url(&url)
            .unwrap()
            .with_password("drift-test-pw"),
    );
    assert_no_errors(&good);
    assert!(entries(&good).contains_key("schema:postgres:table:public.t"));
}

#[test]
#[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn a_catalog_only_role_reads_everything_but_unreadable_history() {
    let db = shop();
    db.exec("INSERT INTO flyway_schema_history VALUES (1, '1', 'init', 'SQL', 'V1__init.sql', 111, 'ci', now(), 5, true)");
    let ro = with_db(&with_user(&pg_url(), "drift_test_ro", None), &db.name);
    let c = collect(SchemaSource::url(&ro).unwrap());
    // The history table needs SELECT, which the role lacks: one permission
    // error, and everything else is collected.
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    assert_eq!(c.errors[0].kind, ErrorKind::Permission);
    assert!(
        c.errors[0].message.contains("flyway"),
        "{}",
        c.errors[0].message
    );
    let super_m = live(&db);
    let ro_m = entries(&c);
    let d = diff(&super_m, &ro_m);
    assert!(
        d.keys().all(|k| k.contains(":migration")),
        "only the migration keys may differ: {d:#?}"
    );
}

#[test]
#[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn a_database_the_role_may_not_connect_to_is_a_permission_error() {
    let db = PgDb::new("CREATE TABLE t (id int)");
    db.exec(&format!(
        "REVOKE CONNECT ON DATABASE {} FROM PUBLIC",
        db.name
    ));
    let ro = with_db(&with_user(&pg_url(), "drift_test_ro", None), &db.name);
    let c = collect(SchemaSource::url(&ro).unwrap());
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    assert_eq!(c.errors[0].kind, ErrorKind::Permission, "{:?}", c.errors);
}

#[test]
#[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn a_locked_table_times_out_and_the_rest_is_collected() {
    let db = shop();
    let mut locker = db.client();
    locker
        .batch_execute("BEGIN; LOCK TABLE flyway_schema_history IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let options = SchemaOptions {
        statement_timeout: std::time::Duration::from_millis(300),
        ..SchemaOptions::default()
    };
    let c = collect_with(vec![SchemaSource::url(&db.url()).unwrap()], options);
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    assert_eq!(c.errors[0].kind, ErrorKind::Timeout, "{:?}", c.errors);
    assert!(
        c.errors[0].message.contains("flyway"),
        "{}",
        c.errors[0].message
    );
    // The catalog reads take no lock on the table; only reading the history
    // rows waits, and gives up after the timeout.
    let m = entries(&c);
    assert!(m.contains_key("schema:postgres:table:public.orders"));
    assert!(m.contains_key("schema:postgres:enum:public.order_status"));
    assert!(!m.keys().any(|k| k.contains("flyway")));
    assert!(m.contains_key("schema:postgres:index:public.orders_payment_idx"));
    locker.batch_execute("ROLLBACK").unwrap();
}

#[test]
#[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn connections_go_through_the_transport_tunnel() {
    use drift_collectors::Collector;
    let db = PgDb::new("CREATE TABLE t (id int)");
    let real = SchemaSource::url(&db.url()).unwrap();
    let port = match real.display().rsplit_once(':') {
        Some((_, rest)) => rest
            .split('/')
            .next()
            .unwrap_or("5432")
            .parse()
            .unwrap_or(5432),
        None => 5432,
    };
    let t = Tunnelled::new(port);
    let src =
        SchemaSource::url(&format!("postgres://postgres@db.internal:6543/{}", db.name)).unwrap();
    let c = drift_collectors::schema::SchemaCollector::new(vec![src]).collect(&t);
    assert_no_errors(&c);
    assert_eq!(
        *t.opened.lock().unwrap(),
        [("db.internal".to_owned(), 6543)]
    );
    assert!(entries(&c).contains_key("schema:postgres:table:public.t"));
}

#[test]
#[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn a_role_limited_to_one_connection_reads_everything_on_one() {
    let db = shop();
    let role = unique_name("role");
    db.exec(&format!("CREATE ROLE {role} LOGIN CONNECTION LIMIT 1"));
    let url = with_db(&with_user(&pg_url(), &role, None), &db.name);
    let c = collect(SchemaSource::url(&url).unwrap());
    db.exec(&format!("DROP ROLE {role}"));
    // The history table needs SELECT, which the role lacks; nothing else is
    // missing although the second connection was refused.
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    assert_eq!(c.errors[0].kind, ErrorKind::Permission);
    let d = diff(&live(&db), &entries(&c));
    assert!(d.keys().all(|k| k.contains(":migration")), "{d:#?}");
}
