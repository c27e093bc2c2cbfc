//! A uniquely named PostgreSQL database for one test, dropped afterwards.

#![allow(dead_code)]

use std::collections::BTreeMap;

use drift_collectors::schema::SchemaSource;
use drift_core::Value;

use super::schema_common::{assert_no_errors, collect, entries, pg_url, unique_name, with_db};

/// The entries of a `pg_dump --schema-only --no-owner` of `db`, read as a
/// schema file.
pub fn dumped(db: &PgDb) -> BTreeMap<String, Value> {
    let dump = std::process::Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "-d", &db.url()])
        .output()
        .expect("pg_dump runs");
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("structure.sql");
    std::fs::write(&path, &dump.stdout).unwrap();
    let c = collect(SchemaSource::file(&path));
    assert_no_errors(&c);
    entries(&c)
}

/// A database that lives as long as this value.
pub struct PgDb {
    pub name: String,
}

/// A connection to the test server as its superuser.
pub fn admin() -> postgres::Client {
    postgres::Client::connect(&pg_url(), postgres::NoTls).unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is not reachable at {}: {e}; run scripts/ci-db-setup",
            drift_core::secret::scrub(&pg_url())
        )
    })
}

impl PgDb {
    /// Creates the database and runs `sql` in it.
    pub fn new(sql: &str) -> PgDb {
        let name = unique_name("pg");
        admin()
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        let db = PgDb { name };
        if !sql.is_empty() {
            db.exec(sql);
        }
        db
    }

    /// The superuser URL of this database.
    pub fn url(&self) -> String {
        with_db(&pg_url(), &self.name)
    }

    /// Runs SQL in this database.
    pub fn exec(&self, sql: &str) {
        let mut c = postgres::Client::connect(&self.url(), postgres::NoTls).expect("connect");
        c.batch_execute(sql)
            .unwrap_or_else(|e| panic!("{e}: {sql}"));
    }

    /// A connection to this database.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url(), postgres::NoTls).expect("connect")
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let _ = admin().batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}

/// A transport whose tunnel leads to the test server whatever host the URL
/// names: the collector must connect through it.
#[derive(Debug)]
pub struct Tunnelled {
    inner: drift_collectors::transport::Local,
    port: u16,
    pub opened: std::sync::Mutex<Vec<(String, u16)>>,
}

impl Tunnelled {
    /// A tunnel to the local `port`.
    pub fn new(port: u16) -> Tunnelled {
        Tunnelled {
            inner: drift_collectors::transport::Local::new(),
            port,
            opened: Default::default(),
        }
    }
}

impl drift_collectors::transport::Transport for Tunnelled {
    fn target(&self) -> &str {
        "ssh://test@bastion:22"
    }
    fn read_file(
        &self,
        path: &std::path::Path,
        limit: u64,
    ) -> Result<Vec<u8>, drift_collectors::transport::TransportError> {
        self.inner.read_file(path, limit)
    }
    fn metadata(
        &self,
        path: &std::path::Path,
        follow: bool,
    ) -> Result<drift_collectors::transport::FileMeta, drift_collectors::transport::TransportError>
    {
        self.inner.metadata(path, follow)
    }
    fn read_dir(
        &self,
        path: &std::path::Path,
    ) -> Result<
        Vec<drift_collectors::transport::DirEntry>,
        drift_collectors::transport::TransportError,
    > {
        self.inner.read_dir(path)
    }
    fn run(
        &self,
        command: &drift_collectors::transport::AllowedCommand,
    ) -> Result<
        drift_collectors::transport::CommandOutput,
        drift_collectors::transport::TransportError,
    > {
        self.inner.run(command)
    }
    fn open_tunnel(
        &self,
        host: &str,
        port: u16,
    ) -> Result<drift_collectors::transport::Tunnel, drift_collectors::transport::TransportError>
    {
        self.opened.lock().unwrap().push((host.to_owned(), port));
        Ok(drift_collectors::transport::Tunnel::direct(
            "127.0.0.1",
            self.port,
        ))
    }
}
