//! `drift init`: scans the folder a drift.toml is written to (the current
//! directory by default) for what drift can compare — dotenv files,
//! configuration folders, lockfiles, schema files, migrations folders — and
//! writes a commented drift.toml with dev, staging and prod to edit.
//!
//! The walk is bounded (depth, entries) and skips `.git`, build output and
//! dependency folders, so a huge checkout cannot keep it busy. The file is
//! written atomically and never over an existing one.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use drift_collectors::packages::Format;
use drift_core::display::Escaped;

use crate::cli::InitArgs;
use crate::exit::Exit;

/// How deep the scan goes below the folder.
const MAX_DEPTH: usize = 4;
/// How many directory entries the scan looks at, at most.
const MAX_ENTRIES: usize = 20_000;
/// Folders never entered: version control, build output, dependencies.
const SKIPPED: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "target",
    "node_modules",
    "vendor",
    ".venv",
    "venv",
    "__pycache__",
    "dist",
    "build",
    ".tox",
    ".cache",
];
/// Names of configuration folders.
const CONFIG_DIRS: &[&str] = &["config", "configs", "conf", "settings", "environments"];
/// Names of migrations folders.
const MIGRATION_DIRS: &[&str] = &["migrations", "migrate", "alembic"];
/// The environments written, in order.
const ENVS: [&str; 3] = ["dev", "staging", "prod"];

/// What the scan found, as paths relative to the scanned folder.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// Dotenv files: (path, the environment its name says, if any).
    pub dotenv: Vec<(String, Option<&'static str>)>,
    /// Dotenv templates (`.env.example`): named, never read.
    pub templates: Vec<String>,
    /// Configuration folders: (path, the environment its name says, if any).
    pub config_dirs: Vec<(String, Option<&'static str>)>,
    /// Lockfiles and manifests drift reads packages from.
    pub lockfiles: Vec<String>,
    /// SQL schema files.
    pub schema_files: Vec<String>,
    /// Migrations folders.
    pub migrations: Vec<String>,
    /// Whether the entry limit cut the scan short.
    pub truncated: bool,
}

/// The environment a file or folder name says (`.env.production` → prod).
fn env_of(name: &str) -> Option<&'static str> {
    name.split(['.', '-', '_'])
        .find_map(|word| match word.to_ascii_lowercase().as_str() {
            "dev" | "development" | "local" => Some("dev"),
            "staging" | "stage" | "stg" => Some("staging"),
            "prod" | "production" | "prd" | "live" => Some("prod"),
            _ => None,
        })
}

/// Whether a dotenv file's name marks it as a template to copy.
fn is_template(name: &str) -> bool {
    name.split(['.', '-', '_']).any(|w| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "example" | "sample" | "template" | "dist" | "defaults" | "tpl"
        )
    })
}

fn is_dotenv(name: &str) -> bool {
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env")
}

fn is_schema_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".sql") && (lower.contains("schema") || lower.contains("structure"))
}

/// Scans `root`, bounded by [`MAX_DEPTH`] and [`MAX_ENTRIES`].
pub fn scan(root: &Path) -> Found {
    let mut found = Found::default();
    let mut walk = walkdir::WalkDir::new(root)
        .min_depth(1)
        .max_depth(MAX_DEPTH)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    let mut seen = 0usize;
    while let Some(entry) = walk.next() {
        let Ok(entry) = entry else { continue };
        seen += 1;
        if seen > MAX_ENTRIES {
            found.truncated = true;
            break;
        }
        // Names that are not UTF-8 cannot be written into drift.toml.
        let Some(name) = entry.file_name().to_str() else {
            continue;
        };
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let Some(rel) = rel.to_str().map(|r| r.replace('\\', "/")) else {
            continue;
        };
        let kind = entry.file_type();
        if kind.is_dir() {
            if SKIPPED.contains(&name) {
                walk.skip_current_dir();
            } else if CONFIG_DIRS.contains(&name) {
                // Nothing below a configuration folder is scanned.
                found.config_dirs.extend(config_dir(entry.path(), rel));
                walk.skip_current_dir();
            } else if MIGRATION_DIRS.contains(&name) {
                found.migrations.push(rel);
                walk.skip_current_dir();
            }
        } else if kind.is_file() {
            if is_dotenv(name) {
                if is_template(name) {
                    found.templates.push(rel);
                } else {
                    found.dotenv.push((rel, env_of(name)));
                }
            } else if Format::from_lockfile_name(name).is_some() {
                found.lockfiles.push(rel);
            } else if is_schema_file(name) {
                found.schema_files.push(rel);
            }
        }
    }
    found
}

/// A configuration folder found at `rel`: its per-environment subfolders
/// (`config/prod`) when it has some, else itself.
fn config_dir(dir: &Path, rel: String) -> Vec<(String, Option<&'static str>)> {
    let mut per_env: Vec<(String, Option<&'static str>)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .take(MAX_ENTRIES)
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_owned();
            let env = env_of(&name)?;
            Some((format!("{rel}/{name}"), Some(env)))
        })
        .collect();
    if per_env.is_empty() {
        return vec![(rel, None)];
    }
    per_env.sort();
    per_env
}

/// `s` as a one-line TOML basic string. By hand: the toml crate writes
/// text with a line break as a multi-line string, which cannot stand in a
/// comment or a one-line list; here every control, DEL, C1 and invisible
/// character becomes a `\uXXXX` escape.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c.is_control() || drift_core::display::is_hidden(c)) && c <= '\u{ffff}' => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c if drift_core::display::is_hidden(c) => {
                let _ = write!(out, "\\U{:08X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: &[&str]) -> String {
    let items: Vec<String> = items.iter().map(|s| quoted(s)).collect();
    format!("[{}]", items.join(", "))
}

/// The paths of `items` for `env`: those named for it, else those named
/// for no environment.
fn for_env<'a>(items: &'a [(String, Option<&'static str>)], env: &str) -> Vec<&'a str> {
    let own: Vec<&str> = items
        .iter()
        .filter(|(_, e)| *e == Some(env))
        .map(|(p, _)| p.as_str())
        .collect();
    if !own.is_empty() {
        return own;
    }
    items
        .iter()
        .filter(|(_, e)| e.is_none())
        .map(|(p, _)| p.as_str())
        .collect()
}

/// One comment line listing `paths` under `what`, or nothing.
fn found_line(out: &mut String, what: &str, paths: &[&str]) {
    if !paths.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| quoted(p)).collect();
        let _ = writeln!(out, "#   {what}: {}", shown.join(", "));
    }
}

/// The drift.toml for what was found.
pub fn render(found: &Found) -> String {
    let mut out = String::new();
    out.push_str("# drift.toml written by `drift init`. Edit it, then run `drift check`.\n");
    out.push_str("# Every field is described in docs/drift-toml.md.\n#\n");
    let dotenv: Vec<&str> = found.dotenv.iter().map(|(p, _)| p.as_str()).collect();
    let config: Vec<&str> = found.config_dirs.iter().map(|(p, _)| p.as_str()).collect();
    let lockfiles: Vec<&str> = found.lockfiles.iter().map(String::as_str).collect();
    let schema: Vec<&str> = found.schema_files.iter().map(String::as_str).collect();
    let migrations: Vec<&str> = found.migrations.iter().map(String::as_str).collect();
    let templates: Vec<&str> = found.templates.iter().map(String::as_str).collect();
    let nothing =
        dotenv.is_empty() && config.is_empty() && lockfiles.is_empty() && schema.is_empty();
    if nothing {
        out.push_str("# Found no dotenv file, configuration folder, lockfile or schema file;\n");
        out.push_str("# each environment records its runtime versions until you add sources.\n");
    } else {
        out.push_str("# Found in this folder:\n");
    }
    found_line(&mut out, "dotenv files", &dotenv);
    found_line(&mut out, "dotenv templates (not read)", &templates);
    found_line(&mut out, "configuration folders", &config);
    found_line(&mut out, "lockfiles", &lockfiles);
    found_line(&mut out, "schema files", &schema);
    found_line(&mut out, "migrations folders", &migrations);
    if found.truncated {
        let _ = writeln!(
            out,
            "# (the scan stopped after {MAX_ENTRIES} entries; add what it did not reach)"
        );
    }
    out.push_str(
        "#\n# As written, every environment reads this checkout. Point staging and prod\n\
         # at their hosts (`hosts`), their own files, or their databases (`schema`).\n\n",
    );
    out.push_str("[settings]\nfail_on = \"error\"        # warning | info: fail on less\n");
    for env in ENVS {
        let _ = writeln!(out, "\n[environments.{env}]");
        if env != "dev" {
            let _ = writeln!(
                out,
                "# hosts = [\"ssh://deploy@{env}-1\"]   # read the paths below on these hosts over SSH"
            );
        }
        let env_dotenv = for_env(&found.dotenv, env);
        if !env_dotenv.is_empty() {
            let _ = writeln!(out, "dotenv = {}", list(&env_dotenv));
        }
        let env_config = for_env(&found.config_dirs, env);
        if !env_config.is_empty() {
            let _ = writeln!(out, "config_dirs = {}", list(&env_config));
        }
        if !lockfiles.is_empty() {
            let _ = writeln!(out, "packages = {}", list(&lockfiles));
        }
        if !schema.is_empty() {
            let files: Vec<String> = schema
                .iter()
                .map(|f| format!("{{ file = {} }}", quoted(f)))
                .collect();
            let _ = writeln!(out, "schema = [{}]", files.join(", "));
        }
        if !migrations.is_empty() {
            let _ = writeln!(
                out,
                "# schema = [{{ url = \"postgres://drift@db.{env}/app\", password_env = \"DRIFT_{}_DB_PASSWORD\" }}]   # a live database and its applied migrations",
                env.to_ascii_uppercase()
            );
        }
        if nothing {
            out.push_str("runtimes = true\n");
        }
    }
    out.push_str(
        "\n# [[rules]]                       # what may differ, and how much\n\
         # keys = \"config:*:log.level\"\n\
         # expect = \"differ\"\n\
         # reason = \"dev logs more\"\n",
    );
    out
}

/// Writes `bytes` to `path`, whole or not at all, and never over a file:
/// written under a temporary name, then linked to `path` (which fails if
/// a file appeared there meanwhile).
fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".drift-init-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in `{}`", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write in `{}`", dir.display()))?;
    match std::fs::hard_link(tmp.path(), path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
            "`{}` already exists; drift init never overwrites: move it away, or write elsewhere with --output FILE",
            path.display()
        ),
        // Where hard links are not supported: a new file, written whole.
        Err(_) => {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .with_context(|| format!("cannot create `{}`", path.display()))?;
            f.write_all(bytes)
                .and_then(|()| f.sync_all())
                .with_context(|| format!("cannot write `{}`", path.display()))
        }
    }
}

/// Runs `drift init`.
pub fn run(args: &InitArgs) -> anyhow::Result<Exit> {
    let path = &args.output;
    if std::fs::symlink_metadata(path).is_ok() {
        bail!(
            "`{}` already exists; drift init never overwrites: move it away, or write elsewhere with --output FILE",
            path.display()
        );
    }
    let root: PathBuf = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    if !root.is_dir() {
        bail!(
            "cannot write `{}`: the folder `{}` does not exist",
            path.display(),
            root.display()
        );
    }
    let found = scan(&root);
    let text = render(&found);
    write_new(path, text.as_bytes())?;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "drift: wrote {} ({} dotenv file(s), {} configuration folder(s), {} lockfile(s), {} schema file(s), {} migrations folder(s)); edit it, then run `drift check`",
        Escaped(path.display()),
        found.dotenv.len(),
        found.config_dirs.len(),
        found.lockfiles.len(),
        found.schema_files.len(),
        found.migrations.len()
    );
    Ok(Exit::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, rel: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "").unwrap();
    }

    #[test]
    fn names_tell_environments() {
        assert_eq!(env_of(".env.production"), Some("prod"));
        assert_eq!(env_of(".env.staging"), Some("staging"));
        assert_eq!(env_of("dev"), Some("dev"));
        assert_eq!(env_of(".env"), None);
        assert!(is_template(".env.example"));
        assert!(!is_template(".env.prod"));
    }

    #[test]
    fn scan_finds_each_kind_and_skips_build_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(root, ".env");
        touch(root, ".env.production");
        touch(root, ".env.example");
        touch(root, "config/dev/app.yaml");
        touch(root, "config/prod/app.yaml");
        touch(root, "package-lock.json");
        touch(root, "db/structure.sql");
        touch(root, "db/migrate/001_init.rb");
        touch(root, "node_modules/x/package-lock.json");
        touch(root, "target/debug/Cargo.lock");
        touch(root, ".git/config/x");
        let found = scan(root);
        assert_eq!(
            found.dotenv,
            vec![
                (".env".to_owned(), None),
                (".env.production".to_owned(), Some("prod"))
            ]
        );
        assert_eq!(found.templates, vec![".env.example"]);
        assert_eq!(
            found.config_dirs,
            vec![
                ("config/dev".to_owned(), Some("dev")),
                ("config/prod".to_owned(), Some("prod"))
            ]
        );
        assert_eq!(found.lockfiles, vec!["package-lock.json"]);
        assert_eq!(found.schema_files, vec!["db/structure.sql"]);
        assert_eq!(found.migrations, vec!["db/migrate"]);
        let text = render(&found);
        assert!(text.contains("[environments.prod]\n# hosts"), "{text}");
        // drift's own loader reads what init writes.
        let config = crate::settings::parse(&root.join("drift.toml"), &text).unwrap();
        let names: Vec<&str> = config
            .environments
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(names, ENVS);
        let prod = &config.environments[2].sources;
        assert_eq!(prod.dotenv, vec![root.join(".env.production")]);
        assert_eq!(prod.config_dirs[0].path, root.join("config/prod"));
        assert_eq!(prod.packages, vec![root.join("package-lock.json")]);
        assert_eq!(prod.schema.len(), 1);
        let dev = &config.environments[0].sources;
        assert_eq!(dev.dotenv, vec![root.join(".env")]);
    }

    #[test]
    fn an_empty_folder_gives_a_file_that_still_loads() {
        let dir = tempfile::tempdir().unwrap();
        let found = scan(dir.path());
        assert_eq!(found, Found::default());
        let text = render(&found);
        let config = crate::settings::parse(&dir.path().join("drift.toml"), &text).unwrap();
        assert!(config.environments.iter().all(|e| e.sources.runtimes));
    }

    #[test]
    fn hostile_names_are_quoted_and_escaped() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), ".env.prod\"\n[x]\u{202e}\u{e0041}");
        let text = render(&scan(dir.path()));
        assert!(!text.contains("\n[x]"), "{text}");
        assert!(text.contains("\\u202E\\U000E0041"), "{text}");
        let config = crate::settings::parse(&dir.path().join("drift.toml"), &text).unwrap();
        assert_eq!(
            config.environments[2].sources.dotenv,
            vec![dir.path().join(".env.prod\"\n[x]\u{202e}\u{e0041}")]
        );
    }

    #[test]
    fn the_scan_stops_at_its_entry_limit() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..=MAX_ENTRIES {
            std::fs::write(dir.path().join(format!("f{i}")), "").unwrap();
        }
        assert!(scan(dir.path()).truncated);
    }
}
