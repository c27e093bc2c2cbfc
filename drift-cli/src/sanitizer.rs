//! The secret judge for snapshots: fingerprint key and secret globs.

use std::path::Path;

use anyhow::bail;
use drift_collectors::transport::{Local, Transport};
use drift_core::{Fingerprinter, Sanitizer};

use crate::settings::SecretGlobs;

/// The variable that holds the fingerprint key.
pub const KEY_VAR: &str = "DRIFT_FINGERPRINT_KEY";

/// Most bytes of a fingerprint key file.
const MAX_KEY_FILE: u64 = 64 << 10;

/// Builds the sanitizer: keyed by `DRIFT_FINGERPRINT_KEY` when set (it wins),
/// else by the key file named in drift.toml (with its line), else unkeyed.
/// Errors about the key file never show its path: a key pasted into
/// `fingerprint_key_file` must not reach a log.
pub fn sanitizer(
    env_key: Option<&str>,
    key_file: Option<(&Path, Option<usize>)>,
    globs: &SecretGlobs,
) -> anyhow::Result<Sanitizer> {
    let fingerprinter = match (env_key.filter(|k| !k.trim().is_empty()), key_file) {
        (Some(k), _) => Fingerprinter::keyed(k.as_bytes()),
        (None, Some((path, line))) => {
            let at = line.map(|l| format!(" line {l}")).unwrap_or_default();
            let what = format!("the file named by `fingerprint_key_file` (drift.toml{at})");
            let key = Local::new()
                .read_source_file(path, MAX_KEY_FILE)
                .map_err(|e| {
                    anyhow::anyhow!(
                        "{what} cannot be read: {}",
                        crate::allow::transport_reason(&e)
                    )
                })?;
            if key.trim_ascii().is_empty() {
                bail!("{what} is empty; put a long random key in it");
            }
            Fingerprinter::keyed(&key)
        }
        (None, None) => Fingerprinter::unkeyed(),
    };
    Ok(Sanitizer::new(fingerprinter)
        .with_secret_globs(&globs.keys)?
        .with_public_globs(&globs.public)?)
}
