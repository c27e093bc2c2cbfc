//! The SFTP version 3 wire format (draft-ietf-secsh-filexfer-02), the part
//! drift needs: open, read, close, stat, lstat, opendir, readdir,
//! realpath.
//!
//! Every reply is bounded before its bytes are kept: no packet is longer
//! than [`MAX_PACKET`] (OpenSSH's own limit), and a reply to a `read` is no
//! longer than the bytes asked for ([`Request::reply_limit`]).

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

pub(crate) const INIT: u8 = 1;
pub(crate) const VERSION: u8 = 2;
pub(crate) const OPEN: u8 = 3;
pub(crate) const CLOSE: u8 = 4;
pub(crate) const READ: u8 = 5;
pub(crate) const LSTAT: u8 = 7;
pub(crate) const OPENDIR: u8 = 11;
pub(crate) const READDIR: u8 = 12;
pub(crate) const REALPATH: u8 = 16;
pub(crate) const STAT: u8 = 17;
pub(crate) const STATUS: u8 = 101;
pub(crate) const HANDLE: u8 = 102;
pub(crate) const DATA: u8 = 103;
pub(crate) const NAME: u8 = 104;
pub(crate) const ATTRS: u8 = 105;

pub(crate) const FX_EOF: u32 = 1;
pub(crate) const FX_NO_SUCH_FILE: u32 = 2;
pub(crate) const FX_PERMISSION_DENIED: u32 = 3;

/// The longest packet accepted (its length field), as OpenSSH's
/// `SFTP_MAX_MSG_LENGTH`: 256 KiB. OpenSSH's sftp-server sends at most
/// this much in one reply.
pub(crate) const MAX_PACKET: u32 = 256 * 1024;

/// Type, request id and the data's length field of a `DATA` reply.
const DATA_OVERHEAD: u32 = 1 + 4 + 4;

/// The longest reply to a small `read`: room for a `STATUS` with its
/// message (`End of file`).
const STATUS_ROOM: u32 = 4096;

const OPEN_READ: u32 = 1;
const ATTR_SIZE: u32 = 0x1;
const ATTR_UIDGID: u32 = 0x2;
const ATTR_PERMISSIONS: u32 = 0x4;
const ATTR_ACMODTIME: u32 = 0x8;
const ATTR_EXTENDED: u32 = 0x8000_0000;

/// A request body: its type and what follows the request id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    pub kind: u8,
    pub payload: Vec<u8>,
    /// The longest reply packet accepted for it (its length field).
    pub reply_limit: u32,
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u32(out, u32::try_from(b.len()).unwrap_or(u32::MAX));
    out.extend_from_slice(b);
}

impl Request {
    fn with_string(kind: u8, s: &[u8]) -> Request {
        let mut payload = Vec::with_capacity(s.len() + 4);
        put_bytes(&mut payload, s);
        Request {
            kind,
            payload,
            reply_limit: MAX_PACKET,
        }
    }

    /// Opens a file for reading.
    pub(crate) fn open(path: &[u8]) -> Request {
        let mut r = Request::with_string(OPEN, path);
        put_u32(&mut r.payload, OPEN_READ);
        put_u32(&mut r.payload, 0);
        r
    }

    /// Closes a handle.
    pub(crate) fn close(handle: &[u8]) -> Request {
        Request::with_string(CLOSE, handle)
    }

    /// Reads `len` bytes at `offset`; the reply may hold no more.
    pub(crate) fn read(handle: &[u8], offset: u64, len: u32) -> Request {
        let mut r = Request::with_string(READ, handle);
        r.payload.extend_from_slice(&offset.to_be_bytes());
        put_u32(&mut r.payload, len);
        r.reply_limit = len
            .saturating_add(DATA_OVERHEAD)
            .clamp(STATUS_ROOM, MAX_PACKET);
        r
    }

    /// `realpath`: the path with every symbolic link resolved.
    pub(crate) fn realpath(path: &[u8]) -> Request {
        Request::with_string(REALPATH, path)
    }

    /// `stat` (follows symlinks).
    pub(crate) fn stat(path: &[u8]) -> Request {
        Request::with_string(STAT, path)
    }

    /// `lstat`.
    pub(crate) fn lstat(path: &[u8]) -> Request {
        Request::with_string(LSTAT, path)
    }

    /// Opens a directory.
    pub(crate) fn opendir(path: &[u8]) -> Request {
        Request::with_string(OPENDIR, path)
    }

    /// Reads the next names of a directory.
    pub(crate) fn readdir(handle: &[u8]) -> Request {
        Request::with_string(READDIR, handle)
    }

    /// The whole packet with `id`.
    pub(crate) fn encode(&self, id: u32, out: &mut Vec<u8>) {
        put_u32(
            out,
            u32::try_from(self.payload.len() + 5).unwrap_or(u32::MAX),
        );
        out.push(self.kind);
        put_u32(out, id);
        out.extend_from_slice(&self.payload);
    }
}

/// The `INIT` packet (it has no request id).
pub(crate) fn init_packet() -> Vec<u8> {
    let mut out = Vec::new();
    put_u32(&mut out, 5);
    out.push(INIT);
    put_u32(&mut out, 3);
    out
}

/// A response: its type and what follows the request id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Response {
    pub kind: u8,
    pub body: Vec<u8>,
}

/// Attributes of a path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Attrs {
    pub size: Option<u64>,
    pub perm: Option<u32>,
}

/// A reply that is not what was expected, or a malformed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reply {
    /// A `STATUS` reply: code and message.
    Status(u32, String),
    /// A packet that cannot be decoded.
    Malformed(&'static str),
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.0.split_at_checked(4)?;
        self.0 = rest;
        Some(u32::from_be_bytes(head.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        let (head, rest) = self.0.split_at_checked(8)?;
        self.0 = rest;
        Some(u64::from_be_bytes(head.try_into().ok()?))
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()? as usize;
        let (head, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        Some(head)
    }

    fn attrs(&mut self) -> Option<Attrs> {
        let flags = self.u32()?;
        let mut a = Attrs::default();
        if flags & ATTR_SIZE != 0 {
            a.size = Some(self.u64()?);
        }
        if flags & ATTR_UIDGID != 0 {
            self.u32()?;
            self.u32()?;
        }
        if flags & ATTR_PERMISSIONS != 0 {
            a.perm = Some(self.u32()?);
        }
        if flags & ATTR_ACMODTIME != 0 {
            self.u32()?;
            self.u32()?;
        }
        if flags & ATTR_EXTENDED != 0 {
            for _ in 0..self.u32()? {
                self.bytes()?;
                self.bytes()?;
            }
        }
        Some(a)
    }
}

impl Response {
    fn status(&self) -> Reply {
        let mut r = Reader(&self.body);
        match (r.u32(), r.bytes()) {
            (Some(code), msg) => Reply::Status(
                code,
                String::from_utf8_lossy(msg.unwrap_or_default()).into_owned(),
            ),
            _ => Reply::Malformed("a short status"),
        }
    }

    fn expect(&self, kind: u8) -> Result<Reader<'_>, Reply> {
        if self.kind == kind {
            Ok(Reader(&self.body))
        } else if self.kind == STATUS {
            Err(self.status())
        } else {
            Err(Reply::Malformed("an unexpected reply type"))
        }
    }

    /// A `HANDLE`.
    pub(crate) fn handle(&self) -> Result<Vec<u8>, Reply> {
        let mut r = self.expect(HANDLE)?;
        r.bytes()
            .map(<[u8]>::to_vec)
            .ok_or(Reply::Malformed("a short handle"))
    }

    /// `DATA` of a read of `asked` bytes; `None` at the end of the file.
    /// More bytes than asked for is an error.
    pub(crate) fn data(&self, asked: u32) -> Result<Option<Vec<u8>>, Reply> {
        match self.expect(DATA) {
            Ok(mut r) => match r.bytes() {
                Some(b) if b.len() as u64 > u64::from(asked) => {
                    Err(Reply::Malformed("more data than was asked for"))
                }
                Some(b) => Ok(Some(b.to_vec())),
                None => Err(Reply::Malformed("short data")),
            },
            Err(Reply::Status(FX_EOF, _)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `ATTRS`.
    pub(crate) fn attrs(&self) -> Result<Attrs, Reply> {
        self.expect(ATTRS)?
            .attrs()
            .ok_or(Reply::Malformed("short attributes"))
    }

    /// The one name of a `NAME` reply to `realpath`.
    pub(crate) fn real_path(&self) -> Result<Vec<u8>, Reply> {
        let mut r = self.expect(NAME)?;
        let bad = Reply::Malformed("a short name");
        match r.u32() {
            Some(1) => r.bytes().map(<[u8]>::to_vec).ok_or(bad),
            Some(_) => Err(Reply::Malformed("not one name")),
            None => Err(bad),
        }
    }

    /// `NAME` entries (name, attributes); `None` at the end of a listing.
    pub(crate) fn names(&self) -> Result<Option<Vec<(OsString, Attrs)>>, Reply> {
        let mut r = match self.expect(NAME) {
            Ok(r) => r,
            Err(Reply::Status(FX_EOF, _)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let bad = Reply::Malformed("a short name list");
        let count = r.u32().ok_or(bad.clone())?;
        let mut out = Vec::with_capacity(count.min(1024) as usize);
        for _ in 0..count {
            let name = r.bytes().ok_or(bad.clone())?;
            r.bytes().ok_or(bad.clone())?; // the `ls -l` line
            let attrs = r.attrs().ok_or(bad.clone())?;
            out.push((OsString::from_vec(name.to_vec()), attrs));
        }
        Ok(Some(out))
    }
}

/// The header of the packet at the front of `buf`, once its first 9
/// bytes are there: its length field, type and request id (0 for
/// `VERSION`).
pub(crate) fn header(buf: &[u8]) -> Option<(u32, u8, u32)> {
    let len = u32::from_be_bytes(buf.get(..4)?.try_into().ok()?);
    let kind = *buf.get(4)?;
    if kind == VERSION {
        return Some((len, kind, 0));
    }
    let id = u32::from_be_bytes(buf.get(5..9)?.try_into().ok()?);
    Some((len, kind, id))
}

/// Splits one packet off the front of `buf`: (type, request id, body) and
/// its length, or `None` while incomplete. `VERSION` gets id 0.
pub(crate) fn split_packet(buf: &[u8]) -> Option<(u8, u32, &[u8], usize)> {
    let len = u32::from_be_bytes(buf.get(..4)?.try_into().ok()?) as usize;
    let packet = buf.get(4..4 + len)?;
    let (&kind, rest) = packet.split_first()?;
    if kind == VERSION {
        return Some((kind, 0, rest, 4 + len));
    }
    let id = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?);
    Some((kind, id, &rest[4..], 4 + len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_requests() {
        let mut out = Vec::new();
        Request::read(b"h1", 7, 100).encode(9, &mut out);
        assert_eq!(
            out,
            [
                &[0, 0, 0, 23, READ, 0, 0, 0, 9, 0, 0, 0, 2, b'h', b'1'][..],
                &7u64.to_be_bytes(),
                &100u32.to_be_bytes()
            ]
            .concat()
        );
        let (kind, id, body, used) = split_packet(&out).unwrap();
        assert_eq!((kind, id, body.len(), used), (READ, 9, 18, out.len()));
        assert!(split_packet(&out[..out.len() - 1]).is_none());
    }

    #[test]
    fn decodes_replies() {
        let mut body = Vec::new();
        put_u32(&mut body, 2);
        for (name, size) in [(&b"a.yaml"[..], 5u64), (&b"dir"[..], 4096)] {
            put_bytes(&mut body, name);
            put_bytes(&mut body, b"-rw-r--r-- ...");
            put_u32(&mut body, ATTR_SIZE | ATTR_PERMISSIONS | ATTR_ACMODTIME);
            body.extend_from_slice(&size.to_be_bytes());
            put_u32(&mut body, 0o100644);
            put_u32(&mut body, 1);
            put_u32(&mut body, 2);
        }
        let names = Response { kind: NAME, body }.names().unwrap().unwrap();
        assert_eq!(names.len(), 2);
        assert_eq!(names[1].0, "dir");
        assert_eq!(
            names[0].1,
            Attrs {
                size: Some(5),
                perm: Some(0o100644)
            }
        );
        let mut st = Vec::new();
        put_u32(&mut st, FX_EOF);
        put_bytes(&mut st, b"End of file");
        put_bytes(&mut st, b"");
        let eof = Response {
            kind: STATUS,
            body: st,
        };
        assert_eq!(eof.names(), Ok(None));
        assert_eq!(eof.data(4), Ok(None));
        assert_eq!(
            eof.handle(),
            Err(Reply::Status(FX_EOF, "End of file".into()))
        );
        assert_eq!(
            Response {
                kind: NAME,
                body: vec![0, 0, 0, 1]
            }
            .names(),
            Err(Reply::Malformed("a short name list"))
        );
    }

    #[test]
    fn replies_are_bounded_by_what_was_asked() {
        // A read's reply: its data and header, or room for a status.
        assert_eq!(Request::read(b"h", 0, 4).reply_limit, 4096);
        assert_eq!(Request::read(b"h", 0, 65_536).reply_limit, 65_545);
        assert_eq!(Request::read(b"h", 0, u32::MAX).reply_limit, MAX_PACKET);
        assert_eq!(Request::stat(b"/x").reply_limit, MAX_PACKET);
        let mut body = Vec::new();
        put_bytes(&mut body, b"12345");
        let data = Response { kind: DATA, body };
        assert_eq!(data.data(5), Ok(Some(b"12345".to_vec())));
        assert_eq!(
            data.data(4),
            Err(Reply::Malformed("more data than was asked for"))
        );
        // The header of a 1 GiB packet is read before its body is there.
        let head = [
            &(1u32 << 30).to_be_bytes()[..],
            &[DATA],
            &7u32.to_be_bytes(),
        ]
        .concat();
        assert_eq!(header(&head), Some((1 << 30, DATA, 7)));
        assert_eq!(header(&head[..8]), None);
        assert!(split_packet(&head).is_none());
    }
}
