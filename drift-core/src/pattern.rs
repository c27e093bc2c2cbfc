//! Key globs: `*` matches any run of characters (separators included), `?`
//! one character, `{a,b}` either alternative, `\` escapes the next character.
//! Everything else, brackets included, matches itself, so that key paths such
//! as `config:app.yaml:servers[name=web].port` can be written as they are.

use std::fmt;

/// A compiled key glob.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyPattern {
    text: String,
    alternatives: Vec<Vec<Token>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    AnyOne,
    AnyRun,
}

/// A glob that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// `{` without `}`.
    #[error("key glob `{0}` has a `{{` without its `}}`")]
    UnclosedBrace(String),
    /// Nested braces.
    #[error("key glob `{0}` nests `{{…}}` groups; write the alternatives out instead")]
    NestedBrace(String),
    /// Empty glob.
    #[error("key glob is empty; use `*` to match every key")]
    Empty,
    /// Expands to too many alternatives.
    #[error("key glob `{0}` expands to more than 256 alternatives")]
    TooMany(String),
}

const MAX_ALTERNATIVES: usize = 256;

impl KeyPattern {
    /// Compiles a glob.
    pub fn new(text: &str) -> Result<KeyPattern, PatternError> {
        if text.is_empty() {
            return Err(PatternError::Empty);
        }
        let expanded = expand_braces(text)?;
        let alternatives = expanded.iter().map(|alt| tokenize(alt)).collect();
        Ok(KeyPattern {
            text: text.to_owned(),
            alternatives,
        })
    }

    /// The glob as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the glob matches the whole of `key`.
    pub fn matches(&self, key: &str) -> bool {
        self.alternatives.iter().any(|t| match_tokens(t, key))
    }

    /// The glob that matches exactly `key` ([`escape`]d); unlike
    /// [`KeyPattern::new`], it cannot fail.
    pub(crate) fn literal(key: &str) -> KeyPattern {
        let text = escape(key);
        KeyPattern {
            alternatives: vec![tokenize(&text)],
            text,
        }
    }
}

/// `text` with every character special in a glob escaped with `\`, so that
/// the glob matches exactly `text`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '{' | '}' | ',' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl fmt::Debug for KeyPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyPattern({:?})", self.text)
    }
}

impl fmt::Display for KeyPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Expands `{a,b}` groups into whole alternatives (escapes kept).
fn expand_braces(text: &str) -> Result<Vec<String>, PatternError> {
    let mut results = vec![String::new()];
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let next = chars.next().unwrap_or('\\');
                for r in &mut results {
                    r.push('\\');
                    r.push(next);
                }
            }
            '{' => {
                let mut group = String::new();
                let mut closed = false;
                while let Some(g) = chars.next() {
                    match g {
                        '}' => {
                            closed = true;
                            break;
                        }
                        '{' => return Err(PatternError::NestedBrace(text.to_owned())),
                        '\\' => {
                            group.push('\\');
                            group.push(chars.next().unwrap_or('\\'));
                        }
                        g => group.push(g),
                    }
                }
                if !closed {
                    return Err(PatternError::UnclosedBrace(text.to_owned()));
                }
                let options = split_unescaped_commas(&group);
                if results.len() * options.len() > MAX_ALTERNATIVES {
                    return Err(PatternError::TooMany(text.to_owned()));
                }
                results = results
                    .iter()
                    .flat_map(|r| options.iter().map(move |o| format!("{r}{o}")))
                    .collect();
            }
            c => {
                for r in &mut results {
                    r.push(c);
                }
            }
        }
    }
    Ok(results)
}

fn split_unescaped_commas(group: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = group.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let last = out.last_mut();
                if let Some(l) = last {
                    l.push('\\');
                    l.push(chars.next().unwrap_or('\\'));
                }
            }
            ',' => out.push(String::new()),
            c => {
                if let Some(l) = out.last_mut() {
                    l.push(c);
                }
            }
        }
    }
    out
}

fn tokenize(alt: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut lit = String::new();
    let mut chars = alt.chars();
    let flush = |lit: &mut String, tokens: &mut Vec<Token>| {
        if !lit.is_empty() {
            tokens.push(Token::Literal(std::mem::take(lit)));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => lit.push(chars.next().unwrap_or('\\')),
            '*' => {
                flush(&mut lit, &mut tokens);
                if tokens.last() != Some(&Token::AnyRun) {
                    tokens.push(Token::AnyRun);
                }
            }
            '?' => {
                flush(&mut lit, &mut tokens);
                tokens.push(Token::AnyOne);
            }
            c => lit.push(c),
        }
    }
    flush(&mut lit, &mut tokens);
    tokens
}

/// Classic wildcard matching with one backtrack point per `*`, linear in
/// practice for key paths.
fn match_tokens(tokens: &[Token], text: &str) -> bool {
    let mut ti = 0usize; // token index
    let mut pos = 0usize; // byte position in text
    let mut star: Option<(usize, usize)> = None; // (token after *, text pos)
    loop {
        if ti < tokens.len() {
            match &tokens[ti] {
                Token::Literal(l) if text[pos..].starts_with(l.as_str()) => {
                    pos += l.len();
                    ti += 1;
                    continue;
                }
                Token::AnyOne => {
                    if let Some(c) = text[pos..].chars().next() {
                        pos += c.len_utf8();
                        ti += 1;
                        continue;
                    }
                }
                Token::AnyRun => {
                    star = Some((ti + 1, pos));
                    ti += 1;
                    continue;
                }
                Token::Literal(_) => {}
            }
        } else if pos == text.len() {
            return true;
        }
        // Mismatch: let the last `*` swallow one more character.
        match star {
            Some((after, start)) => match text[start..].chars().next() {
                Some(c) => {
                    let next = start + c.len_utf8();
                    star = Some((after, next));
                    ti = after;
                    pos = next;
                }
                None => return false,
            },
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, k: &str) -> bool {
        KeyPattern::new(p).unwrap().matches(k)
    }

    #[test]
    fn star_crosses_separators() {
        assert!(m("env:*_URL", "env:DATABASE_URL"));
        assert!(!m("env:*_URL", "env:DATABASE_URL_2"));
        assert!(m(
            "config:*:database.*",
            "config:app/settings.yaml:database.pool.size"
        ));
        assert!(m("*", "anything:at.all"));
        assert!(m("schema:**", "schema:postgres:public.t"));
    }

    #[test]
    fn question_mark_and_braces() {
        assert!(m("env:DB_?", "env:DB_1"));
        assert!(!m("env:DB_?", "env:DB_12"));
        assert!(m("env:{A,B}_HOST", "env:B_HOST"));
        assert!(!m("env:{A,B}_HOST", "env:C_HOST"));
        assert!(m("{env,config}:*TIMEOUT*", "config:a.yaml:http.TIMEOUT_ms"));
    }

    #[test]
    fn brackets_are_literal_and_escapes_work() {
        assert!(m(
            "config:app.yaml:servers[name=web].port",
            "config:app.yaml:servers[name=web].port"
        ));
        assert!(m(r"env:A\*", "env:A*"));
        assert!(!m(r"env:A\*", "env:AB"));
    }

    #[test]
    fn escaped_keys_match_only_themselves() {
        for key in [
            r"config:a.yaml:x*{a,b}?\\y",
            "env:PLAIN",
            "config:c,d.yaml:k",
        ] {
            let escaped = escape(key);
            let p = KeyPattern::new(&escaped).unwrap();
            assert!(p.matches(key), "{key}");
            assert_eq!(KeyPattern::literal(key), p);
        }
        assert!(
            !KeyPattern::new(&escape("env:A*"))
                .unwrap()
                .matches("env:AB")
        );
        assert!(
            !KeyPattern::new(&escape("env:{A,B}"))
                .unwrap()
                .matches("env:A")
        );
        assert_eq!(escape("env:A*"), r"env:A\*");
    }

    #[test]
    fn unicode_is_matched_by_character() {
        assert!(m("config:caf?.yaml:*", "config:café.yaml:x"));
    }

    #[test]
    fn errors() {
        assert_eq!(KeyPattern::new(""), Err(PatternError::Empty));
        assert!(matches!(
            KeyPattern::new("env:{A,B"),
            Err(PatternError::UnclosedBrace(_))
        ));
        assert!(matches!(
            KeyPattern::new("env:{A,{B}}"),
            Err(PatternError::NestedBrace(_))
        ));
    }

    #[test]
    fn pathological_patterns_stay_fast() {
        let key = "a".repeat(2000);
        assert!(!m("*a*a*a*a*a*b", &key));
    }
}
