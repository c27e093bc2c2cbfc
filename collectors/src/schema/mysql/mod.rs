//! Live MySQL and MariaDB: one `START TRANSACTION READ ONLY`, a statement
//! timeout, and one `information_schema` query per object kind, limited to
//! the database named in the URL.

mod catalog;
mod connect;
mod objects;

use mysql::prelude::Queryable;
use mysql::{Conn, OptsBuilder};

use super::SchemaOptions;
use super::error::SchemaError;
use super::migrations::{self, ColKind};
use super::model::Model;
use super::source::ServerUrl;
use crate::transport::Transport;

/// One catalog read.
type Step = fn(&mut Reader<'_>, &mut Model) -> Result<(), SchemaError>;

/// Rows as text cells.
pub(crate) type Row = Vec<Option<String>>;

/// A catalog reader inside the read-only transaction.
pub(crate) struct Reader<'a> {
    conn: &'a mut Conn,
    source: &'a str,
    /// The database read.
    pub db: String,
    /// MariaDB rather than MySQL.
    pub mariadb: bool,
}

impl Reader<'_> {
    /// Runs one query; `what` names it in errors.
    pub(super) fn rows(&mut self, what: &str, sql: &str) -> Result<Vec<Row>, SchemaError> {
        let rows: Vec<mysql::Row> = self
            .conn
            .query(sql)
            .map_err(|e| map_error(&e, self.source, what))?;
        Ok(rows
            .into_iter()
            .map(|r| r.unwrap().into_iter().map(cell).collect())
            .collect())
    }

    /// The database name as an SQL string literal.
    pub(super) fn db_lit(&self) -> String {
        lit(&self.db)
    }
}

fn cell(v: mysql::Value) -> Option<String> {
    match v {
        mysql::Value::NULL => None,
        mysql::Value::Bytes(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        mysql::Value::Int(i) => Some(i.to_string()),
        mysql::Value::UInt(u) => Some(u.to_string()),
        mysql::Value::Float(f) => Some(f.to_string()),
        mysql::Value::Double(f) => Some(f.to_string()),
        other => Some(other.as_sql(true).trim_matches('\'').to_owned()),
    }
}

/// An SQL string literal.
pub(crate) fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
}

/// Cell `i` as text, empty when NULL.
pub(crate) fn s(r: &Row, i: usize) -> String {
    r.get(i).cloned().flatten().unwrap_or_default()
}

/// Cell `i`, `None` when NULL.
pub(crate) fn text(r: &Row, i: usize) -> Option<String> {
    r.get(i).cloned().flatten()
}

fn map_error(e: &mysql::Error, source: &str, what: &str) -> SchemaError {
    let source_name = source.to_owned();
    let message = drift_core::secret::scrub(&e.to_string());
    match e {
        mysql::Error::MySqlError(m) => match m.code {
            1045 | 1698 | 1862 => SchemaError::Auth {
                source_name,
                message: format!(
                    "{message}; check the user and the password (given in the URL, an env var or a password file)"
                ),
            },
            1044 | 1142 | 1143 | 1227 | 1370 => SchemaError::Permission {
                source_name,
                what: what.to_owned(),
                message: format!(
                    "{message}; the user needs SELECT (or SHOW VIEW) on the database to read its schema"
                ),
            },
            1969 | 3024 | 1205 => SchemaError::Timeout {
                source_name,
                what: what.to_owned(),
                message: format!("{message}; raise the statement timeout"),
            },
            1049 | 1040 | 1203 => SchemaError::Connect {
                source_name,
                message,
            },
            _ => SchemaError::Query {
                source_name,
                what: what.to_owned(),
                message,
            },
        },
        mysql::Error::IoError(io)
            if io.kind() == std::io::ErrorKind::TimedOut
                || io.kind() == std::io::ErrorKind::WouldBlock =>
        {
            SchemaError::Timeout {
                source_name,
                what: what.to_owned(),
                message,
            }
        }
        _ if what == "connection" => SchemaError::Connect {
            source_name,
            message: format!("{message}; is the server running and reachable from the target?"),
        },
        _ => SchemaError::Query {
            source_name,
            what: what.to_owned(),
            message,
        },
    }
}

/// Reads the schema of the database named in `url` through `transport`.
pub(crate) fn read(
    url: &ServerUrl,
    shown: &str,
    transport: &dyn Transport,
    options: &SchemaOptions,
) -> Result<(Model, Vec<SchemaError>), SchemaError> {
    let db = url.database.clone().ok_or_else(|| SchemaError::BadUrl {
        url: shown.to_owned(),
        message: "name the database to read: mysql://user@host/DATABASE".into(),
    })?;
    let tunnel = transport
        .open_tunnel(&url.host, url.port)
        .map_err(|e| SchemaError::Connect {
            source_name: shown.to_owned(),
            message: e.to_string(),
        })?;
    let opts = OptsBuilder::new()
        .ip_or_hostname(Some(tunnel.host()))
        .tcp_port(tunnel.port())
        .prefer_socket(false)
        .user(Some(url.user.clone().unwrap_or_else(|| "root".to_owned())))
        .pass(url.password.as_ref().map(|p| p.0.clone()))
        .db_name(Some(db.clone()))
        .tcp_connect_timeout(Some(options.connect_timeout))
        .read_timeout(Some(options.statement_timeout + options.connect_timeout))
        .write_timeout(Some(options.statement_timeout + options.connect_timeout))
        .stmt_cache_size(0);
    let mut conn = connect::connect(&opts, url, tunnel.is_forwarded(), shown)?;
    let version = conn
        .query_first::<String, _>("SELECT VERSION()")
        .map_err(|e| map_error(&e, shown, "the server version"))?
        .unwrap_or_default();
    let mariadb = version.to_ascii_lowercase().contains("mariadb");
    let secs = options.statement_timeout.as_secs_f64().max(0.001);
    let timeout = if mariadb {
        format!("SET SESSION max_statement_time = {secs}")
    } else {
        format!(
            "SET SESSION max_execution_time = {}",
            (secs * 1000.0) as u64
        )
    };
    for sql in [
        timeout.as_str(),
        "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
        "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
    ] {
        conn.query_drop(sql)
            .map_err(|e| map_error(&e, shown, "the read-only transaction"))?;
    }
    let mut r = Reader {
        conn: &mut conn,
        source: shown,
        db,
        mariadb,
    };
    let mut m = Model::default();
    objects::server(&mut m, &version, mariadb);
    let mut errors = Vec::new();
    let steps: [Step; 9] = [
        catalog::tables,
        catalog::keys,
        catalog::checks,
        objects::views,
        objects::triggers,
        objects::routines,
        objects::settings,
        objects::partitions,
        objects::events,
    ];
    for step in steps {
        if let Err(e) = step(&mut r, &mut m) {
            errors.push(e);
        }
    }
    if options.include_grants
        && let Err(e) = objects::grants(&mut r, &mut m)
    {
        errors.push(e);
    }
    read_migrations(&mut r, &mut m, &mut errors);
    let _ = conn.query_drop("ROLLBACK");
    Ok((m, errors))
}

pub(crate) fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

fn read_migrations(r: &mut Reader<'_>, m: &mut Model, errors: &mut Vec<SchemaError>) {
    let found = migrations::detect(m);
    for h in &found {
        let table = h.name.last().map(|t| quote(t)).unwrap_or_default();
        let (what, sql) = h.select(&table, |real, kind| match kind {
            ColKind::Hex => format!("LOWER(HEX({}))", quote(real)),
            ColKind::Text => format!("CAST({} AS CHAR)", quote(real)),
        });
        match r.rows(&what, &sql) {
            Ok(rows) => migrations::record(m, h.tool, &rows),
            Err(e) => errors.push(e),
        }
    }
    migrations::remove_history_tables(m, &found);
}
