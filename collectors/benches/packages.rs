//! Parsing and comparing large package sets.
//!
//! `cargo bench -p drift-collectors --bench packages`
//!
//! Generates a 10,000-package package-lock.json (v3, with nested copies)
//! and a 3,000-package dpkg status file, and measures: parsing each; the
//! whole collector on each (read, parse, key, aggregate); and building two
//! environments' manifests of that size and comparing them with drift's
//! diff engine (version skew classes and directions included).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use drift_collectors::Collector;
use drift_collectors::packages::{Format, PackagesCollector};
use drift_collectors::transport::Local;
use drift_core::diff::{DiffOptions, Environment, diff};
use drift_core::manifest::Manifest;
use drift_core::{ManifestBuilder, Policy, Sanitizer};

const NPM_PACKAGES: usize = 10_000;
const DPKG_PACKAGES: usize = 3_000;
const RUNS: usize = 11;

fn package_lock(seed: usize) -> String {
    let mut s = String::from(
        "{\n  \"name\": \"big\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n    \"\": {\"name\": \"big\", \"version\": \"1.0.0\"}",
    );
    for i in 0..NPM_PACKAGES {
        // Every tenth package is a nested copy of another at an older version.
        let path = if i % 10 == 9 {
            format!("node_modules/pkg-{}/node_modules/pkg-{}", i - 1, i - 2)
        } else {
            format!(
                "node_modules/{}pkg-{i}",
                if i % 7 == 0 { "@scope/" } else { "" }
            )
        };
        let patch = if i % 50 == seed % 50 {
            1 + seed
        } else {
            i % 13
        };
        let _ = write!(
            s,
            ",\n    \"{path}\": {{\n      \"version\": \"{}.{}.{patch}\",\n      \"resolved\": \"https://registry.npmjs.org/pkg-{i}/-/pkg-{i}-1.0.0.tgz\",\n      \"integrity\": \"sha512-{:0>86}==\",\n      \"dev\": {},\n      \"dependencies\": {{\"pkg-{}\": \"^1.0.0\"}},\n      \"engines\": {{\"node\": \">=14\"}}\n    }}",
            i % 5,
            i % 17,
            i,
            i % 3 == 0,
            (i + 1) % NPM_PACKAGES
        );
    }
    s.push_str("\n  }\n}\n");
    s
}

fn dpkg_status(seed: usize) -> String {
    let mut s = String::new();
    for i in 0..DPKG_PACKAGES {
        let status = if i % 97 == 0 {
            "deinstall ok config-files"
        } else {
            "install ok installed"
        };
        let rev = if i % 40 == seed % 40 {
            format!("{}~deb12u{}", 1, seed + 1)
        } else {
            "1".into()
        };
        let _ = write!(
            s,
            "Package: lib-package-{i}\nStatus: {status}\nPriority: optional\nSection: libs\nInstalled-Size: {}\nMaintainer: Debian Team <team@lists.debian.org>\nArchitecture: {}\nMulti-Arch: same\nSource: source-{}\nVersion: {}:{}.{}.{}-{rev}\nDepends: libc6 (>= 2.34), lib-package-{} (= 1.0)\nDescription: package number {i}\n This is the long description of the package, over several lines,\n as Debian packages have them.\n .\n It goes on for a while.\nHomepage: https://example.org/{i}\n\n",
            i * 3,
            if i % 4 == 0 { "all" } else { "amd64" },
            i / 3,
            i % 3,
            i % 9,
            i % 21,
            i % 30,
            (i + 1) % DPKG_PACKAGES
        );
    }
    s
}

/// Median and best of `RUNS` runs of `f`.
fn time<T>(mut f: impl FnMut() -> T) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[RUNS / 2], times[0])
}

fn report(what: &str, (median, best): (Duration, Duration), budget_ms: f64) {
    let ms = median.as_secs_f64() * 1e3;
    let verdict = if ms <= budget_ms { "ok" } else { "OVER BUDGET" };
    eprintln!(
        "{what:<58} median {ms:8.2} ms  best {:8.2} ms  (budget {budget_ms} ms: {verdict})",
        best.as_secs_f64() * 1e3
    );
}

/// Compares two environments with drift's diff engine (what `drift diff`
/// does after reading the manifests): missing keys, changed values, version
/// skew classes and directions.
fn engine_diff(a: &Manifest, b: &Manifest) -> drift_core::Report {
    let envs = [Environment::single(a), Environment::single(b)];
    diff(&envs, &Policy::default(), &DiffOptions::default()).expect("two environments")
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let env = |name: &str, seed: usize| {
        let root = dir.path().join(name);
        std::fs::create_dir_all(root.join("app")).expect("mkdir");
        std::fs::create_dir_all(root.join("rootfs/var/lib/dpkg")).expect("mkdir");
        std::fs::write(root.join("app/package-lock.json"), package_lock(seed)).expect("write");
        std::fs::write(root.join("rootfs/var/lib/dpkg/status"), dpkg_status(seed)).expect("write");
        root
    };
    let staging = env("staging", 0);
    let prod = env("prod", 1);
    let lock = std::fs::read(staging.join("app/package-lock.json")).expect("read");
    let status = std::fs::read(staging.join("rootfs/var/lib/dpkg/status")).expect("read");
    eprintln!(
        "package-lock.json: {} packages, {} KiB; dpkg status: {} packages, {} KiB; {} threads",
        NPM_PACKAGES,
        lock.len() / 1024,
        DPKG_PACKAGES,
        status.len() / 1024,
        rayon::current_num_threads()
    );

    report(
        "parse package-lock.json (10,000 packages)",
        time(|| Format::NpmLock.parse(&lock)),
        100.0,
    );
    report(
        "parse dpkg status (3,000 packages)",
        time(|| Format::Dpkg.parse(&status)),
        100.0,
    );
    let collector = |root: &std::path::Path, sub: &str| PackagesCollector::new([root.join(sub)]);
    report(
        "collect package-lock.json (read, parse, key, aggregate)",
        time(|| collector(&staging, "app").collect(&Local::new())),
        100.0,
    );
    report(
        "collect dpkg rootfs (read, parse, key, aggregate)",
        time(|| collector(&staging, "rootfs").collect(&Local::new())),
        100.0,
    );

    let manifest = |root: &std::path::Path, name: &str| {
        let c =
            PackagesCollector::new([root.join("app"), root.join("rootfs")]).collect(&Local::new());
        let mut b = ManifestBuilder::new(name, "local", Sanitizer::default());
        b.add("packages", "0", c);
        b.finish(None)
    };
    let (s, p) = (manifest(&staging, "staging"), manifest(&prod, "prod"));
    let r = engine_diff(&s, &p);
    let count = |kind: &str| {
        r.findings
            .iter()
            .filter(|f| f.kind.as_str() == kind)
            .count()
    };
    let skews = r
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.detail.as_deref(),
                Some(drift_core::report::Detail::Version(_))
            )
        })
        .count();
    eprintln!(
        "two environments: {} and {} entries; {} missing, {} changed, {skews} with a version skew",
        s.len(),
        p.len(),
        count("missing"),
        count("changed")
    );
    report(
        "diff two environments (drift's engine)",
        time(|| engine_diff(&s, &p)),
        50.0,
    );
    let collections = |root: &std::path::Path| {
        PackagesCollector::new([root.join("app"), root.join("rootfs")]).collect(&Local::new())
    };
    let (cs, cp) = (collections(&staging), collections(&prod));
    report(
        "build both manifests from collections, then diff",
        time(|| {
            let build = |c: &drift_core::Collection, name: &str| {
                let mut b = ManifestBuilder::new(name, "local", Sanitizer::default());
                let mut copy = drift_core::Collection::new();
                copy.entries = c.entries.clone();
                b.add("packages", "0", copy);
                b.finish(None)
            };
            let (a, b) = (build(&cs, "staging"), build(&cp, "prod"));
            engine_diff(&a, &b)
        }),
        50.0,
    );
}
