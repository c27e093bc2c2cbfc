//! The name an entry goes by: what the name layer of the secret judge reads.
//!
//! A value is secret by name when its *own* name says so: the leaf of its
//! field path (`db.password` → `password`), with its parent's name when the
//! leaf is generic (`api.key`, `env[name=DB_PASSWORD].value`) or when the
//! parent is a collection of secrets (`secrets.stripe`, `api_keys.github`).
//! Words of the file path (`sealed-secrets/values.yaml`) and of farther
//! ancestors never make a value secret: they masked whole files of ordinary
//! settings, and a hidden value is compared for presence only.

use super::names::NameScan;

/// Leaves that say nothing of what they hold: their parent names them.
const GENERIC_LEAVES: &[&str] = &[
    "value",
    "values",
    "val",
    "key",
    "keys",
    "id",
    "data",
    "text",
    "content",
    "contents",
    "raw",
    "encoded",
    "b64",
    "base64",
    "literal",
    "string",
    "current",
    "primary",
    "secondary",
    "old",
    "new",
    "previous",
    "next",
    "default",
    "plain",
    "clear",
    "cleartext",
];

/// One segment of a field path, as written (quotes and escapes kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment<'a> {
    /// A field name.
    Name(&'a str),
    /// A list index `[N]`.
    Index,
    /// A list item's identity `[FIELD=VALUE]`: its value.
    Id(&'a str),
}

/// Whether a field path (the part of a `config:` key after its file) names
/// a secret by the entry's own name.
pub(super) fn field_path_is_secret(path: &str) -> bool {
    // The last named segments: the leaf, and what comes before it.
    let mut last: [Option<Segment<'_>>; 3] = [None; 3];
    for segment in segments(path) {
        if segment == Segment::Index && last[2].is_some() {
            // `list[0]` is an element of `list`: named by it.
            continue;
        }
        last = [last[1], last[2], Some(segment)];
    }
    let [grand, parent, leaf] = last;
    let Some(leaf) = leaf else {
        return false;
    };
    match leaf {
        Segment::Name(name) => name_is_secret(name, parent, grand),
        // An item named by its identity (`[name=DB_PASSWORD]`), or an
        // element of a list with no name before it.
        Segment::Id(value) => {
            scan(NameScan::default(), value).secret || parent.is_some_and(|p| segment_is_secret(p))
        }
        Segment::Index => false,
    }
}

/// The judgement of a leaf named `name` (quoted names may hold dots:
/// `"spring.datasource.password"` is judged as the path it reads as).
fn name_is_secret(name: &str, parent: Option<Segment<'_>>, grand: Option<Segment<'_>>) -> bool {
    let text = unquoted_len_hint(name);
    if text.contains('.') {
        // A dotted name (`.properties` keys): its own leaf and parent.
        let mut parts = text.rsplitn(3, '.');
        let leaf = parts.next().unwrap_or("");
        let before = parts.next();
        let parent_part = before.map(Segment::Name);
        let grand_part = parts.next().map(Segment::Name).or(parent);
        return judge_leaf(leaf, parent_part, grand_part);
    }
    judge_leaf(text, parent, grand)
}

/// The name layer's judgement of a leaf and its context.
fn judge_leaf(leaf: &str, parent: Option<Segment<'_>>, grand: Option<Segment<'_>>) -> bool {
    if scan(NameScan::default(), leaf).secret {
        return true;
    }
    let Some(parent) = parent else {
        return false;
    };
    if is_generic(leaf) {
        return match parent {
            // `api.key`: the pair spans the parent and the leaf.
            Segment::Name(p) => scan(scan(NameScan::default(), p), leaf).secret,
            // `env[name=DB_PASSWORD].value`, `creds[key=…].key`.
            Segment::Id(v) => {
                scan(NameScan::default(), v).secret || grand.is_some_and(segment_is_secret)
            }
            Segment::Index => grand.is_some_and(segment_is_secret),
        };
    }
    // `secrets.stripe`, `api_keys.github`: a map of secrets.
    match parent {
        Segment::Name(p) => is_collection_of_secrets(p),
        Segment::Id(_) | Segment::Index => false,
    }
}

/// Whether a segment's own words say secret.
fn segment_is_secret(segment: Segment<'_>) -> bool {
    match segment {
        Segment::Name(n) | Segment::Id(n) => scan(NameScan::default(), n).secret,
        Segment::Index => false,
    }
}

/// Whether a name is that of a map of secrets: its words say secret and
/// its last word is plural (`secrets`, `credentials`, `api_keys`).
fn is_collection_of_secrets(name: &str) -> bool {
    let last = super::names::words(name).last().unwrap_or("");
    last.len() > 2
        && last
            .as_bytes()
            .last()
            .is_some_and(|&b| b == b's' || b == b'S')
        && scan(NameScan::default(), name).secret
}

fn is_generic(leaf: &str) -> bool {
    let leaf = leaf.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    GENERIC_LEAVES.iter().any(|g| leaf.eq_ignore_ascii_case(g))
}

/// Feeds the words of a segment as written: quotes and escapes separate
/// words, except an escaped letter (`\n`), whose backslash and letter are
/// one separator.
fn scan(state: NameScan, text: &str) -> NameScan {
    if !text.contains('\\') {
        return state.feed(text);
    }
    let mut cleaned = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            chars.next();
            cleaned.push(' ');
        } else {
            cleaned.push(c);
        }
    }
    state.feed(&cleaned)
}

/// A segment's text without its quotes (escapes stay: [`scan`] reads
/// them as separators).
fn unquoted_len_hint(name: &str) -> &str {
    name.strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .unwrap_or(name)
}

/// The segments of a field path, as the key grammar writes them.
fn segments(path: &str) -> impl Iterator<Item = Segment<'_>> {
    let b = path.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            let &c = b.get(at)?;
            match c {
                b'.' | b':' | b']' => at += 1,
                b'[' => {
                    let start = at + 1;
                    let field_end = segment_end(b, start);
                    if b.get(field_end) == Some(&b'=') {
                        let value_start = field_end + 1;
                        let value_end = segment_end(b, value_start);
                        at = value_end;
                        return Some(Segment::Id(&path[value_start..value_end]));
                    }
                    at = field_end;
                    return Some(Segment::Index);
                }
                _ => {
                    let start = at;
                    at = segment_end(b, start);
                    return Some(Segment::Name(&path[start..at]));
                }
            }
        }
    })
}

/// The end of a plain or quoted segment that starts at `start`.
fn segment_end(b: &[u8], start: usize) -> usize {
    let mut i = start;
    if b.get(i) == Some(&b'"') {
        i += 1;
        while let Some(&c) = b.get(i) {
            match c {
                b'\\' => i += 2,
                b'"' => return i + 1,
                _ => i += 1,
            }
        }
        return b.len();
    }
    while let Some(&c) = b.get(i) {
        if matches!(c, b'.' | b':' | b'[' | b']' | b'=') {
            break;
        }
        i += 1;
    }
    i
}

/// The end of the file part of a `config:` key's body (a plain or quoted
/// part), where its field path begins after a `:`.
pub(super) fn file_part_end(body: &str) -> usize {
    let b = body.as_bytes();
    if b.first() == Some(&b'"') {
        let mut i = 1;
        while let Some(&c) = b.get(i) {
            match c {
                b'\\' => i += 2,
                b'"' => return (i + 1).min(b.len()),
                _ => i += 1,
            }
        }
        return b.len();
    }
    body.find(':').unwrap_or(body.len())
}

/// The last component of a file path as written (its base name).
pub(super) fn base_name(path: &str) -> &str {
    let path = path.trim_end_matches('"');
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_and_their_context() {
        for (path, secret) in [
            ("db.password", true),
            ("password.min_length", false),
            ("passwords.min_length", true),
            ("api.key", true),
            ("api.keys", true),
            ("stripe.apiKey", true),
            ("secrets.stripe", true),
            ("api_keys.github", true),
            ("keyauth_credentials[key=Kx93].key", true),
            ("env[name=DB_PASSWORD].value", true),
            ("env[name=LOG_LEVEL].value", false),
            ("servers[name=web].port", false),
            ("\"spring.datasource.password\"", true),
            ("\"spring.datasource.url\"", false),
            ("\"a.api\".key", true),
            ("passwords[0]", true),
            ("users[0].password", true),
            ("auth", true),
            ("salt", true),
            ("private", true),
            ("automountServiceAccountToken", true),
            ("tokenizer.model", false),
            ("sealed.values.replicas", false),
            ("tls.privateKey", true),
            ("cookie.secure", false),
            ("", false),
            ("[0]", false),
        ] {
            assert_eq!(field_path_is_secret(path), secret, "{path}");
        }
    }

    #[test]
    fn file_parts_and_base_names() {
        assert_eq!(file_part_end("app.yaml:db.x"), 8);
        assert_eq!(file_part_end("\"a:b.yaml\":x"), 10);
        assert_eq!(file_part_end("app.yaml"), 8);
        assert_eq!(base_name("a/b/secrets.txt"), "secrets.txt");
        assert_eq!(base_name("x"), "x");
    }
}
