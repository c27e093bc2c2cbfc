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

/// Whether every byte of `bytes` is one of `set`: looked up 8 bytes at a
/// time, without a branch for each.
pub(crate) fn all_in(bytes: &[u8], set: &[bool; 256]) -> bool {
    let mut words = bytes.chunks_exact(8);
    words
        .by_ref()
        .all(|w| w.iter().fold(true, |ok, &b| ok & set[usize::from(b)]))
        && words.remainder().iter().all(|&b| set[usize::from(b)])
}

/// ASCII letters and digits, and `others`.
pub(crate) const fn alphanumeric_and(others: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < others.len() {
        t[others[i] as usize] = true;
        i += 1;
    }
    t
}

/// `text` without the spaces and tabs it starts with.
pub(crate) fn trim_blanks_start(text: &str) -> &str {
    let n = text
        .bytes()
        .take_while(|&b| b == b' ' || b == b'\t')
        .count();
    // Blanks are ASCII: a character boundary follows them.
    text.get(n..).unwrap_or_default()
}

/// `text` without the spaces and tabs it ends with.
pub(crate) fn trim_blanks_end(text: &str) -> &str {
    let n = text
        .bytes()
        .rev()
        .take_while(|&b| b == b' ' || b == b'\t')
        .count();
    text.get(..text.len() - n).unwrap_or_default()
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

    #[test]
    fn bytes_are_checked_against_a_set_at_any_length() {
        let set = alphanumeric_and(b"_");
        for len in 0..20 {
            let ok = "a_9".repeat(len);
            assert!(all_in(ok.as_bytes(), &set));
            for at in 0..ok.len() {
                let mut bad = ok.clone().into_bytes();
                bad[at] = b'-';
                assert!(!all_in(&bad, &set), "{len} {at}");
            }
        }
        assert!(!set[0xc3] && set[b'Z' as usize] && !set[b' ' as usize]);
    }

    #[test]
    fn blanks_are_trimmed_as_str_trims_them() {
        for text in ["", " ", "\t \t", " a b\t", "a", "\u{a0}a\u{a0}", " é \t"] {
            let blank = [' ', '\t'];
            assert_eq!(trim_blanks_start(text), text.trim_start_matches(blank));
            assert_eq!(trim_blanks_end(text), text.trim_end_matches(blank));
        }
    }
}
