//! A small SQL tokenizer for schema files: PostgreSQL (`pg_dump`, Rails
//! `structure.sql`), MySQL/MariaDB (`mysqldump --no-data`) and SQLite DDL.
//!
//! It keeps each token's byte span so that expressions (defaults, checks,
//! predicates, view bodies) are taken from the file as written, which is the
//! text the server's own deparser produced when the file came from a dump.

/// The SQL dialect of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Dialect {
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    Mysql,
    /// SQLite.
    Sqlite,
}

impl Dialect {
    /// The engine name used as the default label of keys.
    pub fn engine(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }
}

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// An unquoted word (identifier or keyword), as written.
    Word(String),
    /// A quoted identifier, unquoted.
    Quoted(String),
    /// A string literal, its content unescaped.
    Str(String),
    /// A number.
    Number(String),
    /// Punctuation or an operator (`(`, `,`, `::`, `>=`).
    Op(String),
    /// The end of a statement (`;` or a MySQL `DELIMITER`).
    End,
}

/// A token and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    /// Byte offsets into the source.
    pub start: usize,
    pub end: usize,
    /// 1-based line.
    pub line: usize,
}

impl Token {
    /// Whether this is the unquoted word `kw` (case-insensitive).
    pub(crate) fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }

    /// Whether this is the operator `op`.
    pub(crate) fn is_op(&self, op: &str) -> bool {
        matches!(&self.tok, Tok::Op(o) if o == op)
    }

    /// The name this token stands for: a word lower-cased (PostgreSQL folds
    /// unquoted names), a quoted identifier as written.
    pub(crate) fn name(&self, dialect: Dialect) -> Option<String> {
        match &self.tok {
            Tok::Word(w) => Some(match dialect {
                Dialect::Postgres => w.to_lowercase(),
                Dialect::Mysql | Dialect::Sqlite => w.clone(),
            }),
            Tok::Quoted(q) => Some(q.clone()),
            // SQLite and MySQL accept 'name' in some places.
            Tok::Str(s) if dialect != Dialect::Postgres => Some(s.clone()),
            _ => None,
        }
    }
}

/// Tokenizes `src`. Unterminated strings or comments run to the end of the
/// text; the parser reports what it cannot use.
pub(crate) fn tokenize(src: &str, dialect: Dialect) -> Vec<Token> {
    Lexer {
        src,
        b: src.as_bytes(),
        i: 0,
        line: 1,
        dialect,
        delimiter: ";".to_owned(),
        versioned: 0,
        out: Vec::new(),
    }
    .run()
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    i: usize,
    line: usize,
    dialect: Dialect,
    delimiter: String,
    /// Open MySQL `/*!NNNNN … */` comments, whose content is code.
    versioned: usize,
    out: Vec<Token>,
}

impl Lexer<'_> {
    fn run(mut self) -> Vec<Token> {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            let start = self.i;
            let line = self.line;
            if c == b'\n' {
                self.line += 1;
                self.i += 1;
                if self.dialect == Dialect::Mysql {
                    self.directive();
                }
                continue;
            }
            if c.is_ascii_whitespace() {
                self.i += 1;
                continue;
            }
            if self.delimiter != ";" && self.src[self.i..].starts_with(self.delimiter.as_str()) {
                self.i += self.delimiter.len();
                self.push(Tok::End, start, line);
                continue;
            }
            match c {
                b'-' if self.peek(1) == Some(b'-') => self.skip_line(),
                b'#' if self.dialect == Dialect::Mysql => self.skip_line(),
                b'/' if self.peek(1) == Some(b'*') => self.block_comment(),
                b'*' if self.versioned > 0 && self.peek(1) == Some(b'/') => {
                    self.versioned -= 1;
                    self.i += 2;
                }
                b';' if self.delimiter == ";" => {
                    self.i += 1;
                    self.push(Tok::End, start, line);
                }
                b'\'' => {
                    let s = self.quoted(b'\'', self.dialect == Dialect::Mysql);
                    self.push(Tok::Str(s), start, line);
                }
                b'e' | b'E' if self.dialect == Dialect::Postgres && self.peek(1) == Some(b'\'') => {
                    self.i += 1;
                    let s = self.quoted(b'\'', true);
                    self.push(Tok::Str(s), start, line);
                }
                b'"' => {
                    let s = self.quoted(b'"', false);
                    self.push(Tok::Quoted(s), start, line);
                }
                b'`' => {
                    let s = self.quoted(b'`', false);
                    self.push(Tok::Quoted(s), start, line);
                }
                b'[' if self.dialect == Dialect::Sqlite => {
                    let s = self.until(b']');
                    self.push(Tok::Quoted(s), start, line);
                }
                b'$' if self.dialect == Dialect::Postgres => self.dollar(start, line),
                b'0'..=b'9' => {
                    self.number();
                    let text = self.src[start..self.i].to_owned();
                    self.push(Tok::Number(text), start, line);
                }
                b'.' if self.peek(1).is_some_and(|d| d.is_ascii_digit()) => {
                    self.number();
                    let text = self.src[start..self.i].to_owned();
                    self.push(Tok::Number(text), start, line);
                }
                c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                    while self.i < self.b.len() {
                        let d = self.b[self.i];
                        if d.is_ascii_alphanumeric() || d == b'_' || d == b'$' || d >= 0x80 {
                            self.i += 1;
                        } else {
                            break;
                        }
                    }
                    let text = self.src[start..self.i].to_owned();
                    self.push(Tok::Word(text), start, line);
                }
                _ => self.operator(start, line),
            }
        }
        self.out
    }

    fn peek(&self, n: usize) -> Option<u8> {
        self.b.get(self.i + n).copied()
    }

    fn push(&mut self, tok: Tok, start: usize, line: usize) {
        self.out.push(Token {
            tok,
            start,
            end: self.i,
            line,
        });
    }

    /// A `DELIMITER x` line of a MySQL dump (`self.i` is at a line start).
    fn directive(&mut self) {
        let rest = &self.src[self.i..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let line = rest[..line_end].trim();
        if let Some(d) = line
            .strip_prefix("DELIMITER ")
            .or_else(|| line.strip_prefix("delimiter "))
        {
            let d = d.trim();
            if !d.is_empty() {
                self.delimiter = d.to_owned();
            }
            self.i += line_end;
        }
    }

    fn skip_line(&mut self) {
        while self.i < self.b.len() && self.b[self.i] != b'\n' {
            self.i += 1;
        }
    }

    fn block_comment(&mut self) {
        if self.dialect == Dialect::Mysql && self.peek(2) == Some(b'!') {
            // `/*!40101 SET … */`: the content is code for MySQL.
            self.i += 3;
            while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
                self.i += 1;
            }
            self.versioned += 1;
            return;
        }
        self.i += 2;
        let mut depth = 1;
        while self.i < self.b.len() && depth > 0 {
            match (self.b[self.i], self.peek(1)) {
                (b'*', Some(b'/')) => {
                    depth -= 1;
                    self.i += 2;
                }
                (b'/', Some(b'*')) if self.dialect == Dialect::Postgres => {
                    depth += 1;
                    self.i += 2;
                }
                (c, _) => {
                    if c == b'\n' {
                        self.line += 1;
                    }
                    self.i += 1;
                }
            }
        }
    }

    /// A literal or identifier quoted by `q` (doubled `q` escapes it); with
    /// `backslash`, `\x` escapes too.
    fn quoted(&mut self, q: u8, backslash: bool) -> String {
        self.i += 1;
        let mut out = Vec::new();
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if c == b'\n' {
                self.line += 1;
            }
            if backslash && c == b'\\' && self.i + 1 < self.b.len() {
                let n = self.b[self.i + 1];
                out.push(match n {
                    b'n' => b'\n',
                    b't' => b'\t',
                    b'r' => b'\r',
                    b'0' => 0,
                    other => other,
                });
                self.i += 2;
                continue;
            }
            if c == q {
                if self.peek(1) == Some(q) {
                    out.push(q);
                    self.i += 2;
                    continue;
                }
                self.i += 1;
                break;
            }
            out.push(c);
            self.i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    fn until(&mut self, end: u8) -> String {
        self.i += 1;
        let start = self.i;
        while self.i < self.b.len() && self.b[self.i] != end {
            self.i += 1;
        }
        let s = self.src[start..self.i].to_owned();
        self.i = (self.i + 1).min(self.b.len());
        s
    }

    /// `$$ … $$` or `$tag$ … $tag$`; a lone `$1` is an operator-ish word.
    fn dollar(&mut self, start: usize, line: usize) {
        let rest = &self.src[self.i + 1..];
        let tag_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if rest.as_bytes().get(tag_len) != Some(&b'$')
            || rest.as_bytes().first().is_some_and(u8::is_ascii_digit)
        {
            self.i += 1;
            while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
                self.i += 1;
            }
            let text = self.src[start..self.i].to_owned();
            self.push(Tok::Word(text), start, line);
            return;
        }
        let tag = &self.src[self.i..self.i + tag_len + 2];
        let body_start = self.i + tag.len();
        let (body, after) = match self.src[body_start..].find(tag) {
            Some(p) => (
                &self.src[body_start..body_start + p],
                body_start + p + tag.len(),
            ),
            None => (&self.src[body_start..], self.src.len()),
        };
        self.line += body.matches('\n').count();
        let body = body.to_owned();
        self.i = after;
        self.push(Tok::Str(body), start, line);
    }

    fn number(&mut self) {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            let exp_sign =
                (c == b'+' || c == b'-') && self.i > 0 && matches!(self.b[self.i - 1], b'e' | b'E');
            if c.is_ascii_alphanumeric() || c == b'.' || exp_sign {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn operator(&mut self, start: usize, line: usize) {
        const SINGLE: &[u8] = b"(),[]";
        let c = self.b[self.i];
        if SINGLE.contains(&c) {
            self.i += 1;
        } else {
            const OPS: &[u8] = b"+-*/<>=~!@#%^&|?:.";
            while self.i < self.b.len() && OPS.contains(&self.b[self.i]) {
                // `::` is its own operator; `.` only on its own.
                if self.i > start && (self.b[self.i] == b'.' || self.b[start] == b'.') {
                    break;
                }
                if self.i > start && self.b[start] == b':' && self.b[self.i] != b':' {
                    break;
                }
                if self.i > start && self.b[start] != b':' && self.b[self.i] == b':' {
                    break;
                }
                self.i += 1;
            }
            if self.i == start {
                // Any other byte (a stray character): keep it as one char.
                let ch_len = self.src[start..].chars().next().map_or(1, char::len_utf8);
                self.i += ch_len;
            }
        }
        let text = self.src[start..self.i].to_owned();
        self.push(Tok::Op(text), start, line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str, d: Dialect) -> Vec<Tok> {
        tokenize(s, d).into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn postgres_strings_identifiers_and_casts() {
        let t = toks(
            "ALTER TABLE \"Odd\"\"Name\" SET DEFAULT 'it''s'::text; -- c\n$f$ a;b $f$",
            Dialect::Postgres,
        );
        assert_eq!(t[2], Tok::Quoted("Odd\"Name".into()));
        assert_eq!(t[5], Tok::Str("it's".into()));
        assert_eq!(t[6], Tok::Op("::".into()));
        assert_eq!(t[8], Tok::End);
        assert_eq!(t[9], Tok::Str(" a;b ".into()));
    }

    #[test]
    fn mysql_versioned_comments_and_delimiters() {
        let src = "/*!40101 SET x=1 */;\nDELIMITER ;;\nCREATE TRIGGER t BEGIN SET a=1; END ;;\nDELIMITER ;\n`a`;";
        let t = toks(src, Dialect::Mysql);
        assert_eq!(t[0], Tok::Word("SET".into()));
        assert_eq!(t[4], Tok::End);
        let ends = t.iter().filter(|x| **x == Tok::End).count();
        assert_eq!(ends, 3, "{t:?}");
        assert!(t.contains(&Tok::Quoted("a".into())));
    }

    #[test]
    fn lines_are_counted() {
        let t = tokenize("a\n/* x\n y */ b\n'c\n' d", Dialect::Postgres);
        let lines: Vec<usize> = t.iter().map(|t| t.line).collect();
        assert_eq!(lines, [1, 3, 4, 5]);
    }
}
