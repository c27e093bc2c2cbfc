//! Tables, columns, keys, indexes and checks of a live MySQL/MariaDB
//! database, from `information_schema`.

use std::collections::BTreeMap;

use drift_core::Value;

use super::{Reader, s, text};
use crate::schema::canon::{mysql_default, mysql_type};
use crate::schema::ddl::mysql_values::{
    add_foreign_key, add_key, check_expr, create_options, key_name,
};
use crate::schema::ddl::pgdefs::norm_expr;
use crate::schema::error::SchemaError;
use crate::schema::model::{Column, Constraint, Fields, Model, Table, list};

fn one(name: &str) -> Vec<String> {
    vec![name.to_owned()]
}

/// Tables and their columns.
pub(crate) fn tables(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let sql = format!(
        "SELECT TABLE_NAME, ENGINE, TABLE_COLLATION, TABLE_COMMENT, CREATE_OPTIONS \
         FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = {} AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')",
        r.db_lit()
    );
    for row in r.rows("tables", &sql)? {
        let mut t = Table::default();
        t.fields
            .insert("engine".into(), Value::String(s(&row, 1).to_lowercase()));
        t.fields
            .insert("collation".into(), Value::String(s(&row, 2)));
        if let Some(c) = text(&row, 3).filter(|c| !c.is_empty()) {
            t.fields.insert("comment".into(), Value::String(c));
        }
        let (row_format, options) = create_options(&s(&row, 4));
        if let Some(f) = row_format {
            t.fields.insert("row_format".into(), Value::String(f));
        }
        if !options.is_empty() {
            t.fields.insert("options".into(), list(&options));
        }
        m.tables.insert(one(&s(&row, 0)), t);
    }
    let sql = format!(
        "SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, \
                COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION, COLLATION_NAME, COLUMN_COMMENT \
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {}",
        r.db_lit()
    );
    let mut rows = r.rows("columns", &sql).inspect_err(|_| m.tables.clear())?;
    rows.sort_by_key(|row| (s(row, 0), s(row, 2).parse::<u32>().unwrap_or(0)));
    for row in rows {
        let table = s(&row, 0);
        let Some(t) = m.tables.get_mut(&one(&table)) else {
            continue;
        };
        let data_type = mysql_type(&s(&row, 3));
        let extra = s(&row, 6).to_ascii_lowercase();
        let generated_kind = if extra.contains("stored generated") {
            Some("stored")
        } else if extra.contains("virtual generated") {
            Some("virtual")
        } else {
            None
        };
        let generated = generated_kind.and_then(|_| text(&row, 7).map(|e| norm_expr(&e)));
        let default = if generated.is_some() {
            None
        } else {
            text(&row, 5).and_then(|d| {
                mysql_default(
                    &d,
                    &data_type,
                    r.mariadb || extra.contains("default_generated"),
                )
            })
        };
        let mut fields = Fields::new();
        if let Some(k) = generated_kind {
            fields.insert("storage".into(), Value::String(k.into()));
        }
        if extra.contains("invisible") {
            fields.insert("invisible".into(), Value::Bool(true));
        }
        if let Some(c) = text(&row, 9).filter(|c| !c.is_empty()) {
            fields.insert("comment".into(), Value::String(c));
        }
        if let Some(p) = extra.find("on update ") {
            let f = extra[p + "on update ".len()..].trim();
            let v = mysql_default(f, "timestamp", true).unwrap_or_default();
            fields.insert("on_update".into(), Value::String(v));
        }
        // Every character column's collation, also where it is the table's:
        // changing a table's default leaves its columns as they were.
        let col_collation = text(&row, 8);
        t.columns.push(Column {
            name: s(&row, 1),
            nullable: s(&row, 4) == "YES",
            data_type,
            default,
            identity: extra
                .contains("auto_increment")
                .then(|| "auto_increment".to_owned()),
            generated,
            collation: col_collation,
            extra: fields,
        });
    }
    Ok(())
}

/// Primary keys and UNIQUE keys (constraints), other indexes, foreign keys.
pub(crate) fn keys(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    // Whether an index is ignored: MariaDB 10.6+ `IGNORED`, MySQL 8
    // `IS_VISIBLE`; neither on older servers.
    let probe = "SELECT COLUMN_NAME FROM information_schema.COLUMNS \
                 WHERE TABLE_SCHEMA = 'information_schema' AND TABLE_NAME = 'STATISTICS' \
                   AND COLUMN_NAME IN ('IGNORED', 'IS_VISIBLE')";
    let ignored = match r
        .rows("index visibility", probe)?
        .first()
        .map(|row| s(row, 0))
    {
        Some(c) if c == "IGNORED" => "IGNORED = 'YES'",
        Some(_) => "IS_VISIBLE = 'NO'",
        None => "FALSE",
    };
    let sql = format!(
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART, \
                COLLATION, INDEX_TYPE, INDEX_COMMENT, {ignored} \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = {}",
        r.db_lit()
    );
    let mut rows = r.rows("indexes", &sql)?;
    rows.sort_by_key(|row| (s(row, 0), s(row, 1), s(row, 3).parse::<u32>().unwrap_or(0)));
    type Group = (bool, String, Vec<String>, Fields);
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    for row in rows {
        let method = s(&row, 7).to_lowercase();
        let mut col = s(&row, 4);
        // A SPATIAL key shows a prefix length no one declares.
        if let Some(sub) = text(&row, 5).filter(|_| method != "spatial") {
            col = format!("{col}({sub})");
        }
        if s(&row, 6) == "D" {
            col.push_str(" DESC");
        }
        let g = groups.entry((s(&row, 0), s(&row, 1))).or_insert_with(|| {
            let mut extra = Fields::new();
            if let Some(c) = text(&row, 8).filter(|c| !c.is_empty()) {
                extra.insert("comment".into(), Value::String(c));
            }
            if s(&row, 9) == "1" {
                extra.insert("ignored".into(), Value::Bool(true));
            }
            (s(&row, 2) == "0", method, Vec::new(), extra)
        });
        g.2.push(col);
    }
    for ((table, name), (unique, method, cols, extra)) in groups {
        add_key(m, &table, &name, unique, &method, cols, extra);
    }
    let sql = format!(
        "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, \
                k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, c.UPDATE_RULE, c.DELETE_RULE, \
                k.ORDINAL_POSITION \
         FROM information_schema.KEY_COLUMN_USAGE k \
         JOIN information_schema.REFERENTIAL_CONSTRAINTS c \
           ON c.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND c.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
          AND c.TABLE_NAME = k.TABLE_NAME \
         WHERE k.TABLE_SCHEMA = {} AND k.REFERENCED_TABLE_NAME IS NOT NULL",
        r.db_lit()
    );
    let mut rows = r.rows("foreign keys", &sql)?;
    rows.sort_by_key(|row| (s(row, 0), s(row, 1), s(row, 8).parse::<u32>().unwrap_or(0)));
    let mut fks: BTreeMap<(String, String), Constraint> = BTreeMap::new();
    for row in rows {
        let key = (s(&row, 0), s(&row, 1));
        let target = if s(&row, 3) == r.db {
            s(&row, 4)
        } else {
            format!("{}.{}", s(&row, 3), s(&row, 4))
        };
        let k = fks.entry(key).or_insert_with(|| Constraint {
            kind: "foreign key".into(),
            references: Some(target),
            on_update: Some(s(&row, 6).to_lowercase()),
            on_delete: Some(s(&row, 7).to_lowercase()),
            validated: true,
            ..Constraint::default()
        });
        k.columns.push(s(&row, 2));
        k.ref_columns.push(s(&row, 5));
    }
    for ((table, name), k) in fks {
        add_foreign_key(m, &table, &name, k);
    }
    Ok(())
}

/// CHECK constraints (MariaDB 10.2+, MySQL 8.0.16+).
pub(crate) fn checks(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let sql = if r.mariadb {
        format!(
            "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE \
             FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = {}",
            r.db_lit()
        )
    } else {
        format!(
            "SELECT t.TABLE_NAME, c.CONSTRAINT_NAME, c.CHECK_CLAUSE \
             FROM information_schema.CHECK_CONSTRAINTS c \
             JOIN information_schema.TABLE_CONSTRAINTS t \
               ON t.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA \
              AND t.CONSTRAINT_NAME = c.CONSTRAINT_NAME AND t.CONSTRAINT_TYPE = 'CHECK' \
             WHERE c.CONSTRAINT_SCHEMA = {}",
            r.db_lit()
        )
    };
    for row in r.rows("check constraints", &sql)? {
        m.constraints.insert(
            vec![s(&row, 0), key_name(&s(&row, 1))],
            Constraint {
                kind: "check".into(),
                expression: Some(check_expr(&s(&row, 2))),
                validated: true,
                ..Constraint::default()
            },
        );
    }
    Ok(())
}
