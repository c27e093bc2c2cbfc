//! Entry points for the fuzz targets in `fuzz/` (the `fuzzing` feature;
//! test support only, see `docs/fuzzing.md`).
//!
//! The config readers are private to this module's parent; these functions
//! give the fuzz targets each fast reader and its full twin, built into the
//! one twin tester ([`drift_core::testing::twins`]) — the one definition of
//! those twins, which the twin tests in `config/twins.rs` use too — and
//! the readers that have no fast twin (INI, properties) through the
//! collector's dispatch.

use drift_core::__private::KeyedValues;
use drift_core::key::KeyBuilder;
use drift_core::testing::twins::Twins;

use super::error::ParseError;
use super::format::{Format, yaml_docs_into};
use super::sink::Sink;
use super::{json, json_fast, toml, toml_fast, yaml, yaml_fast};
use crate::env::dotenv;

/// Entries as sorted `KEY VALUE` lines (`Debug` of the value, so that NaN
/// equals NaN), or the error.
pub type Read = Result<Vec<String>, String>;

/// `.env` pairs, or the error.
pub type Vars = Result<Vec<(String, String)>, String>;

/// Entries as sorted `KEY VALUE` lines.
pub(crate) fn lines(out: &KeyedValues) -> Vec<String> {
    let mut lines: Vec<String> = out.iter().map(|(k, v)| format!("{k} {v:?}")).collect();
    lines.sort();
    lines
}

/// What a full reader puts into a sink at `config:f`.
fn full(parse: impl FnOnce(&mut Sink<'_>) -> Result<(), ParseError>) -> Read {
    let mut key = KeyBuilder::new("config").path("f");
    let mut out = KeyedValues::default();
    parse(&mut Sink {
        key: &mut key,
        out: &mut out,
    })
    .map_err(|e| e.to_string())?;
    Ok(lines(&out))
}

/// What a fast reader gives, or `None` when it declines; a reader that
/// declines must leave the sink as it was (asserted).
fn fast(text: &str, parse_into: fn(&str, &mut Sink<'_>) -> bool) -> Option<Read> {
    let mut key = KeyBuilder::new("config").path("f");
    let start = key.mark();
    let mut out = KeyedValues::default();
    let done = parse_into(
        text,
        &mut Sink {
            key: &mut key,
            out: &mut out,
        },
    );
    assert_eq!(key.mark(), start, "the fast reader moved the key");
    if !done {
        assert!(out.is_empty(), "a declining fast reader left entries");
        return None;
    }
    Some(Ok(lines(&out)))
}

/// The JSON readers: full (the reference), fast, and the collector's
/// dispatch (fast, else full).
pub fn json_twins() -> Twins<'static, str, Read> {
    Twins::new("json config", "full", |t: &str| {
        full(|sink| json::parse_into(t, sink))
    })
    .fast("fast", |t: &str| fast(t, json_fast::parse_into))
    .fast("dispatch", |t: &str| {
        Some(full(|sink| Format::Json.parse_into(t, sink)))
    })
}

/// The YAML readers, as [`json_twins`].
pub fn yaml_twins() -> Twins<'static, str, Read> {
    Twins::new("yaml config", "full", |t: &str| {
        full(|sink| {
            yaml_docs_into(yaml::parse_full(t)?, sink);
            Ok(())
        })
    })
    .fast("fast", |t: &str| fast(t, yaml_fast::parse_into))
    .fast("dispatch", |t: &str| {
        Some(full(|sink| Format::Yaml.parse_into(t, sink)))
    })
}

/// The TOML readers, as [`json_twins`].
pub fn toml_twins() -> Twins<'static, str, Read> {
    Twins::new("toml config", "full", |t: &str| {
        full(|sink| toml::parse_into(t, sink))
    })
    .fast("fast", |t: &str| fast(t, toml_fast::parse_into))
    .fast("dispatch", |t: &str| {
        Some(full(|sink| Format::Toml.parse_into(t, sink)))
    })
}

fn owned(vars: Vec<(&str, String)>) -> Vec<(String, String)> {
    vars.into_iter().map(|(n, v)| (n.to_owned(), v)).collect()
}

/// The `.env` readers: full, the one-pass reader, and the dispatch.
pub fn dotenv_twins() -> Twins<'static, str, Vars> {
    Twins::new("dotenv", "full", |t: &str| {
        dotenv::parse_any(t).map(owned).map_err(|e| e.to_string())
    })
    .fast("one pass", |t: &str| {
        dotenv::simple_vars(t).map(|v| Ok(owned(v)))
    })
    .fast("dispatch", |t: &str| {
        Some(dotenv::parse_vars(t).map(owned).map_err(|e| e.to_string()))
    })
}

/// A file's bytes read as the collector reads a file named `file_name`
/// (decoded, then parsed by its format); `None` for a name of no config
/// format.
pub fn read_file(file_name: &str, bytes: &[u8]) -> Option<Read> {
    let format = Format::detect(file_name)?;
    Some(match format.decode(bytes) {
        Ok(text) => full(|sink| format.parse_into(&text, sink)),
        Err(e) => Err(e.to_string()),
    })
}
