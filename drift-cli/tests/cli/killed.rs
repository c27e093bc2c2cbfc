//! A snapshot killed (SIGKILL) in the middle of writing its manifest leaves
//! the previous manifest byte for byte, and no temporary file (issue 16).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A configuration tree large enough that writing its manifest takes a
/// while: `files` JSON files of 20 keys each.
fn tree(root: &Path, files: usize) -> PathBuf {
    let conf = root.join("conf");
    for d in 0..files / 500 + 1 {
        std::fs::create_dir_all(conf.join(format!("d{d:03}"))).unwrap();
    }
    for i in 0..files {
        let body: Vec<String> = (0..20)
            .map(|k| format!("\"key_{k}\": \"value {i} {k} of a config file\""))
            .collect();
        std::fs::write(
            conf.join(format!("d{:03}/f{i:06}.json", i / 500)),
            format!("{{{}}}", body.join(", ")),
        )
        .unwrap();
    }
    conf
}

/// The size of the file being written into `out_dir` by process `pid`: its
/// anonymous file (`/proc/PID/fd/N` → `OUT_DIR/#NNN (deleted)`) or its named
/// temporary file; `None` while it has none.
fn writing(pid: u32, out_dir: &Path) -> Option<u64> {
    for fd in std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.flatten() {
        let Ok(target) = std::fs::read_link(fd.path()) else {
            continue;
        };
        let text = target.to_string_lossy();
        let in_dir = target.parent() == Some(out_dir);
        let temp = text.ends_with(" (deleted)") || text.contains(".tmp-");
        if in_dir && temp {
            return std::fs::metadata(fd.path()).ok().map(|m| m.len());
        }
    }
    None
}

#[test]
fn a_snapshot_killed_while_writing_leaves_the_old_manifest_and_no_temporary_file() {
    let root = tempfile::tempdir().unwrap();
    let conf = tree(root.path(), 20_000);
    let out_dir = root.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("m.json");
    let old = b"{\"the previous manifest\": true}\n".repeat(1000);
    std::fs::write(&out, &old).unwrap();
    let out_dir = out_dir.canonicalize().unwrap();

    let bin = assert_cmd::cargo::cargo_bin("drift");
    let mut killed_mid_write = 0;
    for _ in 0..5 {
        let mut child = Command::new(&bin)
            .args(["snapshot", "--env", "a", "--config-dir"])
            .arg(&conf)
            .arg("--output")
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        // Wait until the new manifest is being written, and has some bytes.
        let mut seen = None;
        while started.elapsed() < Duration::from_secs(120) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if let Some(n) = writing(child.id(), &out_dir).filter(|&n| n > 0) {
                seen = Some(n);
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let still_running = child.try_wait().unwrap().is_none();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if seen.is_some() && still_running {
            killed_mid_write += 1;
        }
        assert_eq!(
            std::fs::read(&out).unwrap(),
            old,
            "the old manifest changed"
        );
        let left: Vec<_> = std::fs::read_dir(&out_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["m.json"], "files left beside the manifest");
        if killed_mid_write > 0 {
            break;
        }
    }
    assert!(killed_mid_write > 0, "no run was caught while writing");

    // A later run writes the new manifest in place, and leaves nothing else.
    let status = Command::new(&bin)
        .args(["snapshot", "--env", "a", "--config-dir"])
        .arg(&conf)
        .arg("--output")
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let new = std::fs::read_to_string(&out).unwrap();
    assert!(new.contains("drift-manifest/1") && new.contains("key_19"));
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 1);
}
