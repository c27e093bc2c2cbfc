//! drift.toml: environments, settings, secrets, rules and waivers.
//!
//! Loading validates everything: an unknown key, a wrong type or an invalid
//! value is an error naming the file and line, with a suggestion where one
//! fits. Relative paths resolve against the drift.toml's folder.

mod error;
mod load;
mod raw;

use std::path::PathBuf;

use drift_core::{Policy, Severity};

pub use error::closest as error_closest;
pub use error::{line_of, without_values};
pub use load::load;
// The fuzz target `drift_toml` compiles this module (`cargo fuzz` sets
// `--cfg fuzzing`) and reads texts without files.
#[cfg(any(test, fuzzing))]
pub use load::parse;

/// A loaded and validated drift.toml.
#[derive(Debug)]
pub struct Config {
    /// Where it was read from.
    pub path: PathBuf,
    /// General settings.
    pub settings: Settings,
    /// Extra secret and public key globs.
    pub secrets: SecretGlobs,
    /// The environments, in the order written (dev → staging → prod).
    pub environments: Vec<EnvConfig>,
    /// Rules and waivers.
    pub policy: Policy,
    /// How remote hosts are reached.
    pub ssh: SshSettings,
}

/// `[ssh]`: how remote hosts are reached (flags add to it).
#[derive(Debug, Clone, Default)]
pub struct SshSettings {
    /// Identity files tried after the agent.
    pub identity_files: Vec<PathBuf>,
    /// The known_hosts file (default: the user's).
    pub known_hosts: Option<PathBuf>,
    /// Record unknown host keys (trust on first use) instead of refusing them.
    pub accept_new_host_keys: bool,
    /// The ssh config file (default: the user's).
    pub config_file: Option<PathBuf>,
    /// Seconds to wait for a connection.
    pub connect_timeout: Option<u64>,
    /// Seconds to wait for each operation.
    pub operation_timeout: Option<u64>,
}

/// A schema source of an environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaSpec {
    /// A live database, or a schema file.
    pub target: SchemaTarget,
    /// The label of its keys (default: the engine).
    pub name: Option<String>,
    /// The variable holding the password.
    pub password_env: Option<String>,
    /// The file holding the password.
    pub password_file: Option<PathBuf>,
    /// Reach the database through this SSH host.
    pub via: Option<String>,
    /// The PostgreSQL schemas read: globs; all when empty.
    pub schema_include: Vec<String>,
    /// The PostgreSQL schemas left out: globs.
    pub schema_exclude: Vec<String>,
    /// TLS settings over the URL's.
    pub tls: SchemaTls,
    /// Where it was written: the drift.toml line, or `None` for flags. A
    /// source given by flags is the user's own: its password variable needs
    /// no allowing (see [`crate::allow`]).
    pub line: Option<usize>,
}

/// Where a schema comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaTarget {
    /// `postgres://…`, `mysql://…`, `sqlite://PATH`.
    Url(String),
    /// A schema file, with its dialect when given.
    File(PathBuf, Option<String>),
}

/// The TLS settings of a schema source in drift.toml (`tls`, `tls_ca`,
/// `tls_cert`, `tls_key`); they win over the URL's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaTls {
    /// The mode.
    pub mode: Option<drift_collectors::schema::TlsMode>,
    /// The CA file, or `system`.
    pub ca: Option<PathBuf>,
    /// The client certificate and its key.
    pub client: Option<(PathBuf, PathBuf)>,
}

/// `[settings]`.
#[derive(Debug, Default)]
pub struct Settings {
    /// The default `--fail-on`.
    pub fail_on: Option<Severity>,
    /// A file holding the fingerprint key.
    pub fingerprint_key_file: Option<PathBuf>,
    /// The drift.toml line of `fingerprint_key_file`.
    pub fingerprint_key_line: Option<usize>,
    /// Files larger than this are not read.
    pub max_file_size: Option<u64>,
    /// Hosts collected at once.
    pub jobs: Option<usize>,
    /// Follow symlinks in config dirs.
    pub follow_symlinks: bool,
    /// The baseline file to apply (resolved against the drift.toml's
    /// folder; it must stay inside it, see [`crate::baseline`]).
    pub baseline: Option<PathBuf>,
    /// The drift.toml line of `baseline`.
    pub baseline_line: Option<usize>,
}

/// `[secrets]`.
#[derive(Debug, Default, Clone)]
pub struct SecretGlobs {
    /// Also secret.
    pub keys: Vec<String>,
    /// Not secret by name (a drift.toml's `[secrets] public`).
    pub public: Vec<String>,
    /// Not secret, whatever any judgement says (the command line's
    /// `--public`: only the person running drift may say so).
    pub overriding_public: Vec<String>,
}

/// One environment's sources.
#[derive(Debug, Clone)]
pub struct EnvConfig {
    /// Its name.
    pub name: String,
    /// What to collect.
    pub sources: Sources,
}

/// What to collect in one environment (from drift.toml or from flags).
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Dotenv files, in order.
    pub dotenv: Vec<PathBuf>,
    /// Config directories.
    pub config_dirs: Vec<ConfigDir>,
    /// Include the process environment.
    pub process_env: bool,
    /// Package databases, lockfiles, or directories searched for them.
    pub packages: Vec<PathBuf>,
    /// Record runtime versions.
    pub runtimes: bool,
    /// Record host resources.
    pub host_facts: bool,
    /// The container image digest recorded with host facts.
    pub image_digest: Option<String>,
    /// Database schemas.
    pub schema: Vec<SchemaSpec>,
    /// Record owners and grants too.
    pub include_grants: bool,
    /// The environment of the running process of this name.
    pub process_env_of: Option<String>,
    /// The environment of the process whose pid is in this file.
    pub process_env_pidfile: Option<PathBuf>,
    /// Remote hosts (`ssh://user@host:port`); none: the local machine.
    pub hosts: Vec<String>,
    /// A release rather than an environment (`role = "release"`).
    pub release: bool,
    /// A release's migration folders.
    pub migrations: Vec<MigrationsSpec>,
    /// Kubernetes manifests: files, folders, or `-` (standard input).
    pub kube_manifests: Vec<PathBuf>,
    /// The namespace of Kubernetes objects that name none.
    pub kube_namespace: Option<String>,
    /// Kubernetes namespaces recorded under another name (FROM, TO): the
    /// environment's own over drift.toml's `[kube] namespace_map`.
    pub kube_namespace_map: Vec<(String, String)>,
    /// Prefixes stripped from Kubernetes object names (`prod-`).
    pub kube_strip_prefixes: Vec<String>,
    /// Suffixes stripped from Kubernetes object names (`-prod`).
    pub kube_strip_suffixes: Vec<String>,
    /// Whether Kubernetes objects a controller owns are recorded too.
    pub kube_keep_owned: bool,
}

/// A release's migrations folder (`--migrations`, `migrations = [...]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationsSpec {
    /// The folder.
    pub dir: PathBuf,
    /// The tool, when given (else detected from the layout).
    pub tool: Option<drift_collectors::schema::MigrationTool>,
    /// The history table, when given.
    pub table: Option<String>,
    /// The schema label the keys are written under.
    pub label: Option<String>,
}

impl Sources {
    /// Whether nothing would be collected.
    pub fn is_empty(&self) -> bool {
        self.dotenv.is_empty()
            && self.config_dirs.is_empty()
            && !self.process_env
            && self.packages.is_empty()
            && !self.runtimes
            && !self.host_facts
            && self.schema.is_empty()
            && self.process_env_of.is_none()
            && self.process_env_pidfile.is_none()
            && self.migrations.is_empty()
            && self.kube_manifests.is_empty()
    }
}

/// A config directory, optionally named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigDir {
    /// The directory.
    pub path: PathBuf,
    /// The prefix of its keys.
    pub name: Option<String>,
}

/// The longest duration setting, in seconds (a day): longer is a typo,
/// and larger numbers overflow clocks.
pub const MAX_SECONDS: u64 = 86_400;

/// The most hosts collected at once.
pub const MAX_JOBS: u64 = 1024;

/// The largest `max_file_size`: 1 GiB (each file is read whole into memory).
pub const MAX_FILE_SIZE: u64 = 1 << 30;

/// Checks a variable name: `[A-Za-z_][A-Za-z0-9_]*`, at most 256 bytes.
pub fn valid_var_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 256
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// Checks an environment name: letters, digits, `-`, `_`, `.`.
pub fn valid_env_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

#[cfg(test)]
mod tests;
