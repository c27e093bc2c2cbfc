//! PostgreSQL schema files (`pg_dump --schema-only`, Rails `structure.sql`,
//! hand-written DDL) into the [`Model`].

use std::collections::{BTreeMap, BTreeSet};

use super::cursor::Cursor;
use super::lexer::{Dialect, Tok, tokenize};
use super::pg_extras::{
    alter_index, comment_on, create_collation, create_schema, finish_extras, split_check_option,
    with_options,
};
use super::pg_objects::{
    domain, int_limits, policy, reloptions, sequence_fields, sequence_options, trigger,
    view_definition, view_extra,
};
use super::pg_routines::routine;
use super::pg_table::{alter_table, create_table};
use super::pgdefs::{dotted, parse_index, qualify};
use super::{FileIssue, parse_insert, statements};
use crate::schema::model::{Constraint, Model, Name, Routine, View};

/// The state of one PostgreSQL file being read.
#[derive(Debug, Default)]
pub(crate) struct PgFile {
    pub model: Model,
    /// The schema of unqualified names (`SET search_path`).
    pub schema: String,
    /// Partitions: (parent, child, bound).
    pub attach: Vec<(Name, Name, String)>,
    pub partition_children: BTreeSet<Name>,
    /// `INHERITS (parents)`: (child, parents).
    pub inherits: Vec<(Name, Vec<Name>)>,
    /// `ALTER TABLE … DISABLE TRIGGER`.
    pub trigger_state: BTreeMap<Name, bool>,
    /// Types created by the file (enums, domains, composites).
    pub user_types: BTreeSet<Name>,
    /// Indexes attached to an index of a partition's parent
    /// (`ALTER INDEX … ATTACH PARTITION`).
    pub attached_indexes: BTreeSet<Name>,
    /// `COMMENT ON`: (kind as written, name, text or `None` for `IS NULL`).
    pub comments: Vec<(String, Name, Option<String>)>,
    /// Rows inserted into migration history tables: table → rows of
    /// (column → value).
    pub inserts: Vec<(String, BTreeMap<String, Option<String>>)>,
    pub issues: Vec<FileIssue>,
}

/// PostgreSQL's `makeObjectName`: `name1_name2_label` within 63 bytes,
/// shortening the longer part first.
fn object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = label.len() + 1 + name2.map_or(0, |_| 1);
    let avail = 63usize.saturating_sub(overhead);
    let mut n1 = name1.len();
    let mut n2 = name2.map_or(0, str::len);
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let clip = |s: &str, n: usize| {
        let mut n = n.min(s.len());
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_owned()
    };
    match name2 {
        Some(n) => format!("{}_{}_{label}", clip(name1, n1), clip(n, n2)),
        None => format!("{}_{label}", clip(name1, n1)),
    }
}

impl PgFile {
    /// Whether a relation or constraint name is taken in `schema`.
    fn taken(&self, schema: &str, name: &str) -> bool {
        let rel = vec![schema.to_owned(), name.to_owned()];
        self.model.tables.contains_key(&rel)
            || self.model.indexes.contains_key(&rel)
            || self.model.sequences.contains_key(&rel)
            || self.model.views.contains_key(&rel)
            || self
                .model
                .constraints
                .keys()
                .any(|k| k[0] == schema && k.last().is_some_and(|n| n == name))
    }

    /// A name PostgreSQL would choose: `table_col_label`, numbered when taken.
    pub(super) fn auto_name(&self, table: &Name, col: Option<&str>, label: &str) -> String {
        let mut n = object_name(&table[1], col, label);
        let mut i = 1;
        while self.taken(&table[0], &n) {
            n = object_name(&table[1], col, &format!("{label}{i}"));
            i += 1;
        }
        n
    }

    /// Adds a constraint, naming it as PostgreSQL would when unnamed.
    pub(super) fn add_constraint(&mut self, table: &Name, name: Option<String>, k: Constraint) {
        let name = name.unwrap_or_else(|| {
            let (col, label) = match k.kind.as_str() {
                "primary key" => (None, "pkey"),
                "unique" => (Some(k.columns.join("_")), "key"),
                "foreign key" => (Some(k.columns.join("_")), "fkey"),
                "exclude" => (Some(k.columns.join("_")), "excl"),
                _ => (
                    self.first_column_in(table, k.expression.as_deref()),
                    "check",
                ),
            };
            self.auto_name(table, col.as_deref().filter(|c| !c.is_empty()), label)
        });
        let mut key = table.clone();
        key.push(name);
        self.model.constraints.insert(key, k);
    }

    fn first_column_in(&self, table: &Name, expr: Option<&str>) -> Option<String> {
        let t = self.model.tables.get(table)?;
        let text = expr?;
        tokenize(text, Dialect::Postgres)
            .into_iter()
            .find_map(|tok| {
                let n = tok.name(Dialect::Postgres)?;
                t.columns.iter().any(|c| c.name == n).then_some(n)
            })
    }

    /// Creates the sequence of a serial column and returns its name.
    pub(super) fn serial_sequence(&mut self, table: &Name, col: &str, ty: &str) -> Name {
        let name = vec![table[0].clone(), self.auto_name(table, Some(col), "seq")];
        let (_, hi) = int_limits(ty);
        let owner = format!("{}.{col}", dotted(table));
        let f = sequence_fields(ty, 1, 1, 1, hi, 1, false, Some(owner));
        self.model.sequences.insert(name.clone(), f);
        name
    }

    fn issue(&mut self, line: usize, message: impl Into<String>) {
        self.issues.push(FileIssue {
            line,
            message: message.into(),
        });
    }
}

/// Reads a PostgreSQL schema file.
pub(crate) fn parse(src: &str) -> (Model, Vec<FileIssue>) {
    let toks = tokenize(src, Dialect::Postgres);
    let mut f = PgFile {
        schema: "public".into(),
        ..PgFile::default()
    };
    for stmt in statements(&toks) {
        let mut c = Cursor::new(src, stmt, Dialect::Postgres);
        let line = c.line();
        if let Err(message) = statement(&mut f, &mut c) {
            f.issue(line, message);
        }
    }
    finish(f)
}

fn statement(f: &mut PgFile, c: &mut Cursor<'_>) -> Result<(), String> {
    if c.kw("set") {
        set(f, c);
        return Ok(());
    }
    if c.kws(&["alter", "table"]) {
        return alter_table(f, c);
    }
    if c.kws(&["alter", "sequence"]) {
        return alter_sequence(f, c);
    }
    if c.kws(&["alter", "type"]) {
        return alter_type(f, c);
    }
    if c.kws(&["alter", "index"]) {
        return alter_index(f, c);
    }
    if c.kws(&["comment", "on"]) {
        return comment_on(f, c);
    }
    if c.kws(&["insert", "into"]) {
        f.inserts.extend(parse_insert(c));
        return Ok(());
    }
    if !c.kw("create") {
        return Ok(());
    }
    c.kws(&["or", "replace"]);
    if c.is_kw("unique") || c.is_kw("index") {
        let p = parse_index(c, &f.schema).ok_or("cannot read this CREATE INDEX")?;
        let name = match p.name {
            Some(n) => n,
            None => {
                let cols = p.key_names.join("_");
                f.auto_name(&p.table, Some(&cols), "idx")
            }
        };
        let key = vec![p.table[0].clone(), name];
        let options = reloptions(&p.options);
        if !options.is_empty() {
            let mut extra = crate::schema::model::Fields::new();
            extra.insert("options".into(), crate::schema::model::list(&options));
            f.model.extras.insert(("index".into(), key.clone()), extra);
        }
        f.model.indexes.insert(key, p.index);
        return Ok(());
    }
    if c.is_kw("table") || c.is_kw("unlogged") || c.is_kw("temporary") || c.is_kw("temp") {
        return create_table(f, c);
    }
    if c.kw("schema") {
        return create_schema(f, c);
    }
    if c.kw("collation") {
        return create_collation(f, c);
    }
    if c.kw("sequence") {
        c.kws(&["if", "not", "exists"]);
        let name = qualify(c.qname().ok_or("expected a sequence name")?, &f.schema);
        let fields = sequence_options(c, "bigint");
        f.model.sequences.insert(name, fields);
        return Ok(());
    }
    let materialized = c.kw("materialized");
    c.kw("recursive");
    if c.kw("view") {
        c.kws(&["if", "not", "exists"]);
        let name = qualify(c.qname().ok_or("expected a view name")?, &f.schema);
        let mut options = Vec::new();
        while !c.at_end() && !c.kw("as") {
            match with_options(c) {
                Some(o) => options = o,
                None => c.skip_one(),
            }
        }
        let (definition, check) = split_check_option(&view_definition(&c.rest_raw()));
        let kind = if materialized {
            "materialized_view"
        } else {
            "view"
        };
        if let Some(extra) = view_extra(reloptions(&options), check) {
            f.model.extras.insert((kind.into(), name.clone()), extra);
        }
        f.model.views.insert(
            name,
            View {
                materialized,
                definition,
            },
        );
        return Ok(());
    }
    if c.is_kw("function") || c.is_kw("procedure") {
        let procedure = c.kw("procedure");
        c.kw("function");
        let (key, parts) = routine(c, procedure, &f.schema).ok_or("cannot read this routine")?;
        let kind = if procedure { "procedure" } else { "function" };
        f.model.routines.insert(
            key,
            Routine {
                kind: kind.into(),
                fields: parts.fields(),
            },
        );
        return Ok(());
    }
    let constraint = c.kw("constraint");
    if c.kw("trigger") {
        let (key, fields) =
            trigger(c, &f.schema, constraint).ok_or("cannot read this CREATE TRIGGER")?;
        f.model.triggers.insert(key, fields);
        return Ok(());
    }
    if c.kw("extension") {
        c.kws(&["if", "not", "exists"]);
        let name = c.name().ok_or("expected an extension name")?;
        let (mut schema, mut version) = (None, None);
        while !c.at_end() {
            if c.kw("schema") {
                schema = c.name();
            } else if c.kw("version") {
                version = c.string().or_else(|| c.name());
            } else {
                c.skip_one();
            }
        }
        if name != "plpgsql" {
            f.model.extensions.insert(name, (schema, version));
        }
        return Ok(());
    }
    if c.kw("type") {
        let name = qualify(c.qname().ok_or("expected a type name")?, &f.schema);
        f.user_types.insert(name.clone());
        if c.kws(&["as", "enum"]) {
            let mut labels = Vec::new();
            c.op("(");
            while let Some(l) = c.string() {
                labels.push(l);
                c.op(",");
            }
            f.model.enums.insert(name, labels);
        }
        return Ok(());
    }
    if c.kw("domain") {
        let (name, fields) = domain(c, &f.schema).ok_or("cannot read this CREATE DOMAIN")?;
        f.user_types.insert(name.clone());
        f.model.domains.insert(name, fields);
        return Ok(());
    }
    if c.kw("policy") {
        let (key, fields) = policy(c, &f.schema).ok_or("cannot read this CREATE POLICY")?;
        f.model.policies.insert(key, fields);
    }
    Ok(())
}

/// `SET search_path = a, b` sets the schema of unqualified names.
fn set(f: &mut PgFile, c: &mut Cursor<'_>) {
    c.kw("local");
    c.kw("session");
    if c.kw("search_path") && (c.op("=") || c.kw("to")) {
        let first = c.advance().and_then(|t| match &t.tok {
            Tok::Str(s) => Some(s.split(',').next().unwrap_or("").trim().to_owned()),
            _ => t.name(Dialect::Postgres),
        });
        if let Some(s) = first.filter(|s| !s.is_empty() && s != "pg_catalog") {
            f.schema = s.trim_matches('"').to_owned();
        }
    }
}

fn alter_sequence(f: &mut PgFile, c: &mut Cursor<'_>) -> Result<(), String> {
    c.kws(&["if", "exists"]);
    let name = qualify(c.qname().ok_or("expected a sequence name")?, &f.schema);
    while !c.at_end() {
        if c.kws(&["owned", "by"]) {
            let owner = c.qname().unwrap_or_default();
            if let Some(s) = f.model.sequences.get_mut(&name) {
                let v = if owner.len() >= 2 && owner != ["none"] {
                    let owner = if owner.len() == 2 {
                        qualify(owner[..1].to_vec(), &f.schema)
                            .into_iter()
                            .chain(owner[1..].iter().cloned())
                            .collect()
                    } else {
                        owner
                    };
                    drift_core::Value::String(owner.join("."))
                } else {
                    drift_core::Value::Null
                };
                s.insert("owned_by".into(), v);
            }
        } else {
            c.skip_one();
        }
    }
    Ok(())
}

fn alter_type(f: &mut PgFile, c: &mut Cursor<'_>) -> Result<(), String> {
    let name = qualify(c.qname().ok_or("expected a type name")?, &f.schema);
    if !c.kws(&["add", "value"]) {
        if c.kw("rename") {
            return Err("ALTER TYPE … RENAME is not read from schema files".into());
        }
        return Ok(());
    }
    c.kws(&["if", "not", "exists"]);
    let label = c.string().ok_or("expected a label")?;
    let labels = f.model.enums.entry(name).or_default();
    if labels.contains(&label) {
        return Ok(());
    }
    let at = if c.kw("before") {
        c.string().and_then(|b| labels.iter().position(|l| *l == b))
    } else if c.kw("after") {
        c.string()
            .and_then(|a| labels.iter().position(|l| *l == a))
            .map(|p| p + 1)
    } else {
        None
    };
    labels.insert(at.unwrap_or(labels.len()), label);
    Ok(())
}

/// Gives inheritance children their parents' columns first, as the server
/// lists them (a dump writes only a child's own columns).
fn inherit_columns(f: &mut PgFile) {
    // Parents before children, whatever the file's order: repeat until stable.
    for _ in 0..f.inherits.len() {
        for (child, parents) in f.inherits.clone() {
            let mut cols = Vec::new();
            for p in &parents {
                if let Some(t) = f.model.tables.get(p) {
                    for c in &t.columns {
                        if !cols
                            .iter()
                            .any(|x: &crate::schema::model::Column| x.name == c.name)
                        {
                            cols.push(c.clone());
                        }
                    }
                }
            }
            if let Some(t) = f.model.tables.get_mut(&child) {
                let own: Vec<_> = t
                    .columns
                    .iter()
                    .filter(|c| !cols.iter().any(|x| x.name == c.name))
                    .cloned()
                    .collect();
                for c in &mut cols {
                    if let Some(local) = t.columns.iter().find(|x| x.name == c.name) {
                        *c = local.clone();
                    }
                }
                cols.extend(own);
                t.columns = cols;
            }
        }
    }
}

/// Folds partitions, resolves references and user types.
fn finish(mut f: PgFile) -> (Model, Vec<FileIssue>) {
    inherit_columns(&mut f);
    finish_extras(&mut f);
    let attach = std::mem::take(&mut f.attach);
    for (parent, _, bound) in &attach {
        if let Some(t) = f.model.tables.get_mut(parent) {
            t.partitions.push(bound.clone());
        }
    }
    let children = std::mem::take(&mut f.partition_children);
    let m = &mut f.model;
    // Partitions are entries of their own; what is defined on a partition
    // itself stays (its clones of the parent's objects are gone already).
    m.tables.retain(|k, _| !children.contains(k));
    // A foreign key without columns references the primary key.
    let pks: BTreeMap<String, Vec<String>> = m
        .constraints
        .iter()
        .filter(|(_, k)| k.kind == "primary key")
        .map(|(n, k)| (dotted(&n[..n.len() - 1]), k.columns.clone()))
        .collect();
    for k in m.constraints.values_mut() {
        if k.kind == "foreign key"
            && k.ref_columns.is_empty()
            && let Some(cols) = k.references.as_ref().and_then(|r| pks.get(r))
        {
            k.ref_columns = cols.clone();
        }
    }
    for (key, enabled) in &f.trigger_state {
        if let Some(t) = m.triggers.get_mut(key) {
            t.insert("enabled".into(), drift_core::Value::Bool(*enabled));
        }
    }
    qualify_user_types(m, &f.user_types);
    crate::schema::migrations::from_inserts(m, &f.inserts);
    (f.model, f.issues)
}

/// `order_status` → `public.order_status` for types the file created.
fn qualify_user_types(m: &mut Model, types: &BTreeSet<Name>) {
    let fix = |ty: &mut String| {
        let base = ty.trim_end_matches("[]");
        let suffix = &ty[base.len()..];
        if base.contains('.') {
            return;
        }
        let unquoted = base.trim_matches('"');
        if let Some(t) = types.iter().find(|t| t[1] == unquoted) {
            let shown = if unquoted
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                unquoted.to_owned()
            } else {
                format!("\"{unquoted}\"")
            };
            *ty = format!("{}.{shown}{suffix}", t[0]);
        }
    };
    for t in m.tables.values_mut() {
        for c in &mut t.columns {
            fix(&mut c.data_type);
        }
    }
}
