//! Every migration tool's history table on PostgreSQL, MariaDB and SQLite:
//! one entry per applied migration and a summary per tool, the same on
//! every engine; the history tables are not reported as tables.

#![allow(dead_code)]

use std::collections::BTreeMap;

use drift_core::Value;

use super::schema_common::*;

#[derive(Clone, Copy)]
enum Engine {
    Pg,
    My,
    Lite,
}

/// The history tables of every tool, as each tool creates them (types
/// adapted per engine), with a few rows.
fn history_sql(e: Engine, golang_migrate: bool) -> String {
    let bytes = match e {
        Engine::Pg => "bytea",
        _ => "blob",
    };
    let hex = |h: &str| match e {
        Engine::Pg => format!("'\\x{h}'::bytea"),
        _ => format!("X'{h}'"),
    };
    let ts = match e {
        Engine::My => "datetime",
        _ => "timestamp",
    };
    if golang_migrate {
        return "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);\n\
                INSERT INTO schema_migrations VALUES (7, true);"
            .to_owned();
    }
    let atlas_table = match e {
        Engine::Pg => {
            "CREATE SCHEMA atlas_schema_revisions; CREATE TABLE atlas_schema_revisions.atlas_schema_revisions"
        }
        _ => "CREATE TABLE atlas_schema_revisions",
    };
    let atlas_insert = match e {
        Engine::Pg => "INSERT INTO atlas_schema_revisions.atlas_schema_revisions",
        _ => "INSERT INTO atlas_schema_revisions",
    };
    format!(
        "CREATE TABLE flyway_schema_history (installed_rank integer NOT NULL PRIMARY KEY, version varchar(50), \
           description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, \
           checksum integer, installed_by varchar(100) NOT NULL, installed_on {ts} NOT NULL, \
           execution_time integer NOT NULL, success boolean NOT NULL);
         INSERT INTO flyway_schema_history VALUES (1, '1', 'init', 'SQL', 'V1__init.sql', 123, 'ci', '2024-01-01 00:00:00', 5, true);
         INSERT INTO flyway_schema_history VALUES (2, '2', 'more', 'SQL', 'V2__more.sql', 456, 'ci', '2024-01-02 00:00:00', 5, false);
         INSERT INTO flyway_schema_history VALUES (3, NULL, 'views', 'SQL', 'R__views.sql', 789, 'ci', '2024-01-03 00:00:00', 5, true);
         CREATE TABLE schema_migrations (version varchar(255) NOT NULL PRIMARY KEY);
         INSERT INTO schema_migrations VALUES ('20240101000000'), ('20240102000000');
         CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);
         INSERT INTO alembic_version VALUES ('ae1027a6acf');
         CREATE TABLE django_migrations (id integer NOT NULL PRIMARY KEY, app varchar(255) NOT NULL, \
           name varchar(255) NOT NULL, applied {ts} NOT NULL);
         INSERT INTO django_migrations VALUES (1, 'auth', '0001_initial', '2024-01-01 00:00:00');
         CREATE TABLE _sqlx_migrations (version bigint NOT NULL PRIMARY KEY, description text NOT NULL, \
           installed_on {ts} NOT NULL, success boolean NOT NULL, checksum {bytes} NOT NULL, execution_time bigint NOT NULL);
         INSERT INTO _sqlx_migrations VALUES (20240101, 'init', '2024-01-01 00:00:00', true, {}, 10);
         CREATE TABLE goose_db_version (id integer NOT NULL PRIMARY KEY, version_id bigint NOT NULL, \
           is_applied boolean NOT NULL, tstamp {ts});
         INSERT INTO goose_db_version VALUES (1, 0, true, NULL), (2, 1, true, NULL), (3, 2, true, NULL), (4, 2, false, NULL);
         CREATE TABLE knex_migrations (id integer NOT NULL PRIMARY KEY, name varchar(255), batch integer, migration_time {ts});
         INSERT INTO knex_migrations VALUES (1, '20240101_init.js', 1, NULL);
         CREATE TABLE knex_migrations_lock (idx integer NOT NULL PRIMARY KEY, is_locked integer);
         CREATE TABLE __diesel_schema_migrations (version varchar(50) NOT NULL PRIMARY KEY, run_on {ts});
         INSERT INTO __diesel_schema_migrations VALUES ('20240101000000', NULL);
         {atlas_table} (version varchar(255) NOT NULL PRIMARY KEY, description varchar(255) NOT NULL, \
           type bigint NOT NULL, applied bigint NOT NULL, total bigint NOT NULL, executed_at {ts} NOT NULL, \
           execution_time bigint NOT NULL, error text, error_stmt text, hash varchar(255) NOT NULL, \
           partial_hashes text, operator_version varchar(255) NOT NULL);
         {atlas_insert} VALUES ('20240101', 'init', 2, 3, 3, '2024-01-01 00:00:00', 1, NULL, NULL, 'h1', NULL, 'v0.1');
         {atlas_insert} VALUES ('20240102', 'more', 2, 1, 3, '2024-01-02 00:00:00', 1, 'boom', 'x', 'h2', NULL, 'v0.1');
         CREATE TABLE databasechangelog (id varchar(255) NOT NULL, author varchar(255) NOT NULL, \
           filename varchar(255) NOT NULL, dateexecuted {ts} NOT NULL, orderexecuted integer NOT NULL, \
           exectype varchar(10) NOT NULL, md5sum varchar(35), description varchar(255));
         INSERT INTO databasechangelog VALUES ('1', 'me', 'db.xml', '2024-01-01 00:00:00', 1, 'EXECUTED', '9:abc', 'x');
         CREATE TABLE databasechangeloglock (id integer NOT NULL PRIMARY KEY, locked boolean NOT NULL);
         CREATE TABLE app_users (id integer PRIMARY KEY);",
        hex("0a0b")
    )
}

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

/// Asserts the migration entries of `m` under `label`.
fn assert_tools(m: &BTreeMap<String, Value>, label: &str) {
    let k = |rest: &str| format!("schema:{label}:{rest}");
    let b = Value::Bool;
    let s = |x: &str| Value::from(x);
    let expect: Vec<(String, Value)> = vec![
        (
            k("migration:flyway:1"),
            obj(&[
                ("checksum", s("123")),
                ("script", s("V1__init.sql")),
                ("success", b(true)),
            ]),
        ),
        (
            k("migration:flyway:2"),
            obj(&[
                ("checksum", s("456")),
                ("script", s("V2__more.sql")),
                ("success", b(false)),
            ]),
        ),
        (
            k("migration:flyway:\"R:R__views.sql\""),
            obj(&[
                ("checksum", s("789")),
                ("script", s("R__views.sql")),
                ("success", b(true)),
            ]),
        ),
        (k("migration:schema_migrations:20240102000000"), obj(&[])),
        (k("migration:alembic:ae1027a6acf"), obj(&[])),
        (k("migration:django:auth/0001_initial"), obj(&[])),
        (
            k("migration:sqlx:20240101"),
            obj(&[
                ("checksum", s("0a0b")),
                ("description", s("init")),
                ("success", b(true)),
            ]),
        ),
        (k("migration:goose:1"), obj(&[])),
        (k("migration:knex:\"20240101_init.js\""), obj(&[])),
        (k("migration:diesel:20240101000000"), obj(&[])),
        (
            k("migration:atlas:20240102"),
            obj(&[
                ("applied", Value::Int(1)),
                ("description", s("more")),
                ("error", b(true)),
                ("hash", s("h2")),
                ("success", b(false)),
                ("total", Value::Int(3)),
            ]),
        ),
        (
            k("migration:liquibase:\"db.xml::1::me\""),
            obj(&[
                ("checksum", s("9:abc")),
                ("exectype", s("EXECUTED")),
                ("success", b(true)),
            ]),
        ),
    ];
    for (key, want) in expect {
        assert_eq!(
            m.get(&key),
            Some(&want),
            "`{key}`; have {:#?}",
            migration_keys(m)
        );
    }
    // Goose's rolled-back version 2 and its initial version 0 are not applied.
    assert!(!m.contains_key(&k("migration:goose:2")));
    assert!(!m.contains_key(&k("migration:goose:0")));
    let flyway = &m[&k("migrations:flyway")];
    assert_eq!(
        flyway,
        &obj(&[
            ("count", Value::Int(3)),
            ("dirty", b(false)),
            ("failed", Value::List(vec!["2".into()])),
            ("latest", s("R:R__views.sql")),
        ])
    );
    let atlas = &m[&k("migrations:atlas")];
    assert_eq!(
        field_of(atlas, "failed"),
        &Value::List(vec!["20240102".into()])
    );
    assert_eq!(
        field_of(&m[&k("migrations:django")], "latest"),
        &Value::Null
    );
    // History and lock tables are not tables; ordinary tables still are.
    assert!(m.contains_key(&k("table:app_users")) || m.contains_key(&k("table:public.app_users")));
    for t in [
        "flyway_schema_history",
        "schema_migrations",
        "alembic_version",
        "django_migrations",
        "_sqlx_migrations",
        "goose_db_version",
        "knex_migrations",
        "knex_migrations_lock",
        "__diesel_schema_migrations",
        "atlas_schema_revisions",
        "databasechangelog",
        "databasechangeloglock",
    ] {
        assert!(
            !m.keys()
                .any(|key| key.contains(":table:") && key.ends_with(t)),
            "`{t}` reported as a table"
        );
    }
}

fn field_of<'a>(v: &'a Value, f: &str) -> &'a Value {
    match v {
        Value::Object(o) => &o[f],
        other => panic!("{other:?}"),
    }
}

fn migration_keys(m: &BTreeMap<String, Value>) -> Vec<&String> {
    m.keys().filter(|k| k.contains(":migration")).collect()
}

fn assert_golang_migrate(m: &BTreeMap<String, Value>, label: &str) {
    assert_eq!(
        m[&format!("schema:{label}:migration:golang-migrate:7")],
        obj(&[("dirty", Value::Bool(true))])
    );
    assert_eq!(
        field_of(
            &m[&format!("schema:{label}:migrations:golang-migrate")],
            "dirty"
        ),
        &Value::Bool(true)
    );
}

#[cfg(feature = "sqlite")]
#[test]
fn every_tool_on_sqlite() {
    let (_d, path) = super::schema_sqlite::sqlite_db(&history_sql(Engine::Lite, false));
    assert_tools(&super::schema_sqlite::live(&path), "sqlite");
    let (_g, path) = super::schema_sqlite::sqlite_db(&history_sql(Engine::Lite, true));
    assert_golang_migrate(&super::schema_sqlite::live(&path), "sqlite");
}

#[cfg(feature = "postgres")]
#[test]
#[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn every_tool_on_postgres() {
    use drift_collectors::schema::SchemaSource;
    let read = |db: &super::schema_pg_support::PgDb| {
        let c = collect(SchemaSource::url(&db.url()).unwrap());
        assert_no_errors(&c);
        entries(&c)
    };
    let db = super::schema_pg_support::PgDb::new(&history_sql(Engine::Pg, false));
    assert_tools(&read(&db), "postgres");
    let db = super::schema_pg_support::PgDb::new(&history_sql(Engine::Pg, true));
    assert_golang_migrate(&read(&db), "postgres");
}

#[cfg(feature = "mysql")]
#[test]
#[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn every_tool_on_mariadb() {
    use drift_collectors::schema::SchemaSource;
    let read = |db: &super::schema_my_support::MyDb| {
        let c = collect(SchemaSource::url(&db.url()).unwrap());
        assert_no_errors(&c);
        entries(&c)
    };
    let db = super::schema_my_support::MyDb::new("");
    for stmt in history_sql(Engine::My, false).split(";\n") {
        if !stmt.trim().is_empty() {
            db.exec(stmt);
        }
    }
    assert_tools(&read(&db), "mysql");
    let db = super::schema_my_support::MyDb::new("");
    for stmt in history_sql(Engine::My, true).split(";\n") {
        if !stmt.trim().is_empty() {
            db.exec(stmt);
        }
    }
    assert_golang_migrate(&read(&db), "mysql");
}

#[test]
fn rails_structure_sql_carries_its_applied_versions() {
    let sql = fixture_text("rails_structure.sql");
    let c = drift_collectors::schema::collect_schema_text(
        &sql,
        drift_collectors::schema::Dialect::Postgres,
        "postgres",
    );
    assert_no_errors(&c);
    let m = entries(&c);
    assert!(m.contains_key("schema:postgres:migration:schema_migrations:20240101120000"));
    assert!(m.contains_key("schema:postgres:migration:schema_migrations:20240215093000"));
    assert_eq!(
        field(&m, "schema:postgres:migrations:schema_migrations", "latest"),
        &Value::from("20240215093000")
    );
    assert!(!m.contains_key("schema:postgres:table:public.schema_migrations"));
    assert!(m.contains_key("schema:postgres:column:public.users.email"));
}
