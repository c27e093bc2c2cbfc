//! From an environment's sources (drift.toml or flags) to collectors.

use drift_collectors::Collector;

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
}

/// The collectors for one environment's sources.
pub fn collectors(_sources: &Sources, _options: &CollectOptions) -> Vec<Box<dyn Collector>> { Vec::new() }

/// The process environment without drift's own variables (the fingerprint
/// key must never be collected).
pub fn process_env() -> Vec<(String, String)> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.to_string_lossy().into_owned())))
        .filter(|(k, _)| !k.starts_with("DRIFT_"))
        .collect()
}
