//! known_hosts files: read and checked against the keys they hold, never a
//! crash or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        drift_collectors::transport::fuzzing::known_hosts(text);
    }
});
