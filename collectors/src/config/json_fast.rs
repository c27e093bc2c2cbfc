//! A fast path for the most common shape of JSON: an object of nested
//! objects whose values are numbers, booleans, null and strings without
//! escapes. serde_json through a visitor costs over a thousand instructions
//! an entry; most configuration files are of this shape, and this reads
//! them in a fraction of that, without building anything.
//!
//! Anything else (arrays, escapes in strings, numbers past `i64`, `-0`,
//! duplicate keys, a document that is not an object, malformed text) is
//! declined, and the file goes to the full parser, which also gives the
//! errors. Where it answers, it answers exactly what the full parser does
//! (a test compares the two); fractions and exponents are read by
//! serde_json itself, so that floats are the same to the last bit.

use drift_core::Value;

use super::sink::{NameStack, Sink};
use super::tree::{MAX_DEPTH, with_stack};

/// Puts the entries of `text` into `sink` when it is of the simple shape
/// this module handles, and says whether it was; when it was not, `sink` is
/// left as it was and the caller uses the full parser.
pub(crate) fn parse_into(text: &str, sink: &mut Sink<'_>) -> bool {
    if cfg!(feature = "reference-paths") {
        return false;
    }
    sink.fast_path(|sink| {
        let mut p = Reader {
            text,
            at: 0,
            names: NameStack::for_text(text.len()),
            depth: 0,
        };
        p.space();
        if p.peek()? != b'{' {
            return None;
        }
        p.object(sink)?;
        p.space();
        (p.at == text.len()).then_some(())
    })
}

/// A position in the text, and the names of the objects it is in.
struct Reader<'t> {
    text: &'t str,
    at: usize,
    names: NameStack<'t>,
    /// The objects the reader is in (past [`MAX_DEPTH`], the full parser
    /// gives the error).
    depth: usize,
}

impl<'t> Reader<'t> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// Skips JSON whitespace.
    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    /// An object, its entries put at the sink's key (an empty one as an
    /// empty object, as the full parser records it).
    fn object(&mut self, sink: &mut Sink<'_>) -> Option<()> {
        self.eat(b'{')?;
        self.space();
        if self.eat(b'}').is_some() {
            sink.value(Value::Object(Default::default()));
            return Some(());
        }
        self.names.open();
        loop {
            let name = self.string()?;
            self.names.add(name)?;
            self.space();
            self.eat(b':')?;
            self.space();
            let mark = sink.key.mark();
            sink.key.push_field(name);
            self.value(sink)?;
            sink.key.truncate(mark);
            self.space();
            match self.peek()? {
                b',' => {
                    self.at += 1;
                    self.space();
                }
                b'}' => {
                    self.at += 1;
                    self.names.close();
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn value(&mut self, sink: &mut Sink<'_>) -> Option<()> {
        let value = match self.peek()? {
            b'{' => {
                // The root object is the first level.
                if self.depth + 1 >= MAX_DEPTH {
                    return None;
                }
                self.depth += 1;
                with_stack(|| self.object(sink))?;
                self.depth -= 1;
                return Some(());
            }
            b'"' => Value::String(self.string()?.to_owned()),
            b't' => self.word("true", Value::Bool(true))?,
            b'f' => self.word("false", Value::Bool(false))?,
            b'n' => self.word("null", Value::Null)?,
            b'-' | b'0'..=b'9' => self.number()?,
            // Arrays, and what is not JSON.
            _ => return None,
        };
        sink.value(value);
        Some(())
    }

    fn word(&mut self, word: &str, value: Value) -> Option<Value> {
        let rest = self.text.get(self.at..)?;
        rest.starts_with(word).then(|| {
            self.at += word.len();
            value
        })
    }

    /// A string without escapes or control characters, borrowed.
    fn string(&mut self) -> Option<&'t str> {
        self.eat(b'"')?;
        let start = self.at;
        let rest = self.text.as_bytes().get(start..)?;
        let len = memchr::memchr2(b'"', b'\\', rest)?;
        if rest[len] != b'"' || rest[..len].iter().any(|&b| b < 0x20) {
            return None;
        }
        self.at = start + len + 1;
        self.text.get(start..start + len)
    }

    /// A number: an integer that fits `i64` as it is (not `-0`, which the
    /// full parser reads as a float), one with a fraction or an exponent
    /// read by serde_json.
    fn number(&mut self) -> Option<Value> {
        let start = self.at;
        let negative = self.eat(b'-').is_some();
        let digits = self.digits()?;
        let first = self.text.as_bytes().get(self.at - digits).copied()?;
        if first == b'0' && digits > 1 {
            return None;
        }
        let mut float = false;
        if self.eat(b'.').is_some() {
            self.digits()?;
            float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.digits()?;
            float = true;
        }
        let token = self.text.get(start..self.at)?;
        if float {
            return serde_json::from_str::<f64>(token).ok().map(Value::Float);
        }
        match token.parse::<i64>().ok()? {
            0 if negative => None,
            n => Some(Value::Int(n)),
        }
    }

    /// Skips one or more digits, and says how many.
    fn digits(&mut self) -> Option<usize> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        (self.at > start).then_some(self.at - start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::sink::testing::{fast_path, xorshift};

    fn fast(text: &str) -> Option<Vec<String>> {
        fast_path("f.json", text, parse_into)
    }

    /// Every input the fast path answers must give what the full parser gives.
    fn agrees(text: &str) -> bool {
        crate::config::sink::testing::agrees("f.json", text, parse_into, |sink| {
            super::super::json::parse_into(text, sink)
                .unwrap_or_else(|e| panic!("{text:?}: {}", e.message));
        })
    }

    #[test]
    #[cfg_attr(
        feature = "reference-paths",
        ignore = "the fast path is off under reference-paths"
    )]
    fn objects_of_scalars_are_read_fast_and_alike() {
        for text in [
            "{}",
            " {\n} \n",
            r#"{"a": 1, "b": -2, "c": true, "d": false, "e": null, "f": "x y"}"#,
            r#"{"db": {"pool": {"size": 10, "timeout": 2.5}}, "host": "db.local"}"#,
            r#"{"a": {}, "b": {"c": {}}}"#,
            r#"{"n": 9223372036854775807, "m": -9223372036854775808}"#,
            r#"{"f": 1e3, "g": -0.5, "h": 1.5E-7, "i": 0.1, "j": 0}"#,
            "{\"k.dot\": 1, \"k:colon\": 2, \"k space\": 3, \"é\": \"ü\"}",
            "{\r\n\t\"a\"\t:\t1\r\n}",
        ] {
            assert!(agrees(text), "fast path declined {text:?}");
        }
    }

    #[test]
    fn other_shapes_go_to_the_full_parser() {
        for text in [
            "",
            "[1, 2]",
            "1",
            r#"{"a": [1]}"#,
            r#"{"a": "x\"y"}"#,
            r#"{"a\u0041": 1}"#,
            r#"{"a": 1, "a": 2}"#,
            r#"{"a": -0}"#,
            r#"{"a": 01}"#,
            r#"{"a": 9223372036854775808}"#,
            r#"{"a": 1.}"#,
            r#"{"a": .5}"#,
            r#"{"a": 1e}"#,
            r#"{"a": tru}"#,
            r#"{"a": 1,}"#,
            r#"{"a": 1} x"#,
            r#"{"a" 1}"#,
            "{\"a\": \"tab\there\"}",
            r#"{"a": 1"#,
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
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let values = [
            "0",
            "7",
            "-12",
            "3.25",
            "-1e-3",
            "2E+8",
            "true",
            "false",
            "null",
            "\"\"",
            "\"text\"",
            "\"a.b:c\"",
            "{}",
            "123456789012",
            "0.30000000000000004",
        ];
        let mut answered = 0;
        for _ in 0..500 {
            let mut text = String::from("{");
            let mut open = 1;
            let mut first = true;
            for i in 0..(1 + next(12)) {
                if !first {
                    text.push(',');
                }
                first = false;
                match next(4) {
                    0 if open < 4 => {
                        text.push_str(&format!("\"k{i}\": {{"));
                        open += 1;
                        first = true;
                    }
                    1 if open > 1 => {
                        text.push_str(&format!("\"u{i}\": 1}}"));
                        open -= 1;
                    }
                    _ => text.push_str(&format!(
                        " \"v{i}\" : {}",
                        values[next(values.len() as u64) as usize]
                    )),
                }
            }
            for _ in 0..open {
                text.push('}');
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
