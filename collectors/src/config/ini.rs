//! INI files (`.ini`, `.cnf`) into entries.
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

use std::collections::BTreeMap;

use drift_core::Value;

use super::error::ParseError;
use super::sink::Sink;
use super::tree::last_wins;

#[derive(Debug, Default)]
struct Section<'t> {
    name: Option<&'t str>,
    entries: Vec<(&'t str, Value)>,
}

/// Parses an INI file into `sink`.
pub(crate) fn parse_into(text: &str, sink: &mut Sink<'_>) -> Result<(), ParseError> {
    let (sections, includes) = parse(text)?;
    // A file without keys nor sections has no entries (its `file:` entry
    // tells it is there).
    let items = assemble(sections, includes);
    for (name, item) in items {
        match item {
            Item::Value(value) => sink.field(name, value),
            Item::Section(entries) if entries.is_empty() => {
                sink.field(name, Value::Object(BTreeMap::new()));
            }
            Item::Section(entries) => {
                let mark = sink.key.mark();
                sink.key.push_field(name);
                for (key, value) in entries {
                    sink.field(key, value);
                }
                sink.key.truncate(mark);
            }
        }
    }
    Ok(())
}

/// The sections in file order (the first one holds the keys before any
/// header), and the `!include` lines.
type Parsed<'t> = (Vec<Section<'t>>, Vec<(&'t str, Value)>);

fn parse(text: &str) -> Result<Parsed<'_>, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: Vec<Section> = vec![Section::default()];
    let mut includes: Vec<(&str, Value)> = Vec::new();
    // The indentation of the last key line, while its value may continue.
    let mut continuing: Option<usize> = None;
    for (i, raw) in crate::text::lines(text).enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let body = crate::text::trim_blanks_start(line);
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
            if let Some((_, Value::String(value))) = section.and_then(|s| s.entries.last_mut()) {
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
                    name: Some(body[1..end].trim()),
                    entries: Vec::new(),
                });
            }
            b'!' => {
                let (directive, arg) = body.split_once([' ', '\t']).unwrap_or((body, ""));
                includes.push((directive, Value::from(arg.trim())));
            }
            _ => {
                let (key, value) = match body.find(['=', ':']) {
                    Some(at) => (body[..at].trim_end(), Some(value_of(body[at + 1..].trim()))),
                    None => (body, None),
                };
                if key.is_empty() {
                    return Err(ParseError::at(line_no, "a value without a key"));
                }
                let value = value.map_or(Value::Null, Value::from);
                if let Some(section) = sections.last_mut() {
                    section.entries.push((key, value));
                }
                continuing = Some(indent);
            }
        }
    }
    Ok((sections, includes))
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

/// A top-level name of an INI file.
#[derive(Debug, PartialEq)]
enum Item<'t> {
    /// A key before any section, or the list of a directive's arguments.
    Value(Value),
    /// A section's keys, each once.
    Section(Vec<(&'t str, Value)>),
}

/// Top-level keys, then one list per directive, then one map per section
/// (sections given twice merged); of two top-level names alike, the later
/// one wins.
fn assemble<'t>(
    sections: Vec<Section<'t>>,
    includes: Vec<(&'t str, Value)>,
) -> Vec<(&'t str, Item<'t>)> {
    let mut top: Vec<(&str, Value)> = Vec::new();
    let mut named: Vec<(&str, Vec<(&str, Value)>)> = Vec::new();
    for section in sections {
        match section.name {
            None => top.extend(section.entries),
            Some(name) => match named.iter_mut().find(|(n, _)| *n == name) {
                Some((_, entries)) => entries.extend(section.entries),
                None => named.push((name, section.entries)),
            },
        }
    }
    let mut out: Vec<(&str, Item)> = last_wins(top)
        .into_iter()
        .map(|(k, v)| (k, Item::Value(v)))
        .collect();
    let mut directives: Vec<(&str, Vec<Value>)> = Vec::new();
    for (directive, arg) in includes {
        match directives.iter_mut().find(|(d, _)| *d == directive) {
            Some((_, args)) => args.push(arg),
            None => directives.push((directive, vec![arg])),
        }
    }
    out.extend(
        directives
            .into_iter()
            .map(|(d, args)| (d, Item::Value(Value::List(args)))),
    );
    for (name, entries) in named {
        out.push((name, Item::Section(last_wins(entries))));
    }
    last_wins(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::sink::testing::entries;

    /// The entries of `text`, by key without the `config:f.ini:` prefix.
    fn parse(text: &str) -> Result<BTreeMap<String, Value>, ParseError> {
        let entries = entries("f.ini", |sink| parse_into(text, sink))?;
        Ok(entries
            .into_iter()
            .map(|(k, v)| (k.strip_prefix(':').unwrap_or(&k).to_owned(), v))
            .collect())
    }

    #[test]
    fn sections_keys_comments_and_quotes() {
        let n = parse(
            "\u{feff}top = 1\r\n; comment\r\n[mysqld]\r\nport = 3306 # the port\r\nskip-name-resolve\r\n\
             name = \"a # b\"\r\npath: C:\\data\r\n",
        )
        .unwrap();
        assert_eq!(n.get("top"), Some(&Value::from("1")));
        assert_eq!(n.get("mysqld.port"), Some(&Value::from("3306")));
        assert_eq!(n.get("mysqld.skip-name-resolve"), Some(&Value::Null));
        assert_eq!(n.get("mysqld.name"), Some(&Value::from("a # b")));
        assert_eq!(n.get("mysqld.path"), Some(&Value::from("C:\\data")));
        assert_eq!(n.len(), 5);
    }

    #[test]
    fn continuation_lines_duplicates_and_includes() {
        let n = parse(
            "[a]\nk = 1\nk = 2\nlist = x\n  y\n[b]\n  indented = yes\n[a]\nz = 3\n!includedir /etc/mysql/conf.d/\n",
        )
        .unwrap();
        assert_eq!(n.get("a.k"), Some(&Value::from("2")));
        assert_eq!(n.get("a.list"), Some(&Value::from("x\ny")));
        assert_eq!(n.get("a.z"), Some(&Value::from("3")));
        assert_eq!(n.get("b.indented"), Some(&Value::from("yes")));
        assert_eq!(
            n.get("!includedir"),
            Some(&Value::List(vec![Value::from("/etc/mysql/conf.d/")]))
        );
    }

    #[test]
    fn a_section_wins_over_a_top_level_key_of_its_name() {
        let n = parse("main = 1\n!x a\n[main]\nk = 2\n[!x]\n").unwrap();
        assert_eq!(n.get("main"), None);
        assert_eq!(n.get("main.k"), Some(&Value::from("2")));
        assert_eq!(n.get("\"!x\""), None);
        assert_eq!(n.get("!x"), Some(&Value::Object(BTreeMap::new())));
    }

    #[test]
    fn empty_sections_are_kept_and_errors_have_lines() {
        let n = parse("[empty]\n").unwrap();
        assert_eq!(n.get("empty"), Some(&Value::Object(BTreeMap::new())));
        // A file of comments has no entries.
        assert!(parse("; nothing\n\n# none\n").unwrap().is_empty());
        assert!(parse("").unwrap().is_empty());
        let e = parse("a = 1\n[broken\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = parse("a = 1\n= secret\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(!e.message.contains("secret"));
    }
}
