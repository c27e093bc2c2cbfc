//! SQLite catalog reads: `sqlite_schema` and the table-valued pragmas, one
//! query per object kind.

use std::collections::BTreeMap;

use drift_core::Value;
use rusqlite::Connection;

use super::elements::{lower_unquoted, table_elements};
use super::sqlite_error;
use crate::schema::canon::{sqlite_type, squash};
use crate::schema::ddl::mysql_values::check_expr_in;
use crate::schema::ddl::pgdefs::{norm_expr, parse_index};
use crate::schema::ddl::{Cursor, Dialect, Tok, tokenize, view_definition};
use crate::schema::error::SchemaError;
use crate::schema::migrations::{self, ColKind};
use crate::schema::model::{Column, Constraint, Fields, Model, Table, View};

type Row = Vec<Option<String>>;

fn rows(conn: &Connection, shown: &str, what: &str, sql: &str) -> Result<Vec<Row>, SchemaError> {
    let mut stmt = conn
        .prepare(sql)
        .map_err(|e| sqlite_error(&e, shown, what))?;
    let n = stmt.column_count();
    let mapped = stmt
        .query_map([], |r| {
            (0..n)
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => None,
                        rusqlite::types::ValueRef::Integer(v) => Some(v.to_string()),
                        rusqlite::types::ValueRef::Real(v) => Some(v.to_string()),
                        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                            Some(String::from_utf8_lossy(t).into_owned())
                        }
                    })
                })
                .collect::<Result<Row, rusqlite::Error>>()
        })
        .map_err(|e| sqlite_error(&e, shown, what))?;
    mapped
        .collect::<Result<Vec<Row>, _>>()
        .map_err(|e| sqlite_error(&e, shown, what))
}

fn s(r: &Row, i: usize) -> String {
    r.get(i).cloned().flatten().unwrap_or_default()
}

fn one(name: &str) -> Vec<String> {
    vec![name.to_owned()]
}

/// Reads every object kind of the `main` database.
pub(crate) fn read(
    conn: &Connection,
    shown: &str,
    live: bool,
) -> Result<(Model, Vec<SchemaError>), SchemaError> {
    let mut m = Model::default();
    let mut errors = Vec::new();
    let schema = rows(
        conn,
        shown,
        "sqlite_schema",
        "SELECT type, name, tbl_name, sql FROM sqlite_schema \
         WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name",
    )?;
    let mut table_sql: BTreeMap<String, String> = BTreeMap::new();
    for r in &schema {
        let (kind, name, tbl, sql) = (s(r, 0), s(r, 1), s(r, 2), s(r, 3));
        match kind.as_str() {
            "table" => {
                table_sql.insert(name.clone(), sql);
                m.tables.insert(one(&name), Table::default());
            }
            "index" if !sql.is_empty() => {
                let toks = tokenize(&sql, Dialect::Sqlite);
                let mut c = Cursor::new(&sql, &toks, Dialect::Sqlite);
                c.kw("create");
                if let Some(mut p) = parse_index(&mut c, "main") {
                    p.index.method = None;
                    p.index.table = tbl;
                    m.indexes.insert(one(&name), p.index);
                }
            }
            "view" => {
                // SQLite keywords and names are without case: a view
                // rewritten in other case is the same view.
                m.views.insert(
                    one(&name),
                    View {
                        materialized: false,
                        definition: view_definition(&lower_unquoted(&after_as(&sql))),
                    },
                );
            }
            "trigger" => {
                let mut f = Fields::new();
                f.insert("definition".into(), Value::String(squash(&sql)));
                m.triggers.insert(vec![tbl, name], f);
            }
            _ => {}
        }
    }
    columns(conn, shown, &mut m, &table_sql)?;
    if let Err(e) = table_flags(conn, shown, &mut m) {
        errors.push(e);
    }
    if let Err(e) = keys(conn, shown, &mut m, &table_sql) {
        errors.push(e);
    }
    for (name, sql) in &table_sql {
        checks(&mut m, name, sql);
    }
    if live {
        for p in [
            "user_version",
            "application_id",
            "encoding",
            "journal_mode",
            "auto_vacuum",
        ] {
            match rows(conn, shown, "pragmas", &format!("SELECT * FROM pragma_{p}")) {
                Ok(r) => {
                    let v = s(&r[0], 0);
                    let v = v.parse::<i64>().map_or(Value::String(v), Value::Int);
                    m.settings.insert(p.to_owned(), v);
                }
                Err(e) => errors.push(e),
            }
        }
    }
    let found = migrations::detect(&m);
    for h in &found {
        let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
        let (what, sql) = h.select(&quote(&h.name[0]), |real, kind| match kind {
            ColKind::Hex => format!("lower(hex({}))", quote(real)),
            ColKind::Text => format!("CAST({} AS TEXT)", quote(real)),
        });
        match rows(conn, shown, &what, &sql) {
            Ok(r) => migrations::record(&mut m, h.tool, &r),
            Err(e) => errors.push(e),
        }
    }
    migrations::remove_history_tables(&mut m, &found);
    Ok((m, errors))
}

/// The text after the first top-level `AS` of a CREATE VIEW.
fn after_as(sql: &str) -> String {
    let toks = tokenize(sql, Dialect::Sqlite);
    let mut c = Cursor::new(sql, &toks, Dialect::Sqlite);
    while !c.at_end() && !c.kw("as") {
        c.skip_one();
    }
    c.rest_raw()
}

fn columns(
    conn: &Connection,
    shown: &str,
    m: &mut Model,
    table_sql: &BTreeMap<String, String>,
) -> Result<(), SchemaError> {
    let r = rows(
        conn,
        shown,
        "columns",
        "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden \
         FROM sqlite_schema m JOIN pragma_table_xinfo(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         ORDER BY m.name, p.cid",
    )?;
    for row in r {
        let table = s(&row, 0);
        let Some(t) = m.tables.get_mut(&one(&table)) else {
            continue;
        };
        let name = s(&row, 1);
        let hidden = s(&row, 6);
        let sql = table_sql.get(&table).map(String::as_str).unwrap_or("");
        let generated = matches!(hidden.as_str(), "2" | "3")
            .then(|| generated_expr(sql, &name))
            .flatten();
        let mut extra = Fields::new();
        if generated.is_some() {
            let how = if hidden == "3" { "stored" } else { "virtual" };
            extra.insert("storage".into(), Value::String(how.into()));
        }
        let clauses = table_elements(sql);
        let collation = clauses
            .iter()
            .find(|e| {
                e.column
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(&name))
            })
            .and_then(|e| e.collate.clone());
        let pk = s(&row, 5) != "0";
        let identity = (pk && has_autoincrement(sql)).then(|| "autoincrement".to_owned());
        t.columns.push(Column {
            name,
            data_type: sqlite_type(&s(&row, 2)),
            nullable: s(&row, 3) == "0",
            default: row.get(4).cloned().flatten().map(|d| squash(&d)),
            identity,
            generated,
            collation,
            extra,
        });
    }
    Ok(())
}

fn has_autoincrement(sql: &str) -> bool {
    tokenize(sql, Dialect::Sqlite)
        .iter()
        .any(|t| t.is_kw("autoincrement"))
}

/// The expression of generated column `col` in a CREATE TABLE text.
fn generated_expr(sql: &str, col: &str) -> Option<String> {
    let toks = tokenize(sql, Dialect::Sqlite);
    let mut c = Cursor::new(sql, &toks, Dialect::Sqlite);
    while !c.at_end() && !c.is_op("(") {
        c.advance();
    }
    c.op("(");
    while !c.at_end() {
        let this = c.name();
        if this.as_deref() == Some(col) {
            while !c.at_end() && !c.is_op(",") && !c.is_op(")") {
                if c.kw("as") {
                    return c.paren_raw().map(|e| norm_expr(&e));
                }
                c.skip_one();
            }
            return None;
        }
        let _ = c.raw_until(|t| t.is_op(","));
        if !c.op(",") {
            return None;
        }
    }
    None
}

fn table_flags(conn: &Connection, shown: &str, m: &mut Model) -> Result<(), SchemaError> {
    let r = rows(
        conn,
        shown,
        "table flags",
        "SELECT name, wr, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table'",
    )?;
    for row in r {
        if let Some(t) = m.tables.get_mut(&one(&s(&row, 0))) {
            t.fields
                .insert("without_rowid".into(), Value::Bool(s(&row, 1) == "1"));
            t.fields
                .insert("strict".into(), Value::Bool(s(&row, 2) == "1"));
        }
    }
    Ok(())
}

/// Primary keys, UNIQUE constraints and foreign keys, named by what they
/// hold (SQLite keeps no constraint names in its catalog).
fn keys(
    conn: &Connection,
    shown: &str,
    m: &mut Model,
    table_sql: &BTreeMap<String, String>,
) -> Result<(), SchemaError> {
    let mut pks: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    let r = rows(
        conn,
        shown,
        "primary keys",
        "SELECT m.name, p.name, p.pk FROM sqlite_schema m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND p.pk > 0",
    )?;
    for row in r {
        let pos = s(&row, 2).parse().unwrap_or(0);
        pks.entry(s(&row, 0)).or_default().push((pos, s(&row, 1)));
    }
    for (table, mut cols) in pks.clone() {
        cols.sort();
        let k = Constraint {
            kind: "primary key".into(),
            columns: cols.into_iter().map(|c| c.1).collect(),
            validated: true,
            ..Constraint::default()
        };
        m.constraints.insert(vec![table, "primary_key".into()], k);
    }
    let r = rows(
        conn,
        shown,
        "unique constraints",
        "SELECT m.name, l.name, i.name FROM sqlite_schema m \
         JOIN pragma_index_list(m.name) l JOIN pragma_index_info(l.name) i \
         WHERE m.type = 'table' AND l.origin = 'u' ORDER BY m.name, l.name, i.seqno",
    )?;
    let mut uniques: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for row in r {
        uniques
            .entry((s(&row, 0), s(&row, 1)))
            .or_default()
            .push(s(&row, 2));
    }
    for ((table, _), cols) in uniques {
        let name = format!("unique_{}", cols.join("_"));
        let k = Constraint {
            kind: "unique".into(),
            columns: cols,
            validated: true,
            ..Constraint::default()
        };
        m.constraints.insert(vec![table, name], k);
    }
    let r = rows(
        conn,
        shown,
        "foreign keys",
        "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete \
         FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f \
         WHERE m.type = 'table' ORDER BY m.name, f.id, f.seq",
    )?;
    let mut fks: BTreeMap<(String, String), Constraint> = BTreeMap::new();
    for row in r {
        let k = fks
            .entry((s(&row, 0), s(&row, 1)))
            .or_insert_with(|| Constraint {
                kind: "foreign key".into(),
                references: Some(s(&row, 2)),
                on_update: Some(s(&row, 5).to_lowercase()),
                on_delete: Some(s(&row, 6).to_lowercase()),
                validated: true,
                ..Constraint::default()
            });
        k.columns.push(s(&row, 3));
        if let Some(to) = row.get(4).cloned().flatten() {
            k.ref_columns.push(to);
        }
    }
    for ((table, _), mut k) in fks {
        let sql = table_sql.get(&table).map(String::as_str).unwrap_or("");
        if let Some(e) = table_elements(sql).into_iter().find(|e| {
            e.references
                && e.fk_columns.len() == k.columns.len()
                && e.fk_columns
                    .iter()
                    .zip(&k.columns)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
        }) {
            k.deferrable = e.deferrable;
            k.initially_deferred = e.initially_deferred;
        }
        if k.ref_columns.is_empty()
            && let Some(cols) = k.references.as_ref().and_then(|r| pks.get(r))
        {
            let mut cols = cols.clone();
            cols.sort();
            k.ref_columns = cols.into_iter().map(|c| c.1).collect();
        }
        let name = format!(
            "fk_{}_{}",
            k.columns.join("_"),
            k.references.clone().unwrap_or_default()
        );
        m.constraints.insert(vec![table, name], k);
    }
    Ok(())
}

/// CHECK constraints, from the CREATE TABLE text (SQLite has no catalog of
/// them): named ones by name, the others `check_N` in order.
fn checks(m: &mut Model, table: &str, sql: &str) {
    let toks = tokenize(sql, Dialect::Sqlite);
    let mut c = Cursor::new(sql, &toks, Dialect::Sqlite);
    let mut n = 0;
    let mut pending: Option<String> = None;
    while !c.at_end() {
        if c.kw("constraint") {
            pending = c.name();
            continue;
        }
        if c.kw("check") {
            if let Some(expr) = c.paren_raw() {
                n += 1;
                let name = pending.take().unwrap_or_else(|| format!("check_{n}"));
                let k = Constraint {
                    kind: "check".into(),
                    expression: Some(check_expr_in(&expr, Dialect::Sqlite)),
                    validated: true,
                    ..Constraint::default()
                };
                m.constraints.insert(vec![table.to_owned(), name], k);
            }
            continue;
        }
        if matches!(c.peek().map(|t| &t.tok), Some(Tok::Op(o)) if o == ",") {
            pending = None;
        }
        c.advance();
    }
}
