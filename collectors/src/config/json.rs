//! JSON into a [`Node`] tree, refusing duplicate keys.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::error::ParseError;
use super::tree::{DupCheck, Node};

/// Parses a JSON document. A document of whitespace only is `None` (no
/// entries); a key that occurs twice in one object is an error at its line.
pub(crate) fn parse(text: &str) -> Result<Option<Node>, ParseError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str::<Node>(text).map(Some).map_err(|e| {
        let full = e.to_string();
        // serde_json appends " at line L column C"; the line is kept apart.
        let message = full
            .rsplit_once(" at line ")
            .map_or(full.as_str(), |(m, _)| m);
        ParseError::from_parser((e.line() > 0).then_some(e.line()), message)
    })
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

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
        // Integers past i64 are kept as floats (comparable, if not exact).
        Ok(i64::try_from(v).map_or(Node::Float(v as f64), Node::Int))
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
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<(String, Node)> = Vec::new();
        let mut dups = DupCheck::default();
        while let Some(key) = map.next_key::<String>()? {
            let duplicate = dups.is_duplicate(&entries, &key);
            if duplicate {
                return Err(de::Error::custom(
                    "duplicate key in object; remove one of the two",
                ));
            }
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_types() {
        let n =
            parse(r#"{"a": 1, "b": [true, null, 2.5, "x"], "c": {}, "big": 18446744073709551615}"#)
                .unwrap()
                .unwrap();
        assert_eq!(n.get("a"), Some(&Node::Int(1)));
        assert_eq!(
            n.get("b"),
            Some(&Node::List(vec![
                Node::Bool(true),
                Node::Null,
                Node::Float(2.5),
                Node::Str("x".into())
            ]))
        );
        assert_eq!(n.get("c"), Some(&Node::Map(vec![])));
        assert!(matches!(n.get("big"), Some(Node::Float(_))));
    }

    #[test]
    fn duplicate_keys_are_an_error_at_their_line() {
        let e = parse("{\n\"a\": 1,\n\"a\": 2}").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("duplicate key"), "{}", e.message);
        let many: String = (0..40).map(|i| format!("\"k{i}\": {i},\n")).collect();
        let e = parse(&format!("{{\n{many}\"k7\": 0}}")).unwrap_err();
        assert_eq!(e.line, Some(42));
    }

    #[test]
    fn errors_do_not_echo_content() {
        let e = parse("{\"password\": hunter2}").unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(!e.message.contains("hunter2"), "{}", e.message);
        assert!(parse("  \n").unwrap().is_none());
    }
}
