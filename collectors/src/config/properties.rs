//! Java `.properties` files into entries, by the rules of
//! `java.util.Properties.load`: `#` and `!` comments, `=`, `:` or whitespace
//! between key and value, a trailing backslash continues the line, escapes
//! `\t \n \r \f \uXXXX`, and a key set twice keeps the last value.
//!
//! Written here rather than taken from a crate: the `java-properties` crate
//! runs a regular expression per line (about 25 MB/s, too slow for large
//! trees) and panics on some inputs.

use std::borrow::Cow;

use drift_core::Value;

use super::error::ParseError;

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{c}')
}

/// Parses a properties file (already decoded: UTF-8, or Latin-1 when it is
/// not UTF-8) into its entries in file order; a name set twice appears
/// twice, and the last one is what loaders use.
pub(crate) fn parse(text: &str) -> Result<Vec<(Cow<'_, str>, Value)>, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut entries = Vec::new();
    let mut lines = natural_lines(text).peekable();
    while let Some((line_no, first)) = lines.next() {
        let body = first.trim_start_matches(is_blank);
        if body.is_empty() || body.starts_with(['#', '!']) {
            continue;
        }
        if !ends_with_odd_backslashes(body) {
            let (key, value) = split_key_value(body);
            entries.push((unescape(key, line_no)?, value_of(value, line_no)?));
            continue;
        }
        // Join continuation lines: an odd number of trailing backslashes.
        let mut logical = String::new();
        let mut part = body;
        loop {
            if ends_with_odd_backslashes(part) {
                logical.push_str(&part[..part.len() - 1]);
                match lines.next() {
                    Some((_, next)) => part = next.trim_start_matches(is_blank),
                    None => break,
                }
            } else {
                logical.push_str(part);
                break;
            }
        }
        let (key, value) = split_key_value(&logical);
        let key = Cow::Owned(unescape(key, line_no)?.into_owned());
        entries.push((key, value_of(value, line_no)?));
    }
    Ok(entries)
}

fn value_of(text: &str, line_no: usize) -> Result<Value, ParseError> {
    Ok(Value::String(unescape(text, line_no)?.into_owned()))
}

/// Lines ended by `\n`, `\r` or `\r\n`, with their 1-based numbers.
fn natural_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = text;
    let mut line_no = 0;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        line_no += 1;
        let end = crate::text::find_either(rest, b'\n', b'\r').unwrap_or(rest.len());
        let line = &rest[..end];
        let mut next = end;
        if rest[end..].starts_with("\r\n") {
            next += 2;
        } else if end < rest.len() {
            next += 1;
        }
        rest = &rest[next..];
        Some((line_no, line))
    })
}

fn ends_with_odd_backslashes(s: &str) -> bool {
    s.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// Splits a logical line at the first unescaped `=`, `:` or blank.
fn split_key_value(line: &str) -> (&str, &str) {
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '=' | ':' => return (&line[..i], line[i + 1..].trim_start_matches(is_blank)),
            c if is_blank(c) => {
                let rest = line[i..].trim_start_matches(is_blank);
                let rest = rest
                    .strip_prefix(['=', ':'])
                    .map_or(rest, |r| r.trim_start_matches(is_blank));
                return (&line[..i], rest);
            }
            _ => {}
        }
    }
    (line, "")
}

fn unescape(s: &str, line_no: usize) -> Result<Cow<'_, str>, ParseError> {
    if !s.contains('\\') {
        return Ok(Cow::Borrowed(s));
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let unit = hex4(&mut chars, line_no)?;
                let c = if (0xD800..0xDC00).contains(&unit) {
                    // A surrogate pair: `\uD83D\uDE00`.
                    let low = match (chars.next(), chars.next()) {
                        (Some('\\'), Some('u')) => hex4(&mut chars, line_no)?,
                        _ => return Err(bad_unicode(line_no)),
                    };
                    let code = 0x10000 + ((unit - 0xD800) << 10) + (low.wrapping_sub(0xDC00));
                    char::from_u32(code).filter(|_| (0xDC00..0xE000).contains(&low))
                } else {
                    char::from_u32(unit)
                };
                out.push(c.ok_or_else(|| bad_unicode(line_no))?);
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    Ok(Cow::Owned(out))
}

fn hex4(chars: &mut std::str::Chars<'_>, line_no: usize) -> Result<u32, ParseError> {
    let mut v = 0u32;
    for _ in 0..4 {
        let d = chars
            .next()
            .and_then(|c| c.to_digit(16))
            .ok_or_else(|| bad_unicode(line_no))?;
        v = v * 16 + d;
    }
    Ok(v)
}

fn bad_unicode(line_no: usize) -> ParseError {
    ParseError::at(line_no, "malformed `\\uXXXX` escape")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tree::last_wins;

    /// The value of `name` after a loader read `text`.
    fn get(text: &str, name: &str) -> Option<Value> {
        let entries = last_wins(parse(text).unwrap());
        entries.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    fn s(v: &str) -> Option<Value> {
        Some(Value::from(v))
    }

    #[test]
    fn java_rules() {
        let text = "# c\n! c\na=1\nb : 2\nc 3\nd\\ e = x\\ty\nlong = one \\\n    two\nu = \\u00e9\\uD83D\\uDE00\na = 9\nempty\n";
        assert_eq!(get(text, "a"), s("9"));
        assert_eq!(get(text, "b"), s("2"));
        assert_eq!(get(text, "c"), s("3"));
        assert_eq!(get(text, "d e"), s("x\ty"));
        assert_eq!(get(text, "long"), s("one two"));
        assert_eq!(get(text, "u"), s("é😀"));
        assert_eq!(get(text, "empty"), s(""));
        assert_eq!(parse(text).unwrap().len(), 8);
    }

    #[test]
    fn crlf_and_bad_escapes() {
        assert_eq!(get("a=1\r\nb=2\rc=3", "c"), s("3"));
        let e = parse("a=1\nsecret=\\u12zz\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(!e.message.contains("12zz"));
    }
}
