//! Key paths: the stable, globbable names of manifest entries.
//!
//! A key path is `LAYER:BODY`, for example `env:PAYMENT_TIMEOUT_MS`,
//! `config:app/settings.yaml:database.pool.size` or `package:npm:express`.
//! The grammar is documented in `docs/manifest.md`. This module builds key
//! paths from their parts, quoting whatever would make them ambiguous, so that
//! collectors never concatenate strings by hand.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The layer of a key path: the part before the first `:`.
///
/// Layers group findings in reports. Unknown layers are kept as
/// [`Layer::Other`] so that newer manifests stay readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Layer {
    /// Database schema and migrations (`schema:`).
    Schema,
    /// Environment variables (`env:`).
    Env,
    /// Keys inside parsed configuration files (`config:`).
    Config,
    /// Whole files recorded by hash (`file:`).
    File,
    /// Installed packages and dependencies (`package:`).
    Package,
    /// Runtime versions and the operating system (`runtime:`).
    Runtime,
    /// Host resources and limits (`host:`).
    Host,
    /// Kubernetes objects read from manifests (`k8s:`).
    Kube,
    /// A layer this version of drift does not know.
    Other,
}

impl Layer {
    /// All known layers in report order.
    pub const ALL: [Layer; 9] = [
        Layer::Schema,
        Layer::Env,
        Layer::Config,
        Layer::File,
        Layer::Package,
        Layer::Runtime,
        Layer::Host,
        Layer::Kube,
        Layer::Other,
    ];

    /// The layer's prefix as written in key paths (`other` for unknown ones).
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Schema => "schema",
            Layer::Env => "env",
            Layer::Config => "config",
            Layer::File => "file",
            Layer::Package => "package",
            Layer::Runtime => "runtime",
            Layer::Host => "host",
            Layer::Kube => "k8s",
            Layer::Other => "other",
        }
    }

    pub(crate) fn from_prefix(prefix: &str) -> Layer {
        match prefix {
            "schema" => Layer::Schema,
            "env" => Layer::Env,
            "config" => Layer::Config,
            "file" => Layer::File,
            "package" => Layer::Package,
            "runtime" => Layer::Runtime,
            "host" => Layer::Host,
            "k8s" => Layer::Kube,
            _ => Layer::Other,
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A validated key path.
///
/// Ordering is plain byte order of the text, which is what manifests are
/// sorted by.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyPath(Box<str>);

/// Why a text is not a valid key path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyPathError {
    /// No `LAYER:` prefix.
    #[error("key path `{0}` has no layer prefix such as `env:` or `config:`")]
    NoLayer(String),
    /// The layer is not a lower-case ASCII letter followed by letters or digits.
    #[error(
        "key path `{0}` has an invalid layer: use a lower-case letter, then lower-case letters or digits, before the first `:`"
    )]
    BadLayer(String),
    /// A control character.
    #[error("key path `{0}` contains a control character; quote it")]
    Control(String),
}

impl KeyPath {
    /// Parses and validates a key path.
    pub fn new(text: impl Into<String>) -> Result<KeyPath, KeyPathError> {
        let text: String = text.into();
        let bytes = text.as_bytes();
        let Some(colon) = bytes.iter().position(|&b| b == b':') else {
            return Err(KeyPathError::NoLayer(text));
        };
        // A layer is a lower-case letter, then lower-case letters or digits
        // (`k8s`).
        if colon == 0
            || !bytes[0].is_ascii_lowercase()
            || !bytes[1..colon]
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            return Err(KeyPathError::BadLayer(text));
        }
        if has_control(bytes) {
            return Err(KeyPathError::Control(text));
        }
        Ok(KeyPath(text.into_boxed_str()))
    }

    /// Builds a key path from a layer prefix and an already formatted body.
    ///
    /// The caller guarantees that `body` was built with [`KeyBuilder`] or the
    /// quoting helpers of this module.
    fn from_parts(layer: &str, body: &str) -> KeyPath {
        let mut s = String::with_capacity(layer.len() + 1 + body.len());
        s.push_str(layer);
        s.push(':');
        s.push_str(body);
        KeyPath(s.into_boxed_str())
    }

    /// `env:NAME`.
    pub fn env(name: &str) -> KeyPath {
        KeyPath::from_parts("env", &quote_if_needed(name, &PLAIN_NAME))
    }

    /// `file:PATH` for a file recorded as a whole.
    pub fn file(rel_path: &str) -> KeyPath {
        KeyPath::from_parts("file", &quote_path(rel_path))
    }

    /// The key path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key path of text a [`KeyBuilder`] made (valid by construction).
    pub(crate) fn from_builder_text(text: &str) -> KeyPath {
        KeyPath(text.into())
    }

    /// The layer of this key path.
    pub fn layer(&self) -> Layer {
        Layer::from_prefix(self.layer_prefix())
    }

    /// The text before the first `:`.
    pub fn layer_prefix(&self) -> &str {
        &self.0[..self.colon()]
    }

    /// The text after the first `:`.
    pub fn body(&self) -> &str {
        &self.0[(self.colon() + 1).min(self.0.len())..]
    }

    /// The position of the first `:` (layers are a few ASCII letters).
    fn colon(&self) -> usize {
        self.0
            .as_bytes()
            .iter()
            .position(|&b| b == b':')
            .unwrap_or(self.0.len())
    }

    /// The words that name this entry, from the last segment backwards, without
    /// quotes: for `config:app.yaml:db.password` that is `password`, `db`, `app.yaml`.
    ///
    /// Used to judge secrets and environment-specific keys by name.
    pub fn segments(&self) -> Vec<String> {
        split_segments(self.body())
    }

    /// The last named segment, unquoted (`PAYMENT_TIMEOUT_MS`, `password`).
    pub fn leaf(&self) -> String {
        self.segments().pop().unwrap_or_default()
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl TryFrom<String> for KeyPath {
    type Error = KeyPathError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        KeyPath::new(value)
    }
}

impl From<KeyPath> for String {
    fn from(value: KeyPath) -> String {
        value.0.into()
    }
}

impl AsRef<str> for KeyPath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Builds the body of a structured key path segment by segment.
///
/// ```
/// use drift_core::key::KeyBuilder;
/// let key = KeyBuilder::new("config")
///     .path("app/settings.yaml")
///     .field("database")
///     .field("pool.size")
///     .index(2)
///     .id("name", "web")
///     .finish();
/// assert_eq!(key.as_str(), r#"config:app/settings.yaml:database."pool.size"[2][name=web]"#);
/// ```
#[derive(Debug, Clone)]
pub struct KeyBuilder {
    text: String,
    /// Whether the next field needs a `.` (false right after a `:` part).
    in_fields: bool,
}

impl KeyBuilder {
    /// Starts a key path in `layer` (a lower-case letter, then lower-case letters or digits).
    pub fn new(layer: &str) -> KeyBuilder {
        let mut text = String::with_capacity(64);
        text.push_str(layer);
        KeyBuilder {
            text,
            in_fields: false,
        }
    }

    /// Appends `:PART`, quoting it when it holds a character of the grammar.
    /// Use it for engine, ecosystem and name parts (`package:npm:express`).
    pub fn part(mut self, part: &str) -> KeyBuilder {
        self.text.push(':');
        push_quoted_if_needed(&mut self.text, part, &PLAIN_PART);
        self.in_fields = false;
        self
    }

    /// Appends `:PATH`, a `/`-separated relative file path.
    pub fn path(mut self, rel_path: &str) -> KeyBuilder {
        self.text.push(':');
        push_quoted_if_needed(&mut self.text, rel_path, &PLAIN_PART);
        self.in_fields = false;
        self
    }

    /// Starts the field path with `:` if needed, then appends a field name,
    /// quoted when it holds `.`, `:`, brackets, quotes, spaces or is empty.
    pub fn field(mut self, name: &str) -> KeyBuilder {
        self.push_field(name);
        self
    }

    /// In-place variant of [`KeyBuilder::field`].
    ///
    /// A name that is itself a credential (a map keyed by tokens) is
    /// written as `hidden-HEX`, a digest of it: a key path is shown in every
    /// report.
    ///
    /// Unstable: for drift-collectors' fast readers, outside semantic
    /// versioning (see `drift_core::__private`).
    #[doc(hidden)]
    pub fn push_field(&mut self, name: &str) {
        self.text.push(if self.in_fields { '.' } else { ':' });
        push_segment(&mut self.text, name);
        self.in_fields = true;
    }

    /// Appends a list index `[N]`.
    pub fn index(mut self, i: usize) -> KeyBuilder {
        self.push_index(i);
        self
    }

    /// In-place variant of [`KeyBuilder::index`].
    ///
    /// Unstable: for drift-collectors' fast readers, outside semantic
    /// versioning (see `drift_core::__private`).
    #[doc(hidden)]
    pub fn push_index(&mut self, i: usize) {
        if !self.in_fields {
            self.text.push(':');
            self.in_fields = true;
        }
        self.text.push('[');
        self.text.push_str(&i.to_string());
        self.text.push(']');
    }

    /// Appends a list item identity `[FIELD=VALUE]`.
    pub fn id(mut self, field: &str, value: &str) -> KeyBuilder {
        self.push_id(field, value);
        self
    }

    /// In-place variant of [`KeyBuilder::id`].
    ///
    /// Unstable: for drift-collectors' fast readers, outside semantic
    /// versioning (see `drift_core::__private`).
    #[doc(hidden)]
    pub fn push_id(&mut self, field: &str, value: &str) {
        if !self.in_fields {
            self.text.push(':');
            self.in_fields = true;
        }
        self.text.push('[');
        push_quoted_if_needed(&mut self.text, field, &PLAIN_NAME);
        self.text.push('=');
        push_segment(&mut self.text, value);
        self.text.push(']');
    }

    /// The current length, to [`KeyBuilder::truncate`] back to.
    ///
    /// Unstable: for drift-collectors' fast readers, outside semantic
    /// versioning (see `drift_core::__private`).
    #[doc(hidden)]
    pub fn mark(&self) -> (usize, bool) {
        (self.text.len(), self.in_fields)
    }

    /// Goes back to a [`KeyBuilder::mark`], for walking trees without copying.
    ///
    /// Unstable: for drift-collectors' fast readers, outside semantic
    /// versioning (see `drift_core::__private`).
    #[doc(hidden)]
    pub fn truncate(&mut self, mark: (usize, bool)) {
        self.text.truncate(mark.0);
        self.in_fields = mark.1;
    }

    /// The current text, a valid key path.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// A key path for the current text, leaving the builder usable.
    pub fn key(&self) -> KeyPath {
        KeyPath(self.text.as_str().into())
    }

    /// The finished key path.
    pub fn finish(self) -> KeyPath {
        KeyPath(self.text.into_boxed_str())
    }
}

/// Appends a field name or an identity's value: quoted when it holds a
/// character of the grammar, replaced by `hidden-HEX` when it is a
/// credential ([`crate::secret::is_credential_segment`]). Credentials are
/// long: shorter names are not looked at.
fn push_segment(out: &mut String, text: &str) {
    if text.len() >= crate::secret::MIN_CREDENTIAL_SEGMENT
        && crate::secret::is_credential_segment(text)
    {
        out.push_str(&crate::secret::hidden_segment(text));
        return;
    }
    push_quoted_if_needed(out, text, &PLAIN_NAME);
}

/// Whether UTF-8 text holds a control character (C0, DEL, or C1 — encoded
/// as `0xC2 0x80..=0x9F`), without decoding it: key paths are validated by
/// the million when manifests are read.
fn has_control(bytes: &[u8]) -> bool {
    let suspicious = bytes.iter().fold(false, |acc, &b| {
        acc | (b < 0x20) | (b == 0x7f) | (b == 0xc2)
    });
    suspicious
        && bytes.iter().enumerate().any(|(i, &b)| {
            b < 0x20
                || b == 0x7f
                || (b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
        })
}

/// Which ASCII characters of a key segment are written without quotes, by
/// table (every segment of millions of keys is looked at); other
/// characters are plain unless they are whitespace or controls.
struct Plain {
    /// Per byte: whether it is a plain ASCII character (bytes of non-ASCII
    /// characters are not: those are judged char by char).
    ascii: [bool; 256],
}

/// Characters that end or break a field name: `.`, `:`, brackets, `=`, quotes.
static PLAIN_NAME: Plain = Plain {
    ascii: ascii_plain(b".:[]=\"\\"),
};

/// Characters that end or break a part or a path: `:` and quotes.
static PLAIN_PART: Plain = Plain {
    ascii: ascii_plain(b":\"\\"),
};

/// ASCII characters other than controls, the space and `special`.
const fn ascii_plain(special: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0x21;
    while b < 0x7f {
        t[b] = true;
        b += 1;
    }
    let mut i = 0;
    while i < special.len() {
        t[special[i] as usize] = false;
        i += 1;
    }
    t
}

fn quote_path(path: &str) -> String {
    quote_if_needed(path, &PLAIN_PART)
}

fn quote_if_needed(text: &str, plain: &Plain) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_quoted_if_needed(&mut out, text, plain);
    out
}

fn push_quoted_if_needed(out: &mut String, text: &str, plain: &Plain) {
    // ASCII text is judged byte by byte, 8 bytes at a time without a
    // branch per byte; other text char by char.
    let bytes = text.as_bytes();
    let mut words = bytes.chunks_exact(8);
    let ascii_plain = words.by_ref().all(|w| {
        w.iter()
            .fold(true, |ok, &b| ok & plain.ascii[usize::from(b)])
    }) && words
        .remainder()
        .iter()
        .all(|&b| plain.ascii[usize::from(b)]);
    let all_plain = ascii_plain
        || (!text.is_ascii()
            && text.chars().all(|c| {
                if c.is_ascii() {
                    plain.ascii[c as usize]
                } else {
                    !c.is_whitespace() && !c.is_control()
                }
            }));
    if !text.is_empty() && all_plain {
        out.push_str(text);
        return;
    }
    push_quoted(out, text);
}

/// Writes `text` as a double-quoted key segment.
pub(crate) fn push_quoted(out: &mut String, text: &str) {
    // Most quoted names (`"app.key"`) escape nothing: copied whole.
    if text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.reserve(text.len() + 2);
        out.push('"');
        out.push_str(text);
        out.push('"');
        return;
    }
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Renders raw bytes of a file name that are not UTF-8 as a key segment:
/// valid runs stay as they are and each invalid byte becomes `\xNN`, always
/// quoted, so two different names never give the same segment.
pub(crate) fn bytes_segment(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

/// Splits a key body into unquoted segments at `:`, `.` and brackets.
fn split_segments(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = body.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        cur.push(match n {
                            'n' => '\n',
                            't' => '\t',
                            'r' => '\r',
                            other => other,
                        });
                    }
                }
                '"' => quoted = false,
                c => cur.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ':' | '.' | '[' | ']' | '=' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_quoted_as_the_character_tests_say() {
        let name = |c: char| {
            !matches!(c, '.' | ':' | '[' | ']' | '=' | '"' | '\\')
                && !c.is_whitespace()
                && !c.is_control()
        };
        let part =
            |c: char| !matches!(c, ':' | '"' | '\\') && !c.is_whitespace() && !c.is_control();
        for c in (0..0x3100).filter_map(char::from_u32) {
            for (plain, test) in [
                (&PLAIN_NAME, &name as &dyn Fn(char) -> bool),
                (&PLAIN_PART, &part),
            ] {
                let text = format!("a{c}b");
                let mut out = String::new();
                push_quoted_if_needed(&mut out, &text, plain);
                assert_eq!(out == text, test(c), "{c:?}");
            }
        }
    }

    #[test]
    fn quoted_segments_escape_quotes_backslashes_and_controls() {
        for c in (0..0x3100).filter_map(char::from_u32) {
            let mut out = String::new();
            push_quoted(&mut out, &format!("a{c}b"));
            let escaped = match c {
                '"' => "\\\"".to_owned(),
                '\\' => "\\\\".to_owned(),
                '\n' => "\\n".to_owned(),
                '\r' => "\\r".to_owned(),
                '\t' => "\\t".to_owned(),
                c if c.is_control() => format!("\\u{{{:x}}}", c as u32),
                c => c.to_string(),
            };
            assert_eq!(out, format!("\"a{escaped}b\""), "{c:?}");
        }
    }

    #[test]
    fn env_keys_are_plain_unless_they_need_quotes() {
        assert_eq!(KeyPath::env("DB_HOST").as_str(), "env:DB_HOST");
        assert_eq!(KeyPath::env("a.b").as_str(), "env:\"a.b\"");
        assert_eq!(KeyPath::env("").as_str(), "env:\"\"");
    }

    #[test]
    fn dotted_field_names_do_not_collide_with_nested_ones() {
        let nested = KeyBuilder::new("config")
            .path("a.json")
            .field("a")
            .field("b")
            .finish();
        let dotted = KeyBuilder::new("config")
            .path("a.json")
            .field("a.b")
            .finish();
        assert_ne!(nested, dotted);
        assert_eq!(nested.as_str(), "config:a.json:a.b");
        assert_eq!(dotted.as_str(), "config:a.json:\"a.b\"");
    }

    #[test]
    fn paths_with_colons_and_spaces_are_quoted() {
        assert_eq!(
            KeyPath::file("a b/c:d.txt").as_str(),
            "file:\"a b/c:d.txt\""
        );
        assert_eq!(KeyPath::file("app/x.bin").as_str(), "file:app/x.bin");
    }

    #[test]
    fn invalid_utf8_names_are_escaped_distinctly() {
        assert_eq!(bytes_segment(b"caf\xe9.yaml"), "\"caf\\xe9.yaml\"");
        assert_ne!(bytes_segment(b"a\xff"), bytes_segment(b"a\xfe"));
    }

    #[test]
    fn layer_and_leaf() {
        let key = KeyPath::new("config:app/settings.yaml:db.password").unwrap();
        assert_eq!(key.layer(), Layer::Config);
        assert_eq!(key.leaf(), "password");
        let quoted = KeyBuilder::new("config")
            .path("x.yaml")
            .field("a.b")
            .finish();
        assert_eq!(quoted.leaf(), "a.b");
        assert_eq!(KeyPath::new("zzz:q").unwrap().layer(), Layer::Other);
        let kube = KeyPath::new("k8s:shop/Deployment/web:spec.replicas").unwrap();
        assert_eq!(kube.layer(), Layer::Kube);
    }

    #[test]
    fn rejects_keys_without_layer() {
        assert!(matches!(
            KeyPath::new("nolayer"),
            Err(KeyPathError::NoLayer(_))
        ));
        assert!(matches!(
            KeyPath::new("Env:X"),
            Err(KeyPathError::BadLayer(_))
        ));
        assert!(matches!(
            KeyPath::new("8s:X"),
            Err(KeyPathError::BadLayer(_))
        ));
        assert!(matches!(
            KeyPath::new("env:a\u{7}"),
            Err(KeyPathError::Control(_))
        ));
        assert!(matches!(
            KeyPath::new("env:a\u{85}b"),
            Err(KeyPathError::Control(_))
        ));
        assert!(matches!(
            KeyPath::new("env:a\u{7f}"),
            Err(KeyPathError::Control(_))
        ));
        assert!(KeyPath::new("env:\u{c2}\u{a0}é\u{1F600}").is_ok());
    }

    #[test]
    fn builder_marks_allow_tree_walks() {
        let mut b = KeyBuilder::new("config").path("f.yaml");
        let m = b.mark();
        b.push_field("a");
        assert_eq!(b.key().as_str(), "config:f.yaml:a");
        b.truncate(m);
        b.push_index(0);
        assert_eq!(b.key().as_str(), "config:f.yaml:[0]");
    }
}
