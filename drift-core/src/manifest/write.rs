//! Deterministic serialization and the digest.
//!
//! Layout: `format` and `created_at` first, then the canonical region (from
//! `format_minor` to the end of `errors`: the header fields, `entries`, then
//! `coverage` and `errors`), then `digest`, the BLAKE3 of the
//! canonical region's bytes. The writer streams the region through the
//! hasher, so a manifest is serialized once.

use std::io::{self, Write};

use rayon::prelude::*;

use std::collections::BTreeMap;

use super::{CollectionError, Coverage, Entry, FORMAT, Manifest};
use crate::value::Value;

impl Manifest {
    /// Writes the manifest as pretty, deterministic JSON: the same content
    /// gives the same bytes, `created_at` aside.
    ///
    /// Wrap a file in a `BufWriter`; the caller makes the write atomic.
    pub fn write_to<W: Write>(&self, out: W) -> io::Result<()> {
        let mut out = out;
        write_head(&mut out, self.created_at.as_deref())?;
        let mut hashing = HashingWriter::new(&mut out);
        write_canonical(self, &mut hashing)?;
        let (digest, out) = hashing.finalize()?;
        write_digest(out, &digest)
    }

    /// The manifest as a JSON string (see [`Manifest::write_to`]).
    pub fn to_json_string(&self) -> String {
        let mut buf = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = self.write_to(&mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

/// The digest of the canonical region.
pub(super) fn digest(manifest: &Manifest) -> String {
    let mut hashing = HashingWriter::new(io::sink());
    // Writing to a sink cannot fail.
    let _ = write_canonical(manifest, &mut hashing);
    match hashing.finalize() {
        Ok((digest, _)) => format!("blake3:{}", digest.to_hex()),
        // A sink takes every byte.
        Err(_) => String::new(),
    }
}

/// Hashes what is written and passes it on to `inner`, in blocks: BLAKE3
/// hashes a large block many times faster (SIMD over several chunks) than
/// a few bytes at a time, and the block that was hashed is the one written,
/// so that the bytes are gathered once (a buffer over `inner` would see
/// only blocks and pass them through).
pub(super) struct HashingWriter<W> {
    inner: W,
    hasher: blake3::Hasher,
    /// Bytes written, not yet hashed nor passed on.
    pending: Vec<u8>,
}

/// Bytes gathered before they are hashed and passed on.
const HASH_BLOCK: usize = 1 << 20;

impl<W: Write> HashingWriter<W> {
    pub(super) fn new(inner: W) -> HashingWriter<W> {
        HashingWriter {
            inner,
            hasher: blake3::Hasher::new(),
            pending: Vec::new(),
        }
    }

    /// Hashes and passes on what is pending.
    fn pass_on(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.hasher.update(&self.pending);
        let result = self.inner.write_all(&self.pending);
        self.pending.clear();
        result
    }

    /// Passes on what is pending and gives the hash of everything written,
    /// and the writer written to (for what follows the hashed bytes).
    pub(super) fn finalize(&mut self) -> io::Result<(blake3::Hash, &mut W)> {
        self.pass_on()?;
        Ok((self.hasher.finalize(), &mut self.inner))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        if self.pending.len() + buf.len() > HASH_BLOCK {
            self.pass_on()?;
        }
        if buf.len() >= HASH_BLOCK {
            // Large enough on its own: hashed and passed on as it is.
            self.hasher.update(buf);
            return self.inner.write_all(buf);
        }
        if self.pending.capacity() == 0 {
            self.pending.reserve_exact(HASH_BLOCK);
        }
        self.pending.extend_from_slice(buf);
        Ok(())
    }

    /// Passes on what is pending (its hash included) and flushes `inner`.
    fn flush(&mut self) -> io::Result<()> {
        self.pass_on()?;
        self.inner.flush()
    }
}

fn write_canonical<W: Write + ?Sized>(m: &Manifest, out: &mut W) -> io::Result<()> {
    write_preamble(
        out,
        &Preamble {
            tool: &m.tool,
            environment: &m.environment,
            target: &m.target,
            host: m.host.as_deref(),
            role: m.role,
            minor: m.format_minor,
            fingerprint_key: m.fingerprint_key.as_deref(),
            collectors: &m.collectors,
        },
    )?;
    write_entries(&m.entries, out)?;
    write_tail(out, !m.entries.is_empty(), &m.coverage, &m.errors)
}

/// The fields of the canonical region before the entries.
pub(super) struct Preamble<'a> {
    pub(super) tool: &'a str,
    pub(super) environment: &'a str,
    pub(super) target: &'a str,
    /// The host's name; written only when known (minor 2 and later).
    pub(super) host: Option<&'a str>,
    /// The role; written only for a release (minor 3 and later).
    pub(super) role: super::Role,
    /// The minor version written.
    pub(super) minor: u32,
    pub(super) fingerprint_key: Option<&'a str>,
    pub(super) collectors: &'a BTreeMap<String, String>,
}

/// `format` and `created_at`: the part before the canonical region.
pub(super) fn write_head<W: Write + ?Sized>(
    out: &mut W,
    created_at: Option<&str>,
) -> io::Result<()> {
    out.write_all(b"{\n  \"format\": ")?;
    write_str(out, FORMAT)?;
    out.write_all(b",\n")?;
    if let Some(created) = created_at {
        out.write_all(b"  \"created_at\": ")?;
        write_str(out, created)?;
        out.write_all(b",\n")?;
    }
    Ok(())
}

/// The canonical region up to the opening of `entries`.
pub(super) fn write_preamble<W: Write + ?Sized>(out: &mut W, p: &Preamble<'_>) -> io::Result<()> {
    write!(out, "  \"format_minor\": {},\n  \"tool\": ", p.minor)?;
    write_str(out, p.tool)?;
    out.write_all(b",\n  \"environment\": ")?;
    write_str(out, p.environment)?;
    out.write_all(b",\n  \"target\": ")?;
    write_str(out, p.target)?;
    if let Some(host) = p.host {
        out.write_all(b",\n  \"host\": ")?;
        write_str(out, host)?;
    }
    if p.role != super::Role::Environment {
        out.write_all(b",\n  \"role\": ")?;
        write_str(out, p.role.as_str())?;
    }
    out.write_all(b",\n  \"fingerprint_key\": ")?;
    match p.fingerprint_key {
        Some(id) => write_str(out, id)?,
        None => out.write_all(b"null")?,
    }
    out.write_all(b",\n  \"collectors\": {")?;
    for (i, (name, version)) in p.collectors.iter().enumerate() {
        if i > 0 {
            out.write_all(b", ")?;
        }
        write_str(out, name)?;
        out.write_all(b": ")?;
        write_str(out, version)?;
    }
    out.write_all(b"},\n  \"entries\": {")
}

/// The canonical region from the close of `entries` (`any_entries`: whether
/// some were written) to its end: coverage and errors, which come after the
/// entries so that a manifest can be written while it is collected.
pub(super) fn write_tail<W: Write + ?Sized>(
    out: &mut W,
    any_entries: bool,
    coverage: &[Coverage],
    errors: &[CollectionError],
) -> io::Result<()> {
    if any_entries {
        out.write_all(b"\n  ")?;
    }
    out.write_all(b"},\n  \"coverage\": [")?;
    for (i, c) in coverage.iter().enumerate() {
        out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
        write_coverage(out, c)?;
    }
    if !coverage.is_empty() {
        out.write_all(b"\n  ")?;
    }
    out.write_all(b"],\n  \"errors\": [")?;
    for (i, e) in errors.iter().enumerate() {
        out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
        write_error(out, e)?;
    }
    if !errors.is_empty() {
        out.write_all(b"\n  ")?;
    }
    out.write_all(b"]")
}

/// One coverage record, as `serde_json` writes it compactly, its strings
/// by [`write_str`] (which also escapes what a terminal would obey).
fn write_coverage<W: Write + ?Sized>(out: &mut W, c: &Coverage) -> io::Result<()> {
    out.write_all(b"{\"collector\":")?;
    write_str(out, &c.collector)?;
    out.write_all(b",\"source\":")?;
    write_str(out, &c.source)?;
    out.write_all(b",\"items\":")?;
    out.write_all(itoa::Buffer::new().format(c.items).as_bytes())?;
    out.write_all(b"}")
}

/// One collection error, as `serde_json` writes it compactly, its strings
/// by [`write_str`].
fn write_error<W: Write + ?Sized>(out: &mut W, e: &CollectionError) -> io::Result<()> {
    out.write_all(b"{\"collector\":")?;
    write_str(out, &e.collector)?;
    out.write_all(b",\"source\":")?;
    write_str(out, &e.source)?;
    if let Some(line) = e.line {
        out.write_all(b",\"line\":")?;
        out.write_all(itoa::Buffer::new().format(line).as_bytes())?;
    }
    out.write_all(b",\"kind\":")?;
    serde_json::to_writer(&mut *out, &e.kind)?;
    out.write_all(b",\"message\":")?;
    write_str(out, &e.message)?;
    out.write_all(b"}")
}

/// The end of a manifest: the digest of the canonical region.
pub(super) fn write_digest<W: Write + ?Sized>(
    out: &mut W,
    digest: &blake3::Hash,
) -> io::Result<()> {
    out.write_all(b",\n  \"digest\": \"blake3:")?;
    out.write_all(digest.to_hex().as_bytes())?;
    out.write_all(b"\"\n}\n")?;
    out.flush()
}

/// Entries formatted per batch, in parallel: large manifests (millions of
/// entries) are written several times faster, and the bytes are the same.
const ENTRIES_PER_BATCH: usize = 8 << 10;

fn write_entries<W: Write + ?Sized>(entries: &[Entry], out: &mut W) -> io::Result<()> {
    let threads = rayon::current_num_threads().max(1);
    // A few batches per thread at a time keeps memory bounded. While the
    // pool formats a group, this thread writes (and hashes) the one before.
    let group = ENTRIES_PER_BATCH * threads * 2;
    crate::pipeline::in_order(
        entries.len().div_ceil(group),
        1,
        |g| {
            let start = g * group;
            let part = entries.get(start..(start + group).min(entries.len()));
            format_group(part.unwrap_or_default(), g == 0)
        },
        |_, formatted| write_buffers(out, formatted),
    )
}

/// The text of a group of entries, in batches; `lead` when the group holds
/// the first entry.
fn format_group(group: &[Entry], lead: bool) -> io::Result<Vec<Vec<u8>>> {
    group
        .par_chunks(ENTRIES_PER_BATCH)
        .enumerate()
        .map(|(batch, chunk)| {
            let mut buf = Vec::with_capacity(chunk.len() * 96);
            format_entries(chunk, &mut buf)?;
            if lead && batch == 0 {
                // The first entry of all has no comma before it.
                buf.remove(0);
            }
            Ok(buf)
        })
        .collect()
}

/// Appends each entry to `buf` as `,` and its line (`"key": value`).
pub(super) fn format_entries(entries: &[Entry], buf: &mut Vec<u8>) -> io::Result<()> {
    for e in entries {
        format_entry(e.key.as_str(), &e.value, buf)?;
    }
    Ok(())
}

/// Appends `,` and the line of one entry to `buf`.
pub(super) fn format_entry(key: &str, value: &Value, buf: &mut Vec<u8>) -> io::Result<()> {
    buf.extend_from_slice(b",\n    ");
    write_str(buf, key)?;
    buf.extend_from_slice(b": ");
    write_value(buf, value)
}

/// [`format_entry`] for a value that is an object of strings, fields in
/// order: the same bytes, without the object.
pub(super) fn format_strings_entry(key: &str, fields: &[(&str, &str)], buf: &mut Vec<u8>) {
    buf.extend_from_slice(b",\n    ");
    // Writing into a vector cannot fail.
    let _ = write_str(buf, key);
    buf.extend_from_slice(b": {\"object\": {");
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            buf.extend_from_slice(b", ");
        }
        let _ = write_str(buf, name);
        buf.extend_from_slice(b": ");
        let _ = write_str(buf, value);
    }
    buf.extend_from_slice(b"}}");
}

fn write_buffers<W: Write + ?Sized>(
    out: &mut W,
    buffers: io::Result<Vec<Vec<u8>>>,
) -> io::Result<()> {
    for buf in buffers? {
        out.write_all(&buf)?;
    }
    Ok(())
}

/// [`format_entry`] for a key whose first `clean` bytes need no escape.
pub(super) fn format_entry_after(
    key: &str,
    clean: usize,
    value: &Value,
    buf: &mut Vec<u8>,
) -> io::Result<()> {
    push_str_between(buf, b",\n    ", key, clean, b": ");
    match value {
        Value::String(s) => push_str_between(buf, b"", s, 0, b""),
        _ => write_value(buf, value)?,
    }
    Ok(())
}

/// [`write_str_after`] into a vector, between `before` and `after`: most
/// keys and strings need no escape and are copied whole with their quotes,
/// after one reservation.
#[inline(always)]
fn push_str_between(buf: &mut Vec<u8>, before: &[u8], s: &str, clean: usize, after: &[u8]) {
    if needs_escape(s.as_bytes().get(clean..).unwrap_or_default()) {
        buf.extend_from_slice(before);
        // Writing into a vector cannot fail.
        let _ = write_escaped(buf, s, clean);
        buf.extend_from_slice(after);
        return;
    }
    buf.reserve(before.len() + s.len() + 2 + after.len());
    buf.extend_from_slice(before);
    buf.push(b'"');
    buf.extend_from_slice(s.as_bytes());
    buf.push(b'"');
    buf.extend_from_slice(after);
}

/// Whether any of `bytes` is escaped in a JSON string: short texts (most
/// values) by table, a byte at a time; longer ones by a fold without early
/// exit, which is vectorized.
fn needs_escape(bytes: &[u8]) -> bool {
    if bytes.len() < 32 {
        return bytes
            .iter()
            .fold(0, |acc, &b| acc | ESCAPES[usize::from(b)])
            != 0;
    }
    bytes.iter().fold(false, |acc, &b| {
        acc | (b < 0x20) | (b == b'"') | (b == b'\\') | (b >= 0x7f)
    })
}

/// The length of the part of `bytes` before the first byte that needs an
/// escape: all of them when none does.
pub(super) fn clean_prefix_len(bytes: &[u8]) -> usize {
    if !needs_escape(bytes) {
        return bytes.len();
    }
    bytes
        .iter()
        .position(|&b| ESCAPES[usize::from(b)] != 0)
        .unwrap_or(bytes.len())
}

pub(crate) fn write_str<W: Write + ?Sized>(out: &mut W, s: &str) -> io::Result<()> {
    write_str_after(out, s, 0)
}

/// [`write_str`] for a string whose first `clean` bytes need no escape.
fn write_str_after<W: Write + ?Sized>(out: &mut W, s: &str, clean: usize) -> io::Result<()> {
    // Most keys and values need no escape: written as they are.
    if !needs_escape(s.as_bytes().get(clean..).unwrap_or_default()) {
        out.write_all(b"\"")?;
        out.write_all(s.as_bytes())?;
        return out.write_all(b"\"");
    }
    write_escaped(out, s, clean)
}

/// Writes `text` (whose first `clean` bytes need no escape) as a JSON
/// string, the same bytes serde_json writes for text a terminal shows as
/// it is: the short escapes, `\u00XX` with lower-case digits for other
/// controls, everything else as it is. Characters a terminal would obey
/// or hide ([`crate::display::is_hidden`]: DEL, C1 controls, bidirectional
/// overrides, zero-width characters…) are written `\uXXXX` as well (a
/// surrogate pair above U+FFFF), which JSON readers decode to the same
/// text. (A function apart, so that the common case stays small.)
#[inline(never)]
fn write_escaped<W: Write + ?Sized>(out: &mut W, text: &str, clean: usize) -> io::Result<()> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let u = |out: &mut W, unit: u16| {
        let d = |shift: u16| HEX[usize::from((unit >> shift) & 0xf)];
        out.write_all(&[b'\\', b'u', d(12), d(8), d(4), d(0)])
    };
    let bytes = text.as_bytes();
    out.write_all(b"\"")?;
    let mut start = 0;
    let mut i = clean;
    while let Some(&b) = bytes.get(i) {
        let escape = ESCAPES[usize::from(b)];
        if escape == 0 {
            i += 1;
            continue;
        }
        if escape == MAYBE {
            // The first byte of a character beyond ASCII.
            let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else {
                i += 1;
                continue;
            };
            let len = c.len_utf8();
            if crate::display::is_hidden(c) {
                out.write_all(&bytes[start..i])?;
                let mut units = [0u16; 2];
                for &unit in c.encode_utf16(&mut units).iter() {
                    u(out, unit)?;
                }
                start = i + len;
            }
            i += len;
            continue;
        }
        out.write_all(&bytes[start..i])?;
        if escape == b'u' {
            u(out, u16::from(b))?;
        } else {
            out.write_all(&[b'\\', escape])?;
        }
        i += 1;
        start = i;
    }
    out.write_all(&bytes[start..])?;
    out.write_all(b"\"")
}

/// Per byte, how it is escaped in a JSON string: 0 not at all, `u` as
/// `\u00XX`, [`MAYBE`] when the character it starts may need `\uXXXX`,
/// else a backslash and this character.
static ESCAPES: [u8; 256] = escapes();

/// In [`ESCAPES`]: a byte beyond ASCII, whose character is escaped when
/// [`crate::display::is_hidden`].
const MAYBE: u8 = 1;

const fn escapes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b'u';
        b += 1;
    }
    t[0x7f] = b'u';
    let mut b = 0x80;
    while b < 0x100 {
        t[b] = MAYBE;
        b += 1;
    }
    t[b'\n' as usize] = b'n';
    t[b'\r' as usize] = b'r';
    t[b'\t' as usize] = b't';
    t[0x08] = b'b';
    t[0x0c] = b'f';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
}

/// Writes a value in the manifest's encoding: scalars bare, everything else
/// an object with a single type tag.
pub(crate) fn write_value<W: Write + ?Sized>(out: &mut W, value: &Value) -> io::Result<()> {
    match value {
        Value::Null => out.write_all(b"null"),
        Value::Bool(true) => out.write_all(b"true"),
        Value::Bool(false) => out.write_all(b"false"),
        Value::Int(i) => out.write_all(itoa::Buffer::new().format(*i).as_bytes()),
        Value::Float(f) if f.is_finite() => {
            serde_json::to_writer(&mut *out, f).map_err(io::Error::from)
        }
        Value::Float(f) => {
            let name = if f.is_nan() {
                "nan"
            } else if *f > 0.0 {
                "inf"
            } else {
                "-inf"
            };
            write!(out, "{{\"float\": \"{name}\"}}")
        }
        Value::String(s) => write_str(out, s),
        Value::Secret(fp) => {
            out.write_all(b"{\"secret\": ")?;
            write_str(out, fp.as_str())?;
            out.write_all(b"}")
        }
        Value::Url(u) => {
            out.write_all(b"{\"url\": {\"url\": ")?;
            write_str(out, &u.url)?;
            out.write_all(b", \"password\": ")?;
            write_str(out, u.password.as_str())?;
            out.write_all(b"}}")
        }
        Value::Version(v) => {
            out.write_all(b"{\"version\": {\"scheme\": ")?;
            write_str(out, &v.scheme)?;
            out.write_all(b", \"text\": ")?;
            write_str(out, &v.text)?;
            if v.dev {
                out.write_all(b", \"dev\": true")?;
            }
            out.write_all(b"}}")
        }
        Value::File(f) => {
            out.write_all(b"{\"file\": {\"blake3\": ")?;
            write_str(out, &f.blake3)?;
            out.write_all(b", \"size\": ")?;
            out.write_all(itoa::Buffer::new().format(f.size).as_bytes())?;
            if let Some(mode) = f.mode {
                write!(out, ", \"mode\": \"{mode:04o}\"")?;
            }
            if let Some(text) = &f.text {
                out.write_all(b", \"text\": ")?;
                write_str(out, text)?;
            }
            out.write_all(b"}}")
        }
        Value::Object(map) => {
            out.write_all(b"{\"object\": {")?;
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.write_all(b", ")?;
                }
                write_str(out, k)?;
                out.write_all(b": ")?;
                write_value(out, v)?;
            }
            out.write_all(b"}}")
        }
        Value::List(items) => {
            out.write_all(b"{\"list\": [")?;
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.write_all(b", ")?;
                }
                write_value(out, v)?;
            }
            out.write_all(b"]}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that records the size of each write it is given.
    #[derive(Default)]
    struct Recording {
        bytes: Vec<u8>,
        writes: Vec<usize>,
    }

    impl Write for Recording {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.bytes.extend_from_slice(buf);
            self.writes.push(buf.len());
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn hashing_passes_on_every_byte_in_blocks_and_hashes_them_all() {
        let data: Vec<u8> = (0..3 * HASH_BLOCK + 12345)
            .map(|i| (i % 251) as u8)
            .collect();
        // Small writes, one at a block's edge, one larger than a block.
        let sizes = [1, 7, HASH_BLOCK - 8, 100, HASH_BLOCK + 3, 4096];
        let mut out = Recording::default();
        let mut hashing = HashingWriter::new(&mut out);
        let (mut at, mut i) = (0, 0);
        while at < data.len() {
            let n = sizes[i % sizes.len()].min(data.len() - at);
            hashing.write_all(&data[at..at + n]).unwrap();
            at += n;
            i += 1;
        }
        let (digest, _) = hashing.finalize().unwrap();
        assert_eq!(digest, blake3::hash(&data));
        assert_eq!(out.bytes, data);
        // The write larger than a block is passed on as it came.
        assert!(out.writes.contains(&(HASH_BLOCK + 3)), "{:?}", out.writes);

        // Small writes are gathered into blocks.
        let mut out = Recording::default();
        let mut hashing = HashingWriter::new(&mut out);
        for piece in data.chunks(100) {
            hashing.write_all(piece).unwrap();
        }
        let (digest, _) = hashing.finalize().unwrap();
        assert_eq!(digest, blake3::hash(&data));
        assert_eq!(out.bytes, data);
        assert!(out.writes.len() <= data.len() / (HASH_BLOCK - 100) + 1);
        assert!(out.writes.iter().all(|&n| n <= HASH_BLOCK));
    }

    #[test]
    fn escapes_are_found_at_every_place_and_byte() {
        let naive = |b: &[u8]| {
            b.iter()
                .any(|&c| c < 0x20 || c == b'"' || c == b'\\' || c >= 0x7f)
        };
        // Short texts and long ones, which are looked at differently.
        for len in (0..20).chain(30..36) {
            for at in 0..len {
                for c in 0..=255u8 {
                    // Neighbours that sit close to the bytes looked for.
                    let mut text = vec![b'!'; len];
                    text[at] = c;
                    if at > 0 {
                        text[at - 1] = 0x80;
                    }
                    assert_eq!(needs_escape(&text), naive(&text), "{text:?}");
                }
            }
        }
        assert_eq!(clean_prefix_len(b"config:a.properties:\"x.y\""), 20);
        assert_eq!(clean_prefix_len(b"config:a.yaml:x"), 15);
        assert_eq!(clean_prefix_len(b"\n"), 0);
        // Beyond ASCII, the character is looked at.
        assert!(needs_escape("config:app.yaml:clé.value".as_bytes()));
        assert_eq!(clean_prefix_len("config:app.yaml:clé".as_bytes()), 18);
        assert!(needs_escape(b"config:app.yaml:\"tab\tname\""));
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut samples: Vec<String> = (0..=0x7fu8).map(|b| format!("a{}b", b as char)).collect();
        samples.extend(
            [
                "",
                "plain",
                "config:app.properties:\"app.key_0\"",
                "line 1\nline 2\r\n\ttab \\ back\\slash \"q\"",
                "\u{1}\u{1f}\u{7f}\u{80}\u{9f}é✓",
                "\u{9b}31m \u{202e}evil\u{2069} zero\u{200b}width \u{feff} \u{e0041}",
                "é ü 漢 😀",
                "\"",
                "\\",
                "end\n",
            ]
            .map(String::from),
        );
        for s in &samples {
            for clean in [0, 1] {
                if !s.is_char_boundary(clean.min(s.len())) {
                    continue;
                }
                let clean = clean.min(s.len());
                if needs_escape(&s.as_bytes()[..clean]) {
                    continue;
                }
                let mut ours = Vec::new();
                write_str_after(&mut ours, s, clean).unwrap();
                let ours = String::from_utf8(ours).unwrap();
                // Read back as the same text.
                assert_eq!(&serde_json::from_str::<String>(&ours).unwrap(), s);
                // Nothing a terminal obeys or hides is left as it is.
                assert!(!ours.chars().any(crate::display::is_hidden), "{ours}");
                // serde_json's bytes, but for those characters.
                let theirs = serde_json::to_string(s).unwrap();
                if !s
                    .chars()
                    .any(|c| c as u32 >= 0x7f && crate::display::is_hidden(c))
                {
                    assert_eq!(ours, theirs, "{s:?} after {clean}");
                }
            }
        }
        let mut out = Vec::new();
        write_str(&mut out, "a\u{7f}\u{9b}\u{202e}\u{e0041}é").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#""a\u007f\u009b\u202e\udb40\udc41é""#
        );
    }

    #[test]
    fn coverage_and_errors_are_written_as_serde_json_writes_them() {
        let c = Coverage {
            collector: "config".into(),
            source: "/srv/app".into(),
            items: 12,
        };
        let mut ours = Vec::new();
        write_coverage(&mut ours, &c).unwrap();
        assert_eq!(ours, serde_json::to_vec(&c).unwrap());
        for line in [None, Some(3)] {
            let mut e = CollectionError::new(
                "config",
                "a \"b\".yaml",
                crate::ErrorKind::Parse,
                "bad\tthing",
            );
            e.line = line;
            let mut ours = Vec::new();
            write_error(&mut ours, &e).unwrap();
            assert_eq!(ours, serde_json::to_vec(&e).unwrap());
        }
    }

    #[test]
    fn a_failed_write_is_reported() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut hashing = HashingWriter::new(Full);
        // Gathered, so not failed yet; passed on, it fails.
        hashing.write_all(b"entries").unwrap();
        let err = hashing.finalize().err().unwrap();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        let mut hashing = HashingWriter::new(Full);
        assert!(hashing.write_all(&vec![0; HASH_BLOCK]).is_err());
    }
}
