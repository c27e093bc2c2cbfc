//! The judgement of one value by what it is: its content, its shape and its
//! structure (issue 15, layers 2–5). Names are judged before, in
//! [`names`](super::names); this module sees values whose name said nothing.
//!
//! Every judgement errs toward hiding: a hidden non-secret costs a
//! fingerprint in a report, a shown secret costs an incident.

use base64::Engine as _;

use super::{content, lines, names, shape};

/// Why a value, or a part of it, was hidden: the layer of the judge that
/// found it. Reports count hidden values by layer, never show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum HiddenBy {
    /// A `[secrets]` glob or a command-line `--secret`.
    Policy,
    /// The entry's own name (`DB_PASSWORD`, `api.key`).
    Name,
    /// What the value holds: a private key, a token of a known format, a
    /// password in a connection string, an `Authorization` header.
    Content,
    /// An opaque high-entropy token under an innocent name.
    Shape,
    /// Where the value sits: a list item `NAME=value` or `--flag=value`, a
    /// document or base64 text holding a secret, a Kubernetes Secret.
    Structure,
}

impl HiddenBy {
    /// Every layer, in the order reports list them.
    pub const ALL: [HiddenBy; 5] = [
        HiddenBy::Policy,
        HiddenBy::Name,
        HiddenBy::Content,
        HiddenBy::Shape,
        HiddenBy::Structure,
    ];

    /// The layer's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            HiddenBy::Policy => "policy",
            HiddenBy::Name => "name",
            HiddenBy::Content => "content",
            HiddenBy::Shape => "shape",
            HiddenBy::Structure => "structure",
        }
    }
}

impl std::str::FromStr for HiddenBy {
    type Err = UnknownLayer;

    fn from_str(s: &str) -> Result<HiddenBy, UnknownLayer> {
        HiddenBy::ALL
            .into_iter()
            .find(|by| by.as_str() == s)
            .ok_or(UnknownLayer)
    }
}

/// A name that is not one of [`HiddenBy`]'s layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a layer of the secret judgement")]
pub struct UnknownLayer;

impl std::fmt::Display for HiddenBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the judge decided for a string.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Nothing in it is secret.
    Plain,
    /// The whole string is secret.
    Whole(HiddenBy),
    /// Parts of it are: the text with them replaced, and the parts.
    Parts {
        shown: String,
        hidden: Vec<String>,
        by: HiddenBy,
    },
}

/// How deep documents inside strings are looked into (a base64 value
/// holding JSON holding base64…).
const MAX_NESTING: u8 = 3;

/// Base64 text shorter than this is not decoded (`true`, `admin`, short
/// words are valid base64).
const MIN_BASE64: usize = 16;

/// Judges a string by its content, structure and shape.
pub(super) fn judge_string(text: &str) -> Verdict {
    judge_nested(text, 0)
}

fn judge_nested(text: &str, depth: u8) -> Verdict {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Verdict::Plain;
    }
    if content::may_hold(text) {
        let spans = content::find(text);
        if !spans.is_empty() {
            return parts_or_whole(text, &spans);
        }
    }
    if depth < MAX_NESTING {
        if let Some(by) = structure_of(trimmed, depth) {
            return Verdict::Whole(by);
        }
        if text.contains('\n') {
            let (shown, hid) = lines::scrub_text(text);
            if hid {
                return Verdict::Parts {
                    shown,
                    hidden: vec![text.to_owned()],
                    by: HiddenBy::Structure,
                };
            }
        }
    }
    if shape::is_opaque_token(trimmed) {
        return Verdict::Whole(HiddenBy::Shape);
    }
    opaque_words(text)
}

/// Opaque tokens among the words of a text (`use 2MeX… for the CI job`).
fn opaque_words(text: &str) -> Verdict {
    const SEPARATORS: &[char] = &[' ', '\t', '\n', '\r', '"', '\'', '`', ',', ';', '(', ')'];
    if !text.contains(SEPARATORS) {
        return Verdict::Plain;
    }
    let mut spans = Vec::new();
    let mut at = 0;
    for word in text.split(SEPARATORS) {
        let start = at;
        at += word.len() + 1;
        if word.len() >= 16 && shape::is_opaque_token(word) {
            spans.push(content::Span {
                range: start..start + word.len(),
                kind: content::ContentKind::ProviderToken,
            });
        }
    }
    if spans.is_empty() {
        return Verdict::Plain;
    }
    match parts_or_whole(text, &spans) {
        Verdict::Parts { shown, hidden, .. } => Verdict::Parts {
            shown,
            hidden,
            by: HiddenBy::Shape,
        },
        _ => Verdict::Whole(HiddenBy::Shape),
    }
}

/// The verdict for a text whose `spans` are secret: the whole text when
/// they leave nothing worth showing (a token alone, a key block), else the
/// text with each span replaced by `***`.
fn parts_or_whole(text: &str, spans: &[content::Span]) -> Verdict {
    let hidden_bytes: usize = spans.iter().map(|s| s.range.len()).sum();
    let shown_bytes = text.trim().len().saturating_sub(hidden_bytes);
    // What is left around a token (quotes, a prefix like `Bearer `) says
    // nothing worth a finding of its own.
    if shown_bytes < 8
        || spans
            .iter()
            .any(|s| s.kind == content::ContentKind::PrivateKey)
    {
        return Verdict::Whole(HiddenBy::Content);
    }
    let mut shown = String::with_capacity(text.len());
    let mut hidden = Vec::with_capacity(spans.len());
    let mut at = 0;
    for span in spans {
        let (Some(before), Some(secret)) =
            (text.get(at..span.range.start), text.get(span.range.clone()))
        else {
            return Verdict::Whole(HiddenBy::Content);
        };
        shown.push_str(before);
        shown.push_str("***");
        hidden.push(secret.to_owned());
        at = span.range.end;
    }
    shown.push_str(text.get(at..).unwrap_or(""));
    Verdict::Parts {
        shown,
        hidden,
        by: HiddenBy::Content,
    }
}

/// Whether a string's structure holds a secret: `NAME=value` or
/// `--flag=value` with a secret name, a JSON document with a secret member,
/// base64 text that decodes to a secret.
fn structure_of(text: &str, depth: u8) -> Option<HiddenBy> {
    if assignment_is_secret(text) {
        return Some(HiddenBy::Structure);
    }
    let first = text.as_bytes()[0];
    if (first == b'{' || first == b'[') && json_holds_secret(text, depth) {
        return Some(HiddenBy::Structure);
    }
    if let Some(decoded) = base64_text(text)
        && judge_nested(&decoded, depth + 1) != Verdict::Plain
    {
        return Some(HiddenBy::Structure);
    }
    None
}

/// Whether a one-line `NAME=value`, `--flag=value` or `NAME: value` text
/// has a secret name and a value (`POSTGRES_PASSWORD=…` in a compose list,
/// `--api-token=…` in a container's arguments).
pub(super) fn assignment_is_secret(text: &str) -> bool {
    if text.contains('\n') {
        return false;
    }
    let Some(at) = text.find(['=', ':']) else {
        return false;
    };
    let (name, value) = (&text[..at], &text[at + 1..]);
    let name = name.trim_start_matches('-').trim();
    let plain_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    plain_name && !value.trim().is_empty() && names::is_secret_word_text(name) && {
        // `url: https://…` is a name and a value; `http://…` is not.
        !value.starts_with("//")
    }
}

/// Whether a text is a JSON document holding a member whose name is secret
/// (with a value that is not a flag or null) or a string that is.
fn json_holds_secret(text: &str, depth: u8) -> bool {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    // serde_json refuses documents nested deeper than 128 levels: the walk
    // is bounded by that.
    fn walk(v: &serde_json::Value, depth: u8) -> bool {
        match v {
            serde_json::Value::String(s) => judge_nested(s, depth + 1) != Verdict::Plain,
            serde_json::Value::Array(items) => items.iter().any(|i| walk(i, depth)),
            serde_json::Value::Object(map) => map.iter().any(|(k, v)| {
                let valued = !matches!(v, serde_json::Value::Null | serde_json::Value::Bool(_));
                (valued && names::is_secret_word_text(k)) || walk(v, depth)
            }),
            _ => false,
        }
    }
    walk(&doc, depth)
}

/// The text a base64 value decodes to, when it is one (standard or URL
/// alphabet, padded or not) and decodes to UTF-8 text.
fn base64_text(text: &str) -> Option<String> {
    if text.len() < MIN_BASE64
        || !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'='))
    {
        return None;
    }
    let engines = [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    let bytes = engines.iter().find_map(|e| e.decode(text).ok())?;
    let decoded = String::from_utf8(bytes).ok()?;
    let printable = decoded
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'));
    printable.then_some(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_with_secret_names() {
        for t in [
            "POSTGRES_PASSWORD=hunter2",
            "--api-token=abc",
            "--db-password=x",
            "password: x",
            "MYSQL_PWD=x",
        ] {
            assert!(assignment_is_secret(t), "{t}");
        }
        for t in [
            "LOG_LEVEL=debug",
            "--port=8080",
            "PASSWORD=",
            "https://example.com/token",
            "password",
            "a b password=c",
        ] {
            assert!(!assignment_is_secret(t), "{t}");
        }
    }

    #[test]
    fn documents_inside_strings() {
        let json = r#"{"db": {"user": "app", "password": "hunter2"}, "debug": true}"#;
        assert_eq!(judge_string(json), Verdict::Whole(HiddenBy::Structure));
        let plain = r#"{"db": {"user": "app", "pool": 5}, "password_required": true}"#;
        assert_eq!(judge_string(plain), Verdict::Plain);
        // `user:pass` for a registry, in base64 under an innocent name.
        let docker = base64::engine::general_purpose::STANDARD
            .encode("{\"auths\":{\"r\":{\"password\":\"pw\"}}}");
        assert_eq!(judge_string(&docker), Verdict::Whole(HiddenBy::Structure));
        let words = base64::engine::general_purpose::STANDARD.encode("just some ordinary words");
        assert_eq!(judge_string(&words), Verdict::Plain);
    }
}
