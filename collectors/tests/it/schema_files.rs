//! Schema files without a server: PostgreSQL DDL as written by hand or by
//! pg_dump, dialect detection, statements that cannot be read, and sources
//! whose passwords never show.

use drift_collectors::schema::{Dialect, SchemaSource, collect_schema_text, detect_dialect};
use drift_core::{ErrorKind, Value};

use super::schema_common::*;

#[test]
fn hand_written_postgres_ddl_gets_the_names_postgres_would_choose() {
    let c = collect_schema_text(
        "create table orders (
            id serial primary key,
            email varchar(255) unique not null,
            customer_id int references customers,
            total numeric check (total >= 0)
         );
         create table customers (id bigint primary key);
         create index on orders (customer_id);
         create index on orders (lower(email));",
        Dialect::Postgres,
        "postgres",
    );
    assert_no_errors(&c);
    let m = entries(&c);
    for k in [
        "schema:postgres:constraint:public.orders.orders_pkey",
        "schema:postgres:constraint:public.orders.orders_email_key",
        "schema:postgres:constraint:public.orders.orders_customer_id_fkey",
        "schema:postgres:constraint:public.orders.orders_total_check",
        "schema:postgres:sequence:public.orders_id_seq",
        "schema:postgres:index:public.orders_customer_id_idx",
        "schema:postgres:index:public.orders_expr_idx",
    ] {
        assert!(m.contains_key(k), "missing `{k}`; have {:#?}", m.keys());
    }
    let id = "schema:postgres:column:public.orders.id";
    assert_eq!(field(&m, id, "type"), &Value::from("integer"));
    assert_eq!(
        field(&m, id, "default"),
        &Value::from("nextval('public.orders_id_seq'::regclass)")
    );
    let fk = "schema:postgres:constraint:public.orders.orders_customer_id_fkey";
    // A reference without columns is to the primary key.
    assert_eq!(
        field(&m, fk, "ref_columns"),
        &Value::List(vec!["id".into()])
    );
    assert_eq!(field(&m, fk, "on_delete"), &Value::from("no action"));
}

#[test]
fn an_unreadable_statement_is_a_parse_error_with_its_line_and_the_rest_is_read() {
    let c = collect_schema_text(
        "CREATE TABLE a (id integer);\n\nCREATE TABLE b AS SELECT 1;\nCREATE TABLE c (id integer);\n",
        Dialect::Postgres,
        "postgres",
    );
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    assert_eq!(c.errors[0].kind, ErrorKind::Parse);
    assert_eq!(c.errors[0].line, Some(3));
    let m = entries(&c);
    assert!(m.contains_key("schema:postgres:table:public.a"));
    assert!(m.contains_key("schema:postgres:table:public.c"));
}

#[test]
fn comments_whitespace_and_statement_order_make_no_difference() {
    let a = collect_schema_text(
        "CREATE TYPE s AS ENUM ('a', 'b');\nCREATE TABLE t (id int NOT NULL, st s DEFAULT 'a');\nCREATE INDEX t_st ON t (st);",
        Dialect::Postgres,
        "postgres",
    );
    let b = collect_schema_text(
        "-- the table first\ncreate   table t (\n  id   INTEGER not null, /* state */ st s default 'a'\n);\n\
         create type s as enum ('a','b');\n\ncreate index t_st on public.t using btree (st)",
        Dialect::Postgres,
        "postgres",
    );
    assert_no_errors(&a);
    assert_no_errors(&b);
    assert_eq!(diff(&entries(&a), &entries(&b)), Default::default());
}

#[test]
fn enum_labels_added_later_keep_their_place() {
    let c = collect_schema_text(
        "CREATE TYPE public.s AS ENUM ('a', 'c');\nALTER TYPE public.s ADD VALUE 'b' BEFORE 'c';\nALTER TYPE public.s ADD VALUE 'd';",
        Dialect::Postgres,
        "postgres",
    );
    assert_eq!(
        entries(&c)["schema:postgres:enum:public.s"],
        Value::List(vec!["a".into(), "b".into(), "c".into(), "d".into()])
    );
}

#[test]
fn dialects_are_detected_from_the_content() {
    assert_eq!(
        detect_dialect(&fixture_text("pg_shop.sql")),
        Dialect::Postgres
    );
    assert_eq!(
        detect_dialect(&fixture_text("mysql_shop.sql")),
        Dialect::Mysql
    );
    assert_eq!(
        detect_dialect(&fixture_text("sqlite_shop.sql")),
        Dialect::Sqlite
    );
    assert_eq!(
        detect_dialect(&fixture_text("rails_structure.sql")),
        Dialect::Postgres
    );
}

#[test]
fn a_name_replaces_the_engine_in_keys() {
    let c = collect(SchemaSource::file(fixture("pg_shop.sql")).named("billing"));
    assert_no_errors(&c);
    assert!(entries(&c).contains_key("schema:billing:table:public.orders"));
    assert_eq!(c.coverage.len(), 1);
}

#[test]
fn a_missing_schema_file_is_a_read_error() {
    let c = collect(SchemaSource::file("/nonexistent/structure.sql"));
    assert_eq!(c.errors.len(), 1);
    assert_eq!(c.errors[0].kind, ErrorKind::Read);
    assert!(
        c.errors[0].message.contains("does not exist"),
        "{}",
        c.errors[0].message
    );
}

#[test]
fn passwords_never_show_in_debug_display_or_errors() {
    let s = SchemaSource::url("postgres://app:hunter2@127.0.0.1:1/shop")
        .unwrap()
        .with_password("s3cret-given-apart");
    let shown = format!("{s:?} {}", s.display());
    assert!(
        !shown.contains("hunter2") && !shown.contains("s3cret"),
        "{shown}"
    );
    let bad = SchemaSource::url("ftp://u:hunter2@h/x").unwrap_err();
    assert!(!bad.to_string().contains("hunter2"), "{bad}");
    assert!(!format!("{bad:?}").contains("hunter2"));
}

#[test]
fn plain_sqlite_ddl_is_guessed_as_sqlite() {
    for src in [
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, avatar BLOB);",
        "CREATE TABLE IF NOT EXISTS \"posts\" (\"id\" integer primary key, \"title\" varchar);\n\
         CREATE TABLE sqlite_sequence(name,seq);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, created TEXT DEFAULT (datetime('now')));",
        "CREATE TABLE t (name TEXT COLLATE NOCASE UNIQUE ON CONFLICT REPLACE);",
    ] {
        assert_eq!(detect_dialect(src), Dialect::Sqlite, "{src}");
    }
    // What PostgreSQL and MySQL write still reads as theirs.
    assert_eq!(
        detect_dialect("CREATE TABLE t (id serial PRIMARY KEY, body jsonb);"),
        Dialect::Postgres
    );
    assert_eq!(
        detect_dialect("CREATE TABLE t (id int unsigned NOT NULL AUTO_INCREMENT) ENGINE=InnoDB;"),
        Dialect::Mysql
    );
}

/// The entries and errors of `bytes` read as a schema file.
fn read_file_bytes(bytes: &[u8]) -> drift_core::Collection {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.sql");
    std::fs::write(&path, bytes).unwrap();
    collect(SchemaSource::file(&path))
}

#[test]
fn a_file_that_declares_nothing_is_an_error_never_an_empty_schema() {
    for bytes in [
        &b""[..],
        b"-- nothing here\n",
        b"# drift\n\nA tool that compares environments. See the docs.\n",
        b"lorem ipsum dolor sit amet",
    ] {
        let c = read_file_bytes(bytes);
        assert_eq!(
            c.errors.len(),
            1,
            "{:?}: {:?}",
            String::from_utf8_lossy(bytes),
            c.errors
        );
        assert_eq!(c.errors[0].kind, ErrorKind::Parse);
        assert!(c.entries.is_empty());
    }
}

#[test]
fn a_binary_file_is_refused_without_showing_its_bytes() {
    let mut bytes = b"CREATE TABLE a (id int);\n".to_vec();
    bytes.extend([0u8, 159, 146, 150, 7, b'S', b'E', b'C', b'R', b'E', b'T']);
    let c = read_file_bytes(&bytes);
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    let shown = c.errors[0].to_string();
    assert!(shown.contains("not a text file"), "{shown}");
    assert!(!shown.contains("SECRET"), "{shown}");
    assert!(!shown.chars().any(|ch| ch.is_control()), "{shown:?}");
}

#[test]
fn a_misspelt_statement_is_an_error_with_its_line_once() {
    for (src, dialect) in [
        (
            "CREATE TABLE a (id integer);\nCREATE TABEL b (id integer);\n",
            Dialect::Postgres,
        ),
        (
            "CREATE TABLE `a` (`id` int);\n\nCRATE TABLE `b` (`id` int);\n",
            Dialect::Mysql,
        ),
    ] {
        let c = collect_schema_text(src, dialect, "f");
        assert_eq!(c.errors.len(), 1, "{src}: {:?}", c.errors);
        let line = if dialect == Dialect::Mysql { 3 } else { 2 };
        assert_eq!(c.errors[0].line, Some(line), "{src}");
        let shown = c.errors[0].to_string();
        assert_eq!(shown.matches("line").count(), 1, "{shown}");
        assert_eq!(shown.matches("`f`").count(), 1, "{shown}");
        assert!(
            entries(&c)
                .keys()
                .any(|k| k.ends_with("table:a") || k.ends_with("table:public.a"))
        );
    }
}

#[test]
fn a_mysql_url_without_a_database_is_refused_before_connecting() {
    let e = SchemaSource::url("mysql://root@127.0.0.1:1").unwrap_err();
    assert!(e.to_string().contains("name the database"), "{e}");
    assert!(SchemaSource::url("mysql://root@127.0.0.1:1/").is_err());
    assert!(SchemaSource::url("mysql://root@127.0.0.1:1/shop").is_ok());
}

/// A MySQL 8 mysqldump's views (testdata/schema/mysql8_views.sql, written as
/// client/mysqldump.cc writes them): `ALGORITHM=UNDEFINED` is the default and
/// recorded as no algorithm, as the live read records it (MySQL 8's live
/// read takes the algorithm from SHOW CREATE VIEW, the text the dump copies).
#[test]
fn mysql8_dump_views_keep_their_algorithm_and_undefined_is_none() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../testdata/schema/mysql8_views.sql"),
    )
    .unwrap();
    assert_eq!(detect_dialect(&text), Dialect::Mysql);
    let c = collect_schema_text(&text, Dialect::Mysql, "mysql");
    assert_no_errors(&c);
    let e = entries(&c);
    let view = |name: &str| match &e[&format!("schema:mysql:view:{name}")] {
        Value::Object(o) => o
            .iter()
            .filter(|(k, _)| *k != "definition" && *k != "definition_hash")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<std::collections::BTreeMap<_, _>>(),
        other => panic!("{name}: {other:?}"),
    };
    let s = |v: &str| Value::String(v.into());
    let merge = view("v_merge");
    assert_eq!(merge.get("algorithm"), Some(&s("MERGE")), "{merge:?}");
    assert_eq!(merge.get("check_option"), Some(&s("CASCADED")), "{merge:?}");
    assert_eq!(merge.get("security"), None, "{merge:?}");
    let temp = view("v_temp");
    assert_eq!(temp.get("algorithm"), Some(&s("TEMPTABLE")), "{temp:?}");
    assert_eq!(temp.get("security"), Some(&s("INVOKER")), "{temp:?}");
    let undefined = view("v_undefined");
    assert_eq!(undefined.get("algorithm"), None, "{undefined:?}");
    assert_eq!(
        undefined.get("check_option"),
        Some(&s("LOCAL")),
        "{undefined:?}"
    );
    // The final definition replaced the temporary one.
    assert!(
        format!("{:?}", e["schema:mysql:view:v_merge"]).contains("where"),
        "{:?}",
        e["schema:mysql:view:v_merge"]
    );
}
