//! JSON into entries, refusing duplicate keys: objects straight into the
//! [`Sink`], arrays as a [`Node`] tree (their items may be keyed by
//! identity).

use std::borrow::Cow;
use std::fmt;

use drift_core::Value;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::error::ParseError;
use super::sink::Sink;
use super::tree::{DupCheck, MAX_DEPTH, Node, too_deep, with_stack};

/// Parses a JSON document into `sink`. A document of whitespace only has no
/// entries; a key that occurs twice in one object is an error at its line.
pub(crate) fn parse_into(text: &str, sink: &mut Sink<'_>) -> Result<(), ParseError> {
    if text.trim().is_empty() {
        return Ok(());
    }
    let mut de = serde_json::Deserializer::from_str(text);
    // serde_json stops at 128 levels; the visitors below count the levels
    // themselves, up to MAX_DEPTH, each on enough stack.
    de.disable_recursion_limit();
    EntriesSeed { sink, depth: 0 }
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| {
            let full = e.to_string();
            // serde_json appends " at line L column C"; the line is kept apart.
            let message = full
                .rsplit_once(" at line ")
                .map_or(full.as_str(), |(m, _)| m);
            ParseError::from_parser((e.line() > 0).then_some(e.line()), message)
        })
}

/// Integers past i64 are kept as floats (comparable, if not exact).
fn from_u64(v: u64) -> Node {
    i64::try_from(v).map_or(Node::Float(v as f64), Node::Int)
}

fn duplicate<E: de::Error>() -> E {
    de::Error::custom("duplicate key in object; remove one of the two")
}

/// Puts the value it reads into the sink, at the sink's current key.
struct EntriesSeed<'s, 'a> {
    sink: &'s mut Sink<'a>,
    /// The lists and objects the value is in.
    depth: usize,
}

/// The error of a value nested deeper than [`MAX_DEPTH`]: serde_json adds
/// the line.
fn check_depth<E: de::Error>(depth: usize) -> Result<(), E> {
    if depth >= MAX_DEPTH {
        return Err(de::Error::custom(too_deep()));
    }
    Ok(())
}

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        with_stack(|| deserializer.deserialize_any(self))
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.sink.value(Value::Null);
        Ok(())
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.sink.value(Value::Bool(v));
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.sink.value(Value::Int(v));
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.sink.value(from_u64(v).into_value());
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.sink.value(Value::Float(v));
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.sink.value(Value::String(v.to_owned()));
        Ok(())
    }

    fn visit_string<E>(self, v: String) -> Result<(), E> {
        self.sink.value(Value::String(v));
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.sink
            .node(NodeVisitor { depth: self.depth }.visit_seq(seq)?);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        check_depth(self.depth)?;
        let mut names: Vec<Cow<'de, str>> = Vec::new();
        let mut dups = DupCheck::default();
        while let Some(name) = map.next_key_seed(NameSeed)? {
            if dups.is_duplicate(&names, &name) {
                return Err(duplicate());
            }
            let mark = self.sink.key.mark();
            self.sink.key.push_field(&name);
            map.next_value_seed(EntriesSeed {
                sink: &mut *self.sink,
                depth: self.depth + 1,
            })?;
            self.sink.key.truncate(mark);
            names.push(name);
        }
        if names.is_empty() {
            self.sink.value(Value::Object(Default::default()));
        }
        Ok(())
    }
}

/// An object key, borrowed from the text when it has no escapes.
struct NameSeed;

impl<'de> DeserializeSeed<'de> for NameSeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for NameSeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        NodeVisitor { depth: 0 }.deserialize(deserializer)
    }
}

/// Reads a value into a [`Node`], `depth` lists and objects down.
#[derive(Clone, Copy)]
struct NodeVisitor {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for NodeVisitor {
    type Value = Node;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        with_stack(|| deserializer.deserialize_any(self))
    }
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(from_u64(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        check_depth(self.depth)?;
        let inner = NodeVisitor {
            depth: self.depth + 1,
        };
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            match seq.next_element_seed(inner) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => return Ok(Node::List(items)),
                Err(e) => {
                    // What was read may be deep: dropped without recursing.
                    Node::List(items).dispose();
                    return Err(e);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        check_depth(self.depth)?;
        let inner = NodeVisitor {
            depth: self.depth + 1,
        };
        let mut entries: Vec<(String, Node)> = Vec::new();
        let mut dups = DupCheck::default();
        let failed = loop {
            let key = match map.next_key::<String>() {
                Ok(Some(key)) => key,
                Ok(None) => return Ok(Node::Map(entries)),
                Err(e) => break e,
            };
            if dups.is_duplicate(&entries, &key) {
                break duplicate();
            }
            match map.next_value_seed(inner) {
                Ok(value) => entries.push((key, value)),
                Err(e) => break e,
            }
        };
        Node::Map(entries).dispose();
        Err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::sink::testing::entries;

    /// The entries of `text`, by key without the `config:f.json` prefix.
    fn parse(text: &str) -> Result<Vec<(String, Value)>, ParseError> {
        entries("f.json", |sink| parse_into(text, sink))
    }

    #[test]
    fn parses_types() {
        let n =
            parse(r#"{"a": 1, "b": [true, null, 2.5, "x"], "c": {}, "big": 18446744073709551615, "d": {"e\"": "\u00e9"}}"#)
                .unwrap();
        assert_eq!(n[0], (":a".to_owned(), Value::Int(1)));
        assert_eq!(
            n[1],
            (
                ":b".to_owned(),
                Value::List(vec![
                    Value::Bool(true),
                    Value::Null,
                    Value::Float(2.5),
                    Value::from("x")
                ])
            )
        );
        assert!(matches!(n[2], (ref k, Value::Float(_)) if k == ":big"));
        assert_eq!(n[3], (":c".to_owned(), Value::Object(Default::default())));
        assert_eq!(n[4], (":d.\"e\\\"\"".to_owned(), Value::from("é")));
        assert_eq!(n.len(), 5);
    }

    #[test]
    fn scalars_and_empty_documents() {
        assert_eq!(parse(" 7 ").unwrap(), [(String::new(), Value::Int(7))]);
        assert_eq!(
            parse("{}").unwrap(),
            [(String::new(), Value::Object(Default::default()))]
        );
        assert!(parse("  \n").unwrap().is_empty());
        let e = parse("{} 1").unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("trailing characters"), "{}", e.message);
    }

    #[test]
    fn duplicate_keys_are_an_error_at_their_line() {
        let e = parse("{\n\"a\": 1,\n\"a\": 2}").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("duplicate key"), "{}", e.message);
        let many: String = (0..40).map(|i| format!("\"k{i}\": {i},\n")).collect();
        let e = parse(&format!("{{\n{many}\"k7\": 0}}")).unwrap_err();
        assert_eq!(e.line, Some(42));
        // Escaped and plain spellings of one name are one name.
        let e = parse("{\"kA\": 1, \"k\\u0041\": 2}").unwrap_err();
        assert!(e.message.contains("duplicate key"), "{}", e.message);
        // Inside arrays too.
        let e = parse("[{\"a\": 1,\n\"a\": 2}]").unwrap_err();
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn errors_do_not_echo_content() {
        let e = parse("{\"password\": hunter2}").unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(!e.message.contains("hunter2"), "{}", e.message);
    }
}
