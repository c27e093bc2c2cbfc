//! The manifest readers on manifests as drift writes them: the input is
//! taken apart (`arbitrary`) into a collection (keys of every layer and
//! shape, values of every type, coverage and collection errors), written by
//! drift's own writer, and optionally changed at a few bytes (then its
//! digest made right, so that the change reaches past the digest check).
//! Every reader must give what the sequential reader gives, or decline, as
//! in `manifest_read`; here the parallel and streaming readers take most
//! inputs, where they took 100 of 262,144 raw fuzzer inputs there. The twin
//! tester's tally is printed every 2^n inputs.
#![no_main]

use std::cell::RefCell;

use drift_core::Value;
use drift_core::key::KeyBuilder;
use drift_core::manifest::fuzzing::{Read, manifest_twins, with_digest_fixed};
use drift_core::manifest::{Collection, CollectionError, ErrorKind, ManifestBuilder};
use drift_core::secret::Sanitizer;
use drift_core::testing::twins::Twins;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

thread_local! {
    static TWINS: RefCell<Twins<'static, [u8], Read>> = RefCell::new(manifest_twins());
}

const LAYERS: [&str; 6] = ["config", "env", "file", "pkg", "schema", "host"];

fn value(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=5)? {
        0 => Value::from(u.arbitrary::<String>()?),
        1 => Value::from(u.arbitrary::<i64>()?),
        2 => Value::from(u.arbitrary::<bool>()?),
        // Finite floats: what a NaN or an infinity becomes is the writer's
        // business, tested in drift-core.
        3 => Value::from(f64::from(u.arbitrary::<i32>()?) / 8.0),
        4 => Value::from(""),
        _ => Value::from(u.arbitrary::<&str>()?),
    })
}

fn collection(u: &mut Unstructured<'_>) -> Result<Collection> {
    let mut c = Collection::new();
    // At least one entry: a manifest without entries is one the parallel and
    // streaming readers leave to the sequential one, and teaches them nothing.
    let n = u.int_in_range(1..=64)?;
    for _ in 0..n {
        let layer = *u.choose(&LAYERS)?;
        let mut key = KeyBuilder::new(layer).path(u.arbitrary::<&str>()?);
        for _ in 0..u.int_in_range(0..=3)? {
            key = if u.arbitrary::<bool>()? {
                key.field(u.arbitrary::<&str>()?)
            } else {
                key.index(u.int_in_range(0..=20)?)
            };
        }
        c.insert(key.finish(), value(u)?);
    }
    for _ in 0..u.int_in_range(0..=3)? {
        c.cover(
            *u.choose(&LAYERS)?,
            u.arbitrary::<&str>()?,
            u.arbitrary::<u8>()?.into(),
        );
    }
    if u.ratio(1, 4)? {
        c.errors.push(CollectionError::new(
            *u.choose(&LAYERS)?,
            u.arbitrary::<&str>()?,
            ErrorKind::Parse,
            u.arbitrary::<&str>()?,
        ));
    }
    Ok(c)
}

fn manifest(data: &[u8]) -> Result<(Vec<u8>, Vec<(usize, u8)>)> {
    let mut u = Unstructured::new(data);
    let env = u.arbitrary::<&str>()?;
    let c = collection(&mut u)?;
    let mut b = ManifestBuilder::new(env, "fuzz", Sanitizer::default());
    b.add("fuzz", "1", c);
    let text = b
        .finish(Some("2026-12-07T00:00:00Z".into()))
        .to_json_string();
    // One input in four changed at up to four bytes.
    let mut changes = Vec::new();
    if u.ratio(1, 4)? {
        for _ in 0..u.int_in_range(1..=4)? {
            changes.push((u.arbitrary::<usize>()?, u.arbitrary::<u8>()?));
        }
    }
    Ok((text.into_bytes(), changes))
}

fuzz_target!(|data: &[u8]| {
    let Ok((mut bytes, changes)) = manifest(data) else {
        return;
    };
    if changes.is_empty() {
        let read = common::check(&TWINS, "as written", &bytes[..]);
        assert_eq!(
            read.as_deref(),
            Ok(std::str::from_utf8(&bytes).unwrap_or("")),
            "a manifest as written does not read back"
        );
        return;
    }
    let len = bytes.len();
    for (at, b) in changes {
        bytes[at % len] = b;
    }
    // A changed manifest may well be refused: the twins must only agree on
    // what it is (`check` asserts that).
    let _ = common::check(&TWINS, "changed", &bytes[..]);
    if let Some(fixed) = with_digest_fixed(&bytes) {
        let _ = common::check(&TWINS, "changed, digest fixed", &fixed[..]);
    }
});
