//! How deep a TOML document nests, before the `toml` crate parses it.
//!
//! drift builds `toml` with its `unbounded` feature: the crate's own limit
//! (80 levels) refused configuration files that other parsers read, and
//! the issue of hard inputs asks for 5,000 levels at least. Without that
//! limit the crate's parser (and the drop of what it builds) recurses once
//! per level, so every TOML parse in drift goes through [`parse_within`]:
//! it measures the depth first, refuses a document deeper than the
//! caller's limit with the line where it goes too deep, and runs the parse
//! on a stack made large enough for the depth measured (stacker, as the
//! JSON and YAML readers grow theirs).
//!
//! The depth is measured on `toml_parser`'s tokens (the lexer the `toml`
//! crate itself uses, so strings and comments are skipped as TOML skips
//! them) in one pass without recursion. It is an upper bound of the
//! nesting of tables and arrays the parser builds: table headers count
//! their segments (`[[a.b]]` as three levels), dotted keys count theirs,
//! each inline table and array one more. A closing bracket of the wrong
//! kind closes nothing, so a malformed document never measures shallower
//! than the parser may go.

use toml_parser::Source;
use toml_parser::lexer::TokenKind;

/// The bytes of stack given to each level of nesting measured, and to the
/// parse around them (a fresh stack when less is left). Measured on debug
/// builds of the tests: 4 KiB a level overflowed, 8 KiB read 10,000 levels
/// of every shape; twice that leaves room for the fuzz targets'
/// instrumented builds. The memory is reserved, and touched only as deep
/// as the document goes.
const STACK_PER_LEVEL: usize = 16 * 1024;
const STACK_BASE: usize = 1024 * 1024;

/// A TOML document nested deeper than the limit it was read with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("nested deeper than {limit} levels; drift refuses such a document")]
pub struct TooDeep {
    /// The line (1-based) where the document goes past the limit.
    pub line: usize,
    /// The byte offset where it does.
    pub offset: usize,
    /// The limit.
    pub limit: usize,
}

/// Runs `parse` (a parse of `text` with the `toml` crate, and whatever it
/// does with the result) on a stack large enough for the depth of `text`,
/// or refuses `text` when it nests deeper than `limit` levels (the root
/// table is the first level).
pub fn parse_within<R>(text: &str, limit: usize, parse: impl FnOnce() -> R) -> Result<R, TooDeep> {
    let depth = depth_within(text, limit)?;
    let needed = STACK_BASE + depth.saturating_mul(STACK_PER_LEVEL);
    Ok(stacker::maybe_grow(needed, needed, parse))
}

/// An upper bound of how deep `text` nests (at least 1), or [`TooDeep`]
/// where it goes past `limit`.
pub fn depth_within(text: &str, limit: usize) -> Result<usize, TooDeep> {
    /// An open inline table or array: the depth around it.
    struct Open {
        base: usize,
        table: bool,
    }
    let mut open: Vec<Open> = Vec::new();
    // The depth of a statement at the top: the root, and the last header's
    // tables.
    let mut top = 1;
    let mut cur = top;
    let mut max = cur;
    // Keys are being read (dots nest tables); in a header, how deep it goes.
    let mut key = true;
    let mut header: Option<usize> = None;
    let mut statement_start = true;
    for token in Source::new(text).lex() {
        let kind = token.kind();
        match kind {
            TokenKind::Whitespace | TokenKind::Comment | TokenKind::Eof => continue,
            TokenKind::Newline => {
                if open.is_empty() {
                    if let Some(depth) = header.take() {
                        top = depth;
                    }
                    cur = top;
                    key = true;
                    statement_start = true;
                }
                continue;
            }
            TokenKind::LeftSquareBracket
                if open.is_empty() && (statement_start || header.is_some()) =>
            {
                // `[table]` or `[[array.of.tables]]`: the root, the table,
                // one more for the array.
                header = Some(header.map_or(2, |d| d + 1));
                cur = header.unwrap_or(2);
            }
            TokenKind::Dot if key || header.is_some() => {
                cur += 1;
                if let Some(d) = header.as_mut() {
                    *d += 1;
                }
            }
            TokenKind::Equals => key = false,
            TokenKind::LeftSquareBracket | TokenKind::LeftCurlyBracket => {
                let table = kind == TokenKind::LeftCurlyBracket;
                open.push(Open { base: cur, table });
                cur += 1;
                key = table;
            }
            TokenKind::Comma => {
                if let Some(o) = open.last() {
                    cur = o.base + 1;
                    key = o.table;
                }
            }
            TokenKind::RightSquareBracket | TokenKind::RightCurlyBracket => {
                let table = kind == TokenKind::RightCurlyBracket;
                if open.last().is_some_and(|o| o.table == table) {
                    cur = open.pop().map_or(cur, |o| o.base);
                    key = false;
                }
            }
            _ => {}
        }
        statement_start = false;
        if cur > max {
            max = cur;
            if max > limit {
                let offset = token.span().start();
                let line = text.as_bytes()[..offset.min(text.len())]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 1;
                return Err(TooDeep {
                    line,
                    offset,
                    limit,
                });
            }
        }
    }
    Ok(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(text: &str) -> usize {
        depth_within(text, usize::MAX).unwrap()
    }

    #[test]
    fn measures_every_kind_of_nesting() {
        assert_eq!(depth(""), 1);
        assert_eq!(depth("a = 1\n"), 1);
        assert_eq!(depth("a.b.c = 1\n"), 3);
        assert_eq!(depth("[a]\nb = 1\n"), 2);
        assert_eq!(depth("[a.b]\nc.d = [1]\n"), 5);
        assert_eq!(depth("[[a]]\nb = 1\n"), 3);
        assert_eq!(depth("x = {a = {b = [[1]]}}\n"), 5);
        // Siblings do not add up, nor do floats, strings or comments.
        assert_eq!(depth("x = [[1], [2], [3.5]]\n"), 3);
        assert_eq!(depth("x = { a.b = 1, c.d = 2 }\n"), 3);
        assert_eq!(depth("x = \"[[[[{{{{\" # [[[[\ny = '''\n[[[\n'''\n"), 1);
        // A header counts until the next one.
        assert_eq!(depth("[a.b.c]\n[d]\ne = [1]\n"), 4);
    }

    #[test]
    fn a_closing_bracket_of_the_wrong_kind_closes_nothing() {
        assert_eq!(depth("x = [[[}}}[[[\n"), 7);
    }

    #[test]
    fn deeper_than_the_limit_is_refused_at_its_line() {
        let text = format!("a = 1\n\nx = {}1{}\n", "[".repeat(10), "]".repeat(10));
        assert_eq!(depth_within(&text, 11).unwrap(), 11);
        let e = depth_within(&text, 10).unwrap_err();
        assert_eq!((e.line, e.limit), (3, 10));
        assert_eq!(&text[e.offset..e.offset + 1], "[");
        let dotted = format!("{} = 1\n", vec!["k"; 20].join("."));
        assert_eq!(depth_within(&dotted, 10).unwrap_err().line, 1);
    }

    #[test]
    fn deep_documents_parse_on_a_grown_stack() {
        let text = format!("x = {}1{}\n", "{a = ".repeat(4_999), "}".repeat(4_999));
        let n = parse_within(&text, 5_000, || {
            let t = text.parse::<toml::Table>().map(|_| ());
            t.is_ok()
        });
        assert_eq!(n, Ok(true));
    }
}
