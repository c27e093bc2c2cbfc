//! What MySQL/MariaDB schemas hold beyond columns and keys (comments, table
//! options, invisible columns, ignored keys, view options, routine
//! characteristics, trigger order, events), the noise that must not show,
//! and a mysqldump read the same as the live database (issue 20).

use std::collections::BTreeMap;

use drift_collectors::schema::SchemaSource;
use drift_core::Value;

use super::schema_common::*;
use super::schema_my_support::MyDb;

const NEEDS_MARIADB: &str =
    "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored";

fn live(db: &MyDb) -> BTreeMap<String, Value> {
    let c = collect(SchemaSource::url(&db.url()).unwrap());
    assert_no_errors(&c);
    entries(&c)
}

/// The entries of `db`'s mysqldump, asserted equal to its live read.
fn assert_dump_is_live(db: &MyDb) -> BTreeMap<String, Value> {
    let m = live(db);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.sql");
    std::fs::write(&path, db.dump()).unwrap();
    let c = collect(SchemaSource::file(&path));
    assert_no_errors(&c);
    let f = entries(&c);
    let d = diff(&file_expressible(&m), &file_expressible(&f));
    assert!(d.is_empty(), "dump and live differ: {d:#?}");
    f
}

/// What differs between two live databases, live-only kinds aside.
fn differences(a: &MyDb, b: &MyDb) -> BTreeMap<String, (Option<Value>, Option<Value>)> {
    diff(&file_expressible(&live(a)), &file_expressible(&live(b)))
}

const BASE: &str = "CREATE TABLE p (id int PRIMARY KEY);
    CREATE TABLE t (id int PRIMARY KEY, a int, b varchar(20), KEY ix (a));
    CREATE VIEW v AS SELECT id, a FROM t;
    CREATE FUNCTION f() RETURNS int DETERMINISTIC RETURN 1;
    CREATE TRIGGER t_one BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1;
    CREATE TRIGGER t_two BEFORE INSERT ON t FOR EACH ROW SET NEW.b = 'x';";

/// Each change, made on one of two databases holding [`BASE`]: the key
/// that must differ and the field that names the change (`None`: the key
/// is on one side only).
const CHANGES: &[(&str, &str, Option<&str>)] = &[
    (
        "ALTER TABLE t MODIFY a int COMMENT 'the a'",
        "column:t.a",
        Some("comment"),
    ),
    (
        "ALTER TABLE t MODIFY a int INVISIBLE",
        "column:t.a",
        Some("invisible"),
    ),
    ("ALTER TABLE t COMMENT 'orders'", "table:t", Some("comment")),
    (
        "ALTER TABLE t ROW_FORMAT=COMPACT",
        "table:t",
        Some("row_format"),
    ),
    (
        "ALTER TABLE t PAGE_COMPRESSED=1",
        "table:t",
        Some("options"),
    ),
    ("ALTER TABLE t ENGINE=MyISAM", "table:t", Some("engine")),
    (
        "ALTER TABLE t DEFAULT CHARSET=latin1",
        "table:t",
        Some("collation"),
    ),
    (
        "ALTER TABLE t DROP INDEX ix, ADD INDEX ix (a) COMMENT 'for lookups'",
        "index:t.ix",
        Some("comment"),
    ),
    (
        "ALTER TABLE t ALTER INDEX ix IGNORED",
        "index:t.ix",
        Some("ignored"),
    ),
    (
        "ALTER TABLE t ADD CONSTRAINT a_positive CHECK (a > 0)",
        "constraint:t.a_positive",
        None,
    ),
    (
        "ALTER TABLE t ADD COLUMN g int AS (a + 1) VIRTUAL",
        "column:t.g",
        None,
    ),
    (
        "CREATE OR REPLACE SQL SECURITY INVOKER VIEW v AS SELECT id, a FROM t",
        "view:v",
        Some("security"),
    ),
    (
        "CREATE OR REPLACE ALGORITHM=MERGE VIEW v AS SELECT id, a FROM t",
        "view:v",
        Some("algorithm"),
    ),
    (
        "CREATE OR REPLACE VIEW v AS SELECT id, a FROM t WITH LOCAL CHECK OPTION",
        "view:v",
        Some("check_option"),
    ),
    (
        "DROP FUNCTION f; CREATE FUNCTION f() RETURNS int DETERMINISTIC READS SQL DATA RETURN 1",
        "function:f",
        Some("data_access"),
    ),
    (
        "ALTER FUNCTION f COMMENT 'one'",
        "function:f",
        Some("comment"),
    ),
    (
        "DROP TRIGGER t_two; CREATE TRIGGER t_two BEFORE INSERT ON t FOR EACH ROW PRECEDES t_one SET NEW.b = 'x'",
        "trigger:t.t_one",
        Some("order"),
    ),
    (
        "CREATE EVENT cleanup ON SCHEDULE EVERY 1 DAY DO DELETE FROM t",
        "event:cleanup",
        None,
    ),
    (
        "ALTER EVENT cleanup ON SCHEDULE EVERY 2 HOUR",
        "event:cleanup",
        Some("schedule"),
    ),
];

#[test]
#[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn each_recorded_kind_is_a_finding_naming_it_and_a_dump_reads_as_live() {
    let base = MyDb::new(BASE);
    base.exec("CREATE EVENT cleanup ON SCHEDULE EVERY 1 DAY DO DELETE FROM t");
    let _ = NEEDS_MARIADB;
    assert_dump_is_live(&base);
    for (sql, key, field) in CHANGES {
        let a = MyDb::new(BASE);
        let b = MyDb::new(BASE);
        if key.starts_with("event:") && sql.starts_with("ALTER") {
            for db in [&a, &b] {
                db.exec("CREATE EVENT cleanup ON SCHEDULE EVERY 1 DAY DO DELETE FROM t");
            }
        }
        assert!(differences(&a, &b).is_empty(), "identical databases differ");
        b.exec(sql);
        let d = differences(&a, &b);
        let full = format!("schema:mysql:{key}");
        let Some((x, y)) = d.get(&full) else {
            panic!("`{sql}` gives no finding on `{full}`: {d:#?}");
        };
        if let Some(field) = field {
            let (x, y) = (x.as_ref().unwrap(), y.as_ref().unwrap());
            assert!(
                differing_fields(x, y).contains(&field.to_string()),
                "`{sql}`: `{full}` differs in {:?}, not `{field}`",
                differing_fields(x, y)
            );
        } else {
            assert!(x.is_none() && y.is_some(), "`{sql}`: {x:?} → {y:?}");
        }
        assert_dump_is_live(&b);
    }
}

#[test]
#[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn a_unique_key_and_a_foreign_key_of_one_name_stay_two_entries() {
    let sql = |action: &str| {
        format!(
            "CREATE TABLE p (id int PRIMARY KEY);
             CREATE TABLE c (id int PRIMARY KEY, p_id int,
               UNIQUE KEY c_p (p_id),
               CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE {action})"
        )
    };
    let a = MyDb::new(&sql("CASCADE"));
    let b = MyDb::new(&sql("RESTRICT"));
    let m = live(&a);
    let unique = "schema:mysql:constraint:c.c_p";
    let fk = "schema:mysql:constraint:c.c_p.foreign_key";
    assert_eq!(field(&m, unique, "type"), &Value::from("unique"));
    assert_eq!(
        field(&m, unique, "columns"),
        &Value::List(vec!["p_id".into()])
    );
    assert_eq!(field(&m, fk, "type"), &Value::from("foreign key"));
    assert_eq!(field(&m, fk, "references"), &Value::from("p"));
    assert_eq!(field(&m, fk, "on_delete"), &Value::from("cascade"));
    let d = differences(&a, &b);
    let keys: Vec<&str> = d.keys().map(String::as_str).collect();
    assert_eq!(keys, [fk], "{d:#?}");
    assert_dump_is_live(&a);
}

#[test]
#[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn a_new_table_default_charset_changes_the_table_and_no_column() {
    let sql = "CREATE TABLE t (id int, name varchar(20), note text) DEFAULT CHARSET=latin1";
    let a = MyDb::new(sql);
    let b = MyDb::new(sql);
    b.exec("ALTER TABLE t DEFAULT CHARSET=utf8mb4");
    let d = differences(&a, &b);
    let keys: Vec<&str> = d.keys().map(String::as_str).collect();
    assert_eq!(keys, ["schema:mysql:table:t"], "{d:#?}");
    assert_dump_is_live(&b);
    // Converting the columns is a change of each of them.
    b.exec("ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4");
    let d = differences(&a, &b);
    assert!(d.contains_key("schema:mysql:column:t.name"), "{d:#?}");
    assert_dump_is_live(&b);
}

#[test]
#[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn names_in_other_case_and_equivalent_checks_are_no_difference() {
    let a = MyDb::new(
        "CREATE TABLE t (a int, b int, KEY Ix_A (a), CONSTRAINT Pos CHECK (a>0 AND b != 2))",
    );
    let b = MyDb::new(
        "CREATE TABLE t (a int, b int, KEY ix_a (a), CONSTRAINT pos CHECK ((`a` > 0) and (b <> 2)))",
    );
    let d = differences(&a, &b);
    assert!(d.is_empty(), "{d:#?}");
    assert_dump_is_live(&a);
}

#[test]
#[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn dumps_of_bits_partitions_check_options_and_spatial_keys_read_as_live() {
    let db = MyDb::new(
        "CREATE TABLE flags (id int, f bit(1) DEFAULT b'1', g bit(4) DEFAULT b'1010');
         CREATE TABLE h (id int NOT NULL) PARTITION BY LINEAR HASH (id) PARTITIONS 4;
         CREATE TABLE k (id int NOT NULL) PARTITION BY LINEAR KEY (id) PARTITIONS 3;
         CREATE TABLE k2 (id int NOT NULL) PARTITION BY KEY (id) PARTITIONS 2;
         CREATE TABLE geo (id int, g point NOT NULL, SPATIAL KEY g_idx (g));
         CREATE VIEW checked AS SELECT id FROM flags WHERE id > 0 WITH CHECK OPTION;
         CREATE VIEW local_checked AS SELECT id FROM checked WITH LOCAL CHECK OPTION;",
    );
    let f = assert_dump_is_live(&db);
    let flag = "schema:mysql:column:flags.f";
    assert_eq!(field(&f, flag, "default"), &Value::from("b'1'"));
    let Value::Object(p) = field(&f, "schema:mysql:table:h", "partitions") else {
        panic!("no partitions")
    };
    assert_eq!(p["count"], Value::Int(4));
    assert_eq!(
        field(&f, "schema:mysql:table:k", "partition_key"),
        &Value::from("LINEAR KEY (id)")
    );
    assert_eq!(
        field(&f, "schema:mysql:view:checked", "check_option"),
        &Value::from("CASCADED")
    );
    assert_eq!(
        field(&f, "schema:mysql:index:geo.g_idx", "columns"),
        &Value::List(vec!["g".into()])
    );
}

#[test]
#[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn a_file_declaring_the_database_default_reads_as_the_same_ddl_run_live() {
    for default in [
        "CHARACTER SET latin1",
        "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        "COLLATE utf8mb4_general_ci",
    ] {
        let db = MyDb::new("");
        // Run as it is on the server, and read as it is from the file.
        let ddl = format!(
            "ALTER DATABASE {} {default};
             CREATE TABLE t (a varchar(10), b varchar(5) COLLATE latin1_bin,
                             c text CHARACTER SET utf8mb4, n int);
             CREATE TABLE u (a varchar(10)) DEFAULT CHARSET=latin1;",
            db.name
        );
        db.exec(&ddl);
        let m = live(&db);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("schema.sql");
        std::fs::write(&path, &ddl).unwrap();
        let c = collect(SchemaSource::file(&path));
        assert_no_errors(&c);
        let f = entries(&c);
        let (live_keys, file_keys) = (file_expressible(&m), file_expressible(&f));
        assert!(
            matches!(&live_keys["schema:mysql:column:t.a"],
                     Value::Object(o) if o.contains_key("collation")),
            "{default}: {live_keys:#?}"
        );
        assert_eq!(
            live_keys.keys().collect::<Vec<_>>(),
            file_keys.keys().collect::<Vec<_>>(),
            "{default}"
        );
        let d = diff(&live_keys, &file_keys);
        assert!(d.is_empty(), "{default}: file and live differ: {d:#?}");
    }
}
