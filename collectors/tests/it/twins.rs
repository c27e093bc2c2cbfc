//! The SFTP client's twin, through the one twin tester
//! ([`drift_core::testing::twins`]): every file and directory of
//! `testdata/` read over the pipelined SFTP client of a real OpenSSH server
//! on loopback must read as the local transport reads it, and whole
//! snapshots of the fixture trees must be equal.

use std::path::{Path, PathBuf};

use drift_collectors::config::{ConfigCollector, ConfigRoot};
use drift_collectors::packages::PackagesCollector;
use drift_collectors::transport::{Local, Ssh, Transport, WalkOptions};
use drift_collectors::{Collector, snapshot};
use drift_core::Sanitizer;
use drift_core::testing::twins::{Twins, fixtures, testdata};

use crate::sshd::{Sshd, SshdExt};

/// Bytes of a file, or the class of the error (messages name the target).
type Read = Result<Vec<u8>, String>;

fn read(t: &dyn Transport, path: &Path, limit: u64) -> Read {
    t.read_file(path, limit)
        .map_err(|e| format!("{:?}", e.to_collection_error("twins").kind))
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn sftp_reads_every_fixture_as_the_local_transport_does() {
    let sshd = Sshd::start();
    let remote = Ssh::connect(&sshd.target(), &sshd.options()).unwrap();
    let local = Local::new();
    let root = testdata().canonicalize().unwrap();
    let files: Vec<PathBuf> = fixtures(&root, |_| true).into_iter().map(|f| f.0).collect();
    assert!(files.len() > 100, "{} fixtures", files.len());

    // Whole files, files cut by a limit, and missing files.
    let mut reads = Twins::new("file read", "local", |(p, limit): &(PathBuf, u64)| {
        read(&local, p, *limit)
    })
    .fast("sftp", |(p, limit): &(PathBuf, u64)| {
        Some(read(&remote, p, *limit))
    });
    let mut cut = 0;
    for f in &files {
        let whole = reads.check(f.display(), &(f.clone(), 16 << 20));
        assert!(whole.is_ok(), "{}: {whole:?}", f.display());
        let limited = reads.check(
            format_args!("{} (limit 100)", f.display()),
            &(f.clone(), 100),
        );
        cut += usize::from(limited.is_err());
    }
    assert!(cut > 50, "{cut} fixtures over 100 bytes");
    let missing = reads.check("missing", &(root.join("no/such/file"), 1 << 20));
    assert!(missing.is_err());
    reads.assert_accepts("sftp", 2 * files.len() + 1, false);

    // Walks and directory listings.
    let mut walks = Twins::new("walk", "local", |p: &PathBuf| {
        local
            .walk(p, &WalkOptions::default())
            .map(|w| (w.entries, w.errors.len()))
            .ok()
    })
    .fast("sftp", |p: &PathBuf| {
        Some(
            remote
                .walk(p, &WalkOptions::default())
                .map(|w| (w.entries, w.errors.len()))
                .ok(),
        )
    });
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs.push(root.clone());
    for d in &dirs {
        walks.check(d.display(), d);
    }
    walks.assert_accepts("sftp", dirs.len(), false);

    // Whole snapshots of the fixture trees.
    let collectors: Vec<Box<dyn Collector>> = vec![
        Box::new(ConfigCollector::new([ConfigRoot::new(root.join("config"))])),
        Box::new(PackagesCollector::new([root.join("packages/apps")])),
    ];
    let mut snaps = Twins::new("snapshot", "local", |_: &()| {
        snapshot("dev", &local, &collectors, Sanitizer::default(), None)
            .entries()
            .to_vec()
    })
    .fast("sftp", |_: &()| {
        Some(
            snapshot("dev", &remote, &collectors, Sanitizer::default(), None)
                .entries()
                .to_vec(),
        )
    });
    let entries = snaps.check("config and packages fixtures", &());
    assert!(entries.len() > 100, "{} entries", entries.len());
    snaps.assert_accepts("sftp", 1, false);
}
