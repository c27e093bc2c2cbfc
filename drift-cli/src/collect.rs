//! Snapshotting one target (this machine or one SSH host).

use std::io::{self, Write};

use drift_collectors::transport::Transport;
use drift_collectors::{Collector, SnapshotOptions, snapshot_to_with, snapshot_with};
use drift_core::manifest::Coverage;
use drift_core::{Collection, CollectionError, Manifest, ManifestBuilder, Sanitizer};

use crate::settings::Sources;
use crate::sources::{CollectOptions, ResolvedSchema, collectors};
use crate::targets;

/// One snapshot, and whether its target could be reached at all.
#[derive(Debug)]
pub struct Snap {
    /// The manifest (with only an error when the host could not be reached).
    pub manifest: Manifest,
    /// False when the host could not be reached or logged in to: its
    /// manifest is empty, and comparing it would report every key missing.
    pub reached: bool,
}

/// Snapshots `env` on `host` (`None`: this machine); `extra` names the
/// host in the manifest and watches the progress.
#[allow(clippy::too_many_arguments)]
pub fn collect_target(
    env: &str,
    host: Option<&str>,
    sources: &Sources,
    schema: &[ResolvedSchema],
    options: &CollectOptions,
    sanitizer: Sanitizer,
    created_at: &str,
    extra: &SnapshotOptions<'_>,
) -> Snap {
    match open(host, sources, schema, options) {
        Ok((transport, collectors)) => Snap {
            manifest: snapshot_with(
                env,
                &*transport,
                &collectors,
                sanitizer,
                Some(created_at.to_owned()),
                extra,
            ),
            reached: true,
        },
        Err(e) => Snap {
            manifest: unreached(env, host, extra.host_name, sanitizer, created_at, e),
            reached: false,
        },
    }
}

/// Snapshots `env` on `host` (`None`: this machine) into `out` while it is
/// collected (see [`drift_collectors::snapshot_to_with`]); returns the collection errors and the
/// manifest's coverage.
#[allow(clippy::too_many_arguments)]
pub fn stream_target(
    env: &str,
    host: Option<&str>,
    sources: &Sources,
    schema: &[ResolvedSchema],
    options: &CollectOptions,
    sanitizer: Sanitizer,
    created_at: &str,
    out: &mut (dyn Write + Send),
    extra: &SnapshotOptions<'_>,
) -> io::Result<(Vec<CollectionError>, Vec<Coverage>)> {
    match open(host, sources, schema, options) {
        Ok((transport, collectors)) => {
            let summary = snapshot_to_with(
                env,
                &*transport,
                &collectors,
                sanitizer,
                Some(created_at),
                out,
                extra,
            )?;
            Ok((summary.errors, summary.coverage))
        }
        Err(e) => {
            let manifest = unreached(env, host, extra.host_name, sanitizer, created_at, e);
            manifest.write_to(&mut *out)?;
            Ok((manifest.errors, manifest.coverage))
        }
    }
}

/// A target's transport and the collectors to run through it.
type Opened = (Box<dyn Transport>, Vec<Box<dyn Collector>>);

/// The transport to `host` (`None`: this machine) and the collectors of the
/// sources, or why the host could not be reached.
fn open(
    host: Option<&str>,
    sources: &Sources,
    schema: &[ResolvedSchema],
    options: &CollectOptions,
) -> Result<Opened, CollectionError> {
    let transport = match host {
        None => targets::local(),
        Some(host) => {
            targets::connect(host, &options.ssh).map_err(|e| e.to_collection_error("ssh"))?
        }
    };
    Ok((
        transport,
        collectors(sources, schema, options, host.is_some()),
    ))
}

/// The manifest of a host that could not be reached: only the error.
fn unreached(
    env: &str,
    host: Option<&str>,
    host_name: Option<&str>,
    sanitizer: Sanitizer,
    created_at: &str,
    error: CollectionError,
) -> Manifest {
    let mut c = Collection::new();
    c.error(error);
    let mut b = ManifestBuilder::new(env, host.unwrap_or("local"), sanitizer);
    if let Some(name) = host_name {
        b.host_name(name);
    }
    b.add("ssh", env!("CARGO_PKG_VERSION"), c);
    b.finish(Some(created_at.to_owned()))
}
