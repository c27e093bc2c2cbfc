//! Files opened relative to their open directory.
//!
//! A tree's files are read in path order, a directory's files one after
//! another: each is opened by its name under its directory, open already,
//! rather than by its whole path, which the kernel would look up component
//! by component for every file (a sixth of the kernel's time in a snapshot
//! of 100,000 files went there).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rustix::fs::{Mode, OFlags};

/// Directories opened for reading the files in them: a few, the last ones
/// used (one for each thread reading files), closed when this is dropped.
#[derive(Default)]
pub(super) struct OpenDirs {
    open: Mutex<Vec<OpenDir>>,
}

struct OpenDir {
    path: PathBuf,
    fd: rustix::fd::OwnedFd,
}

/// Directories kept open at most.
const KEPT: usize = 8;

impl OpenDirs {
    /// Opens `path` for reading, by its name under its directory when
    /// that can be opened, else by its whole path. Errors are those of
    /// [`File::open`].
    pub(super) fn open(&self, path: &Path) -> io::Result<File> {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return File::open(path);
        };
        if dir.as_os_str().is_empty() {
            return File::open(path);
        }
        let Some(open_dir) = self.take(dir) else {
            return File::open(path);
        };
        let file = rustix::fs::openat(
            &open_dir.fd,
            name,
            OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        );
        self.give_back(open_dir);
        match file {
            Ok(fd) => Ok(File::from(fd)),
            Err(e) => Err(io::Error::from(e)),
        }
    }

    /// The open directory `dir`, taken from those kept or opened.
    fn take(&self, dir: &Path) -> Option<OpenDir> {
        if let Ok(mut open) = self.open.lock()
            && let Some(at) = open.iter().rposition(|d| d.path == dir)
        {
            return Some(open.swap_remove(at));
        }
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::PATH;
        let fd = rustix::fs::open(dir, flags, Mode::empty()).ok()?;
        Some(OpenDir {
            path: dir.to_path_buf(),
            fd,
        })
    }

    /// Keeps `dir` open for the next files, closing the least recently
    /// used when too many are.
    fn give_back(&self, dir: OpenDir) {
        if let Ok(mut open) = self.open.lock() {
            if open.len() >= KEPT {
                open.remove(0);
            }
            open.push(dir);
        }
    }
}

impl Clone for OpenDirs {
    /// A clone opens directories of its own.
    fn clone(&self) -> OpenDirs {
        OpenDirs::default()
    }
}

impl std::fmt::Debug for OpenDirs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let open = self.open.lock().map_or(0, |o| o.len());
        f.debug_struct("OpenDirs").field("open", &open).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn files_open_under_their_directories_with_the_errors_of_a_whole_path() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = OpenDirs::default();
        for d in 0..KEPT + 3 {
            let sub = dir.path().join(format!("d{d}"));
            std::fs::create_dir(&sub).unwrap();
            for f in 0..3 {
                std::fs::write(sub.join(format!("f{f}")), format!("{d}/{f}")).unwrap();
            }
        }
        // Every file twice, directories taken back and forth: each opens
        // to its own content, and no more directories stay open than kept.
        for _ in 0..2 {
            for d in (0..KEPT + 3).rev().chain(0..KEPT + 3) {
                for f in 0..3 {
                    let mut text = String::new();
                    let path = dir.path().join(format!("d{d}/f{f}"));
                    dirs.open(&path).unwrap().read_to_string(&mut text).unwrap();
                    assert_eq!(text, format!("{d}/{f}"));
                }
            }
        }
        assert_eq!(dirs.open.lock().unwrap().len(), KEPT);
        // A missing file, a missing directory, and a directory opened as a
        // file: the errors the whole path gives.
        for missing in ["d0/nope", "nope/f0", "d1"] {
            let path = dir.path().join(missing);
            let ours = dirs.open(&path).and_then(|mut f| f.read(&mut [0; 8]));
            let std = File::open(&path).and_then(|mut f| f.read(&mut [0; 8]));
            assert_eq!(
                ours.map_err(|e| e.to_string()),
                std.map_err(|e| e.to_string()),
                "{missing}"
            );
        }
        // A relative path with no directory, and a file renamed away
        // while its directory is open.
        assert!(dirs.open(Path::new("no-such-file-here")).is_err());
        std::fs::rename(dir.path().join("d2/f0"), dir.path().join("d2/g0")).unwrap();
        let err = dirs.open(&dir.path().join("d2/f0")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }
}
