//! The schema collector against a live MariaDB/MySQL: every object kind,
//! the same entries from a mysqldump as from the database, and the failures.

use drift_collectors::schema::{SchemaOptions, SchemaSource};
use drift_core::{ErrorKind, Value};

use super::schema_common::*;
use super::schema_my_support::MyDb;

fn shop() -> MyDb {
    MyDb::new(&fixture_text("mysql_shop.sql"))
}

fn live(db: &MyDb) -> std::collections::BTreeMap<String, Value> {
    let c = collect(SchemaSource::url(&db.url()).unwrap());
    assert_no_errors(&c);
    entries(&c)
}

const PARTITIONED: &str = "CREATE TABLE events (id bigint NOT NULL, y int NOT NULL, \
    PRIMARY KEY (id, y)) PARTITION BY RANGE (y) \
    (PARTITION p2024 VALUES LESS THAN (2025), PARTITION pmax VALUES LESS THAN MAXVALUE)";

#[test]
#[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn every_object_kind_is_collected() {
    let db = shop();
    db.exec(PARTITIONED);
    db.exec("INSERT INTO schema_migrations VALUES ('20240101000000'), ('20240201000000')");
    let m = live(&db);
    for k in [
        "schema:mysql:table:orders",
        "schema:mysql:column:orders.payment_intent_id",
        "schema:mysql:column_order:orders",
        "schema:mysql:index:orders.orders_status_note",
        "schema:mysql:constraint:orders.PRIMARY",
        "schema:mysql:constraint:customers.customers_email",
        "schema:mysql:constraint:orders.orders_customer_fk",
        "schema:mysql:constraint:orders.orders_amount_positive",
        "schema:mysql:view:paid_orders",
        "schema:mysql:trigger:orders.orders_note",
        "schema:mysql:function:order_total",
        "schema:mysql:procedure:archive_orders",
        "schema:mysql:setting:sql_mode",
        "schema:mysql:setting:lower_case_table_names",
        "schema:mysql:setting:max_connections",
        "schema:mysql:setting:character_set_server",
        "schema:mysql:setting:collation_server",
        "schema:mysql:server:version",
        "schema:mysql:migration:schema_migrations:20240201000000",
        "schema:mysql:migrations:schema_migrations",
    ] {
        assert!(m.contains_key(k), "missing `{k}`; have {:#?}", m.keys());
    }
    let id = "schema:mysql:column:orders.id";
    assert_eq!(field(&m, id, "type"), &Value::from("bigint unsigned"));
    assert_eq!(field(&m, id, "identity"), &Value::from("auto_increment"));
    let status = "schema:mysql:column:orders.status";
    assert_eq!(field(&m, status, "default"), &Value::from("'pending'"));
    let fk = "schema:mysql:constraint:orders.orders_customer_fk";
    assert_eq!(field(&m, fk, "on_delete"), &Value::from("cascade"));
    let created = "schema:mysql:column:customers.created_at";
    assert_eq!(
        field(&m, created, "on_update"),
        &Value::from("current_timestamp()")
    );
    let parts = field(&m, "schema:mysql:table:events", "partitions");
    let Value::Object(p) = parts else {
        panic!("{parts:?}")
    };
    assert_eq!(p["count"], Value::Int(2));
    assert!(!m.keys().any(|k| k.contains(":table:schema_migrations")));
    // No AUTO_INCREMENT counter anywhere.
    db.exec("INSERT INTO customers (email) VALUES ('a@x')");
    assert_eq!(diff(&m, &live(&db)), Default::default());
}

#[test]
#[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn a_mysqldump_gives_the_same_entries_as_the_live_database() {
    let db = shop();
    db.exec(PARTITIONED);
    let m = live(&db);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.sql");
    std::fs::write(&path, db.dump()).unwrap();
    let c = collect(SchemaSource::file(&path));
    assert_no_errors(&c);
    let d = diff(&file_expressible(&m), &file_expressible(&entries(&c)));
    assert!(d.is_empty(), "dump and live differ: {d:#?}");
}

#[test]
#[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn column_order_alone_differs_only_in_the_column_order_key() {
    let a = MyDb::new("CREATE TABLE t (a int NOT NULL, b varchar(5) DEFAULT 'x', c date)");
    let b = MyDb::new("CREATE TABLE t (c date, a int NOT NULL, b varchar(5) DEFAULT 'x')");
    let d = diff(&live(&a), &live(&b));
    let keys: Vec<&str> = d.keys().map(String::as_str).collect();
    assert_eq!(keys, ["schema:mysql:column_order:t"]);
}

#[test]
#[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn each_listed_drift_is_a_difference_of_exactly_its_key_and_fields() {
    let base = shop();
    let drifted = shop();
    for db in [&base, &drifted] {
        db.exec("INSERT INTO schema_migrations VALUES ('1'), ('2')");
    }
    drifted.exec(
        "ALTER TABLE customers ADD COLUMN phone varchar(20);
         ALTER TABLE customers MODIFY name varchar(150) DEFAULT NULL;
         ALTER TABLE orders MODIFY payment_intent_id varchar(64) NOT NULL;
         ALTER TABLE orders ALTER note SET DEFAULT 'n/a';
         ALTER TABLE orders MODIFY status enum('pending','paid','shipped','refunded') NOT NULL DEFAULT 'pending';
         ALTER TABLE orders DROP INDEX orders_status_note;
         ALTER TABLE orders DROP FOREIGN KEY orders_customer_fk;
         ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE RESTRICT;
         CREATE OR REPLACE VIEW paid_orders AS SELECT id, amount FROM orders WHERE status = 'shipped';
         DROP TRIGGER orders_note;
         CREATE TRIGGER orders_note BEFORE INSERT ON orders FOR EACH ROW SET NEW.note = 'x';
         DROP PROCEDURE archive_orders;
         CREATE PROCEDURE archive_orders(IN p_status varchar(20)) DELETE FROM orders WHERE status <> p_status;
         DELETE FROM schema_migrations WHERE version = '2';",
    );
    let d = diff(&live(&base), &live(&drifted));
    let got = changes(&d);
    let expected: Vec<(String, Vec<String>)> = [
        ("column:customers.name", vec!["type"]),
        ("column:customers.phone", vec![]),
        ("column:orders.note", vec!["default"]),
        ("column:orders.payment_intent_id", vec!["nullable"]),
        ("column:orders.status", vec!["type"]),
        ("column_order:customers", vec!["<value>"]),
        ("constraint:orders.orders_customer_fk", vec!["on_delete"]),
        ("index:orders.orders_status_note", vec![]),
        ("migration:schema_migrations:2", vec![]),
        ("migrations:schema_migrations", vec!["count", "latest"]),
        ("procedure:archive_orders", vec!["body"]),
        ("trigger:orders.orders_note", vec!["body"]),
        ("view:paid_orders", vec!["definition"]),
    ]
    .into_iter()
    .map(|(k, f)| {
        (
            format!("schema:mysql:{k}"),
            f.into_iter().map(str::to_owned).collect(),
        )
    })
    .collect();
    assert_eq!(got, expected, "{d:#?}");
}

#[test]
#[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn a_refused_connection_is_a_connect_error() {
    let c = collect(SchemaSource::url("mysql://root:hunter2@127.0.0.1:1/x").unwrap());
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    assert_eq!(c.errors[0].kind, ErrorKind::Connect, "{:?}", c.errors);
    assert!(!format!("{:?}", c.errors).contains("hunter2"));
}

#[test]
#[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn a_bad_password_is_an_auth_error_and_a_good_one_given_apart_works() {
    let db = MyDb::new("CREATE TABLE t (id int)");
    db.exec(&format!(
        "GRANT SELECT, SHOW VIEW ON {}.* TO 'drift_test_pw'@'%'",
        db.name
    ));
    let url = with_db(&with_user(&mysql_url(), "drift_test_pw", None), &db.name);
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
    assert!(entries(&good).contains_key("schema:mysql:table:t"));
}

#[test]
#[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn a_user_without_privileges_is_a_permission_error() {
    let db = MyDb::new("CREATE TABLE t (id int)");
    let url = with_db(&with_user(&mysql_url(), "drift_test_ro", None), &db.name);
    let c = collect_with(
        vec![SchemaSource::url(&url).unwrap()],
        SchemaOptions::default(),
    );
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    assert_eq!(c.errors[0].kind, ErrorKind::Permission, "{:?}", c.errors);
}
