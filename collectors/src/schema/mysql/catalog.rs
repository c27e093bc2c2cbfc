//! Tables, columns, keys, indexes and checks of a live MySQL/MariaDB
//! database, from `information_schema`.

use std::collections::BTreeMap;

use drift_core::Value;

use super::{Reader, s, text};
use crate::schema::canon::{mysql_default, mysql_type};
use crate::schema::ddl::mysql_values::add_key;
use crate::schema::ddl::pgdefs::norm_expr;
use crate::schema::error::SchemaError;
use crate::schema::model::{Column, Constraint, Fields, Model, Table};

fn one(name: &str) -> Vec<String> {
    vec![name.to_owned()]
}

/// Tables and their columns.
pub(crate) fn tables(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let sql = format!(
        "SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = {} AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')",
        r.db_lit()
    );
    let mut collation: BTreeMap<String, String> = BTreeMap::new();
    for row in r.rows("tables", &sql)? {
        let mut t = Table::default();
        t.fields
            .insert("engine".into(), Value::String(s(&row, 1).to_lowercase()));
        t.fields
            .insert("collation".into(), Value::String(s(&row, 2)));
        collation.insert(s(&row, 0), s(&row, 2));
        m.tables.insert(one(&s(&row, 0)), t);
    }
    let sql = format!(
        "SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, \
                COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION, COLLATION_NAME \
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
        if let Some(p) = extra.find("on update ") {
            let f = extra[p + "on update ".len()..].trim();
            let v = mysql_default(f, "timestamp", true).unwrap_or_default();
            fields.insert("on_update".into(), Value::String(v));
        }
        let col_collation = text(&row, 8).filter(|c| collation.get(&table) != Some(c));
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
    let sql = format!(
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART, \
                COLLATION, INDEX_TYPE \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = {}",
        r.db_lit()
    );
    let mut rows = r.rows("indexes", &sql)?;
    rows.sort_by_key(|row| (s(row, 0), s(row, 1), s(row, 3).parse::<u32>().unwrap_or(0)));
    let mut groups: BTreeMap<(String, String), (bool, String, Vec<String>)> = BTreeMap::new();
    for row in rows {
        let mut col = s(&row, 4);
        if let Some(sub) = text(&row, 5) {
            col = format!("{col}({sub})");
        }
        if s(&row, 6) == "D" {
            col.push_str(" DESC");
        }
        let g = groups
            .entry((s(&row, 0), s(&row, 1)))
            .or_insert_with(|| (s(&row, 2) == "0", s(&row, 7).to_lowercase(), Vec::new()));
        g.2.push(col);
    }
    for ((table, name), (unique, method, cols)) in groups {
        add_key(m, &table, &name, unique, &method, cols);
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
    for row in rows {
        let key = vec![s(&row, 0), s(&row, 1)];
        let target = if s(&row, 3) == r.db {
            s(&row, 4)
        } else {
            format!("{}.{}", s(&row, 3), s(&row, 4))
        };
        let k = m.constraints.entry(key).or_insert_with(|| Constraint {
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
            vec![s(&row, 0), s(&row, 1)],
            Constraint {
                kind: "check".into(),
                expression: Some(norm_expr(&s(&row, 2))),
                validated: true,
                ..Constraint::default()
            },
        );
    }
    Ok(())
}
