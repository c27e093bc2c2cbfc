//! drift.toml errors, with the file and line.

use std::fmt;
use std::path::{Path, PathBuf};

/// A drift.toml problem: where, and what to do.
#[derive(Debug)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong (and what to do).
    pub message: String,
}

impl ConfigError {
    pub fn at(
        path: &Path,
        text: &str,
        offset: Option<usize>,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError {
            path: path.to_path_buf(),
            line: offset.map(|o| line_of(text, o)),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The candidate closest to `word`, if close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Adds `; did you mean `x`?` to serde's unknown-field and unknown-variant
/// messages, after taking out every value they quote (see
/// [`without_values`]).
pub fn with_suggestion(message: &str) -> String {
    let message = &without_values(message);
    let ticks: Vec<&str> = message.split('`').collect();
    // "unknown field `x`, expected one of `a`, `b`" → ["unknown field ", "x", ", expected one of ", "a", ", ", "b", ""]
    if (message.starts_with("unknown field") || message.starts_with("unknown variant"))
        && ticks.len() >= 4
    {
        let found = ticks[1];
        let candidates = ticks.iter().skip(3).step_by(2).copied();
        if let Some(s) = closest(found, candidates) {
            return format!("{message}; did you mean `{s}`?");
        }
    }
    message.to_owned()
}

/// serde's and toml's messages without the values they quote: a secret
/// written where a name or a setting is expected (`jobs = "<token>"`) must
/// not come back in the error. `invalid type: string "…"` becomes
/// `invalid type: a string`, an unknown variant loses its word, and an
/// unknown field keeps its name only when it is a plain identifier. The
/// message is rebuilt by hand: serde's errors carry only text.
pub fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("string \"") {
            out.push_str("a string");
            rest = skip_quoted(after);
        } else if let Some(after) = rest.strip_prefix("character `") {
            out.push_str("a character");
            rest = after.split_once('`').map_or("", |(_, r)| r);
        } else if let Some(after) = rest.strip_prefix("unknown variant `") {
            out.push_str("unknown value");
            rest = after.split_once('`').map_or("", |(_, r)| r);
        } else if let Some(after) = rest.strip_prefix("unknown field `") {
            let (name, r) = after.split_once('`').unwrap_or((after, ""));
            if is_identifier(name) {
                out.push_str("unknown field `");
                out.push_str(name);
                out.push('`');
            } else {
                out.push_str("unknown field");
            }
            rest = r;
        } else {
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                out.push(c);
            }
            rest = chars.as_str();
        }
    }
    out
}

/// What follows a Rust-debug-quoted string whose opening quote is already
/// consumed (`\"` and `\\` escaped inside).
fn skip_quoted(text: &str) -> &str {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return &text[i + 1..],
            _ => {}
        }
    }
    ""
}

/// Whether a field name is a plain identifier (`config_dirs`), safe to
/// show back.
fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_from_one() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }

    #[test]
    fn suggestions_for_typos() {
        let m = with_suggestion(
            "unknown field `confg_dirs`, expected one of `dotenv`, `config_dirs`, `process_env`",
        );
        assert!(m.ends_with("did you mean `config_dirs`?"), "{m}");
        let m = with_suggestion("unknown field `zzzzzz`, expected `a` or `b`");
        assert!(!m.contains("did you mean"), "{m}");
        assert_eq!(
            closest("warn", ["info", "warning", "error"]),
            Some("warning")
        );
    }

    #[test]
    fn serde_messages_lose_their_values() {
        let m = without_values(r#"invalid type: string "hunter2\"x", expected u64"#);
        assert_eq!(m, "invalid type: a string, expected u64");
        let m = without_values("unknown variant `s3cr3t`, expected `a` or `b`");
        assert_eq!(m, "unknown value, expected `a` or `b`");
        let m = without_values("unknown field `pass word!`, expected `a`");
        assert_eq!(m, "unknown field, expected `a`");
        let m = without_values("invalid value: character `x`, expected a digit");
        assert_eq!(m, "invalid value: a character, expected a digit");
        let m = with_suggestion("unknown field `confg_dirs`, expected `config_dirs`");
        assert!(m.ends_with("did you mean `config_dirs`?"), "{m}");
        assert_eq!(without_values("été `x` \"y\""), "été `x` \"y\"");
    }
}
