//! Deterministic serialization and the digest.
//!
//! Layout: `format` and `created_at` first, then the canonical region (from
//! `format_minor` to the end of `entries`), then `digest`, the BLAKE3 of the
//! canonical region's bytes. The writer streams the region through the
//! hasher, so a manifest is serialized once.

use std::io::{self, Write};

use super::{FORMAT, FORMAT_MINOR, Manifest};
use crate::value::Value;

impl Manifest {
    /// Writes the manifest as pretty, deterministic JSON: the same content
    /// gives the same bytes, `created_at` aside.
    ///
    /// Wrap a file in a `BufWriter`; the caller makes the write atomic.
    pub fn write_to<W: Write>(&self, out: W) -> io::Result<()> {
        let mut out = out;
        out.write_all(b"{\n  \"format\": ")?;
        write_str(&mut out, FORMAT)?;
        out.write_all(b",\n")?;
        if let Some(created) = &self.created_at {
            out.write_all(b"  \"created_at\": ")?;
            write_str(&mut out, created)?;
            out.write_all(b",\n")?;
        }
        let mut hashing = HashingWriter {
            inner: &mut out,
            hasher: blake3::Hasher::new(),
        };
        write_canonical(self, &mut hashing)?;
        let digest = hashing.hasher.finalize().to_hex();
        out.write_all(b",\n  \"digest\": \"blake3:")?;
        out.write_all(digest.as_bytes())?;
        out.write_all(b"\"\n}\n")?;
        out.flush()
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
    let mut hashing = HashingWriter {
        inner: io::sink(),
        hasher: blake3::Hasher::new(),
    };
    // Writing to a sink cannot fail.
    let _ = write_canonical(manifest, &mut hashing);
    format!("blake3:{}", hashing.hasher.finalize().to_hex())
}

struct HashingWriter<W> {
    inner: W,
    hasher: blake3::Hasher,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn write_canonical<W: Write>(m: &Manifest, out: &mut W) -> io::Result<()> {
    write!(out, "  \"format_minor\": {FORMAT_MINOR},\n  \"tool\": ")?;
    write_str(out, &m.tool)?;
    out.write_all(b",\n  \"environment\": ")?;
    write_str(out, &m.environment)?;
    out.write_all(b",\n  \"target\": ")?;
    write_str(out, &m.target)?;
    out.write_all(b",\n  \"fingerprint_key\": ")?;
    match &m.fingerprint_key {
        Some(id) => write_str(out, id)?,
        None => out.write_all(b"null")?,
    }
    out.write_all(b",\n  \"collectors\": {")?;
    for (i, (name, version)) in m.collectors.iter().enumerate() {
        if i > 0 {
            out.write_all(b", ")?;
        }
        write_str(out, name)?;
        out.write_all(b": ")?;
        write_str(out, version)?;
    }
    out.write_all(b"},\n  \"coverage\": [")?;
    for (i, c) in m.coverage.iter().enumerate() {
        out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
        serde_json::to_writer(&mut *out, c)?;
    }
    if !m.coverage.is_empty() {
        out.write_all(b"\n  ")?;
    }
    out.write_all(b"],\n  \"errors\": [")?;
    for (i, e) in m.errors.iter().enumerate() {
        out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
        serde_json::to_writer(&mut *out, e)?;
    }
    if !m.errors.is_empty() {
        out.write_all(b"\n  ")?;
    }
    out.write_all(b"],\n  \"entries\": {")?;
    for (i, e) in m.entries.iter().enumerate() {
        out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
        write_str(out, e.key.as_str())?;
        out.write_all(b": ")?;
        write_value(out, &e.value)?;
    }
    if !m.entries.is_empty() {
        out.write_all(b"\n  ")?;
    }
    out.write_all(b"}")
}

pub(super) fn write_str<W: Write + ?Sized>(out: &mut W, s: &str) -> io::Result<()> {
    serde_json::to_writer(out, s).map_err(io::Error::from)
}

/// Writes a value in the manifest's encoding: scalars bare, everything else
/// an object with a single type tag.
pub(crate) fn write_value<W: Write + ?Sized>(out: &mut W, value: &Value) -> io::Result<()> {
    match value {
        Value::Null => out.write_all(b"null"),
        Value::Bool(true) => out.write_all(b"true"),
        Value::Bool(false) => out.write_all(b"false"),
        Value::Int(i) => write!(out, "{i}"),
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
            write!(out, ", \"size\": {}", f.size)?;
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
