//! Writing a manifest while it is collected.
//!
//! A [`ManifestStream`] writes the same bytes as [`Manifest::write_to`]
//! would for the same content, without holding the entries: the header goes
//! out first, entries go out in key order as they come, and coverage and
//! errors (known only at the end) close the canonical region. A snapshot of
//! millions of entries then needs the memory of the files in flight, not of
//! the whole manifest.
//!
//! A streaming collector hands over each piece of its entries (one file's)
//! with a *bound*: a key that nothing it hands over later sorts before.
//! Entries below the bound are written; the rest wait, merged in key order
//! with what comes later. Pieces are prepared (secrets hidden, sorted,
//! formatted) on any thread by a [`Preparer`], so that the thread that
//! writes only copies bytes.
//!
//! ```
//! use drift_core::key::KeyPath;
//! use drift_core::manifest::{Collection, Manifest, ManifestStream};
//! use drift_core::secret::Sanitizer;
//!
//! let mut out = Vec::new();
//! let collectors = [("env".to_owned(), "0.1.0".to_owned())].into();
//! let mut stream = ManifestStream::start(&mut out, "prod", "local", None, Sanitizer::default(), collectors, None)?;
//! let prepare = stream.preparer();
//! stream.push(prepare.prepare(vec![(KeyPath::env("A"), "1".into())]), "env:B");
//! let mut rest = Collection::new();
//! rest.insert(KeyPath::env("DB_PASSWORD"), "hunter2");
//! stream.add(rest);
//! let summary = stream.finish()?;
//! assert_eq!(summary.entries, 2);
//! let m = Manifest::from_slice(&out, "streamed")?;
//! assert!(m.get("env:DB_PASSWORD").unwrap().is_secret());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use serde::de::DeserializeSeed;

use super::build::{dedup, sort_errors};
use super::read::EntriesSeed;
use super::write::{
    HashingWriter, Preamble, clean_prefix_len, format_entries, format_entry, format_entry_after,
    format_strings_entry, write_digest, write_head, write_preamble, write_tail,
};
use super::{CollectionError, Coverage, Entry, FORMAT_MINOR, KeyedValues, Manifest};
use crate::key::KeyPath;
use crate::secret::Sanitizer;
use crate::value::Value;

/// Entries ready to be written: secrets hidden, sorted, each key once, and
/// formatted. Made by a [`Preparer`]; only the text and the first and last
/// keys are kept, so that the entries are freed by the thread that made
/// them.
#[derive(Debug, Default)]
pub struct Prepared {
    /// Each entry as `,` and its line, in order.
    text: Vec<u8>,
    first: Option<KeyPath>,
    /// The last key, when it is not the first.
    last: Option<KeyPath>,
    len: usize,
    /// Keys recorded twice with different values.
    errors: Vec<CollectionError>,
}

impl Prepared {
    /// The number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The first key, the least.
    pub fn first_key(&self) -> Option<&KeyPath> {
        self.first.as_ref()
    }

    /// The last key, the greatest.
    fn last_key(&self) -> Option<&KeyPath> {
        self.last.as_ref().or(self.first.as_ref())
    }

    /// The length of its text, in bytes.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Room for `bytes` more bytes of text, for a piece that others will
    /// be appended to (see [`Prepared::append`]).
    pub fn reserve(&mut self, bytes: usize) {
        self.text.reserve(bytes);
    }

    /// Appends `next` when its keys all come after these (one piece of
    /// thousands of files costs less to push than thousands of pieces, and
    /// can be put together while the work goes on); else gives it back.
    pub fn append(&mut self, mut next: Prepared) -> Result<(), Prepared> {
        if let (Some(last), Some(first)) = (self.last_key(), next.first.as_ref())
            && first <= last
        {
            return Err(next);
        }
        if self.text.is_empty() {
            // Taken over rather than copied.
            std::mem::swap(&mut self.text, &mut next.text);
        } else {
            self.text.extend_from_slice(&next.text);
        }
        self.len += next.len;
        self.errors.append(&mut next.errors);
        if next.first.is_some() {
            let next_last = next.last.take().or_else(|| next.first.clone());
            if self.first.is_none() {
                self.first = next.first;
            }
            self.last = next_last.filter(|l| Some(l) != self.first.as_ref());
        }
        Ok(())
    }

    /// The entries, read back from their text (for the rare piece that
    /// must be merged with others).
    fn entries(&self) -> io::Result<Vec<Entry>> {
        let body = self.text.strip_prefix(b",").unwrap_or(&self.text);
        let mut doc = Vec::with_capacity(body.len() + 2);
        doc.push(b'{');
        doc.extend_from_slice(body);
        doc.push(b'}');
        let mut de = serde_json::Deserializer::from_slice(&doc);
        EntriesSeed::default()
            .deserialize(&mut de)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

/// Prepares entries for a [`ManifestStream`] on any thread (it is cheap to
/// clone and shares the stream's sanitizer).
#[derive(Debug, Clone)]
pub struct Preparer {
    sanitizer: Arc<Sanitizer>,
    /// Text buffers written and given back, for the next pieces: memory
    /// that stays in use rather than freed on one thread, allocated anew
    /// on another, and faulted in again.
    spare: Arc<Mutex<Vec<Vec<u8>>>>,
}

/// Spare text buffers kept at most.
const SPARE_BUFFERS: usize = 8192;

/// Room for one entry's text besides its key: a file's own entry
/// (`{"object": {"format": "yaml", "mode": "0644"}}`) fits.
const ONE_ENTRY_SPARE: usize = 64;

/// The least capacity of a text buffer worth keeping.
const SPARE_MIN: usize = 4096;

impl Preparer {
    /// Hides the secrets of `entries`, sorts them, keeps each key once and
    /// formats them.
    pub fn prepare(&self, mut entries: Vec<(KeyPath, Value)>) -> Prepared {
        if entries.len() == 1
            && let Some((key, value)) = entries.pop()
        {
            return self.prepare_one(key, value);
        }
        let mut errors = Vec::new();
        let entries = self.sorted(entries, &mut errors);
        // Sized for these entries, not a spare buffer: such pieces may wait
        // (a collector's last ones), and should hold no more than they need.
        let mut text = Vec::with_capacity(entries.iter().map(|e| e.key.as_str().len() + 40).sum());
        // Formatting into a vector cannot fail.
        let _ = format_entries(&entries, &mut text);
        text.shrink_to_fit();
        let len = entries.len();
        let mut keys = entries.into_iter().map(|e| e.key);
        let first = keys.next();
        let last = keys.next_back();
        Prepared {
            text,
            first,
            last,
            len,
            errors,
        }
    }

    /// [`Preparer::prepare`] for one entry (a file's own entry), in a
    /// buffer of about its size.
    fn prepare_one(&self, key: KeyPath, value: Value) -> Prepared {
        let value = self.sanitizer.sanitize(&key, value);
        one_entry(key, |key, text| {
            // Formatting into a vector cannot fail.
            let _ = format_entry(key, &value, text);
        })
    }

    /// [`Preparer::prepare`] for one entry whose value is an object of
    /// strings, fields in order (a file's `format` and `mode`): written
    /// without building the object when there is nothing in it to hide.
    pub fn prepare_strings(&self, key: KeyPath, fields: &[(&str, &str)]) -> Prepared {
        let plain = fields.windows(2).all(|w| w[0].0 < w[1].0)
            && self
                .sanitizer
                .leaves_strings(&key, fields.iter().map(|(_, v)| *v));
        if !plain {
            let object = fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
                .collect();
            return self.prepare_one(key, Value::Object(object));
        }
        one_entry(key, |key, text| format_strings_entry(key, fields, text))
    }

    fn spare_buffer(&self) -> Vec<u8> {
        let spare = self.spare.lock().ok().and_then(|mut s| s.pop());
        spare.unwrap_or_default()
    }

    fn give_back(&self, mut buffer: Vec<u8>) {
        // A small buffer (one entry's) would have to grow for the next
        // file's entries: it is not worth keeping.
        if buffer.capacity() < SPARE_MIN {
            return;
        }
        buffer.clear();
        if let Ok(mut spare) = self.spare.lock()
            && spare.len() < SPARE_BUFFERS
        {
            spare.push(buffer);
        }
    }

    /// [`Preparer::prepare`] for entries with their keys in one buffer.
    pub fn prepare_keyed(&self, mut values: KeyedValues) -> Prepared {
        let mut errors = Vec::new();
        values.sort(&mut errors);
        let shared = values.shared_prefix_len();
        let secret_docs = crate::secret::kube_secret_documents(values.iter());
        self.sanitizer
            .sanitize_each(shared, &secret_docs, values.iter_mut());
        let mut text = self.spare_buffer();
        text.reserve(values.key_text().len() + 24 * values.len());
        // Keys are looked at for escapes all at once (most need none), else
        // their shared prefix once and the rest key by key.
        let clean = if clean_prefix_len(values.key_text().as_bytes()) == values.key_text().len() {
            usize::MAX
        } else {
            values
                .iter()
                .next()
                .map_or(0, |(k, _)| clean_prefix_len(&k.as_bytes()[..shared]))
        };
        for (key, value) in values.iter() {
            // Formatting into a vector cannot fail.
            let _ = format_entry_after(key, clean, value, &mut text);
        }
        let (first, last) = values.ends();
        let len = values.len();
        values.discard();
        Prepared {
            text,
            first,
            last,
            len,
            errors,
        }
    }

    /// `entries` with their secrets hidden, sorted, each key once (the
    /// first kept; a conflict is an error in `errors`).
    fn sorted(
        &self,
        mut entries: Vec<(KeyPath, Value)>,
        errors: &mut Vec<CollectionError>,
    ) -> Vec<Entry> {
        self.sanitizer.sanitize_entries(&mut entries);
        let mut entries: Vec<Entry> = entries
            .into_iter()
            .map(|(key, value)| Entry { key, value })
            .collect();
        if entries.is_sorted_by(|a, b| a.key < b.key) {
            return entries;
        }
        // Stable: of two entries with one key, the first one is kept.
        entries.sort_by(|a, b| a.key.cmp(&b.key));
        dedup(entries, errors)
    }
}

/// A piece of one entry at `key`, formatted by `format` into a buffer of
/// about its size.
fn one_entry(key: KeyPath, format: impl FnOnce(&str, &mut Vec<u8>)) -> Prepared {
    let mut text = Vec::with_capacity(key.as_str().len() + ONE_ENTRY_SPARE);
    format(key.as_str(), &mut text);
    Prepared {
        text,
        first: Some(key),
        last: None,
        len: 1,
        errors: Vec::new(),
    }
}

/// What a finished stream wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamSummary {
    /// The number of entries.
    pub entries: u64,
    /// What each collector covered.
    pub coverage: Vec<Coverage>,
    /// What could not be collected.
    pub errors: Vec<CollectionError>,
    /// The manifest's digest, `blake3:HEX`.
    pub digest: String,
}

/// Writes a manifest while it is collected: the same bytes as
/// [`Manifest::write_to`] for the same content, without holding the
/// entries. The header goes out first, entries in key order as they come,
/// then coverage and errors.
///
/// A streaming collector hands over each piece of its entries (one file's),
/// prepared by a [`Preparer`] on any thread, with a *bound*: a key that
/// nothing it hands over later sorts before. Entries below the bound are
/// written; the rest wait, merged in key order with what comes later.
///
/// Write errors do not interrupt collection: the first one is kept and
/// returned by [`ManifestStream::finish`], and nothing more is written.
pub struct ManifestStream<'w> {
    out: HashingWriter<&'w mut (dyn Write + Send)>,
    preparer: Preparer,
    /// Entries waiting for a bound above them: sorted, each key once, all
    /// after the last one written.
    pending: Vec<Entry>,
    /// The last key written.
    last: Option<KeyPath>,
    written: u64,
    coverage: Vec<Coverage>,
    errors: Vec<CollectionError>,
    failed: Option<io::Error>,
}

impl std::fmt::Debug for ManifestStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManifestStream")
            .field("written", &self.written)
            .field("pending", &self.pending.len())
            .field("errors", &self.errors)
            .finish_non_exhaustive()
    }
}

impl<'w> ManifestStream<'w> {
    /// Starts the manifest of `environment` collected from `target` (the
    /// host named `host`, when known) by `collectors` (name → version):
    /// writes everything up to the entries.
    pub fn start(
        out: &'w mut (dyn Write + Send),
        environment: &str,
        target: &str,
        host: Option<&str>,
        sanitizer: Sanitizer,
        collectors: BTreeMap<String, String>,
        created_at: Option<&str>,
    ) -> io::Result<ManifestStream<'w>> {
        write_head(out, created_at)?;
        let mut out = HashingWriter::new(out);
        let tool = Manifest::tool_name();
        write_preamble(
            &mut out,
            &Preamble {
                tool: &tool,
                environment,
                target: &crate::secret::scrub(target),
                host: host.map(crate::secret::scrub).as_deref(),
                role: super::Role::Environment,
                minor: FORMAT_MINOR,
                fingerprint_key: sanitizer.fingerprinter().key_id(),
                collectors: &collectors,
            },
        )?;
        Ok(ManifestStream {
            out,
            preparer: Preparer {
                sanitizer: Arc::new(sanitizer.counting_apart()),
                spare: Arc::default(),
            },
            pending: Vec::new(),
            last: None,
            written: 0,
            coverage: Vec::new(),
            errors: Vec::new(),
            failed: None,
        })
    }

    /// A preparer of entries for this stream.
    ///
    /// Unstable: for drift-collectors' streaming config collector, outside
    /// semantic versioning (see `drift_core::__private`).
    #[doc(hidden)]
    pub fn preparer(&self) -> Preparer {
        self.preparer.clone()
    }

    /// Takes prepared entries. `bound`: no entry pushed or added later sorts
    /// before it; every entry below it is written now.
    ///
    /// Unstable: for drift-collectors' streaming config collector, outside
    /// semantic versioning (see `drift_core::__private`).
    #[doc(hidden)]
    pub fn push(&mut self, mut piece: Prepared, bound: &str) {
        self.errors.extend(std::mem::take(&mut piece.errors));
        let (Some(first), Some(last)) = (&piece.first, piece.last_key()) else {
            self.flush_below(Some(bound));
            return;
        };
        let after_written = self.last.as_ref().is_none_or(|l| l < first);
        let before = self.pending.partition_point(|e| e.key < *first);
        let gap = self.pending.get(before).is_none_or(|e| e.key > *last);
        if after_written && gap && last.as_str() < bound {
            // The common case: the piece comes whole, in order, with no
            // pending entry among its keys.
            self.flush_below(Some(first.as_str()));
            let text = if self.written == 0 {
                &piece.text[1..]
            } else {
                &piece.text[..]
            };
            self.write_text(text);
            self.written += piece.len as u64;
            self.last = piece.last.or(piece.first);
            self.preparer.give_back(piece.text);
        } else {
            match piece.entries() {
                Ok(entries) => self.merge(entries),
                Err(e) => self.fail(e),
            }
        }
        self.flush_below(Some(bound));
    }

    /// Adds what a collector recorded without streaming it: its entries
    /// (which must not sort before what was written) wait for the bounds
    /// of the pieces pushed later, or for [`ManifestStream::finish`].
    pub fn add(&mut self, collection: super::Collection) {
        let super::Collection {
            entries,
            coverage,
            errors,
        } = collection;
        self.coverage.extend(coverage);
        self.errors.extend(errors);
        let entries = self.preparer.sorted(entries, &mut self.errors);
        self.merge(entries);
    }

    /// Writes what is pending, coverage and errors, and the digest.
    pub fn finish(mut self) -> io::Result<StreamSummary> {
        self.flush_below(None);
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.coverage
            .extend(self.preparer.sanitizer.hidden_coverage());
        self.coverage.sort_by(|a, b| {
            (&a.collector, &a.source, a.items).cmp(&(&b.collector, &b.source, b.items))
        });
        sort_errors(&mut self.errors);
        write_tail(
            &mut self.out,
            self.written > 0,
            &self.coverage,
            &self.errors,
        )?;
        let (digest, out) = self.out.finalize()?;
        write_digest(out, &digest)?;
        Ok(StreamSummary {
            entries: self.written,
            coverage: self.coverage,
            errors: self.errors,
            digest: format!("blake3:{}", digest.to_hex()),
        })
    }

    /// Merges sorted `entries` into the pending ones (of one key, the
    /// pending entry is kept). An entry at or before the last one written
    /// is a collector's broken promise: it fails the stream.
    fn merge(&mut self, entries: Vec<Entry>) {
        if entries.is_empty() {
            return;
        }
        if let (Some(last), Some(first)) = (&self.last, entries.first())
            && first.key <= *last
        {
            self.fail(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "`{}` came after `{}` was written: a collector broke the order of its entries",
                    first.key, last
                ),
            ));
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let mut merged = Vec::with_capacity(pending.len() + entries.len());
        let (mut a, mut b) = (
            pending.into_iter().peekable(),
            entries.into_iter().peekable(),
        );
        loop {
            let take_a = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => x.key <= y.key,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let next = if take_a { a.next() } else { b.next() };
            merged.extend(next);
        }
        self.pending = dedup(merged, &mut self.errors);
    }

    /// Writes the pending entries below `bound` (all of them for `None`).
    fn flush_below(&mut self, bound: Option<&str>) {
        let n = match bound {
            Some(b) => self.pending.partition_point(|e| e.key.as_str() < b),
            None => self.pending.len(),
        };
        if n == 0 {
            return;
        }
        let rest = self.pending.split_off(n);
        let out = std::mem::replace(&mut self.pending, rest);
        let mut text = Vec::with_capacity(out.len() * 64);
        // Formatting into a vector cannot fail.
        let _ = format_entries(&out, &mut text);
        let text = if self.written == 0 { &text[1..] } else { &text };
        self.write_text(text);
        self.written += out.len() as u64;
        self.last = out.into_iter().next_back().map(|e| e.key);
    }

    fn write_text(&mut self, text: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        if let Err(e) = self.out.write_all(text) {
            self.fail(e);
        }
    }

    fn fail(&mut self, e: io::Error) {
        if self.failed.is_none() {
            self.failed = Some(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{Collection, ErrorKind, ManifestBuilder};

    const AT: &str = "2026-11-26T00:00:00Z";

    fn entries(pairs: &[(&str, &str)]) -> Vec<(KeyPath, Value)> {
        pairs
            .iter()
            .map(|(k, v)| (KeyPath::new(*k).unwrap(), Value::from(*v)))
            .collect()
    }

    fn start<'w>(out: &'w mut Vec<u8>, created_at: Option<&str>) -> ManifestStream<'w> {
        let collectors = [("config".to_owned(), "1".to_owned())].into();
        ManifestStream::start(
            out,
            "prod",
            "local",
            None,
            Sanitizer::default(),
            collectors,
            created_at,
        )
        .unwrap()
    }

    /// What the builder writes for the same content, in one collection.
    fn built(pieces: &[Vec<(KeyPath, Value)>], late: &Collection) -> String {
        let mut c = Collection::new();
        for p in pieces {
            c.entries.extend(p.iter().cloned());
        }
        c.entries.extend(late.entries.iter().cloned());
        c.coverage.extend(late.coverage.iter().cloned());
        c.errors.extend(late.errors.iter().cloned());
        let mut b = ManifestBuilder::new("prod", "local", Sanitizer::default());
        b.add("config", "1", c);
        b.finish(Some(AT.into())).to_json_string()
    }

    /// Streams `pieces` with their bounds, then adds `late`.
    fn streamed(pieces: &[(Vec<(KeyPath, Value)>, &str)], late: Collection) -> String {
        let mut out = Vec::new();
        let mut s = start(&mut out, Some(AT));
        let prepare = s.preparer();
        for (piece, bound) in pieces {
            s.push(prepare.prepare(piece.clone()), bound);
        }
        s.add(late);
        let summary = s.finish().unwrap();
        let text = String::from_utf8(out).unwrap();
        let m = Manifest::from_slice(text.as_bytes(), "streamed").unwrap();
        assert_eq!(summary.digest, m.digest());
        assert_eq!(summary.entries, m.len() as u64);
        text
    }

    fn same(pieces: Vec<(Vec<(KeyPath, Value)>, &str)>, late: Collection) {
        let plain: Vec<_> = pieces.iter().map(|(p, _)| p.clone()).collect();
        assert_eq!(streamed(&pieces, late_clone(&late)), built(&plain, &late));
    }

    fn late_clone(c: &Collection) -> Collection {
        Collection {
            entries: c.entries.clone(),
            coverage: c.coverage.clone(),
            errors: c.errors.clone(),
        }
    }

    fn late(pairs: &[(&str, &str)]) -> Collection {
        let mut c = Collection::new();
        c.entries = entries(pairs);
        c.cover("config", "/etc/app", 3);
        c
    }

    #[test]
    fn pieces_in_order_give_the_builders_bytes() {
        same(
            vec![
                (
                    entries(&[("config:a:x", "1"), ("config:a:y", "2")]),
                    "config:b",
                ),
                (entries(&[("config:b:API_TOKEN", "hunter2")]), "file:"),
            ],
            late(&[("file:a", "f"), ("env:HOME", "/root")]),
        );
    }

    #[test]
    fn pieces_in_order_append_into_one_that_writes_the_same_bytes() {
        let pieces = [
            entries(&[("file:a", "1")]),
            entries(&[]),
            entries(&[("file:b", "2"), ("file:c", "3")]),
            entries(&[("file:d", "4")]),
        ];
        let mut out = Vec::new();
        let mut s = start(&mut out, Some(AT));
        let prepare = s.preparer();
        let mut joined = Prepared::default();
        for p in &pieces {
            joined.append(prepare.prepare(p.clone())).unwrap();
        }
        assert_eq!(joined.len(), 4);
        assert_eq!(joined.first_key().unwrap().as_str(), "file:a");
        assert_eq!(joined.last_key().unwrap().as_str(), "file:d");
        s.push(joined, "\u{10FFFF}");
        s.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            built(&pieces, &Collection::new())
        );
        // Out of order, or overlapping: given back as it was.
        for keys in [["file:b", "file:a"], ["file:a", "file:a"]] {
            let mut joined = prepare.prepare(entries(&[(keys[0], "1")]));
            let back = joined
                .append(prepare.prepare(entries(&[(keys[1], "2")])))
                .unwrap_err();
            assert_eq!(back.first_key().unwrap().as_str(), keys[1]);
            assert_eq!(back.len(), 1);
            assert_eq!(joined.len(), 1);
        }
    }

    #[test]
    fn an_empty_stream_gives_the_builders_bytes() {
        same(Vec::new(), Collection::new());
        same(vec![(Vec::new(), "file:")], late(&[]));
    }

    #[test]
    fn pieces_held_back_by_their_bound_are_merged_in_order() {
        // `.env.local` comes before `.env` in the walk, but `config:.env`
        // (an empty file's one entry) sorts first.
        same(
            vec![
                (
                    entries(&[("config:.env.local:A", "1"), ("config:.env.local:B", "2")]),
                    "config:.env",
                ),
                (entries(&[("config:.env", "")]), "config:z"),
                (entries(&[("config:z:k", "3")]), "file:"),
            ],
            late(&[("file:.env", "f")]),
        );
    }

    #[test]
    fn added_entries_wait_for_the_pieces_around_them() {
        // Entries of another collector, added first, fall between pieces.
        let mut out = Vec::new();
        let mut s = start(&mut out, None);
        let prepare = s.preparer();
        s.add(late(&[("config:b:side", "s"), ("env:X", "1")]));
        s.push(prepare.prepare(entries(&[("config:a:k", "1")])), "config:c");
        s.push(prepare.prepare(entries(&[("config:c:k", "2")])), "file:");
        s.finish().unwrap();
        let m = Manifest::from_slice(&out, "streamed").unwrap();
        let keys: Vec<&str> = m.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["config:a:k", "config:b:side", "config:c:k", "env:X"]);
    }

    #[test]
    fn one_key_twice_keeps_the_first_value_and_reports_a_conflict() {
        same(
            vec![
                (entries(&[("config:a:k", "1")]), "config:a"),
                (
                    entries(&[("config:a:k", "1"), ("config:a:l", "2")]),
                    "config:a",
                ),
                (entries(&[("config:a:l", "3")]), "file:"),
            ],
            late(&[]),
        );
        let text = streamed(
            &[
                (entries(&[("config:a:l", "2")]), "config:a"),
                (entries(&[("config:a:l", "3")]), "file:"),
            ],
            Collection::new(),
        );
        let m = Manifest::from_slice(text.as_bytes(), "streamed").unwrap();
        assert_eq!(m.get("config:a:l"), Some(&Value::from("2")));
        assert_eq!(m.errors.len(), 1);
        assert_eq!(m.errors[0].kind, ErrorKind::Other);
    }

    #[test]
    fn a_broken_bound_fails_the_stream_instead_of_writing_disorder() {
        let mut out = Vec::new();
        let mut s = start(&mut out, None);
        let prepare = s.preparer();
        s.push(prepare.prepare(entries(&[("config:b:k", "1")])), "config:c");
        s.push(prepare.prepare(entries(&[("config:a:k", "1")])), "file:");
        let err = s.finish().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("config:a:k"), "{err}");
    }

    #[test]
    fn secrets_are_hidden_in_pieces_and_in_added_entries() {
        let text = streamed(
            &[(entries(&[("config:a:DB_PASSWORD", "hunter2")]), "file:")],
            late(&[("env:API_TOKEN", "s3cr3t-value")]),
        );
        assert!(!text.contains("hunter2"));
        assert!(!text.contains("s3cr3t-value"));
    }

    #[test]
    fn an_object_of_strings_is_written_as_the_object_would_be() {
        let preparers = [
            Sanitizer::default(),
            Sanitizer::default()
                .with_secret_globs(["file:keys/**"])
                .unwrap(),
        ]
        .map(|s| Preparer {
            sanitizer: Arc::new(s),
            spare: Arc::default(),
        });
        let cases: &[(&str, &[(&str, &str)])] = &[
            (
                "file:app/settings.yaml",
                &[("format", "yaml"), ("mode", "0644")],
            ),
            ("file:app/settings.yaml", &[("format", "yaml")]),
            ("file:\"a b\".ini", &[("format", "ini"), ("mode", "0600")]),
            ("file:caf\u{e9}/\"quo\\\"te\".env", &[("format", "env")]),
            // Fields out of order, strings that may hide a secret, a key
            // judged secret by a glob: the object is built and judged.
            ("file:a.toml", &[("mode", "0644"), ("format", "toml")]),
            (
                "file:a.toml",
                &[("format", "postgres://app:hunter2@db/shop")],
            ),
            ("file:keys/a.json", &[("format", "json"), ("mode", "0600")]),
        ];
        for p in &preparers {
            for (key, fields) in cases {
                let key = KeyPath::new(*key).unwrap();
                let object: BTreeMap<String, Value> = fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
                    .collect();
                let built = p.prepare(vec![(key.clone(), Value::Object(object))]);
                let fast = p.prepare_strings(key.clone(), fields);
                assert_eq!(
                    String::from_utf8_lossy(&fast.text),
                    String::from_utf8_lossy(&built.text),
                    "{key}"
                );
                assert_eq!(fast.first_key(), Some(&key));
                assert_eq!(fast.len(), 1);
            }
        }
        let hidden = preparers[1].prepare_strings(
            KeyPath::new("file:keys/a.json").unwrap(),
            &[("format", "json")],
        );
        assert!(String::from_utf8_lossy(&hidden.text).contains("\"secret\""));
    }
}
