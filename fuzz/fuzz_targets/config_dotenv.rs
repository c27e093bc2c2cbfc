//! The `.env` readers: the one-pass reader and the collector's dispatch
//! must give exactly what the full reader gives, or decline.
#![no_main]

use std::cell::RefCell;

use drift_collectors::config::fuzzing::{Vars, dotenv_twins};
use drift_core::testing::twins::Twins;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

thread_local! {
    static TWINS: RefCell<Twins<'static, str, Vars>> = RefCell::new(dotenv_twins());
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = common::check(&TWINS, "the input", text);
    }
    // The public entry point (the env collector's) must not crash either.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = drift_collectors::env::parse_dotenv(text);
    }
});
