//! The secret judge for snapshots: fingerprint key and secret globs.

use std::path::Path;

use anyhow::{Context, bail};
use drift_core::{Fingerprinter, Sanitizer};

use crate::settings::SecretGlobs;

/// The variable that holds the fingerprint key.
pub const KEY_VAR: &str = "DRIFT_FINGERPRINT_KEY";

/// Builds the sanitizer: keyed by `DRIFT_FINGERPRINT_KEY` when set (it wins),
/// else by the key file named in drift.toml, else unkeyed.
pub fn sanitizer(
    env_key: Option<&str>,
    key_file: Option<&Path>,
    globs: &SecretGlobs,
) -> anyhow::Result<Sanitizer> {
    let fingerprinter = match (env_key.filter(|k| !k.trim().is_empty()), key_file) {
        (Some(k), _) => Fingerprinter::keyed(k.as_bytes()),
        (None, Some(path)) => {
            let key = std::fs::read(path).with_context(|| {
                format!(
                    "cannot read the fingerprint key file `{}` named in drift.toml",
                    path.display()
                )
            })?;
            if key.trim_ascii().is_empty() {
                bail!(
                    "the fingerprint key file `{}` is empty; put a long random key in it",
                    path.display()
                );
            }
            Fingerprinter::keyed(&key)
        }
        (None, None) => Fingerprinter::unkeyed(),
    };
    Ok(Sanitizer::new(fingerprinter)
        .with_secret_globs(&globs.keys)?
        .with_public_globs(&globs.public)?)
}
