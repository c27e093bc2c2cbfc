//! The engine-neutral model of a database schema that every reader (live
//! PostgreSQL, MySQL, SQLite, and schema files) fills, and that [`emit`]
//! turns into manifest entries. One model, one emitter: a file and a live
//! database that hold the same schema give the same entries.
//!
//! [`emit`]: super::emit

use std::collections::BTreeMap;

use drift_core::Value;

/// Named fields of an object's value.
pub(crate) type Fields = BTreeMap<String, Value>;

/// A qualified name: `[schema, name]` on PostgreSQL, `[name]` where the
/// source holds one schema (MySQL database, SQLite `main`).
pub(crate) type Name = Vec<String>;

/// One database's schema.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Model {
    /// Tables (partitions are folded into their parent).
    pub tables: BTreeMap<Name, Table>,
    /// Indexes not backing a constraint, by qualified index name.
    pub indexes: BTreeMap<Name, Index>,
    /// Constraints, by table name + constraint name.
    pub constraints: BTreeMap<Name, Constraint>,
    /// Sequences not owned by an identity column.
    pub sequences: BTreeMap<Name, Fields>,
    /// Views and materialized views.
    pub views: BTreeMap<Name, View>,
    /// Functions and procedures; the last name part is `name(arg types)`.
    pub routines: BTreeMap<Name, Routine>,
    /// Triggers, by table name + trigger name.
    pub triggers: BTreeMap<Name, Fields>,
    /// Extensions: name → (schema, version when known).
    pub extensions: BTreeMap<String, (Option<String>, Option<String>)>,
    /// Enum types with their labels in order.
    pub enums: BTreeMap<Name, Vec<String>>,
    /// Domains.
    pub domains: BTreeMap<Name, Fields>,
    /// Row-level security policies, by table name + policy name.
    pub policies: BTreeMap<Name, Fields>,
    /// Server settings a deploy depends on.
    pub settings: BTreeMap<String, Value>,
    /// Server facts (`version`, `engine`).
    pub server: BTreeMap<String, Value>,
    /// Applied migrations: (tool, id) → fields.
    pub migrations: BTreeMap<(String, String), Fields>,
    /// One summary per migration tool found.
    pub migration_tools: BTreeMap<String, Fields>,
    /// Owners, when asked for: (object kind, name) → role.
    pub owners: BTreeMap<(String, Name), String>,
    /// Grants, when asked for: (object kind, name) → `grantee:PRIVILEGE` items.
    pub grants: BTreeMap<(String, Name), Vec<String>>,
    /// PostgreSQL schemas (namespaces) themselves.
    pub schemas: BTreeMap<String, Fields>,
    /// Collations created by the user.
    pub collations: BTreeMap<Name, Fields>,
    /// Comments: (object kind, name) → text.
    pub comments: BTreeMap<(String, Name), String>,
    /// Partitions, by their own name: `parent`, `bound`, and what is set on
    /// the partition itself (row-level security).
    pub partitions: BTreeMap<Name, Fields>,
    /// More fields of an entry emitted from the typed maps above, set only
    /// where they differ from their default or an engine has them (storage
    /// parameters, a view's check option, a constraint's `NO INHERIT`, a
    /// MySQL index's `comment`): (entry kind, name) → fields.
    pub extras: BTreeMap<(String, Name), Fields>,
    /// Objects of kinds without a typed map (MySQL `event`): (kind, name) →
    /// fields.
    pub others: BTreeMap<(String, Name), Fields>,
}

impl Model {
    /// Moves everything of `other` (read by another connection) into `self`.
    pub(super) fn merge(&mut self, other: Model) {
        let Model {
            tables,
            indexes,
            constraints,
            sequences,
            views,
            routines,
            triggers,
            extensions,
            enums,
            domains,
            policies,
            settings,
            server,
            migrations,
            migration_tools,
            owners,
            grants,
            schemas,
            collations,
            comments,
            partitions,
            extras,
            others,
        } = other;
        self.tables.extend(tables);
        self.indexes.extend(indexes);
        self.constraints.extend(constraints);
        self.sequences.extend(sequences);
        self.views.extend(views);
        self.routines.extend(routines);
        self.triggers.extend(triggers);
        self.extensions.extend(extensions);
        self.enums.extend(enums);
        self.domains.extend(domains);
        self.policies.extend(policies);
        self.settings.extend(settings);
        self.server.extend(server);
        self.migrations.extend(migrations);
        self.migration_tools.extend(migration_tools);
        self.owners.extend(owners);
        self.grants.extend(grants);
        self.schemas.extend(schemas);
        self.collations.extend(collations);
        self.comments.extend(comments);
        self.partitions.extend(partitions);
        self.others.extend(others);
        for (k, f) in extras {
            self.extras.entry(k).or_default().extend(f);
        }
    }

    /// Adds `fields` to the entry of `kind` named `name` (see `extras`);
    /// nothing when `fields` is empty.
    pub(crate) fn add_extras(&mut self, kind: &str, name: &[String], fields: Fields) {
        if !fields.is_empty() {
            self.extras
                .entry((kind.to_owned(), name.to_vec()))
                .or_default()
                .extend(fields);
        }
    }
}

/// A table and its columns in their order.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Table {
    /// Columns in their physical order.
    pub columns: Vec<Column>,
    /// Engine-specific fields (`row_security`, `engine`, `strict`, …).
    pub fields: Fields,
    /// The partition key (`RANGE (created_at)`), for partitioned tables.
    pub partition_key: Option<String>,
    /// The bounds of each partition (`FOR VALUES FROM (…) TO (…)`).
    pub partitions: Vec<String>,
}

impl Table {
    /// The column named `name`.
    pub(super) fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }
}

/// A column.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Column {
    /// Its name.
    pub name: String,
    /// The canonical type.
    pub data_type: String,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// The canonical default expression.
    pub default: Option<String>,
    /// `always`, `by default`, `auto_increment`, `autoincrement`.
    pub identity: Option<String>,
    /// The generation expression of a generated column (`stored`/`virtual`
    /// is in `extra`).
    pub generated: Option<String>,
    /// A collation other than the default.
    pub collation: Option<String>,
    /// Engine-specific fields (`on_update` on MySQL).
    pub extra: Fields,
}

/// An index that does not back a constraint.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Index {
    /// The qualified table it is on, dotted.
    pub table: String,
    /// The access method (`btree`, `gin`), when the engine has several.
    pub method: Option<String>,
    /// Key columns or expressions, with their options (`created_at DESC`).
    pub columns: Vec<String>,
    /// INCLUDE columns.
    pub include: Vec<String>,
    /// Unique or not.
    pub unique: bool,
    /// The partial index predicate.
    pub predicate: Option<String>,
    /// False for an INVALID index (a failed `CREATE INDEX CONCURRENTLY`).
    pub valid: bool,
}

/// A table constraint.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Constraint {
    /// `primary key`, `unique`, `foreign key`, `check`, `exclude`.
    pub kind: String,
    /// Constrained columns.
    pub columns: Vec<String>,
    /// The referenced table, dotted (foreign keys).
    pub references: Option<String>,
    /// The referenced columns.
    pub ref_columns: Vec<String>,
    /// ON UPDATE action (foreign keys; `no action` when unset).
    pub on_update: Option<String>,
    /// ON DELETE action (foreign keys; `no action` when unset).
    pub on_delete: Option<String>,
    /// The check or exclusion expression.
    pub expression: Option<String>,
    /// DEFERRABLE.
    pub deferrable: bool,
    /// INITIALLY DEFERRED.
    pub initially_deferred: bool,
    /// False for a constraint added NOT VALID and never validated.
    pub validated: bool,
    /// `CHECK … NO INHERIT` (PostgreSQL); recorded only when true.
    pub no_inherit: bool,
}

/// A view or materialized view.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct View {
    /// Materialized or not.
    pub materialized: bool,
    /// The definition, whitespace squashed.
    pub definition: String,
}

/// A function or procedure.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Routine {
    /// `function` or `procedure`.
    pub kind: String,
    /// The other fields (returns, language, volatility, body, …).
    pub fields: Fields,
}

/// Shorthand for an optional text value.
pub(crate) fn opt(v: Option<&str>) -> Value {
    v.map_or(Value::Null, |s| Value::String(s.to_owned()))
}

/// Shorthand for a list of strings.
pub(crate) fn list<S: AsRef<str>>(items: &[S]) -> Value {
    Value::List(
        items
            .iter()
            .map(|s| Value::String(s.as_ref().to_owned()))
            .collect(),
    )
}
