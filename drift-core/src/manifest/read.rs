//! Reading and validating manifests.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Seek, SeekFrom};

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{CollectionError, Coverage, Entry, FORMAT, FORMAT_MINOR, Manifest};
use crate::fingerprint::Fingerprint;
use crate::key::KeyPath;
use crate::value::{FileInfo, SecretUrl, Value, Version};

/// Why a manifest could not be read. Every variant names the manifest.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// Not JSON, or JSON of the wrong shape.
    #[error("`{origin}` is not a valid drift manifest: {message} at line {line} column {column}")]
    Invalid {
        /// The manifest's name.
        origin: String,
        /// What is wrong.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The file ends too early.
    #[error(
        "`{origin}` is truncated (it ends at line {line} column {column}): \
         was the snapshot interrupted? take it again"
    )]
    Truncated {
        /// The manifest's name.
        origin: String,
        /// Where it ends.
        line: usize,
        /// Where it ends.
        column: usize,
    },
    /// The format tag is missing or is not a drift manifest's.
    #[error("`{origin}` is not a drift manifest: {found}; create one with `drift snapshot`")]
    NotAManifest {
        /// The manifest's name.
        origin: String,
        /// What was found instead.
        found: String,
    },
    /// A major version this drift does not read.
    #[error(
        "`{origin}` is in format `{found}`, which this drift cannot read \
         (it reads `{FORMAT}`): upgrade drift or snapshot again with this version"
    )]
    UnsupportedVersion {
        /// The manifest's name.
        origin: String,
        /// The format tag found.
        found: String,
    },
    /// A required field is missing.
    #[error("`{origin}` is not a valid drift manifest: the field `{field}` is missing")]
    MissingField {
        /// The manifest's name.
        origin: String,
        /// The field.
        field: &'static str,
    },
    /// The manifest could not be read.
    #[error("cannot read the manifest `{origin}`: {error}")]
    Unreadable {
        /// The manifest's name.
        origin: String,
        /// Why (in the message: not also a source to print twice).
        error: std::io::Error,
    },
    /// The manifest is larger than the reader was allowed to read.
    #[error(
        "`{origin}` is larger than {limit} bytes, the most a manifest is read at: \
         is it a manifest? raise the limit with `--max-manifest-size BYTES` if it is"
    )]
    TooLarge {
        /// The manifest's name.
        origin: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The content does not match the digest: the manifest was edited or
    /// damaged after drift wrote it. (The digest is in the file: it tells
    /// accidents, not forgery.)
    #[error(
        "`{origin}` was changed after drift wrote it (its digest does not match its content): \
         take a new snapshot instead of editing one"
    )]
    DigestMismatch {
        /// The manifest's name.
        origin: String,
    },
}

impl Manifest {
    /// Reads a manifest from JSON bytes. `origin` names it in errors (a file
    /// path, `<stdin>`).
    ///
    /// Validates the format tag and major version, every key path and value,
    /// refuses duplicate keys, and checks the digest (of any minor version:
    /// see [`ManifestError::DigestMismatch`]).
    pub fn from_slice(bytes: &[u8], origin: &str) -> Result<Manifest, ManifestError> {
        if let Some(raw) = super::read_parallel::parse(bytes) {
            return raw.into_manifest(origin, canonical_region(bytes).map(region_digest));
        }
        Manifest::from_slice_sequential(bytes, origin)
    }

    /// [`Manifest::from_slice`] by the sequential reader alone: the
    /// reference path that the parallel and streaming readers must agree
    /// with, and the one that names errors.
    pub(super) fn from_slice_sequential(
        bytes: &[u8],
        origin: &str,
    ) -> Result<Manifest, ManifestError> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let raw = de
            .deserialize_map(TopVisitor)
            .and_then(|raw| de.end().map(|()| raw))
            .map_err(|e| json_error(e, origin))?;
        raw.into_manifest(origin, canonical_region(bytes).map(region_digest))
    }

    /// Reads a manifest from a file: as [`Manifest::from_slice`] reads its
    /// bytes, with the same checks and errors, but a large manifest is
    /// parsed block by block while it is read, on every core, without
    /// holding the whole file. A reader that cannot seek (a pipe) is read
    /// whole first. A manifest larger than [`DEFAULT_MAX_MANIFEST_SIZE`] is
    /// refused (see [`Manifest::from_reader_limited`]).
    ///
    /// ```
    /// use drift_core::manifest::{Collection, Manifest, ManifestBuilder};
    /// use drift_core::secret::Sanitizer;
    ///
    /// let mut c = Collection::new();
    /// c.insert(drift_core::KeyPath::env("REGION"), "eu-west-1");
    /// let mut b = ManifestBuilder::new("prod", "local", Sanitizer::default());
    /// b.add("env", "1", c);
    /// let text = b.finish(None).to_json_string();
    /// let m = Manifest::from_reader(std::io::Cursor::new(text), "prod.json")?;
    /// assert_eq!(m.get("env:REGION").and_then(|v| v.as_str()), Some("eu-west-1"));
    /// # Ok::<(), drift_core::manifest::ManifestError>(())
    /// ```
    pub fn from_reader<R: Read + Seek>(reader: R, origin: &str) -> Result<Manifest, ManifestError> {
        Manifest::from_reader_limited(reader, origin, DEFAULT_MAX_MANIFEST_SIZE)
    }

    /// [`Manifest::from_reader`], reading at most `max_bytes`: a larger
    /// manifest is [`ManifestError::TooLarge`], refused before it is read
    /// when its length is known (a file), after `max_bytes` otherwise (a
    /// pipe). Memory then stays within what the limit allows, whatever the
    /// file holds.
    pub fn from_reader_limited<R: Read + Seek>(
        mut reader: R,
        origin: &str,
        max_bytes: u64,
    ) -> Result<Manifest, ManifestError> {
        let unreadable = |error| ManifestError::Unreadable {
            origin: origin.to_owned(),
            error,
        };
        let too_large = || ManifestError::TooLarge {
            origin: origin.to_owned(),
            limit: max_bytes,
        };
        // A pipe cannot seek (nor go back after a declined stream).
        let len = match reader.seek(SeekFrom::End(0)) {
            Ok(len) => {
                reader.seek(SeekFrom::Start(0)).map_err(unreadable)?;
                Some(len)
            }
            Err(_) => None,
        };
        if len.is_some_and(|len| len > max_bytes) {
            // Refused unread; but a directory opened as a file claims a
            // length of i64::MAX, and is told by the read that fails.
            reader.read(&mut [0; 1]).map_err(unreadable)?;
            return Err(too_large());
        }
        if let Some(len) = len
            && len >= super::read_parallel::MIN_BYTES as u64
            && rayon::current_num_threads() >= 2
        {
            if let Some(s) = super::read_stream::read(&mut reader).map_err(unreadable)? {
                return s.raw.into_manifest(origin, s.region_digest);
            }
            reader.seek(SeekFrom::Start(0)).map_err(unreadable)?;
        }
        // A small file is read whole, as it is: its memory is bounded by
        // `WHOLE_MAX` whatever it holds, and the compact reader's pass over
        // every byte would cost a fleet of small manifests a third of its
        // time. (A file that grew past its length since is read again
        // below.)
        if let Some(len) = len
            && len < WHOLE_MAX as u64
        {
            let limit = max_bytes.min(WHOLE_MAX as u64);
            let mut bytes = Vec::with_capacity(len as usize);
            (&mut reader)
                .take(limit.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(unreadable)?;
            if bytes.len() as u64 <= limit {
                return Manifest::from_slice_sequential(&bytes, origin);
            }
            drop(bytes);
            reader.seek(SeekFrom::Start(0)).map_err(unreadable)?;
        }
        // A length is a hint only: a directory opened as a file seeks to
        // i64::MAX, which must not become an allocation.
        // (The length, when known, is within the limit: reserved exactly,
        // so that the vector does not double past it.)
        let capacity = len
            .and_then(|l| usize::try_from(l).ok())
            .unwrap_or(0)
            .min(PREALLOCATE_MAX);
        // Read without the whitespace between tokens, so that memory goes
        // with what the manifest holds, not with its size (see
        // `read_compact`).
        let compact = super::read_compact::read(&mut reader, max_bytes, capacity)
            .map_err(unreadable)?
            .ok_or_else(too_large)?;
        let mut de = serde_json::Deserializer::from_slice(&compact.bytes);
        let error = match de
            .deserialize_map(TopVisitor)
            .and_then(|raw| de.end().map(|()| raw))
        {
            Ok(raw) => return raw.into_manifest(origin, compact.region_digest.clone()),
            Err(e) => e,
        };
        // A JSON error: its position in the file is exact when the file is
        // read again whole (it can seek: the invalid manifest then costs
        // its size, within `max_bytes`), and close (the same token, give
        // or take the whitespace around it) from a pipe.
        drop(de);
        if reader.seek(SeekFrom::Start(0)).is_ok() {
            drop(compact);
            let mut bytes = Vec::with_capacity(capacity);
            reader
                .take(max_bytes.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(unreadable)?;
            if bytes.len() as u64 > max_bytes {
                return Err(too_large());
            }
            return Manifest::from_slice_sequential(&bytes, origin);
        }
        let (line, column) = compact.position(error.line(), error.column(), error.is_eof());
        Err(json_error_at(error, origin, line, column))
    }
}

/// The most [`Manifest::from_reader`] reads: 1 GiB, several times what
/// a snapshot of millions of entries takes.
pub const DEFAULT_MAX_MANIFEST_SIZE: u64 = 1 << 30;

/// The most [`Manifest::from_reader`] reserves ahead of reading.
const PREALLOCATE_MAX: usize = 4 << 30;

/// Files shorter than this are read whole rather than compacted: below the
/// size the streaming reader takes, their memory is bounded anyway.
const WHOLE_MAX: usize = super::read_parallel::MIN_BYTES;

/// The canonical region of a manifest as drift writes it: from
/// `"format_minor"` to the end of `entries`. When the file is untouched its
/// bytes hash to the digest directly, which saves re-serializing millions of
/// entries; a reformatted file falls back to re-serialization.
fn canonical_region(bytes: &[u8]) -> Option<&[u8]> {
    let start = region_start(bytes)?;
    let tail_from = bytes.len().saturating_sub(256).max(start);
    let end = tail_from + region_end(&bytes[tail_from..])?;
    Some(&bytes[start..end])
}

/// Where the canonical region starts, in the first 4 KiB of a manifest.
pub(super) fn region_start(bytes: &[u8]) -> Option<usize> {
    const START: &[u8] = b"\n  \"format_minor\": ";
    let head = &bytes[..bytes.len().min(4096)];
    Some(head.windows(START.len()).position(|w| w == START)? + 1)
}

/// Where the canonical region ends in the last bytes of a manifest.
pub(super) fn region_end(tail: &[u8]) -> Option<usize> {
    const END: &[u8] = b",\n  \"digest\": \"";
    tail.windows(END.len()).rposition(|w| w == END)
}

/// A digest as manifests write it.
pub(super) fn digest_of(hasher: blake3::Hasher) -> String {
    format!("blake3:{}", hasher.finalize().to_hex())
}

/// The digest of a canonical region.
fn region_digest(region: &[u8]) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(region);
    digest_of(hasher)
}

fn json_error(e: serde_json::Error, origin: &str) -> ManifestError {
    let (line, column) = (e.line(), e.column());
    json_error_at(e, origin, line, column)
}

/// [`json_error`], placed at `line` and `column` of the file.
fn json_error_at(e: serde_json::Error, origin: &str, line: usize, column: usize) -> ManifestError {
    if e.is_eof() {
        return ManifestError::Truncated {
            origin: origin.to_owned(),
            line,
            column,
        };
    }
    let text = e.to_string();
    // serde_json appends " at line L column C"; we print our own.
    let message = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(m, _)| m);
    if let Some(tag) = message.strip_prefix("\u{1}format:") {
        return ManifestError::NotAManifest {
            origin: origin.to_owned(),
            found: tag.to_owned(),
        };
    }
    if let Some(tag) = message.strip_prefix("\u{1}major:") {
        return ManifestError::UnsupportedVersion {
            origin: origin.to_owned(),
            found: tag.to_owned(),
        };
    }
    ManifestError::Invalid {
        origin: origin.to_owned(),
        message: redact_quoted(message),
        line,
        column,
    }
}

/// Replaces double-quoted text in a parser message with `"…"`, so that a
/// secret in a file passed by mistake is never echoed.
fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut inside = false;
    for c in message.chars() {
        if c == '"' {
            if inside {
                out.push_str("…\"");
            } else {
                out.push('"');
            }
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    if inside {
        out.push_str("…\"");
    }
    out
}

#[derive(Default)]
pub(super) struct Raw {
    format: Option<String>,
    created_at: Option<String>,
    format_minor: Option<u32>,
    tool: Option<String>,
    environment: Option<String>,
    target: Option<String>,
    host: Option<String>,
    role: Option<String>,
    fingerprint_key: Option<Option<String>>,
    collectors: Option<BTreeMap<String, String>>,
    coverage: Option<Vec<Coverage>>,
    errors: Option<Vec<CollectionError>>,
    pub(super) entries: Option<Vec<Entry>>,
    pub(super) digest: Option<String>,
}

fn check_format<E: de::Error>(tag: &str) -> Result<(), E> {
    if tag == FORMAT {
        return Ok(());
    }
    if let Some(major) = tag.strip_prefix("drift-manifest/") {
        let _ = major;
        return Err(E::custom(format!("\u{1}major:{tag}")));
    }
    let shown: String = tag.chars().take(40).collect();
    Err(E::custom(format!(
        "\u{1}format:its format tag is `{shown}`, not `{FORMAT}`"
    )))
}

pub(super) struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a drift manifest (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut raw = Raw::default();
        let mut deferred: Option<&'de RawValue> = None;
        while let Some(field) = map.next_key::<String>()? {
            macro_rules! once {
                ($slot:expr, $name:literal) => {{
                    if $slot.is_some() {
                        return Err(de::Error::custom(concat!(
                            "the field `",
                            $name,
                            "` appears twice"
                        )));
                    }
                    $slot = Some(map.next_value()?);
                }};
            }
            match field.as_str() {
                "format" => {
                    once!(raw.format, "format");
                    if let Some(tag) = &raw.format {
                        check_format::<A::Error>(tag)?;
                    }
                }
                "created_at" => once!(raw.created_at, "created_at"),
                "format_minor" => once!(raw.format_minor, "format_minor"),
                "tool" => once!(raw.tool, "tool"),
                "environment" => once!(raw.environment, "environment"),
                "target" => once!(raw.target, "target"),
                "host" => once!(raw.host, "host"),
                "role" => once!(raw.role, "role"),
                "fingerprint_key" => once!(raw.fingerprint_key, "fingerprint_key"),
                "collectors" => once!(raw.collectors, "collectors"),
                "coverage" => once!(raw.coverage, "coverage"),
                "errors" => once!(raw.errors, "errors"),
                "digest" => once!(raw.digest, "digest"),
                "entries" => {
                    if raw.entries.is_some() || deferred.is_some() {
                        return Err(de::Error::custom("the field `entries` appears twice"));
                    }
                    if raw.format.is_none() {
                        // A reordered file (`jq -S`): check the format tag
                        // first, so that a foreign file's `entries` is not
                        // misread as a manifest's.
                        deferred = Some(map.next_value::<&'de RawValue>()?);
                    } else {
                        raw.entries = Some(map.next_value_seed(EntriesSeed::default())?);
                    }
                }
                // Fields of a newer minor version are tolerated.
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(entries) = deferred {
            match &raw.format {
                Some(tag) => check_format::<A::Error>(tag)?,
                None => {
                    return Err(de::Error::custom("\u{1}format:it has no `format` field"));
                }
            }
            let mut de = serde_json::Deserializer::from_str(entries.get());
            raw.entries = Some(
                EntriesSeed::default()
                    .deserialize(&mut de)
                    .map_err(de::Error::custom)?,
            );
        }
        Ok(raw)
    }
}

impl Raw {
    pub(super) fn into_manifest(
        self,
        origin: &str,
        region_digest: Option<String>,
    ) -> Result<Manifest, ManifestError> {
        let missing = |field| ManifestError::MissingField {
            origin: origin.to_owned(),
            field,
        };
        let Some(format) = self.format else {
            return Err(ManifestError::NotAManifest {
                origin: origin.to_owned(),
                found: "it has no `format` field".to_owned(),
            });
        };
        check_format::<serde_json::Error>(&format).map_err(|e| json_error(e, origin))?;
        let format_minor = self.format_minor.ok_or_else(|| missing("format_minor"))?;
        let digest = self.digest.ok_or_else(|| missing("digest"))?;
        let manifest = Manifest {
            environment: self.environment.ok_or_else(|| missing("environment"))?,
            target: self.target.ok_or_else(|| missing("target"))?,
            host: self.host,
            role: match self.role.as_deref() {
                None | Some("environment") => super::Role::Environment,
                Some("release") => super::Role::Release,
                Some(_) => {
                    return Err(ManifestError::NotAManifest {
                        origin: origin.to_owned(),
                        found: "its `role` is neither `environment` nor `release`".to_owned(),
                    });
                }
            },
            created_at: self.created_at,
            tool: self.tool.ok_or_else(|| missing("tool"))?,
            fingerprint_key: self.fingerprint_key.flatten(),
            collectors: self.collectors.unwrap_or_default(),
            coverage: self.coverage.unwrap_or_default(),
            errors: self.errors.unwrap_or_default(),
            entries: self.entries.ok_or_else(|| missing("entries"))?,
            format_minor,
        };
        // The digest is of the bytes as written, so it is checked whatever
        // the minor version. When the bytes are not drift's layout (a file
        // reformatted by `jq`), this version re-serializes what it read;
        // a newer minor may hold fields it cannot write back, so such a
        // file must keep the bytes its drift wrote.
        #[allow(clippy::absurd_extreme_comparisons)]
        let rewritable = format_minor <= FORMAT_MINOR;
        let raw_matches = region_digest.is_some_and(|r| r == digest);
        if !raw_matches && (!rewritable || manifest.digest() != digest) {
            return Err(ManifestError::DigestMismatch {
                origin: origin.to_owned(),
            });
        }
        Ok(manifest)
    }
}

/// The entries object; `capacity`: how many entries are expected, when
/// known (the lines of a piece), else 0.
#[derive(Default)]
pub(super) struct EntriesSeed {
    pub(super) capacity: usize,
}

impl<'de> DeserializeSeed<'de> for EntriesSeed {
    type Value = Vec<Entry>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Entry>, D::Error> {
        d.deserialize_map(EntriesVisitor {
            capacity: self.capacity,
        })
    }
}

struct EntriesVisitor {
    capacity: usize,
}

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Vec<Entry>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object mapping key paths to values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Entry>, A::Error> {
        let expected = map.size_hint().unwrap_or(self.capacity);
        let mut entries = KeyOrder::with_capacity(if expected > 0 { expected } else { 1024 });
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let key = KeyPath::new(key.into_owned()).map_err(de::Error::custom)?;
            if entries.repeats(&key) {
                return Err(de::Error::custom(format!("the key `{key}` appears twice")));
            }
            let value = map.next_value_seed(ValueSeed)?;
            entries.push(Entry { key, value });
        }
        entries
            .finish()
            .map_err(|key| de::Error::custom(format!("the key `{key}` appears twice")))
    }
}

/// Entries as they are read, most often already in key order: a key equal
/// to the one before is told at once, and the rest sorted at the end when
/// they came out of order.
pub(super) struct KeyOrder {
    entries: Vec<Entry>,
    sorted: bool,
}

impl KeyOrder {
    pub(super) fn with_capacity(capacity: usize) -> KeyOrder {
        KeyOrder {
            entries: Vec::with_capacity(capacity),
            sorted: true,
        }
    }

    /// Whether `key` is the key of the last entry (a key twice).
    pub(super) fn repeats(&mut self, key: &KeyPath) -> bool {
        match self.entries.last().map(|last| last.key.cmp(key)) {
            Some(std::cmp::Ordering::Equal) => true,
            Some(std::cmp::Ordering::Greater) => {
                self.sorted = false;
                false
            }
            _ => false,
        }
    }

    pub(super) fn push(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    /// The entries in key order, or a key met twice.
    pub(super) fn finish(mut self) -> Result<Vec<Entry>, KeyPath> {
        if !self.sorted {
            self.entries.sort_by(|a, b| a.key.cmp(&b.key));
            if let Some(w) = self.entries.windows(2).find(|w| w[0].key == w[1].key) {
                return Err(w[0].key.clone());
            }
        }
        Ok(self.entries)
    }
}

struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an entry value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<Value, A::Error> {
        Err(de::Error::custom(
            "a bare JSON array is not an entry value; lists are written as {\"list\": [...]}",
        ))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Some(tag) = map.next_key::<String>()? else {
            return Err(de::Error::custom(
                "an empty object is not an entry value; objects are written as {\"object\": {...}}",
            ));
        };
        let value = match tag.as_str() {
            "secret" => {
                let text: String = map.next_value()?;
                Value::Secret(Fingerprint::parse(&text).map_err(de::Error::custom)?)
            }
            "url" => {
                let u: RawUrl = map.next_value()?;
                Value::from(SecretUrl {
                    url: u.url,
                    password: Fingerprint::parse(&u.password).map_err(de::Error::custom)?,
                })
            }
            "version" => {
                let v: RawVersion = map.next_value()?;
                Value::from(Version {
                    scheme: v.scheme,
                    text: v.text,
                    dev: v.dev,
                })
            }
            "file" => {
                let f: RawFile = map.next_value()?;
                let mode = match f.mode {
                    Some(m) => Some(u32::from_str_radix(&m, 8).map_err(|_| {
                        de::Error::custom("a file mode must be octal digits such as \"0644\"")
                    })?),
                    None => None,
                };
                Value::from(FileInfo {
                    blake3: f.blake3,
                    size: f.size,
                    mode,
                    text: f.text,
                })
            }
            "object" => Value::Object(map.next_value_seed(ObjectSeed)?),
            "list" => Value::List(map.next_value_seed(ListSeed)?),
            "float" => {
                let name: String = map.next_value()?;
                match name.as_str() {
                    "nan" => Value::Float(f64::NAN),
                    "inf" => Value::Float(f64::INFINITY),
                    "-inf" => Value::Float(f64::NEG_INFINITY),
                    _ => {
                        return Err(de::Error::custom(
                            "a special float is \"nan\", \"inf\" or \"-inf\"",
                        ));
                    }
                }
            }
            other => {
                let shown: String = other.chars().take(32).collect();
                return Err(de::Error::custom(format!(
                    "unknown value type `{shown}` (expected secret, url, version, file, \
                     object, list or float)"
                )));
            }
        };
        if map.next_key::<IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(
                "a typed value must have exactly one type tag",
            ));
        }
        Ok(value)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUrl {
    url: String,
    password: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVersion {
    scheme: String,
    text: String,
    #[serde(default)]
    dev: bool,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    blake3: String,
    size: u64,
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

struct ObjectSeed;

impl<'de> DeserializeSeed<'de> for ObjectSeed {
    type Value = BTreeMap<String, Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(ObjectVisitor)
    }
}

struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = BTreeMap<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(k) = map.next_key::<String>()? {
            let v = map.next_value_seed(ValueSeed)?;
            if out.insert(k, v).is_some() {
                return Err(de::Error::custom("an object field appears twice"));
            }
        }
        Ok(out)
    }
}

struct ListSeed;

impl<'de> DeserializeSeed<'de> for ListSeed {
    type Value = Vec<Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(ListVisitor)
    }
}

struct ListVisitor;

impl<'de> Visitor<'de> for ListVisitor {
    type Value = Vec<Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of values")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(ValueSeed)? {
            out.push(v);
        }
        Ok(out)
    }
}
