//! Byte searches in text for the parsers: SIMD searches (`memchr`) rather
//! than `str::find` with a `char`, whose per-call set-up costs more than
//! the search on the short lines of configuration files.

/// The lines of `text`, split at `\n` exactly as `text.split('\n')` splits
/// it (a final empty line after a last `\n` included).
pub(crate) fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let mut ends = memchr::memchr_iter(b'\n', text.as_bytes());
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let end = match ends.next() {
            Some(end) => end,
            None => {
                done = true;
                text.len()
            }
        };
        // `\n` is ASCII: both ends are character boundaries.
        let line = text.get(start..end)?;
        start = end + 1;
        Some(line)
    })
}

/// Where the first `byte` (ASCII) is in `text`.
pub(crate) fn find_byte(text: &str, byte: u8) -> Option<usize> {
    memchr::memchr(byte, text.as_bytes())
}

/// Where the first of two bytes (ASCII) is in `text`.
pub(crate) fn find_either(text: &str, a: u8, b: u8) -> Option<usize> {
    memchr::memchr2(a, b, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_as_str_split_splits() {
        for text in ["", "\n", "a", "a\n", "a\nb", "a\n\nb\n", "\n\na", "é\nü\n"] {
            let ours: Vec<&str> = lines(text).collect();
            let std: Vec<&str> = text.split('\n').collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn bytes_are_found() {
        assert_eq!(find_byte("ab:c:d", b':'), Some(2));
        assert_eq!(find_byte("abc", b':'), None);
        assert_eq!(find_either("ab\rc\n", b'\n', b'\r'), Some(2));
        assert_eq!(find_either("abc", b'\n', b'\r'), None);
    }
}
