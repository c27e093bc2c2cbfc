//! A uniquely named MariaDB/MySQL database for one test, dropped afterwards.

#![allow(dead_code)]

use mysql::prelude::Queryable;

use super::schema_common::{mysql_url, unique_name, with_db};

/// A database that lives as long as this value.
pub struct MyDb {
    pub name: String,
}

fn conn(url: &str) -> mysql::Conn {
    let opts = mysql::Opts::from_url(url).expect("a mysql URL");
    mysql::Conn::new(opts).unwrap_or_else(|e| {
        panic!(
            "MariaDB is not reachable at {}: {e}; run scripts/ci-db-setup",
            drift_core::secret::scrub(url)
        )
    })
}

impl MyDb {
    /// Creates the database and runs `sql` in it.
    pub fn new(sql: &str) -> MyDb {
        let name = unique_name("my");
        conn(&mysql_url())
            .query_drop(format!("CREATE DATABASE {name}"))
            .expect("create database");
        let db = MyDb { name };
        if !sql.is_empty() {
            db.exec(sql);
        }
        db
    }

    /// The root URL of this database.
    pub fn url(&self) -> String {
        with_db(&mysql_url(), &self.name)
    }

    /// Runs SQL (several statements) in this database.
    pub fn exec(&self, sql: &str) {
        conn(&self.url())
            .query_drop(sql)
            .unwrap_or_else(|e| panic!("{e}: {sql}"));
    }

    /// `mysqldump --no-data --routines --events` of this database.
    pub fn dump(&self) -> String {
        let opts = mysql::Opts::from_url(&self.url()).expect("a mysql URL");
        let host = opts.get_ip_or_hostname().to_string();
        let port = opts.get_tcp_port().to_string();
        let user = opts.get_user().unwrap_or("root").to_owned();
        let bin = if std::process::Command::new("mysqldump")
            .arg("--version")
            .output()
            .is_ok()
        {
            "mysqldump"
        } else {
            "mariadb-dump"
        };
        let mut cmd = std::process::Command::new(bin);
        cmd.args([
            "--no-data",
            "--routines",
            "--events",
            "--protocol=TCP",
            "-h",
            &host,
            "-P",
            &port,
            "-u",
            &user,
        ]);
        if let Some(p) = opts.get_pass() {
            cmd.env("MYSQL_PWD", p);
        }
        let out = cmd.arg(&self.name).output().expect("mysqldump runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 dump")
    }
}

impl Drop for MyDb {
    fn drop(&mut self) {
        if let Ok(opts) = mysql::Opts::from_url(&mysql_url())
            && let Ok(mut c) = mysql::Conn::new(opts)
        {
            let _ = c.query_drop(format!("DROP DATABASE IF EXISTS {}", self.name));
        }
    }
}
