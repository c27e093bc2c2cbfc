//! Reads over SFTP: files (size checked with `stat` before reading),
//! metadata, listings, and walks (listings carry each entry's attributes,
//! so a walk needs no `stat` per file). Requests are pipelined on one
//! channel by [`client::SftpClient`].

pub(crate) mod client;
// `pub(super)` for the fuzz targets' entry points (`ssh::fuzzing`).
pub(super) mod proto;
mod walk;

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use self::client::{Failure, SftpClient};
use self::proto::{Attrs, FX_NO_SUCH_FILE, FX_PERMISSION_DENIED, Reply, Request, Response};
use super::errors::Context;
use crate::transport::{DirEntry, FileKind, FileMeta, TransportError};

pub(crate) use self::walk::walk;

/// Bytes asked for per read request (OpenSSH's sftp-server answers up to
/// 255 KiB; a server that answers less is read on from where it stopped).
const CHUNK: u64 = 64 * 1024;

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
    let p = path_bytes(path);
    let open = c.send(Request::open(p));
    let stat = c.send(Request::stat(p));
    let handle = expect(open.wait(), Response::handle, path, "opening", ctx)?;
    let result = read_open(c, &handle, stat, path, limit, ctx);
    c.send_and_forget(Request::close(&handle));
    result
}

fn read_open(
    c: &SftpClient,
    handle: &[u8],
    stat: client::Pending,
    path: &Path,
    limit: u64,
    ctx: &Context<'_>,
) -> Result<Vec<u8>, TransportError> {
    let attrs = expect(stat.wait(), Response::attrs, path, "reading", ctx)?;
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
            let data = expect(p.wait(), Response::data, path, "reading", ctx)?;
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
        let data = expect(
            c.call(Request::read(handle, offset, CHUNK as u32)),
            Response::data,
            path,
            "reading",
            ctx,
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
        c.call(request),
        Response::attrs,
        path,
        "reading the metadata of",
        ctx,
    )?;
    Ok(meta_of(&attrs))
}

/// One directory's entries with their (not followed) attributes, sorted.
pub(crate) fn read_dir(
    c: &SftpClient,
    path: &Path,
    ctx: &Context<'_>,
) -> Result<Vec<DirEntry>, TransportError> {
    let handle = expect(
        c.call(Request::opendir(path_bytes(path))),
        Response::handle,
        path,
        "listing",
        ctx,
    )?;
    let result = list_open(c, &handle, path, ctx);
    c.send_and_forget(Request::close(&handle));
    let mut out: Vec<DirEntry> = result?
        .into_iter()
        .filter(|(name, _)| name != "." && name != "..")
        .map(|(name, attrs)| DirEntry {
            name,
            meta: meta_of(&attrs),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn list_open(
    c: &SftpClient,
    handle: &[u8],
    path: &Path,
    ctx: &Context<'_>,
) -> Result<Vec<(OsString, Attrs)>, TransportError> {
    let mut all = Vec::new();
    loop {
        // Two requests at once: a small directory's names and the end of
        // the listing come back in one round trip.
        let first = c.send(Request::readdir(handle));
        let second = c.send(Request::readdir(handle));
        for p in [first, second] {
            match expect(p.wait(), Response::names, path, "listing", ctx)? {
                Some(names) => all.extend(names),
                None => return Ok(all),
            }
        }
    }
}
