//! Command-line arguments. Turned into library options by the commands;
//! nothing below the binary sees a flag.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above --fail-on (default: error)
  1  drift found at or above --fail-on
  2  usage, configuration or input error (bad flag, malformed manifest or drift.toml)
  3  collection incomplete: a source could not be read; the gate fails closed";

/// clap's message for a bad value or an unknown argument, without the
/// value: clap quotes what it did not accept (`--jobs <token>`,
/// `--db-password=<pw>`), and a secret pasted there must not reach a log.
/// `None` for other errors, which quote nothing given.
pub fn usage_error_without_values(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join(", ")),
        _ => None,
    };
    let arg = text(ContextKind::InvalidArg).unwrap_or_default();
    let mut out = match e.kind() {
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let mut m = format!("error: invalid value for '{arg}' (the value given is not shown)");
            if let Some(valid) = text(ContextKind::ValidValue) {
                m.push_str(&format!("; possible values: {valid}"));
            }
            m
        }
        ErrorKind::UnknownArgument => {
            // A flag's name is shown, never what follows `=`, nor a word
            // that is not a flag.
            let name = arg.split('=').next().unwrap_or_default();
            let flag = name.starts_with('-')
                && name.len() <= 64
                && name[..]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            let mut m = if flag {
                format!("error: unexpected argument '{name}'")
            } else {
                "error: unexpected argument (not shown)".to_owned()
            };
            if let Some(s) = text(ContextKind::SuggestedArg) {
                m.push_str(&format!("; did you mean '{s}'?"));
            }
            m
        }
        _ => return None,
    };
    out.push_str("\n\nFor more information, try '--help'.");
    Some(out)
}

/// drift: snapshot dev, staging and production, and report where they
/// drifted apart before a deploy.
#[derive(Debug, Parser)]
#[command(name = "drift", version, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Snapshot one environment into a manifest.
    #[command(after_help = EXIT_CODES)]
    Snapshot(Box<SnapshotArgs>),
    /// Compare two or more manifests.
    #[command(after_help = EXIT_CODES)]
    Diff(DiffArgs),
    /// Collect every environment of a drift.toml and compare them: the CI gate.
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// Show every rule, waiver, baseline entry, secret rule and default that applies to a key.
    Explain(ExplainArgs),
    /// Write a commented drift.toml for this repository, from what it holds.
    Init(InitArgs),
    /// Print a shell completion script to standard output.
    Completions(CompletionsArgs),
    /// Print drift's man page (roff) to standard output, or a subcommand's.
    Man(ManArgs),
}

/// `drift man`.
#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// The subcommand whose page to print (`drift-diff(1)`) [default: drift(1)].
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

/// `drift init`.
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Where to write the drift.toml (refused if it exists).
    #[arg(long, short, value_name = "FILE", default_value = "drift.toml")]
    pub output: PathBuf,
}

/// `drift completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The shells `drift completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
    /// PowerShell.
    Powershell,
}

/// `drift explain`.
#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// The key path (`env:PAYMENT_TIMEOUT_MS`, `config:app.yaml:pool.size`).
    #[arg(value_name = "KEY")]
    pub key: String,
    /// The drift.toml to read.
    #[arg(long, short, value_name = "FILE", default_value = "drift.toml")]
    pub config: PathBuf,
    /// A manifest: say whether the key's value is hidden in it, and by which judgement (repeatable).
    #[arg(long = "manifest", value_name = "FILE")]
    pub manifests: Vec<PathBuf>,
    /// A baseline file whose entries apply [default: drift.toml's `baseline`].
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// `--secret` and `--public` as `check` would be given them.
    #[command(flatten)]
    pub secret_globs: SecretArgs,
}

/// Report formats (docs/reports.md). Adding one is a variant here and an
/// arm in `output::renderer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Grouped text for people.
    Text,
    /// The documented JSON report (`drift-report/1`).
    Json,
    /// GitHub-flavoured Markdown for CI summaries and merge-request comments.
    Markdown,
    /// One self-contained HTML page with the parity matrix.
    Html,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML, for the test reports of CI systems.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
}

/// Severity thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail on any finding.
    Info,
    /// Fail on warnings and errors.
    Warning,
    /// Fail on errors only.
    Error,
}

/// When to colour the text report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When standard output is a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// How the report is shown.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 1 when a finding is at or above this severity [default: error, or drift.toml's `fail_on`].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Colour the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Also write the report in FORMAT to PATH, atomically (repeatable): `--report sarif=drift.sarif`.
    #[arg(long = "report", value_name = "FORMAT=PATH")]
    pub reports: Vec<String>,
}

/// `drift snapshot`.
#[derive(Debug, Clone, Args)]
pub struct SnapshotArgs {
    /// The environment's name (dev, staging, prod).
    #[arg(long, value_name = "NAME")]
    pub env: String,
    /// A dotenv file to read (repeatable; later files override earlier ones).
    #[arg(long, value_name = "FILE")]
    pub dotenv: Vec<PathBuf>,
    /// A configuration directory to walk, optionally named: `[NAME=]DIR` (repeatable).
    #[arg(long = "config-dir", value_name = "[NAME=]DIR")]
    pub config_dirs: Vec<String>,
    /// Include this process's environment variables.
    #[arg(long)]
    pub process_env: bool,
    /// A package database, lockfile, or directory searched for them (repeatable; `/` reads the OS package databases).
    #[arg(long = "packages", value_name = "PATH")]
    pub packages: Vec<PathBuf>,
    /// Kubernetes manifests: a YAML or JSON file, a folder of them, or `-` for standard input (repeatable): `kubectl get … -o yaml`, `helm template`, `kustomize build`.
    #[arg(long = "kube-manifests", value_name = "PATH")]
    pub kube_manifests: Vec<PathBuf>,
    /// The namespace of --kube-manifests objects that name none [default: `default`].
    #[arg(long, value_name = "NS")]
    pub kube_namespace: Option<String>,
    /// Record --kube-manifests objects of namespace FROM under TO (repeatable): `shop-prod=shop`.
    #[arg(long = "kube-namespace-map", value_name = "FROM=TO")]
    pub kube_namespace_map: Vec<String>,
    /// Strip PREFIX from --kube-manifests object names, the references to them and the labels naming the app (repeatable): `prod-`.
    #[arg(
        long = "kube-strip-prefix",
        value_name = "PREFIX",
        allow_hyphen_values = true
    )]
    pub kube_strip_prefixes: Vec<String>,
    /// Strip SUFFIX from --kube-manifests object names, the references to them and the labels naming the app (repeatable): `-prod`.
    #[arg(
        long = "kube-strip-suffix",
        value_name = "SUFFIX",
        allow_hyphen_values = true
    )]
    pub kube_strip_suffixes: Vec<String>,
    /// Also record --kube-manifests objects a controller owns (a Deployment's ReplicaSets and Pods, a CronJob's Jobs), left out by default as their owner is recorded.
    #[arg(long)]
    pub kube_keep_owned: bool,
    /// Record runtime versions (node, python3, java, nginx, openssl, …), the OS release and the kernel.
    #[arg(long)]
    pub runtimes: bool,
    /// Record host resources: CPU count, memory, cgroup limits, open-file limit, sysctls.
    #[arg(long)]
    pub host_facts: bool,
    /// The container image digest to record with --host-facts.
    #[arg(long, value_name = "DIGEST", requires = "host_facts")]
    pub image_digest: Option<String>,
    /// A live database schema: `postgres://…`, `mysql://…`, `sqlite://PATH` (repeatable).
    #[arg(long = "schema", value_name = "URL")]
    pub schema: Vec<String>,
    /// A schema file: `pg_dump --schema-only`, `mysqldump --no-data`, SQLite DDL (repeatable); `FILE:postgres`, `FILE:mysql` or `FILE:sqlite` gives its dialect.
    #[arg(long = "schema-file", value_name = "FILE[:DIALECT]")]
    pub schema_files: Vec<PathBuf>,
    /// The dialect of the --schema-file files that do not give their own: `postgres`, `mysql` or `sqlite` (guessed from the content when absent).
    #[arg(long = "schema-file-dialect", value_name = "DIALECT", value_parser = ["postgres", "mysql", "sqlite"])]
    pub schema_file_dialect: Option<String>,
    /// The variable holding the database password of the --schema URLs.
    #[arg(long, value_name = "VAR")]
    pub schema_password_env: Option<String>,
    /// Mark the manifest as a release: the code about to ship, compared
    /// one way with the environment it ships to (docs/readiness.md).
    #[arg(long)]
    pub release: bool,
    /// A release's migrations folder: ids and checksums as the tool
    /// writes them into its history table (repeatable).
    #[arg(long = "migrations", value_name = "DIR", requires = "release")]
    pub migrations: Vec<PathBuf>,
    /// The migration tool (default: detected from the layout): flyway,
    /// golang-migrate, sqlx, goose, dbmate, knex, diesel, rails, alembic,
    /// django, atlas, liquibase.
    #[arg(long, value_name = "TOOL", requires = "migrations")]
    pub migrations_tool: Option<String>,
    /// The tool's history table (default: the tool's own).
    #[arg(long, value_name = "NAME", requires = "migrations")]
    pub migrations_table: Option<String>,
    /// The schema label the migrations are keyed under (default: the
    /// engine their SQL is written for, as a live database's label).
    #[arg(long, value_name = "LABEL", requires = "migrations")]
    pub schema_label: Option<String>,
    /// Record database owners and grants too.
    #[arg(long)]
    pub include_grants: bool,
    /// Read only the PostgreSQL schemas matching GLOB (repeatable; all by default).
    #[arg(long = "schema-include", value_name = "GLOB")]
    pub schema_include: Vec<String>,
    /// Leave out the PostgreSQL schemas matching GLOB (repeatable); they are named in the coverage.
    #[arg(long = "schema-exclude", value_name = "GLOB")]
    pub schema_exclude: Vec<String>,
    /// The environment of the running process of this name (`/proc/PID/environ`).
    #[arg(long, value_name = "NAME")]
    pub process_env_of: Option<String>,
    /// The environment of the process whose pid is in FILE.
    #[arg(long, value_name = "FILE")]
    pub process_env_pidfile: Option<PathBuf>,
    /// Snapshot a remote host instead of this machine: `ssh://[user@]host[:port]`.
    #[arg(long, value_name = "TARGET")]
    pub host: Option<String>,
    /// The host's name recorded in the manifest, which tells a fleet's manifests apart [default: the --host target's host, or this machine's name].
    #[arg(long, value_name = "NAME")]
    pub host_name: Option<String>,
    /// How remote hosts are reached.
    #[command(flatten)]
    pub ssh: SshArgs,
    /// Write the manifest to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Which keys are secret, beyond drift's own judgement.
    #[command(flatten)]
    pub secret_globs: SecretArgs,
    /// Files larger than this many bytes are not read (at most 1 GiB).
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..=1 << 30))]
    pub max_file_size: Option<u64>,
    /// Follow symbolic links in configuration directories.
    #[arg(long)]
    pub follow_symlinks: bool,
    /// No progress bars on standard error (they are drawn only on a terminal, and never when `CI` is set).
    #[arg(long, short)]
    pub quiet: bool,
}

/// `drift diff`.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// Manifests written by `drift snapshot` (two or more; `-` reads standard input once); with --fleet, a folder means its `*.json` files, and a quoted glob (`'fleet/*.json'`) is expanded by drift.
    #[arg(value_name = "MANIFEST", num_args = 1.., required = true)]
    pub manifests: Vec<PathBuf>,
    /// Manifests of one environment name are that environment's hosts (a fleet collected elsewhere): outliers among its hosts, then the environments compared.
    #[arg(long)]
    pub fleet: bool,
    /// No progress bar on standard error while many manifests are read (drawn only on a terminal, and never when `CI` is set).
    #[arg(long, short)]
    pub quiet: bool,
    /// A drift.toml whose rules and waivers apply.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Manifests larger than this many bytes are refused (default 1 GiB).
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_manifest_size: Option<u64>,
    /// How the report is shown.
    #[command(flatten)]
    pub report: ReportArgs,
    /// Accepting today's drift.
    #[command(flatten)]
    pub baseline: BaselineArgs,
}

/// `--baseline` and `--write-baseline`: accept today's drift, fail on new
/// drift only (docs/cli.md#baselines).
#[derive(Debug, Clone, Default, Args)]
pub struct BaselineArgs {
    /// Accept the findings recorded in this baseline file [default: drift.toml's `baseline`].
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write every current finding to FILE as a baseline, and exit 0 (3 if collection was incomplete).
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// When written entries expire: a date (YYYY-MM-DD) or a number of days [default: 90].
    #[arg(long, value_name = "DATE|DAYS", requires = "write_baseline")]
    pub baseline_expires: Option<String>,
    /// Replace the file --write-baseline names if it exists.
    #[arg(long, requires = "write_baseline")]
    pub overwrite_baseline: bool,
}

/// `drift check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The drift.toml to read.
    #[arg(long, short, value_name = "FILE", default_value = "drift.toml")]
    pub config: PathBuf,
    /// Only these environments (repeatable; default: all, in drift.toml's order).
    #[arg(long = "env", value_name = "NAME")]
    pub envs: Vec<String>,
    /// Also write each snapshot to DIR/ENV.json.
    #[arg(long, value_name = "DIR")]
    pub save_manifests: Option<PathBuf>,
    /// How many hosts to collect at once (1 to 1024) [default: drift.toml's `jobs`, or 8].
    #[arg(long, short, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
    /// Let drift.toml read this variable as a password (`password_env`) besides `DRIFT_*` ones (repeatable; also `DRIFT_ALLOW_SECRET_ENV=A,B`).
    #[arg(long = "allow-secret-env", value_name = "NAME")]
    pub allow_secret_env: Vec<String>,
    /// Let drift.toml read this file as a password (`password_file`) besides files in its folder (repeatable; also `DRIFT_ALLOW_SECRET_FILE=A,B`).
    #[arg(long = "allow-secret-file", value_name = "PATH")]
    pub allow_secret_file: Vec<PathBuf>,
    /// No progress on standard error.
    #[arg(long, short)]
    pub quiet: bool,
    /// How remote hosts are reached.
    #[command(flatten)]
    pub ssh: SshArgs,
    /// Which keys are secret, beyond drift's own judgement and drift.toml's.
    #[command(flatten)]
    pub secret_globs: SecretArgs,
    /// How the report is shown.
    #[command(flatten)]
    pub report: ReportArgs,
    /// Accepting today's drift.
    #[command(flatten)]
    pub baseline: BaselineArgs,
}

/// `--secret` and `--public`: the person running drift decides, over every
/// judgement (a drift.toml's `[secrets] public` can only un-hide what a
/// name hid).
#[derive(Debug, Clone, Default, Args)]
pub struct SecretArgs {
    /// Treat keys matching GLOB as secret (repeatable).
    #[arg(long = "secret", value_name = "GLOB")]
    pub secrets: Vec<String>,
    /// Never hide keys matching GLOB, whatever their name or value looks like (repeatable).
    #[arg(long = "public", value_name = "GLOB")]
    pub public: Vec<String>,
}

/// SSH settings (they add to drift.toml's `[ssh]`).
#[derive(Debug, Clone, Args)]
pub struct SshArgs {
    /// An identity file to log in with (repeatable; the ssh agent is tried first).
    #[arg(long = "identity", value_name = "FILE")]
    pub identity: Vec<PathBuf>,
    /// The known_hosts file host keys are checked against [default: ~/.ssh/known_hosts].
    #[arg(long, value_name = "FILE")]
    pub known_hosts: Option<PathBuf>,
    /// Record the key of a host seen for the first time (trust on first use; also `DRIFT_ACCEPT_NEW_HOST_KEYS=1`, and drift.toml's `accept_new_host_keys` needs one of the two). A changed key is always refused.
    #[arg(long)]
    pub accept_new_host_keys: bool,
    /// The ssh config file [default: ~/.ssh/config].
    #[arg(long, value_name = "FILE")]
    pub ssh_config: Option<PathBuf>,
}
