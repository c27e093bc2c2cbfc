//! Reading large manifests on every core.
//!
//! drift writes one entry per line, and raw newlines never occur inside JSON
//! strings, so the entries of a manifest in drift's own layout can be cut at
//! line boundaries and each piece parsed on its own. This path is only an
//! acceleration: whenever anything about the file is unexpected (another
//! layout, an error, keys out of order across pieces) it declines, and the
//! sequential reader — with its exact error messages — reads the file.

use memchr::memmem;
use rayon::prelude::*;
use serde::Deserializer;
use serde::de::DeserializeSeed;

use super::Entry;
use super::read::{EntriesSeed, Raw, TopVisitor};

/// Files smaller than this are read sequentially.
pub(super) const MIN_BYTES: usize = 4 << 20;
/// The size of the pieces the entries are cut into.
const PIECE: usize = 1 << 20;

/// What opens the entries, closes them, and separates two of them.
pub(super) const OPEN: &[u8] = b"\n  \"entries\": {";
pub(super) const CLOSE: &[u8] = b"\n  },\n  \"coverage\": [";
pub(super) const ENTRY: &[u8] = b",\n    \"";

/// The manifest's fields, entries parsed in parallel; `None` when the
/// sequential reader must do it.
pub(super) fn parse(bytes: &[u8]) -> Option<Raw> {
    if cfg!(feature = "reference-paths") {
        return None;
    }
    if bytes.len() < MIN_BYTES || rayon::current_num_threads() < 2 {
        return None;
    }
    parse_in_pieces(bytes, PIECE)
}

/// [`parse`] without its size and thread checks, in pieces of about
/// `piece` bytes (the fuzz targets read small manifests in many pieces).
pub(super) fn parse_in_pieces(bytes: &[u8], piece: usize) -> Option<Raw> {
    let open = memmem::find(bytes, OPEN)? + OPEN.len();
    // Searched from the end: only coverage and errors follow the entries.
    let close = open + memmem::rfind(&bytes[open..], CLOSE)?;
    let body = &bytes[open..close];

    let mut header = Vec::with_capacity(open + bytes.len() - close);
    header.extend_from_slice(&bytes[..open]);
    header.extend_from_slice(&bytes[close..]);
    let mut raw = parse_header(&header)?;

    let pieces = cut(body, piece);
    let parsed: Vec<Option<Vec<Entry>>> = pieces
        .par_iter()
        .map(|piece| {
            let mut doc = Vec::with_capacity(piece.len() + 2);
            doc.push(b'{');
            doc.extend_from_slice(piece);
            doc.push(b'}');
            parse_piece(&doc)
        })
        .collect();
    raw.entries = Some(join(parsed)?);
    Some(raw)
}

/// The manifest's fields but its entries, from its text up to the `{` that
/// opens them and from the end of them on (an empty entries object);
/// `None` when it is not that.
pub(super) fn parse_header(header: &[u8]) -> Option<Raw> {
    let mut de = serde_json::Deserializer::from_slice(header);
    let raw = de.deserialize_map(TopVisitor).ok()?;
    de.end().ok()?;
    raw.entries
        .as_ref()
        .is_some_and(Vec::is_empty)
        .then_some(raw)
}

/// The entries of a piece made an object (`{` piece `}`); `None` on any
/// error, which the sequential reader will name.
pub(super) fn parse_piece(doc: &[u8]) -> Option<Vec<Entry>> {
    let body = doc.strip_prefix(b"{")?.strip_suffix(b"}")?;
    super::read_lines::entries(body).or_else(|| parse_piece_json(doc))
}

/// [`parse_piece`] by `serde_json` alone.
pub(super) fn parse_piece_json(doc: &[u8]) -> Option<Vec<Entry>> {
    let mut de = serde_json::Deserializer::from_slice(doc);
    // One entry per line: the vector is not grown step by step.
    let capacity = entry_lines(doc);
    let entries = EntriesSeed { capacity }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(entries)
}

/// How many lines of `text` start as an entry's (`\n    "`): the entries
/// of a piece in drift's layout, and never more than the strings it holds
/// (a run of blank lines reserves nothing).
pub(super) fn entry_lines(text: &[u8]) -> usize {
    memmem::find_iter(text, b"\n    \"").count()
}

/// The entries of the pieces, in order, in one vector; `None` when a piece
/// failed or the keys do not strictly increase across pieces (a duplicate
/// or disorder, which the sequential reader will name).
pub(super) fn join(pieces: impl IntoIterator<Item = Option<Vec<Entry>>>) -> Option<Vec<Entry>> {
    let pieces: Vec<Vec<Entry>> = pieces.into_iter().collect::<Option<_>>()?;
    let mut entries: Vec<Entry> = Vec::with_capacity(pieces.iter().map(Vec::len).sum());
    for piece in pieces {
        if let (Some(last), Some(first)) = (entries.last(), piece.first())
            && last.key >= first.key
        {
            return None;
        }
        entries.extend(piece);
    }
    Some(entries)
}

/// Cuts the entries' text into pieces of about `piece` bytes, each a
/// run of whole `"key": value` lines without the separating comma.
fn cut(body: &[u8], piece: usize) -> Vec<&[u8]> {
    let mut pieces = Vec::with_capacity(body.len() / piece.max(1) + 1);
    let mut start = 0;
    while start < body.len() {
        let from = (start + piece).min(body.len());
        match memmem::find(&body[from..], ENTRY) {
            Some(at) => {
                let comma = from + at;
                pieces.push(&body[start..comma]);
                start = comma + 1;
            }
            None => {
                pieces.push(&body[start..]);
                break;
            }
        }
    }
    pieces
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::key::{KeyBuilder, KeyPath};
    use crate::manifest::{Collection, Manifest, ManifestBuilder};
    use crate::secret::Sanitizer;
    use crate::value::Value;

    /// A manifest large enough for the parallel and streaming readers.
    pub(in crate::manifest) fn big() -> Manifest {
        let mut c = Collection::new();
        for i in 0..120_000i64 {
            let key: KeyPath = KeyBuilder::new("config")
                .path("big.json")
                .field(&format!("svc{}.key{i:07}", i % 7))
                .finish();
            let value = match i % 4 {
                0 => Value::Int(i),
                1 => Value::from(format!("text \"{i}\"\nline")),
                2 => Value::Bool(i % 3 == 0),
                _ => Value::Object([("a".to_owned(), Value::Int(i))].into()),
            };
            c.insert(key, value);
        }
        let mut b = ManifestBuilder::new("prod", "local", Sanitizer::default());
        b.add("config", "1", c);
        b.finish(Some("2026-11-26T00:00:00Z".into()))
    }

    #[test]
    fn parallel_and_sequential_reads_agree() {
        let m = big();
        let text = m.to_json_string();
        assert!(
            text.len() > MIN_BYTES,
            "the test manifest must take the parallel path"
        );
        let sequential = Manifest::from_slice_sequential(text.as_bytes(), "big.json").unwrap();
        assert_eq!(sequential.to_json_string(), text);
        // With `reference-paths` the parallel reader declines everything.
        let raw = parse(text.as_bytes());
        assert_eq!(raw.is_some(), !cfg!(feature = "reference-paths"));
        if let Some(raw) = raw {
            assert_eq!(raw.entries.as_deref(), Some(sequential.entries()));
        }
        let back = Manifest::from_slice(text.as_bytes(), "big.json").unwrap();
        assert_eq!(back.entries(), sequential.entries());
        assert_eq!(back.to_json_string(), sequential.to_json_string());
        assert_eq!(back.digest(), sequential.digest());
    }

    #[test]
    fn errors_fall_back_to_the_sequential_reader() {
        let text = big().to_json_string();
        // An invalid value deep inside: the sequential reader names it.
        let broken = text.replacen(r#": true,"#, r#": tru,"#, 1);
        assert!(parse(broken.as_bytes()).is_none());
        let err = Manifest::from_slice(broken.as_bytes(), "big.json")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`big.json` is not a valid drift manifest"),
            "{err}"
        );
        assert!(err.contains("line "), "{err}");
        // A key out of order across pieces: declined, then read (sorted)
        // or refused by the sequential reader, never silently accepted.
        let first = r#""config:big.json:\"svc0.key0000000\"": 0"#;
        assert!(text.contains(first));
        let moved = text.replacen(first, r#""config:big.json:\"zzz\"": 0"#, 1);
        assert!(parse(moved.as_bytes()).is_none());
    }

    #[test]
    fn pieces_are_whole_lines() {
        let body = b"\n    \"a\": 1,\n    \"b\": 2,\n    \"c\": 3";
        let pieces = cut(body, PIECE);
        let joined: Vec<u8> = pieces.join(&b","[..]);
        assert_eq!(joined, body);
    }
}
