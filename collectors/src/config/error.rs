//! Parse errors that never carry a file's content.

/// Why a file could not be parsed: the 1-based line, when known, and a
/// message that holds none of the file's text (a line may hold a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct ParseError {
    /// The 1-based line.
    pub line: Option<u64>,
    /// What is wrong, without the file's content.
    pub message: String,
}

impl ParseError {
    /// An error at a 1-based line.
    pub(crate) fn at(line: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            line: Some(line as u64),
            message: message.into(),
        }
    }

    /// An error from a parser's message, which may quote the source: quoted
    /// fragments are removed.
    pub(crate) fn from_parser(line: Option<usize>, message: &str) -> ParseError {
        ParseError {
            line: line.map(|l| l as u64),
            message: clean_message(message),
        }
    }
}

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    memchr_count(&text.as_bytes()[..end]) + 1
}

fn memchr_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// Keeps the first line of a parser's message and removes what it quotes
/// from the source: double-quoted and single-quoted fragments, and backticked
/// fragments longer than a token (`` `,` `` stays, `` `hunter2` `` goes).
pub(crate) fn clean_message(message: &str) -> String {
    let first = message.lines().next().unwrap_or("").trim();
    let mut out = String::with_capacity(first.len());
    let mut rest = first;
    while let Some(pos) = rest.find(['"', '`', '\'']) {
        let quote = rest.as_bytes()[pos];
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        // A backtick may be closed by an apostrophe (`x').
        let close = match quote {
            b'`' => after.find(['`', '\'']),
            b'"' => after.find('"'),
            _ => {
                // An apostrophe inside a word (doesn't) is not a quote.
                let prev_alpha = out.chars().last().is_some_and(char::is_alphanumeric);
                if prev_alpha { None } else { after.find('\'') }
            }
        };
        match close {
            Some(end) => {
                let inner = &after[..end];
                if quote == b'`' && inner.chars().count() <= 3 {
                    out.push('`');
                    out.push_str(inner);
                    out.push('`');
                } else {
                    out.push('…');
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push(quote as char);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_lose_quoted_source_text() {
        assert_eq!(
            clean_message("invalid type: string \"hunter2\", expected a map"),
            "invalid type: string …, expected a map"
        );
        assert_eq!(clean_message("expected `,` or `}`"), "expected `,` or `}`");
        assert_eq!(
            clean_message("duplicate key `hunter2`\nmore"),
            "duplicate key …"
        );
        assert_eq!(
            clean_message("unexpected character: `x'"),
            "unexpected character: `x`"
        );
        assert_eq!(clean_message("doesn't parse 'secret'"), "doesn't parse …");
    }

    #[test]
    fn lines_of_offsets() {
        assert_eq!(line_of_offset("a\nb\nc", 0), 1);
        assert_eq!(line_of_offset("a\nb\nc", 2), 2);
        assert_eq!(line_of_offset("a\nb\nc", 99), 3);
    }
}
