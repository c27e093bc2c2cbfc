//! Integration tests of drift-collectors, one module per area.

// A test crate exports nothing (see the workspace's `unreachable_pub`).
#![allow(unreachable_pub)]

mod config;
mod env;
mod fake;
mod host;
#[cfg(feature = "ssh")]
mod hostile_sftp;
mod listing;
mod local;
mod packages;
mod readiness;
mod runtime;
mod schema_common;
mod schema_files;
mod schema_migrations;
#[cfg(feature = "mysql")]
mod schema_my_support;
#[cfg(feature = "mysql")]
mod schema_mysql;
#[cfg(feature = "mysql")]
mod schema_mysql_fidelity;
#[cfg(feature = "postgres")]
mod schema_pg_fidelity;
#[cfg(feature = "postgres")]
mod schema_pg_support;
#[cfg(feature = "postgres")]
mod schema_postgres;
#[cfg(feature = "sqlite")]
mod schema_sqlite;
#[cfg(feature = "postgres")]
mod schema_tls_cases;
#[cfg(all(feature = "mysql", feature = "postgres"))]
mod schema_tls_my;
#[cfg(feature = "postgres")]
mod schema_tls_pg;
#[cfg(any(feature = "mysql", feature = "postgres"))]
mod schema_tls_support;
#[cfg(feature = "ssh")]
mod ssh;
#[cfg(feature = "ssh")]
mod sshd;
mod stream;
#[cfg(feature = "ssh")]
mod twins;
