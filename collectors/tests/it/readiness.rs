//! Deploy readiness against real PostgreSQL and MariaDB: a subset of a
//! migration folder applied (with the history rows sqlx-cli itself wrote,
//! `testdata/release/sqlx/`), the database snapshotted by the live reader,
//! and the release's folder read by `ReleaseMigrations`; the one-way
//! comparison must find exactly what is pending, unknown, edited and out of
//! order. Then one test per change class (expand, contract, unmet) on each
//! engine.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use drift_collectors::Collector;
use drift_collectors::schema::{Dialect, ReleaseMigrations, SchemaSource, collect_schema_text};
use drift_collectors::transport::Local;
use drift_core::readiness::{ChangeClass, Verdict, compare};
use drift_core::{Collection, Manifest, ManifestBuilder, Role, Sanitizer};

use super::schema_common::*;

fn manifest(env: &str, role: Role, parts: Vec<Collection>) -> Manifest {
    let mut b = ManifestBuilder::new(env, "local", Sanitizer::default());
    b.role(role);
    for (i, c) in parts.into_iter().enumerate() {
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        b.add(if i == 0 { "schema" } else { "migrations" }, "0.1.0", c);
    }
    b.finish(None)
}

fn sqlx_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/release/sqlx")
}

/// The sqlx folder plus one migration newer than all of them.
fn release_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(sqlx_fixture().join("migrations")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    std::fs::write(
        dir.path().join("20240104000000_add_note.sql"),
        "ALTER TABLE orders ADD COLUMN note TEXT;\n",
    )
    .unwrap();
    dir
}

/// sqlx's history rows as sqlx wrote them on `engine`: version,
/// description, success, checksum (hex).
fn sqlx_rows(engine: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(sqlx_fixture().join(format!("history-{engine}.tsv")))
        .unwrap()
        .lines()
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

fn migration_sql(version: &str) -> String {
    let dir = sqlx_fixture().join("migrations");
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(version)
        {
            return std::fs::read_to_string(p).unwrap();
        }
    }
    panic!("no migration {version}")
}

/// Applies migrations 1 and 3 of the folder (not 2) and records them as
/// sqlx did, 3 with another checksum (edited after it ran), plus a
/// migration the release does not know.
fn apply_subset(exec: &dyn Fn(&str), pg: bool) -> Vec<String> {
    let (blob, ts) = if pg {
        ("BYTEA", "TIMESTAMPTZ NOT NULL DEFAULT now()")
    } else {
        ("BLOB", "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP")
    };
    let hex = |h: &str| {
        if pg {
            format!("'\\x{h}'::bytea")
        } else {
            format!("X'{h}'")
        }
    };
    // The table as sqlx creates it.
    exec(&format!(
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
         installed_on {ts}, success BOOLEAN NOT NULL, checksum {blob} NOT NULL, \
         execution_time BIGINT NOT NULL)"
    ));
    let rows = sqlx_rows(if pg { "postgres" } else { "mysql" });
    let mut applied = Vec::new();
    for r in &rows {
        let (version, description, checksum) = (&r[0], &r[1], &r[3]);
        if version == "20240102000000" {
            continue;
        }
        exec(&migration_sql(version));
        let checksum = if version == "20240103000000" {
            "00".repeat(48)
        } else {
            checksum.clone()
        };
        exec(&format!(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES ({version}, '{description}', TRUE, {}, 1)",
            hex(&checksum)
        ));
        applied.push(version.clone());
    }
    exec(&format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (20231231000000, 'from a branch', TRUE, {}, 1)",
        hex(&"ab".repeat(48))
    ));
    applied
}

fn migration_findings(label: &str, live: Collection) -> Vec<(String, &'static str)> {
    let dir = release_folder();
    let release = manifest(
        "release",
        Role::Release,
        vec![
            ReleaseMigrations::new(dir.path())
                .label(label)
                .collect(&Local::new()),
        ],
    );
    let env = manifest("prod", Role::Environment, vec![live]);
    let (findings, r) = compare(&release, &env);
    assert_eq!(r.verdict, Verdict::Blocked);
    findings
        .iter()
        .map(|f| (f.key.as_str().to_owned(), f.kind.as_str()))
        .collect()
}

fn expected(label: &str) -> Vec<(String, &'static str)> {
    let k = |id: &str| format!("schema:{label}:migration:sqlx:{id}");
    vec![
        (k("20231231000000"), "unknown"),
        (k("20240102000000"), "out_of_order"),
        (k("20240103000000"), "edited"),
        (k("20240104000000"), "pending"),
    ]
}

/// A release's schema file, its migrations folder, against the database.
fn classes(
    label: &str,
    dialect: Dialect,
    declared: &str,
    pending_sql: Option<&str>,
    live: Collection,
) -> Vec<(String, Option<ChangeClass>)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("V1__base.sql"), "SELECT 1;\n").unwrap();
    if let Some(sql) = pending_sql {
        std::fs::write(dir.path().join("V2__next.sql"), sql).unwrap();
    }
    let mut live = live;
    // The environment applied V1 as Flyway records it.
    let v1 = ReleaseMigrations::new(dir.path())
        .label(label)
        .collect(&Local::new());
    for (k, v) in v1.entries {
        if k.as_str().ends_with(":flyway:1") {
            live.entries.push((k, v));
        }
    }
    let release = manifest(
        "release",
        Role::Release,
        vec![
            collect_schema_text(declared, dialect, label),
            ReleaseMigrations::new(dir.path())
                .label(label)
                .collect(&Local::new()),
        ],
    );
    let env = manifest("prod", Role::Environment, vec![live]);
    let (findings, _) = compare(&release, &env);
    findings
        .iter()
        .filter(|f| f.key.as_str().contains(":column:"))
        .map(|f| (f.key.as_str().to_owned(), f.change_class))
        .collect()
}

#[cfg(feature = "postgres")]
mod pg {
    use super::super::schema_pg_support::PgDb;
    use super::*;

    const BASE: &str = "CREATE TABLE orders (id bigint PRIMARY KEY, total_cents bigint NOT NULL);";

    fn live(db: &PgDb) -> Collection {
        let c = collect(SchemaSource::url(&db.url()).unwrap());
        assert_no_errors(&c);
        c
    }

    #[test]
    #[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
    fn pending_unknown_edited_out_of_order_exactly() {
        let db = PgDb::new("");
        let applied = apply_subset(&|sql| db.exec(sql), true);
        assert_eq!(applied, ["20240101000000", "20240103000000"]);
        assert_eq!(
            migration_findings("postgres", live(&db)),
            expected("postgres")
        );
    }

    #[test]
    #[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
    fn expand_a_nullable_column_a_pending_migration_adds() {
        let db = PgDb::new(BASE);
        let declared = "CREATE TABLE public.orders (id bigint PRIMARY KEY, total_cents bigint NOT NULL, note text);";
        let got = classes(
            "postgres",
            Dialect::Postgres,
            declared,
            Some("ALTER TABLE orders ADD COLUMN note text;"),
            live(&db),
        );
        assert_eq!(
            got,
            [(
                "schema:postgres:column:public.orders.note".to_owned(),
                Some(ChangeClass::Expand)
            )]
        );
    }

    #[test]
    #[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
    fn contract_a_column_the_release_drops() {
        let db = PgDb::new(
            "CREATE TABLE orders (id bigint PRIMARY KEY, total_cents bigint NOT NULL, legacy text);",
        );
        let declared =
            "CREATE TABLE public.orders (id bigint PRIMARY KEY, total_cents bigint NOT NULL);";
        let got = classes("postgres", Dialect::Postgres, declared, None, live(&db));
        assert_eq!(
            got,
            [(
                "schema:postgres:column:public.orders.legacy".to_owned(),
                Some(ChangeClass::Contract)
            )]
        );
    }

    #[test]
    #[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
    fn unmet_a_column_no_migration_creates() {
        let db = PgDb::new(BASE);
        let declared = "CREATE TABLE public.orders (id bigint PRIMARY KEY, total_cents bigint NOT NULL, note text);";
        let got = classes("postgres", Dialect::Postgres, declared, None, live(&db));
        assert_eq!(
            got,
            [(
                "schema:postgres:column:public.orders.note".to_owned(),
                Some(ChangeClass::Unmet)
            )]
        );
    }
    #[test]
    #[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
    fn contract_a_pending_migration_drops_a_column() {
        let db = PgDb::new(
            "CREATE TABLE orders (id bigint PRIMARY KEY, total_cents bigint NOT NULL, legacy text);",
        );
        let declared = "CREATE TABLE public.orders (id bigint PRIMARY KEY, total_cents bigint NOT NULL, legacy text);";
        let got = classes(
            "postgres",
            Dialect::Postgres,
            declared,
            Some("ALTER TABLE orders DROP COLUMN legacy;"),
            live(&db),
        );
        assert_eq!(
            got,
            [(
                "schema:postgres:column:public.orders.legacy".to_owned(),
                Some(ChangeClass::Contract)
            )]
        );
    }
}

#[cfg(feature = "mysql")]
mod my {
    use super::super::schema_my_support::MyDb;
    use super::*;

    const BASE: &str = "CREATE TABLE orders (id bigint PRIMARY KEY, total_cents bigint NOT NULL);";

    fn live(db: &MyDb) -> Collection {
        let c = collect(SchemaSource::url(&db.url()).unwrap());
        assert_no_errors(&c);
        c
    }

    #[test]
    #[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
    fn pending_unknown_edited_out_of_order_exactly() {
        let db = MyDb::new("");
        let applied = apply_subset(&|sql| db.exec(sql), false);
        assert_eq!(applied, ["20240101000000", "20240103000000"]);
        assert_eq!(migration_findings("mysql", live(&db)), expected("mysql"));
    }

    #[test]
    #[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
    fn expand_a_nullable_column_a_pending_migration_adds() {
        let db = MyDb::new(BASE);
        let declared = "CREATE TABLE `orders` (`id` bigint NOT NULL, `total_cents` bigint NOT NULL, `note` text, PRIMARY KEY (`id`)) ENGINE=InnoDB;";
        let got = classes(
            "mysql",
            Dialect::Mysql,
            declared,
            Some("ALTER TABLE orders ADD COLUMN note text;"),
            live(&db),
        );
        assert_eq!(
            got,
            [(
                "schema:mysql:column:orders.note".to_owned(),
                Some(ChangeClass::Expand)
            )]
        );
    }

    #[test]
    #[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
    fn contract_a_column_the_release_drops() {
        let db = MyDb::new(
            "CREATE TABLE orders (id bigint PRIMARY KEY, total_cents bigint NOT NULL, legacy text);",
        );
        let declared = "CREATE TABLE `orders` (`id` bigint NOT NULL, `total_cents` bigint NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB;";
        let got = classes("mysql", Dialect::Mysql, declared, None, live(&db));
        assert_eq!(
            got,
            [(
                "schema:mysql:column:orders.legacy".to_owned(),
                Some(ChangeClass::Contract)
            )]
        );
    }

    #[test]
    #[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
    fn unmet_a_column_no_migration_creates() {
        let db = MyDb::new(BASE);
        let declared = "CREATE TABLE `orders` (`id` bigint NOT NULL, `total_cents` bigint NOT NULL, `note` text, PRIMARY KEY (`id`)) ENGINE=InnoDB;";
        let got = classes("mysql", Dialect::Mysql, declared, None, live(&db));
        assert_eq!(
            got,
            [(
                "schema:mysql:column:orders.note".to_owned(),
                Some(ChangeClass::Unmet)
            )]
        );
    }

    #[test]
    #[ignore = "needs MariaDB: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
    fn contract_a_pending_migration_drops_a_column() {
        let db = MyDb::new(
            "CREATE TABLE orders (id bigint PRIMARY KEY, total_cents bigint NOT NULL, legacy text);",
        );
        let declared = "CREATE TABLE `orders` (`id` bigint NOT NULL, `total_cents` bigint NOT NULL, `legacy` text, PRIMARY KEY (`id`)) ENGINE=InnoDB;";
        let got = classes(
            "mysql",
            Dialect::Mysql,
            declared,
            Some("ALTER TABLE orders DROP COLUMN legacy;"),
            live(&db),
        );
        assert_eq!(
            got,
            [(
                "schema:mysql:column:orders.legacy".to_owned(),
                Some(ChangeClass::Contract)
            )]
        );
    }
}
