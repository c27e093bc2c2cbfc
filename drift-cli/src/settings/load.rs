//! Reading and validating drift.toml.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use drift_core::policy::{Expect, Rule, Tolerance, Waiver, parse_tolerate};
use drift_core::{Date, KeyPattern, Policy, Severity};
use toml::Spanned;

use super::error::{ConfigError, closest, with_suggestion};
use super::raw::{Globs, RawConfig, RawConfigDir, RawRule, RawSchema, RawWaiver};
use super::{
    Config, ConfigDir, EnvConfig, SchemaSpec, SchemaTarget, SchemaTls, SecretGlobs, Settings,
    Sources, SshSettings, valid_env_name,
};
use drift_collectors::schema::TlsMode;

/// An environment's namespace map: `[kube] namespace_map`, with the
/// environment's own `kube_namespace_map` winning for the same namespace.
fn namespace_map(
    ctx: &Ctx<'_>,
    global: &BTreeMap<String, Spanned<String>>,
    own: &BTreeMap<String, Spanned<String>>,
) -> Result<Vec<(String, String)>, ConfigError> {
    let mut map = BTreeMap::new();
    for (from, to) in global.iter().chain(own) {
        if from.is_empty() || to.get_ref().is_empty() {
            return ctx.err(
                Some(to.span()),
                "a namespace map maps a namespace to another: neither may be empty",
            );
        }
        map.insert(from.clone(), to.get_ref().clone());
    }
    Ok(map.into_iter().collect())
}

/// Name prefixes or suffixes stripped: `[kube]`'s, then the
/// environment's own (`kube_` before the same name).
fn strip_rules(
    ctx: &Ctx<'_>,
    name: &str,
    global: &[Spanned<String>],
    own: &[Spanned<String>],
) -> Result<Vec<String>, ConfigError> {
    let mut rules: Vec<String> = Vec::new();
    for rule in global.iter().chain(own) {
        if rule.get_ref().is_empty() {
            return ctx.err(
                Some(rule.span()),
                format!(
                    "`{name}` holds an empty string: write the text stripped, such as \"-prod\""
                ),
            );
        }
        if !rules.contains(rule.get_ref()) {
            rules.push(rule.get_ref().clone());
        }
    }
    Ok(rules)
}

/// Reads and validates a drift.toml.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        line: None,
        message: match e.kind() {
            std::io::ErrorKind::NotFound => {
                "no such file; give the drift.toml with --config, or create one (see the README)"
                    .to_owned()
            }
            _ => format!("cannot read it: {e}"),
        },
    })?;
    parse(path, &text)
}

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
    dir: PathBuf,
}

impl Ctx<'_> {
    fn err<T>(
        &self,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
    ) -> Result<T, ConfigError> {
        Err(ConfigError::at(
            self.path,
            self.text,
            span.map(|s| s.start),
            message,
        ))
    }

    fn resolve(&self, p: &str) -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.dir.join(p)
        }
    }

    /// One of a few words; the error names the field and the choices,
    /// never what was written (it may be a secret pasted in the wrong
    /// place).
    fn parse_word<T: FromStr>(
        &self,
        field: &str,
        value: &Spanned<String>,
        choices: &[&str],
    ) -> Result<T, ConfigError> {
        value.get_ref().parse::<T>().or_else(|_| {
            let list: Vec<String> = choices.iter().map(|c| format!("`{c}`")).collect();
            let mut message = format!("`{field}` must be one of {}", list.join(", "));
            if let Some(s) = closest(value.get_ref(), choices.iter().copied()) {
                message.push_str(&format!("; did you mean `{s}`?"));
            }
            self.err(Some(value.span()), message)
        })
    }

    /// The 1-based line of a span.
    fn line(&self, span: std::ops::Range<usize>) -> usize {
        super::error::line_of(self.text, span.start)
    }

    fn globs(&self, globs: &Spanned<Globs>) -> Result<Vec<KeyPattern>, ConfigError> {
        if globs.get_ref().0.is_empty() {
            return self.err(
                Some(globs.span()),
                "`keys` is empty; give at least one key glob",
            );
        }
        globs
            .get_ref()
            .0
            .iter()
            .map(|g| KeyPattern::new(g).or_else(|e| self.err(Some(globs.span()), glob_error(&e))))
            .collect()
    }

    fn envs(
        &self,
        envs: &Spanned<Vec<String>>,
        known: &[String],
    ) -> Result<Vec<String>, ConfigError> {
        for e in envs.get_ref() {
            self.known_env(e, envs.span(), known)?;
        }
        Ok(envs.get_ref().clone())
    }

    fn known_env(
        &self,
        name: &str,
        span: std::ops::Range<usize>,
        known: &[String],
    ) -> Result<(), ConfigError> {
        if known.iter().any(|k| k == name) {
            return Ok(());
        }
        // A name that could not be an environment's is not shown back.
        let shown = if valid_env_name(name) {
            format!(" `{name}`")
        } else {
            String::new()
        };
        let mut message = format!(
            "there is no environment{shown} (declared: {})",
            known.join(", ")
        );
        if let Some(s) = closest(name, known.iter().map(String::as_str)) {
            message.push_str(&format!("; did you mean `{s}`?"));
        }
        self.err(Some(span), message)
    }
}

/// How deep drift.toml may nest (tables and arrays, the root included).
const MAX_DEPTH: usize = 80;

/// Parses and validates drift.toml text; `path` names it in errors and
/// anchors relative paths.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let ctx = Ctx { path, text, dir };
    // drift.toml keeps the depth the `toml` crate allowed before drift
    // lifted its limit for configuration files: a settings file has no
    // use for more, and what it is read into is dropped on the caller's
    // stack.
    let parsed = drift_collectors::toml_depth::parse_within(text, MAX_DEPTH, || {
        toml::from_str::<RawConfig>(text)
    });
    let raw: RawConfig = match parsed {
        Ok(parsed) => parsed.or_else(|e| {
            let message = with_suggestion(e.message());
            ctx.err(e.span(), message)
        })?,
        Err(e) => return ctx.err(Some(e.offset..e.offset), e.to_string()),
    };

    let names: Vec<String> = raw.environments.keys().cloned().collect();
    let mut environments = Vec::new();
    for (name, env) in &raw.environments {
        if !valid_env_name(name) {
            return ctx.err(
                Some(env.span()),
                "this environment's name is not valid: use letters, digits, `-`, `_` and `.`",
            );
        }
        let env = env.get_ref();
        let config_dirs = env
            .config_dirs
            .iter()
            .map(|d| match d {
                RawConfigDir::Path(p) => ConfigDir {
                    path: ctx.resolve(p),
                    name: None,
                },
                RawConfigDir::Named { path, name } => ConfigDir {
                    path: ctx.resolve(path),
                    name: name.clone(),
                },
            })
            .collect();
        environments.push(EnvConfig {
            name: name.clone(),
            sources: Sources {
                dotenv: env.dotenv.iter().map(|p| ctx.resolve(p)).collect(),
                config_dirs,
                process_env: env.process_env,
                packages: env.packages.iter().map(|p| ctx.resolve(p)).collect(),
                runtimes: env.runtimes,
                host_facts: env.host_facts,
                image_digest: env.image_digest.clone(),
                schema: env
                    .schema
                    .iter()
                    .map(|s| schema_spec(&ctx, s))
                    .collect::<Result<_, _>>()?,
                include_grants: env.include_grants,
                process_env_of: env.process_env_of.clone(),
                process_env_pidfile: env.process_env_pidfile.as_deref().map(PathBuf::from),
                hosts: hosts(&ctx, &env.hosts)?,
                release: match &env.role {
                    Some(r) => {
                        ctx.parse_word::<Role>("role", r, &["environment", "release"])?
                            == Role::Release
                    }
                    None => false,
                },
                migrations: env
                    .migrations
                    .iter()
                    .map(|m| migrations_spec(&ctx, m))
                    .collect::<Result<_, _>>()?,
                kube_manifests: env
                    .kube_manifests
                    .iter()
                    .map(|p| {
                        if p == "-" {
                            PathBuf::from("-")
                        } else {
                            ctx.resolve(p)
                        }
                    })
                    .collect(),
                kube_namespace: env.kube_namespace.clone(),
                kube_namespace_map: namespace_map(
                    &ctx,
                    &raw.kube.namespace_map,
                    &env.kube_namespace_map,
                )?,
                kube_strip_prefixes: strip_rules(
                    &ctx,
                    "name_strip_prefixes",
                    &raw.kube.name_strip_prefixes,
                    &env.kube_name_strip_prefixes,
                )?,
                kube_strip_suffixes: strip_rules(
                    &ctx,
                    "name_strip_suffixes",
                    &raw.kube.name_strip_suffixes,
                    &env.kube_name_strip_suffixes,
                )?,
                kube_keep_owned: env.kube_keep_owned.or(raw.kube.keep_owned).unwrap_or(false),
            },
        });
    }

    let s = &raw.settings;
    let settings = Settings {
        fail_on: match &s.fail_on {
            Some(v) => {
                Some(ctx.parse_word::<Severity>("fail_on", v, &["info", "warning", "error"])?)
            }
            None => None,
        },
        fingerprint_key_file: s
            .fingerprint_key_file
            .as_ref()
            .map(|p| ctx.resolve(p.get_ref())),
        fingerprint_key_line: s.fingerprint_key_file.as_ref().map(|p| ctx.line(p.span())),
        max_file_size: bounded(
            &ctx,
            s.max_file_size.as_ref(),
            "max_file_size",
            super::MAX_FILE_SIZE,
            "bytes",
        )?,
        jobs: bounded(
            &ctx,
            s.jobs.as_ref(),
            "jobs",
            super::MAX_JOBS,
            "hosts at once",
        )?
        .map(|j| j as usize),
        follow_symlinks: s.follow_symlinks.unwrap_or(false),
        baseline: s.baseline.as_ref().map(|p| ctx.resolve(p.get_ref())),
        baseline_line: s.baseline.as_ref().map(|p| ctx.line(p.span())),
    };

    let mut secrets = SecretGlobs::default();
    for (list, out) in [
        (&raw.secrets.keys, &mut secrets.keys),
        (&raw.secrets.public, &mut secrets.public),
    ] {
        for g in list {
            KeyPattern::new(g.get_ref()).or_else(|e| ctx.err(Some(g.span()), glob_error(&e)))?;
            out.push(g.get_ref().clone());
        }
    }

    let rules = raw
        .rules
        .iter()
        .map(|r| rule(&ctx, r, &names))
        .collect::<Result<Vec<_>, _>>()?;
    let waivers = raw
        .waivers
        .iter()
        .map(|w| waiver(&ctx, w, &names))
        .collect::<Result<Vec<_>, _>>()?;

    let ssh = SshSettings {
        identity_files: raw
            .ssh
            .identity_files
            .iter()
            .map(|p| ctx.resolve(p))
            .collect(),
        known_hosts: raw.ssh.known_hosts.as_deref().map(|p| ctx.resolve(p)),
        accept_new_host_keys: raw.ssh.accept_new_host_keys,
        config_file: raw.ssh.config_file.as_deref().map(|p| ctx.resolve(p)),
        connect_timeout: bounded(
            &ctx,
            raw.ssh.connect_timeout.as_ref(),
            "connect_timeout",
            super::MAX_SECONDS,
            "seconds",
        )?,
        operation_timeout: bounded(
            &ctx,
            raw.ssh.operation_timeout.as_ref(),
            "operation_timeout",
            super::MAX_SECONDS,
            "seconds",
        )?,
    };
    Ok(Config {
        ssh,
        path: path.to_path_buf(),
        settings,
        secrets,
        environments,
        policy: Policy { rules, waivers },
    })
}

/// A number setting from 1 to `max` (`unit` names what it counts).
fn bounded(
    ctx: &Ctx<'_>,
    v: Option<&Spanned<u64>>,
    name: &str,
    max: u64,
    unit: &str,
) -> Result<Option<u64>, ConfigError> {
    match v {
        Some(v) if !(1..=max).contains(v.get_ref()) => ctx.err(
            Some(v.span()),
            format!("`{name}` must be from 1 to {max} ({unit})"),
        ),
        Some(v) => Ok(Some(*v.get_ref())),
        None => Ok(None),
    }
}

/// A key glob's error without the glob (it may be anything pasted there).
fn glob_error(e: &drift_core::pattern::PatternError) -> String {
    use drift_core::pattern::PatternError as P;
    match e {
        P::UnclosedBrace(_) => "a key glob has a `{` without its `}`".to_owned(),
        P::NestedBrace(_) => {
            "a key glob nests `{…}` groups; write the alternatives out instead".to_owned()
        }
        P::TooMany(_) => "a key glob expands to more than 256 alternatives".to_owned(),
        _ => "a key glob is empty; use `*` to match every key".to_owned(),
    }
}

/// A word setting's error without the word.
fn setting_error(field: &str, e: &drift_core::policy::ParseSettingError) -> String {
    format!(
        "`{field}` is not a valid {}: expected one of {}",
        e.what, e.expected
    )
}

fn hosts(ctx: &Ctx<'_>, hosts: &[Spanned<String>]) -> Result<Vec<String>, ConfigError> {
    let mut out: Vec<String> = Vec::new();
    for h in hosts {
        // The entry is not shown back: a token pasted here (or in the
        // user part) must not reach a log.
        if !h.get_ref().starts_with("ssh://") {
            return ctx.err(
                Some(h.span()),
                "a `hosts` entry is not a host target: write `ssh://[user@]host[:port]`",
            );
        }
        if crate::targets::check_target(h.get_ref()).is_err() {
            return ctx.err(
                Some(h.span()),
                "a `hosts` entry is not a valid host target: write `ssh://[user@]host[:port]`",
            );
        }
        if out.contains(h.get_ref()) {
            return ctx.err(Some(h.span()), "a host is listed twice in `hosts`");
        }
        out.push(h.get_ref().clone());
    }
    Ok(out)
}

fn schema_spec(ctx: &Ctx<'_>, spanned: &Spanned<RawSchema>) -> Result<SchemaSpec, ConfigError> {
    let s = spanned.get_ref();
    let target = match (&s.url, &s.file) {
        (Some(url), None) => {
            if s.dialect.is_some() {
                return ctx.err(
                    Some(spanned.span()),
                    "`dialect` is for schema files; a URL names its engine",
                );
            }
            // A user or password in an SQLite URL would be taken for the
            // path, and the path is shown in errors.
            if let Some(p) = url.strip_prefix("sqlite://")
                && p.split('/').next().is_some_and(|first| first.contains('@'))
            {
                return ctx.err(
                    Some(spanned.span()),
                    "an `sqlite://` URL takes a file path, not a user or password: write `sqlite://PATH` (`sqlite://./NAME` for a file whose name holds `@`)",
                );
            }
            // sqlite:// paths are relative to the drift.toml too.
            match url.strip_prefix("sqlite://") {
                Some(p) if !p.starts_with('/') => {
                    SchemaTarget::Url(format!("sqlite://{}", ctx.resolve(p).display()))
                }
                _ => SchemaTarget::Url(url.clone()),
            }
        }
        (None, Some(file)) => {
            if let Some(d) = &s.dialect
                && !["postgres", "mysql", "sqlite"].contains(&d.as_str())
            {
                let hint = closest(d, ["postgres", "mysql", "sqlite"])
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                return ctx.err(
                    Some(spanned.span()),
                    format!("`dialect` must be `postgres`, `mysql` or `sqlite`{hint}"),
                );
            }
            SchemaTarget::File(ctx.resolve(file), s.dialect.clone())
        }
        _ => {
            return ctx.err(
                Some(spanned.span()),
                "a schema source needs exactly one of `url` and `file`",
            );
        }
    };
    if s.password_env.is_some() && s.password_file.is_some() {
        return ctx.err(
            Some(spanned.span()),
            "give `password_env` or `password_file`, not both",
        );
    }
    if let Some(via) = &s.via
        && !via.starts_with("ssh://")
    {
        return ctx.err(
            Some(spanned.span()),
            "`via` is not a host target: write `ssh://[user@]host[:port]`",
        );
    }
    if let Some(var) = &s.password_env
        && !super::valid_var_name(var)
    {
        // Not shown back: this is where a password is pasted by mistake.
        return ctx.err(
            Some(spanned.span()),
            "`password_env` is not a variable name: give the name of the variable that holds the password (letters, digits and `_`)",
        );
    }
    for (field, globs) in [
        ("schema_include", &s.schema_include),
        ("schema_exclude", &s.schema_exclude),
    ] {
        for g in globs {
            if let Err(e) = drift_core::KeyPattern::new(g) {
                return ctx.err(Some(spanned.span()), format!("`{field}`: {e}"));
            }
        }
    }
    let tls = schema_tls(ctx, spanned)?;
    let not_a_server = matches!(target, SchemaTarget::File(..))
        || matches!(&target, SchemaTarget::Url(u) if u.starts_with("sqlite"));
    if not_a_server && (tls != SchemaTls::default() || s.tls_ca.is_some()) {
        return ctx.err(
            Some(spanned.span()),
            "`tls`, `tls_ca`, `tls_cert` and `tls_key` are for PostgreSQL and MySQL URLs",
        );
    }
    Ok(SchemaSpec {
        target,
        tls,
        name: s.name.clone(),
        password_env: s.password_env.clone(),
        password_file: s.password_file.as_deref().map(|p| ctx.resolve(p)),
        via: s.via.clone(),
        schema_include: s.schema_include.clone(),
        schema_exclude: s.schema_exclude.clone(),
        line: Some(ctx.line(spanned.span())),
    })
}

fn schema_tls(ctx: &Ctx<'_>, spanned: &Spanned<RawSchema>) -> Result<SchemaTls, ConfigError> {
    let s = spanned.get_ref();
    let mode = match &s.tls {
        None => None,
        Some(text) => match TlsMode::parse(text) {
            Some(m) => Some(m),
            None => {
                return ctx.err(
                    Some(spanned.span()),
                    "`tls` must be `disable`, `allow`, `prefer`, `require`, `verify-ca` or `verify-full` (or MySQL's `DISABLED`, `PREFERRED`, `REQUIRED`, `VERIFY_CA`, `VERIFY_IDENTITY`)",
                );
            }
        },
    };
    let client = match (&s.tls_cert, &s.tls_key) {
        (Some(c), Some(k)) => Some((ctx.resolve(c), ctx.resolve(k))),
        (None, None) => None,
        _ => {
            return ctx.err(
                Some(spanned.span()),
                "a client certificate needs both `tls_cert` and `tls_key`",
            );
        }
    };
    Ok(SchemaTls {
        mode,
        // `system`: the system's root certificates, as libpq's sslrootcert.
        ca: s.tls_ca.as_deref().map(|ca| {
            if ca == "system" {
                PathBuf::from(ca)
            } else {
                ctx.resolve(ca)
            }
        }),
        client,
    })
}

fn origin(ctx: &Ctx<'_>, offset: usize) -> String {
    let name = ctx.path.file_name().map_or_else(
        || ctx.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    format!("{name}:{}", super::error::line_of(ctx.text, offset))
}

fn rule(ctx: &Ctx<'_>, spanned: &Spanned<RawRule>, envs: &[String]) -> Result<Rule, ConfigError> {
    let r = spanned.get_ref();
    let mut out = Rule {
        keys: ctx.globs(&r.keys)?,
        origin: Some(origin(ctx, spanned.span().start)),
        reason: r.reason.clone(),
        ignore_dev: r.ignore_dev,
        ..Rule::default()
    };
    if let Some(e) = &r.expect {
        out.expect = Some(ctx.parse_word::<Expect>(
            "expect",
            e,
            &["equal", "differ", "present", "ignore"],
        )?);
    }
    if let Some(s) = &r.severity {
        out.severity =
            Some(ctx.parse_word::<Severity>("severity", s, &["info", "warning", "error"])?);
    }
    if let Some(e) = &r.environments {
        if e.get_ref().is_empty() {
            return ctx.err(
                Some(e.span()),
                "`environments` is empty; leave it out to mean all",
            );
        }
        out.environments = Some(ctx.envs(e, envs)?);
    }
    if let Some(t) = &r.tolerate {
        out.tolerate = Some(
            parse_tolerate(t.get_ref())
                .or_else(|e| ctx.err(Some(t.span()), setting_error("tolerate", &e)))?,
        );
    }
    if let Some(t) = &r.tolerance {
        out.tolerance = Some(
            Tolerance::from_str(&t.get_ref().0)
                .or_else(|e| ctx.err(Some(t.span()), setting_error("tolerance", &e)))?,
        );
    }
    if let Some(n) = &r.not_older_than {
        ctx.known_env(n.get_ref(), n.span(), envs)?;
        out.not_older_than = Some(n.get_ref().clone());
    }
    let sets_something = out.expect.is_some()
        || out.severity.is_some()
        || out.tolerate.is_some()
        || out.tolerance.is_some()
        || out.not_older_than.is_some()
        || out.ignore_dev.is_some();
    if !sets_something {
        return ctx.err(
            Some(spanned.span()),
            "this rule sets nothing: give it `expect`, `severity`, `tolerate`, `tolerance`, `not_older_than` or `ignore_dev`",
        );
    }
    if out.environments.is_some() && out.expect.is_none() {
        return ctx.err(
            Some(spanned.span()),
            "`environments` scopes a rule's `expect`: add `expect = \"equal\"` (or another expectation)",
        );
    }
    Ok(out)
}

fn waiver(
    ctx: &Ctx<'_>,
    spanned: &Spanned<RawWaiver>,
    envs: &[String],
) -> Result<Waiver, ConfigError> {
    let w = spanned.get_ref();
    if w.reason.get_ref().trim().is_empty() {
        return ctx.err(
            Some(w.reason.span()),
            "a waiver needs a `reason`: say why the drift is accepted",
        );
    }
    let expires = match &w.expires {
        Some(d) => Some(Date::from_str(&d.get_ref().0).or_else(|_| {
            ctx.err(
                Some(d.span()),
                "`expires` is not a date: write it as YYYY-MM-DD, for example 2026-12-31",
            )
        })?),
        None => None,
    };
    let environments = match &w.environments {
        Some(e) => Some(ctx.envs(e, envs)?),
        None => None,
    };
    Ok(Waiver {
        keys: ctx.globs(&w.keys)?,
        reason: w.reason.get_ref().clone(),
        expires,
        environments,
        origin: Some(origin(ctx, spanned.span().start)),
    })
}

/// `role = "environment" | "release"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Environment,
    Release,
}

impl std::str::FromStr for Role {
    type Err = ();
    fn from_str(s: &str) -> Result<Role, ()> {
        match s {
            "environment" => Ok(Role::Environment),
            "release" => Ok(Role::Release),
            _ => Err(()),
        }
    }
}

/// One `migrations = [...]` item.
fn migrations_spec(
    ctx: &Ctx<'_>,
    m: &Spanned<super::raw::RawMigrations>,
) -> Result<super::MigrationsSpec, ConfigError> {
    use super::raw::RawMigrations;
    use drift_collectors::schema::MigrationTool;
    Ok(match m.get_ref() {
        RawMigrations::Dir(d) => super::MigrationsSpec {
            dir: ctx.resolve(d),
            tool: None,
            table: None,
            label: None,
        },
        RawMigrations::Table {
            dir,
            tool,
            table,
            name,
        } => super::MigrationsSpec {
            dir: ctx.resolve(dir),
            tool: match tool {
                Some(t) => Some(MigrationTool::from_name(t).ok_or(()).or_else(|()| {
                    ctx.err(
                        Some(m.span()),
                        "`tool` is not a migration tool drift reads: flyway, golang-migrate, \
                         sqlx, goose, dbmate, knex, diesel, rails, alembic, django, atlas, \
                         liquibase",
                    )
                })?),
                None => None,
            },
            table: table.clone(),
            label: name.clone(),
        },
    })
}
