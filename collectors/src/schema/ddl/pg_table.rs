//! `CREATE TABLE` and `ALTER TABLE` of PostgreSQL schema files.

use super::cursor::Cursor;
use super::pg_extras::{identity_sequence, replica_identity_clause, table_options, with_options};
use super::pgdefs::{constraint_tail, deferral, norm_expr, parse_constraint, qualify, references};
use super::postgres::PgFile;
use crate::schema::canon::{pg_default, pg_serial, pg_type, squash};
use crate::schema::model::{Column, Constraint, Name, Table};
use drift_core::Value;

/// Words that end a column's type and start its constraints.
const COLUMN_STOP: &[&str] = &[
    "constraint",
    "not",
    "null",
    "default",
    "primary",
    "unique",
    "references",
    "check",
    "generated",
    "collate",
    "deferrable",
    "initially",
];

fn is_stop(t: &super::lexer::Token) -> bool {
    t.is_op(",") || COLUMN_STOP.iter().any(|k| t.is_kw(k))
}

/// `CREATE [UNLOGGED] TABLE …`, `c` after `CREATE`.
pub(crate) fn create_table(f: &mut PgFile, c: &mut Cursor<'_>) -> Result<(), String> {
    c.kw("global");
    c.kw("local");
    let unlogged = c.kw("unlogged");
    if c.kw("temporary") || c.kw("temp") {
        return Ok(());
    }
    if !c.kw("table") {
        return Err("expected TABLE".into());
    }
    c.kws(&["if", "not", "exists"]);
    let name = qualify(c.qname().ok_or("expected a table name")?, &f.schema);
    let mut table = Table::default();
    table
        .fields
        .insert("unlogged".into(), Value::Bool(unlogged));
    table
        .fields
        .insert("row_security".into(), Value::Bool(false));
    table
        .fields
        .insert("force_row_security".into(), Value::Bool(false));
    if c.kws(&["partition", "of"]) {
        let parent = qualify(c.qname().ok_or("expected the parent table")?, &f.schema);
        if c.is_op("(") {
            c.skip_one();
        }
        let bound = squash(&c.raw_until(|t| t.is_kw("partition") || t.is_kw("with")));
        f.attach.push((parent, name.clone(), bound));
        f.partition_children.insert(name.clone());
        partition_by(c, Some(&mut table));
        f.model.tables.insert(name, table);
        return Ok(());
    }
    if c.kw("as") {
        return Err("CREATE TABLE … AS is not read from schema files".into());
    }
    f.model.tables.insert(name.clone(), table);
    if c.op("(") {
        loop {
            if c.is_op(")") || c.at_end() {
                break;
            }
            element(f, c, &name)?;
            if !c.op(",") {
                break;
            }
        }
        c.op(")");
    }
    while !c.at_end() {
        if let Some(options) = with_options(c) {
            table_options(f, &name, &options, false);
        } else if c.is_kw("partition") {
            // A `PARTITION` without `BY` is skipped, or the loop would
            // never end.
            if !partition_by(c, f.model.tables.get_mut(&name)) {
                c.skip_one();
            }
        } else if c.kw("inherits") {
            let parents = c.paren_items().unwrap_or_default();
            let parents = parents
                .iter()
                .map(|p| {
                    let toks = super::lexer::tokenize(p, super::lexer::Dialect::Postgres);
                    let mut pc = Cursor::new(p, &toks, super::lexer::Dialect::Postgres);
                    qualify(pc.qname().unwrap_or_default(), &f.schema)
                })
                .collect();
            f.inherits.push((name.clone(), parents));
        } else {
            c.skip_one();
        }
    }
    Ok(())
}

/// `PARTITION BY …` into `table`'s partition key (when there is a table);
/// whether it was there.
fn partition_by(c: &mut Cursor<'_>, table: Option<&mut Table>) -> bool {
    if !c.kws(&["partition", "by"]) {
        return false;
    }
    let strategy = c
        .advance()
        .and_then(|t| t.name(c.dialect))
        .unwrap_or_default()
        .to_uppercase();
    let cols = c.paren_raw().unwrap_or_default();
    if let Some(table) = table {
        table.partition_key = Some(format!("{strategy} ({})", norm_expr(&cols)));
    }
    true
}

/// One element of a table body: a column or a table constraint.
fn element(f: &mut PgFile, c: &mut Cursor<'_>, table: &Name) -> Result<(), String> {
    if c.is_kw("like") {
        return Err("CREATE TABLE … (LIKE …) is not read from schema files".into());
    }
    let named = if c.kw("constraint") {
        Some(c.name().ok_or("expected a constraint name")?)
    } else {
        None
    };
    let starts_constraint = ["primary", "unique", "foreign", "check", "exclude"]
        .iter()
        .any(|k| c.is_kw(k))
        && !c.peek_at(1).is_some_and(|t| is_type_start(t, c));
    if named.is_some() || starts_constraint {
        let k = parse_constraint(c, &f.schema).ok_or("cannot read this table constraint")?;
        f.add_constraint(table, named, k);
        return Ok(());
    }
    let col = c.name().ok_or("expected a column name")?;
    column_def(f, c, table, col)
}

/// Whether `t` can follow a column name that is also a constraint keyword
/// (a column named `check text`).
fn is_type_start(t: &super::lexer::Token, c: &Cursor<'_>) -> bool {
    t.name(c.dialect).is_some() && !t.is_kw("key") && !t.is_kw("nulls")
}

/// A column definition after its name (also `ALTER TABLE … ADD COLUMN`).
pub(crate) fn column_def(
    f: &mut PgFile,
    c: &mut Cursor<'_>,
    table: &Name,
    name: String,
) -> Result<(), String> {
    let raw_type = c.raw_until(is_stop);
    if raw_type.trim().is_empty() {
        return Err(format!("column `{name}` has no type"));
    }
    let mut col = Column {
        name: name.clone(),
        nullable: true,
        ..Column::default()
    };
    if let Some(int) = pg_serial(&raw_type) {
        col.data_type = int.to_owned();
        col.nullable = false;
        let seq = f.serial_sequence(table, &name, int);
        col.default = Some(format!(
            "nextval('{}'::regclass)",
            seq.join(".").replace('\'', "''")
        ));
    } else {
        col.data_type = pg_type(&raw_type);
    }
    let mut constraint_name: Option<String> = None;
    while !c.at_end() && !c.is_op(",") && !c.is_op(")") {
        if c.kw("constraint") {
            constraint_name = c.name();
        } else if c.kws(&["not", "null"]) {
            col.nullable = false;
        } else if c.kw("null") {
            col.nullable = true;
        } else if c.kw("default") {
            if c.kw("null") {
                col.default = None;
            } else {
                col.default = Some(c.raw_until(is_stop));
            }
        } else if c.kw("collate") {
            col.collation = c.qname().map(|q| q.join("."));
        } else if c.kws(&["primary", "key"]) {
            let k = Constraint {
                kind: "primary key".into(),
                columns: vec![name.clone()],
                validated: true,
                ..Constraint::default()
            };
            col.nullable = false;
            f.add_constraint(table, constraint_name.take(), k);
        } else if c.kw("unique") {
            let k = Constraint {
                kind: "unique".into(),
                columns: vec![name.clone()],
                validated: true,
                ..Constraint::default()
            };
            f.add_constraint(table, constraint_name.take(), k);
        } else if c.is_kw("references") {
            let mut k = Constraint {
                columns: vec![name.clone()],
                validated: true,
                ..Constraint::default()
            };
            references(c, &mut k, &f.schema).ok_or("cannot read REFERENCES")?;
            constraint_tail_inline(c, &mut k);
            f.add_constraint(table, constraint_name.take(), k);
        } else if c.kw("check") {
            let expr = c.paren_raw().ok_or("expected ( after CHECK")?;
            let mut k = Constraint {
                kind: "check".into(),
                expression: Some(norm_expr(&expr)),
                validated: true,
                ..Constraint::default()
            };
            constraint_tail_inline(c, &mut k);
            let cname = constraint_name
                .take()
                .unwrap_or_else(|| f.auto_name(table, Some(&name), "check"));
            f.add_constraint(table, Some(cname), k);
        } else if c.kw("generated") {
            let kind = if c.kw("always") {
                "always"
            } else {
                c.kws(&["by", "default"]);
                "by default"
            };
            c.kw("as");
            if c.kw("identity") {
                col.identity = Some(kind.to_owned());
                col.nullable = false;
                let opts = if c.is_op("(") {
                    c.paren_raw().unwrap_or_default()
                } else {
                    String::new()
                };
                identity_sequence(f, table, &name, &col.data_type, &opts);
            } else {
                let expr = c.paren_raw().ok_or("expected ( after GENERATED … AS")?;
                col.generated = Some(norm_expr(&expr));
                c.kw("stored");
            }
        } else {
            c.skip_one();
        }
    }
    if let Some(d) = col.default.take() {
        col.default = Some(pg_default(&d, &col.data_type));
    }
    let t = f.model.tables.entry(table.clone()).or_default();
    t.columns.retain(|x| x.name != col.name);
    t.columns.push(col);
    Ok(())
}

/// The deferral clauses after a column's inline constraint (other column
/// constraints may follow, so nothing else is consumed).
fn constraint_tail_inline(c: &mut Cursor<'_>, k: &mut Constraint) {
    loop {
        if c.kws(&["no", "inherit"]) {
            k.no_inherit = true;
        } else if !deferral(c, k) {
            break;
        }
    }
}

/// `ALTER TABLE [IF EXISTS] [ONLY] name action, …`, `c` after `TABLE`.
pub(crate) fn alter_table(f: &mut PgFile, c: &mut Cursor<'_>) -> Result<(), String> {
    c.kws(&["if", "exists"]);
    c.kw("only");
    let table = qualify(c.qname().ok_or("expected a table name")?, &f.schema);
    loop {
        alter_action(f, c, &table)?;
        if !c.op(",") {
            break;
        }
    }
    Ok(())
}

fn set_field(f: &mut PgFile, table: &Name, field: &str, on: bool) {
    if let Some(t) = f.model.tables.get_mut(table) {
        t.fields.insert(field.into(), Value::Bool(on));
    }
}

fn alter_action(f: &mut PgFile, c: &mut Cursor<'_>, table: &Name) -> Result<(), String> {
    if c.kw("add") {
        if c.kw("constraint") {
            let name = c.name().ok_or("expected a constraint name")?;
            let mut k = parse_constraint(c, &f.schema).ok_or("cannot read this constraint")?;
            constraint_tail(c, &mut k);
            f.add_constraint(table, Some(name), k);
        } else if ["primary", "unique", "foreign", "check", "exclude"]
            .iter()
            .any(|k| c.is_kw(k))
        {
            let k = parse_constraint(c, &f.schema).ok_or("cannot read this constraint")?;
            f.add_constraint(table, None, k);
        } else {
            c.kw("column");
            c.kws(&["if", "not", "exists"]);
            let col = c.name().ok_or("expected a column name")?;
            column_def(f, c, table, col)?;
        }
    } else if c.kw("alter") {
        c.kw("column");
        let col = c.name().ok_or("expected a column name")?;
        alter_column(f, c, table, &col)?;
    } else if c.kw("drop") {
        if c.kw("constraint") {
            c.kws(&["if", "exists"]);
            if let Some(n) = c.name() {
                let mut key = table.clone();
                key.push(n);
                f.model.constraints.remove(&key);
            }
        } else {
            c.kw("column");
            c.kws(&["if", "exists"]);
            if let Some(n) = c.name()
                && let Some(t) = f.model.tables.get_mut(table)
            {
                t.columns.retain(|x| x.name != n);
            }
        }
    } else if c.kws(&["enable", "row", "level", "security"]) {
        set_field(f, table, "row_security", true);
    } else if c.kws(&["disable", "row", "level", "security"]) {
        set_field(f, table, "row_security", false);
    } else if c.kws(&["force", "row", "level", "security"]) {
        set_field(f, table, "force_row_security", true);
    } else if c.kws(&["no", "force", "row", "level", "security"]) {
        set_field(f, table, "force_row_security", false);
    } else if c.kws(&["attach", "partition"]) {
        let child = qualify(c.qname().ok_or("expected a partition name")?, &f.schema);
        let bound = squash(&c.raw_until(|t| t.is_op(",")));
        f.partition_children.insert(child.clone());
        f.attach.push((table.clone(), child, bound));
    } else if c.kws(&["validate", "constraint"]) {
        if let Some(n) = c.name() {
            let mut key = table.clone();
            key.push(n);
            if let Some(k) = f.model.constraints.get_mut(&key) {
                k.validated = true;
            }
        }
    } else if c.kw("disable") || c.kw("enable") {
        let enabled = !c.prev_is_kw("disable");
        c.kw("always");
        c.kw("replica");
        if c.kw("trigger")
            && let Some(n) = c.name()
        {
            let mut key = table.clone();
            key.push(n);
            f.trigger_state.insert(key, enabled);
        }
    } else if c.kw("rename") {
        return Err("ALTER TABLE … RENAME is not read from schema files".into());
    } else if c.kws(&["replica", "identity"]) {
        replica_identity_clause(f, c, table);
    } else if (c.is_kw("set") || c.is_kw("reset")) && c.peek_at(1).is_some_and(|t| t.is_op("(")) {
        let reset = c.kw("reset");
        c.kw("set");
        let items = c.paren_items().unwrap_or_default();
        let items: Vec<String> = items
            .iter()
            .map(|i| i.split_whitespace().collect())
            .collect();
        table_options(f, table, &items, reset);
    } else if c.kws(&["no", "inherit"]) {
        if let Some(p) = c.qname() {
            let p = qualify(p, &f.schema);
            for (child, parents) in &mut f.inherits {
                if child == table {
                    parents.retain(|x| *x != p);
                }
            }
        }
    } else if c.kw("inherit")
        && let Some(p) = c.qname()
    {
        let p = qualify(p, &f.schema);
        match f.inherits.iter_mut().find(|(child, _)| child == table) {
            Some((_, parents)) => parents.push(p),
            None => f.inherits.push((table.clone(), vec![p])),
        }
    }
    // Anything else (OWNER TO, CLUSTER ON) has no schema meaning here.
    let _ = c.raw_until(|t| t.is_op(","));
    Ok(())
}

fn alter_column(f: &mut PgFile, c: &mut Cursor<'_>, table: &Name, col: &str) -> Result<(), String> {
    let Some(t) = f.model.tables.get_mut(table) else {
        return Ok(());
    };
    let Some(column) = t.column_mut(col) else {
        return Ok(());
    };
    if c.kws(&["set", "default"]) {
        let raw = c.raw_until(|t| t.is_op(","));
        column.default = Some(pg_default(&raw, &column.data_type));
    } else if c.kws(&["drop", "default"]) {
        column.default = None;
    } else if c.kws(&["set", "not", "null"]) {
        column.nullable = false;
    } else if c.kws(&["drop", "not", "null"]) {
        column.nullable = true;
    } else if c.kw("add") && c.kw("generated") {
        let kind = if c.kw("always") {
            "always"
        } else {
            c.kws(&["by", "default"]);
            "by default"
        };
        column.identity = Some(kind.to_owned());
        column.nullable = false;
        let ty = column.data_type.clone();
        c.kws(&["as", "identity"]);
        let opts = if c.is_op("(") {
            c.paren_raw().unwrap_or_default()
        } else {
            String::new()
        };
        identity_sequence(f, table, col, &ty, &opts);
    } else if c.kws(&["set", "data", "type"]) || c.kw("type") {
        let raw = c.raw_until(|t| t.is_op(",") || t.is_kw("using") || t.is_kw("collate"));
        column.data_type = pg_type(&raw);
    }
    Ok(())
}
