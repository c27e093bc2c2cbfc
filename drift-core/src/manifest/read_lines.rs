//! Reading the entries of a manifest line by line.
//!
//! drift writes each entry on a line of its own, `    "KEY": VALUE`, and
//! most values are integers, strings, booleans or null. This reader takes
//! such lines without a general JSON parser: a line it reads is decoded as
//! `serde_json` would decode it, and any other line (an object, a float, a
//! `\u` escape, another layout) is given to `serde_json` on its own. It is
//! only an acceleration: when anything fails, it declines, and the callers
//! fall back on the readers that name errors.

use memchr::memchr;

use super::Entry;
use super::read::KeyOrder;
use super::read_parallel::parse_piece_json;
use crate::key::KeyPath;
use crate::value::Value;

/// What starts each line of an entry.
const INDENT: &[u8] = b"\n    ";

/// The entries of `body` (whole `\n    "KEY": VALUE` lines, the last
/// without its comma), in order; `None` on anything it cannot read, or
/// on a key twice.
pub(super) fn entries(body: &[u8]) -> Option<Vec<Entry>> {
    if cfg!(feature = "reference-paths") {
        return None;
    }
    // One entry per line: the vector is not grown step by step.
    let mut entries = KeyOrder::with_capacity(super::read_parallel::entry_lines(body));
    let mut rest = body;
    let mut scratch = Vec::new();
    while !rest.is_empty() {
        let line = rest.strip_prefix(INDENT)?;
        let (text, next) = match memchr(b'\n', line) {
            // The separator between two entries ends the line.
            Some(end) => (line[..end].strip_suffix(b",")?, &line[end..]),
            None => (line, &line[line.len()..]),
        };
        let entry = match entry(text, &mut scratch) {
            Some(e) => e,
            None => one_entry_json(text)?,
        };
        if entries.repeats(&entry.key) {
            return None;
        }
        entries.push(entry);
        rest = next;
    }
    entries.finish().ok()
}

/// One `"KEY": VALUE` read by `serde_json`.
fn one_entry_json(text: &[u8]) -> Option<Entry> {
    let mut doc = Vec::with_capacity(text.len() + 2);
    doc.push(b'{');
    doc.extend_from_slice(text);
    doc.push(b'}');
    let mut parsed = parse_piece_json(&doc)?;
    let entry = parsed.pop()?;
    parsed.is_empty().then_some(entry)
}

/// `"KEY": VALUE` when it is of the shapes read here.
fn entry(text: &[u8], scratch: &mut Vec<u8>) -> Option<Entry> {
    let (key, rest) = string(text.strip_prefix(b"\"")?, scratch)?;
    let key = KeyPath::new(key).ok()?;
    let value = value(rest.strip_prefix(b": ")?, scratch)?;
    Some(Entry { key, value })
}

/// A whole value: a string, an integer, a boolean or null.
fn value(text: &[u8], scratch: &mut Vec<u8>) -> Option<Value> {
    match *text.first()? {
        b'"' => match string(&text[1..], scratch)? {
            (s, b"") => Some(Value::String(s.to_owned())),
            _ => None,
        },
        b't' => (text == b"true").then_some(Value::Bool(true)),
        b'f' => (text == b"false").then_some(Value::Bool(false)),
        b'n' => (text == b"null").then_some(Value::Null),
        _ => integer(text).map(Value::Int),
    }
}

/// An integer as JSON writes it (`0`, `-12`, no leading zero), of at most
/// 18 digits so that it cannot overflow; `-0`, which JSON readers disagree
/// about, is left to `serde_json`.
fn integer(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix(b"-") {
        Some(d) => (true, d),
        None => (false, text),
    };
    if digits.is_empty()
        || digits.len() > 18
        || (digits[0] == b'0' && (digits.len() > 1 || negative))
    {
        return None;
    }
    let mut n: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(d - b'0');
    }
    Some(if negative { -n } else { n })
}

/// The string whose text (after its opening quote) starts `text`, decoded
/// (into `scratch` when it has escapes), and what follows its closing
/// quote; `None` on a `\u` escape (left to `serde_json`) or anything JSON
/// forbids in a string.
fn string<'a: 's, 's>(text: &'a [u8], scratch: &'s mut Vec<u8>) -> Option<(&'s str, &'a [u8])> {
    let mut i = special(text, 0)?;
    // The start of the text not yet copied, once an escape was met.
    let mut copied: Option<usize> = None;
    while text[i] == b'\\' {
        let from = copied.unwrap_or_else(|| {
            scratch.clear();
            0
        });
        scratch.extend_from_slice(&text[from..i]);
        scratch.push(match *text.get(i + 1)? {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            _ => return None,
        });
        copied = Some(i + 2);
        i = special(text, i + 2)?;
    }
    // JSON allows control characters only escaped.
    if text[i] != b'"' {
        return None;
    }
    let rest = &text[i + 1..];
    let raw = match copied {
        None => &text[..i],
        Some(from) => {
            scratch.extend_from_slice(&text[from..i]);
            &scratch[..]
        }
    };
    // Escapes decode to ASCII: the text is UTF-8 when its raw runs are.
    Some((std::str::from_utf8(raw).ok()?, rest))
}

/// The index of the first `"`, `\\` or control character of `text` from
/// `from` on, eight bytes at a time.
fn special(text: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // High bits set at the bytes of `x` below `n` (exact up to the first).
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS;
    let mut i = from;
    while let Some(word) = text.get(i..i + 8) {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(word);
        let w = u64::from_le_bytes(bytes);
        let hits = below(w ^ (ONES * u64::from(b'"')), 1)
            | below(w ^ (ONES * u64::from(b'\\')), 1)
            | below(w, 0x20);
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    text.get(i..)?
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|at| i + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entry lines as a piece of a manifest's entries.
    fn body(lines: &[&str]) -> Vec<u8> {
        lines
            .iter()
            .map(|l| format!("\n    {l}"))
            .collect::<Vec<_>>()
            .join(",")
            .into_bytes()
    }

    /// What `serde_json` reads from the same piece.
    fn by_json(lines: &[&str]) -> Option<Vec<Entry>> {
        let mut doc = b"{".to_vec();
        doc.extend(body(lines));
        doc.push(b'}');
        parse_piece_json(&doc)
    }

    fn fast(line: &str) -> Option<Entry> {
        entry(line.as_bytes(), &mut Vec::new())
    }

    #[test]
    #[cfg_attr(
        feature = "reference-paths",
        ignore = "the fast path is off under reference-paths"
    )]
    fn lines_read_here_read_as_serde_json_reads_them() {
        let lines = [
            r#""config:a.json:\"x\"": 0"#,
            r#""config:a.json:\"y\\z\"": -12"#,
            r#""env:A": 999999999999999999"#,
            r#""env:B": -999999999999999999"#,
            r#""env:C": "plain""#,
            r#""env:D": "q\"b\\s\/b\bf\fn\nr\rt\t""#,
            r#""env:E": "é ü 漢 😀""#,
            r#""env:F": true"#,
            r#""env:G": false"#,
            r#""env:H": null"#,
            r#""env:I": """#,
            r#""env:J": "a long value, of more than eight bytes at a time, with \"quotes\" late""#,
        ];
        for line in lines {
            assert!(fast(line).is_some(), "read here: {line}");
        }
        let read = entries(&body(&lines)).expect("read");
        assert_eq!(Some(read), by_json(&lines));
    }

    #[test]
    #[cfg_attr(
        feature = "reference-paths",
        ignore = "the fast path is off under reference-paths"
    )]
    fn other_lines_are_left_to_serde_json_and_read_alike() {
        let lines = [
            r#""env:A": 1.5"#,
            r#""env:B": 1e3"#,
            r#""env:C": -0"#,
            r#""env:D": 9223372036854775807"#,
            r#""env:E": 18446744073709551615"#,
            r#""env:F": "\u00e9\ud83d\ude00""#,
            r#""env:G": {"object": {"a": 1}}"#,
            r#""env:H":1"#,
            r#""env:I" : "spaced""#,
            r#""env:J\u0041": 2"#,
        ];
        for line in lines {
            assert!(fast(line).is_none(), "left to serde_json: {line}");
        }
        let read = entries(&body(&lines)).expect("read");
        assert_eq!(read.len(), lines.len());
        assert_eq!(Some(read), by_json(&lines));
    }

    #[test]
    fn what_json_refuses_is_declined() {
        for bad in [
            "\"env:A\": \"raw\ttab\"",
            r#""env:A": 012"#,
            r#""env:A": "unterminated"#,
            r#""env:A": "bad \x escape""#,
            r#""env:A": tru"#,
            r#""env:A": 1 2"#,
            r#""no layer": 1"#,
            r#""env:A\n": 1"#,
            r#""env:A": 1,"#,
        ] {
            assert!(fast(bad).is_none(), "{bad}");
            assert_eq!(entries(&body(&[bad])), None, "{bad}");
            assert_eq!(by_json(&[bad]), None, "{bad}");
        }
        // Not UTF-8.
        let mut raw = body(&[r#""env:A": "x""#]);
        let at = raw.len() - 2;
        raw[at] = 0xff;
        assert_eq!(entries(&raw), None);
    }

    #[test]
    #[cfg_attr(
        feature = "reference-paths",
        ignore = "the fast path is off under reference-paths"
    )]
    fn keys_are_sorted_and_a_key_twice_is_declined() {
        let lines = [r#""env:B": 2"#, r#""env:A": 1"#];
        let read = entries(&body(&lines)).expect("read");
        let keys: Vec<&str> = read.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["env:A", "env:B"]);
        assert_eq!(Some(read), by_json(&lines));
        assert_eq!(entries(&body(&[r#""env:A": 1"#, r#""env:A": 1"#])), None);
    }

    #[test]
    fn special_bytes_are_found_in_words_and_in_the_tail() {
        for n in 0..20 {
            let mut text = vec![b'a'; n];
            assert_eq!(special(&text, 0), None);
            for b in [b'"', b'\\', b'\n', 0x1f] {
                text.push(b);
                assert_eq!(special(&text, 0), Some(n), "{n} {b}");
                assert_eq!(special(&text, n), Some(n));
                text.pop();
            }
        }
        // Bytes above the ASCII range are not special.
        assert_eq!(special("é\"".as_bytes(), 0), Some(2));
    }
}
