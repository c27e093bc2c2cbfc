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
#[cfg(feature = "postgres")]
mod schema_pg_support;
#[cfg(feature = "postgres")]
mod schema_postgres;
#[cfg(feature = "sqlite")]
mod schema_sqlite;
#[cfg(feature = "ssh")]
mod ssh;
#[cfg(feature = "ssh")]
mod sshd;
mod stream;
#[cfg(feature = "ssh")]
mod twins;
