//! The local machine as a target.

use std::fs;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::open_dirs::OpenDirs;
use super::{
    AllowedCommand, CommandOutput, DirEntry, FileKind, FileMeta, ReadFile, Transport,
    TransportError, Tunnel, Walk, WalkEntry, WalkOptions,
};

/// Reads the local filesystem and runs allow-listed commands locally.
///
/// The files of a walk are opened by name under their directory: a few of
/// those directories (one per thread reading) stay open until the next
/// ones are needed or the transport is dropped.
#[derive(Debug, Clone)]
pub struct Local {
    command_timeout: Duration,
    /// The directories of the files of a walk being read.
    dirs: OpenDirs,
}

impl Default for Local {
    fn default() -> Local {
        Local {
            command_timeout: Duration::from_secs(10),
            dirs: OpenDirs::default(),
        }
    }
}

impl Local {
    /// A local transport with a 10 s command timeout.
    pub fn new() -> Local {
        Local::default()
    }

    /// Sets the timeout of allow-listed commands.
    pub fn command_timeout(mut self, timeout: Duration) -> Local {
        self.command_timeout = timeout;
        self
    }
}

/// Most output an allow-listed command may print (an `rpm -qa` of a large
/// host is a few MiB).
const MAX_COMMAND_OUTPUT: u64 = 64 << 20;

pub(super) fn meta_of(m: &fs::Metadata) -> FileMeta {
    let ft = m.file_type();
    let kind = if ft.is_file() {
        FileKind::File
    } else if ft.is_dir() {
        FileKind::Dir
    } else if ft.is_symlink() {
        FileKind::Symlink
    } else {
        FileKind::Other
    };
    FileMeta {
        kind,
        size: m.len(),
        mode: Some(m.permissions().mode() & 0o7777),
    }
}

/// What a file of another kind than regular or directory is, in errors.
fn special_kind(ft: fs::FileType) -> &'static str {
    if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_char_device() || ft.is_block_device() {
        "a device"
    } else if ft.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Opens `path` for reading without waiting: a FIFO without a writer opens
/// at once (to be refused by its kind) instead of blocking forever, and a
/// terminal does not become the controlling one.
fn open_nonblocking(path: &Path) -> std::io::Result<fs::File> {
    let flags = rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits() as i32)
        .open(path)
}

/// Reads `path` whole with the open file's metadata (no second path
/// lookup, and the size and mode of what is read, even if the file changed
/// since it was listed), refusing files larger than `limit` bytes and
/// anything but a regular file (a FIFO, socket or device never ends, or
/// never starts).
fn read_with_meta(
    path: &Path,
    limit: u64,
    dirs: Option<&OpenDirs>,
) -> Result<ReadFile, TransportError> {
    let io_err = |e: std::io::Error| TransportError::from_io(path, &e);
    let file = match dirs {
        Some(dirs) => dirs.open(path),
        None => open_nonblocking(path),
    }
    .map_err(io_err)?;
    let m = file.metadata().map_err(io_err)?;
    if !m.file_type().is_file() {
        return Err(super::special::not_regular(
            path,
            special_kind(m.file_type()),
        ));
    }
    let meta = meta_of(&m);
    if meta.size > limit {
        return Err(TransportError::TooLarge {
            path: path.to_path_buf(),
            size: meta.size,
            limit,
        });
    }
    let bytes = read_up_to(file, path, meta.size, limit)?;
    Ok(ReadFile { bytes, meta })
}

/// Reads `file` whole into a buffer sized for `size` bytes, refusing more
/// than `limit` bytes.
fn read_up_to(
    mut file: fs::File,
    path: &Path,
    size: u64,
    limit: u64,
) -> Result<Vec<u8>, TransportError> {
    let io_err = |e: std::io::Error| TransportError::from_io(path, &e);
    // One byte more than expected, so that the read that finds the end
    // needs no larger buffer.
    let want = size.min(limit) as usize + 1;
    let mut buf = Vec::with_capacity(want);
    if size > 0 && size <= limit {
        // A file that still has the size it was listed with fills one read
        // with a byte to spare: the short read is its end, and the read
        // that would return nothing is saved (one per file of a tree).
        buf.resize(want, 0);
        let n = loop {
            match file.read(&mut buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other.map_err(io_err)?,
            }
        };
        buf.truncate(n);
        if n as u64 == size {
            return Ok(buf);
        }
    }
    // Files in /proc report size 0: read up to the limit, and one more
    // byte to tell a file that grew past it.
    let read = buf.len() as u64;
    file.take(limit + 1 - read.min(limit + 1))
        .read_to_end(&mut buf)
        .map_err(io_err)?;
    if buf.len() as u64 > limit {
        return Err(TransportError::TooLarge {
            path: path.to_path_buf(),
            size: buf.len() as u64,
            limit,
        });
    }
    Ok(buf)
}

/// A sorted `walkdir` walk, for walks that follow links (`walkdir` guards
/// against loops).
fn walkdir_walk(root: &Path, options: &WalkOptions) -> Walk {
    let mut walk = Walk::default();
    let mut walker = walkdir::WalkDir::new(root)
        .follow_links(options.follow_symlinks)
        .follow_root_links(true)
        .max_depth(options.max_depth)
        .sort_by_file_name()
        .into_iter();
    while let Some(item) = walker.next() {
        let entry = match item {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map_or_else(|| root.to_path_buf(), Path::to_path_buf);
                let err = match e.io_error() {
                    Some(io) => TransportError::from_io(&path, io),
                    None => TransportError::Io {
                        path,
                        message: e.to_string(),
                    },
                };
                walk.errors.push(err);
                continue;
            }
        };
        let ft = entry.file_type();
        // A followed link may lead into /proc, /sys or /dev: never walked.
        if entry.path_is_symlink()
            && let Some(special) = special_target(entry.path())
        {
            walk.errors.push(special);
            if ft.is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        if ft.is_dir() {
            continue;
        }
        if !(ft.is_file() || ft.is_symlink()) {
            continue;
        }
        if walk.entries.len() >= options.max_entries {
            walk.errors
                .push(TransportError::too_many_files(root, options.max_entries));
            break;
        }
        let meta = match entry.metadata() {
            Ok(m) => meta_of(&m),
            Err(e) => {
                let path = entry.path().to_path_buf();
                walk.errors.push(match e.io_error() {
                    Some(io) => TransportError::from_io(&path, io),
                    None => TransportError::Io {
                        path,
                        message: e.to_string(),
                    },
                });
                continue;
            }
        };
        let rel_path = entry
            .path()
            .strip_prefix(root)
            .map_or_else(|_| PathBuf::from(entry.file_name()), Path::to_path_buf);
        walk.entries.push(WalkEntry {
            path: entry.into_path(),
            rel_path,
            meta,
        });
    }
    walk.entries.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    walk
}

/// The refusal of a path that resolves under `/proc`, `/sys` or `/dev`.
fn special_target(path: &Path) -> Option<TransportError> {
    let resolved = fs::canonicalize(path).ok()?;
    let root = super::special::is_special_path(&resolved)?;
    Some(super::special::under_special(path, root))
}

impl Transport for Local {
    fn target(&self) -> &str {
        "local"
    }

    fn read_file(&self, path: &Path, limit: u64) -> Result<Vec<u8>, TransportError> {
        read_with_meta(path, limit, None).map(|r| r.bytes)
    }

    fn read_source_file(&self, path: &Path, limit: u64) -> Result<Vec<u8>, TransportError> {
        // The kind first, so that nothing special is even opened; the
        // open file is checked again (it may have been swapped since).
        let m = fs::metadata(path).map_err(|e| TransportError::from_io(path, &e))?;
        if !m.file_type().is_file() {
            return Err(super::special::not_regular(
                path,
                special_kind(m.file_type()),
            ));
        }
        if let Some(e) = special_target(path) {
            return Err(e);
        }
        read_with_meta(path, limit, None).map(|r| r.bytes)
    }

    fn read_walked(&self, entry: &WalkEntry, limit: u64) -> Result<ReadFile, TransportError> {
        // The files of a walk come a directory after another.
        read_with_meta(&entry.path, limit, Some(&self.dirs))
    }

    fn metadata(&self, path: &Path, follow_symlinks: bool) -> Result<FileMeta, TransportError> {
        let m = if follow_symlinks {
            fs::metadata(path)
        } else {
            fs::symlink_metadata(path)
        };
        m.map(|m| meta_of(&m))
            .map_err(|e| TransportError::from_io(path, &e))
    }

    fn read_link(&self, path: &Path) -> Result<PathBuf, TransportError> {
        fs::read_link(path).map_err(|e| TransportError::from_io(path, &e))
    }

    fn read_dir(&self, path: &Path) -> Result<Vec<DirEntry>, TransportError> {
        let rd = fs::read_dir(path).map_err(|e| TransportError::from_io(path, &e))?;
        let mut out = Vec::new();
        for entry in rd {
            let entry = entry.map_err(|e| TransportError::from_io(path, &e))?;
            let meta = entry
                .metadata()
                .map_err(|e| TransportError::from_io(&entry.path(), &e))?;
            out.push(DirEntry {
                name: entry.file_name(),
                meta: meta_of(&meta),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn walk(&self, root: &Path, options: &WalkOptions) -> Result<Walk, TransportError> {
        let root_meta = fs::metadata(root).map_err(|e| TransportError::from_io(root, &e))?;
        if !root_meta.is_dir() {
            return Err(TransportError::NotADirectory {
                path: root.to_path_buf(),
            });
        }
        if let Some(e) = special_target(root) {
            return Err(e);
        }
        if options.follow_symlinks {
            Ok(walkdir_walk(root, options))
        } else {
            Ok(super::local_walk::walk(root, options))
        }
    }

    fn run(&self, command: &AllowedCommand) -> Result<CommandOutput, TransportError> {
        let argv = command.argv();
        let fail = |message: String| TransportError::Command {
            command: command.command_line(),
            message,
        };
        let mut child = Command::new(argv[0])
            .args(&argv[1..])
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => fail("not installed (not found on PATH)".into()),
                _ => fail(e.to_string()),
            })?;
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let read_all = |pipe: Option<std::process::ChildStdout>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(p) = pipe {
                    let _ = p.take(MAX_COMMAND_OUTPUT).read_to_end(&mut buf);
                }
                buf
            })
        };
        let out_thread = read_all(stdout);
        let err_thread = std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(p) = stderr {
                let _ = p.take(MAX_COMMAND_OUTPUT).read_to_end(&mut buf);
            }
            buf
        });
        let deadline = Instant::now() + self.command_timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(TransportError::Timeout {
                        target: "local".into(),
                        operation: format!("`{}`", command.command_line()),
                        seconds: self.command_timeout.as_secs(),
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => return Err(fail(e.to_string())),
            }
        };
        let stdout = out_thread.join().unwrap_or_default();
        let stderr = err_thread.join().unwrap_or_default();
        Ok(CommandOutput {
            status: status.code().unwrap_or(-1),
            stdout,
            stderr,
        })
    }

    fn open_tunnel(&self, host: &str, port: u16) -> Result<Tunnel, TransportError> {
        Ok(Tunnel::direct(host, port))
    }

    fn parallelism(&self) -> usize {
        rayon::current_num_threads().max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Program;

    #[test]
    fn a_walked_file_is_read_whole_whatever_its_listed_size() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        fs::write(&p, "hello world").unwrap();
        let read = |size| read_up_to(fs::File::open(&p).unwrap(), &p, size, 100);
        // As listed; grown since (listed smaller); shrunk since (listed
        // larger); listed as empty, as /proc files are.
        for size in [11, 5, 40, 0] {
            assert_eq!(read(size).unwrap(), b"hello world", "listed as {size}");
        }
        let over = read_up_to(fs::File::open(&p).unwrap(), &p, 5, 8);
        assert!(matches!(
            over,
            Err(TransportError::TooLarge { limit: 8, .. })
        ));
    }

    #[test]
    fn reads_files_with_a_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        fs::write(&p, "hello").unwrap();
        let t = Local::new();
        assert_eq!(t.read_file(&p, 5).unwrap(), b"hello");
        assert!(matches!(
            t.read_file(&p, 4),
            Err(TransportError::TooLarge { size: 5, .. })
        ));
        assert!(matches!(
            t.read_file(&dir.path().join("nope"), 4),
            Err(TransportError::NotFound { .. })
        ));
    }

    #[test]
    fn walks_sorted_without_following_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("b/c")).unwrap();
        fs::write(dir.path().join("b/c/z.yaml"), "a: 1").unwrap();
        fs::write(dir.path().join("a.json"), "{}").unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret.txt"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        let walk = Local::new()
            .walk(dir.path(), &WalkOptions::default())
            .unwrap();
        let rels: Vec<String> = walk
            .entries
            .iter()
            .map(|e| e.rel_path.display().to_string())
            .collect();
        assert_eq!(rels, ["a.json", "b/c/z.yaml", "link"]);
        assert_eq!(walk.entries[2].meta.kind, FileKind::Symlink);
        assert!(walk.errors.is_empty());
    }

    #[test]
    fn the_parallel_walk_is_the_walkdir_walk() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["a/b/c/d", "a.d", "B", "été", "z/y"] {
            fs::create_dir_all(root.join(d)).unwrap();
        }
        for f in [
            "a/x",
            "a/b/y",
            "a/b/c/z",
            "a/b/c/d/w",
            "a.txt",
            "a-b",
            "a.d/1",
            "B/2",
            "été/3",
            "z/y/4",
            "z/5",
            "_",
        ] {
            fs::write(root.join(f), f).unwrap();
        }
        fs::write(root.join(std::ffi::OsStr::from_bytes(b"bad\xff")), "x").unwrap();
        std::os::unix::fs::symlink(root.join("a"), root.join("link-dir")).unwrap();
        std::os::unix::fs::symlink(root.join("a.txt"), root.join("z/link-file")).unwrap();
        std::os::unix::fs::symlink(root.join("nowhere"), root.join("dangling")).unwrap();
        let _socket = std::os::unix::net::UnixListener::bind(root.join("a/socket")).unwrap();
        for max_depth in [0, 1, 2, 3, 4, 64] {
            for max_entries in [0, 1, 5, 12, 100] {
                let options = WalkOptions {
                    max_depth,
                    max_entries,
                    ..WalkOptions::default()
                };
                let fast = crate::transport::local_walk::walk(root, &options);
                let slow = walkdir_walk(root, &options);
                assert_eq!(fast.entries, slow.entries, "{options:?}");
                assert_eq!(
                    format!("{:?}", fast.errors),
                    format!("{:?}", slow.errors),
                    "{options:?}"
                );
            }
        }
        let all = Local::new().walk(root, &WalkOptions::default()).unwrap();
        assert_eq!(all.entries.len(), 16);
        assert!(all.errors.is_empty());
        // Without metadata: the same files and kinds; a read gives the
        // size and mode the walk would have.
        let bare = Local::new()
            .walk(
                root,
                &WalkOptions {
                    file_metadata: false,
                    ..WalkOptions::default()
                },
            )
            .unwrap();
        assert_eq!(bare.entries.len(), all.entries.len());
        for (b, a) in bare.entries.iter().zip(&all.entries) {
            assert_eq!(
                (&b.path, &b.rel_path, b.meta.kind),
                (&a.path, &a.rel_path, a.meta.kind)
            );
            assert_eq!((b.meta.size, b.meta.mode), (0, None), "{b:?}");
            if a.meta.kind == FileKind::File {
                let read = Local::new().read_walked(b, 1 << 20).unwrap();
                assert_eq!(read.meta, a.meta);
                assert_eq!(read.bytes, fs::read(&a.path).unwrap());
            }
        }
    }

    #[test]
    fn a_walked_file_is_read_with_its_metadata_and_refused_when_too_large() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.yaml");
        fs::write(&path, "a: 1\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let options = WalkOptions {
            file_metadata: false,
            ..WalkOptions::default()
        };
        let walk = Local::new().walk(dir.path(), &options).unwrap();
        let read = Local::new().read_walked(&walk.entries[0], 5).unwrap();
        assert_eq!(read.bytes, b"a: 1\n");
        assert_eq!(read.meta.size, 5);
        assert_eq!(read.meta.mode, Some(0o600));
        let err = Local::new().read_walked(&walk.entries[0], 4).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "`{}` is 5 bytes, over the 4-byte limit; it was not read (raise `max_file_size` to read it)",
                path.display()
            )
        );
    }

    #[test]
    fn special_files_are_refused_without_hanging() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.env");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let t = Local::new();
        // Without a writer, an open that waits would never return.
        for read in [
            t.read_file(&fifo, 100).map(|_| ()),
            t.read_source_file(&fifo, 100).map(|_| ()),
        ] {
            let e = read.unwrap_err();
            assert!(matches!(e, TransportError::Special { .. }), "{e}");
            assert!(e.to_string().contains("a FIFO"), "{e}");
        }
        let e = t.read_source_file(Path::new("/dev/null"), 100).unwrap_err();
        assert!(e.to_string().contains("a device"), "{e}");
        let e = t.read_source_file(dir.path(), 100).unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
    }

    #[test]
    fn files_under_proc_are_refused_as_sources_even_through_links() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join(".env");
        std::os::unix::fs::symlink("/proc/self/environ", &link).unwrap();
        let t = Local::new();
        for p in [Path::new("/proc/self/environ"), &link] {
            let e = t.read_source_file(p, 1 << 20).unwrap_err();
            assert!(e.to_string().contains("under /proc"), "{e}");
            assert!(e.to_string().contains("process_env"), "{e}");
        }
        // Read as what it is made for, it is read.
        assert!(
            t.read_file(Path::new("/proc/self/environ"), 1 << 20)
                .is_ok()
        );
        let e = t
            .walk(Path::new("/proc/self"), &WalkOptions::default())
            .unwrap_err();
        assert!(e.to_string().contains("under /proc"), "{e}");
        // A followed link into /proc inside a walked tree is not walked.
        std::os::unix::fs::symlink("/proc/self", dir.path().join("p")).unwrap();
        let options = WalkOptions {
            follow_symlinks: true,
            ..WalkOptions::default()
        };
        let walk = t.walk(dir.path(), &options).unwrap();
        assert!(walk.entries.is_empty(), "{:?}", walk.entries);
        assert_eq!(walk.errors.len(), 2, "{:?}", walk.errors);
        let regular = dir.path().join("a.env");
        fs::write(&regular, "A=1\n").unwrap();
        assert_eq!(t.read_source_file(&regular, 100).unwrap(), b"A=1\n");
    }

    #[test]
    fn walk_limits_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..5 {
            fs::write(dir.path().join(format!("{i}.txt")), "x").unwrap();
        }
        let opts = WalkOptions {
            max_entries: 3,
            ..WalkOptions::default()
        };
        let walk = Local::new().walk(dir.path(), &opts).unwrap();
        assert_eq!(walk.entries.len(), 3);
        assert!(matches!(walk.errors[0], TransportError::Limit { .. }));
    }

    #[test]
    fn generic_walk_matches_the_local_walk() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("x/y")).unwrap();
        fs::write(dir.path().join("x/y/1"), "1").unwrap();
        fs::write(dir.path().join("x/2"), "2").unwrap();
        fs::write(dir.path().join("3"), "3").unwrap();
        let t = Local::new();
        let fast = t.walk(dir.path(), &WalkOptions::default()).unwrap();
        let slow = crate::transport::generic_walk(&t, dir.path(), &WalkOptions::default()).unwrap();
        assert_eq!(fast.entries, slow.entries);
    }

    #[test]
    fn missing_programs_are_a_command_error() {
        // `sqlite3` may or may not be installed; `uname` always is.
        let out = Local::new().run(&AllowedCommand::Uname).unwrap();
        assert_eq!(out.status, 0);
        assert!(out.text().starts_with("Linux"));
        let _ = Local::new().run(&AllowedCommand::Version(Program::Sqlite3));
    }
}
