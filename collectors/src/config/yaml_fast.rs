//! A fast path for the most common shape of YAML: one document of nested
//! block mappings whose values are simple plain scalars, with comments and
//! blank lines. yaml-rust2 reads about 30 MB/s; large trees are mostly made
//! of such files, which this turns into entries an order of magnitude
//! faster, without building a tree.
//!
//! It is deliberately narrow: anything else (sequences, flow collections,
//! quotes, anchors, tags, block scalars, multi-line scalars, several
//! documents, tabs, CR, non-ASCII, duplicate keys, odd indentation) is
//! declined, and the file goes to the full parser. Where it answers, it
//! answers exactly what the full parser does (a test compares the two).

use drift_core::Value;

use super::sink::{NameStack, Sink};
use super::tree::MAX_DEPTH;
use super::yaml_scalar::{plain_digits, resolve_plain_str};
use crate::text::{all_in, alphanumeric_and};

/// One mapping being read: its indentation and the key position to go back
/// to when it ends (its names are in the document's [`NameStack`]).
struct Frame {
    indent: usize,
    mark: (usize, bool),
}

/// Puts the entries of `text` into `sink` when it is of the simple shape
/// this module handles, and says whether it was; when it was not, `sink` is
/// left as it was and the caller uses the full parser.
pub(crate) fn parse_into(text: &str, sink: &mut Sink<'_>) -> bool {
    if cfg!(feature = "reference-paths") {
        return false;
    }
    sink.fast_path(|sink| emit(text, sink))
}

fn emit<'t>(text: &'t str, sink: &mut Sink<'_>) -> Option<()> {
    // Printable ASCII and line feeds only: no tab, carriage return, nor
    // control character (which the full parser refuses).
    if !all_in(text.as_bytes(), &TEXT_BYTES) {
        return None;
    }
    let mut stack: Vec<Frame> = Vec::with_capacity(4);
    let mut names = NameStack::for_text(text.len());
    // A key whose value is on the following lines (a nested mapping) or
    // absent (null).
    let mut open_key: Option<&'t str> = None;
    for line in crate::text::lines(text) {
        let body = line.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = line.len() - body.len();
        let body = body.trim_end_matches(' ');
        if indent == 0 && (body.starts_with("---") || body.starts_with("...")) {
            return None;
        }
        let (key, value) = split_entry(body)?;
        if let Some(k) = open_key.take() {
            // The key was recorded when it was opened; it is null, or holds
            // the nested mapping that starts here.
            if indent > stack.last()?.indent {
                // Past the depth limit, the full parser gives the error.
                if stack.len() >= MAX_DEPTH {
                    return None;
                }
                let mark = sink.key.mark();
                sink.key.push_field(k);
                stack.push(Frame { indent, mark });
                names.open();
            } else {
                sink.field(k, Value::Null);
            }
        }
        if stack.is_empty() {
            if indent != 0 {
                return None;
            }
            stack.push(Frame {
                indent: 0,
                mark: sink.key.mark(),
            });
            names.open();
        }
        // Close deeper mappings.
        while stack.last().is_some_and(|f| indent < f.indent) {
            let done = stack.pop()?;
            names.close();
            sink.key.truncate(done.mark);
        }
        if indent != stack.last()?.indent {
            return None;
        }
        names.add(key)?;
        match value {
            Some(v) => match plain_digits(v) {
                // Most values, read without the resolution of other scalars.
                Some(n) => sink.field(key, Value::Int(n)),
                None => sink.field(key, resolve_plain_str(v).into_value()),
            },
            None => open_key = Some(key),
        }
    }
    if let Some(k) = open_key {
        sink.field(k, Value::Null);
    }
    if let Some(root) = stack.first() {
        sink.key.truncate(root.mark);
    }
    Some(())
}

/// Splits `key: value` (value `None` when empty or only a comment); `None`
/// when the line is not a simple entry.
fn split_entry(body: &str) -> Option<(&str, Option<&str>)> {
    let colon = crate::text::find_byte(body, b':')?;
    let key = &body[..colon];
    if !is_simple_key(key) {
        return None;
    }
    let rest = &body[colon + 1..];
    if rest.is_empty() {
        return Some((key, None));
    }
    let value = rest.strip_prefix(' ')?.trim_start_matches(' ');
    if value.is_empty() || value.starts_with('#') {
        return Some((key, None));
    }
    // Most values are simple as they are; a simple value has no `#` (see
    // VALUE_BYTES), so it holds no comment.
    if is_simple_value(value) {
        return Some((key, Some(value)));
    }
    // A comment starts at ` #` (looked for a byte at a time: values are
    // short, and a substring search costs more to set up than to run).
    let b = value.as_bytes();
    let at = (1..b.len()).find(|&i| b[i] == b'#' && b[i - 1] == b' ')?;
    let value = value[..at - 1].trim_end_matches(' ');
    is_simple_value(value).then_some((key, Some(value)))
}

/// The bytes of the text this reads: printable ASCII and line feeds.
static TEXT_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = b' ' as usize;
    while b <= b'~' as usize {
        t[b] = true;
        b += 1;
    }
    t[b'\n' as usize] = true;
    t
};

/// The longest implicit key YAML allows (yaml-rust2 refuses longer ones).
const MAX_KEY: usize = 1024;

fn is_simple_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    bytes.len() <= MAX_KEY
        && bytes
            .first()
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        && all_in(bytes, &KEY_BYTES)
}

fn is_simple_value(value: &str) -> bool {
    let bytes = value.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    let first_ok = first.is_ascii_alphanumeric()
        || matches!(first, b'_' | b'.' | b'/' | b'~' | b'+' | b'(' | b'$' | b'=')
        || (first == b'-' && bytes.get(1).is_some_and(u8::is_ascii_digit));
    if !first_ok {
        return false;
    }
    // Most values have no `:` (looked for with the other bytes, in one pass).
    if all_in(bytes, &VALUE_BYTES_BUT_COLON) {
        return true;
    }
    // `: ` would start a mapping inside the value.
    !value.ends_with(':') && all_in(bytes, &VALUE_BYTES) && !value.contains(": ")
}

/// The bytes of a simple key: ASCII letters, digits, `_-./`.
static KEY_BYTES: [bool; 256] = alphanumeric_and(b"_-./");

/// The bytes of a simple value: ASCII letters, digits, the space and
/// ``_-./+=@%();~$^:?&*!,``; never `#`, so that a value simple as it is
/// holds no comment.
static VALUE_BYTES: [bool; 256] = {
    let mut set = VALUE_BYTES_BUT_COLON;
    set[b':' as usize] = true;
    set
};

/// [`VALUE_BYTES`] but `:`.
const VALUE_BYTES_BUT_COLON: [bool; 256] = alphanumeric_and(b" _-./+=@%();~$^?&*!,");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::format::yaml_docs_into;
    use crate::config::sink::testing::{fast_path, xorshift};

    fn fast(text: &str) -> Option<Vec<String>> {
        fast_path("f.yaml", text, parse_into)
    }

    /// Every input the fast path answers must give what the full parser gives.
    fn agrees(text: &str) -> bool {
        crate::config::sink::testing::agrees("f.yaml", text, parse_into, |sink| {
            let docs =
                super::super::yaml::parse_full(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            yaml_docs_into(docs, sink);
        })
    }

    #[test]
    #[cfg_attr(
        feature = "reference-paths",
        ignore = "the fast path is off under reference-paths"
    )]
    fn simple_mappings_are_read_fast_and_alike() {
        for text in [
            "",
            "# only a comment\n",
            "a: 1\n",
            "a: 1\nb: two words # comment\nc:\nd: ~\n",
            "db:\n  pool:\n    size: 10\n    timeout: 2.5\n  host: db.local\nflag: true\n",
            "a:\n  b:\n    c: 1\nd: 2\n",
            "a:\n  b: 1\n\n  # comment\n  c: 0x1F\ne: -3\nurl: http://x.example/a?b=c\n",
            "a:\n",
            "a:\n  b:\n",
            "time: 12:30\nver: 1.2.3\nneg: -0.5\nexp: 1e3\nplus: +5\n",
        ] {
            assert!(agrees(text), "fast path declined {text:?}");
        }
    }

    #[test]
    fn other_shapes_go_to_the_full_parser() {
        for text in [
            "a: [1, 2]\n",
            "a:\n  - 1\n",
            "a: 'q'\n",
            "a: &x 1\nb: *x\n",
            "---\na: 1\n",
            "a: 1\na: 2\n",
            "a:\n  b: 1\n c: 2\n",
            "a: 1\n  b: 2\n",
            "a: b: c\n",
            "a:\tb\n",
            "a: 1\r\n",
            "a: é\n",
            "a: |\n  text\n",
            "key with space: 1\n",
            "a: multi\n  line\n",
            " a: 1\n",
        ] {
            assert!(fast(text).is_none(), "fast path took {text:?}");
        }
    }

    #[test]
    #[cfg_attr(
        feature = "reference-paths",
        ignore = "the fast path is off under reference-paths"
    )]
    fn generated_documents_agree_with_the_full_parser() {
        // A small deterministic generator of nested mappings.
        let mut next = xorshift(0x2545_f491);
        let values = [
            "1",
            "-2",
            "3.5",
            "true",
            "False",
            "~",
            "null",
            "0x10",
            "0o17",
            "+7",
            "1e5",
            ".inf",
            "-.inf",
            ".nan",
            "abc",
            "a b",
            "x:y",
            "a # c",
            "v1.2",
            "1_000",
            "0.",
            "08",
            "a?b&c*d!e,f",
            "x, y",
        ];
        let mut answered = 0;
        for _ in 0..500 {
            let mut text = String::new();
            let mut depth = 0usize;
            for i in 0..(1 + next(12)) {
                let indent = "  ".repeat(depth);
                match next(5) {
                    0 if depth < 3 => {
                        text.push_str(&format!("{indent}k{i}:\n"));
                        depth += 1;
                    }
                    1 if depth > 0 => {
                        depth -= 1;
                        let indent = "  ".repeat(depth);
                        text.push_str(&format!(
                            "{indent}u{i}: {}\n",
                            values[next(values.len() as u64) as usize]
                        ));
                    }
                    2 => text.push_str(&format!("{indent}# note\n\n")),
                    _ => text.push_str(&format!(
                        "{indent}v{i}: {}\n",
                        values[next(values.len() as u64) as usize]
                    )),
                }
            }
            if agrees(&text) {
                answered += 1;
            }
        }
        assert!(
            answered > 300,
            "the fast path answered only {answered} of 500"
        );
    }
}
