//! Reads over SFTP: files (size checked with `stat` before reading),
//! metadata, listings, and walks (listings carry each entry's attributes,
//! so a walk needs no `stat` per file). Requests are pipelined on one
//! channel by [`client::SftpClient`].
//!
//! The server is not trusted: every operation has a deadline counted from
//! its start ([`Context::timeout`], plus a second per MiB for a file read),
//! a read keeps no more than the limit whatever `stat` claims, a listing
//! holds at most [`MAX_LISTING`] names, and each name must be a single path
//! component, so that nothing outside the path asked for is ever named.

pub(crate) mod client;
// `pub(super)` for the fuzz targets' entry points (`ssh::fuzzing`).
pub(super) mod proto;
mod walk;

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use self::client::{Failure, SftpClient};
use self::proto::{Attrs, FX_NO_SUCH_FILE, FX_PERMISSION_DENIED, Reply, Request, Response};
use super::errors::Context;
use crate::transport::special::{is_special_path, not_regular, under_special};
use crate::transport::{DirEntry, FileKind, FileMeta, TransportError};

pub(crate) use self::walk::walk;

/// Bytes asked for per read request (OpenSSH's sftp-server answers up to
/// 255 KiB; a server that answers less is read on from where it stopped).
const CHUNK: u64 = 64 * 1024;

/// Most names one listing may hold (as a walk's default entry limit).
pub(crate) const MAX_LISTING: usize = 2_000_000;

/// The end of an operation that starts now.
fn deadline(ctx: &Context<'_>) -> Instant {
    Instant::now() + ctx.timeout
}

/// The time a file read of `size` bytes is given: the operation timeout,
/// and one second more per MiB.
fn read_time(ctx: &Context<'_>, size: u64) -> Duration {
    ctx.timeout + Duration::from_secs(size >> 20)
}

fn path_bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_bytes()
}

/// A request that got no reply.
fn failure(f: Failure, path: &Path, what: &str, ctx: &Context<'_>) -> TransportError {
    let doing = format!("{what} `{}`", path.display());
    match f {
        Failure::Timeout => ctx.timeout_error(doing),
        Failure::Lost(m) => TransportError::Connect {
            target: ctx.target.to_owned(),
            message: format!("connection lost while {doing}: {m}"),
        },
        Failure::Protocol(m) => TransportError::Io {
            path: path.to_path_buf(),
            message: format!("{what} failed: {m}; the connection was dropped"),
        },
    }
}

/// A reply that is an error status or not the expected one.
fn reply_error(r: Reply, path: &Path, what: &str) -> TransportError {
    let path_buf = path.to_path_buf();
    match r {
        Reply::Status(FX_NO_SUCH_FILE, _) => TransportError::NotFound { path: path_buf },
        Reply::Status(FX_PERMISSION_DENIED, _) => {
            TransportError::PermissionDenied { path: path_buf }
        }
        Reply::Status(code, msg) => TransportError::Io {
            path: path_buf,
            message: if msg.is_empty() {
                format!("{what} failed with sftp status {code}")
            } else {
                format!("{what} failed: {}", msg.to_lowercase())
            },
        },
        Reply::Malformed(m) => TransportError::Io {
            path: path_buf,
            message: format!("{what} failed: the server sent {m}"),
        },
    }
}

/// Waits for a reply and decodes it with `decode`.
fn expect<T>(
    reply: Result<Response, Failure>,
    decode: impl FnOnce(&Response) -> Result<T, Reply>,
    path: &Path,
    what: &str,
    ctx: &Context<'_>,
) -> Result<T, TransportError> {
    let response = reply.map_err(|f| failure(f, path, what, ctx))?;
    decode(&response).map_err(|r| reply_error(r, path, what))
}

pub(crate) fn meta_of(a: &Attrs) -> FileMeta {
    let kind = match a.perm.map(|p| p & 0o170_000) {
        Some(0o100_000) => FileKind::File,
        Some(0o040_000) => FileKind::Dir,
        Some(0o120_000) => FileKind::Symlink,
        _ => FileKind::Other,
    };
    FileMeta {
        kind,
        size: a.size.unwrap_or(0),
        mode: a.perm.map(|p| p & 0o7777),
    }
}

/// Reads a whole file, refusing it when `stat` says it is over `limit`
/// (`open` and `stat` travel together; the reads and the close too).
pub(crate) fn read_file(
    c: &SftpClient,
    path: &Path,
    limit: u64,
    ctx: &Context<'_>,
) -> Result<Vec<u8>, TransportError> {
    let started = Instant::now();
    let p = path_bytes(path);
    let open = c.send(Request::open(p));
    let stat = c.send(Request::stat(p));
    let opened = open.wait(started + ctx.timeout);
    let handle = expect(opened, Response::handle, path, "opening", ctx)?;
    let result = read_open(c, &handle, stat, path, limit, started, ctx);
    c.send_and_forget(Request::close(&handle));
    result
}

fn read_open(
    c: &SftpClient,
    handle: &[u8],
    stat: client::Pending,
    path: &Path,
    limit: u64,
    started: Instant,
    ctx: &Context<'_>,
) -> Result<Vec<u8>, TransportError> {
    let attrs = expect(
        stat.wait(started + ctx.timeout),
        Response::attrs,
        path,
        "reading",
        ctx,
    )?;
    let meta = meta_of(&attrs);
    if meta.kind == FileKind::Dir {
        return Err(TransportError::Io {
            path: path.to_path_buf(),
            message: "is a directory".into(),
        });
    }
    if meta.size > limit {
        return Err(TransportError::TooLarge {
            path: path.to_path_buf(),
            size: meta.size,
            limit,
        });
    }
    // The whole read, however many requests it takes, within one deadline
    // (the time for `limit` bytes when the size is not known).
    let allowed = read_time(ctx, if meta.size > 0 { meta.size } else { limit });
    let deadline = started + allowed;
    let timed_out = |f: Failure| match f {
        Failure::Timeout => TransportError::Timeout {
            target: ctx.target.to_owned(),
            operation: format!("reading `{}`", path.display()),
            seconds: allowed.as_secs(),
        },
        f => failure(f, path, "reading", ctx),
    };
    let data_of = |reply: Result<Response, Failure>, asked: u64| {
        let response = reply.map_err(timed_out)?;
        response
            .data(asked as u32)
            .map_err(|r| reply_error(r, path, "reading"))
    };
    let mut buf = Vec::with_capacity(usize::try_from(meta.size).unwrap_or(0));
    // The size is known: ask for all of it at once. `/proc` files report
    // size 0 and are read on to the end below.
    let mut offset = 0;
    if meta.size > 0 {
        let pending: Vec<_> = (0..meta.size.div_ceil(CHUNK))
            .map(|i| {
                let len = CHUNK.min(meta.size - i * CHUNK);
                (len, c.send(Request::read(handle, i * CHUNK, len as u32)))
            })
            .collect();
        let mut short = false;
        for (len, p) in pending {
            let data = data_of(p.wait(deadline), len)?;
            if short {
                continue;
            }
            match data {
                Some(d) => {
                    offset += d.len() as u64;
                    short = (d.len() as u64) < len;
                    buf.extend_from_slice(&d);
                }
                None => return Ok(buf),
            }
        }
        if !short {
            return Ok(buf);
        }
    }
    // Read on one chunk at a time, up to the limit and one byte more to
    // tell a file that grew past it.
    loop {
        let data = data_of(
            c.call(Request::read(handle, offset, CHUNK as u32), deadline),
            CHUNK,
        )?;
        let Some(d) = data else {
            return Ok(buf);
        };
        offset += d.len() as u64;
        buf.extend_from_slice(&d);
        if buf.len() as u64 > limit {
            return Err(TransportError::TooLarge {
                path: path.to_path_buf(),
                size: buf.len() as u64,
                limit,
            });
        }
        if d.is_empty() {
            return Ok(buf);
        }
    }
}

/// `stat` or `lstat`.
pub(crate) fn metadata(
    c: &SftpClient,
    path: &Path,
    follow: bool,
    ctx: &Context<'_>,
) -> Result<FileMeta, TransportError> {
    let p = path_bytes(path);
    let request = if follow {
        Request::stat(p)
    } else {
        Request::lstat(p)
    };
    let attrs = expect(
        c.call(request, deadline(ctx)),
        Response::attrs,
        path,
        "reading the metadata of",
        ctx,
    )?;
    Ok(meta_of(&attrs))
}

/// The metadata of `path` with links followed and its real path.
pub(crate) fn followed(
    c: &SftpClient,
    path: &Path,
    ctx: &Context<'_>,
) -> Result<(FileMeta, PathBuf), TransportError> {
    stat_and_real(c, path, ctx).map(|(attrs, real)| (meta_of(&attrs), real))
}

/// What a source file must not be, from its mode, in the local
/// transport's words; `None` for a regular file.
fn not_a_file(perm: Option<u32>) -> Option<&'static str> {
    match perm.map(|p| p & 0o170_000) {
        Some(0o100_000) => None,
        Some(0o040_000) => Some("a directory"),
        Some(0o010_000) => Some("a FIFO"),
        Some(0o140_000) => Some("a socket"),
        Some(0o020_000 | 0o060_000) => Some("a device"),
        _ => Some("not a regular file"),
    }
}

/// Reads a file named as a source (see `Transport::read_source_file`):
/// `stat` and `realpath` first, together, so that a FIFO, socket, device
/// or directory, or a path the server resolves under `/proc`, `/sys` or
/// `/dev`, is refused unopened, with the local transport's errors (an
/// sftp-server that opens a FIFO waits for a writer, and serves nothing
/// else meanwhile). A file swapped in between is bounded by the read's
/// deadline.
pub(crate) fn read_source_file(
    c: &SftpClient,
    path: &Path,
    limit: u64,
    ctx: &Context<'_>,
) -> Result<Vec<u8>, TransportError> {
    let (attrs, real) = stat_and_real(c, path, ctx)?;
    if let Some(what) = not_a_file(attrs.perm) {
        return Err(not_regular(path, what));
    }
    if let Some(root) = is_special_path(&real) {
        return Err(under_special(path, root));
    }
    read_file(c, path, limit, ctx)
}

/// The attributes of `path` with links followed (`stat`) and its real
/// path, every link resolved by the server (`realpath`), asked together.
/// A real path that is not absolute is an error.
fn stat_and_real(
    c: &SftpClient,
    path: &Path,
    ctx: &Context<'_>,
) -> Result<(Attrs, PathBuf), TransportError> {
    let deadline = deadline(ctx);
    let p = path_bytes(path);
    let stat = c.send(Request::stat(p));
    let real = c.send(Request::realpath(p));
    let what = "reading the metadata of";
    let attrs = expect(stat.wait(deadline), Response::attrs, path, what, ctx)?;
    let real = expect(
        real.wait(deadline),
        Response::real_path,
        path,
        "resolving",
        ctx,
    )?;
    let real = PathBuf::from(OsString::from_vec(real));
    if !real.is_absolute() {
        return Err(TransportError::Io {
            path: path.to_path_buf(),
            message: "resolving failed: the server sent a real path that is not absolute".into(),
        });
    }
    Ok((attrs, real))
}

/// One directory's entries with their (not followed) attributes, sorted;
/// `.` and `..` left out. A name that is not a single path component
/// (empty, holding `/` or NUL) makes the listing an error naming the
/// directory: joined to it, it would name a path outside.
pub(crate) fn read_dir(
    c: &SftpClient,
    path: &Path,
    ctx: &Context<'_>,
) -> Result<Vec<DirEntry>, TransportError> {
    let deadline = deadline(ctx);
    let handle = expect(
        c.call(Request::opendir(path_bytes(path)), deadline),
        Response::handle,
        path,
        "listing",
        ctx,
    )?;
    let result = list_open(c, &handle, path, deadline, ctx);
    c.send_and_forget(Request::close(&handle));
    let mut out = Vec::new();
    for (name, attrs) in result? {
        if name == "." || name == ".." {
            continue;
        }
        if !is_component(name.as_bytes()) {
            return Err(TransportError::Io {
                path: path.to_path_buf(),
                message: "listing failed: the server sent a name that is not a single path \
                          component (empty, or holding `/` or a NUL byte)"
                    .into(),
            });
        }
        out.push(DirEntry {
            name,
            meta: meta_of(&attrs),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Whether a name from a listing names an entry of the directory itself.
fn is_component(name: &[u8]) -> bool {
    !name.is_empty() && name != b"." && name != b".." && !name.contains(&b'/') && !name.contains(&0)
}

fn list_open(
    c: &SftpClient,
    handle: &[u8],
    path: &Path,
    deadline: Instant,
    ctx: &Context<'_>,
) -> Result<Vec<(OsString, Attrs)>, TransportError> {
    let mut all = Vec::new();
    loop {
        // Two requests at once: a small directory's names and the end of
        // the listing come back in one round trip.
        let first = c.send(Request::readdir(handle));
        let second = c.send(Request::readdir(handle));
        for p in [first, second] {
            match expect(p.wait(deadline), Response::names, path, "listing", ctx)? {
                Some(names) => all.extend(names),
                None => return Ok(all),
            }
            if all.len() > MAX_LISTING {
                return Err(TransportError::Limit {
                    path: path.to_path_buf(),
                    message: format!("more than {MAX_LISTING} names in one directory; not listed"),
                });
            }
        }
    }
}
