//! Snapshotting one target (this machine or one SSH host).

use drift_collectors::snapshot;
use drift_core::{Collection, Manifest, ManifestBuilder, Sanitizer};

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

/// Snapshots `env` on `host` (`None`: this machine).
pub fn collect_target(
    env: &str,
    host: Option<&str>,
    sources: &Sources,
    schema: &[ResolvedSchema],
    options: &CollectOptions,
    sanitizer: Sanitizer,
    created_at: &str,
) -> Snap {
    let created_at = Some(created_at.to_owned());
    let Some(host) = host else {
        let manifest = snapshot(
            env,
            &*targets::local(),
            &collectors(sources, schema, options, false),
            sanitizer,
            created_at,
        );
        return Snap {
            manifest,
            reached: true,
        };
    };
    match targets::connect(host, &options.ssh) {
        Ok(transport) => Snap {
            manifest: snapshot(
                env,
                &*transport,
                &collectors(sources, schema, options, true),
                sanitizer,
                created_at,
            ),
            reached: true,
        },
        Err(e) => {
            let mut c = Collection::new();
            c.error(e.to_collection_error("ssh"));
            let mut b = ManifestBuilder::new(env, host, sanitizer);
            b.add("ssh", env!("CARGO_PKG_VERSION"), c);
            Snap {
                manifest: b.finish(created_at),
                reached: false,
            }
        }
    }
}
