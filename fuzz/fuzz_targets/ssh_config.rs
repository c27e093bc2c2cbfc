//! ssh_config files: read and resolved, and the `Host` pattern matcher
//! against a reference matcher.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        drift_collectors::transport::fuzzing::ssh_config(text);
    }
});
