//! Every way of reading a manifest (sequential, parallel and streaming in
//! small pieces, `from_slice`, `from_reader`) must give what the sequential
//! reader gives, or decline; the input is also read with its digest made
//! right, so that changes reach past the digest check; and a manifest read
//! and written again reads back the same.
#![no_main]

use std::cell::RefCell;

use drift_core::manifest::Manifest;
use drift_core::manifest::fuzzing::{Read, manifest_twins, with_digest_fixed};
use drift_core::testing::twins::Twins;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

thread_local! {
    static TWINS: RefCell<Twins<'static, [u8], Read>> = RefCell::new(manifest_twins());
}

fn round_trip(read: &Read) {
    if let Ok(text) = read {
        let again = Manifest::from_slice(text.as_bytes(), "again.json")
            .map(|m| m.to_json_string())
            .map_err(|e| e.to_string());
        assert_eq!(
            again.as_ref(),
            Ok(text),
            "a manifest written does not read back"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip(&common::check(&TWINS, "the input", data));
    if let Some(fixed) = with_digest_fixed(data) {
        round_trip(&common::check(
            &TWINS,
            "the input, digest fixed",
            &fixed[..],
        ));
    }
});
