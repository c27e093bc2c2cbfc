//! What a PostgreSQL schema file says beyond tables and their objects:
//! `CREATE SCHEMA`, `CREATE COLLATION`, `COMMENT ON`, identity sequences,
//! storage parameters, a view's check option, and the partitions and
//! inheritance resolved once the whole file is read.

use drift_core::Value;

use super::cursor::Cursor;
use super::lexer::{Dialect, tokenize};
use super::pg_objects::{collation_fields, partition_fields, reloptions, sequence_options};
use super::pg_routines::{canonical_args, routine_name};
use super::pgdefs::{dotted, qualify};
use super::postgres::PgFile;
use crate::schema::model::{Name, list};

/// `CREATE SCHEMA [IF NOT EXISTS] name | AUTHORIZATION role`, `c` after
/// `SCHEMA`.
pub(crate) fn create_schema(f: &mut PgFile, c: &mut Cursor<'_>) -> Result<(), String> {
    c.kws(&["if", "not", "exists"]);
    // `CREATE SCHEMA AUTHORIZATION role` names the schema after the role.
    c.kw("authorization");
    let name = c.name().ok_or("expected a schema name")?;
    f.model.schemas.insert(name, Default::default());
    Ok(())
}

/// `CREATE COLLATION name (provider = …, locale = …) | FROM other`, `c`
/// after `COLLATION`.
pub(crate) fn create_collation(f: &mut PgFile, c: &mut Cursor<'_>) -> Result<(), String> {
    c.kws(&["if", "not", "exists"]);
    let name = qualify(c.qname().ok_or("expected a collation name")?, &f.schema);
    if c.kw("from") {
        // Only the built-in C and POSIX collations are known without a
        // catalog; another one is copied from a server this file never saw.
        let from = c.qname().unwrap_or_default();
        let base = from.last().map(String::as_str).unwrap_or_default();
        if base == "C" || base == "POSIX" {
            let l = Some(base.to_owned());
            let fields = collation_fields("libc", true, l.clone(), l);
            f.model.collations.insert(name, fields);
            return Ok(());
        }
        return Err(
            "CREATE COLLATION … FROM a collation other than C or POSIX is not read \
                    from schema files; write its provider and locale"
                .into(),
        );
    }
    let (mut provider, mut deterministic) = ("libc".to_owned(), true);
    let (mut locale, mut collate, mut ctype) = (None, None, None);
    for item in c.paren_items().unwrap_or_default() {
        let Some((k, v)) = item.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let v = v
            .strip_prefix('\'')
            .and_then(|x| x.strip_suffix('\''))
            .map_or_else(|| v.to_owned(), |x| x.replace("''", "'"));
        match k.trim().to_lowercase().as_str() {
            "provider" => provider = v.to_lowercase(),
            "deterministic" => deterministic = !matches!(v.as_str(), "false" | "off" | "0"),
            "locale" => locale = Some(v),
            "lc_collate" => collate = Some(v),
            "lc_ctype" => ctype = Some(v),
            _ => {}
        }
    }
    let collate = collate.or_else(|| locale.clone());
    let ctype = ctype.or(locale);
    let fields = collation_fields(&provider, deterministic, collate, ctype);
    f.model.collations.insert(name, fields);
    Ok(())
}

/// `COMMENT ON kind name IS 'text' | NULL`, `c` after `ON`.
pub(crate) fn comment_on(f: &mut PgFile, c: &mut Cursor<'_>) -> Result<(), String> {
    let kind = if c.kws(&["materialized", "view"]) {
        "materialized_view".to_owned()
    } else {
        c.name().ok_or("expected an object kind")?.to_lowercase()
    };
    let name: Name = match kind.as_str() {
        "schema" => vec![c.name().ok_or("expected a schema name")?],
        "column" => {
            let mut q = c.qname().ok_or("expected a column name")?;
            let col = q.pop().ok_or("expected a column name")?;
            let mut n = qualify(q, &f.schema);
            n.push(col);
            n
        }
        "constraint" | "trigger" | "policy" => {
            let obj = c.name().ok_or("expected a name")?;
            if !c.kw("on") {
                return Err(format!(
                    "expected ON after COMMENT ON {}",
                    kind.to_uppercase()
                ));
            }
            if c.kw("domain") {
                // A domain's checks are fields of the domain, not entries.
                return Ok(());
            }
            let mut n = qualify(c.qname().ok_or("expected a table name")?, &f.schema);
            n.push(obj);
            n
        }
        "function" | "procedure" => {
            let q = qualify(c.qname().ok_or("expected a routine name")?, &f.schema);
            let [schema, name] = q.as_slice() else {
                return Err("expected SCHEMA.NAME of a routine".into());
            };
            let (_, sig) = canonical_args(&c.paren_raw().unwrap_or_default());
            routine_name(schema, name, &sig)
        }
        "table" | "view" | "materialized_view" | "sequence" | "index" | "type" | "domain"
        | "collation" => qualify(c.qname().ok_or("expected a name")?, &f.schema),
        // Extensions, roles, databases and the like: not schema objects
        // recorded here.
        _ => return Ok(()),
    };
    if !c.kw("is") {
        return Err("expected IS in COMMENT ON".into());
    }
    let text = if c.kw("null") {
        None
    } else {
        let mut s = String::new();
        while let Some(part) = c.string() {
            s.push_str(&part);
        }
        Some(s)
    };
    f.comments.push((kind, name, text));
    Ok(())
}

/// The sequence of an identity column, from the options in parentheses
/// after `AS IDENTITY` (`SEQUENCE NAME`, `START WITH`, …; none written means
/// the defaults for the column's type).
pub(crate) fn identity_sequence(f: &mut PgFile, table: &Name, col: &str, ty: &str, opts: &str) {
    let toks = tokenize(opts, Dialect::Postgres);
    let mut c = Cursor::new(opts, &toks, Dialect::Postgres);
    let name = if c.kws(&["sequence", "name"]) {
        c.qname().map(|q| qualify(q, &table[0]))
    } else {
        None
    };
    let name = name.unwrap_or_else(|| vec![table[0].clone(), f.auto_name(table, Some(col), "seq")]);
    let mut fields = sequence_options(&mut c, ty);
    let owner = format!("{}.{col}", dotted(table));
    fields.insert("owned_by".into(), Value::String(owner));
    f.model.sequences.insert(name, fields);
}

/// `WITH ( name = value, … )` storage parameters, `c` at `WITH`; `None`
/// when `c` is not there (`WITH` not followed by `(`).
pub(crate) fn with_options(c: &mut Cursor<'_>) -> Option<Vec<String>> {
    if !(c.is_kw("with") && c.peek_at(1).is_some_and(|t| t.is_op("("))) {
        return None;
    }
    c.kw("with");
    let items = c.paren_items().unwrap_or_default();
    Some(
        items
            .iter()
            .map(|i| i.split_whitespace().collect())
            .collect(),
    )
}

/// A view's definition without its trailing `WITH [LOCAL|CASCADED] CHECK
/// OPTION`, and that option (`local`, `cascaded`).
pub(crate) fn split_check_option(def: &str) -> (String, Option<String>) {
    for (tail, option) in [
        (" WITH LOCAL CHECK OPTION", "local"),
        (" WITH CASCADED CHECK OPTION", "cascaded"),
        (" WITH CHECK OPTION", "cascaded"),
    ] {
        if def.len() >= tail.len() && def[def.len() - tail.len()..].eq_ignore_ascii_case(tail) {
            let body = def[..def.len() - tail.len()].trim_end().to_owned();
            return (body, Some(option.to_owned()));
        }
    }
    (def.to_owned(), None)
}

/// Sets or merges a table's storage parameters (`CREATE TABLE … WITH`,
/// `ALTER TABLE … SET (…)`); `reset` removes the named ones.
pub(crate) fn table_options(f: &mut PgFile, table: &Name, items: &[String], reset: bool) {
    let Some(t) = f.model.tables.get_mut(table) else {
        return;
    };
    let mut current: Vec<String> = match t.fields.get("options") {
        Some(Value::List(l)) => l
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let new = reloptions(items);
    let key = |o: &str| o.split('=').next().unwrap_or_default().to_owned();
    let names: Vec<String> = if reset {
        items.iter().map(|i| i.trim().to_lowercase()).collect()
    } else {
        new.iter().map(|o| key(o)).collect()
    };
    current.retain(|o| !names.contains(&key(o)));
    if !reset {
        current.extend(new);
    }
    current.sort();
    if current.is_empty() {
        t.fields.remove("options");
    } else {
        t.fields.insert("options".into(), list(&current));
    }
}

/// `REPLICA IDENTITY …` of `ALTER TABLE`, `c` after those words.
pub(crate) fn replica_identity_clause(f: &mut PgFile, c: &mut Cursor<'_>, table: &Name) {
    let value = if c.kw("full") {
        Some("full".to_owned())
    } else if c.kw("nothing") {
        Some("nothing".to_owned())
    } else if c.kws(&["using", "index"]) {
        c.name().map(|n| format!("index {n}"))
    } else {
        c.kw("default");
        None
    };
    if let Some(t) = f.model.tables.get_mut(table) {
        match value {
            Some(v) => t.fields.insert("replica_identity".into(), Value::String(v)),
            None => t.fields.remove("replica_identity"),
        };
    }
}

/// After the whole file: parents of inheritance children, partition
/// entries and what is defined on partitions themselves (their clones of
/// the parent's objects left out, as the live read leaves them out), and
/// comments on objects whose kind the file names loosely (`TYPE`, `TABLE`).
pub(crate) fn finish_extras(f: &mut PgFile) {
    for (child, parents) in &f.inherits {
        if let Some(t) = f.model.tables.get_mut(child)
            && !parents.is_empty()
        {
            let names: Vec<String> = parents.iter().map(|p| dotted(p)).collect();
            t.fields.insert("inherits".into(), list(&names));
        }
    }
    for (parent, child, bound) in &f.attach {
        let Some(t) = f.model.tables.get(child) else {
            continue;
        };
        let flag = |k: &str| matches!(t.fields.get(k), Some(Value::Bool(true)));
        let fields = partition_fields(
            dotted(parent),
            bound.clone(),
            flag("row_security"),
            flag("force_row_security"),
            t.partition_key.clone(),
        );
        f.model.partitions.insert(child.clone(), fields);
    }
    // A partition's part of an index (or primary key, unique constraint)
    // on its parent, attached with `ALTER INDEX … ATTACH PARTITION`.
    let attached = std::mem::take(&mut f.attached_indexes);
    f.model.indexes.retain(|k, _| !attached.contains(k));
    let parents: std::collections::BTreeMap<Name, Name> = f
        .attach
        .iter()
        .map(|(p, c, _)| (c.clone(), p.clone()))
        .collect();
    let m = &mut f.model;
    let snapshot = m.constraints.clone();
    m.constraints.retain(|k, con| {
        let table = &k[..k.len() - 1];
        let Some(parent) = parents.get(table) else {
            return true;
        };
        let own = vec![k[0].clone(), k[k.len() - 1].clone()];
        if attached.contains(&own) {
            return false;
        }
        // A check of the parent's, which a dump repeats in each partition.
        let mut on_parent = parent.clone();
        on_parent.push(k[k.len() - 1].clone());
        !(con.kind == "check" && snapshot.contains_key(&on_parent))
    });
    for (kind, name, text) in std::mem::take(&mut f.comments) {
        let kind = match kind.as_str() {
            "type" | "domain" if m.domains.contains_key(&name) => "domain",
            "type" if m.enums.contains_key(&name) => "enum",
            "type" | "domain" => continue,
            "table" if parents.contains_key(&name) => "partition",
            // Columns of composite types and foreign tables are not read.
            "column"
                if !m.tables.contains_key(&name[..name.len().saturating_sub(1)])
                    && !m.views.contains_key(&name[..name.len().saturating_sub(1)]) =>
            {
                continue;
            }
            _ => kind.as_str(),
        }
        .to_owned();
        if kind == "schema" && name == ["public"] && text.as_deref() == Some(PUBLIC_COMMENT) {
            continue;
        }
        match text {
            Some(t) => m.comments.insert((kind, name), t),
            None => m.comments.remove(&(kind, name)),
        };
    }
    // Every database has `public`; a dump does not create it.
    m.schemas.entry("public".into()).or_default();
}

/// The comment every database gives `public`, which a dump leaves out.
pub(crate) const PUBLIC_COMMENT: &str = "standard public schema";

/// `ALTER INDEX parent ATTACH PARTITION child`, `c` after `INDEX`.
pub(crate) fn alter_index(f: &mut PgFile, c: &mut Cursor<'_>) -> Result<(), String> {
    c.kws(&["if", "exists"]);
    let _parent = c.qname().ok_or("expected an index name")?;
    if c.kws(&["attach", "partition"]) {
        let child = qualify(c.qname().ok_or("expected an index name")?, &f.schema);
        f.attached_indexes.insert(child);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::postgres::parse;
    use super::*;

    fn name(parts: &[&str]) -> Name {
        parts.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn hand_written_ddl_gives_the_new_kinds() {
        let (m, issues) = parse(
            "CREATE SCHEMA IF NOT EXISTS billing;
             CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
             CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5), a text)
               WITH (fillfactor = 70);
             ALTER TABLE t SET (autovacuum_enabled = off);
             ALTER TABLE t REPLICA IDENTITY FULL;
             CREATE TABLE u (b int CHECK (b > 0) NO INHERIT) INHERITS (t);
             CREATE VIEW v WITH (security_barrier) AS SELECT id FROM t WITH CHECK OPTION;
             COMMENT ON TABLE t IS 'the ' 'tee';
             COMMENT ON COLUMN t.a IS 'an a';
             COMMENT ON COLUMN t.a IS NULL;
             COMMENT ON SCHEMA public IS 'standard public schema';
             COMMENT ON FUNCTION f(a integer) IS 'fn';",
        );
        assert!(issues.is_empty(), "{issues:?}");
        assert!(m.schemas.contains_key("billing") && m.schemas.contains_key("public"));
        assert_eq!(
            m.collations[&name(&["public", "nocase"])]["deterministic"],
            Value::Bool(false)
        );
        let seq = &m.sequences[&name(&["public", "t_id_seq"])];
        assert_eq!(seq["start"], Value::Int(10));
        assert_eq!(seq["increment"], Value::Int(5));
        assert_eq!(seq["type"], Value::from("integer"));
        assert_eq!(seq["owned_by"], Value::from("public.t.id"));
        let t = &m.tables[&name(&["public", "t"])].fields;
        assert_eq!(
            t["options"],
            list(&["autovacuum_enabled=false", "fillfactor=70"])
        );
        assert_eq!(t["replica_identity"], Value::from("full"));
        let u = &m.tables[&name(&["public", "u"])].fields;
        assert_eq!(u["inherits"], list(&["public.t"]));
        assert!(m.constraints[&name(&["public", "u", "u_b_check"])].no_inherit);
        let v = &m.extras[&("view".to_owned(), name(&["public", "v"]))];
        assert_eq!(v["check_option"], Value::from("cascaded"));
        assert_eq!(v["options"], list(&["security_barrier=true"]));
        assert_eq!(
            m.views[&name(&["public", "v"])].definition,
            "SELECT id FROM t"
        );
        let comments: Vec<_> = m.comments.iter().collect();
        assert_eq!(
            comments,
            [
                (
                    &("function".to_owned(), name(&["public", "f(integer)"])),
                    &"fn".to_owned()
                ),
                (
                    &("table".to_owned(), name(&["public", "t"])),
                    &"the tee".to_owned()
                )
            ]
        );
    }

    #[test]
    fn a_partitions_copies_of_its_parents_objects_are_folded() {
        let (m, issues) = parse(
            "CREATE TABLE m (d date NOT NULL, k int, CONSTRAINT m_k_check CHECK (k > 0))
               PARTITION BY RANGE (d);
             CREATE TABLE m1 (d date NOT NULL, k int, CONSTRAINT m_k_check CHECK (k > 0),
               CONSTRAINT m1_own CHECK (k < 9));
             ALTER TABLE ONLY m ATTACH PARTITION m1 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
             ALTER TABLE ONLY m ADD CONSTRAINT m_pkey PRIMARY KEY (d);
             ALTER TABLE ONLY m1 ADD CONSTRAINT m1_pkey PRIMARY KEY (d);
             CREATE INDEX m_k_idx ON ONLY m USING btree (k);
             CREATE INDEX m1_k_idx ON m1 USING btree (k);
             CREATE INDEX m1_d_idx ON m1 USING btree (d) WITH (fillfactor='50');
             ALTER INDEX m_k_idx ATTACH PARTITION m1_k_idx;
             ALTER INDEX m_pkey ATTACH PARTITION m1_pkey;
             ALTER TABLE m1 ENABLE ROW LEVEL SECURITY;
             COMMENT ON TABLE m1 IS 'a partition';",
        );
        assert!(issues.is_empty(), "{issues:?}");
        let indexes: Vec<_> = m.indexes.keys().map(|k| k.join(".")).collect();
        assert_eq!(indexes, ["public.m1_d_idx", "public.m_k_idx"]);
        let constraints: Vec<_> = m.constraints.keys().map(|k| k.join(".")).collect();
        assert_eq!(
            constraints,
            ["public.m.m_k_check", "public.m.m_pkey", "public.m1.m1_own"]
        );
        let p = &m.partitions[&name(&["public", "m1"])];
        assert_eq!(p["parent"], Value::from("public.m"));
        assert_eq!(p["row_security"], Value::Bool(true));
        assert!(!m.tables.contains_key(&name(&["public", "m1"])));
        assert!(
            m.comments
                .contains_key(&("partition".to_owned(), name(&["public", "m1"])))
        );
        let extra = &m.extras[&("index".to_owned(), name(&["public", "m1_d_idx"]))];
        assert_eq!(extra["options"], list(&["fillfactor=50"]));
    }
}
