//! Schema files: the schema a repository declares, read into the same
//! [`Model`](super::model::Model) as a live database.

mod cursor;
mod lexer;
pub(crate) mod mysql;
mod mysql_options;
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

/// Guesses the dialect of a schema file from what only one dialect writes
/// (compared without regard to case; the first 200,000 characters).
pub fn detect_dialect(src: &str) -> Dialect {
    let head: String = src.chars().take(200_000).collect::<String>().to_lowercase();
    let count = |markers: &[&str]| markers.iter().filter(|m| head.contains(*m)).count();
    let pg = count(&[
        "pg_dump",
        "set search_path",
        "set_config('search_path'",
        "::",
        "create extension",
        "owner to",
        "$$",
        "timestamp with time zone",
        "alter table only",
        "serial",
        "timestamptz",
        "jsonb",
        "bytea",
        "public.",
        "create schema",
        "comment on",
        "plpgsql",
        "create type",
        "create sequence",
        "gen_random_uuid",
        "double precision",
    ]);
    let my = count(&[
        "engine=",
        "`",
        "/*!40",
        "auto_increment",
        "mysqldump",
        "mariadb dump",
        "default charset",
        "lock tables",
        "unsigned",
        "tinyint",
        "collate=",
    ]);
    let lite = count(&[
        "autoincrement",
        "pragma",
        "without rowid",
        "sqlite_",
        "strict;",
        "integer primary key",
        "begin transaction",
        " blob",
        "nocase",
        "datetime('now'",
        "strftime(",
        "julianday(",
        "on conflict",
        "create table if not exists \"",
        "(name,seq)",
    ]);
    if lite > pg && lite > my {
        Dialect::Sqlite
    } else if my > pg {
        Dialect::Mysql
    } else {
        Dialect::Postgres
    }
}

/// Words that begin a statement a schema file may hold.
const VERBS: &[&str] = &[
    "abort",
    "alter",
    "analyse",
    "analyze",
    "attach",
    "begin",
    "call",
    "checkpoint",
    "close",
    "cluster",
    "comment",
    "commit",
    "copy",
    "create",
    "deallocate",
    "declare",
    "delete",
    "delimiter",
    "detach",
    "discard",
    "do",
    "drop",
    "end",
    "execute",
    "explain",
    "fetch",
    "flush",
    "grant",
    "handler",
    "import",
    "insert",
    "listen",
    "load",
    "lock",
    "move",
    "notify",
    "optimize",
    "pragma",
    "prepare",
    "refresh",
    "reindex",
    "release",
    "rename",
    "replace",
    "reset",
    "revoke",
    "rollback",
    "savepoint",
    "security",
    "select",
    "set",
    "show",
    "start",
    "table",
    "truncate",
    "unlock",
    "update",
    "use",
    "vacuum",
    "values",
    "with",
];

/// Kinds of object a CREATE makes.
const KINDS: &[&str] = &[
    "access",
    "aggregate",
    "cast",
    "collation",
    "conversion",
    "database",
    "domain",
    "event",
    "extension",
    "foreign",
    "function",
    "group",
    "index",
    "language",
    "materialized",
    "operator",
    "policy",
    "procedure",
    "publication",
    "role",
    "rule",
    "schema",
    "sequence",
    "server",
    "statistics",
    "subscription",
    "table",
    "tablespace",
    "text",
    "transform",
    "trigger",
    "type",
    "user",
    "view",
    "virtual",
    "package",
    "synonym",
    "spatial",
    "fulltext",
    "unique",
];

/// Words that may stand between CREATE and the kind.
const MODIFIERS: &[&str] = &[
    "or",
    "replace",
    "temp",
    "temporary",
    "unlogged",
    "global",
    "local",
    "definer",
    "algorithm",
    "sql",
    "security",
    "recursive",
    "constraint",
    "trusted",
    "procedural",
    "default",
    "if",
    "not",
    "exists",
    "online",
    "offline",
    "ignore",
    "concurrently",
    "nonclustered",
    "clustered",
];

/// Statements of a schema file that no reader understands: a first word
/// that begins no SQL statement, or a CREATE of an unknown kind
/// (`CREATE TABEL`). At most `limit` are named; the last issue counts the
/// rest.
pub(crate) fn unknown_statements(src: &str, dialect: Dialect, limit: usize) -> Vec<FileIssue> {
    let toks = tokenize(src, dialect);
    let mut out = Vec::new();
    let mut more = 0usize;
    for stmt in statements(&toks) {
        let Some(first) = stmt.first() else { continue };
        let Tok::Word(w) = &first.tok else { continue };
        let lower = w.to_ascii_lowercase();
        let message = if !VERBS.contains(&lower.as_str()) {
            "not an SQL statement drift knows (a misspelt keyword, or not a schema file?)"
        } else if lower == "create" && !create_kind_known(&stmt[1..]) {
            "a CREATE of an unknown kind (a misspelt keyword?)"
        } else {
            continue;
        };
        if out.len() < limit {
            out.push(FileIssue {
                line: first.line,
                message: message.to_owned(),
            });
        } else {
            more += 1;
        }
    }
    if more > 0 {
        let line = out.last().map_or(1, |i: &FileIssue| i.line);
        out.push(FileIssue {
            line,
            message: format!("and {more} more statements not understood after this one"),
        });
    }
    out
}

fn create_kind_known(rest: &[Token]) -> bool {
    let mut after_assign = false;
    for t in rest.iter().take(24) {
        match &t.tok {
            Tok::Word(w) => {
                let w = w.to_ascii_lowercase();
                if KINDS.contains(&w.as_str()) {
                    return true;
                }
                if !MODIFIERS.contains(&w.as_str()) && !after_assign {
                    return false;
                }
                after_assign = matches!(w.as_str(), "security" | "algorithm" | "definer");
            }
            Tok::Op(o) => after_assign = o == "=" || o == "@",
            _ => after_assign = false,
        }
    }
    true
}

/// The statements of SQLite DDL with their first lines, a trigger's
/// `BEGIN … END` kept whole.
pub(crate) fn sqlite_statements(src: &str) -> Vec<(usize, &str)> {
    let toks = tokenize(src, Dialect::Sqlite);
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut in_trigger = false;
    for (i, t) in toks.iter().enumerate() {
        if t.tok == Tok::End {
            let Some(s) = start else { continue };
            let prev_end = i > 0 && toks[i - 1].is_kw("end");
            if in_trigger && !prev_end {
                continue;
            }
            out.push((toks[s].line, &src[toks[s].start..toks[i - 1].end]));
            start = None;
            in_trigger = false;
            continue;
        }
        if start.is_none() {
            start = Some(i);
            let words: Vec<&Token> = toks[i..].iter().take(4).collect();
            in_trigger = words.first().is_some_and(|w| w.is_kw("create"))
                && words.iter().skip(1).take(2).any(|w| w.is_kw("trigger"));
        }
    }
    if let Some(s) = start
        && let Some(last) = toks.last()
    {
        out.push((toks[s].line, &src[toks[s].start..last.end]));
    }
    out
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

    #[test]
    fn unknown_statements_are_named_by_line() {
        let src = "SET x = 1;\nCREATE TABLE a (id int);\nCREATE TABEL b (id int);\n\
                   hello world;\nCREATE OR REPLACE DEFINER=`u`@`h` SQL SECURITY INVOKER VIEW v AS SELECT 1;\n\
                   CREATE UNIQUE INDEX i ON a (id);\n# not a word;\n";
        let issues = unknown_statements(src, Dialect::Mysql, 10);
        let lines: Vec<usize> = issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, [3, 4]);
        let many = "x;".repeat(15);
        let issues = unknown_statements(&many, Dialect::Postgres, 10);
        assert_eq!(issues.len(), 11);
        assert!(issues[10].message.contains("5 more"), "{:?}", issues[10]);
    }

    #[test]
    fn sqlite_statements_keep_trigger_bodies_whole() {
        let src = "CREATE TABLE t (a int);\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n\
                   UPDATE t SET a = 1; DELETE FROM t WHERE a = 2;\nEND;\nCREATE INDEX i ON t (a)";
        let s = sqlite_statements(src);
        let lines: Vec<usize> = s.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [1, 2, 5]);
        assert!(s[1].1.ends_with("END"), "{:?}", s[1]);
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
