//! A manifest's entries read line by line must be what `serde_json` reads,
//! or declined.
#![no_main]

use std::cell::RefCell;

use drift_core::manifest::Entry;
use drift_core::manifest::fuzzing::entries_twins;
use drift_core::testing::twins::Twins;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

thread_local! {
    static TWINS: RefCell<Twins<'static, [u8], Option<Vec<Entry>>>> =
        RefCell::new(entries_twins());
}

fuzz_target!(|data: &[u8]| {
    common::check(&TWINS, "the input", data);
});
