//! Migration history tables: recognised by name, read into one entry per
//! applied migration and one summary per tool. The history tables themselves
//! are not reported as ordinary tables.

use std::collections::BTreeMap;

use drift_core::Value;

use super::ddl::pgdefs::dotted;
use super::model::{Fields, Model, Name, list};

/// How a history column is read as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColKind {
    /// As text.
    Text,
    /// Binary, as lower-case hex.
    Hex,
}

/// A migration tool, recognised by its history table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    Flyway,
    Rails,
    GolangMigrate,
    Alembic,
    Django,
    Sqlx,
    Goose,
    Knex,
    Diesel,
    Atlas,
    Liquibase,
}

impl Tool {
    /// The tool's name in keys.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Tool::Flyway => "flyway",
            Tool::Rails => "schema_migrations",
            Tool::GolangMigrate => "golang-migrate",
            Tool::Alembic => "alembic",
            Tool::Django => "django",
            Tool::Sqlx => "sqlx",
            Tool::Goose => "goose",
            Tool::Knex => "knex",
            Tool::Diesel => "diesel",
            Tool::Atlas => "atlas",
            Tool::Liquibase => "liquibase",
        }
    }

    /// The columns read, in order.
    pub(super) fn columns(self) -> &'static [(&'static str, ColKind)] {
        use ColKind::{Hex, Text};
        match self {
            Tool::Flyway => &[
                ("installed_rank", Text),
                ("version", Text),
                ("script", Text),
                ("checksum", Text),
                ("success", Text),
            ],
            Tool::Rails | Tool::Diesel => &[("version", Text)],
            Tool::Alembic => &[("version_num", Text)],
            Tool::GolangMigrate => &[("version", Text), ("dirty", Text)],
            Tool::Django => &[("app", Text), ("name", Text)],
            Tool::Sqlx => &[
                ("version", Text),
                ("description", Text),
                ("success", Text),
                ("checksum", Hex),
            ],
            Tool::Goose => &[("id", Text), ("version_id", Text), ("is_applied", Text)],
            Tool::Knex => &[("name", Text)],
            Tool::Atlas => &[
                ("version", Text),
                ("description", Text),
                ("applied", Text),
                ("total", Text),
                ("error", Text),
                ("hash", Text),
            ],
            Tool::Liquibase => &[
                ("id", Text),
                ("author", Text),
                ("filename", Text),
                ("md5sum", Text),
                ("exectype", Text),
            ],
        }
    }

    /// Whether ids of this tool are ordered versions (so `latest` means
    /// something).
    pub(crate) fn ordered(self) -> bool {
        !matches!(self, Tool::Django | Tool::Knex | Tool::Liquibase)
    }
}

/// A history table found among the tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HistoryTable {
    /// The tool.
    pub tool: Tool,
    /// The table's model name.
    pub name: Name,
    /// The real column names, matched case-insensitively to the tool's.
    pub columns: Vec<String>,
}

impl HistoryTable {
    /// What reads this history table: for errors, `the TOOL migration
    /// history`; the `SELECT` of its columns in the tool's order, each as
    /// `column` gives it (from its real name and kind) in the engine's
    /// dialect, from `table` (the quoted name).
    pub(crate) fn select(
        &self,
        table: &str,
        column: impl Fn(&str, ColKind) -> String,
    ) -> (String, String) {
        let cols: Vec<String> = self
            .tool
            .columns()
            .iter()
            .zip(&self.columns)
            .map(|((_, kind), real)| column(real, *kind))
            .collect();
        (
            format!("the {} migration history", self.tool.name()),
            format!("SELECT {} FROM {table}", cols.join(", ")),
        )
    }
}

/// Other tables that belong to migration tools and are not reported.
const LOCK_TABLES: &[&str] = &["databasechangeloglock", "knex_migrations_lock"];

/// The names (lower case) of every history table [`detect`] recognises.
pub(crate) const HISTORY_TABLES: &[&str] = &[
    "flyway_schema_history",
    "schema_migrations",
    "alembic_version",
    "django_migrations",
    "_sqlx_migrations",
    "goose_db_version",
    "knex_migrations",
    "__diesel_schema_migrations",
    "atlas_schema_revisions",
    "databasechangelog",
];

fn tool_of(table: &str, has: &dyn Fn(&str) -> bool) -> Option<Tool> {
    let t = table.to_ascii_lowercase();
    Some(match t.as_str() {
        "flyway_schema_history" => Tool::Flyway,
        "schema_migrations" if has("dirty") => Tool::GolangMigrate,
        "schema_migrations" => Tool::Rails,
        "alembic_version" => Tool::Alembic,
        "django_migrations" => Tool::Django,
        "_sqlx_migrations" => Tool::Sqlx,
        "goose_db_version" => Tool::Goose,
        "knex_migrations" => Tool::Knex,
        "__diesel_schema_migrations" => Tool::Diesel,
        "atlas_schema_revisions" => Tool::Atlas,
        "databasechangelog" => Tool::Liquibase,
        _ => return None,
    })
}

/// Finds the history tables of `model` whose columns fit their tool.
pub(crate) fn detect(model: &Model) -> Vec<HistoryTable> {
    let mut out = Vec::new();
    for (name, table) in &model.tables {
        let Some(last) = name.last() else { continue };
        let has = |c: &str| table.columns.iter().any(|x| x.name.eq_ignore_ascii_case(c));
        let Some(tool) = tool_of(last, &has) else {
            continue;
        };
        let cols: Option<Vec<String>> = tool
            .columns()
            .iter()
            .map(|(c, _)| {
                table
                    .columns
                    .iter()
                    .find(|x| x.name.eq_ignore_ascii_case(c))
                    .map(|x| x.name.clone())
            })
            .collect();
        if let Some(columns) = cols {
            out.push(HistoryTable {
                tool,
                name: name.clone(),
                columns,
            });
        }
    }
    out
}

/// Removes the history (and lock) tables and what hangs on them from the
/// ordinary objects.
pub(crate) fn remove_history_tables(model: &mut Model, found: &[HistoryTable]) {
    let mut gone: Vec<Name> = found.iter().map(|h| h.name.clone()).collect();
    gone.extend(
        model
            .tables
            .keys()
            .filter(|n| {
                n.last()
                    .is_some_and(|l| LOCK_TABLES.contains(&l.to_ascii_lowercase().as_str()))
            })
            .cloned(),
    );
    for name in &gone {
        model.tables.remove(name);
        let d = dotted(name);
        model.indexes.retain(|_, i| i.table != d);
        let under = |k: &Name| k.len() > name.len() && k[..name.len()] == name[..];
        model.constraints.retain(|k, _| !under(k));
        model.triggers.retain(|k, _| !under(k));
        model.policies.retain(|k, _| !under(k));
        model.comments.retain(|(_, k), _| k != name && !under(k));
        let prefix = format!("{d}.");
        model.sequences.retain(
            |_, f| !matches!(f.get("owned_by"), Some(Value::String(o)) if o.starts_with(&prefix)),
        );
    }
}

fn truthy(v: Option<&str>) -> bool {
    matches!(
        v.map(|s| s.trim().to_ascii_lowercase()).as_deref(),
        Some("t" | "true" | "1" | "y" | "yes")
    )
}

/// Compares ids with digit runs as numbers (`9` < `10`), as the readiness
/// comparison does.
pub(crate) use drift_core::__private::natural_order as natural;

/// Records the rows of one history table (cells in [`Tool::columns`] order).
pub(crate) fn record(model: &mut Model, tool: Tool, rows: &[Vec<Option<String>>]) {
    let name = tool.name().to_owned();
    let cell = |r: &Vec<Option<String>>, i: usize| r.get(i).cloned().flatten();
    let text = |v: Option<String>| v.map_or(Value::Null, Value::String);
    let mut entries: BTreeMap<String, Fields> = BTreeMap::new();
    let mut dirty = false;
    let mut failed: Vec<String> = Vec::new();
    let mut rows: Vec<&Vec<Option<String>>> = rows.iter().collect();
    // Rows in history order where the tool has one, so later rows win.
    if matches!(tool, Tool::Flyway | Tool::Goose) {
        rows.sort_by(|a, b| {
            natural(
                a.first().cloned().flatten().as_deref().unwrap_or(""),
                b.first().cloned().flatten().as_deref().unwrap_or(""),
            )
        });
    }
    for r in rows {
        let mut f = Fields::new();
        let id = match tool {
            Tool::Flyway => {
                let id =
                    cell(r, 1).unwrap_or_else(|| format!("R:{}", cell(r, 2).unwrap_or_default()));
                let ok = truthy(cell(r, 4).as_deref());
                f.insert("script".into(), text(cell(r, 2)));
                f.insert("checksum".into(), text(cell(r, 3)));
                f.insert("success".into(), Value::Bool(ok));
                id
            }
            Tool::Rails | Tool::Diesel | Tool::Alembic | Tool::Knex => {
                cell(r, 0).unwrap_or_default()
            }
            Tool::GolangMigrate => {
                let d = truthy(cell(r, 1).as_deref());
                dirty |= d;
                f.insert("dirty".into(), Value::Bool(d));
                cell(r, 0).unwrap_or_default()
            }
            Tool::Django => format!(
                "{}/{}",
                cell(r, 0).unwrap_or_default(),
                cell(r, 1).unwrap_or_default()
            ),
            Tool::Sqlx => {
                f.insert("description".into(), text(cell(r, 1)));
                f.insert("success".into(), Value::Bool(truthy(cell(r, 2).as_deref())));
                f.insert("checksum".into(), text(cell(r, 3)));
                cell(r, 0).unwrap_or_default()
            }
            Tool::Goose => {
                let v = cell(r, 1).unwrap_or_default();
                if !truthy(cell(r, 2).as_deref()) {
                    entries.remove(&v);
                    continue;
                }
                if v == "0" {
                    continue;
                }
                v
            }
            Tool::Atlas => {
                let err = cell(r, 4).filter(|e| !e.is_empty());
                let applied = cell(r, 2).and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
                let total = cell(r, 3).and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
                f.insert("description".into(), text(cell(r, 1)));
                f.insert("hash".into(), text(cell(r, 5)));
                f.insert("applied".into(), Value::Int(applied));
                f.insert("total".into(), Value::Int(total));
                f.insert("error".into(), Value::Bool(err.is_some()));
                f.insert(
                    "success".into(),
                    Value::Bool(err.is_none() && applied >= total),
                );
                cell(r, 0).unwrap_or_default()
            }
            Tool::Liquibase => {
                let exec = cell(r, 4).unwrap_or_default().to_ascii_uppercase();
                f.insert("checksum".into(), text(cell(r, 3)));
                f.insert("exectype".into(), Value::String(exec.clone()));
                f.insert("success".into(), Value::Bool(exec != "FAILED"));
                format!(
                    "{}::{}::{}",
                    cell(r, 2).unwrap_or_default(),
                    cell(r, 0).unwrap_or_default(),
                    cell(r, 1).unwrap_or_default()
                )
            }
        };
        entries.insert(id, f);
    }
    for (id, f) in &entries {
        if f.get("success") == Some(&Value::Bool(false)) {
            failed.push(id.clone());
        }
    }
    let latest = tool
        .ordered()
        .then(|| entries.keys().max_by(|a, b| natural(a, b)).cloned())
        .flatten();
    let mut summary = Fields::new();
    summary.insert("count".into(), Value::Int(entries.len() as i64));
    summary.insert("latest".into(), latest.map_or(Value::Null, Value::String));
    summary.insert("failed".into(), list(&failed));
    summary.insert("dirty".into(), Value::Bool(dirty));
    model.migration_tools.insert(name.clone(), summary);
    for (id, f) in entries {
        model.migrations.insert((name.clone(), id), f);
    }
}

/// Records migrations from `INSERT`s of a schema file (Rails'
/// `structure.sql` ends with the applied versions), and drops the history
/// tables from the ordinary objects.
pub(crate) fn from_inserts(
    model: &mut Model,
    inserts: &[(String, BTreeMap<String, Option<String>>)],
) {
    let found = detect(model);
    for h in &found {
        let table = h.name.last().cloned().unwrap_or_default();
        let rows: Vec<Vec<Option<String>>> = inserts
            .iter()
            .filter(|(t, _)| t.eq_ignore_ascii_case(&table))
            .map(|(_, row)| {
                h.columns
                    .iter()
                    .map(|c| {
                        row.iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case(c))
                            .and_then(|(_, v)| v.clone())
                    })
                    .collect()
            })
            .collect();
        if !rows.is_empty() {
            record(model, h.tool, &rows);
        }
    }
    remove_history_tables(model, &found);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    #[test]
    fn history_tables_lists_every_name_a_tool_is_recognised_by() {
        let mut tools = Vec::new();
        for name in HISTORY_TABLES {
            for has in [true, false] {
                let tool = tool_of(name, &|_| has);
                assert!(tool.is_some(), "{name}");
                tools.extend(tool);
            }
        }
        for t in [
            Tool::Flyway,
            Tool::Rails,
            Tool::GolangMigrate,
            Tool::Alembic,
            Tool::Django,
            Tool::Sqlx,
            Tool::Goose,
            Tool::Knex,
            Tool::Diesel,
            Tool::Atlas,
            Tool::Liquibase,
        ] {
            assert!(tools.contains(&t), "{t:?} has no name in HISTORY_TABLES");
        }
        assert!(tool_of("orders", &|_| true).is_none());
    }

    #[test]
    fn natural_order_compares_numbers() {
        assert_eq!(natural("9", "10"), Ordering::Less);
        assert_eq!(natural("1.10", "1.9"), Ordering::Greater);
        assert_eq!(natural("20240101", "20231231"), Ordering::Greater);
    }

    #[test]
    fn flyway_rows_give_entries_and_a_summary() {
        let mut m = Model::default();
        let row = |rank: &str, v: &str, ok: &str| {
            vec![
                Some(rank.to_owned()),
                Some(v.to_owned()),
                Some(format!("V{v}__x.sql")),
                Some("123".to_owned()),
                Some(ok.to_owned()),
            ]
        };
        record(
            &mut m,
            Tool::Flyway,
            &[row("1", "1", "t"), row("2", "2", "f")],
        );
        let s = &m.migration_tools["flyway"];
        assert_eq!(s["count"], Value::Int(2));
        assert_eq!(s["latest"], Value::from("2"));
        assert_eq!(s["failed"], list(&["2"]));
        assert_eq!(
            m.migrations[&("flyway".to_owned(), "2".to_owned())]["success"],
            Value::Bool(false)
        );
    }
}
