//! The release as a source: a repository's migration files, keyed to meet
//! the live migration history the schema collector reads
//! (`schema:LABEL:migration:TOOL:ID`, `schema:LABEL:migrations:TOOL`), so
//! that a release manifest and an environment's manifest compare migration
//! by migration (see `docs/readiness.md`).
//!
//! ```no_run
//! use drift_collectors::schema::{MigrationTool, ReleaseMigrations};
//! use drift_collectors::{Collector, transport::Local};
//!
//! let release = ReleaseMigrations::new("db/migrations")
//!     .tool(MigrationTool::Flyway)
//!     .label("shop");
//! let collection = release.collect(&Local::new());
//! ```
//!
//! Each tool's file names, ids and checksums are read as that tool reads
//! them ([`layout`], [`checksum`]), written by hand from the tools' own
//! sources: no crate reads these layouts, and the ids must be exactly the
//! ones each tool writes into its history table.

mod checksum;
/// Entry points for the fuzz targets (`fuzzing` feature; test support
/// only).
#[cfg(any(test, feature = "fuzzing"))]
#[cfg_attr(not(feature = "fuzzing"), allow(dead_code, unreachable_pub))]
#[doc(hidden)]
pub mod fuzzing;
mod layout;
mod ops;

use std::path::{Path, PathBuf};

use drift_core::{Collection, CollectionError, ErrorKind, Value};

pub use layout::MigrationTool;

use super::emit;
use super::migrations::natural;
use super::model::{Fields, Model, list};
use crate::collector::Collector;
use crate::transport::{FileKind, Transport, WalkOptions};

/// The most migration files read from one folder.
const MAX_FILES: usize = 100_000;
/// The largest migration file read.
const MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// Reads a release's migration files (a collector named `migrations`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseMigrations {
    dir: PathBuf,
    tool: Option<MigrationTool>,
    table: Option<String>,
    label: Option<String>,
}

impl ReleaseMigrations {
    /// The migrations of the folder `dir`; the tool is detected from its
    /// layout unless given.
    pub fn new(dir: impl Into<PathBuf>) -> ReleaseMigrations {
        ReleaseMigrations {
            dir: dir.into(),
            tool: None,
            table: None,
            label: None,
        }
    }

    /// Sets the tool instead of detecting it.
    pub fn tool(mut self, tool: MigrationTool) -> ReleaseMigrations {
        self.tool = Some(tool);
        self
    }

    /// Names the history table (by default the tool's own). The live
    /// reader recognises history tables by their default names, so another
    /// name is refused with a collection error.
    pub fn table(mut self, table: impl Into<String>) -> ReleaseMigrations {
        self.table = Some(table.into());
        self
    }

    /// Sets the schema label the keys are written under (by default the
    /// engine the SQL is written for, `postgres` when it cannot tell).
    pub fn label(mut self, label: impl Into<String>) -> ReleaseMigrations {
        self.label = Some(label.into());
        self
    }

    /// The folder read.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn error(&self, kind: ErrorKind, message: impl AsRef<str>) -> CollectionError {
        CollectionError::new(
            "migrations",
            self.dir.to_string_lossy(),
            kind,
            message.as_ref(),
        )
    }

    /// Reads the folder's files: relative path and bytes.
    fn files(&self, transport: &dyn Transport, out: &mut Collection) -> Vec<(String, Vec<u8>)> {
        let options = WalkOptions {
            max_entries: MAX_FILES,
            max_depth: 8,
            file_metadata: false,
            ..WalkOptions::default()
        };
        let walk = match transport.walk(&self.dir, &options) {
            Ok(w) => w,
            Err(e) => {
                out.error(CollectionError::new(
                    "migrations",
                    e.source_name(),
                    e.kind(),
                    e.to_string(),
                ));
                return Vec::new();
            }
        };
        for e in &walk.errors {
            out.error(CollectionError::new(
                "migrations",
                e.source_name(),
                e.kind(),
                e.to_string(),
            ));
        }
        let mut files = Vec::new();
        for entry in &walk.entries {
            if entry.meta.kind != FileKind::File {
                continue;
            }
            let rel = entry.rel_path.to_string_lossy().replace('\\', "/");
            match transport.read_walked(entry, MAX_FILE_SIZE) {
                Ok(r) => files.push((rel, r.bytes)),
                Err(e) => out.error(CollectionError::new(
                    "migrations",
                    e.source_name(),
                    e.kind(),
                    e.to_string(),
                )),
            }
        }
        files
    }
}

impl Collector for ReleaseMigrations {
    fn name(&self) -> &'static str {
        "migrations"
    }

    fn collect(&self, transport: &dyn Transport) -> Collection {
        let mut out = Collection::new();
        let files = self.files(transport, &mut out);
        self.read_files(&files, &mut out);
        out
    }
}

impl ReleaseMigrations {
    /// Reads the folder's files (relative path, bytes) into `out`. Pure.
    fn read_files(&self, files: &layout::Files, out: &mut Collection) {
        let shown = self.dir.to_string_lossy().into_owned();
        let Some(tool) = self.tool.or_else(|| layout::detect(files)) else {
            out.error(self.error(
                ErrorKind::Parse,
                "no migration tool's layout found: name it with `--migrations-tool` \
                 (flyway, golang-migrate, sqlx, goose, dbmate, knex, diesel, rails, alembic, \
                 django, atlas, liquibase)",
            ));
            return;
        };
        if let Some(t) = &self.table
            && !t.eq_ignore_ascii_case(tool.default_table())
        {
            out.error(self.error(
                ErrorKind::Unsupported,
                format!(
                    "`--migrations-table`: drift recognises the {tool} history by its default \
                     table `{}` only",
                    tool.default_table()
                ),
            ));
            return;
        }
        let (declared, issues) = layout::read(tool, files);
        for i in issues {
            out.error(CollectionError::new(
                "migrations",
                format!("{shown}/{}", i.file),
                ErrorKind::Parse,
                i.message,
            ));
        }
        let sample: String = declared
            .iter()
            .filter_map(|d| d.sql.as_deref())
            .take(50)
            .collect::<Vec<_>>()
            .join("\n");
        // An engine's label names the dialect; otherwise the SQL tells.
        let dialect = match self.label.as_deref() {
            Some("postgres") => super::Dialect::Postgres,
            Some("mysql") => super::Dialect::Mysql,
            Some("sqlite") => super::Dialect::Sqlite,
            _ if sample.is_empty() => super::Dialect::Postgres,
            _ => super::detect_dialect(&sample),
        };
        let label = self
            .label
            .clone()
            .unwrap_or_else(|| super::source::Engine::from(dialect).as_str().to_owned());
        let history = tool.history();
        let name = history.name().to_owned();
        let mut model = Model::default();
        let mut ids: Vec<&str> = declared.iter().map(|d| d.id.as_str()).collect();
        ids.sort_by(|a, b| natural(a, b));
        let mut summary = Fields::new();
        summary.insert("count".into(), Value::Int(declared.len() as i64));
        summary.insert(
            "latest".into(),
            match ids.last() {
                Some(l) if history.ordered() => Value::String((*l).to_owned()),
                _ => Value::Null,
            },
        );
        summary.insert("failed".into(), list::<&str>(&[]));
        summary.insert("dirty".into(), Value::Bool(false));
        model.migration_tools.insert(name.clone(), summary);
        for d in &declared {
            let mut fields = d.fields.clone();
            // What a SQL migration does, for readiness to class (not part
            // of the live history: the comparison leaves it out).
            if let Some(sql) = &d.sql {
                let ops = ops::operations(sql, dialect);
                if !ops.is_empty() {
                    fields.insert("operations".into(), list(&ops));
                }
            }
            model
                .migrations
                .insert((name.clone(), d.id.clone()), fields);
        }
        emit::emit(&model, &label, out);
        out.cover("migrations", &shown, declared.len() as u64);
    }
}

#[cfg(test)]
mod tests;
