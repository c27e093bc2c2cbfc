//! The dotenv format, parsed without substitution.
//!
//! Written here because the dotenv crates substitute `${VAR}`, and drift must
//! record what the file says, not what one machine's environment makes of it.
//!
//! - `NAME=value`, `NAME = value`, and `export NAME=value`;
//! - full-line `#` comments and blank lines are skipped;
//! - unquoted values end at a `#` that follows whitespace (a comment), and
//!   are trimmed;
//! - `'single quotes'` are literal; `"double quotes"` understand `\n`, `\t`,
//!   `\r`, `\"`, `\\` and `\$` (any other backslash is kept as written); both
//!   may span several lines;
//! - `${VAR}` and `$VAR` are kept literally;
//! - CRLF line ends and a leading byte-order mark are accepted.

use crate::text::{all_in, alphanumeric_and};

/// Why a dotenv file could not be parsed. The message never holds the
/// line's content, which may be a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct DotenvError {
    /// The 1-based line.
    pub line: u64,
    /// What is wrong.
    pub message: &'static str,
}

/// Parses a dotenv file into `(name, value)` pairs in file order. A name set
/// twice appears twice; the last one is what loaders use.
///
/// ```
/// use drift_collectors::env::parse_dotenv;
/// let vars = parse_dotenv("export A=1 # one\nB='${A}'\nC=\"x\\ny\"\n").unwrap();
/// assert_eq!(vars, [
///     ("A".to_owned(), "1".to_owned()),
///     ("B".to_owned(), "${A}".to_owned()),
///     ("C".to_owned(), "x\ny".to_owned()),
/// ]);
/// ```
pub fn parse_dotenv(text: &str) -> Result<Vec<(String, String)>, DotenvError> {
    let vars = parse_vars(text)?;
    Ok(vars
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect())
}

/// [`parse_dotenv`] with the names borrowed from `text`.
pub(crate) fn parse_vars(text: &str) -> Result<Vec<(&str, String)>, DotenvError> {
    match simple_vars(text) {
        Some(vars) => Ok(vars),
        None => parse_any(text),
    }
}

/// The pairs of a text whose lines are all empty, `#` comments, or
/// `NAME=value` with nothing to trim, unquote or cut in the value (most
/// dotenv files), read in one pass; `None` for any other text, which
/// [`parse_any`] reads (and which alone names errors).
pub(crate) fn simple_vars(text: &str) -> Option<Vec<(&str, String)>> {
    if cfg!(feature = "reference-paths") {
        return None;
    }
    if !text.is_ascii() || crate::text::find_byte(text, b'\r').is_some() {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 16);
    for line in text.split('\n') {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let eq = crate::text::find_byte(line, b'=')?;
        let (name, value) = (&line[..eq], &line[eq + 1..]);
        if name.is_empty()
            || !all_in(name.as_bytes(), &NAME_BYTES)
            || !all_in(value.as_bytes(), &PLAIN_VALUE_BYTES)
        {
            return None;
        }
        out.push((name, value.to_owned()));
    }
    Some(out)
}

/// The bytes of a name: ASCII letters, digits, `_.-`.
static NAME_BYTES: [bool; 256] = alphanumeric_and(b"_.-");

/// The bytes of a value read as it is: no blank (trimmed), quote
/// (unquoted), `#` (a comment) or backslash.
static PLAIN_VALUE_BYTES: [bool; 256] = alphanumeric_and(b"_-./:@%+,=~^*?!&()[]{}$<>;|");

/// [`parse_vars`] for any text: quotes, escapes, comments, `export`.
pub(crate) fn parse_any(text: &str) -> Result<Vec<(&str, String)>, DotenvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut p = Cursor {
        rest: text,
        line: 1,
    };
    while !p.rest.is_empty() {
        let start_line = p.line;
        let line = p.peek_line();
        let body = line.trim();
        if body.is_empty() || body.starts_with('#') {
            p.skip_line();
            continue;
        }
        let body = strip_export(body);
        let Some((name, _)) = body.split_once('=') else {
            return Err(err(start_line, "expected `NAME=value`"));
        };
        let name = name.trim();
        if !valid_name(name) {
            return Err(err(
                start_line,
                "invalid variable name: use letters, digits, `_`, `.` and `-`",
            ));
        }
        // Position the cursor just after the `=`.
        let eq = crate::text::find_byte(line, b'=').map_or(0, |i| i + 1);
        p.advance(eq);
        let value = p.value(start_line)?;
        out.push((name, value));
    }
    Ok(out)
}

fn err(line: u64, message: &'static str) -> DotenvError {
    DotenvError { line, message }
}

fn strip_export(body: &str) -> &str {
    match body.strip_prefix("export") {
        Some(rest) if rest.starts_with([' ', '\t']) => rest.trim_start(),
        _ => body,
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && all_in(name.as_bytes(), &NAME_BYTES)
}

struct Cursor<'a> {
    rest: &'a str,
    line: u64,
}

impl<'a> Cursor<'a> {
    /// The current line without its end.
    fn peek_line(&self) -> &'a str {
        let end = crate::text::find_byte(self.rest, b'\n').unwrap_or(self.rest.len());
        let line = &self.rest[..end];
        line.strip_suffix('\r').unwrap_or(line)
    }

    fn skip_line(&mut self) {
        match crate::text::find_byte(self.rest, b'\n') {
            Some(i) => {
                self.rest = &self.rest[i + 1..];
                self.line += 1;
            }
            None => self.rest = "",
        }
    }

    fn advance(&mut self, n: usize) {
        self.line += self.rest[..n].bytes().filter(|&b| b == b'\n').count() as u64;
        self.rest = &self.rest[n..];
    }

    /// Reads a value after `=`, and the rest of its (last) line.
    fn value(&mut self, start_line: u64) -> Result<String, DotenvError> {
        let trimmed = self.rest.trim_start_matches([' ', '\t']);
        self.advance(self.rest.len() - trimmed.len());
        let value = match self.rest.as_bytes().first() {
            Some(b'\'') => self.quoted(b'\'', start_line)?,
            Some(b'"') => self.quoted(b'"', start_line)?,
            _ => {
                let line = self.peek_line();
                let mut end = line.len();
                let bytes = line.as_bytes();
                for (i, &b) in bytes.iter().enumerate() {
                    if b == b'#' && (i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
                        end = i;
                        break;
                    }
                }
                let v = line[..end].trim_end().to_owned();
                self.skip_line();
                return Ok(v);
            }
        };
        // After a closing quote: only blanks or a comment.
        let after = self.peek_line().trim_start();
        if !(after.is_empty() || after.starts_with('#')) {
            return Err(err(self.line, "unexpected text after a closing quote"));
        }
        self.skip_line();
        Ok(value)
    }

    /// Reads a quoted value starting at the opening quote.
    fn quoted(&mut self, quote: u8, start_line: u64) -> Result<String, DotenvError> {
        let body = &self.rest[1..];
        let mut out = String::new();
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                c if c as u32 == u32::from(quote) => {
                    self.advance(1 + i + 1);
                    return Ok(out);
                }
                '\\' if quote == b'"' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, 'r')) => out.push('\r'),
                    Some((_, e @ ('"' | '\\' | '$'))) => out.push(e),
                    Some((_, other)) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => out.push('\\'),
                },
                // CRLF inside a multi-line value is a newline.
                '\r' if body[i + 1..].starts_with('\n') => {}
                c => out.push(c),
            }
        }
        Err(err(
            start_line,
            "quoted value is not closed; add the closing quote",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(text: &str) -> Vec<(String, String)> {
        parse_dotenv(text).unwrap()
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[test]
    fn quotes_escapes_and_comments() {
        let v = vars(
            "# full line\n\nA=plain value # comment\nB=a#b\nC='lit \\n $X'\nD=\"tab\\tq\\\"bs\\\\d\\$\"\nexport E = 5\nF=\nG=\"\" # empty\n",
        );
        assert_eq!(
            v,
            [
                pair("A", "plain value"),
                pair("B", "a#b"),
                pair("C", "lit \\n $X"),
                pair("D", "tab\tq\"bs\\d$"),
                pair("E", "5"),
                pair("F", ""),
                pair("G", ""),
            ]
        );
    }

    #[test]
    fn substitutions_are_kept_literally() {
        let v = vars("A=${HOME}/x\nB=\"$USER ${X:-y}\"\nC='${Z}'\n");
        assert_eq!(
            v,
            [
                pair("A", "${HOME}/x"),
                pair("B", "$USER ${X:-y}"),
                pair("C", "${Z}")
            ]
        );
    }

    #[test]
    fn multi_line_values_crlf_and_bom() {
        let v = vars("\u{feff}A=\"one\r\ntwo\"\r\nB='x\ny'\r\nC=3\r\n");
        assert_eq!(
            v,
            [pair("A", "one\ntwo"), pair("B", "x\ny"), pair("C", "3")]
        );
    }

    #[test]
    fn errors_name_the_line_and_never_the_content() {
        let e = parse_dotenv("A=1\nB=\"hunter2\n\nC=3\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(!e.to_string().contains("hunter2"));
        let e = parse_dotenv("A=1\n\nhunter2\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(!e.to_string().contains("hunter2"));
        let e = parse_dotenv("A='x' hunter2\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse_dotenv("BAD NAME=x\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert_eq!(vars("A=1\nA=2\n"), [pair("A", "1"), pair("A", "2")]);
    }
}
