//! The secret judge for snapshots: fingerprint key and secret globs.

use std::path::Path;

use anyhow::bail;
use drift_collectors::transport::{Local, Transport};
use drift_core::manifest::Coverage;
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
        .with_public_globs(&globs.public)?
        .with_overriding_public_globs(&globs.overriding_public)?)
}

/// What the judge hid, by layer (counts only, from a manifest's coverage),
/// and a warning when it fingerprinted without a key: notes for standard
/// error after a snapshot.
pub fn hidden_notes(coverage: &[Coverage], unkeyed: bool) -> Vec<String> {
    let counts: Vec<(&str, u64)> = coverage
        .iter()
        .filter(|c| c.collector == drift_core::secret::HIDDEN_COVERAGE)
        .map(|c| (c.source.as_str(), c.items))
        .collect();
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return Vec::new();
    }
    let by: Vec<String> = counts
        .iter()
        .map(|(layer, n)| format!("{n} by {layer}"))
        .collect();
    let mut notes = vec![format!(
        "{total} value(s) hidden as secret ({}); see docs/secrets.md",
        by.join(", ")
    )];
    if unkeyed {
        notes.push(format!(
            "they were fingerprinted without a key, so a short one could be guessed offline from the manifest; set {KEY_VAR} to a long random key"
        ));
    }
    notes
}
