//! Live PostgreSQL: one read-only REPEATABLE READ transaction, search_path
//! emptied so that names come back qualified, a statement timeout, and one
//! set-based catalog query per object kind.

mod objects;
mod relations;
mod settings;

use postgres::{Client, Config, NoTls, SimpleQueryMessage, SimpleQueryRow};

use super::SchemaOptions;
use super::error::SchemaError;
use super::model::Model;
use super::source::ServerUrl;
use crate::transport::Transport;

/// A catalog reader inside the snapshot transaction.
pub(crate) struct Reader<'a> {
    client: &'a mut Client,
    source: &'a str,
    /// `server_version_num`.
    pub version_num: i64,
}

/// Rows as text cells.
pub(crate) type Rows = Vec<SimpleQueryRow>;

impl Reader<'_> {
    /// Runs one catalog query; `what` names it in errors.
    pub fn rows(&mut self, what: &str, sql: &str) -> Result<Rows, SchemaError> {
        // A savepoint per query, so that one failing kind (a catalog the
        // role may not read) does not abort the snapshot transaction.
        let wrapped = format!("SAVEPOINT drift_q; {sql}; RELEASE SAVEPOINT drift_q");
        let msgs = match self.client.simple_query(&wrapped) {
            Ok(m) => m,
            Err(e) => {
                let _ = self.client.batch_execute("ROLLBACK TO SAVEPOINT drift_q");
                return Err(map_error(&e, self.source, what));
            }
        };
        Ok(msgs
            .into_iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(r) => Some(r),
                _ => None,
            })
            .collect())
    }
}

/// Cell `i` as text.
pub(crate) fn text(r: &SimpleQueryRow, i: usize) -> Option<String> {
    r.get(i).map(str::to_owned)
}

/// Cell `i` as text, empty when NULL.
pub(crate) fn s(r: &SimpleQueryRow, i: usize) -> String {
    r.get(i).unwrap_or_default().to_owned()
}

/// Cell `i` as a boolean (`t`).
pub(crate) fn b(r: &SimpleQueryRow, i: usize) -> bool {
    r.get(i) == Some("t")
}

/// Cell `i` as an integer (0 when NULL or not a number).
pub(crate) fn int(r: &SimpleQueryRow, i: usize) -> i64 {
    r.get(i).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// Cell `i` as a JSON list of strings.
pub(crate) fn json_list(r: &SimpleQueryRow, i: usize) -> Vec<String> {
    r.get(i)
        .and_then(|v| serde_json::from_str::<Vec<Option<String>>>(v).ok())
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

/// Schemas that are not the user's.
pub(crate) const USER_NS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
     AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

/// `c` (a pg_class row) is not owned by an extension.
pub(crate) const NOT_EXT_REL: &str = "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x \
     WHERE x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND x.objid = c.oid \
     AND x.deptype = 'e')";

fn map_error(e: &postgres::Error, source: &str, what: &str) -> SchemaError {
    let source_name = source.to_owned();
    let message = drift_core::secret::scrub(&e.to_string());
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        let message = drift_core::secret::scrub(db.message());
        return match code {
            "28P01" | "28000" => SchemaError::Auth {
                source_name,
                message: format!(
                    "{message}; check the user and the password (given in the URL, an env var or a password file)"
                ),
            },
            "42501" => SchemaError::Permission {
                source_name,
                what: what.to_owned(),
                message: format!(
                    "{message}; the role needs CONNECT on the database and USAGE on its schemas"
                ),
            },
            "57014" | "55P03" => SchemaError::Timeout {
                source_name,
                what: what.to_owned(),
                message: format!("{message}; raise the statement timeout"),
            },
            "3D000" | "53300" | "57P03" => SchemaError::Connect {
                source_name,
                message,
            },
            _ => SchemaError::Query {
                source_name,
                what: what.to_owned(),
                message,
            },
        };
    }
    let lower = message.to_lowercase();
    if lower.contains("timed out") || lower.contains("timeout") {
        SchemaError::Timeout {
            source_name,
            what: what.to_owned(),
            message,
        }
    } else if what == "connection" || e.is_closed() || lower.contains("connect") {
        SchemaError::Connect {
            source_name,
            message: format!("{message}; is the server running and reachable from the target?"),
        }
    } else {
        SchemaError::Query {
            source_name,
            what: what.to_owned(),
            message,
        }
    }
}

/// Reads the schema of the database at `url` through `transport`.
pub(crate) fn read(
    url: &ServerUrl,
    shown: &str,
    transport: &dyn Transport,
    options: &SchemaOptions,
) -> Result<(Model, Vec<SchemaError>), SchemaError> {
    for (k, v) in &url.params {
        if k == "sslmode" && !matches!(v.as_str(), "disable" | "allow" | "prefer") {
            return Err(SchemaError::Unsupported {
                source_name: shown.to_owned(),
                message: format!(
                    "sslmode={v} needs TLS, which this build does not have; reach the server \
                     through an SSH target (`via`) or use sslmode=disable on a trusted network"
                ),
            });
        }
    }
    let tunnel = transport
        .open_tunnel(&url.host, url.port)
        .map_err(|e| SchemaError::Connect {
            source_name: shown.to_owned(),
            message: e.to_string(),
        })?;
    let mut cfg = Config::new();
    cfg.host(tunnel.host())
        .port(tunnel.port())
        .user(url.user.as_deref().unwrap_or("postgres"))
        .dbname(url.database.as_deref().unwrap_or("postgres"))
        .application_name("drift")
        .connect_timeout(options.connect_timeout)
        .ssl_mode(postgres::config::SslMode::Disable);
    if let Some(p) = &url.password {
        cfg.password(p.0.as_bytes());
    }
    let mut client = cfg
        .connect(NoTls)
        .map_err(|e| map_error(&e, shown, "connection"))?;
    let ms = options.statement_timeout.as_millis().max(1);
    let begin = format!(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \
         SET LOCAL search_path = ''; \
         SET LOCAL statement_timeout = {ms}; \
         SET LOCAL lock_timeout = {ms}"
    );
    client
        .batch_execute(&begin)
        .map_err(|e| map_error(&e, shown, "the snapshot transaction"))?;
    let mut reader = Reader {
        client: &mut client,
        source: shown,
        version_num: 0,
    };
    let result = read_all(&mut reader, options);
    // Read-only: nothing to keep; end the transaction either way.
    let _ = client.batch_execute("ROLLBACK");
    result
}

/// Reads every object kind; a kind that fails is an error and the others
/// are still read. Only the server facts and tables are required.
fn read_all(
    r: &mut Reader<'_>,
    options: &SchemaOptions,
) -> Result<(Model, Vec<SchemaError>), SchemaError> {
    let mut m = Model::default();
    let mut errors = Vec::new();
    settings::server(r, &mut m)?;
    let steps: [(&str, fn(&mut Reader<'_>, &mut Model) -> Result<(), SchemaError>); 12] = [
        ("tables", relations::tables),
        ("indexes", relations::indexes),
        ("constraints", relations::constraints),
        ("sequences", objects::sequences),
        ("views", objects::views),
        ("routines", objects::routines),
        ("triggers", objects::triggers),
        ("extensions", objects::extensions),
        ("enums", objects::enums),
        ("domains", objects::domains),
        ("policies", objects::policies),
        ("settings", settings::settings),
    ];
    for (_, step) in steps {
        if let Err(e) = step(r, &mut m) {
            errors.push(e);
        }
    }
    if options.include_grants
        && let Err(e) = settings::grants(r, &mut m)
    {
        errors.push(e);
    }
    let found = super::migrations::detect(&m);
    for h in &found {
        let cols: Vec<String> = h
            .tool
            .columns()
            .iter()
            .zip(&h.columns)
            .map(|((_, kind), real)| {
                let q = quote_ident(real);
                match kind {
                    super::migrations::ColKind::Hex => format!("encode({q}, 'hex')"),
                    super::migrations::ColKind::Text => format!("{q}::text"),
                }
            })
            .collect();
        let table: Vec<String> = h.name.iter().map(|p| quote_ident(p)).collect();
        let sql = format!("SELECT {} FROM {}", cols.join(", "), table.join("."));
        let what = format!("the {} migration history", h.tool.name());
        match r.rows(&what, &sql) {
            Ok(rows) => {
                let cells: Vec<Vec<Option<String>>> = rows
                    .iter()
                    .map(|row| (0..cols.len()).map(|i| text(row, i)).collect())
                    .collect();
                super::migrations::record(&mut m, h.tool, &cells);
            }
            Err(e) => errors.push(e),
        }
    }
    super::migrations::remove_history_tables(&mut m, &found);
    Ok((m, errors))
}

/// Quotes an identifier for SQL text.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
