//! Schema sources through the CLI: files, SQLite, and a live PostgreSQL
//! (ignored without the server; CI starts it).

use std::path::Path;
use std::process::Command;

use crate::support::{Drift, root};

const NEEDS_PG: &str = "needs PostgreSQL at 127.0.0.1:5432: run scripts/ci-db-setup";

fn psql(db: &str, sql: &str) {
    let out = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-qAtX",
            "-d",
            db,
            "-c",
            sql,
        ])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A database with the test shop schema, dropped on drop.
struct Db(String);

impl Db {
    fn create() -> Db {
        let name = format!("drift_cli_{}_{}", std::process::id(), rand_suffix());
        psql("postgres", &format!("create database {name}"));
        let schema = root().join("testdata/schema/pg_shop.sql");
        let out = Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-qAtX",
                "-d",
                &name,
                "-f",
            ])
            .arg(&schema)
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "loading the schema: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Db(name)
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:5432/{}", self.0)
    }

    fn dump(&self, to: &Path) {
        let out = Command::new("pg_dump")
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "--schema-only",
                "-d",
                &self.0,
                "-f",
            ])
            .arg(to)
            .output()
            .expect("pg_dump runs");
        assert!(
            out.status.success(),
            "pg_dump: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-qAtX",
                "-d",
                "postgres",
                "-c",
            ])
            .arg(format!("drop database if exists {} with (force)", self.0))
            .output();
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()))
}

#[test]
#[ignore = "needs PostgreSQL at 127.0.0.1:5432: run scripts/ci-db-setup"]
fn the_code_schema_held_against_a_live_database() {
    let _ = NEEDS_PG;
    let db = Db::create();
    let dir = tempfile::tempdir().unwrap();
    let structure = dir.path().join("structure.sql");
    db.dump(&structure);
    let code = dir.path().join("code.json");
    let prod = dir.path().join("prod.json");
    Drift::new()
        .args(["snapshot", "--env", "code", "--schema-file"])
        .arg_path(&structure)
        .args(["--output"])
        .arg_path(&code)
        .status(0);
    let snapshot_prod = || {
        Drift::new()
            .args([
                "snapshot",
                "--env",
                "prod",
                "--schema",
                &db.url(),
                "--output",
            ])
            .arg_path(&prod)
            .status(0);
    };
    snapshot_prod();
    // The same schema: no finding, even though only the live database has a
    // server version and settings.
    Drift::new()
        .args(["diff", "--fail-on", "info"])
        .arg_path(&code)
        .arg_path(&prod)
        .status(0)
        .stdout_has("0 findings");
    // Production loses a column the code expects.
    psql(
        &db.0,
        "alter table public.orders drop column payment_intent_id",
    );
    snapshot_prod();
    let v = Drift::new()
        .args(["diff", "--format", "json"])
        .arg_path(&code)
        .arg_path(&prod)
        .status(1)
        .json();
    let keys: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"schema:postgres:column:public.orders.payment_intent_id"),
        "{keys:?}"
    );
}

#[test]
#[ignore = "needs PostgreSQL at 127.0.0.1:5432: run scripts/ci-db-setup"]
fn an_unreachable_database_is_a_collection_error_and_the_rest_is_collected() {
    let dir = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let env = dir.path().join(".env");
    std::fs::write(&env, "A=1\n").unwrap();
    let run = Drift::new()
        .args([
            "snapshot",
            "--env",
            "prod",
            "--schema",
            &format!("postgres://app:s3cret@127.0.0.1:{closed}/shop"),
            "--dotenv",
        ])
        .arg_path(&env)
        .status(3);
    let v = run.json();
    assert_eq!(v["entries"]["env:A"], "1");
    assert_eq!(v["errors"][0]["kind"], "connect");
    assert!(!run.stdout().contains("s3cret"));
    assert!(!run.stderr().contains("s3cret"));
}

#[test]
fn schema_files_in_a_drift_toml() {
    let dir = tempfile::tempdir().unwrap();
    let demo = root().join("testdata/demo");
    std::fs::write(
        dir.path().join("drift.toml"),
        format!(
            "[environments.staging]\nschema = [{{ file = {:?}, dialect = \"sqlite\" }}]\n\
             [environments.prod]\nschema = [{{ file = {:?}, dialect = \"sqlite\" }}]\n",
            demo.join("staging/schema.sql").display().to_string(),
            demo.join("prod/schema.sql").display().to_string()
        ),
    )
    .unwrap();
    let v = Drift::new()
        .args(["check", "--format", "json", "--config"])
        .arg_path(&dir.path().join("drift.toml"))
        .status(1)
        .json();
    let keys: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "schema:sqlite:column:orders.payment_intent_id",
            "schema:sqlite:column_order:orders",
            "schema:sqlite:index:orders_payment_intent",
            "schema:sqlite:migration:schema_migrations:20240215093000",
            "schema:sqlite:migrations:schema_migrations",
        ]
    );
}

#[test]
fn bad_schema_sources_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("drift.toml"),
        "[environments.a]\nschema = [{ file = \"x.sql\", dialect = \"postgress\" }]\n[environments.b]\n",
    )
    .unwrap();
    Drift::new()
        .args(["check", "--config"])
        .arg_path(&dir.path().join("drift.toml"))
        .status(2)
        .stderr_has("line 2")
        .stderr_has("did you mean `postgres`?");
    Drift::new()
        .args(["snapshot", "--env", "a", "--schema", "oracle://x/y"])
        .status(2);
}

/// `--schema-exclude` and `schema_include` read only some PostgreSQL
/// schemas, and the coverage names the ones left out (issue 20).
#[test]
fn schema_filters_leave_schemas_out_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let sql = dir.path().join("structure.sql");
    std::fs::write(
        &sql,
        "CREATE SCHEMA app;\nCREATE SCHEMA audit;\n\
         CREATE TABLE app.orders (id bigint PRIMARY KEY);\n\
         CREATE TABLE audit.log (at timestamp with time zone);\n",
    )
    .unwrap();
    let out = dir.path().join("m.json");
    Drift::new()
        .args(["snapshot", "--env", "code", "--schema-exclude", "aud*"])
        .args(["--schema-file"])
        .arg_path(&sql)
        .args(["--output"])
        .arg_path(&out)
        .status(0);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let text = m["entries"].to_string();
    assert!(text.contains("schema:postgres:table:app.orders"), "{text}");
    assert!(!text.contains("audit"), "{text}");
    let left: Vec<&str> = m["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["source"].as_str())
        .filter(|s| s.ends_with(": left out"))
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].ends_with("schema audit: left out"), "{left:?}");
    // The same in a drift.toml, and a glob that cannot be read is an input
    // error naming the line.
    std::fs::write(
        dir.path().join("drift.toml"),
        format!(
            "[environments.a]\nschema = [{{ file = {:?}, schema_include = [\"app\", \"public\"] }}]\n\
             [environments.b]\nschema = [{{ file = {:?}, schema_exclude = [\"audit\"] }}]\n",
            sql.display().to_string(),
            sql.display().to_string()
        ),
    )
    .unwrap();
    Drift::new()
        .args(["check", "--config"])
        .arg_path(&dir.path().join("drift.toml"))
        .status(0);
    std::fs::write(
        dir.path().join("drift.toml"),
        "[environments.a]\n[environments.b]\nschema = [{ file = \"x.sql\", schema_exclude = [\"{a\"] }]\n",
    )
    .unwrap();
    Drift::new()
        .args(["check", "--config"])
        .arg_path(&dir.path().join("drift.toml"))
        .status(2)
        .stderr_has("line 3")
        .stderr_has("schema_exclude");
}

#[test]
fn a_schema_file_dialect_is_given_by_flag_or_suffix() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schema.sql");
    // `::` would make it look like PostgreSQL.
    std::fs::write(
        &file,
        "CREATE TABLE t (id integer, note text DEFAULT 'a::b');\n",
    )
    .unwrap();
    let with_suffix = format!("{}:sqlite", file.display());
    Drift::new()
        .args(["snapshot", "--env", "a", "--schema-file", &with_suffix])
        .status(0)
        .stdout_has("schema:sqlite:table:t");
    Drift::new()
        .args([
            "snapshot",
            "--env",
            "a",
            "--schema-file-dialect",
            "mysql",
            "--schema-file",
        ])
        .arg_path(&file)
        .status(0)
        .stdout_has("schema:mysql:table:t");
    Drift::new()
        .args([
            "snapshot",
            "--env",
            "a",
            "--schema-file-dialect",
            "oracle",
            "--schema-file",
        ])
        .arg_path(&file)
        .status(2);
}

#[test]
fn files_that_are_not_schemas_are_collection_errors_named_once() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &str); 4] = [
        ("empty.sql", b"", "declares no schema object"),
        (
            "README.md",
            b"# Shop\n\nRun it with make.\n",
            "declares no schema object",
        ),
        (
            "typo.sql",
            b"CREATE TABLE a (id int);\nCREATE TABEL b (id int);\n",
            "line 2",
        ),
        (
            "bin.sql",
            b"\x7fELF\x02\x01\x01\x00\x00\x00\x1b[31m",
            "not a text file",
        ),
    ];
    for (name, bytes, says) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let run = Drift::new()
            .args(["snapshot", "--env", "a", "--schema-file"])
            .arg_path(&path)
            .status(3)
            .stderr_has(says);
        let err = run.stderr();
        assert_eq!(err.matches(name).count(), 1, "{err}");
        assert!(!err.contains('\u{1b}'), "{err:?}");
    }
}

#[test]
fn a_mysql_url_without_a_database_is_an_input_error() {
    Drift::new()
        .args([
            "snapshot",
            "--env",
            "a",
            "--schema",
            "mysql://root@127.0.0.1:1",
        ])
        .status(2)
        .stderr_has("name the database");
}

/// The TLS test CA of scripts/ci-db-tls-setup.
fn tls_file(name: &str) -> String {
    let dir = std::env::var("DRIFT_TEST_TLS_DIR").unwrap_or_else(|_| "/tmp/drift-test-tls".into());
    let path = Path::new(&dir).join(name);
    assert!(
        path.is_file(),
        "no {}: run scripts/ci-db-setup",
        path.display()
    );
    path.display().to_string()
}

#[test]
#[ignore = "needs the PostgreSQL cluster with TLS: run scripts/ci-db-setup"]
fn drift_toml_tls_settings_apply_and_a_failed_check_is_exit_3_naming_it() {
    let port: u16 = std::env::var("DRIFT_TEST_PG_TLS_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(55433);
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("drift.toml");
    // The URLs say require; drift.toml's fields win: verify-full, whose
    // host name check passes for localhost and fails for 127.0.0.1 (the
    // certificate names localhost only), where require would pass.
    let source = |host: &str| {
        format!(
            "{{ url = \"postgres://drift_tls_only@{host}:{port}/postgres?sslmode=require\", \
             tls = \"verify-full\", tls_ca = {:?} }}",
            tls_file("ca.crt")
        )
    };
    let write = |a: &str, b: &str| {
        std::fs::write(
            &toml,
            format!(
                "[environments.a]\nschema = [{}]\n[environments.b]\nschema = [{}]\n",
                source(a),
                source(b)
            ),
        )
        .unwrap();
    };
    write("localhost", "localhost");
    Drift::new()
        .args(["check", "--config"])
        .arg_path(&toml)
        .status(0);
    write("localhost", "127.0.0.1");
    let run = Drift::new()
        .args(["check", "--format", "json", "--config"])
        .arg_path(&toml)
        .status(3);
    let text = format!("{}{}", run.stdout(), run.stderr());
    assert!(text.contains("(wrong host name)"), "{text}");
}
