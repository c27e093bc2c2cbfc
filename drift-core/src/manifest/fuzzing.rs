//! Entry points for the fuzz targets in `fuzz/` (the `fuzzing` feature;
//! test support only, see `docs/fuzzing.md`), and the one definition of
//! the manifest readers' twins, which the twin tests (`twins.rs`) use too.
//!
//! Every way of reading a manifest in the one twin tester
//! ([`crate::testing::twins`]): the sequential reader (the reference), the
//! parallel and streaming readers (as drift calls them, or in small pieces
//! so that a fuzzer's small inputs are cut as a large manifest is), and the
//! public entry points; and the line-by-line entry reader against
//! `serde_json`.

use std::io::Cursor;

use serde::Deserializer;

use super::read::{TopVisitor, digest_of, region_end, region_start};
use super::read_parallel::{parse_in_pieces, parse_piece_json};
use super::{Entry, Manifest, ManifestError};
use crate::testing::twins::Twins;

/// What a reader makes of a text: the manifest as drift writes it, or the
/// error.
pub type Read = Result<String, String>;

fn shown(r: Result<Manifest, ManifestError>) -> Read {
    r.map(|m| m.to_json_string()).map_err(|e| e.to_string())
}

/// The digest of the canonical region, as [`Manifest::from_slice`] finds
/// it.
fn region_digest(bytes: &[u8]) -> Option<String> {
    let start = region_start(bytes)?;
    let tail_from = bytes.len().saturating_sub(256).max(start);
    let end = tail_from + region_end(&bytes[tail_from..])?;
    let mut hasher = blake3::Hasher::new();
    hasher.update(&bytes[start..end]);
    Some(digest_of(hasher))
}

/// How a twin cuts a manifest: as drift does (`None`: the reader's own
/// piece size and its checks of size, threads and the `reference-paths`
/// feature), or in pieces of about that many bytes.
pub type Cut = Option<usize>;

fn parallel(b: &[u8], cut: Cut) -> Option<Read> {
    let raw = match cut {
        None => super::read_parallel::parse(b)?,
        Some(piece) => parse_in_pieces(b, piece)?,
    };
    Some(shown(raw.into_manifest("m.json", region_digest(b))))
}

fn stream(b: &[u8], cut: Cut) -> Option<Read> {
    let mut file = Cursor::new(b);
    let s = match cut {
        None => super::read_stream::read(&mut file),
        Some(piece) => super::read_stream::read_in_pieces(&mut file, piece),
    };
    let s = s.ok()??;
    Some(shown(s.raw.into_manifest("m.json", s.region_digest)))
}

/// Every way of reading a manifest, the sequential reader the reference:
/// the parallel reader cut as each of `parallel_cuts` says, the streaming
/// reader as each of `stream_cuts` says (each with its name), and
/// [`Manifest::from_slice`] and [`Manifest::from_reader`] (which answer
/// everything).
pub fn readers(
    parallel_cuts: &[(&'static str, Cut)],
    stream_cuts: &[(&'static str, Cut)],
) -> Twins<'static, [u8], Read> {
    let mut twins = Twins::new("manifest read", "sequential", |b: &[u8]| {
        shown(Manifest::from_slice_sequential(b, "m.json"))
    });
    for &(name, cut) in parallel_cuts {
        twins = twins.fast(name, move |b: &[u8]| parallel(b, cut));
    }
    for &(name, cut) in stream_cuts {
        twins = twins.fast(name, move |b: &[u8]| stream(b, cut));
    }
    twins
        .fast("from_slice", |b: &[u8]| {
            Some(shown(Manifest::from_slice(b, "m.json")))
        })
        .fast("from_reader", |b: &[u8]| {
            Some(shown(Manifest::from_reader(Cursor::new(b), "m.json")))
        })
}

/// [`readers`] for the fuzz target: the parallel reader in pieces of 1
/// and 64 bytes, the streaming reader in pieces of 7 and 64 bytes.
pub fn manifest_twins() -> Twins<'static, [u8], Read> {
    readers(
        &[("parallel/1", Some(1)), ("parallel/64", Some(64))],
        &[("stream/7", Some(7)), ("stream/64", Some(64))],
    )
}

/// `bytes` with the digest it claims replaced by the digest of what it
/// holds, so that a fuzzer's changes to a manifest are read past the digest
/// check; `None` when it holds no manifest, or its digest is right already.
pub fn with_digest_fixed(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let raw = de.deserialize_map(TopVisitor).ok()?;
    de.end().ok()?;
    let claimed = raw.digest.clone()?;
    // A region digest equal to the claim: the digest is not checked.
    let real = raw
        .into_manifest("m.json", Some(claimed.clone()))
        .ok()?
        .digest();
    if real == claimed || claimed.is_empty() {
        return None;
    }
    let at = memchr::memmem::rfind(bytes, claimed.as_bytes())?;
    let mut fixed = bytes[..at].to_vec();
    fixed.extend_from_slice(real.as_bytes());
    fixed.extend_from_slice(&bytes[at + claimed.len()..]);
    Some(fixed)
}

/// The entries of a piece of a manifest's entries (`\n    "KEY": VALUE`
/// lines joined by `,`): `serde_json` (the reference) against the
/// line-by-line reader.
pub fn entries_twins() -> Twins<'static, [u8], Option<Vec<Entry>>> {
    Twins::new("manifest entries", "serde", |body: &[u8]| {
        let mut doc = Vec::with_capacity(body.len() + 2);
        doc.push(b'{');
        doc.extend_from_slice(body);
        doc.push(b'}');
        parse_piece_json(&doc)
    })
    .fast("lines", |body: &[u8]| {
        super::read_lines::entries(body).map(Some)
    })
}
