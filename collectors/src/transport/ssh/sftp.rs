//! Reads over SFTP: files (size checked before reading), metadata,
//! listings, and walks (one SFTP session; a listing carries each entry's
//! attributes, so a walk needs no `stat` per file).

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use ssh2::{FileStat, FileType, Sftp};

use super::errors::{self, Context};
use crate::transport::{
    AllowedCommand, CommandOutput, DirEntry, FileKind, FileMeta, Transport, TransportError, Tunnel,
    Walk, WalkOptions,
};

/// Outcome of an operation: its result, and whether the connection must be
/// dropped (it broke or timed out).
pub(crate) struct Outcome<T> {
    pub result: Result<T, TransportError>,
    pub fatal: bool,
    /// The connection was lost (not timed out): worth one retry.
    pub lost: bool,
}

impl<T> Outcome<T> {
    fn ok(value: T) -> Outcome<T> {
        Outcome {
            result: Ok(value),
            fatal: false,
            lost: false,
        }
    }

    fn from_ssh(e: &ssh2::Error, error: TransportError) -> Outcome<T> {
        Outcome {
            result: Err(error),
            fatal: errors::is_fatal(e),
            lost: errors::is_lost(e),
        }
    }

    /// An error that is not the connection's fault.
    fn err(error: TransportError) -> Outcome<T> {
        Outcome {
            result: Err(error),
            fatal: false,
            lost: false,
        }
    }
}

pub(crate) fn meta_of(st: &FileStat) -> FileMeta {
    let kind = match st.perm.map(|_| st.file_type()) {
        Some(FileType::RegularFile) => FileKind::File,
        Some(FileType::Directory) => FileKind::Dir,
        Some(FileType::Symlink) => FileKind::Symlink,
        _ => FileKind::Other,
    };
    FileMeta {
        kind,
        size: st.size.unwrap_or(0),
        mode: st.perm.map(|p| p & 0o7777),
    }
}

/// Reads a whole file, refusing it when its size is over `limit` (checked
/// with `fstat` before any byte is read).
pub(crate) fn read_file(
    sftp: &Sftp,
    path: &Path,
    limit: u64,
    ctx: &Context<'_>,
) -> Outcome<Vec<u8>> {
    let mut file = match sftp.open(path) {
        Ok(f) => f,
        Err(e) => return Outcome::from_ssh(&e, ctx.path_error(&e, path, "opening")),
    };
    let st = match file.stat() {
        Ok(s) => s,
        Err(e) => return Outcome::from_ssh(&e, ctx.path_error(&e, path, "reading")),
    };
    if st.perm.is_some() && st.file_type() == FileType::Directory {
        return Outcome::err(TransportError::Io {
            path: path.to_path_buf(),
            message: "is a directory".into(),
        });
    }
    let size = st.size.unwrap_or(0);
    if size > limit {
        return Outcome::err(TransportError::TooLarge {
            path: path.to_path_buf(),
            size,
            limit,
        });
    }
    let read = if size > 0 {
        // The size is known: read exactly that much, which saves the round
        // trip of a read that only reports the end of the file.
        read_exact_or_eof(&mut file, size)
    } else {
        // `/proc` files report size 0: read to the end, up to the limit and
        // one more byte to tell a file that grew past it.
        let mut buf = Vec::new();
        (&mut file)
            .take(limit + 1)
            .read_to_end(&mut buf)
            .map(|_| buf)
    };
    match read {
        Ok(buf) if buf.len() as u64 > limit => Outcome::err(TransportError::TooLarge {
            path: path.to_path_buf(),
            size: buf.len() as u64,
            limit,
        }),
        Ok(buf) => Outcome::ok(buf),
        Err(e) => {
            // libssh2's code is lost in `io::Error`: a failed read of an
            // open file means the connection is not trustworthy any more.
            let error = if e.kind() == std::io::ErrorKind::TimedOut {
                ctx.timeout_error(format!("reading `{}`", path.display()))
            } else {
                TransportError::Io {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                }
            };
            Outcome {
                result: Err(error),
                fatal: true,
                lost: e.kind() != std::io::ErrorKind::TimedOut,
            }
        }
    }
}

fn read_exact_or_eof(file: &mut ssh2::File, size: u64) -> std::io::Result<Vec<u8>> {
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let mut buf = vec![0u8; size];
    let mut filled = 0;
    while filled < size {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

/// `stat` or `lstat`.
pub(crate) fn metadata(
    sftp: &Sftp,
    path: &Path,
    follow: bool,
    ctx: &Context<'_>,
) -> Outcome<FileMeta> {
    let st = if follow {
        sftp.stat(path)
    } else {
        sftp.lstat(path)
    };
    match st {
        Ok(st) => Outcome::ok(meta_of(&st)),
        Err(e) => Outcome::from_ssh(&e, ctx.path_error(&e, path, "reading the metadata of")),
    }
}

/// One directory's entries with their (not followed) attributes, sorted.
pub(crate) fn read_dir(sftp: &Sftp, path: &Path, ctx: &Context<'_>) -> Outcome<Vec<DirEntry>> {
    match sftp.readdir(path) {
        Ok(entries) => {
            let mut out: Vec<DirEntry> = entries
                .into_iter()
                .filter_map(|(p, st)| {
                    p.file_name().map(|name| DirEntry {
                        name: name.to_os_string(),
                        meta: meta_of(&st),
                    })
                })
                .collect();
            out.sort_by(|a, b| a.name.cmp(&b.name));
            Outcome::ok(out)
        }
        Err(e) => Outcome::from_ssh(&e, ctx.path_error(&e, path, "listing")),
    }
}

/// A walk on one SFTP session, with the same semantics as every other
/// transport's ([`crate::transport::generic_walk`]).
pub(crate) fn walk(
    sftp: &Sftp,
    root: &Path,
    options: &WalkOptions,
    ctx: &Context<'_>,
) -> Outcome<Walk> {
    let held = Held {
        sftp,
        ctx: *ctx,
        fatal: AtomicBool::new(false),
        lost: AtomicBool::new(false),
    };
    let result = crate::transport::generic_walk(&held, root, options);
    Outcome {
        result,
        fatal: held.fatal.load(Ordering::Relaxed),
        lost: held.lost.load(Ordering::Relaxed),
    }
}

/// One leased SFTP session seen as a transport, for the generic walk.
struct Held<'a> {
    sftp: &'a Sftp,
    ctx: Context<'a>,
    fatal: AtomicBool,
    lost: AtomicBool,
}

impl std::fmt::Debug for Held<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Held")
            .field("target", &self.ctx.target)
            .finish()
    }
}

impl Held<'_> {
    fn note<T>(&self, o: Outcome<T>) -> Result<T, TransportError> {
        if o.fatal {
            self.fatal.store(true, Ordering::Relaxed);
        }
        if o.lost {
            self.lost.store(true, Ordering::Relaxed);
        }
        o.result
    }

    fn broken(&self) -> Result<(), TransportError> {
        // Once the connection broke, every further call would fail the
        // same way: stop early with one error.
        if self.fatal.load(Ordering::Relaxed) {
            return Err(TransportError::Connect {
                target: self.ctx.target.to_owned(),
                message: "the connection broke during the walk".into(),
            });
        }
        Ok(())
    }
}

impl Transport for Held<'_> {
    fn target(&self) -> &str {
        self.ctx.target
    }

    fn read_file(&self, path: &Path, limit: u64) -> Result<Vec<u8>, TransportError> {
        self.broken()?;
        self.note(read_file(self.sftp, path, limit, &self.ctx))
    }

    fn metadata(&self, path: &Path, follow_symlinks: bool) -> Result<FileMeta, TransportError> {
        self.broken()?;
        self.note(metadata(self.sftp, path, follow_symlinks, &self.ctx))
    }

    fn read_dir(&self, path: &Path) -> Result<Vec<DirEntry>, TransportError> {
        self.broken()?;
        self.note(read_dir(self.sftp, path, &self.ctx))
    }

    fn run(&self, command: &AllowedCommand) -> Result<CommandOutput, TransportError> {
        Err(TransportError::Unsupported(format!(
            "`{command}` cannot run during a walk"
        )))
    }

    fn open_tunnel(&self, host: &str, port: u16) -> Result<Tunnel, TransportError> {
        Err(TransportError::Unsupported(format!(
            "no tunnel to `{host}:{port}` during a walk"
        )))
    }
}
