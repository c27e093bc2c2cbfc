#!/usr/bin/env python3
"""A hostile sftp-server for drift's tests (see hostile_sftp.rs).

sshd runs it as its `Subsystem sftp`: it speaks SFTP version 3 on stdin and
stdout and serves the real file system, honestly except where its mode
(argv[1]) says to misbehave:

  honest          no misbehaviour
  huge-data       a read is answered with a 1 GiB DATA packet (streamed)
  more-than-asked stat claims 4 bytes; a read is answered with 1,000
  trickle         a read's reply is sent one byte every 0.5 s
  name hHEX       a listing holds one more entry, named by the hex bytes
  stray           a reply to a request that was never sent

Every path it is asked for is appended to the log file argv[-1], one per
line, so that a test can check what drift asked for.
"""

import errno
import os
import stat
import struct
import sys
import time

MODE = sys.argv[1]
ARG = bytes.fromhex(sys.argv[2][1:]) if MODE == "name" else b""
LOG = sys.argv[-1]
inp = sys.stdin.buffer
out = sys.stdout.buffer


def log(path):
    with open(LOG, "ab") as f:
        f.write(path + b"\n")


def read_exact(n):
    b = b""
    while len(b) < n:
        c = inp.read(n - len(b))
        if not c:
            sys.exit(0)
        b += c
    return b


def u32(v):
    return struct.pack(">I", v)


def string(b):
    return u32(len(b)) + b


def packet(kind, body):
    return u32(len(body) + 1) + bytes([kind]) + body


def send(kind, body):
    out.write(packet(kind, body))
    out.flush()


def attrs(st, size=None):
    return (
        u32(0x1 | 0x2 | 0x4 | 0x8)
        + struct.pack(">Q", st.st_size if size is None else size)
        + u32(st.st_uid)
        + u32(st.st_gid)
        + u32(st.st_mode)
        + u32(int(st.st_atime))
        + u32(int(st.st_mtime))
    )


def status(rid, code, msg=b""):
    send(101, u32(rid) + u32(code) + string(msg) + string(b""))


def os_error(rid, e):
    code = {errno.ENOENT: 2, errno.EACCES: 3, errno.EPERM: 3}.get(e.errno, 4)
    status(rid, code, e.strerror.encode())


class Reader:
    def __init__(self, b):
        self.b = b

    def u32(self):
        v = struct.unpack(">I", self.b[:4])[0]
        self.b = self.b[4:]
        return v

    def u64(self):
        v = struct.unpack(">Q", self.b[:8])[0]
        self.b = self.b[8:]
        return v

    def string(self):
        n = self.u32()
        v = self.b[:n]
        self.b = self.b[n:]
        return v


handles = {}
next_handle = [0]


def new_handle(value):
    next_handle[0] += 1
    h = str(next_handle[0]).encode()
    handles[h] = value
    return h


def stat_reply(rid, path, follow):
    log(path)
    try:
        st = os.stat(path) if follow else os.lstat(path)
    except OSError as e:
        return os_error(rid, e)
    size = 4 if MODE == "more-than-asked" and stat.S_ISREG(st.st_mode) else None
    send(105, u32(rid) + attrs(st, size))


def huge_data(rid):
    size = 1 << 30
    out.write(u32(size + 9) + bytes([103]) + u32(rid) + u32(size))
    chunk = b"\0" * (1 << 20)
    try:
        for _ in range(size >> 20):
            out.write(chunk)
        out.flush()
    except BrokenPipeError:
        sys.exit(0)


def trickle(p):
    for i in range(len(p)):
        out.write(p[i : i + 1])
        out.flush()
        time.sleep(0.5)


def serve(kind, rid, r):
    if kind == 3:  # open
        path = r.string()
        log(path)
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as e:
            return os_error(rid, e)
        send(102, u32(rid) + string(new_handle(("file", fd))))
    elif kind == 4:  # close
        h = handles.pop(r.string(), None)
        if h and h[0] == "file":
            os.close(h[1])
        status(rid, 0)
    elif kind == 5:  # read
        h = handles.get(r.string())
        offset, length = r.u64(), r.u32()
        if MODE == "huge-data":
            return huge_data(rid)
        if MODE == "more-than-asked":
            return send(103, u32(rid) + string(b"x" * 1000))
        data = os.pread(h[1], length, offset)
        if not data:
            return status(rid, 1, b"End of file")
        p = packet(103, u32(rid) + string(data))
        if MODE == "trickle":
            return trickle(p)
        out.write(p)
        out.flush()
    elif kind in (7, 17):  # lstat, stat
        stat_reply(rid, r.string(), kind == 17)
    elif kind == 8:  # fstat
        h = handles.get(r.string())
        send(105, u32(rid) + attrs(os.fstat(h[1])))
    elif kind == 11:  # opendir
        path = r.string()
        log(path)
        try:
            names = [b".", b".."] + os.listdir(path)
        except OSError as e:
            return os_error(rid, e)
        if MODE == "name":
            names.append(ARG)
        send(102, u32(rid) + string(new_handle(("dir", path, names))))
    elif kind == 12:  # readdir
        hk = r.string()
        _, path, names = handles[hk]
        if not names:
            return status(rid, 1, b"End of file")
        body = b""
        for n in names:
            if MODE == "name" and n == ARG:
                # A regular file, as far as the client can tell.
                body += string(n) + string(n) + u32(0x4) + u32(0o100644)
            else:
                st = os.lstat(os.path.join(path, n))
                body += string(n) + string(n) + attrs(st)
        handles[hk] = ("dir", path, [])
        send(104, u32(rid) + u32(len(names)) + body)
    elif kind == 16:  # realpath
        path = r.string()
        log(path)
        real = os.path.realpath(path)
        send(104, u32(rid) + u32(1) + string(real) + string(real) + u32(0))
    elif kind == 19:  # readlink
        path = r.string()
        log(path)
        try:
            t = os.readlink(path)
        except OSError as e:
            return os_error(rid, e)
        send(104, u32(rid) + u32(1) + string(t) + string(t) + u32(0))
    else:
        status(rid, 8, b"unsupported")
    if MODE == "stray":
        status(rid + 1000, 0)


def main():
    open(LOG, "ab").close()
    length = struct.unpack(">I", read_exact(4))[0]
    body = read_exact(length)
    assert body[0] == 1, "INIT first"
    send(2, u32(3))
    while True:
        length = struct.unpack(">I", read_exact(4))[0]
        body = read_exact(length)
        kind, rid = body[0], struct.unpack(">I", body[1:5])[0]
        serve(kind, rid, Reader(body[5:]))


main()
