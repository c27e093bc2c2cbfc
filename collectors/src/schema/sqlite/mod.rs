//! SQLite: a database file (read-only) or SQLite DDL loaded into an
//! in-memory database, both read by the same catalog code.

mod catalog;
mod elements;

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::SchemaOptions;
use super::error::SchemaError;
use super::model::Model;
use crate::transport::Transport;

fn sqlite_error(e: &rusqlite::Error, source: &str, what: &str) -> SchemaError {
    let message = e.to_string();
    let source_name = source.to_owned();
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::PermissionDenied | rusqlite::ErrorCode::ReadOnly) => {
            SchemaError::Permission {
                source_name,
                what: what.to_owned(),
                message,
            }
        }
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            SchemaError::Timeout {
                source_name,
                what: what.to_owned(),
                message,
            }
        }
        Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::NotADatabase) => {
            SchemaError::Read {
                source_name,
                message: format!("cannot open `{source}` as an SQLite database: {message}"),
                kind: drift_core::ErrorKind::Read,
            }
        }
        _ => SchemaError::Query {
            source_name,
            what: what.to_owned(),
            message,
        },
    }
}

/// Reads an SQLite database file. Locally it is opened read-only (so that a
/// WAL is seen); on another target its bytes are read through the transport
/// and opened in memory.
pub(crate) fn read_file(
    path: &Path,
    shown: &str,
    transport: &dyn Transport,
    options: &SchemaOptions,
) -> Result<(Model, Vec<SchemaError>), SchemaError> {
    let conn = if transport.target() == "local" {
        // Refuse a missing file rather than let SQLite create an empty one,
        // and anything but a regular file outside /proc, /sys and /dev (a
        // FIFO would hang the open; issue 17).
        let meta = transport
            .metadata(path, true)
            .map_err(|e| SchemaError::Read {
                source_name: shown.to_owned(),
                message: e.to_string(),
                kind: e.kind(),
            })?;
        let special = std::fs::canonicalize(path)
            .ok()
            .and_then(|p| crate::transport::is_special_path(&p));
        if meta.kind != crate::transport::FileKind::File || special.is_some() {
            return Err(SchemaError::Read {
                source_name: shown.to_owned(),
                message: "not a regular file outside /proc, /sys and /dev; only regular files \
                          are read as sources"
                    .to_owned(),
                kind: drift_core::ErrorKind::Read,
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| sqlite_error(&e, shown, "the database"))?;
        let _ = conn.busy_timeout(options.statement_timeout);
        conn
    } else {
        let mut bytes = transport
            .read_file(path, options.max_file_size)
            .map_err(|e| SchemaError::Read {
                source_name: shown.to_owned(),
                message: e.to_string(),
                kind: e.kind(),
            })?;
        // A WAL-mode header would make the in-memory copy refuse to open.
        if bytes.len() > 19 && bytes[18] == 2 && bytes[19] == 2 {
            bytes[18] = 1;
            bytes[19] = 1;
        }
        let mut conn =
            Connection::open_in_memory().map_err(|e| sqlite_error(&e, shown, "the database"))?;
        let len = bytes.len();
        conn.deserialize_read_exact(rusqlite::MAIN_DB, &bytes[..], len, true)
            .map_err(|e| sqlite_error(&e, shown, "the database"))?;
        conn
    };
    read_conn(&conn, shown, true)
}

/// Loads SQLite DDL into an in-memory database, one statement at a time,
/// and reads it. A statement SQLite refuses is an error with its line (the
/// others are still read); the tables SQLite makes itself (`sqlite_sequence`,
/// `sqlite_stat1`, as a `.schema` dump lists them) are skipped.
pub(crate) fn read_ddl(text: &str, shown: &str) -> Result<(Model, Vec<SchemaError>), SchemaError> {
    let conn = Connection::open_in_memory().map_err(|e| sqlite_error(&e, shown, "memory"))?;
    let mut refused = Vec::new();
    for (line, stmt) in crate::schema::ddl::sqlite_statements(text) {
        if creates_internal_table(stmt) {
            continue;
        }
        if let Err(e) = conn.execute_batch(stmt) {
            refused.push(SchemaError::Parse {
                source_name: shown.to_owned(),
                line: line as u64,
                message: format!("SQLite refused the statement: {}", printable(&refusal(&e))),
            });
        }
    }
    let (model, mut errors) = read_conn(&conn, shown, false)?;
    refused.append(&mut errors);
    Ok((model, refused))
}

/// SQLite's own word on a refused statement, without the statement.
fn refusal(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        other => other.to_string(),
    }
}

/// Whether a statement creates a table of SQLite's own (`sqlite_…`).
fn creates_internal_table(stmt: &str) -> bool {
    let words: Vec<String> = stmt
        .split(|c: char| c.is_whitespace() || c == '(')
        .filter(|w| !w.is_empty())
        .take(6)
        .map(|w| w.trim_matches(['"', '`', '[', ']']).to_ascii_lowercase())
        .collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let name = match w.as_slice() {
        ["create", "table", "if", "not", "exists", n, ..] => n,
        ["create", "table", n, ..] => n,
        _ => return false,
    };
    name.starts_with("sqlite_")
}

/// `text` with control characters escaped and cut to 200 characters.
fn printable(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(200)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if text.chars().count() > 200 {
        out.push('…');
    }
    out
}

fn read_conn(
    conn: &Connection,
    shown: &str,
    live: bool,
) -> Result<(Model, Vec<SchemaError>), SchemaError> {
    conn.execute_batch("BEGIN")
        .map_err(|e| sqlite_error(&e, shown, "a read transaction"))?;
    let result = catalog::read(conn, shown, live);
    let _ = conn.execute_batch("ROLLBACK");
    result
}
