//! A repository's migration files, read as each tool reads them: which tool
//! (from the layout, or given), and for each migration its id as the tool
//! writes it into its history table, with the fields drift's live reader
//! records (`migrations.rs`) where the files can say them.
//!
//! Pure: takes the files (path relative to the migrations folder, bytes)
//! and returns what they declare.

use std::collections::BTreeMap;

use drift_core::Value;

use super::super::migrations::Tool;
use super::super::model::Fields;
use super::checksum;

/// A migration tool whose files drift reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MigrationTool {
    /// Flyway: `V1_2__name.sql`, repeatable `R__name.sql`.
    Flyway,
    /// golang-migrate: `1_name.up.sql`.
    GolangMigrate,
    /// sqlx: `1_name.sql` or `1_name.up.sql`.
    Sqlx,
    /// goose: `1_name.sql` with `-- +goose Up`, or `.go`.
    Goose,
    /// dbmate: `20240101000000_name.sql` with `-- migrate:up`.
    Dbmate,
    /// knex: `20240101000000_name.js` (or `.ts`, `.cjs`, `.mjs`).
    Knex,
    /// diesel: `2024-01-01-000000_name/up.sql`.
    Diesel,
    /// Rails: `db/migrate/20240101000000_name.rb`.
    Rails,
    /// Alembic: `versions/*.py` with `revision` and `down_revision`.
    Alembic,
    /// Django: `APP/migrations/0001_name.py`.
    Django,
    /// Atlas: `20240101000000_name.sql` with `atlas.sum`.
    Atlas,
    /// Liquibase: changelogs (XML, YAML, JSON, formatted SQL) of change sets.
    Liquibase,
}

impl MigrationTool {
    /// Every tool, in the order they are tried on a layout.
    pub const ALL: &'static [MigrationTool] = &[
        MigrationTool::Flyway,
        MigrationTool::GolangMigrate,
        MigrationTool::Sqlx,
        MigrationTool::Goose,
        MigrationTool::Dbmate,
        MigrationTool::Knex,
        MigrationTool::Diesel,
        MigrationTool::Rails,
        MigrationTool::Alembic,
        MigrationTool::Django,
        MigrationTool::Atlas,
        MigrationTool::Liquibase,
    ];

    /// The tool's name as `--migrations-tool` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            MigrationTool::Flyway => "flyway",
            MigrationTool::GolangMigrate => "golang-migrate",
            MigrationTool::Sqlx => "sqlx",
            MigrationTool::Goose => "goose",
            MigrationTool::Dbmate => "dbmate",
            MigrationTool::Knex => "knex",
            MigrationTool::Diesel => "diesel",
            MigrationTool::Rails => "rails",
            MigrationTool::Alembic => "alembic",
            MigrationTool::Django => "django",
            MigrationTool::Atlas => "atlas",
            MigrationTool::Liquibase => "liquibase",
        }
    }

    /// The tool of a name as `--migrations-tool` takes it.
    pub fn from_name(name: &str) -> Option<MigrationTool> {
        MigrationTool::ALL
            .iter()
            .copied()
            .find(|t| t.as_str().eq_ignore_ascii_case(name))
    }

    /// The history table the tool writes by default.
    pub fn default_table(self) -> &'static str {
        match self {
            MigrationTool::Flyway => "flyway_schema_history",
            MigrationTool::GolangMigrate | MigrationTool::Rails | MigrationTool::Dbmate => {
                "schema_migrations"
            }
            MigrationTool::Sqlx => "_sqlx_migrations",
            MigrationTool::Goose => "goose_db_version",
            MigrationTool::Knex => "knex_migrations",
            MigrationTool::Diesel => "__diesel_schema_migrations",
            MigrationTool::Alembic => "alembic_version",
            MigrationTool::Django => "django_migrations",
            MigrationTool::Atlas => "atlas_schema_revisions",
            MigrationTool::Liquibase => "databasechangelog",
        }
    }

    /// The live history reader's tool: the key part both sides share.
    pub(crate) fn history(self) -> Tool {
        match self {
            MigrationTool::Flyway => Tool::Flyway,
            MigrationTool::GolangMigrate => Tool::GolangMigrate,
            MigrationTool::Sqlx => Tool::Sqlx,
            MigrationTool::Goose => Tool::Goose,
            MigrationTool::Dbmate | MigrationTool::Rails => Tool::Rails,
            MigrationTool::Knex => Tool::Knex,
            MigrationTool::Diesel => Tool::Diesel,
            MigrationTool::Alembic => Tool::Alembic,
            MigrationTool::Django => Tool::Django,
            MigrationTool::Atlas => Tool::Atlas,
            MigrationTool::Liquibase => Tool::Liquibase,
        }
    }
}

impl std::fmt::Display for MigrationTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One migration a release declares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Declared {
    /// Its id as the tool writes it into its history.
    pub id: String,
    /// The fields the live reader records that the files can say.
    pub fields: Fields,
    /// The SQL it runs forward, when it is SQL (for its operations).
    pub sql: Option<String>,
}

/// A file that could not be read as a migration of its tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileIssue {
    /// The file, relative to the migrations folder.
    pub file: String,
    /// What is wrong (never a value of the file).
    pub message: String,
}

/// The files of a migrations folder: path relative to it (`/`-separated)
/// and bytes.
pub(crate) type Files = [(String, Vec<u8>)];

fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `DIGITS_rest` → (digits, rest).
fn numbered(name: &str) -> Option<(&str, &str)> {
    let (v, rest) = name.split_once('_')?;
    (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())).then_some((v, rest))
}

/// Digits as the integer a tool stores (`0001` → `1`).
fn integer(digits: &str) -> String {
    let t = digits.trim_start_matches('0');
    if t.is_empty() { "0".into() } else { t.into() }
}

/// Guesses the tool from the layout.
pub(crate) fn detect(files: &Files) -> Option<MigrationTool> {
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    let any = |f: &dyn Fn(&str) -> bool| names.iter().any(|n| f(n));
    let any_text = |ext: &str, needle: &str| {
        files
            .iter()
            .any(|(p, b)| p.ends_with(ext) && memchr::memmem::find(b, needle.as_bytes()).is_some())
    };
    if any(&|n| base(n) == "atlas.sum") {
        return Some(MigrationTool::Atlas);
    }
    if any(&|n| flyway_name(base(n)).is_some()) {
        return Some(MigrationTool::Flyway);
    }
    if any_text(".xml", "databaseChangeLog")
        || any_text(".yaml", "databaseChangeLog")
        || any_text(".yml", "databaseChangeLog")
        || any_text(".sql", "--liquibase formatted")
    {
        return Some(MigrationTool::Liquibase);
    }
    if any(&|n| n.ends_with("/up.sql")) {
        return Some(MigrationTool::Diesel);
    }
    if any(&|n| n.ends_with(".up.sql")) {
        return Some(MigrationTool::GolangMigrate);
    }
    if any_text(".sql", "-- +goose") {
        return Some(MigrationTool::Goose);
    }
    if any_text(".sql", "-- migrate:up") {
        return Some(MigrationTool::Dbmate);
    }
    if any(&|n| n.ends_with(".sql") && numbered(base(n)).is_some()) {
        return Some(MigrationTool::Sqlx);
    }
    if any(&|n| n.ends_with(".rb") && numbered(base(n)).is_some()) {
        return Some(MigrationTool::Rails);
    }
    if any(&|n| n.ends_with(".py") && n.contains("migrations/") && numbered(base(n)).is_some()) {
        return Some(MigrationTool::Django);
    }
    if any_text(".py", "down_revision") {
        return Some(MigrationTool::Alembic);
    }
    if any(&|n| knex_name(n) && numbered(base(n)).is_some()) {
        return Some(MigrationTool::Knex);
    }
    None
}

fn knex_name(n: &str) -> bool {
    [".js", ".ts", ".cjs", ".mjs"]
        .iter()
        .any(|e| n.ends_with(e))
        && !n.ends_with(".d.ts")
}

/// `V1_2__name.sql` → `Some(Some("1.2"))`; `R__name.sql` → `Some(None)`.
fn flyway_name(name: &str) -> Option<Option<String>> {
    let stem = name.strip_suffix(".sql")?;
    if stem.starts_with("R__") {
        return Some(None);
    }
    let (v, _) = stem.strip_prefix('V')?.split_once("__")?;
    let ok = !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_digit() || b == b'_' || b == b'.');
    ok.then(|| Some(v.replace('_', ".")))
}

fn field(f: &mut Fields, name: &str, v: impl Into<Value>) {
    f.insert(name.into(), v.into());
}

/// Reads the files as `tool`'s migrations, sorted by id as the tool orders
/// them; files that are not its migrations are passed over.
pub(crate) fn read(tool: MigrationTool, files: &Files) -> (Vec<Declared>, Vec<FileIssue>) {
    let mut out: BTreeMap<String, Declared> = BTreeMap::new();
    let mut issues = Vec::new();
    let mut put = |issues: &mut Vec<FileIssue>, path: &str, d: Declared| {
        if out.contains_key(&d.id) {
            issues.push(FileIssue {
                file: path.into(),
                message: format!("a second {tool} migration with the same id"),
            });
        } else {
            out.insert(d.id.clone(), d);
        }
    };
    let plain = |id: String, sql: Option<String>| Declared {
        id,
        fields: Fields::new(),
        sql,
    };
    match tool {
        MigrationTool::Flyway => {
            for (path, bytes) in files {
                let Some(version) = flyway_name(base(path)) else {
                    continue;
                };
                let mut f = Fields::new();
                field(&mut f, "script", path.as_str());
                field(&mut f, "checksum", checksum::flyway(bytes).to_string());
                field(&mut f, "success", true);
                let id = version.unwrap_or_else(|| format!("R:{path}"));
                put(
                    &mut issues,
                    path,
                    Declared {
                        id,
                        fields: f,
                        sql: Some(text(bytes)),
                    },
                );
            }
        }
        MigrationTool::GolangMigrate => {
            for (path, bytes) in files {
                let Some(stem) = base(path).strip_suffix(".up.sql") else {
                    continue;
                };
                let Some((v, _)) = numbered(stem) else {
                    continue;
                };
                let mut d = plain(integer(v), Some(text(bytes)));
                field(&mut d.fields, "dirty", false);
                put(&mut issues, path, d);
            }
        }
        MigrationTool::Sqlx => {
            for (path, bytes) in files {
                let name = base(path);
                if name.ends_with(".down.sql") {
                    continue;
                }
                let Some(stem) = name.strip_suffix(".sql") else {
                    continue;
                };
                let stem = stem.strip_suffix(".up").unwrap_or(stem);
                let Some((v, desc)) = numbered(stem) else {
                    continue;
                };
                let mut f = Fields::new();
                field(&mut f, "description", desc.replace('_', " "));
                field(&mut f, "success", true);
                field(&mut f, "checksum", checksum::sqlx(bytes));
                put(
                    &mut issues,
                    path,
                    Declared {
                        id: integer(v),
                        fields: f,
                        sql: Some(text(bytes)),
                    },
                );
            }
        }
        MigrationTool::Goose => {
            for (path, bytes) in files {
                let name = base(path);
                let is_sql = name.ends_with(".sql");
                if !is_sql && !name.ends_with(".go") {
                    continue;
                }
                let Some((v, _)) = numbered(name) else {
                    continue;
                };
                let sql = is_sql.then(|| section(&text(bytes), "-- +goose Up", "-- +goose Down"));
                put(&mut issues, path, plain(integer(v), sql));
            }
        }
        MigrationTool::Dbmate => {
            for (path, bytes) in files {
                let name = base(path);
                let Some(stem) = name.strip_suffix(".sql") else {
                    continue;
                };
                let Some((v, _)) = numbered(stem) else {
                    continue;
                };
                // dbmate stores the version as the file name writes it.
                let sql = section(&text(bytes), "-- migrate:up", "-- migrate:down");
                put(&mut issues, path, plain(v.to_owned(), Some(sql)));
            }
        }
        MigrationTool::Knex => {
            for (path, _) in files {
                let name = base(path);
                if knex_name(name) {
                    put(&mut issues, path, plain(name.to_owned(), None));
                }
            }
        }
        MigrationTool::Diesel => {
            for (path, bytes) in files {
                let Some(dir) = path.strip_suffix("/up.sql") else {
                    continue;
                };
                let dir = base(dir);
                let v = dir.split('_').next().unwrap_or(dir).replace('-', "");
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                put(&mut issues, path, plain(v, Some(text(bytes))));
            }
        }
        MigrationTool::Rails => {
            for (path, _) in files {
                let Some(stem) = base(path).strip_suffix(".rb") else {
                    continue;
                };
                let Some((v, _)) = numbered(stem) else {
                    continue;
                };
                put(&mut issues, path, plain(v.to_owned(), None));
            }
        }
        MigrationTool::Alembic => {
            for (path, bytes) in files {
                if !path.ends_with(".py") || base(path) == "__init__.py" {
                    continue;
                }
                let src = text(bytes);
                let Some(rev) = python_assignment(&src, "revision") else {
                    if src.contains("down_revision") {
                        issues.push(FileIssue {
                            file: path.clone(),
                            message: "an Alembic migration without a `revision =` line".into(),
                        });
                    }
                    continue;
                };
                let down = python_assignment(&src, "down_revision").unwrap_or_default();
                let mut d = plain(rev, None);
                field(
                    &mut d.fields,
                    "down_revision",
                    Value::List(
                        down.split(',')
                            .filter(|s| !s.is_empty())
                            .map(Value::from)
                            .collect(),
                    ),
                );
                put(&mut issues, path, d);
            }
        }
        MigrationTool::Django => {
            for (path, _) in files {
                let parts: Vec<&str> = path.split('/').collect();
                let n = parts.len();
                if n < 3 || parts[n - 2] != "migrations" {
                    continue;
                }
                let Some(stem) = parts[n - 1].strip_suffix(".py") else {
                    continue;
                };
                if numbered(stem).is_none() {
                    continue;
                }
                put(
                    &mut issues,
                    path,
                    plain(format!("{}/{stem}", parts[n - 3]), None),
                );
            }
        }
        MigrationTool::Atlas => {
            let mut sql: Vec<&(String, Vec<u8>)> = files
                .iter()
                .filter(|(p, _)| !p.contains('/') && p.ends_with(".sql"))
                .collect();
            sql.sort_by(|a, b| a.0.cmp(&b.0));
            let hashes = checksum::atlas(sql.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
            let listed = files
                .iter()
                .find(|(p, _)| p == "atlas.sum")
                .map(|(_, b)| atlas_sum(&text(b)));
            for ((path, bytes), hash) in sql.into_iter().zip(hashes) {
                let stem = path.strip_suffix(".sql").unwrap_or(path);
                let (v, desc) = stem.split_once('_').unwrap_or((stem, ""));
                if let Some(listed) = &listed
                    && listed.get(path.as_str()) != Some(&hash)
                {
                    issues.push(FileIssue {
                        file: path.clone(),
                        message: "its hash differs from `atlas.sum` (run `atlas migrate hash`)"
                            .into(),
                    });
                }
                let mut f = Fields::new();
                field(&mut f, "description", desc);
                field(&mut f, "hash", hash);
                field(&mut f, "success", true);
                put(
                    &mut issues,
                    path,
                    Declared {
                        id: v.to_owned(),
                        fields: f,
                        sql: Some(text(bytes)),
                    },
                );
            }
        }
        MigrationTool::Liquibase => {
            for (path, bytes) in files {
                for (id, author) in liquibase_change_sets(path, &text(bytes)) {
                    let mut f = Fields::new();
                    field(&mut f, "success", true);
                    put(
                        &mut issues,
                        path,
                        Declared {
                            id: format!("{path}::{id}::{author}"),
                            fields: f,
                            sql: None,
                        },
                    );
                }
            }
        }
    }
    (out.into_values().collect(), issues)
}

/// The part of `src` between the line `from` and the line `to`.
fn section(src: &str, from: &str, to: &str) -> String {
    let start = src.find(from).map_or(0, |i| i + from.len());
    let rest = &src[start..];
    let end = rest.find(to).unwrap_or(rest.len());
    rest[..end].to_owned()
}

/// The value of a top-level `NAME = 'x'`, `NAME: str = "x"`, `NAME = None`
/// or `NAME = ('a', 'b')` of a Python file; several values comma-joined,
/// `None` empty.
fn python_assignment(src: &str, name: &str) -> Option<String> {
    for line in src.lines() {
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        let rest = rest.trim_start();
        let rest = match rest.strip_prefix(':') {
            Some(r) => r.split_once('=').map(|(_, v)| v)?,
            None => rest.strip_prefix('=')?,
        };
        let v = rest.trim();
        if v.starts_with("None") {
            return Some(String::new());
        }
        let mut vals = Vec::new();
        let mut chars = v.char_indices();
        while let Some((i, c)) = chars.next() {
            if c == '\'' || c == '"' {
                let tail = &v[i + 1..];
                let Some(end) = tail.find(c) else { break };
                vals.push(tail[..end].to_owned());
                for _ in 0..=end {
                    chars.next();
                }
            } else if c == '#' {
                break;
            }
        }
        return Some(vals.join(","));
    }
    None
}

/// `(id, author)` of each change set of a Liquibase changelog.
fn liquibase_change_sets(path: &str, src: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if path.ends_with(".sql") {
        // Formatted SQL: `--changeset author:id [attributes]`.
        for line in src.lines() {
            let l = line.trim_start();
            let Some(rest) = l
                .strip_prefix("--changeset")
                .or_else(|| l.strip_prefix("-- changeset"))
            else {
                continue;
            };
            let spec = rest.split_whitespace().next().unwrap_or("");
            if let Some((author, id)) = spec.split_once(':') {
                out.push((id.to_owned(), author.to_owned()));
            }
        }
    } else if path.ends_with(".xml") {
        let mut rest = src;
        while let Some(i) = rest.find("<changeSet") {
            rest = &rest[i + 10..];
            // An unclosed tag ends the changelog: read to its end for every
            // `<changeSet` after it, it would make the work quadratic.
            let Some(end) = rest.find('>') else {
                break;
            };
            let tag = &rest[..end];
            if let (Some(id), Some(author)) = (xml_attr(tag, "id"), xml_attr(tag, "author")) {
                out.push((id, author));
            }
        }
    } else if path.ends_with(".yaml") || path.ends_with(".yml") || path.ends_with(".json") {
        // A change set's `id` and `author` are its first scalar fields.
        let mut id: Option<String> = None;
        let mut author: Option<String> = None;
        let mut inside = false;
        for line in src.lines() {
            let l = line
                .trim()
                .trim_start_matches("- ")
                .trim_matches(|c| c == ',' || c == '{');
            if l.trim_matches('"').starts_with("changeSet") {
                if let (Some(i), Some(a)) = (id.take(), author.take()) {
                    out.push((i, a));
                }
                inside = true;
                continue;
            }
            if !inside {
                continue;
            }
            let Some((k, v)) = l.split_once(':') else {
                continue;
            };
            let k = k.trim().trim_matches('"');
            let v = v
                .trim()
                .trim_end_matches(',')
                .trim_matches(|c| c == '"' || c == '\'');
            match k {
                "id" if id.is_none() => id = Some(v.to_owned()),
                "author" if author.is_none() => author = Some(v.to_owned()),
                _ => {}
            }
        }
        if let (Some(i), Some(a)) = (id, author) {
            out.push((i, a));
        }
    }
    out
}

fn xml_attr(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    loop {
        let i = rest.find(name)?;
        let before = rest[..i].chars().last();
        let after = &rest[i + name.len()..];
        let after_t = after.trim_start();
        if before.is_some_and(char::is_whitespace) && after_t.starts_with('=') {
            let v = after_t[1..].trim_start();
            // An XML value is quoted: anything else (a multi-byte
            // character too, which must not be cut) gives no value.
            let q = v.chars().next().filter(|q| matches!(q, '"' | '\''))?;
            let v = &v[1..];
            return v.find(q).map(|e| v[..e].to_owned());
        }
        rest = after;
    }
}

/// `name → hash` of the files `atlas.sum` lists.
fn atlas_sum(src: &str) -> BTreeMap<String, String> {
    src.lines()
        .skip(1)
        .filter_map(|l| {
            let (n, h) = l.split_once("h1:")?;
            Some((n.trim().to_owned(), h.trim().to_owned()))
        })
        .collect()
}
