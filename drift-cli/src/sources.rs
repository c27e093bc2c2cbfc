//! From an environment's sources (drift.toml or flags) to collectors.

use drift_collectors::Collector;
use drift_collectors::config::{ConfigCollector, ConfigRoot};
use drift_collectors::env::{EnvCollector, ProcSelector};
use drift_collectors::host::HostCollector;
use drift_collectors::kube::KubeCollector;
use drift_collectors::packages::PackagesCollector;
use drift_collectors::runtime::RuntimeCollector;
use drift_collectors::schema::{
    Dialect, ReleaseMigrations, SchemaCollector, SchemaOptions, SchemaSource,
};
use drift_collectors::transport::{SshOptions, Transport};
use drift_core::{Collection, Fingerprinter};

use crate::allow::SecretAllow;
use crate::settings::{SchemaSpec, SchemaTarget, Sources};

/// Options that apply to every environment.
#[derive(Debug, Clone, Default)]
pub struct CollectOptions {
    /// Files larger than this are not read.
    pub max_file_size: Option<u64>,
    /// Follow symlinks in config dirs.
    pub follow_symlinks: bool,
    /// The process environment, when a source asks for it (without drift's
    /// own variables).
    pub process_env: Vec<(String, String)>,
    /// The fingerprinter for whole secret files (the sanitizer's).
    pub fingerprinter: Fingerprinter,
    /// How SSH hosts (targets and `via` hops) are reached.
    pub ssh: SshOptions,
}

/// A schema source with its password read, ready to collect.
#[derive(Debug, Clone)]
pub struct ResolvedSchema {
    source: SchemaSource,
    via: Option<String>,
}

/// Reads the passwords of schema sources (from the variables and files
/// drift.toml names, as far as `allow` lets it), applies drift.toml's TLS
/// settings and checks the URLs and TLS settings. Errors are input errors
/// (exit 2), before anything is sent; whether a password may go without
/// TLS is decided when connecting (exit 3 if not).
pub fn resolve_schema(
    specs: &[SchemaSpec],
    allow: &SecretAllow,
) -> anyhow::Result<Vec<ResolvedSchema>> {
    let lookup = |k: &str| std::env::var_os(k);
    specs
        .iter()
        .map(|spec| {
            let mut source = match &spec.target {
                SchemaTarget::Url(url) => SchemaSource::url(url)?,
                SchemaTarget::File(path, dialect) => {
                    let s = SchemaSource::file(path.clone());
                    match dialect.as_deref() {
                        Some("postgres") => s.with_dialect(Dialect::Postgres),
                        Some("mysql") => s.with_dialect(Dialect::Mysql),
                        Some("sqlite") => s.with_dialect(Dialect::Sqlite),
                        _ => s,
                    }
                }
            };
            if let Some(name) = &spec.name {
                source = source.named(name.clone());
            }
            if !spec.schema_include.is_empty() || !spec.schema_exclude.is_empty() {
                source = source.with_schema_filter(&spec.schema_include, &spec.schema_exclude)?;
            }
            if let Some(mode) = spec.tls.mode {
                source = source.with_tls_mode(mode);
            }
            if let Some(ca) = &spec.tls.ca {
                source = source.with_tls_ca(ca.clone());
            }
            if let Some((cert, key)) = &spec.tls.client {
                source = source.with_tls_client_cert(cert.clone(), key.clone());
            }
            if let Some(var) = &spec.password_env {
                source = source.with_password(allow.password_from_env(spec, var, &lookup)?);
            }
            if let Some(file) = &spec.password_file {
                source = source.with_password(allow.password_from_file(spec, file)?);
            }
            source.check_password_transport(spec.via.is_some())?;
            Ok(ResolvedSchema {
                source,
                via: spec.via.clone(),
            })
        })
        .collect()
}

/// The collectors for one environment's sources. `remote` tells whether
/// they run on an SSH host: the process environment is then the login
/// session's, read from `/proc/self/environ` on the host.
pub fn collectors(
    sources: &Sources,
    schema: &[ResolvedSchema],
    options: &CollectOptions,
    remote: bool,
) -> Vec<Box<dyn Collector>> {
    let mut out: Vec<Box<dyn Collector>> = Vec::new();
    let wants_env = sources.process_env
        || !sources.dotenv.is_empty()
        || sources.process_env_of.is_some()
        || sources.process_env_pidfile.is_some();
    if wants_env {
        let mut env = EnvCollector::new();
        if sources.process_env {
            env = if remote {
                env.proc_environ(ProcSelector::SelfProcess)
            } else {
                env.process_env(options.process_env.clone())
            };
        }
        for path in &sources.dotenv {
            env = env.dotenv(path.clone());
        }
        if let Some(name) = &sources.process_env_of {
            env = env.proc_environ(ProcSelector::Name(name.clone()));
        }
        if let Some(pidfile) = &sources.process_env_pidfile {
            env = env.proc_environ(ProcSelector::Pidfile(pidfile.clone()));
        }
        out.push(Box::new(env));
    }
    if !sources.kube_manifests.is_empty() {
        out.push(Box::new(kube_collector(sources)));
    }
    if !sources.config_dirs.is_empty() {
        let roots = sources.config_dirs.iter().map(|d| match &d.name {
            Some(name) => ConfigRoot::named(d.path.clone(), name.clone()),
            None => ConfigRoot::new(d.path.clone()),
        });
        let mut config = ConfigCollector::new(roots)
            .follow_symlinks(options.follow_symlinks)
            .fingerprinter(options.fingerprinter.clone());
        if let Some(max) = options.max_file_size {
            config = config.max_file_size(max);
        }
        out.push(Box::new(config));
    }
    if !sources.packages.is_empty() {
        let mut packages = PackagesCollector::new(sources.packages.iter().cloned());
        if let Some(max) = options.max_file_size {
            packages = packages.max_file_size(max);
        }
        out.push(Box::new(packages));
    }
    if sources.runtimes {
        out.push(Box::new(RuntimeCollector::new()));
    }
    if sources.host_facts {
        let mut host = HostCollector::new();
        if let Some(digest) = &sources.image_digest {
            host = host.image_digest(digest.clone());
        }
        out.push(Box::new(host));
    }
    let schema_options = SchemaOptions {
        include_grants: sources.include_grants,
        ..SchemaOptions::default()
    };
    let direct: Vec<SchemaSource> = schema
        .iter()
        .filter(|s| s.via.is_none())
        .map(|s| s.source.clone())
        .collect();
    if !direct.is_empty() {
        out.push(Box::new(
            SchemaCollector::new(direct).with_options(schema_options.clone()),
        ));
    }
    for m in &sources.migrations {
        let mut r = ReleaseMigrations::new(m.dir.clone());
        if let Some(t) = m.tool {
            r = r.tool(t);
        }
        if let Some(t) = &m.table {
            r = r.table(t.clone());
        }
        if let Some(l) = &m.label {
            r = r.label(l.clone());
        }
        out.push(Box::new(r));
    }
    for s in schema.iter().filter(|s| s.via.is_some()) {
        out.push(Box::new(Via {
            via: s.via.clone().unwrap_or_default(),
            ssh: options.ssh.clone(),
            inner: SchemaCollector::new(vec![s.source.clone()])
                .with_options(schema_options.clone()),
        }));
    }
    out
}

/// A schema source reachable only through an SSH host: the database
/// connection is tunnelled through it.
#[derive(Debug)]
struct Via {
    via: String,
    ssh: SshOptions,
    inner: SchemaCollector,
}

impl Collector for Via {
    fn name(&self) -> &'static str {
        "schema"
    }

    fn collect(&self, _transport: &dyn Transport) -> Collection {
        match crate::targets::connect(&self.via, &self.ssh) {
            Ok(hop) => self.inner.collect(&*hop),
            Err(e) => {
                let mut c = Collection::new();
                c.error(e.to_collection_error("schema"));
                c
            }
        }
    }
}

/// The process environment without drift's own variables (the fingerprint
/// key must never be collected).
pub fn process_env() -> Vec<(String, String)> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.to_string_lossy().into_owned())))
        .filter(|(k, _)| !k.starts_with("DRIFT_"))
        .collect()
}

/// The largest standard input read as Kubernetes manifests.
const MAX_STDIN: u64 = 64 << 20;

/// The Kubernetes collector of `--kube-manifests`; `-` is standard input,
/// read once whatever the number of hosts (a read that fails, or input
/// over 64 MiB, leaves the path `-`, which fails as a file: the snapshot is
/// incomplete).
fn kube_collector(sources: &Sources) -> KubeCollector {
    static STDIN: std::sync::OnceLock<Option<Vec<u8>>> = std::sync::OnceLock::new();
    let mut kube = KubeCollector::new();
    if let Some(ns) = &sources.kube_namespace {
        kube = kube.namespace(ns.clone());
    }
    for (from, to) in &sources.kube_namespace_map {
        kube = kube.map_namespace(from.clone(), to.clone());
    }
    for prefix in &sources.kube_strip_prefixes {
        kube = kube.strip_prefix(prefix.clone());
    }
    for suffix in &sources.kube_strip_suffixes {
        kube = kube.strip_suffix(suffix.clone());
    }
    kube = kube.keep_owned(sources.kube_keep_owned);
    for path in &sources.kube_manifests {
        if path.as_os_str() != "-" {
            kube = kube.path(path.clone());
            continue;
        }
        let input = STDIN.get_or_init(|| {
            use std::io::Read as _;
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .take(MAX_STDIN + 1)
                .read_to_end(&mut buf)
                .ok()
                .filter(|_| buf.len() as u64 <= MAX_STDIN)
                .map(|_| buf)
        });
        kube = match input {
            Some(bytes) => kube.bytes("-", bytes.clone()),
            None => kube.path(path.clone()),
        };
    }
    kube
}
