//! Live PostgreSQL: one read-only REPEATABLE READ transaction, search_path
//! emptied so that names come back qualified, a statement timeout, and one
//! set-based catalog query per object kind.

mod extras;
mod objects;
mod read;
mod relations;
#[cfg(test)]
mod scope_twins;
mod settings;
mod tls;

pub(crate) use read::read;

use postgres::{Client, SimpleQueryMessage, SimpleQueryRow};

use super::error::SchemaError;

/// A catalog reader inside the snapshot transaction.
pub(crate) struct Reader<'a> {
    pub(crate) client: &'a mut Client,
    pub(crate) source: &'a str,
    /// `server_version_num`.
    pub version_num: i64,
    /// The OIDs of the schemas read, as an SQL array literal; `None` reads
    /// every user schema.
    pub(crate) kept: Option<String>,
}

/// Rows as text cells.
pub(crate) type Rows = Vec<SimpleQueryRow>;

impl Reader<'_> {
    /// Runs one catalog query; `what` names it in errors.
    pub(super) fn rows(&mut self, what: &str, sql: &str) -> Result<Rows, SchemaError> {
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

/// Cell `i` as an OID (0 when NULL).
pub(crate) fn oid(r: &SimpleQueryRow, i: usize) -> u32 {
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

/// The user's schemas (not the system's): `a` is a pg_namespace alias.
pub(crate) fn user_ns(a: &str) -> String {
    format!(
        "{a}.nspname NOT IN ('pg_catalog', 'information_schema') \
         AND {a}.nspname NOT LIKE 'pg\\_toast%' AND {a}.nspname NOT LIKE 'pg\\_temp\\_%'"
    )
}

impl Reader<'_> {
    /// The condition on pg_namespace alias `a` of the schemas read: the
    /// user's, and of those the ones the schema filters keep.
    pub(crate) fn ns(&self, a: &str) -> String {
        match &self.kept {
            None => user_ns(a),
            Some(kept) => format!("{} AND {a}.oid = ANY({kept})", user_ns(a)),
        }
    }

    /// [`Reader::ns`], or a table (pg_class alias `c`) named as a migration
    /// history table is, in any user schema.
    pub(crate) fn ns_or_history(&self, a: &str, c: &str) -> String {
        match &self.kept {
            None => user_ns(a),
            Some(kept) => format!(
                "{} AND ({a}.oid = ANY({kept}) OR pg_catalog.lower({c}.relname) IN ({}))",
                user_ns(a),
                crate::schema::migrations::HISTORY_TABLES
                    .iter()
                    .map(|t| format!("'{t}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// [`Reader::ns`] of alias `a`, or of alias `b`.
    pub(crate) fn ns_either(&self, a: &str, b: &str) -> String {
        match &self.kept {
            None => user_ns(a),
            Some(kept) => format!(
                "{} AND ({a}.oid = ANY({kept}) OR {b}.oid = ANY({kept}))",
                user_ns(a)
            ),
        }
    }
}

/// `c` (a pg_class row) is not owned by an extension.
pub(crate) const NOT_EXT_REL: &str = "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x \
     WHERE x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND x.objid = c.oid \
     AND x.deptype = 'e')";

pub(crate) fn map_error(e: &postgres::Error, source: &str, what: &str) -> SchemaError {
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

/// Quotes an identifier for SQL text.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
