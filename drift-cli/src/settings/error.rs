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
/// messages.
pub fn with_suggestion(message: &str) -> String {
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
}
