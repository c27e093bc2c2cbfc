use super::*;
use crate::fingerprint::Fingerprinter;
use crate::secret::Sanitizer;
use crate::value::FileInfo;

fn sample() -> Manifest {
    let mut c = Collection::new();
    c.insert(KeyPath::env("TIMEOUT_MS"), Value::Int(2500));
    c.insert(KeyPath::env("DB_PASSWORD"), "hunter2");
    c.insert(
        KeyPath::env("DATABASE_URL"),
        "postgres://app:hunter2@db:5432/shop",
    );
    c.insert(KeyPath::env("RATIO"), Value::Float(0.5));
    c.insert(KeyPath::env("WEIRD"), Value::Float(f64::INFINITY));
    c.insert(KeyPath::env("FLAG"), true);
    c.insert(KeyPath::env("NOTHING"), Value::Null);
    c.insert(
        KeyPath::file("a.bin"),
        Value::from(FileInfo {
            blake3: "ab".repeat(32),
            size: 4,
            mode: Some(0o640),
            text: Some("line\n".into()),
        }),
    );
    c.insert(
        KeyPath::new("package:npm:express").unwrap(),
        Value::from(crate::value::Version {
            scheme: "semver".into(),
            text: "4.18.2".into(),
            dev: false,
        }),
    );
    let mut obj = std::collections::BTreeMap::new();
    obj.insert("type".to_owned(), Value::from("integer"));
    obj.insert(
        "tags".to_owned(),
        Value::List(vec![Value::from("a"), Value::Int(1)]),
    );
    c.insert(
        KeyPath::new("schema:sqlite:main.t.columns.id").unwrap(),
        Value::Object(obj),
    );
    c.cover("env", "process", 7);
    c.error(CollectionError::new("config", "bad.yaml", ErrorKind::Parse, "oops").at_line(3));
    let mut b = ManifestBuilder::new("prod", "local", Sanitizer::default());
    b.add("env", "0.1.0", c);
    b.finish(Some("2026-11-26T02:20:47Z".into()))
}

#[test]
fn round_trip_is_lossless_and_byte_identical() {
    let m = sample();
    let text = m.to_json_string();
    let back = Manifest::from_slice(text.as_bytes(), "m.json").unwrap();
    assert_eq!(back.to_json_string(), text);
    assert_eq!(back.entries().len(), m.entries().len());
    assert_eq!(back.errors, m.errors);
    assert!(!text.contains("hunter2"));
}

#[test]
fn same_state_same_bytes_except_the_timestamp() {
    let a = sample();
    let mut b = sample();
    b.created_at = Some("2030-01-01T00:00:00Z".into());
    let strip = |s: String| {
        s.lines()
            .filter(|l| !l.contains("created_at"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(a.to_json_string()), strip(b.to_json_string()));
    assert_eq!(a.digest(), b.digest());
}

#[test]
fn entries_are_sorted_and_deduplicated() {
    let mut c = Collection::new();
    c.insert(KeyPath::env("B"), "1");
    c.insert(KeyPath::env("A"), "1");
    c.insert(KeyPath::env("B"), "1");
    c.insert(KeyPath::env("C"), "1");
    c.insert(KeyPath::env("C"), "2");
    let mut b = ManifestBuilder::new("dev", "local", Sanitizer::default());
    b.add("env", "0.1.0", c);
    let m = b.finish(None);
    let keys: Vec<&str> = m.entries().iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["env:A", "env:B", "env:C"]);
    assert_eq!(m.errors.len(), 1);
    assert!(m.errors[0].message.contains("collected twice"));
}

#[test]
fn order_and_duplicates_are_found_across_the_chunks_of_large_collections() {
    // Sorted entries, but for one pair swapped (or one key repeated) where
    // two chunks meet, or inside a chunk.
    let n = 3 * super::build::SANITIZE_CHUNK;
    let key = |i: usize| KeyPath::env(&format!("K{i:08}"));
    for (at, repeat) in [
        (super::build::SANITIZE_CHUNK, false),
        (super::build::SANITIZE_CHUNK, true),
        (17, false),
        (n - 1, true),
    ] {
        let mut c = Collection::new();
        for i in 0..n {
            c.insert(key(i), Value::Int(i as i64));
        }
        if repeat {
            c.entries[at].0 = key(at - 1);
        } else {
            c.entries.swap(at - 1, at);
        }
        let mut b = ManifestBuilder::new("dev", "local", Sanitizer::default());
        b.add("env", "0.1.0", c);
        let m = b.finish(None);
        let keys: Vec<&str> = m.entries().iter().map(|e| e.key.as_str()).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "at {at}");
        assert_eq!(m.len(), if repeat { n - 1 } else { n }, "at {at}");
        assert_eq!(m.errors.len(), usize::from(repeat), "at {at}");
    }
}

#[test]
fn keyed_fingerprints_record_the_key_id() {
    let mut c = Collection::new();
    c.insert(KeyPath::env("API_TOKEN"), "t0ken");
    let f = Fingerprinter::keyed(b"k");
    let id = f.key_id().unwrap().to_owned();
    let mut b = ManifestBuilder::new("dev", "local", Sanitizer::new(f));
    b.add("env", "0.1.0", c);
    let m = b.finish(None);
    assert_eq!(m.fingerprint_key.as_deref(), Some(id.as_str()));
    let text = m.to_json_string();
    assert!(text.contains(&format!("blake3k:{id}:")));
    assert!(!text.contains("t0ken"));
}

fn read(text: &str) -> Result<Manifest, ManifestError> {
    Manifest::from_slice(text.as_bytes(), "prod.json")
}

#[test]
fn truncated_manifest_is_a_clear_error() {
    let text = sample().to_json_string();
    let err = read(&text[..text.len() / 2]).unwrap_err();
    assert!(matches!(err, ManifestError::Truncated { .. }), "{err:?}");
    assert!(err.to_string().contains("`prod.json` is truncated"));
}

#[test]
fn invalid_json_names_the_file_and_line() {
    let err = read("{\n  \"format\": \"drift-manifest/1\",\n  oops\n}").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("`prod.json` is not a valid drift manifest"),
        "{msg}"
    );
    assert!(msg.contains("line 3"), "{msg}");
}

#[test]
fn wrong_format_tag_is_refused() {
    let err = read(r#"{"name": "my-app", "format": "npm-lock"}"#).unwrap_err();
    assert!(matches!(err, ManifestError::NotAManifest { .. }), "{err:?}");
    assert!(err.to_string().contains("npm-lock"));
    let err = read(r#"{"name": "my-app"}"#).unwrap_err();
    assert!(matches!(err, ManifestError::NotAManifest { .. }), "{err:?}");
}

#[test]
fn unknown_major_version_is_refused() {
    let text = sample()
        .to_json_string()
        .replace("drift-manifest/1", "drift-manifest/2");
    let err = read(&text).unwrap_err();
    assert!(
        matches!(err, ManifestError::UnsupportedVersion { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("upgrade drift"));
}

#[test]
fn duplicate_keys_are_refused() {
    let text = sample().to_json_string().replacen(
        "\"env:FLAG\": true",
        "\"env:FLAG\": true,\n    \"env:FLAG\": false",
        1,
    );
    let err = read(&text).unwrap_err();
    assert!(
        err.to_string().contains("`env:FLAG` appears twice"),
        "{err}"
    );
}

#[test]
fn edited_content_fails_the_digest() {
    let text = sample()
        .to_json_string()
        .replace("\"env:TIMEOUT_MS\": 2500", "\"env:TIMEOUT_MS\": 2501");
    let err = read(&text).unwrap_err();
    assert!(
        matches!(err, ManifestError::DigestMismatch { .. }),
        "{err:?}"
    );
}

/// `text` with its digest made again for its bytes, as a drift that wrote
/// them would have.
fn redigest(text: &str) -> String {
    let start = text.find("\n  \"format_minor\": ").unwrap() + 1;
    let end = text.rfind(",\n  \"digest\": \"").unwrap();
    let digest = format!(
        "blake3:{}",
        blake3::hash(&text.as_bytes()[start..end]).to_hex()
    );
    let at = end + ",\n  \"digest\": \"".len();
    format!("{}{digest}\"\n}}\n", &text[..at])
}

#[test]
fn newer_minor_fields_are_tolerated() {
    let written = sample().to_json_string();
    let minor = format!("\"format_minor\": {}", super::FORMAT_MINOR);
    assert!(written.contains(&minor));
    let text =
        redigest(&written.replace(&minor, "\"format_minor\": 7,\n  \"future\": {\"x\": [1]}"));
    let m = read(&text).unwrap();
    assert_eq!(m.environment, "prod");
}

#[test]
fn the_digest_is_checked_for_newer_minors_too() {
    let minor = format!("\"format_minor\": {}", super::FORMAT_MINOR);
    let next = format!("\"format_minor\": {}", super::FORMAT_MINOR + 1);
    let newer = redigest(&sample().to_json_string().replace(&minor, &next));
    assert_eq!(read(&newer).unwrap().environment, "prod");
    // Edited after it was written: its digest no longer matches.
    for edited in [
        newer.replace("\"env:TIMEOUT_MS\": 2500", "\"env:TIMEOUT_MS\": 2501"),
        newer.replace("\"environment\": \"prod\"", "\"environment\": \"prud\""),
        // The minor raised on a manifest of this version, to skip the check.
        sample()
            .to_json_string()
            .replace(&minor, "\"format_minor\": 99"),
    ] {
        let err = read(&edited).unwrap_err();
        assert!(
            matches!(err, ManifestError::DigestMismatch { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("digest does not match"), "{err}");
    }
    // A newer minor reformatted: this version cannot write back what a
    // newer one wrote, so the bytes must be the ones written.
    let value: serde_json::Value = serde_json::from_str(&newer).unwrap();
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    assert!(matches!(
        read(&pretty),
        Err(ManifestError::DigestMismatch { .. })
    ));
}

/// A reader that cannot seek, as a pipe.
struct Pipe(std::io::Cursor<Vec<u8>>);

impl std::io::Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl std::io::Seek for Pipe {
    fn seek(&mut self, _: std::io::SeekFrom) -> std::io::Result<u64> {
        Err(std::io::Error::from_raw_os_error(29)) // ESPIPE
    }
}

#[test]
fn a_manifest_larger_than_the_limit_is_refused() {
    use std::io::Cursor;
    let text = sample().to_json_string();
    let len = text.len() as u64;
    let limited = |limit| {
        [
            Manifest::from_reader_limited(Cursor::new(text.clone()), "m.json", limit),
            Manifest::from_reader_limited(
                Pipe(Cursor::new(text.clone().into_bytes())),
                "m.json",
                limit,
            ),
        ]
    };
    for r in limited(len) {
        assert_eq!(r.unwrap().to_json_string(), text);
    }
    for r in limited(len - 1) {
        let err = r.unwrap_err();
        assert!(matches!(err, ManifestError::TooLarge { .. }), "{err:?}");
        let shown = err.to_string();
        assert!(shown.contains("`m.json` is larger than"), "{shown}");
        assert!(shown.contains("--max-manifest-size"), "{shown}");
    }
    // Refused before it is read: a file of 2 GiB of nothing (sparse).
    let dir = std::env::temp_dir().join(format!("drift-limit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("huge.json");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(2 << 30).unwrap();
    let started = std::time::Instant::now();
    let err = Manifest::from_reader(std::fs::File::open(&path).unwrap(), "huge.json").unwrap_err();
    assert!(matches!(err, ManifestError::TooLarge { limit, .. } if limit == 1 << 30));
    assert!(started.elapsed().as_secs() < 2);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The sample manifest with `n` bytes of `fill` after `"entries": {`.
fn padded(fill: u8, n: usize) -> Vec<u8> {
    let text = sample().to_json_string();
    let at = text.find("\"entries\": {").unwrap() + "\"entries\": {".len();
    let mut bytes = text.as_bytes()[..at].to_vec();
    bytes.resize(at + n, fill);
    bytes.extend_from_slice(&text.as_bytes()[at..]);
    bytes
}

#[test]
fn whitespace_between_tokens_is_read_by_every_reader() {
    // Enough for the parallel and streaming readers (their scanning time is
    // tested in `read_stream`).
    for fill in [b' ', b'\n'] {
        let bytes = padded(fill, 5 << 20);
        let m = Manifest::from_reader(std::io::Cursor::new(&bytes), "m.json").unwrap();
        assert_eq!(m.to_json_string(), sample().to_json_string());
        let m = Manifest::from_slice(&bytes, "m.json").unwrap();
        assert_eq!(m.len(), sample().len());
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    // A value nested 100,000 deep, in a small manifest and in one large
    // enough for the parallel and streaming readers.
    let depth = 100_000;
    let nested = format!("{}1{}", "{\"list\": [".repeat(depth), "]}".repeat(depth));
    for pad in [0, 5 << 20] {
        let text = String::from_utf8(padded(b' ', pad))
            .unwrap()
            .replace("\"env:FLAG\": true", &format!("\"env:FLAG\": {nested}"));
        for r in [
            Manifest::from_slice(text.as_bytes(), "deep.json"),
            Manifest::from_reader(std::io::Cursor::new(&text), "deep.json"),
        ] {
            let err = r.unwrap_err().to_string();
            assert!(
                err.contains("`deep.json` is not a valid drift manifest"),
                "{err}"
            );
        }
    }
}

#[test]
fn invalid_values_are_refused_without_echoing_content() {
    let text = sample().to_json_string().replace(
        "\"env:FLAG\": true",
        "\"env:FLAG\": {\"secret\": \"hunter2\"}",
    );
    let err = read(&text).unwrap_err().to_string();
    assert!(!err.contains("hunter2"), "{err}");
    assert!(err.contains("not a fingerprint"), "{err}");
}

#[test]
fn lookup_by_key() {
    let m = sample();
    assert_eq!(m.get("env:TIMEOUT_MS"), Some(&Value::Int(2500)));
    assert!(m.get("env:NOPE").is_none());
    assert!(matches!(m.get("env:DATABASE_URL"), Some(Value::Url(_))));
}

#[test]
fn large_manifests_written_in_parallel_batches_round_trip() {
    // More entries than one formatting batch, some needing escapes, so that
    // batch boundaries and the block-wise digest are exercised.
    let mut c = Collection::new();
    for i in 0..40_000 {
        let key = KeyPath::new(format!("config:f.json:\"k.{i}\"")).unwrap();
        let value = match i % 3 {
            0 => Value::Int(i),
            1 => Value::from(format!("line \"{i}\"\n\ttab")),
            _ => Value::from(format!("plain {i}")),
        };
        c.insert(key, value);
    }
    let mut b = ManifestBuilder::new("prod", "local", Sanitizer::default());
    b.add("config", "0.1.0", c);
    let m = b.finish(None);
    let text = m.to_json_string();
    let back = Manifest::from_slice(text.as_bytes(), "big.json").unwrap();
    assert_eq!(back.len(), 40_000);
    assert_eq!(back.to_json_string(), text);
    assert!(text.contains(&m.digest()));
    assert_eq!(text.matches("\n    \"config:").count(), 40_000);
}

#[test]
fn a_reformatted_manifest_still_verifies() {
    let text = sample().to_json_string();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    assert_ne!(pretty, text);
    let m = read(&pretty).unwrap();
    assert_eq!(m.to_json_string(), text);
    let compact = serde_json::to_string(&value)
        .unwrap()
        .replace("2500", "2501");
    assert!(matches!(
        read(&compact),
        Err(ManifestError::DigestMismatch { .. })
    ));
}

#[test]
fn the_host_name_is_written_and_read_back() {
    let mut b = ManifestBuilder::new("prod", "local", Sanitizer::default());
    b.host_name("web-1");
    b.add("env", "1", Collection::new());
    let m = b.finish(None);
    let text = m.to_json_string();
    assert!(
        text.contains("\"target\": \"local\",\n  \"host\": \"web-1\",\n"),
        "{text}"
    );
    let back = read(&text).unwrap();
    assert_eq!(back.host.as_deref(), Some("web-1"));
    assert_eq!(back, m);
    // Without a host name, no field.
    assert!(!sample().to_json_string().contains("\"host\""));
}

#[test]
fn an_older_minor_without_a_host_reads_even_reformatted() {
    let minor = format!("\"format_minor\": {}", super::FORMAT_MINOR);
    let old = redigest(
        &sample()
            .to_json_string()
            .replace(&minor, "\"format_minor\": 1"),
    );
    let m = read(&old).unwrap();
    assert_eq!((m.host.as_deref(), m.format_minor()), (None, 1));
    // Reformatted (`jq`): checked by writing it back in its own minor.
    let value: serde_json::Value = serde_json::from_str(&old).unwrap();
    let reformatted = serde_json::to_string(&value).unwrap();
    let again = read(&reformatted).unwrap();
    assert_eq!(again.format_minor(), 1);
    assert_eq!(again.to_json_string(), m.to_json_string());
}

#[test]
fn a_release_says_so_and_reads_back_as_one() {
    let mut c = Collection::new();
    c.insert(KeyPath::env("TIMEOUT_MS"), Value::Int(2500));
    let mut b = ManifestBuilder::new("release", "local", Sanitizer::default());
    b.role(Role::Release);
    b.add("env", "0.1.0", c);
    let m = b.finish(None);
    let text = m.to_json_string();
    assert!(text.contains("\n  \"role\": \"release\",\n"), "{text}");
    let back = read(&text).unwrap();
    assert_eq!(back.role, Role::Release);
    assert_eq!(back.to_json_string(), text);
    // An environment's manifest writes no role and reads back as one.
    assert!(!sample().to_json_string().contains("\"role\""));
    assert_eq!(
        read(&sample().to_json_string()).unwrap().role,
        Role::Environment
    );
    // A role this drift does not know is refused, never taken for another.
    let odd = redigest(&text.replace("\"role\": \"release\"", "\"role\": \"canary\""));
    let err = read(&odd).unwrap_err();
    assert!(matches!(err, ManifestError::NotAManifest { .. }), "{err:?}");
}
