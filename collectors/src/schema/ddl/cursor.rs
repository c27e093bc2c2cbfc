//! A cursor over the tokens of one statement, with the small set of moves the
//! DDL parsers need; expressions are taken as raw text slices.

use super::lexer::{Dialect, Tok, Token};

/// A position in one statement's tokens.
#[derive(Debug, Clone)]
pub(crate) struct Cursor<'a> {
    src: &'a str,
    toks: &'a [Token],
    pos: usize,
    /// The statement's dialect.
    pub dialect: Dialect,
}

impl<'a> Cursor<'a> {
    /// A cursor at the first of `toks` (one statement, without its end).
    pub(crate) fn new(src: &'a str, toks: &'a [Token], dialect: Dialect) -> Cursor<'a> {
        Cursor {
            src,
            toks,
            pos: 0,
            dialect,
        }
    }

    /// The current token.
    pub(crate) fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.pos)
    }

    /// The token `n` ahead.
    pub(crate) fn peek_at(&self, n: usize) -> Option<&'a Token> {
        self.toks.get(self.pos + n)
    }

    /// Moves on one token and returns it.
    pub(crate) fn advance(&mut self) -> Option<&'a Token> {
        let t = self.toks.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    /// Whether the previous token was the keyword `kw`.
    pub(crate) fn prev_is_kw(&self, kw: &str) -> bool {
        self.pos > 0 && self.toks[self.pos - 1].is_kw(kw)
    }

    /// Whether all tokens were consumed.
    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    /// The 1-based line of the current token.
    pub(crate) fn line(&self) -> usize {
        self.peek()
            .or_else(|| self.toks.last())
            .map_or(0, |t| t.line)
    }

    /// Whether the current token is the keyword `kw`.
    pub(crate) fn is_kw(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is_kw(kw))
    }

    /// Eats the keyword `kw` if it is next.
    pub(crate) fn kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Eats the keywords `kws` if they are all next, in order.
    pub(crate) fn kws(&mut self, kws: &[&str]) -> bool {
        let all = kws
            .iter()
            .enumerate()
            .all(|(i, k)| self.peek_at(i).is_some_and(|t| t.is_kw(k)));
        if all {
            self.pos += kws.len();
        }
        all
    }

    /// Whether the current token is the operator `op`.
    pub(crate) fn is_op(&self, op: &str) -> bool {
        self.peek().is_some_and(|t| t.is_op(op))
    }

    /// Eats the operator `op` if it is next.
    pub(crate) fn op(&mut self, op: &str) -> bool {
        if self.is_op(op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Eats a name (word or quoted identifier).
    pub(crate) fn name(&mut self) -> Option<String> {
        let n = self.peek()?.name(self.dialect)?;
        self.pos += 1;
        Some(n)
    }

    /// Eats a dotted name (`schema.table`).
    pub(crate) fn qname(&mut self) -> Option<Vec<String>> {
        let mut parts = vec![self.name()?];
        while self.is_op(".") {
            self.pos += 1;
            parts.push(self.name()?);
        }
        Some(parts)
    }

    /// Eats a string literal.
    pub(crate) fn string(&mut self) -> Option<String> {
        match &self.peek()?.tok {
            Tok::Str(s) => {
                let s = s.clone();
                self.pos += 1;
                Some(s)
            }
            _ => None,
        }
    }

    /// Skips one token, or a whole parenthesised group.
    pub(crate) fn skip_one(&mut self) {
        if self.is_op("(") {
            let _ = self.paren_raw();
        } else {
            self.pos += 1;
        }
    }

    /// The raw text from token `a` up to (not including) token `b`.
    fn raw(&self, a: usize, b: usize) -> String {
        if a >= b || a >= self.toks.len() {
            return String::new();
        }
        let end = self.toks[b.min(self.toks.len()) - 1].end;
        self.src[self.toks[a].start..end].to_owned()
    }

    /// Eats tokens up to (not including) the first one at parenthesis depth 0
    /// for which `stop` holds, and returns their raw text.
    pub(crate) fn raw_until(&mut self, stop: impl Fn(&Token) -> bool) -> String {
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            if depth == 0 && stop(t) {
                break;
            }
            if t.is_op("(") || t.is_op("[") {
                depth += 1;
            } else if (t.is_op(")") || t.is_op("]")) && depth > 0 {
                depth -= 1;
            } else if t.is_op(")") {
                break;
            }
            self.pos += 1;
        }
        self.raw(start, self.pos)
    }

    /// The raw text of the rest of the statement.
    pub(crate) fn rest_raw(&mut self) -> String {
        let start = self.pos;
        self.pos = self.toks.len();
        self.raw(start, self.pos)
    }

    /// The raw text of the rest, without a closing `WITH [CASCADED|LOCAL]
    /// CHECK OPTION` at depth 0, and that option (`CASCADED` when bare).
    pub(crate) fn rest_raw_before_check_option(&mut self) -> (String, Option<String>) {
        let start = self.pos;
        let n = self.toks.len();
        let kw = |i: usize, k: &str| self.toks.get(i).is_some_and(|t| t.is_kw(k));
        let mut end = n;
        let mut option = None;
        if n >= start + 3 && kw(n - 2, "check") && kw(n - 1, "option") {
            if n >= start + 4 && kw(n - 4, "with") && (kw(n - 3, "cascaded") || kw(n - 3, "local"))
            {
                end = n - 4;
                option = Some(if kw(n - 3, "local") {
                    "LOCAL"
                } else {
                    "CASCADED"
                });
            } else if kw(n - 3, "with") {
                end = n - 3;
                option = Some("CASCADED");
            }
        }
        self.pos = n;
        (self.raw(start, end), option.map(str::to_owned))
    }

    /// Eats `( … )` and returns the raw text inside.
    pub(crate) fn paren_raw(&mut self) -> Option<String> {
        if !self.op("(") {
            return None;
        }
        let inner = self.raw_until(|t| t.is_op(")"));
        self.op(")");
        Some(inner)
    }

    /// Eats `( a, b, … )` and returns each top-level item's raw text.
    pub(crate) fn paren_items(&mut self) -> Option<Vec<String>> {
        if !self.op("(") {
            return None;
        }
        let mut items = Vec::new();
        loop {
            let item = self.raw_until(|t| t.is_op(",") || t.is_op(")"));
            if !item.trim().is_empty() {
                items.push(item);
            }
            if self.op(",") {
                continue;
            }
            self.op(")");
            break;
        }
        Some(items)
    }

    /// Eats `( a, b )` of plain names.
    pub(crate) fn name_list(&mut self) -> Option<Vec<String>> {
        if !self.op("(") {
            return None;
        }
        let mut names = Vec::new();
        while !self.at_end() && !self.is_op(")") {
            if let Some(n) = self.name() {
                names.push(n);
            } else {
                self.skip_one();
            }
            self.op(",");
        }
        self.op(")");
        Some(names)
    }
}
