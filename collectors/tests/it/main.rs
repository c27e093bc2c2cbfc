//! Integration tests of drift-collectors, one module per area.

mod local;
mod schema_common;
#[cfg(feature = "postgres")]
mod schema_pg_support;
#[cfg(feature = "postgres")]
mod schema_postgres;
