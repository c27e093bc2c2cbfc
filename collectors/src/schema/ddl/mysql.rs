//! MySQL/MariaDB schema files (`mysqldump --no-data [--routines]`).

use std::collections::BTreeMap;

use super::cursor::Cursor;
use super::lexer::{Dialect, tokenize};
use super::mysql_table::{key_parts, table};
use super::mysql_values::{add_key, parameter, routine_fields, trigger_fields};
use super::pg_objects::view_definition;
use super::{FileIssue, parse_insert, statements};
use crate::schema::model::{Model, Routine, View};

/// The state of one MySQL file being read.
pub(crate) struct MyFile {
    pub model: Model,
    issues: Vec<FileIssue>,
    inserts: Vec<(String, BTreeMap<String, Option<String>>)>,
}

/// Reads a MySQL schema file.
pub(crate) fn parse(src: &str) -> (Model, Vec<FileIssue>) {
    let toks = tokenize(src, Dialect::Mysql);
    let mut f = MyFile {
        model: Model::default(),
        issues: Vec::new(),
        inserts: Vec::new(),
    };
    for stmt in statements(&toks) {
        let mut c = Cursor::new(src, stmt, Dialect::Mysql);
        let line = c.line();
        if let Err(message) = statement(&mut f, &mut c) {
            f.issues.push(FileIssue { line, message });
        }
    }
    crate::schema::migrations::from_inserts(&mut f.model, &f.inserts);
    (f.model, f.issues)
}

/// Skips `DEFINER=user@host`, `ALGORITHM=x`, `SQL SECURITY x`.
fn skip_view_options(c: &mut Cursor<'_>) -> bool {
    let mut definer = false;
    loop {
        if c.kw("definer") {
            c.op("=");
            c.advance();
            if c.op("@") {
                c.advance();
            }
            definer = true;
        } else if c.kw("algorithm") {
            c.op("=");
            c.advance();
        } else if c.kws(&["sql", "security"]) {
            c.advance();
        } else {
            return definer;
        }
    }
}

fn statement(f: &mut MyFile, c: &mut Cursor<'_>) -> Result<(), String> {
    if c.kws(&["insert", "into"]) {
        f.inserts.extend(parse_insert(c));
        return Ok(());
    }
    if c.kws(&["alter", "table"]) {
        return Err("ALTER TABLE is not read from MySQL schema files; use a mysqldump".into());
    }
    if !c.kw("create") {
        return Ok(());
    }
    c.kws(&["or", "replace"]);
    skip_view_options(c);
    if c.is_kw("table") || c.is_kw("temporary") {
        if c.kw("temporary") {
            return Ok(());
        }
        c.kw("table");
        return table(f, c);
    }
    if c.is_kw("unique") || c.is_kw("index") || c.is_kw("fulltext") || c.is_kw("spatial") {
        return create_index(f, c);
    }
    if c.kw("view") {
        let name = c.name().ok_or("expected a view name")?;
        while !c.at_end() && !c.kw("as") {
            c.skip_one();
        }
        let mut body = c.rest_raw();
        for tail in [
            "WITH CASCADED CHECK OPTION",
            "WITH LOCAL CHECK OPTION",
            "WITH CHECK OPTION",
        ] {
            if body.trim_end().to_uppercase().ends_with(tail) {
                let keep = body.trim_end().len() - tail.len();
                body.truncate(keep);
            }
        }
        f.model.views.insert(
            vec![name],
            View {
                materialized: false,
                definition: view_definition(&body),
            },
        );
        return Ok(());
    }
    if c.kw("trigger") {
        let name = c.name().ok_or("expected a trigger name")?;
        let timing = c.name().ok_or("expected BEFORE or AFTER")?;
        let event = c.name().ok_or("expected the event")?;
        if !c.kw("on") {
            return Err("expected ON".into());
        }
        let table = c.name().ok_or("expected the table")?;
        c.kws(&["for", "each", "row"]);
        if c.kw("follows") || c.kw("precedes") {
            c.advance();
        }
        let body = c.rest_raw();
        f.model
            .triggers
            .insert(vec![table, name], trigger_fields(&timing, &event, &body));
        return Ok(());
    }
    if c.is_kw("function") || c.is_kw("procedure") {
        return routine(f, c);
    }
    Ok(())
}

fn create_index(f: &mut MyFile, c: &mut Cursor<'_>) -> Result<(), String> {
    let unique = c.kw("unique");
    let method = if c.kw("fulltext") {
        "fulltext"
    } else if c.kw("spatial") {
        "spatial"
    } else {
        "btree"
    };
    c.kw("index");
    let name = c.name().ok_or("expected an index name")?;
    let mut method = method.to_owned();
    if c.kw("using") {
        method = c.name().unwrap_or_default().to_lowercase();
    }
    if !c.kw("on") {
        return Err("expected ON".into());
    }
    let table = c.name().ok_or("expected the table")?;
    let cols = key_parts(c).ok_or("expected the indexed columns")?;
    if c.kw("using") {
        method = c.name().unwrap_or_default().to_lowercase();
    }
    add_key(&mut f.model, &table, &name, unique, &method, cols);
    Ok(())
}

fn routine(f: &mut MyFile, c: &mut Cursor<'_>) -> Result<(), String> {
    let procedure = c.kw("procedure");
    c.kw("function");
    let name = c.name().ok_or("expected a routine name")?;
    if !c.op("(") {
        return Err("expected the parameters".into());
    }
    let mut args = Vec::new();
    while !c.at_end() && !c.is_op(")") {
        let mode = ["inout", "in", "out"]
            .into_iter()
            .find(|m| c.kw(m))
            .map(str::to_owned);
        let pname = c.name().ok_or("expected a parameter name")?;
        let ty = c.raw_until(|t| {
            t.is_op(",") || t.is_kw("charset") || t.is_kw("character") || t.is_kw("collate")
        });
        while !c.at_end() && !c.is_op(",") && !c.is_op(")") {
            c.skip_one();
        }
        args.push(parameter(mode.as_deref(), &pname, &ty));
        c.op(",");
    }
    c.op(")");
    let mut returns = None;
    if c.kw("returns") {
        let mut ty = c.name().unwrap_or_default();
        if c.is_op("(") {
            ty = format!("{ty}({})", c.paren_raw().unwrap_or_default());
        }
        while c.is_kw("unsigned") || c.is_kw("zerofill") || c.is_kw("signed") {
            if let Some(w) = c.name() {
                ty = format!("{ty} {w}");
            }
        }
        loop {
            if c.kw("charset") || c.kws(&["character", "set"]) || c.kw("collate") {
                c.advance();
            } else {
                break;
            }
        }
        returns = Some(ty);
    }
    let mut deterministic = false;
    let mut definer = true;
    loop {
        if c.kw("comment") {
            c.advance();
        } else if c.kws(&["language", "sql"]) {
        } else if c.kws(&["not", "deterministic"]) {
            deterministic = false;
        } else if c.kw("deterministic") {
            deterministic = true;
        } else if c.kws(&["contains", "sql"])
            || c.kws(&["no", "sql"])
            || c.kws(&["reads", "sql", "data"])
            || c.kws(&["modifies", "sql", "data"])
        {
            // Data access characteristics are advice, not schema.
        } else if c.kws(&["sql", "security"]) {
            definer = c.kw("definer");
            c.kw("invoker");
        } else {
            break;
        }
    }
    let body = c.rest_raw();
    let kind = if procedure { "procedure" } else { "function" };
    f.model.routines.insert(
        vec![name],
        Routine {
            kind: kind.into(),
            fields: routine_fields(&args, returns.as_deref(), &body, deterministic, definer),
        },
    );
    Ok(())
}
