//! Transports: how collectors reach a target, locally or over SSH.
//!
//! Collectors are written against [`Transport`] only, so every collector
//! works on the local machine and on a remote host without a second
//! implementation. A transport can read files, list and walk directories,
//! run a command from a fixed allow-list ([`AllowedCommand`]), and open a TCP
//! tunnel to a database reachable from the target.

mod command;
mod error;
mod local;
mod local_walk;
mod open_dirs;
mod special;
#[cfg(feature = "ssh")]
mod ssh;
mod tunnel;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub use command::{AllowedCommand, CommandOutput, Program};
pub use error::TransportError;
pub use local::Local;
#[cfg(feature = "sqlite")]
pub(crate) use special::is_special_path;
/// Entry points for the fuzz targets (`fuzzing` feature; test support only).
#[cfg(all(feature = "ssh", feature = "fuzzing"))]
#[doc(hidden)]
pub use ssh::fuzzing;
#[cfg(feature = "ssh")]
pub use ssh::{IdentityFile, Passphrase, Ssh, SshOptions, SshTarget, SshTargetError};
pub use tunnel::Tunnel;

/// What a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link (not followed).
    Symlink,
    /// A socket, FIFO or device.
    Other,
}

/// Metadata of one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    /// What it is.
    pub kind: FileKind,
    /// Size in bytes.
    pub size: u64,
    /// Unix permission bits (`0o644`), when known.
    pub mode: Option<u32>,
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// The entry's name (may not be UTF-8).
    pub name: OsString,
    /// Its metadata (symlinks not followed).
    pub meta: FileMeta,
}

/// Options of a recursive walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkOptions {
    /// Follow symbolic links (off by default: a link out of the tree would
    /// pull in unrelated files, and loops are possible).
    pub follow_symlinks: bool,
    /// Stop after this many entries; the rest is reported as a limit error.
    pub max_entries: usize,
    /// Do not descend deeper than this.
    pub max_depth: usize,
    /// Read each file's size and mode while walking (the default). When
    /// false, a transport may leave them out — [`FileMeta::size`] 0 and
    /// [`FileMeta::mode`] `None`; the kind is always known — for a caller
    /// that reads the files with [`Transport::read_walked`], which gives
    /// them as of the read: one system call fewer per file locally, and
    /// size and mode that match the bytes read.
    pub file_metadata: bool,
}

impl Default for WalkOptions {
    fn default() -> WalkOptions {
        WalkOptions {
            follow_symlinks: false,
            max_entries: 2_000_000,
            max_depth: 64,
            file_metadata: true,
        }
    }
}

/// One file found by a walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkEntry {
    /// The full path on the target, to read the file with.
    pub path: PathBuf,
    /// The path relative to the walk's root, `/`-separated.
    pub rel_path: PathBuf,
    /// Its metadata. Symlinks that are not followed are reported as
    /// [`FileKind::Symlink`].
    pub meta: FileMeta,
}

/// A file read whole, with its metadata as of the read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFile {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its metadata.
    pub meta: FileMeta,
}

/// The result of a walk: the files found, sorted by relative path, and the
/// parts that could not be read.
#[derive(Debug, Default)]
pub struct Walk {
    /// Files (and unfollowed symlinks), sorted by relative path.
    pub entries: Vec<WalkEntry>,
    /// Directories or entries that could not be read, and limits hit.
    pub errors: Vec<TransportError>,
}

/// How collectors reach a target.
///
/// Implementations must be read-only: nothing reached through a transport is
/// ever written, and [`Transport::run`] runs nothing but an
/// [`AllowedCommand`].
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// The target's id as recorded in manifests: `local`, or
    /// `ssh://user@host:port`. Never holds a password.
    fn target(&self) -> &str;

    /// Reads a whole file, refusing files larger than `limit` bytes with
    /// [`TransportError::TooLarge`].
    fn read_file(&self, path: &Path, limit: u64) -> Result<Vec<u8>, TransportError>;

    /// Reads a file that a drift.toml or a flag names as a source (a dotenv
    /// file, a pid file), refusing files larger than `limit` bytes: only a
    /// regular file is read, never a FIFO, socket or device (a FIFO would
    /// hang the read), nor a file under `/proc`, `/sys` or `/dev` once
    /// symbolic links are resolved (`/proc/self/environ` holds the whole
    /// environment of the run): those are read only by the sources made for
    /// them (`process_env`, `process_env_of`, host facts), with
    /// [`Transport::read_file`]. Refusals are [`TransportError::Special`].
    ///
    /// The default checks the kind with [`Transport::metadata`] and
    /// resolves the links it can with [`Transport::read_link`] before
    /// reading; a transport that can resolve a path itself (`realpath`)
    /// and check the open file does that instead.
    fn read_source_file(&self, path: &Path, limit: u64) -> Result<Vec<u8>, TransportError> {
        special::check_source(self, path)?;
        self.read_file(path, limit)
    }

    /// Reads a file a walk found, whole, refusing files larger than
    /// `limit` bytes with [`TransportError::TooLarge`]; its metadata comes
    /// with it. The default gives the walk's metadata, or asks
    /// [`Transport::metadata`] when the walk left it out (see
    /// [`WalkOptions::file_metadata`]), refuses a file too large unread,
    /// and reads it with [`Transport::read_file`]. A transport that can ask
    /// an open file for its metadata does that instead.
    fn read_walked(&self, entry: &WalkEntry, limit: u64) -> Result<ReadFile, TransportError> {
        let meta = if entry.meta.mode.is_none() {
            self.metadata(&entry.path, false)?
        } else {
            entry.meta.clone()
        };
        if meta.size > limit {
            return Err(TransportError::TooLarge {
                path: entry.path.clone(),
                size: meta.size,
                limit,
            });
        }
        Ok(ReadFile {
            bytes: self.read_file(&entry.path, limit)?,
            meta,
        })
    }

    /// The metadata of a path; a final symlink is followed only when
    /// `follow_symlinks` is true (`stat` rather than `lstat`).
    fn metadata(&self, path: &Path, follow_symlinks: bool) -> Result<FileMeta, TransportError>;

    /// The target of a symbolic link, as written in the link (not
    /// resolved). Transports that cannot read links say so.
    fn read_link(&self, path: &Path) -> Result<PathBuf, TransportError> {
        Err(TransportError::Unsupported(format!(
            "this transport cannot read the symbolic link `{}`",
            path.display()
        )))
    }

    /// Lists one directory, sorted by name.
    fn read_dir(&self, path: &Path) -> Result<Vec<DirEntry>, TransportError>;

    /// Walks a directory tree and returns its files sorted by relative path.
    /// The default implementation walks with [`Transport::read_dir`].
    fn walk(&self, root: &Path, options: &WalkOptions) -> Result<Walk, TransportError> {
        generic_walk(self, root, options)
    }

    /// Runs an allow-listed, read-only command.
    fn run(&self, command: &AllowedCommand) -> Result<CommandOutput, TransportError>;

    /// Opens a TCP path to `host:port` as seen from the target. Locally this
    /// is a direct connection; over SSH a forwarded local port.
    fn open_tunnel(&self, host: &str, port: u16) -> Result<Tunnel, TransportError>;

    /// How many reads are worth issuing at once (local disks: many; one SSH
    /// session: a few).
    fn parallelism(&self) -> usize {
        1
    }
}

/// A walk built on `read_dir` and `metadata`, for transports without a
/// faster way. Depth-first, sorted, symlinks followed only when asked (with
/// loop protection by depth).
pub fn generic_walk<T: Transport + ?Sized>(
    transport: &T,
    root: &Path,
    options: &WalkOptions,
) -> Result<Walk, TransportError> {
    // The root itself is always followed: `--config-dir /etc/app` may be a link.
    let root_meta = transport.metadata(root, true)?;
    let mut walk = Walk::default();
    if root_meta.kind != FileKind::Dir {
        return Err(TransportError::NotADirectory {
            path: root.to_path_buf(),
        });
    }
    let mut stack: Vec<(PathBuf, PathBuf, usize)> = vec![(root.to_path_buf(), PathBuf::new(), 0)];
    // Directories listed: bounded like files, whatever the links lead to.
    let mut listed = 0;
    while let Some((dir, rel, depth)) = stack.pop() {
        if listed >= options.max_entries {
            walk.errors.push(TransportError::Limit {
                path: root.to_path_buf(),
                message: format!(
                    "more than {} directories; the rest was not walked",
                    options.max_entries
                ),
            });
            return Ok(finish_walk(walk));
        }
        listed += 1;
        let listing = match transport.read_dir(&dir) {
            Ok(l) => l,
            Err(e) => {
                walk.errors.push(e);
                continue;
            }
        };
        let mut subdirs = Vec::new();
        for entry in listing {
            let path = dir.join(&entry.name);
            let rel_path = rel.join(&entry.name);
            let mut meta = entry.meta;
            if meta.kind == FileKind::Symlink && options.follow_symlinks {
                match transport.metadata(&path, true) {
                    Ok(m) => meta = m,
                    Err(e) => {
                        walk.errors.push(e);
                        continue;
                    }
                }
            }
            match meta.kind {
                FileKind::Dir => {
                    if depth + 1 > options.max_depth {
                        walk.errors.push(TransportError::Limit {
                            path: path.clone(),
                            message: format!(
                                "deeper than {} levels; not walked",
                                options.max_depth
                            ),
                        });
                    } else {
                        subdirs.push((path, rel_path, depth + 1));
                    }
                }
                FileKind::File | FileKind::Symlink => {
                    if walk.entries.len() >= options.max_entries {
                        walk.errors
                            .push(TransportError::too_many_files(root, options.max_entries));
                        return Ok(finish_walk(walk));
                    }
                    walk.entries.push(WalkEntry {
                        path,
                        rel_path,
                        meta,
                    });
                }
                FileKind::Other => {}
            }
        }
        // Reverse so that the stack pops in name order.
        subdirs.reverse();
        stack.extend(subdirs);
    }
    Ok(finish_walk(walk))
}

fn finish_walk(mut walk: Walk) -> Walk {
    walk.entries.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    walk
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generic_walk_lists_at_most_max_entries_directories() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b/c/d")).unwrap();
        let options = WalkOptions {
            max_entries: 3,
            ..WalkOptions::default()
        };
        let walk = generic_walk(&Local::new(), dir.path(), &options).unwrap();
        let errors: Vec<String> = walk.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [format!(
                "`{}`: more than 3 directories; the rest was not walked",
                dir.path().display()
            )]
        );
    }
}
