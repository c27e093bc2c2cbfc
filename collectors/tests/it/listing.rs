//! Entries as a snapshot shows them: one `key = value` line each, the value
//! in its `Debug` form (lossless: `Int(10)` and `String("10")` differ).

use std::collections::BTreeMap;
use std::fmt::Write;

use drift_core::Value;

/// One line per entry, in key order.
pub fn listing(entries: &BTreeMap<String, Value>) -> String {
    let mut out = String::new();
    for (key, value) in entries {
        writeln!(out, "{key} = {value:?}").unwrap();
    }
    out
}
