//! drift.toml: drift-cli's settings module (drift-cli is a binary crate, so
//! its source is compiled into this target, as `settings`) reads any text
//! or gives an error naming the file, never a crash.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

#[allow(dead_code, unused_imports)]
#[path = "../../drift-cli/src/settings/mod.rs"]
mod settings;

/// What `settings` calls of the rest of drift-cli.
mod targets {
    use drift_collectors::transport::SshTarget;

    pub fn check_target(target: &str) -> anyhow::Result<()> {
        SshTarget::parse(target)?;
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Err(e) = settings::parse(Path::new("drift.toml"), text)
    {
        assert!(e.to_string().contains("drift.toml"), "{e}");
    }
});
