//! The SSH transport against a hostile host: a stand-in for sftp-server
//! (`fake_sftp_server.py`, run by the real OpenSSH daemon as its `Subsystem
//! sftp`) that misbehaves on purpose. Each test reproduces an attack and
//! checks that it fails with a clear error, in bounded time and memory.
//! Ignored in a plain `cargo test` (they need sshd and python3).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use drift_collectors::transport::{Ssh, Transport, TransportError, WalkOptions};

use crate::sshd::{Sshd, SshdExt};

const PYTHON: &str = "/usr/bin/python3";

/// A server whose sftp-server misbehaves as `mode` says; the paths it was
/// asked for are logged to the returned file.
fn hostile(mode: &str, arg: Option<&[u8]>, log_dir: &Path) -> (Sshd, PathBuf) {
    assert!(
        Path::new(PYTHON).exists(),
        "{PYTHON} is missing: install python3"
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fake_sftp_server.py");
    let log = log_dir.join("sftp-requests.log");
    let arg = arg.map(|a| {
        let hex: String = a.iter().map(|b| format!("{b:02x}")).collect();
        format!("h{hex}")
    });
    let command = format!(
        "{PYTHON} {} {mode} {} {}",
        script.display(),
        arg.unwrap_or_default(),
        log.display()
    );
    (Sshd::start_with_sftp(&command), log)
}

fn connect(sshd: &Sshd, timeout: Duration) -> Ssh {
    Ssh::connect(&sshd.target(), &sshd.options().operation_timeout(timeout)).unwrap()
}

/// The most memory this test process has used, in bytes.
fn peak_rss() -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[test]
#[ignore = "needs sshd and python3: run with --include-ignored"]
fn a_gigabyte_packet_for_a_small_read_is_refused_at_its_header() {
    let tree = tempfile::tempdir().unwrap();
    let big = tree.path().join("big.conf");
    fs::write(&big, "a=1\n").unwrap();
    let (sshd, _log) = hostile("huge-data", None, tree.path());
    let t = connect(&sshd, Duration::from_secs(20));
    let started = Instant::now();
    let e = t.read_file(&big, 8 << 20).unwrap_err();
    assert!(matches!(e, TransportError::Io { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains(&big.display().to_string()), "{msg}");
    assert!(
        msg.contains(
            "the server sent a 1073741833-byte reply where the request allows at most 4096 bytes"
        ),
        "{msg}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    // Before, the whole packet was kept (8.5 GB at the test's peak). The
    // bound is the packet's own size, so that other tests running in this
    // process at the same time cannot make it fail.
    assert!(peak_rss() < 1 << 30, "peak {} bytes", peak_rss());
}

#[test]
#[ignore = "needs sshd and python3: run with --include-ignored"]
fn more_bytes_than_stat_claimed_and_the_read_asked_are_refused() {
    let tree = tempfile::tempdir().unwrap();
    let f = tree.path().join("small.conf");
    fs::write(&f, "a=1\n").unwrap();
    let (sshd, _log) = hostile("more-than-asked", None, tree.path());
    let t = connect(&sshd, Duration::from_secs(20));
    // stat says 4 bytes; the read of 4 bytes gets 1,000.
    let e = t.read_file(&f, 8 << 20).unwrap_err().to_string();
    assert!(
        e.contains("reading failed: the server sent more data than was asked for"),
        "{e}"
    );
    // Limits hold whatever stat says.
    let e = t.read_file(&f, 2).unwrap_err();
    assert!(matches!(e, TransportError::TooLarge { .. }), "{e:?}");
}

#[test]
#[ignore = "needs sshd and python3: run with --include-ignored"]
fn a_trickled_reply_ends_at_the_operation_deadline() {
    let tree = tempfile::tempdir().unwrap();
    let f = tree.path().join("slow.conf");
    // Its reply is 53 bytes: 26.5 s at a byte every 0.5 s.
    fs::write(&f, "x".repeat(40)).unwrap();
    let (sshd, _log) = hostile("trickle", None, tree.path());
    let t = connect(&sshd, Duration::from_secs(2));
    let started = Instant::now();
    let e = t.read_file(&f, 1 << 20).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(e, TransportError::Timeout { .. }), "{e:?}");
    assert!(e.to_string().contains("timed out after 2 s"), "{e}");
    assert!(took < Duration::from_secs(4), "took {took:?}");
}

#[test]
#[ignore = "needs sshd and python3: run with --include-ignored"]
fn names_that_are_not_one_component_fail_the_listing() {
    for name in [
        &b"/etc/hostname"[..],
        b"../../../../etc/hostname",
        b"sub/../../x",
        b"",
        b"a\0b",
    ] {
        let tree = tempfile::tempdir().unwrap();
        let root = tree.path().join("conf");
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::write(root.join("sub/app.ini"), "a=1\n").unwrap();
        let (sshd, log) = hostile("name", Some(name), tree.path());
        let t = connect(&sshd, Duration::from_secs(20));
        let e = t.read_dir(&root).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with(&format!("failed to read `{}`: listing failed: the server sent a name that is not a single path component", root.display())),
            "{name:?}: {msg}"
        );
        let walk = t.walk(&root, &WalkOptions::default()).unwrap();
        assert!(walk.entries.is_empty(), "{name:?}: {:?}", walk.entries);
        // Every directory's listing fails: the root's and `sub`'s (the
        // root's failed, so `sub` is not even reached).
        assert_eq!(walk.errors.len(), 1, "{name:?}: {:?}", walk.errors);
        let asked = fs::read(&log).unwrap();
        for line in asked.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let p = Path::new(std::str::from_utf8(line).unwrap());
            assert!(p.starts_with(&root), "{name:?}: asked for {}", p.display());
        }
    }
}

#[test]
#[ignore = "needs sshd and python3: run with --include-ignored"]
fn a_reply_to_no_request_is_a_protocol_error() {
    let tree = tempfile::tempdir().unwrap();
    let f = tree.path().join("a.conf");
    fs::write(&f, "a=1\n").unwrap();
    let (sshd, _log) = hostile("stray", None, tree.path());
    let t = connect(&sshd, Duration::from_secs(20));
    let e = t.read_file(&f, 1 << 20).unwrap_err().to_string();
    assert!(e.contains("a reply to no request"), "{e}");
}

#[test]
#[ignore = "needs sshd and python3: run with --include-ignored"]
fn an_honest_stand_in_reads_like_sftp_server() {
    let tree = tempfile::tempdir().unwrap();
    let root = tree.path().join("conf");
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("sub/app.ini"), "a=1\n").unwrap();
    let (sshd, _log) = hostile("honest", None, tree.path());
    let t = connect(&sshd, Duration::from_secs(20));
    let walk = t.walk(&root, &WalkOptions::default()).unwrap();
    assert!(walk.errors.is_empty(), "{:?}", walk.errors);
    assert_eq!(walk.entries.len(), 1);
    assert_eq!(t.read_file(&walk.entries[0].path, 100).unwrap(), b"a=1\n");
}
