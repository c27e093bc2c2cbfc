//! `drift diff`: compare manifests.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use drift_core::diff::{DiffOptions, Environment, Host};
use drift_core::{Fingerprinter, Manifest, Policy};
use rayon::prelude::*;

use crate::cli::DiffArgs;
use crate::exit::Exit;
use crate::output::{show_report, today};

/// Reads one manifest (`-` for standard input), of at most `max_bytes`.
pub(crate) fn read_manifest(path: &Path, max_bytes: u64) -> anyhow::Result<Manifest> {
    if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(max_bytes.saturating_add(1))
            .read_to_end(&mut buf)
            .context("failed to read a manifest from standard input")?;
        if buf.len() as u64 > max_bytes {
            return Err(drift_core::ManifestError::TooLarge {
                origin: "<stdin>".to_owned(),
                limit: max_bytes,
            }
            .into());
        }
        return Ok(Manifest::from_slice(&buf, "<stdin>")?);
    }
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot read the manifest `{}`", path.display()))?;
    // Large manifests are parsed as they are read, never whole in memory.
    Ok(Manifest::from_reader_limited(
        file,
        &path.display().to_string(),
        max_bytes,
    )?)
}

/// Names each manifest's environment; manifests of one environment name
/// (prod yesterday, prod today) are told apart by their file names, and
/// one file given twice (`drift diff a.json a.json`, which compares like
/// `diff a a`) by its place among the arguments: `prod@a.json#2`.
fn names(manifests: &[Manifest], paths: &[PathBuf]) -> Vec<String> {
    let envs: Vec<&str> = manifests.iter().map(|m| m.environment.as_str()).collect();
    numbered(by_file(&envs, paths))
}

/// Each name, with `#2`, `#3`… after the second and later ones it repeats.
fn numbered(names: Vec<String>) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    names
        .into_iter()
        .map(|name| {
            let earlier = seen.entry(name.clone()).or_default();
            *earlier += 1;
            match *earlier {
                1 => name,
                n => format!("{name}#{n}"),
            }
        })
        .collect()
}

/// The fingerprinter of this run (`DRIFT_FINGERPRINT_KEY`, else the
/// policy's `fingerprint_key_file`), for baseline fingerprints.
fn fingerprinter(config: Option<&crate::settings::Config>) -> anyhow::Result<Fingerprinter> {
    let key = std::env::var(crate::sanitizer::KEY_VAR).ok();
    let file = config.and_then(|c| {
        c.settings
            .fingerprint_key_file
            .as_deref()
            .map(|f| (f, c.settings.fingerprint_key_line))
    });
    let sanitizer = crate::sanitizer::sanitizer(
        key.as_deref(),
        file,
        &crate::settings::SecretGlobs::default(),
    )?;
    Ok(sanitizer.fingerprinter().clone())
}

/// Each name, followed by `@FILE` when another one is the same.
fn by_file(names: &[&str], paths: &[PathBuf]) -> Vec<String> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for n in names {
        *count.entry(n).or_default() += 1;
    }
    names
        .iter()
        .zip(paths)
        .map(|(name, p)| {
            if count[name] > 1 {
                format!("{name}@{}", p.display())
            } else {
                (*name).to_owned()
            }
        })
        .collect()
}

/// A fleet: the manifests grouped by environment name, in the order the
/// names first come, each host named by its manifest's host name (a
/// manifest without one — older than minor 2 — by the SSH target's host,
/// else by its file), told apart by file name when two are the same.
/// Returns (environment, [(host name, index of its manifest)]).
fn fleet(manifests: &[Manifest], paths: &[PathBuf]) -> Vec<(String, Vec<(String, usize)>)> {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, m) in manifests.iter().enumerate() {
        match index.get(m.environment.as_str()) {
            Some(&g) => groups[g].1.push(i),
            None => {
                index.insert(&m.environment, groups.len());
                groups.push((m.environment.clone(), vec![i]));
            }
        }
    }
    groups
        .into_iter()
        .map(|(env, members)| {
            let hosts: Vec<String> = members
                .iter()
                .map(|&i| host_name(&manifests[i], &paths[i]))
                .collect();
            let own_paths: Vec<PathBuf> = members.iter().map(|&i| paths[i].clone()).collect();
            let refs: Vec<&str> = hosts.iter().map(String::as_str).collect();
            let names = numbered(by_file(&refs, &own_paths));
            (env, names.into_iter().zip(members).collect())
        })
        .collect()
}

/// The name of the host a manifest was taken on.
fn host_name(m: &Manifest, path: &Path) -> String {
    if let Some(host) = &m.host {
        return host.clone();
    }
    if m.target != "local" {
        return crate::targets::host_label(&m.target);
    }
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// Runs `drift diff`.
pub fn run(mut args: DiffArgs) -> anyhow::Result<Exit> {
    if args.fleet {
        args.manifests = crate::inputs::expand(&args.manifests)?;
    }
    if args.manifests.len() < 2 {
        bail!("nothing to compare: `drift diff` needs two or more manifests");
    }
    if args
        .manifests
        .iter()
        .filter(|p| p.as_os_str() == "-")
        .count()
        > 1
    {
        bail!("standard input (`-`) can be read only once");
    }
    crate::output::report_files(&args.report)?;
    let config = match &args.policy {
        Some(path) => Some(crate::settings::load(path)?),
        None => None,
    };
    let default_policy = Policy::default();
    let (policy, config_fail_on) = match &config {
        Some(c) => (&c.policy, c.settings.fail_on),
        None => (&default_policy, None),
    };
    let bar = crate::bars::manifests(args.manifests.len(), args.quiet);
    let manifests: anyhow::Result<Vec<Manifest>> = args
        .manifests
        .par_iter()
        .map(|p| {
            let m = read_manifest(
                p,
                args.max_manifest_size
                    .unwrap_or(drift_core::manifest::DEFAULT_MAX_MANIFEST_SIZE),
            );
            bar.inc(1);
            m
        })
        .collect::<anyhow::Result<_>>();
    bar.finish_and_clear();
    let manifests = manifests?;
    let names = names(&manifests, &args.manifests);
    let groups = if args.fleet {
        fleet(&manifests, &args.manifests)
    } else {
        Vec::new()
    };
    let envs: Vec<Environment<'_>> = if args.fleet {
        // The same grouping `drift check` makes of `hosts = [...]`.
        groups
            .iter()
            .map(|(env, hosts)| Environment {
                name: env,
                hosts: hosts
                    .iter()
                    .map(|(h, i)| Host {
                        name: h,
                        manifest: &manifests[*i],
                    })
                    .collect(),
            })
            .collect()
    } else {
        manifests
            .iter()
            .zip(&names)
            .map(|(m, n)| Environment {
                name: n,
                hosts: vec![Host {
                    name: n,
                    manifest: m,
                }],
            })
            .collect()
    };
    let today = today();
    let options = DiffOptions {
        today: Some(today),
        keep_ignored: crate::output::wants_ignored(&args.report),
        ..DiffOptions::default()
    };
    let mut report = drift_collectors::schema::diff_with_implicit_rules(&envs, policy, &options)?;
    let written = crate::baseline::settle(
        &args.baseline,
        config.as_ref(),
        &mut report,
        || fingerprinter(config.as_ref()),
        today,
    )?;
    let exit = show_report(&report, &args.report, config_fail_on, || {
        let first = args.manifests.first().filter(|p| p.as_os_str() != "-");
        crate::locate::context(
            &report,
            &crate::locate::Origins {
                manifests: names.iter().map(String::as_str).zip(&manifests).collect(),
                policy: args.policy.as_deref(),
                fallback: args.policy.as_deref().or(first.map(PathBuf::as_path)),
            },
        )
    })?;
    let exit = written.unwrap_or(exit);
    // The process ends now: freeing millions of entries one by one would
    // only delay the exit.
    std::mem::forget(report);
    std::mem::forget(manifests);
    Ok(exit)
}
