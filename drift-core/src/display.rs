//! Showing text that came from outside: from a host, a manifest or a
//! drift.toml.
//!
//! Such text may hold what a terminal acts on rather than shows: escape
//! sequences that move the cursor, erase lines, set the clipboard (OSC 52)
//! or draw links (OSC 8); C1 controls (U+009B is a CSI on its own in many
//! terminals); bidirectional overrides that show text in another order
//! than it is (U+202E); and invisible characters that make two different
//! names look alike. Every such character is written visibly instead:
//! [`is_hidden`] decides which, and is the one judgement every output of
//! drift goes through — [`escape`] and [`Escaped`] for people (`\u{1b}`),
//! and the manifest's and the JSON report's string writer for machines
//! (`\u001b`, which a JSON reader decodes back to the same text).
//!
//! [`escape_cut`] also cuts a long text to a width, saying how many bytes
//! were left out: a 64 MiB key is data for a JSON report, not a line for a
//! person.
//!
//! The categories come from `unicode-properties` (the Unicode Character
//! Database's general categories); the few invisible letters it cannot
//! tell (Hangul fillers) are listed by hand.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Whether `c` is written escaped rather than as it is: controls (C0, DEL,
/// C1), format characters (bidirectional embeddings, overrides and
/// isolates, zero-width spaces and joiners, the byte order mark, soft
/// hyphen, tags…), line and paragraph separators, and invisible letters
/// and marks that show as nothing.
pub fn is_hidden(c: char) -> bool {
    if c.is_ascii() {
        return c < ' ' || c == '\x7f';
    }
    matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    ) || matches!(
        c,
        // Hangul fillers (letters that show as blank), the combining
        // grapheme joiner, Khmer inherent vowels: all invisible.
        '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' | '\u{034f}' | '\u{17b4}' | '\u{17b5}'
    )
}

/// Whether any character of `text` is hidden: a pass over the bytes when
/// all are plain ASCII (most text), char by char otherwise.
fn any_hidden(text: &str) -> bool {
    let b = text.as_bytes();
    if b.iter().all(|&b| (0x20..0x7f).contains(&b)) {
        return false;
    }
    text.chars().any(is_hidden)
}

/// Writes `c` as it is shown escaped: `\t`, `\n`, `\r`, or `\u{HEX}`.
fn push_escape(out: &mut impl fmt::Write, c: char) -> fmt::Result {
    match c {
        '\t' => out.write_str("\\t"),
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        _ => write!(out, "\\u{{{:x}}}", u32::from(c)),
    }
}

/// How many characters `c` takes once escaped.
fn escaped_width(c: char) -> usize {
    match c {
        '\t' | '\n' | '\r' => 2,
        // `\u{` HEX `}`
        _ if is_hidden(c) => 4 + (32 - u32::from(c).leading_zeros()).div_ceil(4).max(1) as usize,
        _ => 1,
    }
}

/// `text` with every [hidden](is_hidden) character escaped, borrowed when
/// there is none (`"a\u{1b}[2Jb"` → `a\u{1b}[2Jb`, shown as written here).
pub fn escape(text: &str) -> Cow<'_, str> {
    if !any_hidden(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    // Writing into a string cannot fail.
    let _ = EscapingWriter(&mut out).write_str(text);
    Cow::Owned(out)
}

/// [`escape`], cut after `max_chars` characters of the escaped text: what
/// is cut is replaced by `… [N bytes cut]`, `N` the bytes of `text` left
/// out.
pub fn escape_cut(text: &str, max_chars: usize) -> Cow<'_, str> {
    if text.len() <= max_chars && !any_hidden(text) {
        return Cow::Borrowed(text);
    }
    let mut width = 0;
    let mut kept = text.len();
    for (at, c) in text.char_indices() {
        width += escaped_width(c);
        if width > max_chars {
            kept = at;
            break;
        }
    }
    if kept == text.len() {
        return escape(text);
    }
    let mut out = escape(&text[..kept]).into_owned();
    out.push_str("… [");
    let cut = text.len() - kept;
    out.push_str(&crate::render::thousands(cut));
    out.push_str(if cut == 1 {
        " byte cut]"
    } else {
        " bytes cut]"
    });
    Cow::Owned(out)
}

/// Shows a value with every [hidden](is_hidden) character escaped, as it
/// is written (without a buffer): `format!("{}", Escaped(&error))`.
#[derive(Debug, Clone, Copy)]
pub struct Escaped<T>(pub T);

impl<T: fmt::Display> fmt::Display for Escaped<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(EscapingWriter(f), "{}", self.0)
    }
}

/// Passes text on with every hidden character escaped.
struct EscapingWriter<W>(W);

impl<W: fmt::Write> fmt::Write for EscapingWriter<W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if !any_hidden(s) {
            return self.0.write_str(s);
        }
        let mut start = 0;
        for (at, c) in s.char_indices() {
            if is_hidden(c) {
                self.0.write_str(&s[start..at])?;
                push_escape(&mut self.0, c)?;
                start = at + c.len_utf8();
            }
        }
        self.0.write_str(&s[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_are_shown_not_obeyed() {
        // Erase the line, draw a fake result; OSC 52 (clipboard); OSC 8
        // (a link); a CSI as one C1 character; a bell; DEL.
        let cases = [
            (
                "a\x1b[2K\r0 findings · result: clean",
                "a\\u{1b}[2K\\r0 findings · result: clean",
            ),
            (
                "\x1b]52;c;ZWNobyBwd25lZA==\x07",
                "\\u{1b}]52;c;ZWNobyBwd25lZA==\\u{7}",
            ),
            (
                "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
                "\\u{1b}]8;;https://evil.example\\u{1b}\\click\\u{1b}]8;;\\u{1b}\\",
            ),
            ("\u{9b}31m", "\\u{9b}31m"),
            ("tab\there\nnext\x7f", "tab\\there\\nnext\\u{7f}"),
        ];
        for (raw, shown) in cases {
            assert_eq!(escape(raw), shown, "{raw:?}");
            assert_eq!(Escaped(raw).to_string(), shown, "{raw:?}");
        }
    }

    #[test]
    fn bidi_and_invisible_characters_are_made_visible() {
        for c in ('\u{202a}'..='\u{202e}')
            .chain('\u{2066}'..='\u{2069}')
            .chain('\u{200b}'..='\u{200f}')
            .chain(['\u{2060}', '\u{feff}', '\u{ad}', '\u{2028}', '\u{2029}'])
            .chain(['\u{e0041}', '\u{3164}', '\u{85}', '\u{80}', '\u{9f}'])
        {
            assert!(is_hidden(c), "{:x}", u32::from(c));
            let shown = escape(&format!("x{c}y")).into_owned();
            assert_eq!(shown, format!("x\\u{{{:x}}}y", u32::from(c)));
        }
        // What people write is kept as it is.
        for text in ["plain", "é ü 漢 😀 ‐ – ’", "a b", "ü\u{308}", "\\u{1b}"] {
            assert!(matches!(escape(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn a_long_text_is_cut_with_the_bytes_left_out() {
        let long = "k".repeat(1000);
        assert_eq!(escape_cut(&long, 10), "kkkkkkkkkk… [990 bytes cut]");
        assert_eq!(escape_cut(&long, 1000), long);
        assert_eq!(escape_cut("short", 10), "short");
        // Escapes count as what they show; a character is never split.
        assert_eq!(escape_cut("ab\x1bcd", 8), "ab\\u{1b}… [2 bytes cut]");
        assert_eq!(escape_cut("ab\x1bcd", 9), "ab\\u{1b}c… [1 byte cut]");
        assert_eq!(escape_cut("éééé", 2), "éé… [4 bytes cut]");
        assert_eq!(escape_cut(&"é".repeat(3), 3), "ééé");
        let big = "x".repeat(1 << 20);
        assert_eq!(
            escape_cut(&big, 200),
            format!("{}… [1,048,376 bytes cut]", "x".repeat(200))
        );
    }

    #[test]
    fn escaped_widths_are_the_lengths_written() {
        for c in [
            '\x1b',
            '\0',
            '\t',
            '\u{9b}',
            '\u{202e}',
            '\u{feff}',
            '\u{e0041}',
            'a',
            'é',
        ] {
            let written = escape(&c.to_string()).chars().count();
            assert_eq!(escaped_width(c), written, "{:x}", u32::from(c));
        }
    }
}
