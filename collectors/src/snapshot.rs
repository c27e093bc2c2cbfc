//! Running collectors against one target into a manifest.

use drift_core::{Manifest, ManifestBuilder, Sanitizer};
use rayon::prelude::*;

use crate::collector::Collector;
use crate::transport::Transport;

/// Runs `collectors` (in parallel) against `transport` and builds the
/// manifest of `environment`. `created_at` is the snapshot time (RFC 3339),
/// given by the caller so that the library never reads the clock.
pub fn snapshot(
    environment: &str,
    transport: &dyn Transport,
    collectors: &[Box<dyn Collector>],
    sanitizer: Sanitizer,
    created_at: Option<String>,
) -> Manifest {
    let collections: Vec<_> = collectors
        .par_iter()
        .map(|c| (c.name(), c.version(), c.collect(transport)))
        .collect();
    let mut builder = ManifestBuilder::new(environment, transport.target(), sanitizer);
    for (name, version, collection) in collections {
        builder.add(name, version, collection);
    }
    builder.finish(created_at)
}
