//! `CREATE TABLE` of MySQL schema files: columns, keys, checks, options and
//! partitions.

use drift_core::Value;

use super::cursor::Cursor;
use super::lexer::{Tok, Token};
use super::mysql::MyFile;
use super::mysql_values::{
    add_foreign_key, add_key, charset_collation, check_expr, is_character_type, key_name,
};
use super::pgdefs::norm_expr;
use crate::schema::canon::{mysql_default, mysql_type, squash};
use crate::schema::model::{Column, Constraint, Fields, Table};

/// Words that end a column's type.
const TYPE_STOP: &[&str] = &[
    "not",
    "null",
    "default",
    "auto_increment",
    "primary",
    "unique",
    "key",
    "comment",
    "collate",
    "character",
    "charset",
    "generated",
    "as",
    "on",
    "check",
    "references",
    "invisible",
    "visible",
    "stored",
    "virtual",
    "persistent",
    "column_format",
    "storage",
    "srid",
    "constraint",
];

fn stop(t: &Token) -> bool {
    t.is_op(",") || TYPE_STOP.iter().any(|k| t.is_kw(k))
}

pub(crate) fn table(f: &mut MyFile, c: &mut Cursor<'_>) -> Result<(), String> {
    c.kws(&["if", "not", "exists"]);
    let name = c.name().ok_or("expected a table name")?;
    if c.is_op(".") {
        c.op(".");
        return Err("a qualified table name (`db`.`t`) is not read; dump one database".into());
    }
    if c.kw("like") || c.kw("as") || c.kw("select") {
        return Err("CREATE TABLE … LIKE/AS is not read from schema files".into());
    }
    f.model.tables.insert(vec![name.clone()], Table::default());
    if !c.op("(") {
        return Err("expected the table's columns".into());
    }
    let mut checks = 0usize;
    loop {
        if c.is_op(")") || c.at_end() {
            break;
        }
        if let Err(e) = element(f, c, &name, &mut checks) {
            // The table's collation stays unknown: so do its columns'.
            if let Some(t) = f.model.tables.get_mut(&vec![name.clone()]) {
                for col in &mut t.columns {
                    if col.collation.as_deref() == Some("") {
                        col.collation = None;
                    }
                }
            }
            return Err(e);
        }
        if !c.op(",") {
            break;
        }
    }
    c.op(")");
    super::mysql_options::table_options(f, c, &name);
    Ok(())
}

fn element(
    f: &mut MyFile,
    c: &mut Cursor<'_>,
    table: &str,
    checks: &mut usize,
) -> Result<(), String> {
    let constraint_name = if c.kw("constraint") {
        if c.is_kw("check") || c.is_kw("foreign") || c.is_kw("unique") || c.is_kw("primary") {
            None
        } else {
            c.name()
        }
    } else {
        None
    };
    if c.kws(&["primary", "key"]) {
        if c.kw("using") {
            c.advance();
        }
        let cols = key_parts(c).ok_or("expected the primary key's columns")?;
        let extra = key_options(c);
        add_key(&mut f.model, table, "PRIMARY", true, "btree", cols, extra);
        return Ok(());
    }
    let unique = c.kw("unique");
    let method = if c.kw("fulltext") {
        Some("fulltext")
    } else if c.kw("spatial") {
        Some("spatial")
    } else {
        None
    };
    if unique || method.is_some() || c.is_kw("key") || c.is_kw("index") {
        let _ = c.kw("key") || c.kw("index");
        let name = if c.is_op("(") { None } else { c.name() };
        let mut m = method.unwrap_or("btree").to_owned();
        if c.kw("using") {
            m = c.name().unwrap_or_default().to_lowercase();
        }
        let cols = key_parts(c).ok_or("expected the key's columns")?;
        if c.kw("using") {
            m = c.name().unwrap_or_default().to_lowercase();
        }
        let name = name
            .or(constraint_name)
            .or_else(|| {
                cols.first()
                    .map(|c| c.split('(').next().unwrap_or(c).to_owned())
            })
            .unwrap_or_default();
        let extra = key_options(c);
        add_key(&mut f.model, table, &name, unique, &m, cols, extra);
        return Ok(());
    }
    if c.kws(&["foreign", "key"]) {
        let idx_name = if c.is_op("(") { None } else { c.name() };
        let cols = c.name_list().ok_or("expected the foreign key's columns")?;
        if !c.kw("references") {
            return Err("expected REFERENCES".into());
        }
        let target = c.name().ok_or("expected the referenced table")?;
        let refs = c.name_list().unwrap_or_default();
        let mut k = Constraint {
            kind: "foreign key".into(),
            columns: cols,
            references: Some(target),
            ref_columns: refs,
            on_delete: Some("restrict".into()),
            on_update: Some("restrict".into()),
            validated: true,
            ..Constraint::default()
        };
        while !c.at_end() && !c.is_op(",") && !c.is_op(")") {
            if c.kws(&["on", "delete"]) {
                k.on_delete = Some(action(c));
            } else if c.kws(&["on", "update"]) {
                k.on_update = Some(action(c));
            } else {
                c.skip_one();
            }
        }
        let name = constraint_name.or(idx_name).unwrap_or_default();
        add_foreign_key(&mut f.model, table, &name, k);
        return Ok(());
    }
    if c.kw("check") {
        let expr = c.paren_raw().ok_or("expected ( after CHECK")?;
        *checks += 1;
        let name = constraint_name.unwrap_or_else(|| format!("CONSTRAINT_{checks}"));
        f.model
            .constraints
            .insert(vec![table.to_owned(), key_name(&name)], check(&expr));
        return Ok(());
    }
    let col = c.name().ok_or("expected a column name")?;
    column(f, c, table, col)
}

fn check(expr: &str) -> Constraint {
    Constraint {
        kind: "check".into(),
        expression: Some(check_expr(expr)),
        validated: true,
        ..Constraint::default()
    }
}

fn action(c: &mut Cursor<'_>) -> String {
    if c.kw("cascade") {
        "cascade"
    } else if c.kws(&["set", "null"]) {
        "set null"
    } else if c.kws(&["set", "default"]) {
        "set default"
    } else if c.kws(&["no", "action"]) {
        "no action"
    } else {
        c.kw("restrict");
        "restrict"
    }
    .to_owned()
}

/// The options after a key's columns: its comment and whether it is
/// ignored (MariaDB `IGNORED`, MySQL `INVISIBLE`), when set.
fn key_options(c: &mut Cursor<'_>) -> Fields {
    let mut f = Fields::new();
    while !c.at_end() && !c.is_op(",") && !c.is_op(")") {
        if c.kw("comment") {
            if let Some(text) = c.string().filter(|t| !t.is_empty()) {
                f.insert("comment".into(), Value::String(text));
            }
        } else if c.kws(&["not", "ignored"]) || c.kw("visible") {
            // The default.
        } else if c.kw("ignored") || c.kw("invisible") {
            f.insert("ignored".into(), Value::Bool(true));
        } else {
            c.skip_one();
        }
    }
    f
}

fn column(f: &mut MyFile, c: &mut Cursor<'_>, table: &str, name: String) -> Result<(), String> {
    let raw_type = c.raw_until(stop);
    let data_type = mysql_type(&raw_type);
    let mut col = Column {
        name: name.clone(),
        nullable: true,
        ..Column::default()
    };
    let mut extra = Fields::new();
    let mut default_raw = None;
    let mut charset: Option<String> = None;
    while !c.at_end() && !c.is_op(",") && !c.is_op(")") {
        if c.kws(&["not", "null"]) {
            col.nullable = false;
        } else if c.kw("null") {
            col.nullable = true;
        } else if c.kw("default") {
            default_raw = Some(default_expr(c));
        } else if c.kw("auto_increment") {
            col.identity = Some("auto_increment".into());
        } else if c.kws(&["on", "update"]) {
            let v = default_expr(c);
            let v = mysql_default(&v, "timestamp", true).unwrap_or_default();
            extra.insert("on_update".into(), Value::String(v));
        } else if c.kw("comment") {
            if let Some(text) = c.string().filter(|t| !t.is_empty()) {
                extra.insert("comment".into(), Value::String(text));
            }
        } else if c.kw("invisible") {
            extra.insert("invisible".into(), Value::Bool(true));
        } else if c.kw("collate") {
            col.collation = c.name().map(|n| n.to_lowercase());
        } else if c.kws(&["character", "set"]) || c.kw("charset") {
            charset = c.name();
        } else if c.kws(&["primary", "key"]) {
            col.nullable = false;
            add_key(
                &mut f.model,
                table,
                "PRIMARY",
                true,
                "btree",
                vec![name.clone()],
                Fields::new(),
            );
        } else if c.kw("unique") {
            c.kw("key");
            add_key(
                &mut f.model,
                table,
                &name,
                true,
                "btree",
                vec![name.clone()],
                Fields::new(),
            );
        } else if c.kw("check") {
            let expr = c.paren_raw().ok_or("expected ( after CHECK")?;
            f.model
                .constraints
                .insert(vec![table.to_owned(), key_name(&name)], check(&expr));
        } else if c.kw("generated") || c.is_kw("as") {
            c.kw("always");
            c.kw("as");
            let expr = c.paren_raw().ok_or("expected ( after AS")?;
            col.generated = Some(norm_expr(&expr));
            let storage = if c.kw("stored") || c.kw("persistent") {
                "stored"
            } else {
                c.kw("virtual");
                "virtual"
            };
            extra.insert("storage".into(), Value::String(storage.into()));
        } else {
            c.skip_one();
        }
    }
    if col.generated.is_none() {
        col.default = default_raw.and_then(|d| mysql_default(&d, &data_type, true));
    }
    // A character column's collation: its own, its character set's default,
    // or (filled in after the table's options) the table's.
    if col.collation.is_none()
        && let Some(cs) = charset
    {
        col.collation = Some(charset_collation(&cs));
    }
    if !is_character_type(&data_type) {
        col.collation = None;
    } else if col.collation.is_none() {
        col.collation = Some(String::new());
    }
    col.data_type = data_type;
    col.extra = extra;
    if let Some(t) = f.model.tables.get_mut(&vec![table.to_owned()]) {
        t.columns.push(col);
    }
    Ok(())
}

/// A DEFAULT or ON UPDATE value: one literal, or a function call, or a
/// parenthesised expression.
fn default_expr(c: &mut Cursor<'_>) -> String {
    let start = c.clone();
    let Some(t) = c.advance() else {
        return String::new();
    };
    let mut text = match &t.tok {
        Tok::Str(s) => format!("'{}'", s.replace('\'', "''")),
        Tok::Op(o) if o == "(" => {
            let mut back = start;
            return back
                .paren_raw()
                .map(|e| format!("({})", squash(&e)))
                .inspect(|_| *c = back)
                .unwrap_or_default();
        }
        Tok::Op(o) if o == "-" => match c.advance().map(|t| &t.tok) {
            Some(Tok::Number(n)) => format!("-{n}"),
            _ => "-".to_owned(),
        },
        Tok::Number(n) => n.clone(),
        // `b'1'`, `x'0F'`: a prefix glued to a string.
        Tok::Word(w)
            if matches!(w.as_str(), "b" | "B" | "x" | "X")
                && c.peek().is_some_and(|n| n.start == t.end) =>
        {
            match c.advance().map(|n| &n.tok) {
                Some(Tok::Str(bits)) => format!("{}'{bits}'", w.to_lowercase()),
                _ => w.clone(),
            }
        }
        Tok::Word(w) => w.clone(),
        Tok::Quoted(q) => q.clone(),
        _ => String::new(),
    };
    if c.is_op("(") {
        let args = c.paren_raw().unwrap_or_default();
        text = format!("{text}({})", squash(&args));
    }
    text
}

/// `(`a`, `b`(10) DESC)` → `a`, `b(10) DESC`.
pub(crate) fn key_parts(c: &mut Cursor<'_>) -> Option<Vec<String>> {
    if !c.op("(") {
        return None;
    }
    let mut out = Vec::new();
    while !c.at_end() && !c.is_op(")") {
        let mut part = if c.is_op("(") {
            format!("({})", norm_expr(&c.paren_raw()?))
        } else {
            c.name()?
        };
        if c.is_op("(") {
            part = format!("{part}({})", squash(&c.paren_raw()?));
        }
        if c.kw("desc") {
            part.push_str(" DESC");
        }
        c.kw("asc");
        out.push(part);
        c.op(",");
    }
    c.op(")");
    Some(out)
}
