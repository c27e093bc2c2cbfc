//! Turning a [`Model`] into manifest entries. The key grammar is documented
//! in `docs/schema.md`: `schema:LABEL:KIND:QUALIFIED.NAME`.

use drift_core::key::KeyBuilder;
use drift_core::value::Version;
use drift_core::{Collection, KeyPath, Value};
use rayon::prelude::*;

use super::model::{Column, Constraint, Fields, Index, Model, Table, list, opt};

/// Builds `schema:LABEL:KIND:part.part…`.
pub(crate) fn key(label: &str, kind: &str, name: &[String]) -> KeyPath {
    let mut b = KeyBuilder::new("schema").part(label).part(kind);
    for p in name {
        b.push_field(p);
    }
    b.finish()
}

/// A version value of the generic scheme.
pub(crate) fn version(text: &str) -> Value {
    Value::from(Version {
        scheme: "generic".to_owned(),
        text: text.to_owned(),
        dev: false,
    })
}

/// Emits every object of `model` under `label`; returns the number of
/// tables, the coverage count.
pub(crate) fn emit(model: &Model, label: &str, out: &mut Collection) -> u64 {
    // Columns are most of a large schema's entries: build them in parallel.
    let tables: Vec<Vec<(KeyPath, Value)>> = model
        .tables
        .par_iter()
        .map(|(name, table)| table_entries(label, name, table))
        .collect();
    for t in tables {
        out.entries.extend(t);
    }
    for (name, index) in &model.indexes {
        let v = with_extras(model, "index", name, index_value(index));
        out.insert(key(label, "index", name), v);
    }
    for (name, c) in &model.constraints {
        let v = with_extras(model, "constraint", name, constraint_value(c));
        out.insert(key(label, "constraint", name), v);
    }
    for (name, fields) in &model.sequences {
        out.insert(key(label, "sequence", name), Value::Object(fields.clone()));
    }
    for (name, view) in &model.views {
        let kind = if view.materialized {
            "materialized_view"
        } else {
            "view"
        };
        let mut f = Fields::new();
        f.insert("definition".into(), Value::String(view.definition.clone()));
        let v = with_extras(model, kind, name, Value::Object(f));
        out.insert(key(label, kind, name), v);
    }
    for ((kind, name), fields) in &model.others {
        out.insert(key(label, kind, name), Value::Object(fields.clone()));
    }
    for (name, r) in &model.routines {
        out.insert(key(label, &r.kind, name), Value::Object(r.fields.clone()));
    }
    for (name, fields) in &model.triggers {
        out.insert(key(label, "trigger", name), Value::Object(fields.clone()));
    }
    for (name, (schema, ver)) in &model.extensions {
        let mut f = Fields::new();
        f.insert("schema".into(), opt(schema.as_deref()));
        let n = std::slice::from_ref(name);
        out.insert(key(label, "extension", n), Value::Object(f));
        if let Some(v) = ver {
            out.insert(key(label, "extension_version", n), version(v));
        }
    }
    for (name, labels) in &model.enums {
        out.insert(key(label, "enum", name), list(labels));
    }
    for (name, fields) in &model.domains {
        out.insert(key(label, "domain", name), Value::Object(fields.clone()));
    }
    for (name, fields) in &model.policies {
        out.insert(key(label, "policy", name), Value::Object(fields.clone()));
    }
    for (name, value) in &model.settings {
        let n = std::slice::from_ref(name);
        out.insert(key(label, "setting", n), value.clone());
    }
    for (name, value) in &model.server {
        let n = std::slice::from_ref(name);
        out.insert(key(label, "server", n), value.clone());
    }
    for ((tool, id), fields) in &model.migrations {
        let name = [tool.clone(), id.clone()];
        let k = KeyBuilder::new("schema")
            .part(label)
            .part("migration")
            .part(&name[0])
            .field(&name[1])
            .finish();
        out.insert(k, Value::Object(fields.clone()));
    }
    for (tool, fields) in &model.migration_tools {
        let n = std::slice::from_ref(tool);
        out.insert(key(label, "migrations", n), Value::Object(fields.clone()));
    }
    for (name, fields) in &model.schemas {
        let n = std::slice::from_ref(name);
        out.insert(key(label, "schema", n), Value::Object(fields.clone()));
    }
    for (name, fields) in &model.collations {
        out.insert(key(label, "collation", name), Value::Object(fields.clone()));
    }
    for (name, fields) in &model.partitions {
        out.insert(key(label, "partition", name), Value::Object(fields.clone()));
    }
    for ((kind, name), text) in &model.comments {
        let k = owner_key(label, "comment", kind, name);
        out.insert(k, Value::String(text.clone()));
    }
    for ((kind, name), role) in &model.owners {
        let k = owner_key(label, "owner", kind, name);
        out.insert(k, Value::String(role.clone()));
    }
    for ((kind, name), items) in &model.grants {
        let k = owner_key(label, "grant", kind, name);
        out.insert(k, list(items));
    }
    model.tables.len() as u64
}

/// `value` with the [`Model::extras`] of its entry added.
fn with_extras(model: &Model, kind: &str, name: &[String], value: Value) -> Value {
    match (model.extras.get(&(kind.to_owned(), name.to_vec())), value) {
        (Some(extra), Value::Object(mut f)) => {
            f.extend(extra.clone());
            Value::Object(f)
        }
        (_, v) => v,
    }
}

fn owner_key(label: &str, what: &str, kind: &str, name: &[String]) -> KeyPath {
    let mut b = KeyBuilder::new("schema").part(label).part(what).part(kind);
    for p in name {
        b.push_field(p);
    }
    b.finish()
}

fn table_entries(label: &str, name: &[String], table: &Table) -> Vec<(KeyPath, Value)> {
    let mut out = Vec::with_capacity(table.columns.len() + 2);
    let mut f = table.fields.clone();
    if let Some(pk) = &table.partition_key {
        f.insert("partition_key".into(), Value::String(pk.clone()));
        let mut bounds = table.partitions.clone();
        bounds.sort();
        let mut hasher = blake3::Hasher::new();
        for b in &bounds {
            hasher.update(b.as_bytes());
            hasher.update(b"\n");
        }
        let mut p = Fields::new();
        p.insert("count".into(), Value::Int(bounds.len() as i64));
        let hash = hasher.finalize().to_hex();
        p.insert(
            "bounds_hash".into(),
            Value::String(hash.get(..16).unwrap_or_default().to_owned()),
        );
        f.insert("partitions".into(), Value::Object(p));
    }
    out.push((key(label, "table", name), Value::Object(f)));
    let mut col_name = name.to_vec();
    for c in &table.columns {
        col_name.push(c.name.clone());
        out.push((key(label, "column", &col_name), column_value(c)));
        col_name.pop();
    }
    let order: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    out.push((key(label, "column_order", name), list(&order)));
    out
}

fn column_value(c: &Column) -> Value {
    let mut f = c.extra.clone();
    f.insert("type".into(), Value::String(c.data_type.clone()));
    f.insert("nullable".into(), Value::Bool(c.nullable));
    f.insert("default".into(), opt(c.default.as_deref()));
    f.insert("identity".into(), opt(c.identity.as_deref()));
    f.insert("generated".into(), opt(c.generated.as_deref()));
    f.insert("collation".into(), opt(c.collation.as_deref()));
    Value::Object(f)
}

fn index_value(i: &Index) -> Value {
    let mut f = Fields::new();
    f.insert("table".into(), Value::String(i.table.clone()));
    f.insert("method".into(), opt(i.method.as_deref()));
    f.insert("columns".into(), list(&i.columns));
    f.insert("include".into(), list(&i.include));
    f.insert("unique".into(), Value::Bool(i.unique));
    f.insert("predicate".into(), opt(i.predicate.as_deref()));
    f.insert("valid".into(), Value::Bool(i.valid));
    Value::Object(f)
}

fn constraint_value(c: &Constraint) -> Value {
    let mut f = Fields::new();
    f.insert("type".into(), Value::String(c.kind.clone()));
    f.insert("columns".into(), list(&c.columns));
    f.insert("references".into(), opt(c.references.as_deref()));
    f.insert("ref_columns".into(), list(&c.ref_columns));
    f.insert("on_update".into(), opt(c.on_update.as_deref()));
    f.insert("on_delete".into(), opt(c.on_delete.as_deref()));
    f.insert("expression".into(), opt(c.expression.as_deref()));
    f.insert("deferrable".into(), Value::Bool(c.deferrable));
    f.insert(
        "initially_deferred".into(),
        Value::Bool(c.initially_deferred),
    );
    f.insert("validated".into(), Value::Bool(c.validated));
    if c.no_inherit {
        f.insert("no_inherit".into(), Value::Bool(true));
    }
    Value::Object(f)
}
