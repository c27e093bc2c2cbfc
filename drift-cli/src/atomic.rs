//! Writing a file atomically: the new content is complete before it takes
//! the place of the old one, and an interrupted run (even by SIGKILL) leaves
//! the old file and no temporary one.
//!
//! On Linux the content is written into an anonymous file (`O_TMPFILE`),
//! which vanishes with the process if it dies, and is linked under a
//! temporary name only once complete, for the instant it takes to put it in
//! place. Where that is not possible (another system, a file system without
//! `O_TMPFILE`, no `/proc`), the temporary file is named from the start.
//! Either way a temporary file is named `.NAME.tmp-PID`, and one left by a
//! killed run is removed by the next write to `NAME` only when no process
//! of that PID is alive: a run still in progress never loses its file.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use anyhow::Context;

/// Gathers the small writes around a manifest's entries. A manifest writer
/// hands over its entries in blocks of a megabyte (hashed as they go), which
/// a smaller buffer passes through rather than copies.
pub const MANIFEST_BUFFER: usize = 64 << 10;

/// Writes `write` into `path` atomically: a temporary file in the same
/// folder, put in place of the target once complete. An interrupted run
/// leaves the old file (or none), never half of a new one.
///
/// The file is not fsynced: that would cost as much as the whole snapshot of
/// a large tree, and protects only against an operating-system crash in the
/// seconds after the write — after which a torn manifest is refused by its
/// digest and truncation checks when read, never silently used.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<fs::File>) -> io::Result<()>,
) -> anyhow::Result<()> {
    if fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        // A device or a pipe (`--output /dev/null`, `--output >(…)`): it is
        // written to, never replaced.
        return write_through(path, write)
            .with_context(|| format!("failed to write `{}`", path.display()));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("`{}` is not a file name", path.display()))?;
    let prefix = format!(".{}.tmp-", name.to_string_lossy());
    remove_stale(dir, &prefix);
    let tmp = dir.join(format!("{prefix}{}", std::process::id()));
    let result = (|| -> io::Result<()> {
        write_complete(dir, &tmp, write)?;
        replace(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("failed to write `{}`", path.display()));
    }
    Ok(())
}

/// Writes the whole content into a new file named `tmp`: on Linux into an
/// anonymous file first, linked as `tmp` once complete; else into `tmp`.
fn write_complete(
    dir: &Path,
    tmp: &Path,
    write: impl FnOnce(&mut io::BufWriter<fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    if let Some(file) = anonymous_file(dir) {
        let mut w = io::BufWriter::with_capacity(MANIFEST_BUFFER, file);
        write(&mut w)?;
        let file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
        return link_as(&file, tmp);
    }
    let _ = dir;
    write_through(tmp, write)
}

/// An anonymous file in `dir`, where the file system has them and `/proc`
/// can name it for linking.
#[cfg(target_os = "linux")]
fn anonymous_file(dir: &Path) -> Option<fs::File> {
    use rustix::fs::{Mode, OFlags};
    if !Path::new("/proc/self/fd").is_dir() {
        return None;
    }
    let fd = rustix::fs::open(
        dir,
        OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o666),
    )
    .ok()?;
    Some(fs::File::from(fd))
}

/// Gives the anonymous `file` the name `tmp`.
#[cfg(target_os = "linux")]
fn link_as(file: &fs::File, tmp: &Path) -> io::Result<()> {
    use rustix::fs::{AtFlags, CWD, linkat};
    use std::os::fd::AsRawFd;
    // A file of this name is a leftover of a dead process of this PID.
    let _ = fs::remove_file(tmp);
    let this = format!("/proc/self/fd/{}", file.as_raw_fd());
    linkat(CWD, this.as_str(), CWD, tmp, AtFlags::SYMLINK_FOLLOW)?;
    Ok(())
}

/// Removes the temporary files `PREFIX<PID>` in `dir` left by runs that
/// were killed: only where `/proc` tells that no process of that PID is
/// alive, so that the file of a run in progress is never touched. (PID
/// reuse only keeps a stale file longer.) Elsewhere, nothing is removed.
fn remove_stale(dir: &Path, prefix: &str) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let me = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != me && !proc.join(pid.to_string()).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Creates (or opens) `path` and writes it through a buffer.
fn write_through(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    let file = fs::File::create(path)?;
    let mut w = io::BufWriter::with_capacity(MANIFEST_BUFFER, file);
    write(&mut w)?;
    w.flush()
}

/// Puts the complete file `tmp` in place of `path`, in one step.
///
/// An existing regular file is exchanged with `tmp` (Linux's
/// `RENAME_EXCHANGE`), and then removed under the temporary name: renamed
/// over, ext4 would first hand the whole new file to the disk (its
/// `auto_da_alloc` guard for programs that do not sync), which costs a
/// large manifest a tenth of a second and more of waiting for nothing this
/// tool promises. Where exchanging is not supported, a rename.
fn replace(tmp: &Path, path: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, tmp, CWD, path, RenameFlags::EXCHANGE).is_ok() {
            // `tmp` now names the old file; a failure to remove it leaves
            // a stray file, never a wrong manifest.
            if fs::symlink_metadata(tmp).is_ok_and(|m| m.is_dir()) {
                // A directory came in between: put it back.
                renameat_with(CWD, tmp, CWD, path, RenameFlags::EXCHANGE)?;
                return Err(io::Error::other(format!(
                    "`{}` is a directory",
                    path.display()
                )));
            }
            let _ = fs::remove_file(tmp);
            return Ok(());
        }
    }
    fs::rename(tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_files_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.json");
        write_atomically(&p, |w| w.write_all(b"one")).unwrap();
        write_atomically(&p, |w| w.write_all(b"two")).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let err = write_atomically(&p, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("interrupted"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn atomic_write_into_a_new_path_and_refused_over_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("new.json");
        write_atomically(&p, |w| w.write_all(b"fresh")).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"fresh");
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).unwrap();
        fs::write(sub.join("kept"), "x").unwrap();
        let err = write_atomically(&sub, |w| w.write_all(b"no")).unwrap_err();
        assert!(
            format!("{err:#}").starts_with(&format!("failed to write `{}`", sub.display())),
            "{err:#}"
        );
        assert_eq!(fs::read(sub.join("kept")).unwrap(), b"x");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn atomic_write_replaces_the_link_not_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.json");
        let link = dir.path().join("link.json");
        fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomically(&link, |w| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"old");
        assert!(fs::symlink_metadata(&link).unwrap().is_file());
        assert_eq!(fs::read(&link).unwrap(), b"new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_stale_temporary_file_of_a_dead_run_is_removed_and_a_live_one_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.json");
        // No process has a PID this high (Linux's limit is 2^22).
        let dead = dir.path().join(".m.json.tmp-4294967");
        // This test's parent is alive.
        let live = dir.path().join(format!(
            ".m.json.tmp-{}",
            std::os::unix::process::parent_id()
        ));
        let other = dir.path().join(".n.json.tmp-4294967");
        for f in [&dead, &live, &other] {
            fs::write(f, "old").unwrap();
        }
        write_atomically(&p, |w| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new");
        assert!(!dead.exists());
        assert!(live.exists() && other.exists());
    }
}
