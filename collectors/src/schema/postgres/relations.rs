//! Tables, columns, partitions, indexes and constraints of a live
//! PostgreSQL database.

use std::collections::HashMap;

use drift_core::Value;

use super::{NOT_EXT_REL, Reader, b, int, json_list, oid, s, text};
use crate::schema::canon::pg_default;
use crate::schema::ddl::pgdefs::{constraint_from_text, index_from_text, norm_expr};
use crate::schema::ddl::{partition_fields, reloptions, replica_identity, table_extras};
use crate::schema::error::SchemaError;
use crate::schema::model::{Column, Model, Table};

/// Tables (not partitions), their columns and partition bounds.
pub(crate) fn tables(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    // A history table is read in every schema: the migration history is
    // recorded whatever the schema filters leave out.
    let ns = r.ns_or_history("n", "c");
    let sql = format!(
        "SELECT c.oid, n.nspname, c.relname, c.relpersistence = 'u', c.relrowsecurity, \
                c.relforcerowsecurity, \
                CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END, \
                pg_catalog.array_to_json(c.reloptions)::text, c.relreplident, \
                CASE WHEN c.relreplident = 'i' THEN (SELECT ri.relname \
                  FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ri ON ri.oid = x.indexrelid \
                  WHERE x.indrelid = c.oid AND x.indisreplident) END, \
                (SELECT pg_catalog.json_agg(pn.nspname || '.' || pc.relname \
                        ORDER BY h.inhseqno)::text \
                 FROM pg_catalog.pg_inherits h \
                 JOIN pg_catalog.pg_class pc ON pc.oid = h.inhparent \
                 JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace \
                 WHERE h.inhrelid = c.oid) \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND {ns} AND {NOT_EXT_REL}"
    );
    let mut by_oid: HashMap<u32, Vec<String>> = HashMap::new();
    for row in r.rows("tables", &sql)? {
        let name = vec![s(&row, 1), s(&row, 2)];
        let mut t = Table::default();
        t.fields.insert("unlogged".into(), Value::Bool(b(&row, 3)));
        t.fields
            .insert("row_security".into(), Value::Bool(b(&row, 4)));
        t.fields
            .insert("force_row_security".into(), Value::Bool(b(&row, 5)));
        t.partition_key = text(&row, 6).map(|k| partition_key(&k));
        table_extras(
            &mut t.fields,
            reloptions(&json_list(&row, 7)),
            replica_identity(&s(&row, 8), text(&row, 9).as_deref()),
            json_list(&row, 10),
        );
        by_oid.insert(oid(&row, 0), name.clone());
        m.tables.insert(name, t);
    }
    let user_tables = format!(
        "SELECT c.oid FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND {ns}"
    );
    // Type names once per distinct (type, modifier), not once per column.
    let sql = format!(
        "SELECT t, m, pg_catalog.format_type(t, m) FROM \
         (SELECT DISTINCT atttypid AS t, atttypmod AS m FROM pg_catalog.pg_attribute \
          WHERE attnum > 0 AND NOT attisdropped AND attrelid IN ({user_tables})) x"
    );
    let types: HashMap<(u32, i64), String> = r
        .rows("column types", &sql)
        .inspect_err(|_| m.tables.clear())?
        .iter()
        .map(|row| ((oid(row, 0), int(row, 1)), s(row, 2)))
        .collect();
    // Defaults cannot refer to columns: deparse them without opening the
    // table (generated columns need it). No ORDER BY: sorted here, so that
    // the server does not sort (or spill) tens of thousands of rows.
    let sql = format!(
        "SELECT a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull, \
                pg_catalog.pg_get_expr(d.adbin, \
                  CASE WHEN a.attgenerated = '' THEN 0 ELSE d.adrelid END), \
                a.attidentity, a.attgenerated, \
                CASE WHEN a.attcollation <> t.typcollation THEN \
                  CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname \
                       ELSE cn.nspname || '.' || co.collname END END \
         FROM pg_catalog.pg_attribute a \
         JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
         LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation \
         LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
         WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attrelid IN ({user_tables})"
    );
    // Without columns a table's entries would be wrong, not just missing.
    let rows = r.rows("columns", &sql).inspect_err(|_| m.tables.clear())?;
    let mut columns: HashMap<u32, Vec<(i64, Column)>> = HashMap::with_capacity(by_oid.len());
    for row in rows {
        let data_type = types
            .get(&(oid(&row, 3), int(&row, 4)))
            .cloned()
            .unwrap_or_default();
        let expr = row.get(6);
        let generated = (row.get(8) == Some("s")).then(|| norm_expr(expr.unwrap_or("")));
        let default = match (&generated, expr) {
            (None, Some(e)) => Some(pg_default(e, &data_type)),
            _ => None,
        };
        let identity = match row.get(7) {
            Some("a") => Some("always".to_owned()),
            Some("d") => Some("by default".to_owned()),
            _ => None,
        };
        let col = Column {
            name: s(&row, 2),
            nullable: !b(&row, 5),
            data_type,
            default,
            identity,
            generated,
            collation: text(&row, 9),
            extra: Default::default(),
        };
        columns
            .entry(oid(&row, 0))
            .or_default()
            .push((int(&row, 1), col));
    }
    for (rel, mut cols) in columns {
        if let Some(t) = by_oid.get(&rel).and_then(|n| m.tables.get_mut(n)) {
            cols.sort_by_key(|c| c.0);
            t.columns = cols.into_iter().map(|c| c.1).collect();
        }
    }
    // A partition of a parent that is read counts in the parent's bounds,
    // whatever schema the partition is in.
    let pns = r.ns_either("n", "pn");
    let sql = format!(
        "SELECT i.inhparent, pg_catalog.pg_get_expr(c.relpartbound, c.oid), n.nspname, \
                c.relname, pn.nspname || '.' || pc.relname, c.relrowsecurity, \
                c.relforcerowsecurity, \
                CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END \
         FROM pg_catalog.pg_inherits i \
         JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent \
         JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace \
         WHERE c.relispartition AND c.relkind IN ('r', 'p') AND {pns}"
    );
    let rows = r
        .rows("partitions", &sql)
        .inspect_err(|_| m.tables.clear())?;
    for row in rows {
        let bound = crate::schema::canon::squash(&s(&row, 1));
        if let Some(t) = by_oid.get(&oid(&row, 0)).and_then(|n| m.tables.get_mut(n)) {
            t.partitions.push(bound.clone());
        }
        let key = text(&row, 7).map(|k| partition_key(&k));
        m.partitions.insert(
            vec![s(&row, 2), s(&row, 3)],
            partition_fields(s(&row, 4), bound, b(&row, 5), b(&row, 6), key),
        );
    }
    Ok(())
}

/// `RANGE (created_at)` as the file parser writes it.
pub(crate) fn partition_key(def: &str) -> String {
    match def.split_once('(') {
        Some((strategy, rest)) => {
            let inner = rest.strip_suffix(')').unwrap_or(rest);
            format!("{} ({})", strategy.trim().to_uppercase(), norm_expr(inner))
        }
        None => def.to_owned(),
    }
}

/// Indexes that do not back a constraint and are not a partition's part
/// of an index on its parent.
pub(crate) fn indexes(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let ns = r.ns("n");
    let sql = format!(
        "SELECT n.nspname, ic.relname, pg_catalog.pg_get_indexdef(i.indexrelid), i.indisvalid, \
                pg_catalog.array_to_json(ic.reloptions)::text \
         FROM pg_catalog.pg_index i \
         JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
         JOIN pg_catalog.pg_class c ON c.oid = i.indrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace \
         WHERE c.relkind IN ('r', 'p', 'm') AND NOT ic.relispartition AND {ns} \
           AND {NOT_EXT_REL} \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k \
                           WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid \
                             AND k.contype IN ('p', 'u', 'x'))"
    );
    for row in r.rows("indexes", &sql)? {
        let def = s(&row, 2);
        let Some(mut p) = index_from_text(&def, "public") else {
            continue;
        };
        p.index.valid = b(&row, 3);
        let name = vec![s(&row, 0), s(&row, 1)];
        let options = reloptions(&json_list(&row, 4));
        if !options.is_empty() {
            let mut f = crate::schema::model::Fields::new();
            f.insert("options".into(), crate::schema::model::list(&options));
            m.extras.insert(("index".into(), name.clone()), f);
        }
        m.indexes.insert(name, p.index);
    }
    Ok(())
}

/// Constraints of tables and partitions (not clones for partitions).
pub(crate) fn constraints(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let ns = r.ns("n");
    let sql = format!(
        "SELECT n.nspname, c.relname, k.conname, pg_catalog.pg_get_constraintdef(k.oid), \
                k.convalidated \
         FROM pg_catalog.pg_constraint k \
         JOIN pg_catalog.pg_class c ON c.oid = k.conrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE k.contype IN ('p', 'u', 'f', 'c', 'x') AND k.conislocal \
           AND k.conparentid = 0 AND {ns} AND {NOT_EXT_REL}"
    );
    for row in r.rows("constraints", &sql)? {
        let Some(mut k) = constraint_from_text(&s(&row, 3), "public") else {
            continue;
        };
        k.validated = b(&row, 4);
        m.constraints
            .insert(vec![s(&row, 0), s(&row, 1), s(&row, 2)], k);
    }
    Ok(())
}
