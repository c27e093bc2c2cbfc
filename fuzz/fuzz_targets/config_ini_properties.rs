//! The INI and properties readers (no fast twin), through the collector's
//! decoding and dispatch: any bytes read or give an error, never a crash.
#![no_main]

use drift_collectors::config::fuzzing::read_file;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for name in ["f.ini", "f.properties"] {
        assert!(read_file(name, data).is_some(), "{name} has a format");
    }
});
