//! `drift check`: collect every environment of a drift.toml, in parallel,
//! and compare them. The CI gate.

use std::path::Path;
use std::time::Instant;

use anyhow::bail;
use drift_collectors::snapshot;
use drift_collectors::transport::Local;
use drift_core::diff::{DiffOptions, Environment, Host, diff};
use drift_core::{Manifest, Sanitizer, Severity};

use crate::cli::CheckArgs;
use crate::exit::Exit;
use crate::jobs::run_bounded;
use crate::output::{Progress, now_rfc3339, print_report, today, use_color, write_atomically};
use crate::settings::{self, Config, EnvConfig, error_closest};
use crate::sources::{CollectOptions, collectors, process_env};

/// Hosts collected at once when neither flag nor drift.toml says.
const DEFAULT_JOBS: usize = 8;

/// The environments to check, in drift.toml's order.
fn select<'c>(config: &'c Config, wanted: &[String]) -> anyhow::Result<Vec<&'c EnvConfig>> {
    if config.environments.is_empty() {
        bail!(
            "`{}` declares no environments: add [environments.NAME] tables",
            config.path.display()
        );
    }
    for w in wanted {
        if !config.environments.iter().any(|e| &e.name == w) {
            let known: Vec<&str> = config
                .environments
                .iter()
                .map(|e| e.name.as_str())
                .collect();
            let hint = error_closest(w, known.iter().copied())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            bail!(
                "`{}` declares no environment `{w}` (it declares: {}){hint}",
                config.path.display(),
                known.join(", ")
            );
        }
    }
    let selected: Vec<&EnvConfig> = config
        .environments
        .iter()
        .filter(|e| wanted.is_empty() || wanted.contains(&e.name))
        .collect();
    if selected.len() < 2 {
        bail!("nothing to compare: `drift check` needs at least two environments");
    }
    Ok(selected)
}

/// One environment's snapshots.
struct Collected {
    name: String,
    hosts: Vec<(String, Manifest)>,
}

/// Runs `drift check`.
pub fn run(args: CheckArgs) -> anyhow::Result<Exit> {
    let config = settings::load(&args.config)?;
    let selected = select(&config, &args.envs)?;
    let key = std::env::var(crate::sanitizer::KEY_VAR).ok();
    let sanitizer = crate::sanitizer::sanitizer(
        key.as_deref(),
        config.settings.fingerprint_key_file.as_deref(),
        &config.secrets,
    )?;
    let wants_process_env = selected.iter().any(|e| e.sources.process_env);
    let options = CollectOptions {
        max_file_size: config.settings.max_file_size,
        follow_symlinks: config.settings.follow_symlinks,
        process_env: if wants_process_env {
            process_env()
        } else {
            Vec::new()
        },
        fingerprinter: sanitizer.fingerprinter().clone(),
    };
    let jobs = args.jobs.or(config.settings.jobs).unwrap_or(DEFAULT_JOBS);
    if jobs == 0 {
        bail!("--jobs must be at least 1");
    }
    let progress = Progress::new(args.quiet);
    let created_at = now_rfc3339();

    let tasks: Vec<Box<dyn FnOnce() -> Collected + Send + '_>> = selected
        .iter()
        .map(|env| {
            let (options, sanitizer, created_at) = (&options, &sanitizer, &created_at);
            Box::new(move || collect_env(env, options, sanitizer.clone(), created_at, progress))
                as Box<dyn FnOnce() -> Collected + Send>
        })
        .collect();
    let collected = run_bounded(jobs, tasks);

    if let Some(dir) = &args.save_manifests {
        save(dir, &collected)?;
    }
    let envs: Vec<Environment<'_>> = collected
        .iter()
        .map(|c| Environment {
            name: &c.name,
            hosts: c
                .hosts
                .iter()
                .map(|(h, m)| Host {
                    name: h,
                    manifest: m,
                })
                .collect(),
        })
        .collect();
    let options = DiffOptions {
        today: Some(today()),
        ..DiffOptions::default()
    };
    let report = diff(&envs, &config.policy, &options)?;
    let fail_on = args
        .report
        .fail_on
        .map(crate::fail_on)
        .or(config.settings.fail_on)
        .unwrap_or(Severity::Error);
    let color = use_color(
        args.report.color,
        std::env::var("NO_COLOR").ok().as_deref(),
        std::env::var("TERM").ok().as_deref(),
    );
    print_report(&report, args.report.format, fail_on, color)?;
    let exit = report.outcome(fail_on).into();
    // The process ends now: freeing every snapshot would only delay the exit.
    std::mem::forget(report);
    drop(envs);
    std::mem::forget(collected);
    Ok(exit)
}

fn collect_env(
    env: &EnvConfig,
    options: &CollectOptions,
    sanitizer: Sanitizer,
    created_at: &str,
    progress: Progress,
) -> Collected {
    let started = Instant::now();
    progress.line(&format!("  collecting {} …", env.name));
    let manifest = snapshot(
        &env.name,
        &Local::new(),
        &collectors(&env.sources, options),
        sanitizer,
        Some(created_at.to_owned()),
    );
    let status = if manifest.errors.is_empty() {
        "✓".to_owned()
    } else {
        format!("✗ {} error(s)", manifest.errors.len())
    };
    progress.line(&format!(
        "  {status} {}: {} entries in {:.1} s",
        env.name,
        drift_core_thousands(manifest.len()),
        started.elapsed().as_secs_f64()
    ));
    Collected {
        name: env.name.clone(),
        hosts: vec![(env.name.clone(), manifest)],
    }
}

fn drift_core_thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn save(dir: &Path, collected: &[Collected]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create `{}`: {e}", dir.display()))?;
    for c in collected {
        for (host, m) in &c.hosts {
            let file = if c.hosts.len() == 1 {
                dir.join(format!("{}.json", c.name))
            } else {
                dir.join(format!("{}@{}.json", c.name, host.replace(['/', ':'], "_")))
            };
            write_atomically(&file, |w| m.write_to(w))?;
        }
    }
    Ok(())
}
