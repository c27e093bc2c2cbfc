//! Reading a large manifest file block by block.
//!
//! The entries of a manifest in drift's own layout are cut at line
//! boundaries (as in [`super::read_parallel`]), and each piece is parsed on
//! any thread while the next blocks are read: only the pieces in flight are
//! in memory, never the whole file. Like the parallel reader this is only
//! an acceleration: whenever anything about the file is unexpected (another
//! layout, an error, keys out of order across pieces) it declines, and the
//! caller reads the file again, whole, with the sequential reader and its
//! exact error messages.

use std::io::{self, Read};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use memchr::memmem;

use super::Entry;
use super::read::{Raw, digest_of, region_end, region_start};
use super::read_parallel::{CLOSE, ENTRY, OPEN, join, parse_header, parse_piece};

/// The size of the pieces the entries are cut into, and of the reads.
const PIECE: usize = 1 << 20;
/// The largest piece held, and the most read after the entries: beyond it
/// the file is not in drift's layout (or holds an entry of more than
/// 16 MiB), and the whole reader takes it, in memory that goes with what it
/// holds (`read_compact`).
const MAX_PIECE: usize = 16 * PIECE;
/// How far into the file the entries must begin.
const HEAD_MAX: usize = 64 << 10;

/// A manifest read block by block: its fields with the entries, and the
/// digest of its canonical region when it has one.
pub(super) struct Streamed {
    pub(super) raw: Raw,
    pub(super) region_digest: Option<String>,
}

/// Reads `file` block by block; `Ok(None)` when the caller must read it
/// whole instead (from its start: what was read is gone).
pub(super) fn read(file: &mut dyn Read) -> io::Result<Option<Streamed>> {
    read_in_pieces(file, PIECE)
}

/// [`read`] in pieces and reads of about `piece` bytes (the fuzz targets
/// read small manifests in many pieces).
pub(super) fn read_in_pieces(file: &mut dyn Read, piece: usize) -> io::Result<Option<Streamed>> {
    if cfg!(feature = "reference-paths") {
        return Ok(None);
    }
    // Up to the `{` that opens the entries.
    let mut head = Vec::with_capacity(piece);
    let open = loop {
        if let Some(at) = memmem::find(&head, OPEN) {
            break at + OPEN.len();
        }
        if head.len() > HEAD_MAX || fill(file, &mut head, piece)? == 0 {
            return Ok(None);
        }
    };
    // The body, each piece of it prefixed with `{` to parse as an object.
    let mut buf = Vec::with_capacity(piece + piece / 4);
    buf.push(b'{');
    buf.extend_from_slice(&head[open..]);
    head.truncate(open);
    let mut hasher = region_start(&head).map(|s| {
        let mut h = blake3::Hasher::new();
        h.update(&head[s..]);
        h
    });

    let results: Mutex<Vec<(usize, Option<Vec<Entry>>)>> = Mutex::new(Vec::new());
    let in_flight = AtomicUsize::new(0);
    let limit = 2 * rayon::current_num_threads().max(1);
    let mut pieces = 0;
    let tail = rayon::in_place_scope(|scope| -> io::Result<Option<Vec<u8>>> {
        let mut dispatch = |piece: Vec<u8>| {
            let at = pieces;
            pieces += 1;
            let (results, in_flight) = (&results, &in_flight);
            let parse = move || {
                let parsed = parse_piece(&piece);
                if let Ok(mut r) = results.lock() {
                    r.push((at, parsed));
                }
            };
            // Ahead of the parsers: this thread parses too.
            if in_flight.load(Ordering::Acquire) >= limit {
                parse();
            } else {
                in_flight.fetch_add(1, Ordering::AcqRel);
                scope.spawn(move |_| {
                    parse();
                    in_flight.fetch_sub(1, Ordering::AcqRel);
                });
            }
        };
        // Where the search for the end of the entries goes on from.
        let mut searched: usize = 1;
        // Where the search for the last separator goes on from: what is
        // before it holds none (a piece without one, of whitespace or of a
        // huge entry, is searched once, not at every block).
        let mut separated: usize = 1;
        loop {
            let from = searched.saturating_sub(CLOSE.len()).max(1);
            if let Some(at) = memmem::find(&buf[from..], CLOSE) {
                let close = from + at;
                let mut tail = buf.split_off(close);
                if let Some(h) = hasher.as_mut() {
                    h.update(&buf[1..]);
                }
                buf.push(b'}');
                dispatch(buf);
                // What follows the entries is small in drift's layout; a
                // larger tail (whitespace, say) is the whole reader's.
                (&mut *file)
                    .take(MAX_PIECE as u64 + 1)
                    .read_to_end(&mut tail)?;
                if tail.len() > MAX_PIECE {
                    return Ok(None);
                }
                return Ok(Some(tail));
            }
            searched = buf.len();
            let last_separator = |buf: &[u8], from: usize| {
                let from = from.saturating_sub(ENTRY.len() - 1);
                memmem::rfind(&buf[from..], ENTRY).map(|at| from + at)
            };
            if buf.len() >= piece
                && let Some(comma) = last_separator(&buf, separated)
                && comma > 0
            {
                // Whole lines up to the last separator; its comma is the
                // file's, and hashed with the piece.
                let mut next = Vec::with_capacity(piece + piece / 4);
                next.push(b'{');
                next.extend_from_slice(&buf[comma + 1..]);
                if let Some(h) = hasher.as_mut() {
                    h.update(&buf[1..=comma]);
                }
                buf.truncate(comma);
                buf.push(b'}');
                dispatch(std::mem::replace(&mut buf, next));
                searched = 1;
                separated = 1;
            } else if buf.len() >= piece {
                separated = buf.len();
                if buf.len() > MAX_PIECE {
                    // No line ends here (whitespace, or one huge entry):
                    // the whole reader's, rather than a piece as large as
                    // the file.
                    return Ok(None);
                }
            }
            if fill(file, &mut buf, piece)? == 0 {
                return Ok(None);
            }
        }
    })?;
    let Some(tail) = tail else {
        return Ok(None);
    };

    head.extend_from_slice(&tail);
    let Some(mut raw) = parse_header(&head) else {
        return Ok(None);
    };
    let mut parsed = results.into_inner().unwrap_or_default();
    parsed.sort_unstable_by_key(|(at, _)| *at);
    if parsed.len() != pieces {
        return Ok(None);
    }
    let Some(entries) = join(parsed.into_iter().map(|(_, p)| p)) else {
        return Ok(None);
    };
    // The region ends in the tail, before the digest.
    let last = tail.len().saturating_sub(256);
    let region_digest = match (hasher, region_end(&tail[last..])) {
        (Some(mut h), Some(end)) => {
            h.update(&tail[..last + end]);
            Some(digest_of(h))
        }
        _ => None,
    };
    raw.entries = Some(entries);
    Ok(Some(Streamed { raw, region_digest }))
}

/// Reads up to a piece more onto `buf`; the bytes read (0 at the end).
fn fill(file: &mut dyn Read, buf: &mut Vec<u8>, piece: usize) -> io::Result<usize> {
    Read::take(file, piece as u64).read_to_end(buf)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::manifest::read_parallel::tests::big;
    use crate::manifest::{Manifest, ManifestError};

    /// A reader that gives at most `step` bytes a read, and fails at
    /// `fail_at` when given.
    struct Trickle {
        bytes: Cursor<Vec<u8>>,
        step: usize,
        fail_at: Option<u64>,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.fail_at.is_some_and(|at| self.bytes.position() >= at) {
                return Err(io::Error::other("the disk went away"));
            }
            let n = buf.len().min(self.step);
            self.bytes.read(&mut buf[..n])
        }
    }

    impl io::Seek for Trickle {
        fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
            self.bytes.seek(to)
        }
    }

    fn trickle(text: &str, step: usize) -> Trickle {
        Trickle {
            bytes: Cursor::new(text.as_bytes().to_vec()),
            step,
            fail_at: None,
        }
    }

    #[test]
    #[cfg_attr(
        feature = "reference-paths",
        ignore = "the fast path is off under reference-paths"
    )]
    fn streamed_and_whole_reads_agree_however_the_reads_fall() {
        let text = big().to_json_string();
        let whole = Manifest::from_slice(text.as_bytes(), "big.json").unwrap();
        // Reads that end anywhere: inside a separator, inside the end of
        // the entries, a byte at a time across the head.
        for step in [PIECE, 65_537, 4093, 7] {
            let mut r = trickle(&text, step);
            let streamed = read(&mut r).unwrap().expect("the streaming path is taken");
            assert_eq!(
                streamed.raw.entries.as_deref(),
                Some(whole.entries()),
                "reads of {step} bytes"
            );
            // The raw region hashes to the digest: no re-serialization.
            assert_eq!(
                streamed.region_digest.as_deref(),
                Some(whole.digest().as_str())
            );
            let back = Manifest::from_reader(trickle(&text, step), "big.json").unwrap();
            assert_eq!(back.to_json_string(), text);
        }
    }

    #[test]
    fn errors_are_the_whole_readers() {
        let text = big().to_json_string();
        let error = |r: Result<Manifest, ManifestError>| match r {
            Ok(_) => panic!("a broken manifest was read"),
            Err(e) => e.to_string(),
        };
        let same_error = |broken: &str| {
            let streamed = error(Manifest::from_reader(
                Cursor::new(broken.to_owned()),
                "big.json",
            ));
            let whole = error(Manifest::from_slice(broken.as_bytes(), "big.json"));
            assert_eq!(streamed, whole);
            streamed
        };
        // An invalid value deep inside.
        let err = same_error(&text.replacen(": true,", ": tru,", 1));
        assert!(err.contains("is not a valid drift manifest"), "{err}");
        assert!(err.contains("line "), "{err}");
        // Cut in the middle of the entries.
        let err = same_error(&text[..text.len() / 2]);
        assert!(err.contains("is truncated"), "{err}");
        // A value edited after the fact, its length kept.
        let first = r#""config:big.json:\"svc0.key0000000\"": 0,"#;
        let err = same_error(&text.replacen(first, &first.replace(": 0,", ": 1,"), 1));
        assert!(err.contains("digest does not match"), "{err}");
        // A key out of order across pieces.
        let first = r#""config:big.json:\"svc0.key0000000\"": 0"#;
        let err = same_error(&text.replacen(first, r#""config:big.json:\"zzz\"": 0"#, 1));
        assert!(err.contains("big.json"), "{err}");
    }

    #[test]
    #[cfg_attr(
        feature = "reference-paths",
        ignore = "the fast path is off under reference-paths"
    )]
    fn a_long_run_without_a_separator_is_scanned_once() {
        // The issue's manifest: whitespace after `"entries": {` (here never
        // closed, so that nothing is parsed and the scan alone is timed).
        // The last separator was searched for over the whole piece at
        // every block: 64 MiB took 2.8 s, 128 MiB 11 s. Eight times the
        // bytes now take about eight times the time, not sixty-four.
        let time = |mib: usize| {
            let text = big().to_json_string();
            let open = text.find("\"entries\": {").unwrap() + "\"entries\": {".len();
            let mut bytes = text.as_bytes()[..open].to_vec();
            bytes.resize(open + (mib << 20), b' ');
            (0..2)
                .map(|_| {
                    let started = std::time::Instant::now();
                    let read = read(&mut Cursor::new(&bytes)).unwrap();
                    assert!(read.is_none(), "never closed: declined");
                    started.elapsed()
                })
                .min()
                .unwrap_or_default()
        };
        let small = time(4);
        let large = time(32);
        let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
        assert!(ratio < 24.0, "4 MiB {small:?}, 32 MiB {large:?}");
    }

    /// A reader that cannot seek, as a pipe.
    struct Pipe(Cursor<Vec<u8>>);

    impl Read for Pipe {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read(buf)
        }
    }

    impl io::Seek for Pipe {
        fn seek(&mut self, _: io::SeekFrom) -> io::Result<u64> {
            Err(io::Error::from_raw_os_error(29)) // ESPIPE
        }
    }

    #[test]
    fn a_pipe_is_read_whole() {
        let text = big().to_json_string();
        let m =
            Manifest::from_reader(Pipe(Cursor::new(text.clone().into_bytes())), "<(cat)").unwrap();
        assert_eq!(m.to_json_string(), text);
        let err = Manifest::from_reader(Pipe(Cursor::new(b"{}".to_vec())), "<(cat)").unwrap_err();
        assert!(
            err.to_string().contains("`<(cat)` is not a drift manifest"),
            "{err}"
        );
    }

    #[test]
    fn a_failed_read_names_the_manifest() {
        let text = big().to_json_string();
        let r = Trickle {
            fail_at: Some(text.len() as u64 / 2),
            ..trickle(&text, 65_536)
        };
        let err = Manifest::from_reader(r, "prod.json").unwrap_err();
        assert!(matches!(err, ManifestError::Unreadable { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "cannot read the manifest `prod.json`: the disk went away"
        );
    }
}
