//! The yaml config readers: the fast reader and the collector's dispatch
//! must give exactly what the full reader gives, or decline.
#![no_main]

use std::cell::RefCell;

use drift_collectors::config::fuzzing::{Read, yaml_twins};
use drift_core::testing::twins::Twins;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

thread_local! {
    static TWINS: RefCell<Twins<'static, str, Read>> = RefCell::new(yaml_twins());
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = common::check(&TWINS, "the input", text);
    }
});
