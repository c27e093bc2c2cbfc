//! Running collectors against one target into a manifest.

use drift_core::manifest::{ManifestStream, StreamSummary};
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

/// Runs `collectors` against `transport` and writes the manifest of
/// `environment` to `out` while it is collected: the same bytes
/// [`snapshot`] would give to [`Manifest::write_to`], in the memory of the
/// files in flight rather than of the whole manifest.
///
/// The collectors that do not stream run first, in parallel; then the first
/// one that streams (see [`Collector::streams`]) pushes its entries as it
/// reads them. Collection errors are in the returned summary; an `Err` is
/// a failure to write. With the `reference-paths` feature the manifest is
/// built whole and then written (the reference the stream is tested
/// against).
pub fn snapshot_to(
    environment: &str,
    transport: &dyn Transport,
    collectors: &[Box<dyn Collector>],
    sanitizer: Sanitizer,
    created_at: Option<&str>,
    out: &mut (dyn std::io::Write + Send),
) -> std::io::Result<StreamSummary> {
    if cfg!(feature = "reference-paths") {
        // The reference path: the whole manifest in memory, then written.
        let m = snapshot(
            environment,
            transport,
            collectors,
            sanitizer,
            created_at.map(str::to_owned),
        );
        m.write_to(&mut *out)?;
        return Ok(StreamSummary {
            entries: m.len() as u64,
            coverage: m.coverage.clone(),
            errors: m.errors.clone(),
            digest: m.digest(),
        });
    }
    let streamer = collectors.iter().position(|c| c.streams());
    let names = collectors
        .iter()
        .map(|c| (c.name().to_owned(), c.version().to_owned()))
        .collect();
    let mut stream = ManifestStream::start(
        out,
        environment,
        transport.target(),
        sanitizer,
        names,
        created_at,
    )?;
    let collections: Vec<_> = collectors
        .par_iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != streamer)
        .map(|(_, c)| c.collect(transport))
        .collect();
    for collection in collections {
        stream.add(collection);
    }
    if let Some(i) = streamer {
        let rest = collectors[i].collect_streaming(transport, &mut stream);
        stream.add(rest);
    }
    stream.finish()
}
