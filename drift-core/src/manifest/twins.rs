//! The manifest's twins, through the one twin tester
//! ([`crate::testing::twins`]): the sequential reader against the parallel,
//! streaming and line-by-line readers, and in-memory writing against
//! streamed writing, over manifests made of every fixture in `testdata/`,
//! generated manifests, and broken variants of both.

use super::fuzzing::Read;
use super::read_parallel::{self, CLOSE, MIN_BYTES, OPEN};
use super::{Collection, CollectionError, ErrorKind, Manifest, ManifestBuilder, ManifestStream};
use crate::key::{KeyBuilder, KeyPath};
use crate::secret::Sanitizer;
use crate::testing::twins::{Twins, fixtures, testdata};
use crate::testing::xorshift;
use crate::value::{FileInfo, Value, Version};

const REFERENCE_PATHS: bool = cfg!(feature = "reference-paths");
const AT: &str = "2026-11-26T00:00:00Z";

/// Every way of reading a manifest, the sequential reader the reference,
/// the parallel and streaming readers as drift calls them.
fn readers() -> Twins<'static, [u8], Read> {
    super::fuzzing::readers(&[("parallel", None)], &[("stream", None)])
}

/// Writing: a manifest built whole against one streamed, the collection
/// added at once and pushed in prepared pieces.
fn writers() -> Twins<'static, Collection, String> {
    Twins::new("manifest write", "whole", |c: &Collection| {
        let mut b = ManifestBuilder::new("prod", "local", Sanitizer::default());
        b.add("test", "1", copy(c));
        b.finish(Some(AT.into())).to_json_string()
    })
    .fast("stream", |c: &Collection| {
        streamed(|stream| stream.add(copy(c)))
    })
    .fast("stream pieces", |c: &Collection| {
        let mut entries = c.entries.clone();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        streamed(|stream| {
            let prepare = stream.preparer();
            let chunks: Vec<&[(KeyPath, Value)]> = entries.chunks(7).collect();
            for (i, chunk) in chunks.iter().enumerate() {
                // Nothing later sorts before the next chunk's first key.
                let bound = chunks.get(i + 1).map_or("\u{10ffff}", |n| n[0].0.as_str());
                stream.push(prepare.prepare(chunk.to_vec()), bound);
            }
            let mut rest = Collection::new();
            rest.coverage = c.coverage.clone();
            rest.errors = c.errors.clone();
            stream.add(rest);
        })
    })
}

/// `Collection` is not `Clone` (its values are not sanitized yet).
fn copy(c: &Collection) -> Collection {
    Collection {
        entries: c.entries.clone(),
        coverage: c.coverage.clone(),
        errors: c.errors.clone(),
    }
}

fn streamed(feed: impl FnOnce(&mut ManifestStream<'_>)) -> Option<String> {
    let mut out = Vec::new();
    let collectors = [("test".to_owned(), "1".to_owned())].into();
    let mut stream = ManifestStream::start(
        &mut out,
        "prod",
        "local",
        None,
        Sanitizer::default(),
        collectors,
        Some(AT),
    )
    .ok()?;
    feed(&mut stream);
    stream.finish().ok()?;
    String::from_utf8(out).ok()
}

/// A collection of every fixture in `testdata/`: each line of each text
/// file a string entry (keys `config:PATH:"lineN"`).
fn fixture_collections() -> Vec<(String, Collection)> {
    let root = testdata();
    fixtures(&root, |_| true)
        .into_iter()
        .filter_map(|(path, bytes)| {
            let text = String::from_utf8(bytes).ok()?;
            let rel = path.strip_prefix(&root).ok()?.to_str()?.to_owned();
            let mut c = Collection::new();
            for (n, line) in text.lines().enumerate().take(2_000) {
                let key = KeyBuilder::new("config")
                    .path(&rel)
                    .field(&format!("line{n:05}"))
                    .finish();
                c.insert(key, line);
            }
            c.cover("config", &rel, 1);
            Some((rel, c))
        })
        .collect()
}

/// A generated collection of `n` entries of every value type.
fn generated(seed: u64, n: usize) -> Collection {
    let mut next = xorshift(seed);
    let strings = [
        "",
        "plain",
        "quote \" backslash \\ slash /",
        "line\nbreak\ttab\r",
        "\u{1}\u{1f}\u{7f} controls",
        "é ü 東京 🦀",
        "</script>",
        "postgres://app:hunter2@db:5432/shop",
        "AKIAIOSFODNN7EXAMPLE",
        "\u{2028}\u{2029}",
    ];
    let mut c = Collection::new();
    for i in 0..n {
        let key = match next(4) {
            0 => KeyPath::env(&format!("VAR_{i}")),
            1 => KeyPath::env(&format!("DB_PASSWORD_{i}")),
            2 => KeyBuilder::new("config")
                .path(&format!("dir {}/app.yaml", next(3)))
                .field(&format!("a.b{i}.\"q\""))
                .finish(),
            _ => KeyBuilder::new("package")
                .part("npm")
                .part(&format!("@scope/p{i}"))
                .finish(),
        };
        let value = match next(11) {
            0 => Value::Null,
            1 => Value::Bool(next(2) == 0),
            2 => Value::Int([0, -1, i64::MAX, i64::MIN, i as i64][next(5)]),
            3 => Value::Float([0.1, -2.5e-300, 1e300, 3.0, f64::EPSILON][next(5)]),
            4 | 5 => Value::from(strings[next(strings.len())]),
            6 => Value::from(Version {
                scheme: "semver".into(),
                text: format!("1.{i}.0-rc.1"),
                dev: next(2) == 0,
            }),
            7 => Value::from(FileInfo {
                blake3: blake3::hash(strings[i % strings.len()].as_bytes())
                    .to_hex()
                    .to_string(),
                size: i as u64,
                mode: [None, Some(0o644)][next(2)],
                text: (next(2) == 0).then(|| strings[next(strings.len())].to_owned()),
            }),
            8 => Value::Object(
                [
                    ("type".to_owned(), Value::from("integer")),
                    (
                        "nested".to_owned(),
                        Value::Object([("x".to_owned(), Value::Int(1))].into()),
                    ),
                ]
                .into(),
            ),
            9 => Value::List(vec![
                Value::Int(1),
                Value::from(strings[next(strings.len())]),
            ]),
            _ => Value::from(format!("{i:x}").repeat(next(40))),
        };
        c.insert(key, value);
    }
    if next(2) == 0 {
        c.error(CollectionError::new("test", "a/b.yaml", ErrorKind::Parse, "bad").at_line(3));
    }
    c.cover("test", "generated", n as u64);
    c
}

fn manifest_of(c: &Collection) -> Manifest {
    let mut b = ManifestBuilder::new("prod", "local", Sanitizer::default());
    b.add("test", "1", copy(c));
    b.finish(Some(AT.into()))
}

/// The text of a manifest and broken or reformatted variants of it.
fn variants(text: &str, seed: u64) -> Vec<(&'static str, Vec<u8>)> {
    let mut next = xorshift(seed);
    let mut out = vec![("as written", text.as_bytes().to_vec())];
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        out.push(("compact", v.to_string().into_bytes()));
    }
    out.push(("crlf", text.replace('\n', "\r\n").into_bytes()));
    let lines: Vec<&str> = text.split('\n').collect();
    let entries: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("    \""))
        .collect();
    if entries.len() >= 2 {
        let i = entries[next(entries.len() - 1)];
        let mut swapped = lines.clone();
        swapped.swap(i, i + 1);
        out.push(("two entries swapped", swapped.join("\n").into_bytes()));
        let mut twice = lines.clone();
        twice.insert(i, lines[i]);
        out.push(("an entry twice", twice.join("\n").into_bytes()));
    }
    let cut = next(text.len().max(1));
    out.push(("truncated", text.as_bytes()[..cut].to_vec()));
    let mut flipped = text.as_bytes().to_vec();
    let at = next(flipped.len().max(1));
    if let Some(b) = flipped.get_mut(at) {
        *b = [b'"', b'\\', b'{', b'9', b'\n'][next(5)];
    }
    out.push(("a byte changed", flipped));
    out
}

/// The entries' text of a manifest in drift's layout.
fn body(text: &[u8]) -> Option<&[u8]> {
    let open = memchr::memmem::find(text, OPEN)? + OPEN.len();
    let close = open + memchr::memmem::rfind(&text[open..], CLOSE)?;
    Some(&text[open..close])
}

#[test]
fn every_reader_agrees_on_fixtures_generated_and_broken_manifests() {
    let mut read = readers();
    let mut piece = super::fuzzing::entries_twins();
    let mut inputs: Vec<(String, Collection)> = fixture_collections();
    assert!(inputs.len() > 100, "{} fixtures", inputs.len());
    for seed in 1..=40u64 {
        inputs.push((
            format!("generated {seed}"),
            generated(seed, (seed * 7) as usize),
        ));
    }
    let mut as_written = 0;
    for (i, (label, c)) in inputs.iter().enumerate() {
        let text = manifest_of(c).to_json_string();
        for (variant, bytes) in variants(&text, i as u64 + 1) {
            let got = read.check(format!("{label} ({variant})"), &bytes);
            if variant == "as written" {
                assert_eq!(got.as_deref(), Ok(text.as_str()), "{label}");
                as_written += 1;
            }
            if let Some(b) = body(&bytes) {
                piece.check(format!("{label} ({variant})"), b);
            }
        }
    }
    // The parallel reader only takes large files: one of 120,000 entries.
    let big = read_parallel::tests::big().to_json_string();
    assert!(big.len() > MIN_BYTES);
    assert_eq!(
        read.check("big", big.as_bytes()).as_deref(),
        Ok(big.as_str())
    );
    piece.check("big", body(big.as_bytes()).unwrap_or_default());

    // How much each fast path takes of what drift writes.
    read.assert_accepts("parallel", 1, REFERENCE_PATHS);
    read.assert_accepts("stream", as_written + 1, REFERENCE_PATHS);
    piece.assert_accepts("lines", as_written + 1, REFERENCE_PATHS);
}

#[test]
fn streamed_and_whole_writing_agree() {
    let mut write = writers();
    let mut inputs = fixture_collections();
    for seed in 1..=40u64 {
        inputs.push((
            format!("generated {seed}"),
            generated(seed, (seed * 7) as usize),
        ));
    }
    for (label, c) in &inputs {
        write.check(label, c);
    }
    write.assert_accepts("stream", inputs.len(), false);
    write.assert_accepts("stream pieces", inputs.len(), false);
}

/// Found by the reference-paths run: a directory given as a manifest seeks
/// to `i64::MAX`, and the whole-file reader (taken when the streaming
/// reader is off, or on one thread) reserved that much and aborted.
#[test]
fn a_huge_claimed_length_is_an_unreadable_error_not_an_abort() {
    struct Directory;
    impl std::io::Read for Directory {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::from_raw_os_error(21))
        }
    }
    impl std::io::Seek for Directory {
        fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
            Ok(match to {
                std::io::SeekFrom::End(_) => i64::MAX as u64,
                _ => 0,
            })
        }
    }
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    for read in [
        || Manifest::from_reader(Directory, "dir"),
        || {
            rayon::ThreadPoolBuilder::new()
                .build()
                .unwrap()
                .install(|| Manifest::from_reader(Directory, "dir"))
        },
    ] {
        let err = one_thread.install(read).unwrap_err();
        assert!(
            matches!(err, super::ManifestError::Unreadable { .. }),
            "{err:?}"
        );
    }
}
