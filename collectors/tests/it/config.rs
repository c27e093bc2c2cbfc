//! The config collector on the fixtures of `testdata/config/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use drift_collectors::config::{ConfigCollector, ConfigRoot};
use drift_collectors::transport::{
    AllowedCommand, CommandOutput, DirEntry, FileMeta, Local, Transport, TransportError, Tunnel,
    Walk, WalkOptions,
};
use drift_collectors::{Collector, snapshot};
use drift_core::{Collection, ErrorKind, Sanitizer, Value};
use drift_test_support::testdata;

use super::listing::listing;

fn collect(root: ConfigRoot) -> Collection {
    ConfigCollector::new([root]).collect(&Local::new())
}

fn entries(c: &Collection) -> BTreeMap<String, Value> {
    c.entries
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
        .collect()
}

/// Copies a fixture tree into a temporary directory.
fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn order_comments_whitespace_and_line_ends_never_make_a_difference() {
    let a = collect(ConfigRoot::new(testdata("config/tree-a")));
    let b = collect(ConfigRoot::new(testdata("config/tree-b")));
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    let (a, b) = (entries(&a), entries(&b));
    let only_a: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_b: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "a: {only_a:?}\nb: {only_b:?}"
    );
    for (k, v) in &a {
        assert_eq!(Some(v), b.get(k), "{k}");
    }
}

#[test]
fn the_same_tree_under_two_roots_gives_the_same_keys() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    let nested = two.path().join("deep/er");
    std::fs::create_dir_all(&nested).unwrap();
    copy_tree(&testdata("config/tree-a"), one.path());
    copy_tree(&testdata("config/tree-a"), &nested);
    let a = entries(&collect(ConfigRoot::new(one.path())));
    let b = entries(&collect(ConfigRoot::new(&nested)));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
}

/// Every entry of `tree-a`: YAML's typed scalars, lists of scalars, named
/// items (`servers[name=web]`), merge keys and empties; Kubernetes documents
/// by kind and name; JSON's dotted names as one quoted segment and items by
/// id; TOML's datetimes as text and arrays of tables by name; INI,
/// properties and `.env` as strings (a bare INI key is null); a `file:`
/// entry with its format and mode only for each parsed file; other files by
/// hash, small text keeping its text and binary not.
#[test]
fn keys_and_values_of_each_format() {
    let c = collect(ConfigRoot::new(testdata("config/tree-a")));
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    // Coverage counts the files of the root.
    assert_eq!(c.coverage.len(), 1);
    assert_eq!(c.coverage[0].items, 9);
    // A file's mode is the checkout's (its umask): the snapshot holds that
    // there is one, in its form, not its bits.
    insta::with_settings!({ filters => vec![
        (r#""mode": String\("0[0-7]{3}"\)"#, r#""mode": String("[mode]")"#),
        (r"mode: Some\(\d+\)", "mode: Some([mode])"),
    ]}, {
        insta::assert_snapshot!(listing(&entries(&c)));
    });
}

#[test]
fn named_roots_prefix_their_keys() {
    let c = collect(ConfigRoot::named(testdata("config/tree-a"), "checkout"));
    let e = entries(&c);
    assert!(e.contains_key("config:checkout/app/settings.yaml:database.pool.size"));
    assert!(e.contains_key("file:checkout/README.txt"));
    assert!(!e.keys().any(|k| k.starts_with("config:app/")));
}

#[test]
fn invalid_files_are_errors_with_their_line_and_the_rest_is_collected() {
    let c = collect(ConfigRoot::new(testdata("config/invalid")));
    let e = entries(&c);
    assert_eq!(e.get("config:good.yaml:ok"), Some(&Value::Bool(true)));
    let by_file = |name: &str| {
        c.errors
            .iter()
            .find(|e| e.source.ends_with(name))
            .unwrap_or_else(|| panic!("no error for {name}: {:?}", c.errors))
    };
    let yaml = by_file("bad.yaml");
    assert_eq!(yaml.kind, ErrorKind::Parse);
    assert_eq!(yaml.line, Some(4));
    assert!(
        yaml.message.starts_with("failed to parse `")
            && yaml.message.contains("bad.yaml` line 4: "),
        "{}",
        yaml.message
    );
    let json = by_file("bad.json");
    assert_eq!(json.kind, ErrorKind::Parse);
    assert_eq!(json.line, Some(3));
    assert!(
        json.message.contains("bad.json` line 3: expected value"),
        "{}",
        json.message
    );
    assert!(!json.message.contains("hunter2"), "{}", json.message);
    let dup = by_file("dup.yaml");
    assert_eq!(dup.line, Some(3));
    assert!(
        dup.message
            .ends_with("line 3: duplicate key in mapping; remove one of the two"),
        "{}",
        dup.message
    );
    // A file that failed to parse has no config entries, but is present.
    assert!(!e.keys().any(|k| k.starts_with("config:bad.json")));
    assert!(e.contains_key("file:bad.json"));
}

#[test]
fn oversized_files_are_a_limit_error_and_not_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.yaml"), "a: 1\n".repeat(40)).unwrap();
    std::fs::write(dir.path().join("small.yaml"), "a: 1\n").unwrap();
    let c = ConfigCollector::new([ConfigRoot::new(dir.path())])
        .max_file_size(100)
        .collect(&Local::new());
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    let err = &c.errors[0];
    assert_eq!(err.kind, ErrorKind::Limit);
    assert!(
        err.message.ends_with(
            "big.yaml` is 200 bytes, over the 100-byte limit; it was not read (raise `max_file_size` to read it)"
        ),
        "{}",
        err.message
    );
    let e = entries(&c);
    assert!(!e.keys().any(|k| k.contains("big.yaml")));
    assert!(e.contains_key("config:small.yaml:a"));
}

/// The local transport, except that one path cannot be read.
#[derive(Debug)]
struct Denying {
    inner: Local,
    denied: PathBuf,
}

impl Transport for Denying {
    fn target(&self) -> &str {
        self.inner.target()
    }
    fn read_file(&self, path: &Path, limit: u64) -> Result<Vec<u8>, TransportError> {
        if path == self.denied {
            return Err(TransportError::PermissionDenied {
                path: path.to_path_buf(),
            });
        }
        self.inner.read_file(path, limit)
    }
    fn metadata(&self, path: &Path, follow: bool) -> Result<FileMeta, TransportError> {
        self.inner.metadata(path, follow)
    }
    fn read_dir(&self, path: &Path) -> Result<Vec<DirEntry>, TransportError> {
        self.inner.read_dir(path)
    }
    fn walk(&self, root: &Path, options: &WalkOptions) -> Result<Walk, TransportError> {
        self.inner.walk(root, options)
    }
    fn run(&self, command: &AllowedCommand) -> Result<CommandOutput, TransportError> {
        self.inner.run(command)
    }
    fn open_tunnel(&self, host: &str, port: u16) -> Result<Tunnel, TransportError> {
        self.inner.open_tunnel(host, port)
    }
}

#[test]
fn unreadable_files_are_a_permission_error_and_the_rest_is_collected() {
    // Tests run as root in CI, where chmod 000 does not stop a read: the
    // transport refuses instead.
    let root = testdata("config/tree-a");
    let transport = Denying {
        inner: Local::new(),
        denied: root.join("app/config.json"),
    };
    let c = ConfigCollector::new([ConfigRoot::new(&root)]).collect(&transport);
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    assert_eq!(c.errors[0].kind, ErrorKind::Permission);
    assert_eq!(
        c.errors[0].message,
        format!(
            "permission denied reading `{}`",
            root.join("app/config.json").display()
        )
    );
    let e = entries(&c);
    assert!(!e.keys().any(|k| k.contains("config.json")));
    assert!(e.contains_key("config:app/settings.yaml:database.pool.size"));
    // A transport that reads walked files the default way still records
    // each file's mode: the walk left it out, the read asks for it.
    let Some(Value::Object(info)) = e.get("file:app/settings.yaml") else {
        panic!("{e:?}");
    };
    assert!(
        matches!(info.get("mode"), Some(Value::String(m)) if m.len() == 4),
        "{info:?}"
    );
}

#[test]
fn symlinks_are_recorded_by_target_unless_followed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("real.yaml"), "a: 1\n").unwrap();
    std::os::unix::fs::symlink("real.yaml", dir.path().join("link.yaml")).unwrap();
    let c = collect(ConfigRoot::new(dir.path()));
    let e = entries(&c);
    let mut expected = BTreeMap::new();
    expected.insert("symlink".to_owned(), Value::from("real.yaml"));
    assert_eq!(e.get("file:link.yaml"), Some(&Value::Object(expected)));
    assert!(!e.contains_key("config:link.yaml:a"));
    let followed = ConfigCollector::new([ConfigRoot::new(dir.path())])
        .follow_symlinks(true)
        .collect(&Local::new());
    assert!(entries(&followed).contains_key("config:link.yaml:a"));
}

#[test]
fn names_that_are_not_utf8_get_distinct_keys() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = |b: &[u8]| dir.path().join(std::ffi::OsStr::from_bytes(b));
    std::fs::write(name(b"caf\xe9.txt"), "one").unwrap();
    std::fs::write(name(b"caf\xe8.txt"), "two").unwrap();
    std::fs::write(dir.path().join("caf\\xe9.txt"), "three").unwrap();
    let c = collect(ConfigRoot::new(dir.path()));
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let keys: Vec<String> = entries(&c).into_keys().collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(
        keys.contains(&"file:\"caf\\xe9.txt\"".to_owned()),
        "{keys:?}"
    );
    assert!(
        keys.contains(&"file:\"caf\\xe8.txt\"".to_owned()),
        "{keys:?}"
    );
}

#[test]
fn secret_files_are_fingerprints_and_never_content() {
    let c = collect(ConfigRoot::new(testdata("config/secrets")));
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let e = entries(&c);
    for key in [
        "file:tls/server.key",
        "file:tls/server.pem",
        "file:ssh/id_ed25519",
        "file:java/keystore.jks",
        "file:aws/credentials",
        "file:.pgpass",
    ] {
        assert!(
            matches!(e.get(key), Some(Value::Secret(_))),
            "{key}: {:?}",
            e.get(key)
        );
    }
    assert!(matches!(e.get("file:tls/ca.pem"), Some(Value::File(_))));
    assert!(matches!(
        e.get("file:ssh/id_ed25519.pub"),
        Some(Value::File(_))
    ));
    // Through a whole snapshot, nothing of the secrets is written.
    let collectors: Vec<Box<dyn Collector>> = vec![Box::new(ConfigCollector::new([
        ConfigRoot::new(testdata("config/secrets")),
        ConfigRoot::named(testdata("config/tree-a"), "app"),
    ]))];
    let m = snapshot(
        "prod",
        &Local::new(),
        &collectors,
        Sanitizer::default(),
        None,
    );
    let json = m.to_json_string();
    for secret in [
        "MIIBOgIBAAJBAKj34",
        "b3BlbnNzaC1rZXkt",
        "fakeSecretForTestsOnly",
        "hunter2",
        "fake-keystore",
    ] {
        assert!(!json.contains(secret), "{secret} leaked");
    }
    assert!(
        m.get("config:app/app/settings.yaml:database.password")
            .unwrap()
            .is_secret()
    );
}

#[test]
fn a_missing_root_is_an_error() {
    let c = collect(ConfigRoot::new("/nonexistent/drift-config-root"));
    assert_eq!(c.errors.len(), 1);
    assert_eq!(c.errors[0].kind, ErrorKind::Read);
    assert!(
        c.errors[0].message.contains("does not exist"),
        "{}",
        c.errors[0].message
    );
}

#[test]
fn a_flat_file_of_many_dotted_keys_is_linear() {
    let dir = tempfile::tempdir().unwrap();
    let body: Vec<String> = (0..50_000)
        .map(|i| format!("\"svc{}.key{i}\":{i}", i % 7))
        .collect();
    std::fs::write(
        dir.path().join("flat.json"),
        format!("{{{}}}", body.join(",")),
    )
    .unwrap();
    let start = std::time::Instant::now();
    let c = collect(ConfigRoot::new(dir.path()));
    assert!(c.errors.is_empty());
    assert_eq!(c.entries.len(), 50_001);
    assert!(entries(&c).contains_key("config:flat.json:\"svc3.key10\""));
    // Generous: a quadratic walk would take minutes.
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}

#[test]
fn entries_are_in_key_order_whatever_the_order_of_paths_and_roots() {
    // `conf.d/` sorts before `conf/` as a key, after it as a path; an empty
    // `.env` has no `config:` entry, only `file:.env`, before
    // `file:.env.local`.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for sub in ["conf", "conf.d", "a", "a b"] {
        std::fs::create_dir(d.join(sub)).unwrap();
    }
    for (path, text) in [
        ("conf/x.yaml", "x: 1\n"),
        ("conf.d/y.yaml", "y: 2\n"),
        (".env", ""),
        (".env.local", "A=1\n"),
        ("a b/c.json", "{\"k\": 1}"),
        ("a/c.json", "[1, {\"k\": 2}]"),
    ] {
        std::fs::write(d.join(path), text).unwrap();
    }
    let roots = [
        ConfigRoot::named(d, "z"),
        ConfigRoot::named(d, "b"),
        ConfigRoot::new(d),
    ];
    let c = ConfigCollector::new(roots).collect(&Local::new());
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let keys: Vec<&str> = c.entries.iter().map(|(k, _)| k.as_str()).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:#?}");
    assert_eq!(keys.len(), 3 * 12);
    assert!(!keys.contains(&"config:.env") && keys.contains(&"file:.env"));
    assert!(keys.contains(&"config:b/conf.d/y.yaml:y"));
}

#[test]
fn a_path_collected_under_two_roots_keeps_the_first_roots_value() {
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (dir, n) in [(&one, 1), (&two, 2)] {
        std::fs::write(dir.path().join("same.txt"), "x".repeat(n)).unwrap();
        std::fs::write(dir.path().join("same.yaml"), format!("k: {n}\n")).unwrap();
    }
    let config = ConfigCollector::new([ConfigRoot::new(one.path()), ConfigRoot::new(two.path())]);
    let collectors: Vec<Box<dyn Collector>> = vec![Box::new(config)];
    let m = snapshot("t", &Local::new(), &collectors, Sanitizer::default(), None);
    assert_eq!(m.get("config:same.yaml:k"), Some(&Value::Int(1)));
    let Some(Value::File(f)) = m.get("file:same.txt") else {
        panic!("{:?}", m.get("file:same.txt"))
    };
    assert_eq!(f.size, 1);
    assert_eq!(m.errors.len(), 2, "{:?}", m.errors);
    assert!(
        m.errors
            .iter()
            .all(|e| e.message.contains("collected twice"))
    );
}
