//! Schema files: the schema a repository declares, read into the same
//! [`Model`](super::model::Model) as a live database.

mod cursor;
mod lexer;
pub(crate) mod mysql;
mod mysql_table;
pub(crate) mod mysql_values;
pub(crate) mod pg_extras;
mod pg_objects;
mod pg_routines;
mod pg_table;
pub(crate) mod pgdefs;
mod postgres;

pub(crate) use cursor::Cursor;
pub use lexer::Dialect;
pub(crate) use lexer::{Tok, Token, tokenize};
pub(crate) use pg_objects::{
    collation_fields, domain_fields, partition_fields, policy_entry, reloptions, replica_identity,
    sequence_fields, table_extras, trigger, view_definition, view_extra,
};
pub(crate) use pg_routines::{RoutineParts, canonical_args, canonical_returns, routine_name};

use super::model::Model;

/// A statement of a schema file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileIssue {
    /// 1-based line where the statement starts.
    pub line: usize,
    /// What is wrong (no file content).
    pub message: String,
}

/// Splits tokens into statements (without their ends, empty ones dropped).
pub(crate) fn statements(toks: &[Token]) -> impl Iterator<Item = &[Token]> {
    toks.split(|t| t.tok == Tok::End).filter(|s| !s.is_empty())
}

/// Rows of one `INSERT INTO table (cols) VALUES (…), (…)`, `c` after
/// `INTO`: kept for migration history tables (Rails' `structure.sql` ends
/// with the applied versions).
pub(crate) fn parse_insert(
    c: &mut Cursor<'_>,
) -> Vec<(String, std::collections::BTreeMap<String, Option<String>>)> {
    let mut out = Vec::new();
    let Some(name) = c.qname() else {
        return out;
    };
    let table = name.last().cloned().unwrap_or_default();
    let cols = c.name_list().unwrap_or_default();
    if !c.kw("values") {
        return out;
    }
    while c.op("(") {
        let mut row = std::collections::BTreeMap::new();
        for col in &cols {
            let v = match c.advance().map(|t| &t.tok) {
                Some(Tok::Str(s) | Tok::Number(s)) => Some(s.clone()),
                Some(Tok::Word(w)) if !w.eq_ignore_ascii_case("null") => Some(w.to_lowercase()),
                _ => None,
            };
            row.insert(col.clone(), v);
            c.op(",");
        }
        let _ = c.raw_until(|t: &Token| t.is_op(")"));
        c.op(")");
        out.push((table.clone(), row));
        c.op(",");
    }
    out
}

/// Reads a PostgreSQL or MySQL schema file. (SQLite files are loaded into an
/// in-memory database by the SQLite reader.)
pub(crate) fn parse(src: &str, dialect: Dialect) -> (Model, Vec<FileIssue>) {
    match dialect {
        Dialect::Mysql => mysql::parse(src),
        _ => postgres::parse(src),
    }
}

/// Guesses the dialect of a schema file from what only one dialect writes.
pub fn detect_dialect(src: &str) -> Dialect {
    let head: String = src.chars().take(200_000).collect();
    let has = |s: &str| head.contains(s);
    let pg = [
        "pg_dump",
        "SET search_path",
        "set_config('search_path'",
        "::",
        "CREATE EXTENSION",
        "OWNER TO",
        "$$",
        "timestamp with time zone",
        "ALTER TABLE ONLY",
        "bigserial",
        "timestamptz",
        "jsonb",
    ]
    .iter()
    .filter(|s| has(s))
    .count();
    let my = [
        "ENGINE=",
        "`",
        "/*!40",
        "AUTO_INCREMENT",
        "mysqldump",
        "MariaDB dump",
        "DEFAULT CHARSET",
        "LOCK TABLES",
    ]
    .iter()
    .filter(|s| has(s))
    .count();
    let lite = [
        "AUTOINCREMENT",
        "PRAGMA",
        "WITHOUT ROWID",
        "sqlite_sequence",
        "STRICT;",
    ]
    .iter()
    .filter(|s| has(s))
    .count();
    if lite > pg && lite > my {
        Dialect::Sqlite
    } else if my > pg {
        Dialect::Mysql
    } else {
        Dialect::Postgres
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_dialects() {
        assert_eq!(
            detect_dialect("-- Dumped by pg_dump\nCREATE TABLE public.a (id integer);"),
            Dialect::Postgres
        );
        assert_eq!(
            detect_dialect("CREATE TABLE `a` (`id` int) ENGINE=InnoDB;"),
            Dialect::Mysql
        );
        assert_eq!(
            detect_dialect("CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT);"),
            Dialect::Sqlite
        );
    }

    /// Found by the `schema_ddl` fuzz target (docs/fuzzing.md): a
    /// `PARTITION` not followed by `BY` after a table's columns made the
    /// reader loop forever. Parsed on a thread, so that a hang fails.
    #[test]
    fn a_partition_without_by_ends() {
        let parse_soon = |src: &'static str| {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let _ = tx.send(parse(src, Dialect::Postgres).0);
            });
            rx.recv_timeout(std::time::Duration::from_secs(10))
                .expect("the reader hangs")
        };
        for src in [
            "CREATE TABLE t (a int) PARTITION;",
            "CREATE TABLE t (a int) PARTITION OF x;\nCREATE TABLE u (b int);",
        ] {
            let model = parse_soon(src);
            assert!(!model.tables.is_empty(), "{src}");
        }
        let model = parse_soon("CREATE TABLE t (a int) PARTITION BY RANGE (a);");
        let keys: Vec<_> = model
            .tables
            .values()
            .map(|t| t.partition_key.clone())
            .collect();
        assert_eq!(keys, [Some("RANGE (a)".to_owned())]);
    }
}
