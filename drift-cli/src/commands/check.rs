//! `drift check`: collect every environment of a drift.toml, in parallel,
//! and compare them. The CI gate.

use std::path::Path;
use std::time::Instant;

use anyhow::bail;
use drift_core::Manifest;
use drift_core::diff::{DiffOptions, Environment, Host};
use drift_core::report::{Report, ReportError};

use crate::allow::SecretAllow;
use crate::cli::CheckArgs;
use crate::collect::{Snap, collect_target};
use crate::exit::Exit;
use crate::jobs::{Task, run_bounded};
use crate::output::{Progress, now_rfc3339, show_report, today, write_atomically};
use crate::settings::{self, Config, EnvConfig, error_closest};
use crate::sources::{CollectOptions, ResolvedSchema, process_env, resolve_schema};
use crate::targets::{LoginEnv, host_label, merge, ssh_options};

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
            // A name that could not be an environment's is not shown back.
            let shown = if crate::settings::valid_env_name(w) {
                format!(" `{w}`")
            } else {
                String::new()
            };
            bail!(
                "`{}` declares no environment{shown} (it declares: {}){hint}",
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
    let hosts = plan_len(&selected);
    if selected.len() < 2 && hosts < 2 {
        bail!(
            "nothing to compare: `drift check` needs two environments, or one environment with several hosts"
        );
    }
    Ok(selected)
}

/// How many hosts (or local environments) a run collects.
fn plan_len(selected: &[&EnvConfig]) -> usize {
    selected.iter().map(|e| e.sources.hosts.len().max(1)).sum()
}

/// One environment's snapshots: (host label, snapshot).
struct Collected {
    name: String,
    hosts: Vec<(String, Snap)>,
}

/// Runs `drift check`.
pub fn run(args: CheckArgs) -> anyhow::Result<Exit> {
    crate::output::report_files(&args.report)?;
    let config = settings::load(&args.config)?;
    let selected = select(&config, &args.envs)?;
    let key = std::env::var(crate::sanitizer::KEY_VAR).ok();
    let mut globs = config.secrets.clone();
    globs.keys.extend(args.secret_globs.secrets.iter().cloned());
    globs.overriding_public = args.secret_globs.public.clone();
    let sanitizer = crate::sanitizer::sanitizer(
        key.as_deref(),
        config
            .settings
            .fingerprint_key_file
            .as_deref()
            .map(|f| (f, config.settings.fingerprint_key_line)),
        &globs,
    )?;
    let allow = SecretAllow::new(
        &config.path,
        &args.allow_secret_env,
        &args.allow_secret_file,
        config.settings.fingerprint_key_file.as_deref(),
        &|k| std::env::var_os(k),
    );
    let schemas: Vec<Vec<ResolvedSchema>> = selected
        .iter()
        .map(|e| resolve_schema(&e.sources.schema, &allow))
        .collect::<anyhow::Result<_>>()?;
    let wants_process_env = selected
        .iter()
        .any(|e| e.sources.process_env && e.sources.hosts.is_empty());
    let ssh = merge(&config.ssh, &args.ssh, &|k| std::env::var_os(k))?;
    let options = CollectOptions {
        max_file_size: config.settings.max_file_size,
        follow_symlinks: config.settings.follow_symlinks,
        process_env: if wants_process_env {
            process_env()
        } else {
            Vec::new()
        },
        fingerprinter: sanitizer.fingerprinter().clone(),
        ssh: ssh_options(&ssh, &LoginEnv::from_process()),
    };
    let jobs = args
        .jobs
        .map(usize::from)
        .or(config.settings.jobs)
        .unwrap_or(DEFAULT_JOBS);
    if jobs == 0 {
        bail!("--jobs must be at least 1");
    }
    let progress = Progress::new(args.quiet);
    let bars =
        crate::bars::wanted_here(args.quiet).then(|| crate::bars::Bars::new(plan_len(&selected)));
    let bars = bars.as_ref();
    let say = |line: &str| match bars {
        Some(b) => b.println(line),
        None => progress.line(line),
    };
    let no_progress = drift_collectors::progress::NoProgress;
    let created_at = now_rfc3339();

    // One task per host (or per local environment), at most `jobs` at once.
    let mut plan: Vec<(usize, Option<&str>)> = Vec::new();
    for (i, env) in selected.iter().enumerate() {
        if env.sources.hosts.is_empty() {
            plan.push((i, None));
        } else {
            plan.extend(env.sources.hosts.iter().map(|h| (i, Some(h.as_str()))));
        }
    }
    let tasks: Vec<Task<'_, Snap>> = plan
        .iter()
        .map(|&(i, host)| {
            let (env, schema) = (selected[i], &schemas[i]);
            let (options, sanitizer, created_at) = (&options, &sanitizer, &created_at);
            let (say, no_progress) = (&say, &no_progress);
            Box::new(move || {
                let started = Instant::now();
                let where_ = host.map_or_else(
                    || env.name.clone(),
                    |h| format!("{}/{}", env.name, host_label(h)),
                );
                say(&format!("  collecting {where_} …"));
                let host_bars = bars.map(|b| b.host(Some(&where_)));
                let host_name = crate::targets::default_host_name(host);
                let snap = collect_target(
                    &env.name,
                    host,
                    &env.sources,
                    schema,
                    options,
                    sanitizer.clone(),
                    created_at,
                    &drift_collectors::SnapshotOptions {
                        host_name: host_name.as_deref(),
                        progress: match &host_bars {
                            Some(b) => b,
                            None => no_progress,
                        },
                        role: if env.sources.release {
                            drift_core::Role::Release
                        } else {
                            drift_core::Role::Environment
                        },
                    },
                );
                say(&status_line(&where_, &snap, started));
                if let Some(b) = bars {
                    b.host_done();
                }
                snap
            }) as Task<'_, Snap>
        })
        .collect();
    let mut snaps = run_bounded(jobs, tasks).into_iter();
    if let Some(b) = bars {
        b.clear();
    }
    let mut collected: Vec<Collected> = selected
        .iter()
        .map(|e| Collected {
            name: e.name.clone(),
            hosts: Vec::new(),
        })
        .collect();
    for &(i, host) in &plan {
        if let Some(snap) = snaps.next() {
            let label = host.map_or_else(|| selected[i].name.clone(), host_label);
            collected[i].hosts.push((label, snap));
        }
    }

    if let Some(dir) = &args.save_manifests {
        save(dir, &collected)?;
    }
    let today = today();
    let keep_ignored = crate::output::wants_ignored(&args.report);
    let mut report = compare(&collected, &config, &today, keep_ignored)?;
    let written = crate::baseline::settle(
        &args.baseline,
        Some(&config),
        &mut report,
        || Ok(sanitizer.fingerprinter().clone()),
        today,
    )?;
    let exit = show_report(&report, &args.report, config.settings.fail_on, || {
        // Each environment's first snapshot under its name, and each host's
        // under its label.
        let mut manifests: Vec<(&str, &Manifest)> = Vec::new();
        for c in &collected {
            for (label, snap) in &c.hosts {
                if !manifests.iter().any(|(n, _)| *n == c.name) {
                    manifests.push((&c.name, &snap.manifest));
                }
                manifests.push((label, &snap.manifest));
            }
        }
        crate::locate::context(
            &report,
            &crate::locate::Origins {
                manifests,
                policy: Some(&config.path),
                fallback: Some(&config.path),
            },
        )
    })?;
    let exit = written.unwrap_or(exit);
    // The process ends now: freeing every snapshot would only delay the exit.
    std::mem::forget(report);
    std::mem::forget(collected);
    Ok(exit)
}

/// Compares what was reached. Hosts that could not be reached are left out
/// (an empty snapshot would report every key missing), and their errors are
/// added to the report, which is then incomplete.
fn compare(
    collected: &[Collected],
    config: &Config,
    today: &drift_core::Date,
    keep_ignored: bool,
) -> anyhow::Result<Report> {
    let envs: Vec<Environment<'_>> = collected
        .iter()
        .map(|c| Environment {
            name: &c.name,
            hosts: c
                .hosts
                .iter()
                .filter(|(_, s)| s.reached)
                .map(|(h, s)| Host {
                    name: h,
                    manifest: &s.manifest,
                })
                .collect(),
        })
        .filter(|e| !e.hosts.is_empty())
        .collect();
    let unreached: Vec<ReportError> = collected
        .iter()
        .flat_map(|c| {
            c.hosts
                .iter()
                .filter(|(_, s)| !s.reached)
                .flat_map(move |(_, s)| {
                    s.manifest.errors.iter().map(move |e| ReportError {
                        environment: c.name.clone(),
                        target: s.manifest.target.clone(),
                        error: e.clone(),
                    })
                })
        })
        .collect();
    let columns: usize = envs.iter().map(|e| e.hosts.len()).sum();
    if columns < 2 {
        // Too little was reached to compare anything: report why.
        return Ok(Report {
            errors: unreached,
            ..Report::default()
        });
    }
    let options = DiffOptions {
        today: Some(*today),
        keep_ignored,
        ..DiffOptions::default()
    };
    let mut report =
        drift_collectors::schema::diff_with_implicit_rules(&envs, &config.policy, &options)?;
    if !unreached.is_empty() {
        report.errors.extend(unreached);
        report.summary.complete = false;
    }
    Ok(report)
}

fn status_line(where_: &str, snap: &Snap, started: Instant) -> String {
    let m: &Manifest = &snap.manifest;
    if !snap.reached {
        let why = m
            .errors
            .first()
            .map(|e| e.message.as_str())
            .unwrap_or_default();
        return format!("  ✗ {where_}: {why}");
    }
    let status = if m.errors.is_empty() {
        "✓".to_owned()
    } else {
        format!("✗ {} error(s),", m.errors.len())
    };
    format!(
        "  {status} {where_}: {} entries in {:.1} s",
        m.len(),
        started.elapsed().as_secs_f64()
    )
}

fn save(dir: &Path, collected: &[Collected]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create `{}`: {e}", dir.display()))?;
    for c in collected {
        for (host, snap) in &c.hosts {
            let file = if c.hosts.len() == 1 {
                dir.join(format!("{}.json", c.name))
            } else {
                dir.join(format!("{}@{}.json", c.name, host.replace(['/', ':'], "_")))
            };
            write_atomically(&file, |w| snap.manifest.write_to(w))?;
        }
    }
    Ok(())
}
