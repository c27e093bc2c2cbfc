//! A fast path for the most common shape of TOML: `[table]` headers and
//! `key = value` lines of bare keys and simple values (integers, booleans,
//! strings without escapes), with comments and blank lines. The `toml` crate
//! builds tokens, events and maps for every file; large trees are mostly made
//! of such files, which this turns into entries several times faster.
//!
//! It is deliberately narrow: anything else (dotted or quoted keys, arrays,
//! inline tables, arrays of tables, floats, dates, escapes, literal and
//! multi-line strings, control characters but tab, non-ASCII text, a key or table
//! given twice) is declined, and the file goes to the full parser. Where it
//! answers, it answers exactly what the full parser does (a test compares
//! the two).

use std::collections::BTreeMap;

use drift_core::Value;

use super::sink::{NameStack, Sink};
use crate::text::{all_in, alphanumeric_and, trim_blanks_end, trim_blanks_start};

/// Puts the entries of `text` into `sink` when it is of the simple shape
/// this module handles, and says whether it was; when it was not, `sink` is
/// left as it was and the caller uses the full parser.
pub(crate) fn parse_into(text: &str, sink: &mut Sink<'_>) -> bool {
    if cfg!(feature = "reference-paths") {
        return false;
    }
    sink.fast_path(|sink| emit(text, sink))
}

fn emit(text: &str, sink: &mut Sink<'_>) -> Option<()> {
    // Control characters other than tab and newline are allowed in none of
    // the kinds this reads.
    if !all_in(text.as_bytes(), &TEXT_BYTES) {
        return None;
    }
    let root = sink.key.mark();
    // Top-level keys and table names, then the keys of the table being
    // read (none before the first header).
    let mut names = NameStack::for_text(text.len());
    names.open();
    let mut in_table = false;
    for line in crate::text::lines(text) {
        let body = trim_blanks_end(trim_blanks_start(line));
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if let Some(header) = body.strip_prefix('[') {
            let (name, rest) = header.split_once(']')?;
            if !is_bare_key(name) || !is_blank_or_comment(rest) {
                return None;
            }
            if in_table {
                close(sink, root, &mut names);
            }
            names.add(name)?;
            sink.key.push_field(name);
            in_table = true;
            names.open();
            continue;
        }
        let (key, rest) = body.split_once('=')?;
        let key = trim_blanks_end(key);
        if !is_bare_key(key) {
            return None;
        }
        let value = value(trim_blanks_start(rest))?;
        names.add(key)?;
        sink.field(key, value);
    }
    if in_table {
        close(sink, root, &mut names);
    }
    // A document without keys nor tables has no entries, as in the full
    // reader.
    sink.key.truncate(root);
    Some(())
}

/// Ends the table being read (an empty one is an empty object): back to
/// the top level.
fn close(sink: &mut Sink<'_>, root: (usize, bool), names: &mut NameStack<'_>) {
    if names.is_empty() {
        sink.value(Value::Object(BTreeMap::new()));
    }
    names.close();
    sink.key.truncate(root);
}

/// A value and what may follow it on its line; `None` when it is not one of
/// the simple kinds.
fn value(text: &str) -> Option<Value> {
    if let Some(quoted) = text.strip_prefix('"') {
        let (s, rest) = quoted.split_once('"')?;
        let plain = !s.contains('\\');
        return (plain && is_blank_or_comment(rest)).then(|| Value::from(s));
    }
    let end = text
        .bytes()
        .position(|b| matches!(b, b' ' | b'\t' | b'#'))
        .unwrap_or(text.len());
    let (word, rest) = text.split_at(end);
    if !is_blank_or_comment(rest) {
        return None;
    }
    match word {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        _ => {
            let digits = word.strip_prefix(['+', '-']).unwrap_or(word);
            let decimal = digits.bytes().all(|b| b.is_ascii_digit())
                && (digits == "0" || digits.bytes().next().is_some_and(|b| b != b'0'));
            if !decimal {
                return None;
            }
            word.parse::<i64>().ok().map(Value::Int)
        }
    }
}

fn is_bare_key(key: &str) -> bool {
    !key.is_empty() && all_in(key.as_bytes(), &BARE_KEY_BYTES)
}

/// Whether `rest` is nothing, blanks, or a comment after blanks.
fn is_blank_or_comment(rest: &str) -> bool {
    let rest = trim_blanks_start(rest);
    rest.is_empty() || rest.starts_with('#')
}

/// The bytes of a bare key: ASCII letters, digits, `_` and `-`.
static BARE_KEY_BYTES: [bool; 256] = alphanumeric_and(b"_-");

/// The bytes of a text this reads: printable ASCII, tabs and newlines.
static TEXT_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = b' ' as usize;
    while b <= b'~' as usize {
        t[b] = true;
        b += 1;
    }
    t[b'\t' as usize] = true;
    t[b'\n' as usize] = true;
    t
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::sink::testing::{fast_path, lines};
    use drift_core::__private::KeyedValues;
    use drift_core::key::KeyBuilder;

    fn fast(text: &str) -> Option<Vec<String>> {
        fast_path("f.toml", text, parse_into)
    }

    /// The entries by the full parser, or its error.
    fn full(text: &str) -> Result<Vec<String>, String> {
        let mut key = KeyBuilder::new("config").path("f.toml");
        let mut out = KeyedValues::default();
        super::super::toml::parse_into(
            text,
            &mut Sink {
                key: &mut key,
                out: &mut out,
            },
        )
        .map_err(|e| e.message)?;
        Ok(lines(&out))
    }

    /// Every input the fast path answers must give what the full parser gives.
    fn agrees(text: &str) -> bool {
        let Some(fast) = fast(text) else {
            return false;
        };
        assert_eq!(Ok(fast), full(text), "fast path differs on {text:?}");
        true
    }

    #[test]
    #[cfg_attr(
        feature = "reference-paths",
        ignore = "the fast path is off under reference-paths"
    )]
    fn simple_tables_are_read_fast_and_alike() {
        for text in [
            "",
            "# only a comment\n",
            "a = 1\n",
            "a = 1\nb = \"two words\" # comment\nc = true\nd = -3\ne = +0\n",
            "top = 0\n[server]\nport = 8080\nhost = \"db.local\"\n\n[empty]\n[client]\n  x = false\n",
            "[a]\n[b] # c\nk=1",
            "[only]\n",
            "k-1 = \"a#b\"\n_ = 9223372036854775807\n",
            "k=1#c\nt = true#x\ns=\"\"#\n\t\n",
        ] {
            assert!(agrees(text), "fast path declined {text:?}");
        }
    }

    #[test]
    fn other_shapes_go_to_the_full_parser() {
        for text in [
            "a = 1\na = 2\n",
            "[t]\n[t]\n",
            "a = 1\n[a]\n",
            "[a]\nk = 1\nk = 2\n",
            "a.b = 1\n",
            "\"a\" = 1\n",
            "a = [1]\n",
            "a = {b = 1}\n",
            "[[a]]\n",
            "[a.b]\n",
            "a = 1.5\n",
            "a = 1979-05-27\n",
            "a = \"x\\ty\"\n",
            "a = 'lit'\n",
            "a = \"\"\"x\"\"\"\n",
            "a = 1\r\n",
            "a = \"é\"\n",
            "a = 01\n",
            "a = 1_000\n",
            "a = 99999999999999999999\n",
            "a = 1 b\n",
            "a = \"x\" y\n",
            "a = \n",
            "= 1\n",
            "[a] b\n",
            "a\n",
            "# \u{1}\n",
            "a = \"\u{7f}\"\n",
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
        let mut next = crate::config::sink::testing::xorshift(0x5851_f42d);
        let keys = ["a", "b", "key_1", "K-2", "0", "true", "x"];
        let values = [
            "1",
            "-2",
            "+3",
            "0",
            "-0",
            "true",
            "false",
            "\"s\"",
            "\"a b # c\"",
            "\"\"",
            "07",
            "1.5",
            "\"q",
            "x",
        ];
        let mut answered = 0;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..next(12) {
                match next(6) {
                    0 => text.push_str(&format!("[{}]\n", keys[next(keys.len() as u64) as usize])),
                    1 => text.push_str("# note\n\n"),
                    _ => text.push_str(&format!(
                        "{}{} = {}{}\n",
                        ["", "  "][next(2) as usize],
                        keys[next(keys.len() as u64) as usize],
                        values[next(values.len() as u64) as usize],
                        ["", " # c", "\t"][next(3) as usize],
                    )),
                }
            }
            if agrees(&text) {
                answered += 1;
            } else if fast(&text).is_none() {
                // Declined: the full parser decides, error or not.
                let _ = full(&text);
            }
        }
        assert!(
            answered > 500,
            "the fast path answered only {answered} of 2000"
        );
    }
}
