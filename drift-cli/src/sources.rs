//! From an environment's sources (drift.toml or flags) to collectors.

use drift_collectors::Collector;
use drift_collectors::config::{ConfigCollector, ConfigRoot};
use drift_collectors::env::EnvCollector;
use drift_collectors::host::HostCollector;
use drift_collectors::packages::PackagesCollector;
use drift_collectors::runtime::RuntimeCollector;
use drift_core::Fingerprinter;

use crate::settings::Sources;

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
}

/// The collectors for one environment's sources.
pub fn collectors(sources: &Sources, options: &CollectOptions) -> Vec<Box<dyn Collector>> {
    let mut out: Vec<Box<dyn Collector>> = Vec::new();
    if sources.process_env || !sources.dotenv.is_empty() {
        let mut env = EnvCollector::new();
        if sources.process_env {
            env = env.process_env(options.process_env.clone());
        }
        for path in &sources.dotenv {
            env = env.dotenv(path.clone());
        }
        out.push(Box::new(env));
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
    out
}

/// The process environment without drift's own variables (the fingerprint
/// key must never be collected).
pub fn process_env() -> Vec<(String, String)> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.to_string_lossy().into_owned())))
        .filter(|(k, _)| !k.starts_with("DRIFT_"))
        .collect()
}
