//! `drift diff`: compare manifests.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use drift_core::diff::{DiffOptions, Environment, Host};
use drift_core::{Manifest, Policy};
use rayon::prelude::*;

use crate::cli::DiffArgs;
use crate::exit::Exit;
use crate::output::{show_report, today};

/// Reads one manifest (`-` for standard input), of at most `max_bytes`.
fn read_manifest(path: &Path, max_bytes: u64) -> anyhow::Result<Manifest> {
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
    let names = by_file(manifests, paths);
    names
        .iter()
        .enumerate()
        .map(
            |(i, name)| match names[..i].iter().filter(|n| *n == name).count() {
                0 => name.clone(),
                earlier => format!("{name}#{}", earlier + 1),
            },
        )
        .collect()
}

fn by_file(manifests: &[Manifest], paths: &[PathBuf]) -> Vec<String> {
    manifests
        .iter()
        .zip(paths)
        .map(|(m, p)| {
            let shared = manifests
                .iter()
                .filter(|o| o.environment == m.environment)
                .count()
                > 1;
            if shared {
                format!("{}@{}", m.environment, p.display())
            } else {
                m.environment.clone()
            }
        })
        .collect()
}

/// Runs `drift diff`.
pub fn run(args: DiffArgs) -> anyhow::Result<Exit> {
    if args
        .manifests
        .iter()
        .filter(|p| p.as_os_str() == "-")
        .count()
        > 1
    {
        bail!("standard input (`-`) can be read only once");
    }
    let (policy, config_fail_on) = match &args.policy {
        Some(path) => {
            let config = crate::settings::load(path)?;
            (config.policy, config.settings.fail_on)
        }
        None => (Policy::default(), None),
    };
    let manifests: Vec<Manifest> = args
        .manifests
        .par_iter()
        .map(|p| {
            read_manifest(
                p,
                args.max_manifest_size
                    .unwrap_or(drift_core::manifest::DEFAULT_MAX_MANIFEST_SIZE),
            )
        })
        .collect::<anyhow::Result<_>>()?;
    let names = names(&manifests, &args.manifests);
    let envs: Vec<Environment<'_>> = manifests
        .iter()
        .zip(&names)
        .map(|(m, n)| Environment {
            name: n,
            hosts: vec![Host {
                name: n,
                manifest: m,
            }],
        })
        .collect();
    let options = DiffOptions {
        today: Some(today()),
        ..DiffOptions::default()
    };
    let report = drift_collectors::schema::diff_with_implicit_rules(&envs, &policy, &options)?;
    let exit = show_report(&report, &args.report, config_fail_on)?;
    // The process ends now: freeing millions of entries one by one would
    // only delay the exit.
    std::mem::forget(report);
    std::mem::forget(manifests);
    Ok(exit)
}
