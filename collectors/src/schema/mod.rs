//! The schema collector: database schemas and migration history, from live
//! PostgreSQL, MySQL/MariaDB and SQLite databases and from schema files.
//!
//! Every source is read into one engine-neutral model and emitted with one
//! key grammar (`schema:LABEL:KIND:QUALIFIED.NAME`, see `docs/schema.md`), so
//! that a `pg_dump --schema-only` file of the schema the code expects and the
//! live database it should match give the same keys and values.
//!
//! ```no_run
//! use std::time::Duration;
//! use drift_collectors::schema::{SchemaCollector, SchemaOptions, SchemaSource};
//! use drift_collectors::{Collector, transport::Local};
//!
//! let prod = SchemaSource::url("postgres://drift@db.internal/shop")?.with_password("from-a-file");
//! let expected = SchemaSource::file("db/structure.sql");
//! let options = SchemaOptions { statement_timeout: Duration::from_secs(20), ..Default::default() };
//! let collector = SchemaCollector::new(vec![prod, expected]).with_options(options);
//! let collection = collector.collect(&Local::new());
//! # Ok::<(), drift_collectors::schema::SchemaError>(())
//! ```
//!
//! Schema files of PostgreSQL and MySQL are parsed without any driver; live
//! databases need the `postgres`, `mysql` and `sqlite` features (SQLite
//! schema files too: they are loaded into an in-memory SQLite).

// Helpers shared by the file parsers and the live readers are unused when a
// driver is left out.
#![cfg_attr(
    not(all(feature = "postgres", feature = "mysql", feature = "sqlite")),
    allow(dead_code, unused_imports)
)]

mod canon;
mod ddl;
mod emit;
mod error;
mod implicit;
mod migrations;
mod model;
#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
mod release;
mod scope;
mod source;
#[cfg(feature = "sqlite")]
mod sqlite;
mod tls;

use std::time::Duration;

use drift_core::Collection;
use rayon::prelude::*;

pub use ddl::{Dialect, detect_dialect};
pub use error::SchemaError;
pub use implicit::{diff_with_implicit_rules, implicit_rules};
/// Entry points for the fuzz targets (`fuzzing` feature; test support only).
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub use release::fuzzing;
pub use release::{MigrationTool, ReleaseMigrations};
pub use source::{Engine, SchemaSource};
pub use tls::{TlsFailure, TlsMode};

use crate::collector::Collector;
use crate::transport::Transport;
use model::Model;
use source::Origin;

/// Kinds of keys that only a live database has (a schema file cannot
/// express them): when a file is compared with a live database these are
/// absent on the file's side by nature.
pub const LIVE_ONLY_KINDS: &[&str] = &["server", "setting", "extension_version", "owner", "grant"];

/// Options of the schema collector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaOptions {
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// The statement (and lock) timeout of every catalog query.
    pub statement_timeout: Duration,
    /// Record owners and grants (they differ between environments by
    /// design, so they are off by default).
    pub include_grants: bool,
    /// The largest schema file read, in bytes.
    pub max_file_size: u64,
}

impl Default for SchemaOptions {
    fn default() -> SchemaOptions {
        SchemaOptions {
            connect_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
            include_grants: false,
            max_file_size: 256 * 1024 * 1024,
        }
    }
}

/// Snapshots database schemas and migration history.
#[derive(Debug, Clone)]
pub struct SchemaCollector {
    sources: Vec<SchemaSource>,
    options: SchemaOptions,
}

impl SchemaCollector {
    /// A collector of `sources`, with default options.
    pub fn new(sources: Vec<SchemaSource>) -> SchemaCollector {
        SchemaCollector {
            sources,
            options: SchemaOptions::default(),
        }
    }

    /// Sets the options.
    pub fn with_options(mut self, options: SchemaOptions) -> SchemaCollector {
        self.options = options;
        self
    }

    /// The sources.
    pub fn sources(&self) -> &[SchemaSource] {
        &self.sources
    }

    /// Reads one source into a collection (entries, coverage, errors).
    pub fn collect_source(&self, source: &SchemaSource, transport: &dyn Transport) -> Collection {
        // The schema filters are pushed into a live PostgreSQL read; the
        // reference path reads everything and filters afterwards.
        self.collect_source_with(source, transport, !cfg!(feature = "reference-paths"))
    }

    /// [`SchemaCollector::collect_source`], with the schema filters pushed
    /// into the catalog queries of a live PostgreSQL read (`push_down`) or
    /// applied after the whole catalog is read (the reference path); both
    /// give the same collection.
    pub(crate) fn collect_source_with(
        &self,
        source: &SchemaSource,
        transport: &dyn Transport,
        push_down: bool,
    ) -> Collection {
        let mut out = Collection::new();
        let shown = source.display();
        let scope = (push_down && !source.scope.is_all()).then_some(&source.scope);
        match read_source(source, transport, &self.options, scope) {
            Ok(((engine, mut model, mut errors), scoped)) => {
                let left_out = if let Some(left_out) = scoped {
                    left_out
                } else if source.scope.is_all() {
                    Vec::new()
                } else if engine == Engine::Postgres {
                    source.scope.apply(&mut model)
                } else {
                    errors.push(SchemaError::Unsupported {
                        source_name: shown.clone(),
                        message: "schema filters (--schema-include, --schema-exclude) choose \
                                  PostgreSQL schemas; this source has one schema"
                            .into(),
                    });
                    Vec::new()
                };
                let label = source.label_for(engine);
                let tables = emit::emit(&model, &label, &mut out);
                out.cover("schema", &shown, tables);
                // Named, so that a schema never compared does not read as in sync.
                for s in left_out {
                    out.cover("schema", &format!("{shown} schema {s}: left out"), 0);
                }
                for e in errors {
                    out.error(e.to_collection_error());
                }
            }
            Err(e) => out.error(e.to_collection_error()),
        }
        out
    }
}

impl Collector for SchemaCollector {
    fn name(&self) -> &'static str {
        "schema"
    }

    fn collect(&self, transport: &dyn Transport) -> Collection {
        let width = transport.parallelism().clamp(1, 4);
        let parts: Vec<Collection> = if width > 1 && self.sources.len() > 1 {
            self.sources
                .par_iter()
                .map(|s| self.collect_source(s, transport))
                .collect()
        } else {
            self.sources
                .iter()
                .map(|s| self.collect_source(s, transport))
                .collect()
        };
        let mut out = Collection::new();
        for p in parts {
            out.append(p);
        }
        out
    }
}

/// What reading one source gave: its engine, its model, and the errors of
/// the parts that could not be read.
type Read = (Engine, Model, Vec<SchemaError>);

/// Reads one source; with `scope`, a live PostgreSQL source reads only the
/// schemas it keeps and returns the names of the others (a source that
/// cannot push a scope down returns `None` for them, to be filtered after).
fn read_source(
    source: &SchemaSource,
    transport: &dyn Transport,
    options: &SchemaOptions,
    scope: Option<&scope::Scope>,
) -> Result<(Read, Option<Vec<String>>), SchemaError> {
    // Only a live PostgreSQL read takes the scope.
    #[cfg(not(feature = "postgres"))]
    let _ = scope;
    let shown = source.display();
    let unsupported = |feature: &str| SchemaError::Unsupported {
        source_name: shown.clone(),
        message: format!(
            "this build has no {feature} support; build drift with the `{feature}` feature"
        ),
    };
    match &source.origin {
        Origin::Server(url) => match url.engine {
            #[cfg(feature = "postgres")]
            Engine::Postgres => {
                let (m, e, left_out) = postgres::read(url, &shown, transport, options, scope)?;
                Ok(((Engine::Postgres, m, e), scope.map(|_| left_out)))
            }
            #[cfg(feature = "mysql")]
            Engine::Mysql => {
                let (m, e) = mysql::read(url, &shown, transport, options)?;
                Ok(((Engine::Mysql, m, e), None))
            }
            #[allow(unreachable_patterns)]
            other => Err(unsupported(other.as_str())),
        },
        Origin::SqliteFile(path) => {
            #[cfg(feature = "sqlite")]
            {
                let (m, e) = sqlite::read_file(path, &shown, transport, options)?;
                Ok(((Engine::Sqlite, m, e), None))
            }
            #[cfg(not(feature = "sqlite"))]
            {
                let _ = path;
                Err(unsupported("sqlite"))
            }
        }
        Origin::SchemaFile(path, dialect) => {
            // A regular file only, never /proc, /sys or /dev (issue 17).
            let bytes = transport
                .read_source_file(path, options.max_file_size)
                .map_err(|e| SchemaError::Read {
                    source_name: shown.clone(),
                    message: e.to_string(),
                    kind: e.kind(),
                })?;
            // Binary content is refused before anything of it can reach a
            // message.
            if let Some(at) = binary_at(&bytes) {
                return Err(SchemaError::Read {
                    source_name: shown.clone(),
                    message: format!(
                        "not a text file (binary content at byte {at}); give a schema file \
                         (`pg_dump --schema-only`, `mysqldump --no-data`, SQLite DDL) or an \
                         sqlite:// URL for a database file"
                    ),
                    kind: drift_core::ErrorKind::Parse,
                });
            }
            let text = String::from_utf8_lossy(&bytes);
            let dialect = dialect.unwrap_or_else(|| detect_dialect(&text));
            Ok((read_schema_text(&text, dialect, &shown)?, None))
        }
    }
}

/// The offset of the first byte that no text file holds (NUL, or a control
/// byte other than whitespace), or of invalid UTF-8, if any.
fn binary_at(bytes: &[u8]) -> Option<usize> {
    let head = &bytes[..bytes.len().min(1 << 20)];
    if let Some(p) = head
        .iter()
        .position(|&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)))
    {
        return Some(p);
    }
    match std::str::from_utf8(head) {
        Ok(_) => None,
        // A character cut by the 1 MiB head is not binary.
        Err(e) if e.error_len().is_none() => None,
        Err(e) => Some(e.valid_up_to()),
    }
}

/// The most statements not understood that are named one by one.
const UNKNOWN_LIMIT: usize = 10;

/// Reads schema DDL text of `dialect`; `shown` names it in errors. A
/// statement no reader understands is an error with its line, and a text
/// that declares nothing is an error: it is never "in sync".
fn read_schema_text(text: &str, dialect: Dialect, shown: &str) -> Result<Read, SchemaError> {
    let (engine, mut model, mut errors) = read_schema_objects(text, dialect, shown)?;
    if dialect != Dialect::Sqlite {
        let unknown = ddl::unknown_statements(text, dialect, UNKNOWN_LIMIT);
        errors.extend(unknown.into_iter().map(|i| SchemaError::Parse {
            source_name: shown.to_owned(),
            line: i.line as u64,
            message: i.message,
        }));
    }
    let declared = !(model.tables.is_empty()
        && model.views.is_empty()
        && model.routines.is_empty()
        && model.indexes.is_empty()
        && model.sequences.is_empty()
        && model.enums.is_empty()
        && model.domains.is_empty()
        && model.triggers.is_empty()
        && model.extensions.is_empty()
        && model.collations.is_empty()
        && model.partitions.is_empty()
        && model.others.is_empty()
        // `public` is there in every PostgreSQL file (a dump never creates it).
        && model.schemas.keys().all(|s| s == "public"));
    if !declared {
        // What a text that declares nothing implies (`public`) is not a
        // schema read from it.
        model = Model::default();
    }
    if !declared && errors.is_empty() {
        return Err(SchemaError::Read {
            source_name: shown.to_owned(),
            message: format!(
                "declares no schema object (no CREATE TABLE, VIEW, …); is it a schema \
                 file? Give its dialect with --schema-file-dialect if it was guessed \
                 wrong (read as {})",
                dialect.engine()
            ),
            kind: drift_core::ErrorKind::Parse,
        });
    }
    Ok((engine, model, errors))
}

fn read_schema_objects(text: &str, dialect: Dialect, shown: &str) -> Result<Read, SchemaError> {
    if dialect == Dialect::Sqlite {
        #[cfg(feature = "sqlite")]
        {
            let (m, e) = sqlite::read_ddl(text, shown)?;
            return Ok((Engine::Sqlite, m, e));
        }
        #[cfg(not(feature = "sqlite"))]
        return Err(SchemaError::Unsupported {
            source_name: shown.to_owned(),
            message: "SQLite schema files are loaded into an in-memory SQLite; build drift \
                      with the `sqlite` feature"
                .into(),
        });
    }
    let (model, issues) = ddl::parse(text, dialect);
    let errors = issues
        .into_iter()
        .map(|i| SchemaError::Parse {
            source_name: shown.to_owned(),
            line: i.line as u64,
            message: i.message,
        })
        .collect();
    Ok((Engine::from(dialect), model, errors))
}

/// Reads schema DDL text into a collection under `label`, as a schema file
/// source would (for embedders and tests that hold the text already).
pub fn collect_schema_text(text: &str, dialect: Dialect, label: &str) -> Collection {
    let mut out = Collection::new();
    match read_schema_text(text, dialect, label) {
        Ok((_, model, errors)) => {
            let n = emit::emit(&model, label, &mut out);
            out.cover("schema", label, n);
            for e in errors {
                out.error(e.to_collection_error());
            }
        }
        Err(e) => out.error(e.to_collection_error()),
    }
    out
}
