//! `drift snapshot`: one environment into a manifest.

use std::path::PathBuf;

use anyhow::bail;
use drift_core::display::Escaped;

use crate::allow::SecretAllow;
use crate::cli::SnapshotArgs;
use crate::exit::Exit;
use crate::output::{now_rfc3339, write_streamed};
use crate::settings::{ConfigDir, SecretGlobs, Sources, valid_env_name};
use crate::sources::{CollectOptions, process_env, resolve_schema};
use crate::targets::{LoginEnv, check_target, ssh_options};

/// The prefixes or suffixes of `--kube-strip-prefix` or
/// `--kube-strip-suffix`: none empty.
fn strip_rules(flag: &str, rules: &[String]) -> anyhow::Result<Vec<String>> {
    if rules.iter().any(String::is_empty) {
        bail!("`{flag}` takes the text stripped from names, such as `-prod`: it may not be empty");
    }
    Ok(rules.to_vec())
}

/// Parses `--config-dir [NAME=]DIR`.
pub fn parse_config_dir(arg: &str) -> anyhow::Result<ConfigDir> {
    match arg.split_once('=') {
        Some((name, path)) if !name.is_empty() && !name.contains('/') => {
            if path.is_empty() {
                bail!("`--config-dir {arg}` names no directory: write `--config-dir NAME=DIR`");
            }
            Ok(ConfigDir {
                path: PathBuf::from(path),
                name: Some(name.to_owned()),
            })
        }
        _ => Ok(ConfigDir {
            path: PathBuf::from(arg),
            name: None,
        }),
    }
}

/// The schema sources of the flags.
fn schema_specs(args: &SnapshotArgs) -> Vec<crate::settings::SchemaSpec> {
    use crate::settings::{SchemaSpec, SchemaTarget};
    let urls = args.schema.iter().map(|u| SchemaSpec {
        target: SchemaTarget::Url(u.clone()),
        name: None,
        password_env: args.schema_password_env.clone(),
        password_file: None,
        via: None,
        schema_include: args.schema_include.clone(),
        schema_exclude: args.schema_exclude.clone(),
        tls: Default::default(),
        line: None,
    });
    let files = args.schema_files.iter().map(|f| {
        let (path, dialect) = split_dialect(f);
        let dialect = dialect.or_else(|| args.schema_file_dialect.clone());
        (path, dialect)
    });
    let files = files.map(|(path, dialect)| SchemaSpec {
        target: SchemaTarget::File(path, dialect),
        name: None,
        password_env: None,
        password_file: None,
        via: None,
        schema_include: args.schema_include.clone(),
        schema_exclude: args.schema_exclude.clone(),
        tls: Default::default(),
        line: None,
    });
    urls.chain(files).collect()
}

/// `FILE:DIALECT` → (`FILE`, `DIALECT`); a file whose whole name exists, or
/// a name without a known dialect after its last `:`, is taken as it is.
fn split_dialect(arg: &std::path::Path) -> (PathBuf, Option<String>) {
    let whole = || (arg.to_path_buf(), None);
    let Some(text) = arg.to_str() else {
        return whole();
    };
    match text.rsplit_once(':') {
        Some((file, d))
            if matches!(d, "postgres" | "mysql" | "sqlite")
                && !file.is_empty()
                && !arg.exists() =>
        {
            (PathBuf::from(file), Some(d.to_owned()))
        }
        _ => whole(),
    }
}

/// The release's migration folders of the flags.
fn migrations_specs(args: &SnapshotArgs) -> anyhow::Result<Vec<crate::settings::MigrationsSpec>> {
    use drift_collectors::schema::MigrationTool;
    let tool = match &args.migrations_tool {
        Some(t) => Some(MigrationTool::from_name(t).ok_or_else(|| {
            anyhow::anyhow!(
                "`--migrations-tool` is not a migration tool drift reads: flyway, golang-migrate, \
                 sqlx, goose, dbmate, knex, diesel, rails, alembic, django, atlas, liquibase"
            )
        })?),
        None => None,
    };
    Ok(args
        .migrations
        .iter()
        .map(|dir| crate::settings::MigrationsSpec {
            dir: dir.clone(),
            tool,
            table: args.migrations_table.clone(),
            label: args.schema_label.clone(),
        })
        .collect())
}

/// Runs `drift snapshot`.
pub fn run(args: SnapshotArgs) -> anyhow::Result<Exit> {
    if !valid_env_name(&args.env) {
        // Not shown back: it may be anything pasted in the wrong place.
        bail!(
            "the `--env` name is not a valid environment name: use letters, digits, `-`, `_` and `.`"
        );
    }
    // `--dotenv API_TOKEN=…`: a variable where a file is expected; never
    // shown back, nor carried into the manifest's errors.
    if args
        .dotenv
        .iter()
        .any(|p| p.as_os_str().as_encoded_bytes().contains(&b'='))
    {
        bail!(
            "a `--dotenv` value holds `=`: `--dotenv` takes a file path, not NAME=value (the value given is not shown)"
        );
    }
    let sources = Sources {
        dotenv: args.dotenv.clone(),
        config_dirs: args
            .config_dirs
            .iter()
            .map(|a| parse_config_dir(a))
            .collect::<anyhow::Result<_>>()?,
        process_env: args.process_env,
        packages: args.packages.clone(),
        runtimes: args.runtimes,
        host_facts: args.host_facts,
        image_digest: args.image_digest.clone(),
        schema: schema_specs(&args),
        include_grants: args.include_grants,
        process_env_of: args.process_env_of.clone(),
        process_env_pidfile: args.process_env_pidfile.clone(),
        hosts: args.host.iter().cloned().collect(),
        release: args.release,
        migrations: migrations_specs(&args)?,
        kube_manifests: args.kube_manifests.clone(),
        kube_namespace: args.kube_namespace.clone(),
        kube_namespace_map: args
            .kube_namespace_map
            .iter()
            .map(|m| match m.split_once('=') {
                Some((from, to)) if !from.is_empty() && !to.is_empty() => {
                    Ok((from.to_owned(), to.to_owned()))
                }
                _ => Err(anyhow::anyhow!(
                    "`--kube-namespace-map` takes FROM=TO (`shop-prod=shop`)"
                )),
            })
            .collect::<anyhow::Result<_>>()?,
        kube_strip_prefixes: strip_rules("--kube-strip-prefix", &args.kube_strip_prefixes)?,
        kube_strip_suffixes: strip_rules("--kube-strip-suffix", &args.kube_strip_suffixes)?,
        kube_keep_owned: args.kube_keep_owned,
    };
    if sources.is_empty() {
        bail!(
            "nothing to snapshot: give --dotenv, --config-dir, --process-env, --packages, --runtimes, --host-facts, --schema, --migrations or --kube-manifests"
        );
    }
    let globs = SecretGlobs {
        keys: args.secret_globs.secrets.clone(),
        public: Vec::new(),
        overriding_public: args.secret_globs.public.clone(),
    };
    let key = std::env::var(crate::sanitizer::KEY_VAR).ok();
    let sanitizer = crate::sanitizer::sanitizer(key.as_deref(), None, &globs)?;
    if let Some(host) = &args.host {
        check_target(host)?;
    }
    let host_name = match &args.host_name {
        Some(name) if !crate::targets::valid_host_name(name) => bail!(
            "the `--host-name` value is not a valid host name: 1 to 255 characters, no spaces or control characters (the value given is not shown)"
        ),
        Some(name) => Some(name.clone()),
        None => crate::targets::default_host_name(args.host.as_deref()),
    };
    // Sources given by flags are the user's own: nothing to allow.
    let schema = resolve_schema(&sources.schema, &SecretAllow::default())?;
    let ssh = crate::targets::merge(&crate::settings::SshSettings::default(), &args.ssh, &|k| {
        std::env::var_os(k)
    })?;
    let options = CollectOptions {
        max_file_size: args.max_file_size,
        follow_symlinks: args.follow_symlinks,
        process_env: if args.process_env && args.host.is_none() {
            process_env()
        } else {
            Vec::new()
        },
        fingerprinter: sanitizer.fingerprinter().clone(),
        ssh: ssh_options(&ssh, &LoginEnv::from_process()),
    };
    let created_at = now_rfc3339();
    let bars = crate::bars::wanted_here(args.quiet).then(|| crate::bars::Bars::new(1));
    let host_bars = bars.as_ref().map(|b| b.host(None));
    let no_progress = drift_collectors::progress::NoProgress;
    let unkeyed = sanitizer.fingerprinter().key_id().is_none();
    let stream = |out: &mut (dyn std::io::Write + Send)| {
        crate::collect::stream_target(
            &args.env,
            args.host.as_deref(),
            &sources,
            &schema,
            &options,
            sanitizer,
            &created_at,
            out,
            &drift_collectors::SnapshotOptions {
                host_name: host_name.as_deref(),
                progress: match &host_bars {
                    Some(b) => b,
                    None => &no_progress,
                },
                role: if args.release {
                    drift_core::Role::Release
                } else {
                    drift_core::Role::Environment
                },
            },
        )
    };
    let written = write_streamed(args.output.as_deref(), stream);
    if let Some(b) = &bars {
        b.clear();
    }
    let (errors, coverage) = written?;
    // What a host holds (file names, parser messages) is shown escaped.
    let env = Escaped(&args.env);
    for e in &errors {
        eprintln!("drift: {env}: {}", Escaped(e));
    }
    for note in crate::sanitizer::hidden_notes(&coverage, unkeyed) {
        eprintln!("drift: {env}: note: {}", Escaped(note));
    }
    let exit = if errors.is_empty() {
        Exit::Clean
    } else {
        Exit::Incomplete
    };
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_dir_arguments() {
        let d = parse_config_dir("app=/etc/app").unwrap();
        assert_eq!(d.name.as_deref(), Some("app"));
        assert_eq!(d.path, PathBuf::from("/etc/app"));
        let d = parse_config_dir("./a=b/c").unwrap();
        assert_eq!(d.name, None);
        assert!(parse_config_dir("app=").is_err());
    }
}
