//! YAML (one or more documents) into [`Node`] trees, on yaml-rust2's event
//! parser: anchors and aliases expanded, merge keys (`<<`) resolved, a key
//! that occurs twice in one mapping refused with its line.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::error::{ParseError, line_of_offset};
use super::tree::{DupCheck, MAX_DEPTH, Node, too_deep, with_stack};
use super::yaml_scalar::resolve;

/// How many nodes alias expansion may create in one file, so that a
/// "billion laughs" document cannot exhaust memory.
const MAX_ALIAS_NODES: usize = 1_000_000;

/// Parses every document of a YAML stream, in order, with the full YAML
/// parser (files of the simplest shape go to `yaml_fast` first). Empty
/// documents are [`Node::Null`].
pub(crate) fn parse_full(text: &str) -> Result<Vec<Node>, ParseError> {
    check_controls(text)?;
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    // Events one by one rather than through `Parser::load`, which recurses
    // once per level of the document (and overflows any stack).
    let loaded = loop {
        match parser.next_token() {
            Err(e) => break Err(e),
            Ok((Event::StreamEnd, _)) => break Ok(()),
            Ok((ev, mark)) => {
                let ev = match ev {
                    Event::Scalar(
                        value,
                        style @ (TScalarStyle::Literal | TScalarStyle::Folded),
                        anchor,
                        tag,
                    ) if value.bytes().all(|b| b == b'\n') => {
                        let value = empty_block_scalar(text, mark.index()).unwrap_or(value);
                        Event::Scalar(value, style, anchor, tag)
                    }
                    ev => ev,
                };
                builder.on_event(ev, mark);
                if builder.error.is_some() {
                    break Ok(());
                }
            }
        }
    };
    let Builder {
        docs,
        root,
        stack,
        anchors,
        error,
        ..
    } = builder;
    // Trees as deep as the document: dropped without recursing.
    anchors.into_values().chain(root).for_each(Node::dispose);
    stack.into_iter().for_each(Frame::dispose);
    let error = match loaded {
        Err(e) => Some(ParseError::from_parser(Some(e.marker().line()), e.info())),
        Ok(()) => error,
    };
    match error {
        Some(e) => {
            docs.into_iter().for_each(Node::dispose);
            Err(e)
        }
        None => Ok(docs),
    }
}

/// The value of a block scalar without content (`x: |`), from its header
/// at char `index` of `text`: yaml-rust2 gives `"\n"` when one ends the
/// file, where YAML gives `""` (as it does in the middle of a file), and
/// with keep chomping (`|+`) one line break too many there. Clip and strip
/// give `""`; keep gives the empty lines after the header, up to the next
/// line with content. `None` when `index` is not at a header.
fn empty_block_scalar(text: &str, index: usize) -> Option<String> {
    let (at, _) = text.char_indices().nth(index)?;
    let header = text[at..].split('\n').next()?;
    let indicators = header.strip_prefix(['|', '>'])?;
    let keep = indicators.split([' ', '#']).next()?.contains('+');
    if !keep {
        return Some(String::new());
    }
    let after = text[at + header.len()..].strip_prefix('\n').unwrap_or("");
    let empty = after
        .split_inclusive('\n')
        .take_while(|l| l.ends_with('\n') && l.trim_end_matches(['\n', '\r', ' ']).is_empty())
        .count();
    Some("\n".repeat(empty))
}

/// Refuses a control character YAML forbids (C0 but tab, line feed and
/// carriage return), at its line: yaml-rust2 stops at one in a comment and
/// gives the document before it, silently shorter.
fn check_controls(text: &str) -> Result<(), ParseError> {
    let bad = |b: &u8| *b < b' ' && !matches!(b, b'\t' | b'\n' | b'\r');
    match text.as_bytes().iter().position(bad) {
        None => Ok(()),
        Some(at) => Err(ParseError::at(
            line_of_offset(text, at),
            format!(
                "control character U+{:04X}, which YAML forbids; remove it",
                text.as_bytes()[at]
            ),
        )),
    }
}

#[derive(Debug)]
enum Frame {
    Seq {
        items: Vec<Node>,
        anchor: usize,
    },
    Map {
        entries: Vec<(String, Node)>,
        anchor: usize,
        /// The key waiting for its value: name, line, whether it is `<<`.
        key: Option<(String, usize, bool)>,
        /// Mappings named by `<<`, in order.
        merges: Vec<Node>,
        dups: DupCheck,
    },
}

impl Frame {
    /// Drops what the frame holds without recursing.
    fn dispose(self) {
        match self {
            Frame::Seq { items, .. } => Node::List(items).dispose(),
            Frame::Map {
                entries, merges, ..
            } => {
                Node::Map(entries).dispose();
                Node::List(merges).dispose();
            }
        }
    }
}

#[derive(Debug, Default)]
struct Builder {
    docs: Vec<Node>,
    root: Option<Node>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    error: Option<ParseError>,
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.event(ev, mark.line()) {
            self.error = Some(e);
        }
    }
}

impl Builder {
    fn awaiting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    fn event(&mut self, ev: Event, line: usize) -> Result<(), ParseError> {
        match ev {
            Event::DocumentEnd => {
                let doc = self.root.take().unwrap_or(Node::Null);
                self.docs.push(doc);
                // Anchors name nodes of their own document only.
                self.anchors.drain().for_each(|(_, node)| node.dispose());
            }
            Event::SequenceStart(..) | Event::MappingStart(..) if self.awaiting_key() => {
                return Err(ParseError::at(
                    line,
                    "a mapping key is itself a list or a mapping; drift supports scalar keys only",
                ));
            }
            Event::SequenceStart(..) | Event::MappingStart(..) if self.stack.len() >= MAX_DEPTH => {
                return Err(ParseError::at(line, too_deep()));
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq {
                items: Vec::new(),
                anchor,
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map {
                entries: Vec::new(),
                anchor,
                key: None,
                merges: Vec::new(),
                dups: DupCheck::default(),
            }),
            Event::SequenceEnd => {
                if let Some(Frame::Seq { items, anchor }) = self.stack.pop() {
                    self.complete(Node::List(items), anchor)?;
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    mut entries,
                    anchor,
                    merges,
                    ..
                }) = self.stack.pop()
                {
                    merge_into(&mut entries, merges);
                    self.complete(Node::Map(entries), anchor)?;
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                if self.awaiting_key() {
                    let merge = style == TScalarStyle::Plain && text == "<<" && tag.is_none();
                    if anchor > 0 {
                        self.anchors.insert(anchor, Node::Str(text.clone()));
                    }
                    self.set_key(text, line, merge);
                } else {
                    let node = resolve(text, style, tag);
                    self.complete(node, anchor)?;
                }
            }
            Event::Alias(id) => {
                let Some(node) = self.anchors.get(&id).cloned() else {
                    return Err(ParseError::at(
                        line,
                        "an alias names an anchor of another document; \
                         anchors hold within their document",
                    ));
                };
                self.alias_nodes += count_nodes(&node);
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(ParseError::at(
                        line,
                        format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} nodes; \
                             drift refuses such a document"
                        ),
                    ));
                }
                if self.awaiting_key() {
                    match scalar_text(&node) {
                        Some(text) => self.set_key(text, line, false),
                        None => {
                            return Err(ParseError::at(
                                line,
                                "a mapping key is an alias of a list or a mapping; \
                                 drift supports scalar keys only",
                            ));
                        }
                    }
                } else {
                    self.complete(node, 0)?;
                }
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart => {}
        }
        Ok(())
    }

    fn set_key(&mut self, text: String, line: usize, merge: bool) {
        if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
            *key = Some((text, line, merge));
        }
    }

    /// A node is complete: remember its anchor and put it into its parent.
    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), ParseError> {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                merges,
                dups,
                ..
            }) => {
                let Some((name, key_line, merge)) = key.take() else {
                    return Ok(());
                };
                if merge {
                    return push_merge(merges, node, key_line);
                }
                if dups.is_duplicate(entries, &name) {
                    return Err(ParseError::at(
                        key_line,
                        "duplicate key in mapping; remove one of the two",
                    ));
                }
                entries.push((name, node));
            }
        }
        Ok(())
    }
}

/// Records the value of a merge key: a mapping or a list of mappings.
fn push_merge(merges: &mut Vec<Node>, node: Node, line: usize) -> Result<(), ParseError> {
    match node {
        Node::Map(_) => merges.push(node),
        Node::List(items) if items.iter().all(|i| matches!(i, Node::Map(_))) => {
            merges.extend(items);
        }
        _ => {
            return Err(ParseError::at(
                line,
                "the merge key `<<` needs a mapping or a list of mappings",
            ));
        }
    }
    Ok(())
}

/// Adds the entries of merged mappings that the mapping does not set itself;
/// among merged mappings the first one wins.
fn merge_into(entries: &mut Vec<(String, Node)>, merges: Vec<Node>) {
    if merges.is_empty() {
        return;
    }
    let mut seen: std::collections::HashSet<String> =
        entries.iter().map(|(k, _)| k.clone()).collect();
    for merged in merges {
        if let Node::Map(more) = merged {
            for (k, v) in more {
                if seen.insert(k.clone()) {
                    entries.push((k, v));
                }
            }
        }
    }
}

fn count_nodes(node: &Node) -> usize {
    with_stack(|| match node {
        Node::List(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Node::Map(entries) => 1 + entries.iter().map(|(_, v)| count_nodes(v)).sum::<usize>(),
        _ => 1,
    })
}

/// The text of a scalar used as a key through an alias.
fn scalar_text(node: &Node) -> Option<String> {
    match node {
        Node::Null => Some("null".to_owned()),
        Node::Float(f) => Some(f.to_string()),
        other => other.identity_text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::yaml_scalar::resolve_plain_str;

    fn one(text: &str) -> Node {
        let mut docs = parse_full(text).unwrap();
        assert_eq!(docs.len(), 1, "{docs:?}");
        docs.remove(0)
    }

    #[test]
    fn a_sign_after_a_prefix_or_a_sign_makes_a_string() {
        for text in [
            "0x-1", "0x+1F", "0o-7", "++1", "+-1", "+-1.5", "-+1", "0x", "0o",
        ] {
            let n = one(&format!("a: {text}\n"));
            assert_eq!(n.get("a"), Some(&Node::Str(text.into())), "{text}");
        }
        let n = one("a: +1\nb: 0x1F\nc: 0o17\nd: +1.5\ne: +.inf\n");
        assert_eq!(n.get("a"), Some(&Node::Int(1)));
        assert_eq!(n.get("b"), Some(&Node::Int(31)));
        assert_eq!(n.get("c"), Some(&Node::Int(15)));
        assert_eq!(n.get("d"), Some(&Node::Float(1.5)));
        assert_eq!(n.get("e"), Some(&Node::Float(f64::INFINITY)));
    }

    #[test]
    fn a_control_character_is_an_error_at_its_line_not_a_shorter_document() {
        for (text, line) in [
            ("a: 1 # x\u{0}y\nb: 2\n", 1),
            ("a: 1\n# \u{7}\nb: 2\n", 2),
            ("a: 1\nb: 2\u{1b}\n", 2),
        ] {
            let e = parse_full(text).unwrap_err();
            assert_eq!(e.line, Some(line), "{text:?}");
            assert!(e.message.contains("control character"), "{}", e.message);
        }
        assert!(parse_full("a: 1\t# tab\r\nb: 2\r\n").is_ok());
    }

    #[test]
    fn an_empty_block_scalar_is_empty_wherever_it_stands() {
        // Where the key stands must not change the value: reordering keys
        // is no drift.
        for header in ["|", ">", "|-", ">-", "|2", "|+", ">+", "| # note"] {
            let last = one(&format!("a: 1\nx: {header}\n"));
            let middle = one(&format!("x: {header}\na: 1\n"));
            assert_eq!(last.get("x"), Some(&Node::Str(String::new())), "{header}");
            assert_eq!(middle.get("x"), last.get("x"), "{header}");
            let no_newline = one(&format!("a: 1\nx: {header}"));
            assert_eq!(no_newline.get("x"), last.get("x"), "{header}");
        }
        // Keep chomping keeps the empty lines after the header, as YAML does.
        assert_eq!(one("x: |+\n\n").get("x"), Some(&Node::Str("\n".into())));
        assert_eq!(one("x: |+\n\n\n").get("x"), Some(&Node::Str("\n\n".into())));
        assert_eq!(
            one("x: |+\n\n\na: 1\n").get("x"),
            Some(&Node::Str("\n\n".into()))
        );
        assert_eq!(one("é: |\n").get("é"), Some(&Node::Str(String::new())));
        assert_eq!(one("x: |\n  a\n").get("x"), Some(&Node::Str("a\n".into())));
    }

    #[test]
    fn scalars_resolve_by_the_core_schema() {
        let n =
            one("a: 1\nb: 0x10\nc: 1.5\nd: true\ne: ~\nf: '1'\ng: hello\nh: .inf\ni: !!str 2\n");
        assert_eq!(n.get("a"), Some(&Node::Int(1)));
        assert_eq!(n.get("b"), Some(&Node::Int(16)));
        assert_eq!(n.get("c"), Some(&Node::Float(1.5)));
        assert_eq!(n.get("d"), Some(&Node::Bool(true)));
        assert_eq!(n.get("e"), Some(&Node::Null));
        assert_eq!(n.get("f"), Some(&Node::Str("1".into())));
        assert_eq!(n.get("g"), Some(&Node::Str("hello".into())));
        assert_eq!(n.get("h"), Some(&Node::Float(f64::INFINITY)));
        assert_eq!(n.get("i"), Some(&Node::Str("2".into())));
    }

    #[test]
    fn digits_resolve_as_parse_reads_them() {
        let mut next = crate::config::sink::testing::xorshift(0x2545_f491_4f6c_dd1d);
        for len in 1..=20 {
            for _ in 0..50 {
                let digits: String = (0..len)
                    .map(|_| char::from(b'0' + next(10) as u8))
                    .collect();
                let expected = match digits.parse::<i64>() {
                    Ok(n) => Node::Int(n),
                    Err(_) => Node::Float(digits.parse().unwrap()),
                };
                assert_eq!(resolve_plain_str(&digits), expected, "{digits}");
            }
        }
        assert_eq!(resolve_plain_str("0"), Node::Int(0));
        assert_eq!(resolve_plain_str("007"), Node::Int(7));
    }

    #[test]
    fn merge_keys_and_aliases_are_resolved() {
        let n = one(
            "base: &b {pool: 5, timeout: 30}\nprod:\n  <<: *b\n  timeout: 60\nlist: &l [1, 2]\ncopy: *l\n",
        );
        let prod = n.get("prod").unwrap();
        assert_eq!(prod.get("pool"), Some(&Node::Int(5)));
        assert_eq!(prod.get("timeout"), Some(&Node::Int(60)));
        assert!(prod.get("<<").is_none());
        assert_eq!(n.get("copy"), n.get("list"));
    }

    #[test]
    fn merge_of_several_mappings_prefers_the_first() {
        let n = one("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n");
        let c = n.get("c").unwrap();
        assert_eq!(c.get("x"), Some(&Node::Int(1)));
        assert_eq!(c.get("y"), Some(&Node::Int(2)));
    }

    #[test]
    fn duplicate_keys_are_refused_with_their_line() {
        let e = parse_full("a: 1\nb:\n  c: 1\n  c: 2\n").unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("duplicate key"), "{}", e.message);
    }

    #[test]
    fn documents_are_kept_in_order() {
        let docs = parse_full("---\na: 1\n---\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[1], Node::Null);
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let e = parse_full(&text).unwrap_err();
        assert!(e.message.contains("aliases expand"), "{}", e.message);
    }

    #[test]
    fn custom_tags_are_kept() {
        let n = one("id: !Ref Bucket\n");
        assert_eq!(n.get("id"), Some(&Node::Str("!Ref Bucket".into())));
    }
}
