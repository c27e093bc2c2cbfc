//! A uniquely named PostgreSQL database for one test, dropped afterwards.

#![allow(dead_code)]

use super::schema_common::{pg_url, unique_name, with_db};

/// A database that lives as long as this value.
pub struct PgDb {
    pub name: String,
}

fn admin() -> postgres::Client {
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
