//! INI files (`.ini`, `.cnf`) into a [`Node`] tree.
//!
//! INI has no standard; this reader follows what MySQL option files, PHP and
//! Python's configparser agree on, and is written here because the INI crates
//! refuse MySQL's value-less keys and `!include` lines:
//!
//! - `[section]` starts a section; keys before the first one are top-level;
//! - `key = value` or `key: value` (the first `=` or `:` separates); a key
//!   without a separator (`skip-name-resolve`) is recorded as null;
//! - full-line comments start with `;` or `#`; in an unquoted value, `;` or
//!   `#` after whitespace starts a comment;
//! - a value in matching double or single quotes is taken verbatim, without
//!   the quotes (no escapes);
//! - a line indented more than the key line above it continues the value
//!   (joined with a newline);
//! - `!include FILE` and `!includedir DIR` are recorded as top-level lists
//!   named `!include` and `!includedir`;
//! - names are kept as written (no case folding); a key set twice in one
//!   section keeps the last value, and a section given twice is merged.

use super::error::ParseError;
use super::tree::{Node, last_wins};

#[derive(Debug, Default)]
struct Section {
    name: Option<String>,
    entries: Vec<(String, Node)>,
}

/// Parses an INI file.
pub(crate) fn parse(text: &str) -> Result<Node, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: Vec<Section> = vec![Section::default()];
    let mut includes: Vec<(String, Node)> = Vec::new();
    // The indentation of the last key line, while its value may continue.
    let mut continuing: Option<usize> = None;
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let body = line.trim_start_matches([' ', '\t']);
        let indent = line.len() - body.len();
        let body = body.trim_end();
        if body.is_empty() {
            continuing = None;
            continue;
        }
        if let Some(key_indent) = continuing
            && indent > key_indent
            && !body.starts_with([';', '#'])
        {
            let section = sections.last_mut();
            if let Some((_, Node::Str(value))) = section.and_then(|s| s.entries.last_mut()) {
                value.push('\n');
                value.push_str(body);
                continue;
            }
        }
        continuing = None;
        match body.as_bytes()[0] {
            b';' | b'#' => {}
            b'[' => {
                let Some(end) = body.find(']') else {
                    return Err(ParseError::at(
                        line_no,
                        "section header without a closing `]`",
                    ));
                };
                let rest = body[end + 1..].trim_start();
                if !(rest.is_empty() || rest.starts_with([';', '#'])) {
                    return Err(ParseError::at(line_no, "text after a section header"));
                }
                sections.push(Section {
                    name: Some(body[1..end].trim().to_owned()),
                    entries: Vec::new(),
                });
            }
            b'!' => {
                let (directive, arg) = body.split_once([' ', '\t']).unwrap_or((body, ""));
                includes.push((directive.to_owned(), Node::Str(arg.trim().to_owned())));
            }
            _ => {
                let (key, value) = match body.find(['=', ':']) {
                    Some(at) => (body[..at].trim_end(), Some(value_of(body[at + 1..].trim()))),
                    None => (body, None),
                };
                if key.is_empty() {
                    return Err(ParseError::at(line_no, "a value without a key"));
                }
                let node = value.map_or(Node::Null, |v| Node::Str(v.to_owned()));
                if let Some(section) = sections.last_mut() {
                    section.entries.push((key.to_owned(), node));
                }
                continuing = Some(indent);
            }
        }
    }
    Ok(assemble(sections, includes))
}

/// The value without quotes or a trailing comment.
fn value_of(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(quote)
            && let Some(end) = inner.find(quote)
        {
            let rest = inner[end + 1..].trim_start();
            if rest.is_empty() || rest.starts_with([';', '#']) {
                return &inner[..end];
            }
        }
    }
    let bytes = value.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if (b == b';' || b == b'#') && i > 0 && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
            return value[..i].trim_end();
        }
    }
    value
}

/// Top-level keys, then one map per section (sections given twice merged).
fn assemble(sections: Vec<Section>, includes: Vec<(String, Node)>) -> Node {
    let mut top: Vec<(String, Node)> = Vec::new();
    let mut named: Vec<(String, Vec<(String, Node)>)> = Vec::new();
    for section in sections {
        match section.name {
            None => top.extend(section.entries),
            Some(name) => match named.iter_mut().find(|(n, _)| *n == name) {
                Some((_, entries)) => entries.extend(section.entries),
                None => named.push((name, section.entries)),
            },
        }
    }
    let mut out = last_wins(top);
    let mut directives: Vec<(String, Vec<Node>)> = Vec::new();
    for (directive, arg) in includes {
        match directives.iter_mut().find(|(d, _)| *d == directive) {
            Some((_, args)) => args.push(arg),
            None => directives.push((directive, vec![arg])),
        }
    }
    out.extend(
        directives
            .into_iter()
            .map(|(d, args)| (d, Node::List(args))),
    );
    for (name, entries) in named {
        out.push((name, Node::Map(last_wins(entries))));
    }
    Node::Map(last_wins(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Node {
        Node::Str(v.into())
    }

    #[test]
    fn sections_keys_comments_and_quotes() {
        let n = parse(
            "\u{feff}top = 1\r\n; comment\r\n[mysqld]\r\nport = 3306 # the port\r\nskip-name-resolve\r\n\
             name = \"a # b\"\r\npath: C:\\data\r\n",
        )
        .unwrap();
        assert_eq!(n.get("top"), Some(&s("1")));
        let m = n.get("mysqld").unwrap();
        assert_eq!(m.get("port"), Some(&s("3306")));
        assert_eq!(m.get("skip-name-resolve"), Some(&Node::Null));
        assert_eq!(m.get("name"), Some(&s("a # b")));
        assert_eq!(m.get("path"), Some(&s("C:\\data")));
    }

    #[test]
    fn continuation_lines_duplicates_and_includes() {
        let n = parse(
            "[a]\nk = 1\nk = 2\nlist = x\n  y\n[b]\n  indented = yes\n[a]\nz = 3\n!includedir /etc/mysql/conf.d/\n",
        )
        .unwrap();
        let a = n.get("a").unwrap();
        assert_eq!(a.get("k"), Some(&s("2")));
        assert_eq!(a.get("list"), Some(&s("x\ny")));
        assert_eq!(a.get("z"), Some(&s("3")));
        assert_eq!(n.get("b").unwrap().get("indented"), Some(&s("yes")));
        assert_eq!(
            n.get("!includedir"),
            Some(&Node::List(vec![s("/etc/mysql/conf.d/")]))
        );
    }

    #[test]
    fn empty_sections_are_kept_and_errors_have_lines() {
        let n = parse("[empty]\n").unwrap();
        assert_eq!(n.get("empty"), Some(&Node::Map(vec![])));
        let e = parse("a = 1\n[broken\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = parse("a = 1\n= secret\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(!e.message.contains("secret"));
    }
}
