//! Reading a manifest whole without the whitespace between its tokens.
//!
//! A manifest that the streaming reader declines is read whole, then
//! parsed by the sequential reader. Read as it is, a file of 1 GiB of
//! spaces after `"entries": {` held 1 GiB (and 2.1 GB for newlines, the
//! vector doubling): memory went with the file's size, not with what it
//! holds. Here the whitespace between JSON tokens is dropped while the
//! file is read, so that memory goes with the content; what the reader
//! must know of the bytes as they are is kept on the side, in the same
//! pass:
//!
//! - the digest of the canonical region (the digest is defined on the
//!   written bytes, whitespace included), hashed as the bytes go by; the
//!   region starts in the first 4 KiB and ends in the last 256 bytes, as
//!   [`super::read`] finds it in a whole file;
//! - where each dropped run of whitespace was (one record per run, which
//!   is followed by a token: bounded by the content too), so that a JSON
//!   error names a line and column of the file. They are those of the
//!   token where `serde_json` stopped, but `serde_json` counts whitespace
//!   it stopped in (`tru e`) or skipped past in ways no map of the compact
//!   text can tell apart; so a file that can seek is read again whole for
//!   its error (`Manifest::from_reader_limited`), and the map serves pipes.
//!
//! Two tokens that would run together without their whitespace (`1 2`,
//! `true false`) keep one space, so that nothing invalid becomes valid.
//! No crate does this (a JSON minifier that also hashes the raw bytes and
//! maps positions back), hence by hand.

use std::io::{self, Read};

use super::read::{digest_of, region_end, region_start};

/// How much of the head is searched for the region's start.
const HEAD: usize = 4096;
/// How much of the tail is searched for the region's end.
const TAIL: usize = 256;

/// A manifest's bytes without insignificant whitespace.
#[derive(Debug)]
pub(super) struct Compact {
    /// The JSON, whitespace between tokens dropped.
    pub(super) bytes: Vec<u8>,
    /// The digest of the canonical region of the bytes as read.
    pub(super) region_digest: Option<String>,
    /// Where the file's bytes are: from compact offset `at` on, the byte
    /// at line `line`, column `column` (0-based) of the file, and those
    /// after it on the same line.
    runs: Vec<Run>,
    /// The position after the file's last byte.
    end: (usize, usize),
}

#[derive(Debug, Clone, Copy)]
struct Run {
    at: usize,
    line: usize,
    column: usize,
}

impl Compact {
    /// The position (1-based line, column as `serde_json` counts it) in
    /// the file of an error `serde_json` reported at `line`, `column` of the
    /// compact bytes; `eof` for an error at the end of the input.
    pub(super) fn position(&self, line: usize, column: usize, eof: bool) -> (usize, usize) {
        if eof {
            return self.end;
        }
        // Newlines stay only inside strings; find the compact offset.
        let mut start = 0;
        for _ in 1..line {
            match memchr::memchr(b'\n', &self.bytes[start..]) {
                Some(i) => start += i + 1,
                None => break,
            }
        }
        let p = (start + column).min(self.bytes.len());
        if p == 0 {
            return (1, 0);
        }
        // `serde_json` counts the bytes before its index: the position just
        // after the byte at `p - 1`.
        let i = p - 1;
        let run = self.runs[self.runs.partition_point(|r| r.at <= i) - 1];
        let (line, column) = (run.line, run.column + (i - run.at));
        if self.bytes[i] == b'\n' {
            (line + 1, 0)
        } else {
            (line, column + 1)
        }
    }
}

/// Reads `file` to its end, without whitespace between tokens; `Ok(None)`
/// when it holds more than `max_bytes` bytes (those read are dropped).
pub(super) fn read(
    file: &mut dyn Read,
    max_bytes: u64,
    capacity: usize,
) -> io::Result<Option<Compact>> {
    let mut c = Compacter {
        out: Compact {
            bytes: Vec::with_capacity(capacity),
            region_digest: None,
            runs: vec![Run {
                at: 0,
                line: 1,
                column: 0,
            }],
            end: (1, 0),
        },
        in_string: false,
        escaped: false,
        dropped: false,
        line: 1,
        column: 0,
    };
    let mut region = Region::default();
    let mut block = vec![0; 64 << 10];
    let mut total: u64 = 0;
    loop {
        let n = match file.read(&mut block) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        total += n as u64;
        if total > max_bytes {
            return Ok(None);
        }
        c.feed(&block[..n]);
        region.feed(&block[..n]);
    }
    c.out.end = (c.line, c.column);
    c.out.region_digest = region.finish();
    c.out.bytes.shrink_to_fit();
    c.out.runs.shrink_to_fit();
    Ok(Some(c.out))
}

struct Compacter {
    out: Compact,
    in_string: bool,
    escaped: bool,
    /// Whitespace was dropped since the last byte kept.
    dropped: bool,
    /// Where the next byte of the file is.
    line: usize,
    column: usize,
}

/// Bytes of numbers and literals, which must not run together.
fn word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')
}

impl Compacter {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.in_string {
                self.keep(b);
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
            } else if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.dropped = true;
            } else {
                if self.dropped {
                    self.dropped = false;
                    if word(b) && self.out.bytes.last().copied().is_some_and(word) {
                        // One space of the run stays (placed before `b`).
                        self.out.runs.push(Run {
                            at: self.out.bytes.len(),
                            line: self.line,
                            column: self.column.saturating_sub(1),
                        });
                        self.out.bytes.push(b' ');
                    }
                    self.mark();
                }
                self.keep(b);
                self.in_string = b == b'"';
            }
            if b == b'\n' {
                self.line += 1;
                self.column = 0;
                if self.in_string {
                    // Kept: the bytes after it are on the next line.
                    self.mark();
                }
            } else {
                self.column += 1;
            }
        }
    }

    /// Records that the next byte kept is the file's byte at the current
    /// position.
    fn mark(&mut self) {
        self.out.runs.push(Run {
            at: self.out.bytes.len(),
            line: self.line,
            column: self.column,
        });
    }

    fn keep(&mut self, b: u8) {
        self.out.bytes.push(b);
    }
}

/// The digest of the canonical region, hashed as the bytes go by: the
/// head is held until the region's start is known, and the last
/// [`TAIL`] bytes until the end is.
#[derive(Default)]
struct Region {
    head: Vec<u8>,
    /// Set once the head is complete: hashing from the region's start on.
    hasher: Option<Option<blake3::Hasher>>,
    /// Bytes read but not hashed yet (the region's end may be in them).
    pending: Vec<u8>,
}

impl Region {
    fn feed(&mut self, mut bytes: &[u8]) {
        if self.hasher.is_none() {
            let take = (HEAD - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.head.len() < HEAD {
                return;
            }
            self.start();
        }
        self.pending.extend_from_slice(bytes);
        if self.pending.len() > 2 * TAIL {
            let cut = self.pending.len() - TAIL;
            if let Some(Some(h)) = self.hasher.as_mut() {
                h.update(&self.pending[..cut]);
            }
            self.pending.drain(..cut);
        }
    }

    /// The head is complete (or the file ended): hashing starts.
    fn start(&mut self) {
        let start = region_start(&self.head);
        self.hasher = Some(start.map(|_| blake3::Hasher::new()));
        // The head after the start is pending like any later bytes.
        self.pending = self.head.split_off(start.unwrap_or(self.head.len()));
    }

    fn finish(mut self) -> Option<String> {
        if self.hasher.is_none() {
            self.start();
        }
        let mut h = self.hasher.flatten()?;
        let tail_from = self.pending.len().saturating_sub(TAIL);
        let end = tail_from + region_end(&self.pending[tail_from..])?;
        h.update(&self.pending[..end]);
        Some(digest_of(h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compact(text: &str) -> Compact {
        read(&mut text.as_bytes(), u64::MAX, 0).unwrap().unwrap()
    }

    #[test]
    fn whitespace_between_tokens_is_dropped_and_strings_kept() {
        let c = compact(" {\n  \"a b\" :\t[1 , 2,true ,\"x\\\" y\"] ,\r\n\"c\": -1 }\n\n");
        assert_eq!(c.bytes, br#"{"a b":[1,2,true,"x\" y"],"c":-1}"#);
        // Tokens that would run together keep one space.
        assert_eq!(
            compact("[1 2, true   false, 1 e5]").bytes,
            b"[1 2,true false,1 e5]"
        );
    }

    #[test]
    fn the_region_digest_is_of_the_bytes_as_read() {
        let text = format!(
            "{{\n  \"format\": \"drift-manifest\",\n  \"format_minor\": 0,\n  \"entries\": {{{}}},\n  \"digest\": \"x\"\n}}\n",
            " ".repeat(10_000)
        );
        let start = region_start(text.as_bytes()).unwrap();
        let end = region_end(text.as_bytes()).unwrap();
        let mut h = blake3::Hasher::new();
        h.update(&text.as_bytes()[start..end]);
        for block in [1, 7, 4096, 1 << 20] {
            let mut reader = Chunked(text.as_bytes(), block);
            let c = read(&mut reader, u64::MAX, 0).unwrap().unwrap();
            assert_eq!(c.region_digest, Some(digest_of(h.clone())), "{block}");
        }
    }

    /// Reads in chunks of a given size.
    struct Chunked<'a>(&'a [u8], usize);
    impl Read for Chunked<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn whitespace_is_not_retained_and_the_limit_holds() {
        let text = format!("{{\"entries\": {{{}}}}}", " \n".repeat(1 << 20));
        let c = compact(&text);
        assert_eq!(c.bytes, b"{\"entries\":{}}");
        assert!(c.bytes.capacity() < 64 && c.runs.len() <= 4, "{c:?}");
        assert!(read(&mut text.as_bytes(), 1 << 20, 0).unwrap().is_none());
    }

    #[test]
    fn errors_are_placed_at_their_token_in_the_file() {
        // (Not `"a":   tru \n`: `serde_json` stops in the whitespace after
        // `tru`, which is gone; see the module's documentation.)
        for text in [
            "{\n  \"a\": 1 2\n}",
            "{ \"a\" : [1,\n\n   x] }",
            "{\"a\": \"b\nc\"  , \"d\": x}",
            "{\"a\": 1}   \n  x",
            "{\"a\": 1,\n\n   ",
            "  \n",
            "{\"a\": \"\\u12  \"}",
        ] {
            let whole = serde_json::from_slice::<serde_json::Value>(text.as_bytes()).unwrap_err();
            let c = compact(text);
            let e = serde_json::from_slice::<serde_json::Value>(&c.bytes).unwrap_err();
            assert_eq!(
                c.position(e.line(), e.column(), e.is_eof()),
                (whole.line(), whole.column()),
                "{text:?}: {whole} / {e}"
            );
        }
    }

    #[test]
    fn a_manifest_padded_with_whitespace_reads_as_written() {
        use crate::manifest::{Collection, Manifest, ManifestBuilder};
        let mut c = Collection::new();
        c.insert(crate::KeyPath::env("A"), "1");
        let mut b = ManifestBuilder::new("prod", "local", crate::secret::Sanitizer::default());
        b.add("env", "1", c);
        let text = b.finish(None).to_json_string();
        // Under the streaming reader's 4 MiB: read whole, compact.
        let padded = text.replacen(
            "\"entries\": {",
            &format!("\"entries\": {{{}", " \n".repeat(1 << 20)),
            1,
        );
        let m = Manifest::from_reader(io::Cursor::new(padded), "m.json").unwrap();
        assert_eq!(m.to_json_string(), text);
    }
}
