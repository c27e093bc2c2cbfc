//! MySQL/MariaDB schema files (`mysqldump --no-data [--routines]`).

use std::collections::BTreeMap;

use super::cursor::Cursor;
use super::lexer::Tok;
use super::lexer::{Dialect, tokenize};
use super::mysql_table::{key_parts, table};
use super::mysql_values::{
    add_key, event_fields, parameter, routine_fields, set_trigger_order, trigger_fields,
    view_fields,
};
use super::pg_objects::view_definition;
use super::{FileIssue, parse_insert, statements};
use crate::schema::model::{Fields, Model, Routine, View};
use drift_core::Value;

/// Triggers of one table, timing and event, in their action order.
type TriggerGroups = BTreeMap<(String, String, String), Vec<String>>;

/// The state of one MySQL file being read.
pub(crate) struct MyFile {
    pub model: Model,
    issues: Vec<FileIssue>,
    inserts: Vec<(String, BTreeMap<String, Option<String>>)>,
    triggers: TriggerGroups,
    /// The database's default collation, when the file declares it
    /// (`CREATE DATABASE … CHARACTER SET …`): what a table without its own
    /// takes, as on the server.
    pub database_collation: Option<String>,
}

/// Reads a MySQL schema file.
pub(crate) fn parse(src: &str) -> (Model, Vec<FileIssue>) {
    let toks = tokenize(src, Dialect::Mysql);
    let mut f = MyFile {
        model: Model::default(),
        issues: Vec::new(),
        inserts: Vec::new(),
        triggers: TriggerGroups::new(),
        database_collation: None,
    };
    for stmt in statements(&toks) {
        let mut c = Cursor::new(src, stmt, Dialect::Mysql);
        let line = c.line();
        if let Err(message) = statement(&mut f, &mut c) {
            f.issues.push(FileIssue { line, message });
        }
    }
    for ((table, _, _), names) in &f.triggers {
        for (i, name) in names.iter().enumerate() {
            let key = vec![table.clone(), name.clone()];
            if let Some(t) = f.model.triggers.get_mut(&key) {
                set_trigger_order(t, i + 1, names.len());
            }
        }
    }
    crate::schema::migrations::from_inserts(&mut f.model, &f.inserts);
    (f.model, f.issues)
}

/// A view's `ALGORITHM` and `SQL SECURITY`, when given.
#[derive(Default)]
struct ViewOptions {
    algorithm: Option<String>,
    security: Option<String>,
}

/// Skips `DEFINER=user@host`; reads `ALGORITHM=x`, `SQL SECURITY x`.
fn view_options(c: &mut Cursor<'_>) -> ViewOptions {
    let mut o = ViewOptions::default();
    loop {
        if c.kw("definer") {
            c.op("=");
            c.advance();
            if c.op("@") {
                c.advance();
            }
        } else if c.kw("algorithm") {
            c.op("=");
            o.algorithm = c.name();
        } else if c.kws(&["sql", "security"]) {
            o.security = c.name();
        } else {
            return o;
        }
    }
}

fn statement(f: &mut MyFile, c: &mut Cursor<'_>) -> Result<(), String> {
    if c.kws(&["insert", "into"]) {
        f.inserts.extend(parse_insert(c));
        return Ok(());
    }
    if c.kws(&["alter", "database"]) || c.kws(&["alter", "schema"]) {
        database_options(f, c);
        return Ok(());
    }
    if c.kws(&["alter", "table"]) {
        return Err("ALTER TABLE is not read from MySQL schema files; use a mysqldump".into());
    }
    if !c.kw("create") {
        return Ok(());
    }
    if c.kw("database") || c.kw("schema") {
        c.kws(&["if", "not", "exists"]);
        database_options(f, c);
        return Ok(());
    }
    c.kws(&["or", "replace"]);
    let options = view_options(c);
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
        // The body ends before a closing `WITH [CASCADED|LOCAL] CHECK
        // OPTION` (in a dump, in a `/*!50002 … */` of its own).
        let (body, check) = c.rest_raw_before_check_option();
        let key = vec![name];
        let fields = view_fields(
            options.algorithm.as_deref(),
            options.security.as_deref(),
            check.as_deref(),
        );
        f.model.extras.remove(&("view".to_owned(), key.clone()));
        f.model.add_extras("view", &key, fields);
        f.model.views.insert(
            key,
            View {
                materialized: false,
                definition: view_definition(&body),
            },
        );
        return Ok(());
    }
    if c.kw("event") {
        return event(f, c);
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
        let group = f
            .triggers
            .entry((table.clone(), timing.to_lowercase(), event.to_lowercase()))
            .or_default();
        group.retain(|n| *n != name);
        let follows = c.kw("follows");
        if follows || c.kw("precedes") {
            let other = c.name().unwrap_or_default();
            let at = group.iter().position(|n| *n == other);
            match at {
                Some(i) if follows => group.insert(i + 1, name.clone()),
                Some(i) => group.insert(i, name.clone()),
                None => group.push(name.clone()),
            }
        } else {
            group.push(name.clone());
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

/// The default character set and collation of `CREATE DATABASE` and `ALTER
/// DATABASE` (the name, if any, is skipped): the collation named, else the
/// character set's default one. A later statement replaces an earlier one.
fn database_options(f: &mut MyFile, c: &mut Cursor<'_>) {
    let (mut charset, mut collation) = (None, None);
    while !c.at_end() {
        if c.kws(&["character", "set"]) || c.kw("charset") {
            c.op("=");
            charset = c.name();
        } else if c.kw("collate") {
            c.op("=");
            collation = c.name().map(|n| n.to_lowercase());
        } else {
            c.skip_one();
        }
    }
    if let Some(d) =
        collation.or_else(|| charset.map(|cs| super::mysql_values::charset_collation(&cs)))
    {
        f.database_collation = Some(d);
    }
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
    let mut extra = Fields::new();
    while !c.at_end() {
        if c.kw("using") {
            method = c.name().unwrap_or_default().to_lowercase();
        } else if c.kw("comment") {
            if let Some(text) = c.string().filter(|t| !t.is_empty()) {
                extra.insert("comment".into(), Value::String(text));
            }
        } else if c.kws(&["not", "ignored"]) || c.kw("visible") {
            // The default.
        } else if c.kw("ignored") || c.kw("invisible") {
            extra.insert("ignored".into(), Value::Bool(true));
        } else {
            c.skip_one();
        }
    }
    add_key(&mut f.model, &table, &name, unique, &method, cols, extra);
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
    let mut comment = None;
    let mut access = None;
    loop {
        if c.kw("comment") {
            comment = c.string();
        } else if c.kws(&["language", "sql"]) {
        } else if c.kws(&["not", "deterministic"]) {
            deterministic = false;
        } else if c.kw("deterministic") {
            deterministic = true;
        } else if c.kws(&["contains", "sql"]) {
            access = Some("CONTAINS SQL");
        } else if c.kws(&["no", "sql"]) {
            access = Some("NO SQL");
        } else if c.kws(&["reads", "sql", "data"]) {
            access = Some("READS SQL DATA");
        } else if c.kws(&["modifies", "sql", "data"]) {
            access = Some("MODIFIES SQL DATA");
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
            fields: {
                let mut fields =
                    routine_fields(&args, returns.as_deref(), &body, deterministic, definer);
                super::mysql_values::routine_characteristics(
                    &mut fields,
                    access,
                    comment.as_deref(),
                );
                fields
            },
        },
    );
    Ok(())
}

/// `CREATE EVENT name ON SCHEDULE … DO body`, after `EVENT`.
fn event(f: &mut MyFile, c: &mut Cursor<'_>) -> Result<(), String> {
    c.kws(&["if", "not", "exists"]);
    let name = c.name().ok_or("expected an event name")?;
    if !c.kws(&["on", "schedule"]) {
        return Err("expected ON SCHEDULE".into());
    }
    let mut every = None;
    if c.kw("every") {
        let n = match c.advance().map(|t| &t.tok) {
            Some(Tok::Str(v) | Tok::Number(v) | Tok::Word(v)) => v.clone(),
            _ => String::new(),
        };
        let unit = c.name().unwrap_or_default();
        every = Some((n, unit));
    }
    let mut preserve = false;
    let mut enabled = true;
    let mut comment = None;
    while !c.at_end() {
        if c.kws(&["on", "completion"]) {
            preserve = !c.kw("not");
            c.kw("preserve");
        } else if c.kw("enable") {
            enabled = true;
        } else if c.kw("disable") {
            enabled = false;
            c.kws(&["on", "slave"]);
        } else if c.kw("comment") {
            comment = c.string();
        } else if c.kw("do") {
            break;
        } else {
            c.skip_one();
        }
    }
    let body = c.rest_raw();
    let every = every.as_ref().map(|(n, u)| (n.as_str(), u.as_str()));
    f.model.others.insert(
        ("event".to_owned(), vec![name]),
        event_fields(every, preserve, enabled, comment.as_deref(), &body),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collation(m: &Model, table: &str, col: &str) -> Option<String> {
        m.tables[&vec![table.to_owned()]]
            .columns
            .iter()
            .find(|c| c.name == col)
            .and_then(|c| c.collation.clone())
    }

    #[test]
    fn tables_without_a_character_set_take_the_database_default_the_file_declares() {
        let (m, issues) = parse(
            "CREATE TABLE before (a varchar(5));\n\
             CREATE DATABASE IF NOT EXISTS shop DEFAULT CHARACTER SET latin1;\n\
             CREATE TABLE t (a varchar(5), b varchar(5) COLLATE latin1_bin);\n\
             CREATE TABLE u (a varchar(5)) DEFAULT CHARSET=utf8mb4;\n\
             ALTER DATABASE shop COLLATE = utf8mb4_unicode_ci;\n\
             CREATE TABLE w (a text);",
        );
        assert!(issues.is_empty(), "{issues:?}");
        let table = |t: &str| {
            m.tables[&vec![t.to_owned()]]
                .fields
                .get("collation")
                .cloned()
        };
        assert_eq!(table("before"), None);
        assert_eq!(collation(&m, "before", "a"), None);
        assert_eq!(table("t"), Some(Value::String("latin1_swedish_ci".into())));
        assert_eq!(
            collation(&m, "t", "a").as_deref(),
            Some("latin1_swedish_ci")
        );
        assert_eq!(collation(&m, "t", "b").as_deref(), Some("latin1_bin"));
        assert_eq!(
            collation(&m, "u", "a").as_deref(),
            Some("utf8mb4_general_ci")
        );
        assert_eq!(
            collation(&m, "w", "a").as_deref(),
            Some("utf8mb4_unicode_ci")
        );
    }

    #[test]
    fn character_columns_get_their_collation_from_the_nearest_declaration() {
        let (m, issues) = parse(
            "CREATE TABLE t (a varchar(5), b varchar(5) CHARACTER SET utf8mb4, \
               c text COLLATE latin1_bin, n int) DEFAULT CHARSET=latin1;\n\
             CREATE TABLE u (a varchar(5)) ENGINE=InnoDB;\n\
             CREATE TABLE v (a varchar(5), KEY (?)) DEFAULT CHARSET=latin1;",
        );
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(
            collation(&m, "t", "a").as_deref(),
            Some("latin1_swedish_ci")
        );
        assert_eq!(
            collation(&m, "t", "b").as_deref(),
            Some("utf8mb4_general_ci")
        );
        assert_eq!(collation(&m, "t", "c").as_deref(), Some("latin1_bin"));
        assert_eq!(collation(&m, "t", "n"), None);
        // Without a declared charset the collation is unknown, never "".
        assert_eq!(collation(&m, "u", "a"), None);
        assert_eq!(collation(&m, "v", "a"), None);
        let engine = &m.tables[&vec!["u".to_owned()]].fields["engine"];
        assert_eq!(engine, &Value::String("innodb".into()));
    }

    #[test]
    fn keys_record_comments_and_only_real_ignoring() {
        let (m, issues) = parse(
            "CREATE TABLE t (a int, b int, c int, KEY ka (a) COMMENT 'x' IGNORED, \
               KEY kb (b) NOT IGNORED, UNIQUE KEY kc (c) INVISIBLE);\n\
             CREATE INDEX kd ON t (a, b) COMMENT 'both' NOT IGNORED;",
        );
        assert!(issues.is_empty(), "{issues:?}");
        let extras = |kind: &str, n: &str| {
            m.extras
                .get(&(kind.to_owned(), vec!["t".to_owned(), n.to_owned()]))
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(
            extras("index", "ka").get("comment"),
            Some(&Value::from("x"))
        );
        assert_eq!(
            extras("index", "ka").get("ignored"),
            Some(&Value::Bool(true))
        );
        assert!(extras("index", "kb").is_empty());
        assert_eq!(
            extras("constraint", "kc").get("ignored"),
            Some(&Value::Bool(true))
        );
        assert_eq!(
            extras("index", "kd").get("comment"),
            Some(&Value::from("both"))
        );
        assert_eq!(extras("index", "kd").get("ignored"), None);
    }

    #[test]
    fn trigger_order_follows_follows_and_precedes() {
        let (m, _) = parse(
            "CREATE TRIGGER a BEFORE INSERT ON t FOR EACH ROW SET NEW.x = 1;\n\
             CREATE TRIGGER b BEFORE INSERT ON t FOR EACH ROW PRECEDES a SET NEW.x = 2;\n\
             CREATE TRIGGER c BEFORE INSERT ON t FOR EACH ROW FOLLOWS b SET NEW.x = 3;\n\
             CREATE TRIGGER d AFTER INSERT ON t FOR EACH ROW SET @x = 1;",
        );
        let order = |n: &str| {
            m.triggers[&vec!["t".to_owned(), n.to_owned()]]
                .get("order")
                .cloned()
        };
        assert_eq!(order("b"), Some(Value::Int(1)));
        assert_eq!(order("c"), Some(Value::Int(2)));
        assert_eq!(order("a"), Some(Value::Int(3)));
        assert_eq!(order("d"), None);
    }
}
