//! The DDL readers (PostgreSQL and MySQL schema files, read without a
//! driver): any text reads into a collection, with errors, never a crash.
#![no_main]

use drift_collectors::schema::{Dialect, collect_schema_text, detect_dialect};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = detect_dialect(text);
    for dialect in [Dialect::Postgres, Dialect::Mysql] {
        let _ = collect_schema_text(text, dialect, "s");
    }
});
