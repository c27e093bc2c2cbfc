//! TOML into a [`Node`] tree (the `toml` crate; dates and times as their
//! TOML text). Documents read to [`MAX_DEPTH`] levels, on a stack grown
//! for their depth ([`crate::toml_depth`]).

use super::error::{ParseError, line_of_offset};
use super::sink::Sink;
use super::tree::{MAX_DEPTH, Node, too_deep};
use crate::toml_depth::parse_within;

/// Parses a TOML document. TOML forbids duplicate keys: they are an error
/// at their line, like any other syntax error.
///
/// Line endings are read as line feeds first: a multi-line string keeps
/// the line breaks of the file as they are written, so switching a file
/// between LF and CRLF changed its values. TOML allows a carriage return
/// only before a line feed (an escaped `\r` is no byte of the file), so
/// the change touches nothing else, and lines stay where they were. (The
/// fast path declines any carriage return.)
pub(crate) fn parse(text: &str) -> Result<Node, ParseError> {
    let lf;
    let text = if crate::text::find_byte(text, b'\r').is_some() {
        lf = text.replace("\r\n", "\n");
        lf.as_str()
    } else {
        text
    };
    // The table is turned into nodes (and dropped) on the grown stack too:
    // both recurse once per level.
    parse_within(text, MAX_DEPTH, || {
        let table = text.parse::<toml::Table>().map_err(|e| {
            let line = e.span().map(|s| line_of_offset(text, s.start));
            ParseError::from_parser(line, e.message())
        })?;
        Ok(table_node(table))
    })
    .map_err(|e| ParseError::at(e.line, too_deep()))?
}

/// Parses a TOML document into `sink`. A document without keys nor tables
/// (blank, or comments only) has no entries: TOML has no way to write an
/// empty document, and the file's `file:` entry tells it is there.
pub(crate) fn parse_into(text: &str, sink: &mut Sink<'_>) -> Result<(), ParseError> {
    match parse(text)? {
        Node::Map(entries) if entries.is_empty() => {}
        node => sink.node(node),
    }
    Ok(())
}

fn table_node(table: toml::Table) -> Node {
    Node::Map(table.into_iter().map(|(k, v)| (k, node(v))).collect())
}

fn node(value: toml::Value) -> Node {
    match value {
        toml::Value::String(s) => Node::Str(s),
        toml::Value::Integer(i) => Node::Int(i),
        toml::Value::Float(f) => Node::Float(f),
        toml::Value::Boolean(b) => Node::Bool(b),
        toml::Value::Datetime(d) => Node::Str(d.to_string()),
        toml::Value::Array(items) => Node::List(items.into_iter().map(node).collect()),
        toml::Value::Table(t) => table_node(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_types_and_dates() {
        let n =
            parse("a = 1\n[db]\nwhen = 1979-05-27T07:32:00Z\nratio = 0.5\nok = true\n").unwrap();
        assert_eq!(n.get("a"), Some(&Node::Int(1)));
        let db = n.get("db").unwrap();
        assert_eq!(
            db.get("when"),
            Some(&Node::Str("1979-05-27T07:32:00Z".into()))
        );
        assert_eq!(db.get("ratio"), Some(&Node::Float(0.5)));
        assert_eq!(db.get("ok"), Some(&Node::Bool(true)));
    }

    #[test]
    fn line_endings_in_multi_line_strings_are_no_drift() {
        let lf = "a = \"\"\"\none\ntwo\n\"\"\"\nb = '''\nx\ny'''\nc = \"e\\r\\n\"\n[t]\nd = 1\n";
        let crlf = lf.replace('\n', "\r\n");
        assert_eq!(parse(&crlf).unwrap(), parse(lf).unwrap());
        let n = parse(&crlf).unwrap();
        assert_eq!(n.get("a"), Some(&Node::Str("one\ntwo\n".into())));
        assert_eq!(n.get("b"), Some(&Node::Str("x\ny".into())));
        // An escaped carriage return is the string's own.
        assert_eq!(n.get("c"), Some(&Node::Str("e\r\n".into())));
        // Errors keep their line.
        let e = parse("a = 1\r\nb = \r\n").unwrap_err();
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn errors_name_the_line_without_content() {
        let e = parse("a = 1\npassword = \"hunter2\"\npassword = \"hunter3\"\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(!e.message.contains("hunter"), "{}", e.message);
        let e = parse("a = 1\nb = hunter2\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(!e.message.contains("hunter2"), "{}", e.message);
    }
}
