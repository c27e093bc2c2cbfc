//! The packages collector over the fixtures in `testdata/packages`.

use std::cmp::Ordering;

use drift_collectors::Collector;
use drift_collectors::packages::PackagesCollector;
use drift_collectors::transport::{AllowedCommand, Local};
use drift_core::version::{Skew, compare, skew};
use drift_core::{Collection, ErrorKind, Value};

use crate::fake::{Fake, testdata};

fn get<'a>(c: &'a Collection, key: &str) -> Option<&'a Value> {
    let mut found = c.entries.iter().filter(|(k, _)| k.as_str() == key);
    let first = found.next().map(|(_, v)| v);
    assert!(found.next().is_none(), "{key} recorded twice");
    first
}

/// `(text, dev)` of a plain version entry.
fn version(c: &Collection, key: &str) -> (String, bool, String) {
    match get(c, key) {
        Some(Value::Version(v)) => (v.text.clone(), v.dev, v.scheme.clone()),
        other => panic!("{key}: {other:?}"),
    }
}

/// `(text, dev)` of each version of a list entry.
fn versions(c: &Collection, key: &str) -> Vec<(String, bool)> {
    match get(c, key) {
        Some(Value::List(items)) => items
            .iter()
            .map(|v| match v {
                Value::Version(v) => (v.text.clone(), v.dev),
                other => panic!("{key}: {other:?}"),
            })
            .collect(),
        other => panic!("{key}: {other:?}"),
    }
}

fn collect(paths: &[&str]) -> Collection {
    let root = testdata().join("packages");
    PackagesCollector::new(paths.iter().map(|p| root.join(p))).collect(&Local::new())
}

#[test]
fn every_lockfile_format_in_a_project_tree() {
    let c = collect(&["apps"]);
    assert!(c.errors.is_empty(), "{:#?}", c.errors);
    let v = |key: &str| {
        let (text, dev, _) = version(&c, key);
        (text, dev)
    };
    let s = |t: &str, dev: bool| (t.to_owned(), dev);
    // npm v3, with nested copies, dev and optional flags.
    assert_eq!(
        version(&c, "package:npm:express"),
        ("4.18.2".into(), false, "semver".into())
    );
    assert_eq!(
        versions(&c, "package:npm:debug"),
        [s("2.6.9", false), s("4.3.4", true)]
    );
    assert_eq!(
        versions(&c, "package:npm:ms"),
        [s("2.0.0", false), s("2.1.2", true)]
    );
    assert_eq!(v("package:npm:@babel/runtime"), s("7.23.2", false));
    assert_eq!(v("package:npm:fsevents"), s("2.3.3", true));
    assert!(
        get(&c, "package:npm:should-not-be-read").is_none(),
        "node_modules must not be searched"
    );
    assert!(get(&c, "package:npm:shop-web").is_none());
    // npm v1 and npm-shrinkwrap v2.
    assert_eq!(v("package:npm:lodash"), s("4.17.21", false));
    assert_eq!(v("package:npm:mocha"), s("10.2.0", true));
    assert_eq!(v("package:npm:commander"), s("11.1.0", false));
    // yarn classic and berry.
    assert_eq!(v("package:npm:@babel/code-frame"), s("7.22.13", false));
    assert_eq!(
        versions(&c, "package:npm:chalk"),
        [s("2.4.2", false), s("4.1.2", false)]
    );
    assert_eq!(v("package:npm:left-pad"), s("1.3.1", false));
    assert_eq!(v("package:npm:resolve"), s("1.22.8", false));
    assert!(get(&c, "package:npm:shop").is_none());
    // pnpm v6 flags and v9 graph.
    assert_eq!(v("package:npm:react-dom"), s("18.2.0", false));
    assert_eq!(v("package:npm:typescript"), s("5.2.2", true));
    assert_eq!(v("package:npm:axios"), s("1.6.0", false));
    assert_eq!(v("package:npm:follow-redirects"), s("1.15.3", false));
    assert_eq!(v("package:npm:vitest"), s("1.0.0", true));
    assert_eq!(v("package:npm:@types/node"), s("20.10.0", true));
    // Cargo.
    assert_eq!(version(&c, "package:cargo:serde").2, "semver");
    assert_eq!(
        versions(&c, "package:cargo:syn"),
        [s("1.0.109", false), s("2.0.39", false)]
    );
    assert!(get(&c, "package:cargo:ledger").is_none());
    // Python: requirements, Pipfile.lock, poetry, uv, site-packages.
    assert_eq!(
        version(&c, "package:pypi:django"),
        ("4.2.7".into(), false, "pep440".into())
    );
    assert_eq!(v("package:pypi:requests"), s("2.31.0", false));
    assert_eq!(v("package:pypi:pytest"), s("7.4.3", true));
    assert_eq!(v("package:pypi:pytest-django"), s("4.7.0", true));
    assert_eq!(v("package:pypi:charset-normalizer"), s("3.3.2", false));
    assert!(get(&c, "package:pypi:urllib3").is_none(), "unpinned");
    assert_eq!(v("package:pypi:werkzeug"), s("3.0.1", false));
    assert_eq!(v("package:pypi:black"), s("23.11.0", true));
    assert!(get(&c, "package:pypi:internal-lib").is_none());
    assert_eq!(v("package:pypi:fastapi"), s("0.104.1", false));
    assert_eq!(v("package:pypi:anyio"), s("4.1.0", false));
    assert_eq!(v("package:pypi:uvloop"), s("0.19.0", false));
    assert_eq!(v("package:pypi:iniconfig"), s("2.0.0", true));
    assert!(get(&c, "package:pypi:service").is_none());
    // Ruby, Go, PHP.
    assert_eq!(
        version(&c, "package:gem:nokogiri"),
        ("1.15.4".into(), false, "gem".into())
    );
    assert_eq!(v("package:gem:sprockets"), s("4.2.1", false));
    assert!(get(&c, "package:gem:billing").is_none());
    assert_eq!(
        version(&c, "package:go:github.com/lib/pq").0,
        "v1.10.10-fix.1"
    );
    assert_eq!(
        v("package:go:golang.org/x/sys"),
        s("v0.0.0-20231109021931-daa7c04131f5", false)
    );
    assert_eq!(
        version(&c, "package:composer:symfony/console"),
        ("v6.3.8".into(), false, "composer".into())
    );
    assert_eq!(v("package:composer:phpunit/phpunit"), s("10.4.2", true));
    // One coverage record per file read.
    let sources: Vec<&str> = c.coverage.iter().map(|c| c.source.as_str()).collect();
    assert_eq!(c.coverage.len(), 18, "{sources:#?}");
    assert!(
        c.coverage
            .iter()
            .all(|cov| cov.collector == "packages" && cov.items > 0)
    );
}

#[test]
fn os_databases_of_root_filesystems() {
    let c = collect(&["debian", "alpine", "fedora"]);
    assert!(c.errors.is_empty(), "{:#?}", c.errors);
    let deb = |key: &str| version(&c, key);
    assert_eq!(
        deb("package:deb:libssl3:amd64"),
        ("3.0.11-1~deb12u2".into(), false, "deb".into())
    );
    assert_eq!(deb("package:deb:libssl3:i386").0, "3.0.11-1~deb12u2");
    assert_eq!(deb("package:deb:adduser:all").0, "3.134");
    assert_eq!(deb("package:deb:vim-tiny:amd64").0, "2:9.0.1378-2");
    assert_eq!(deb("package:deb:libc-bin:amd64").0, "2.36-9+deb12u4");
    assert!(
        get(&c, "package:deb:postgresql-client-15:amd64").is_none(),
        "config-files only"
    );
    assert!(
        get(&c, "package:deb:python3-yaml:amd64").is_none(),
        "half-configured"
    );
    assert_eq!(
        version(&c, "package:apk:musl:x86_64"),
        ("1.2.4-r2".into(), false, "apk".into())
    );
    assert_eq!(
        version(&c, "package:apk:ca-certificates-bundle:x86_64").0,
        "20230506-r0"
    );
    // Written by rpm 4.18 itself (see testdata/packages/fedora/README.md).
    assert_eq!(
        version(&c, "package:rpm:openssl-libs:x86_64"),
        ("1:3.1.1-4.fc39".into(), false, "rpm".into())
    );
    assert_eq!(version(&c, "package:rpm:tzdata:noarch").0, "2024a-2.fc39");
    assert_eq!(
        version(&c, "package:rpm:vim-minimal:x86_64").0,
        "2:9.1.113-1.fc39"
    );
    assert_eq!(
        versions(&c, "package:rpm:kernel-core:x86_64"),
        [
            ("6.7.5-200.fc39".to_owned(), false),
            ("6.7.9-200.fc39".to_owned(), false)
        ]
    );
    let rpm = c
        .entries
        .iter()
        .filter(|(k, _)| k.as_str().starts_with("package:rpm:"))
        .count();
    assert_eq!(rpm, 5);
    assert_eq!(c.coverage.len(), 3);
}

#[test]
fn distroless_images_list_packages_in_status_d() {
    let c = collect(&["distroless"]);
    assert!(c.errors.is_empty(), "{:#?}", c.errors);
    assert_eq!(version(&c, "package:deb:libc6:amd64").0, "2.36-9+deb12u4");
    assert_eq!(version(&c, "package:deb:tzdata:all").0, "2024a-0+deb12u1");
    assert_eq!(c.entries.len(), 2, "md5sums files are not packages");
}

#[test]
fn latin1_bytes_in_an_old_status_file_do_not_stop_it() {
    let text = b"Package: old\nStatus: install ok installed\nMaintainer: Ren\xe9 Dupont <r@example.org>\nVersion: 1.0-1\nArchitecture: i386\n";
    let p = drift_collectors::packages::Format::Dpkg
        .parse(text)
        .unwrap();
    assert_eq!(p[0].version, "1.0-1");
}

#[test]
fn a_large_rpm_database_with_signing_keys() {
    let c = collect(&["rpm-synthetic/rpmdb.sqlite"]);
    assert!(c.errors.is_empty(), "{:#?}", c.errors);
    assert_eq!(version(&c, "package:rpm:glibc:x86_64").0, "2.38-16.fc39");
    assert_eq!(version(&c, "package:rpm:lib039:x86_64").0, "1.39.0-1.fc39");
    assert!(
        !c.entries
            .iter()
            .any(|(k, _)| k.as_str().contains("gpg-pubkey"))
    );
    assert_eq!(c.entries.len(), 49);
    assert_eq!(c.coverage[0].items, 50);
}

#[test]
fn database_files_named_directly() {
    let c = collect(&[
        "debian/var/lib/dpkg/status",
        "fedora/usr/lib/sysimage/rpm/rpmdb.sqlite",
    ]);
    assert!(c.errors.is_empty(), "{:#?}", c.errors);
    assert_eq!(
        version(&c, "package:deb:openssl:amd64").0,
        "3.0.11-1~deb12u2"
    );
    assert_eq!(version(&c, "package:rpm:bash:x86_64").0, "5.2.26-1.fc39");
}

#[test]
fn malformed_files_are_errors_with_file_and_line_and_the_rest_is_collected() {
    let c = collect(&[
        "broken/node/package-lock.json",
        "broken/rust/Cargo.lock",
        "broken/dpkg",
        "apps/web",
    ]);
    let mut errors: Vec<_> = c
        .errors
        .iter()
        .map(|e| {
            (
                e.source.rsplit("packages/").next().unwrap_or("").to_owned(),
                e.line,
                e.kind,
            )
        })
        .collect();
    errors.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        errors,
        [
            (
                "broken/dpkg/var/lib/dpkg/status".to_owned(),
                Some(6),
                ErrorKind::Parse
            ),
            (
                "broken/node/package-lock.json".to_owned(),
                Some(7),
                ErrorKind::Parse
            ),
            (
                "broken/rust/Cargo.lock".to_owned(),
                Some(5),
                ErrorKind::Parse
            ),
        ],
        "{:#?}",
        c.errors
    );
    for e in &c.errors {
        assert!(
            e.message.starts_with("failed to parse the "),
            "{}",
            e.message
        );
        assert!(
            !e.message.contains("1.0.190"),
            "no file content in messages: {}",
            e.message
        );
    }
    assert_eq!(version(&c, "package:npm:express").0, "4.18.2");
}

#[test]
fn unknown_and_missing_paths_are_errors() {
    let c = collect(&["apps/go/go.sum", "no/such/dir", "apps/web/package.json"]);
    let kinds: Vec<_> = c.errors.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            ErrorKind::Unsupported,
            ErrorKind::Read,
            ErrorKind::Unsupported
        ],
        "{:#?}",
        c.errors
    );
    assert!(
        c.errors[0].message.contains("go.mod"),
        "{}",
        c.errors[0].message
    );
    assert!(c.entries.is_empty());
}

#[test]
fn search_depth_is_bounded() {
    let root = testdata().join("packages");
    let c = PackagesCollector::new([root.join("apps")])
        .max_depth(1)
        .collect(&Local::new());
    assert!(get(&c, "package:npm:express").is_some());
    assert!(
        get(&c, "package:pypi:requests").is_some(),
        "from requirements.txt at depth 1"
    );
    assert!(
        !c.entries
            .iter()
            .any(|(k, v)| k.as_str() == "package:pypi:django" && matches!(v, Value::List(_)))
    );
    let c = PackagesCollector::new([root.join("apps")])
        .max_dirs(3)
        .collect(&Local::new());
    assert_eq!(c.errors.len(), 1);
    assert_eq!(c.errors[0].kind, ErrorKind::Limit);
}

#[test]
fn rpm_berkeley_databases_are_listed_with_rpm_qa() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("var/lib/rpm")).unwrap();
    std::fs::write(dir.path().join("var/lib/rpm/Packages"), b"\0\x06\x15\x61").unwrap();
    let out = "bash\t0:4.4.20-4.el8\tx86_64\nopenssl-libs\t1:1.1.1k-9.el8\tx86_64\ngpg-pubkey\t0:8483c65d-5ccc5b19\t(none)\n";
    let fake = Fake::new(dir.path()).command(AllowedCommand::RpmQueryAll, 0, out, "");
    let c = PackagesCollector::new(["/"]).collect(&fake);
    assert!(c.errors.is_empty(), "{:#?}", c.errors);
    assert_eq!(
        version(&c, "package:rpm:openssl-libs:x86_64").0,
        "1:1.1.1k-9.el8"
    );
    assert_eq!(c.entries.len(), 2);
    // Outside `/`, rpm would list the wrong machine.
    let c = PackagesCollector::new([dir.path()]).collect(&Local::new());
    assert_eq!(c.errors.len(), 1);
    assert_eq!(c.errors[0].kind, ErrorKind::Unsupported);
}

#[test]
fn an_rpm_database_with_pending_wal_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let db = testdata().join("packages/fedora/usr/lib/sysimage/rpm/rpmdb.sqlite");
    std::fs::copy(&db, dir.path().join("rpmdb.sqlite")).unwrap();
    std::fs::write(dir.path().join("rpmdb.sqlite-wal"), b"").unwrap();
    let c = PackagesCollector::new([dir.path().join("rpmdb.sqlite")]).collect(&Local::new());
    assert!(c.errors.is_empty(), "an empty WAL is fine: {:#?}", c.errors);
    std::fs::write(
        dir.path().join("rpmdb.sqlite-wal"),
        b"\x37\x7f\x06\x82 pages",
    )
    .unwrap();
    let c = PackagesCollector::new([dir.path().join("rpmdb.sqlite")]).collect(&Local::new());
    assert_eq!(c.errors.len(), 1);
    assert!(c.errors[0].source.ends_with("rpmdb.sqlite-wal"));
}

#[test]
fn damaged_rpm_databases_are_errors_not_panics() {
    let bytes = std::fs::read(testdata().join("packages/rpm-synthetic/rpmdb.sqlite")).unwrap();
    let format = drift_collectors::packages::Format::RpmSqlite;
    for cut in [
        0,
        50,
        100,
        4096,
        5000,
        20_000,
        bytes.len() / 2,
        bytes.len() - 1,
    ] {
        let _ = format.parse(&bytes[..cut]);
    }
    let mut flipped = bytes.clone();
    for i in (0..flipped.len()).step_by(997) {
        flipped[i] ^= 0x5a;
        let _ = format.parse(&flipped);
    }
    assert!(format.parse(&bytes[..bytes.len() / 2]).is_err());
}

#[test]
fn version_skew_between_two_environments() {
    let staging = collect(&["debian"]);
    let prod = collect(&["debian-prod"]);
    let (s, _, scheme) = version(&staging, "package:deb:openssl:amd64");
    let (p, _, _) = version(&prod, "package:deb:openssl:amd64");
    assert_eq!(
        compare(&scheme, &p, &s),
        Some(Ordering::Less),
        "prod is behind"
    );
    assert_eq!(skew(&scheme, &p, &s), Skew::Patch);
    let (s, _, _) = version(&staging, "package:deb:vim-tiny:amd64");
    let (p, _, _) = version(&prod, "package:deb:vim-tiny:amd64");
    assert_eq!(compare(&scheme, &p, &s), Some(Ordering::Greater));
    assert_eq!(skew(&scheme, &p, &s), Skew::Patch);
}

#[test]
fn smoke_on_this_machine() {
    let c = PackagesCollector::new(["/"]).collect(&Local::new());
    assert!(c.errors.is_empty(), "{:#?}", c.errors);
    if std::path::Path::new("/var/lib/dpkg/status").exists() {
        let debs = c
            .entries
            .iter()
            .filter(|(k, _)| k.as_str().starts_with("package:deb:"))
            .count();
        assert!(debs > 10, "{debs} deb packages");
        // `/` is a root filesystem: it is not searched for lockfiles.
        assert!(
            c.entries
                .iter()
                .all(|(k, _)| k.as_str().starts_with("package:deb:"))
        );
    }
}

#[test]
fn old_lockfile_formats_are_read() {
    // Pipfile.lock of 2017 (`"name": "==1.0"`), composer.lock of 2012
    // (`package` instead of `name`, `"packages-dev": null`).
    let c = collect(&["old-formats/pipenv-2017", "old-formats/composer-2012"]);
    assert!(c.errors.is_empty(), "{:#?}", c.errors);
    let v = |key: &str| {
        let (text, dev, scheme) = version(&c, key);
        (text, dev, scheme)
    };
    let s = |t: &str, dev: bool, scheme: &str| (t.to_owned(), dev, scheme.to_owned());
    assert_eq!(v("package:pypi:flask"), s("0.12", false, "pep440"));
    assert_eq!(v("package:pypi:werkzeug"), s("0.11.15", false, "pep440"));
    assert_eq!(v("package:pypi:pytest"), s("3.0.6", true, "pep440"));
    assert_eq!(
        v("package:composer:symfony/console"),
        s("v2.1.0", false, "composer")
    );
    assert_eq!(
        v("package:composer:twig/twig"),
        s("dev-master", false, "composer")
    );
    assert_eq!(c.entries.len(), 7);
}

#[test]
fn an_old_pipfile_lock_of_ranges_is_refused_with_what_to_do() {
    let c = collect(&[
        "old-formats/pipenv-2017-ranges",
        "old-formats/composer-2012",
    ]);
    assert_eq!(c.errors.len(), 1, "{:#?}", c.errors);
    let e = &c.errors[0];
    assert_eq!(e.kind, ErrorKind::Parse);
    assert!(
        e.source.ends_with("pipenv-2017-ranges/Pipfile.lock"),
        "{}",
        e.source
    );
    assert_eq!(e.line, Some(13));
    assert!(
        e.message.contains("`requests` in `default`"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("first Pipfile.lock format"),
        "{}",
        e.message
    );
    assert!(e.message.contains("run `pipenv lock`"), "{}", e.message);
    // The rest is still collected.
    assert!(get(&c, "package:composer:monolog/monolog").is_some());
}

/// A package the collector records at several versions (nested npm copies)
/// is diffed as a version: its newest member decides, never a type
/// mismatch.
#[test]
fn a_collected_version_set_diffs_as_a_version() {
    use drift_core::report::{Detail, FindingKind};
    use drift_core::value::Version;
    use drift_core::{DiffOptions, KeyPath, ManifestBuilder, Policy, Sanitizer, diff_manifests};

    let manifest = |env: &str, change: bool| {
        let mut c = collect(&["apps/web"]);
        if change {
            for (key, value) in &mut c.entries {
                if key.as_str() == "package:npm:debug" {
                    *value = Value::from(Version {
                        scheme: "semver".into(),
                        text: "4.3.5".into(),
                        dev: false,
                    });
                }
            }
        }
        let mut b = ManifestBuilder::new(env, "local", Sanitizer::default());
        b.add("packages", "1", c);
        b.finish(None)
    };
    let (staging, prod) = (manifest("staging", false), manifest("prod", true));
    assert!(matches!(
        staging.get("package:npm:debug"),
        Some(Value::List(_))
    ));
    let report = diff_manifests(
        &[staging, prod],
        &Policy::default(),
        &DiffOptions::default(),
    )
    .unwrap();
    assert_eq!(report.findings.len(), 1, "{:#?}", report.findings);
    let f = &report.findings[0];
    assert_eq!(f.key, KeyPath::new("package:npm:debug").unwrap());
    assert_eq!(f.kind, FindingKind::Changed);
    let Some(Detail::Version(v)) = f.detail.as_deref() else {
        panic!("{f:#?}")
    };
    assert_eq!(v.skew, Skew::Patch);
    assert_eq!(v.newest, ["prod"]);
    assert_eq!(v.behind, ["staging"]);
}
