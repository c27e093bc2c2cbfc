//! Running collectors against one target into a manifest.

use drift_core::manifest::{ManifestStream, StreamSummary};
use drift_core::{Manifest, ManifestBuilder, Role, Sanitizer};
use rayon::prelude::*;

use crate::collector::Collector;
use crate::progress::{Counting, NoProgress, Progress};
use crate::transport::Transport;

/// What a snapshot records besides what its collectors read, and who
/// watches it.
#[derive(Clone, Copy)]
pub struct SnapshotOptions<'a> {
    /// The host's name recorded in the manifest (`web-1`); `None` records
    /// none.
    pub host_name: Option<&'a str>,
    /// Told of each file read, per collector.
    pub progress: &'a dyn Progress,
    /// An environment's snapshot, or a release's (written whole: a release
    /// is small, and the streaming writer writes environments only).
    pub role: Role,
}

impl std::fmt::Debug for SnapshotOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshotOptions")
            .field("host_name", &self.host_name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl Default for SnapshotOptions<'_> {
    fn default() -> Self {
        SnapshotOptions {
            host_name: None,
            progress: &NoProgress,
            role: Role::Environment,
        }
    }
}

/// Runs `c` through a transport that reports its reads.
fn run_one(
    c: &dyn Collector,
    transport: &dyn Transport,
    progress: &dyn Progress,
    collect: impl FnOnce(&dyn Transport) -> drift_core::Collection,
) -> drift_core::Collection {
    progress.started(c.name());
    let counting = Counting::new(transport, c.name(), progress);
    let collection = collect(&counting);
    progress.finished(c.name());
    collection
}

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
    snapshot_with(
        environment,
        transport,
        collectors,
        sanitizer,
        created_at,
        &SnapshotOptions::default(),
    )
}

/// [`snapshot`] that records a host name and reports progress.
pub fn snapshot_with(
    environment: &str,
    transport: &dyn Transport,
    collectors: &[Box<dyn Collector>],
    sanitizer: Sanitizer,
    created_at: Option<String>,
    options: &SnapshotOptions<'_>,
) -> Manifest {
    let collections: Vec<_> = collectors
        .par_iter()
        .map(|c| {
            let collection = run_one(&**c, transport, options.progress, |t| c.collect(t));
            (c.name(), c.version(), collection)
        })
        .collect();
    let mut builder = ManifestBuilder::new(environment, transport.target(), sanitizer);
    if let Some(host) = options.host_name {
        builder.host_name(host);
    }
    builder.role(options.role);
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
    snapshot_to_with(
        environment,
        transport,
        collectors,
        sanitizer,
        created_at,
        out,
        &SnapshotOptions::default(),
    )
}

/// [`snapshot_to`] that records a host name and reports progress.
pub fn snapshot_to_with(
    environment: &str,
    transport: &dyn Transport,
    collectors: &[Box<dyn Collector>],
    sanitizer: Sanitizer,
    created_at: Option<&str>,
    out: &mut (dyn std::io::Write + Send),
    options: &SnapshotOptions<'_>,
) -> std::io::Result<StreamSummary> {
    if cfg!(feature = "reference-paths") || options.role != Role::Environment {
        // The reference path: the whole manifest in memory, then written.
        let m = snapshot_with(
            environment,
            transport,
            collectors,
            sanitizer,
            created_at.map(str::to_owned),
            options,
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
        options.host_name,
        sanitizer,
        names,
        created_at,
    )?;
    let collections: Vec<_> = collectors
        .par_iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != streamer)
        .map(|(_, c)| run_one(&**c, transport, options.progress, |t| c.collect(t)))
        .collect();
    for collection in collections {
        stream.add(collection);
    }
    if let Some(i) = streamer {
        let c = &*collectors[i];
        let rest = run_one(c, transport, options.progress, |t| {
            c.collect_streaming(t, &mut stream)
        });
        stream.add(rest);
    }
    stream.finish()
}
