//! The rpm database reader (`rpmdb.sqlite`, read without SQLite by a
//! hand-written SQLite file reader): any bytes read or give an error.
#![no_main]

use drift_collectors::packages::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(packages) = Format::RpmSqlite.parse(data) {
        for p in packages {
            let _ = p.key();
        }
    }
});
