#!/usr/bin/env python3
"""Writes rpmdb.sqlite: an rpm 4.16+ sqlite database
with the schema rpm creates and header blobs laid out as rpm stores them
(immutable region, index entries, data store), for drift's tests.

Run from this directory: python3 make_rpmdb.py
"""
import os
import sqlite3
import struct

STRING, INT32, BIN, STRING_ARRAY, I18NSTRING = 6, 4, 7, 8, 9

PACKAGES = [
    # name, epoch, version, release, arch, number of files
    ("filesystem", None, "3.18", "6.fc39", "x86_64", 40),
    ("glibc", None, "2.38", "16.fc39", "x86_64", 900),
    ("bash", None, "5.2.26", "1.fc39", "x86_64", 120),
    ("openssl-libs", 1, "3.1.1", "4.fc39", "x86_64", 30),
    ("openssl", 1, "3.1.1", "4.fc39", "x86_64", 25),
    ("kernel-core", None, "6.7.5", "200.fc39", "x86_64", 1500),
    ("kernel-core", None, "6.7.9", "200.fc39", "x86_64", 1500),
    ("tzdata", None, "2024a", "2.fc39", "noarch", 600),
    ("python3", None, "3.12.2", "1.fc39", "x86_64", 20),
    ("vim-minimal", 2, "9.1.113", "1.fc39", "x86_64", 10),
    ("gpg-pubkey", None, "18b8e74c", "62f2920f", None, 0),
] + [("lib%03d" % i, None, "1.%d.0" % i, "1.fc39", "x86_64", i % 7) for i in range(40)]


def header(name, epoch, version, release, arch, files):
    entries = []  # (tag, type, data bytes, count, align)

    def s(tag, value, ty=STRING):
        entries.append((tag, ty, value.encode() + b"\0", 1, 1))

    s(1000, name)
    s(1001, version)
    s(1002, release)
    if epoch is not None:
        entries.append((1003, INT32, struct.pack(">I", epoch), 1, 4))
    s(1004, "The %s package" % name, I18NSTRING)
    if arch:
        s(1022, arch)
    entries.append((1009, INT32, struct.pack(">I", 1000 + files * 100), 1, 4))
    if files:
        names = [("%s-file-%04d.so" % (name, i)).encode() + b"\0" for i in range(files)]
        entries.append((1117, STRING_ARRAY, b"".join(names), files, 1))
    store = b""
    index = []
    for tag, ty, data, count, align in entries:
        while len(store) % align:
            store += b"\0"
        index.append((tag, ty, len(store), count))
        store += data
    # The immutable region: its entry comes first, its trailer ends the store.
    il = len(index) + 1
    trailer = struct.pack(">iIiI", 63, BIN, -il * 16, 16)
    region = (63, BIN, len(store), 16)
    store += trailer
    out = struct.pack(">II", il, len(store))
    for tag, ty, off, count in [region] + index:
        out += struct.pack(">iIiI", tag, ty, off, count)
    return out + store


def main():
    path = "rpmdb.sqlite"
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)")
    db.execute("CREATE TABLE 'Name' (key 'TEXT' NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL, FOREIGN KEY (hnum) REFERENCES 'Packages'(hnum))")
    db.execute("CREATE INDEX 'Name_key_idx' ON 'Name'(key ASC)")
    db.execute("CREATE TABLE 'Basenames' (key 'TEXT' NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL, FOREIGN KEY (hnum) REFERENCES 'Packages'(hnum))")
    for p in PACKAGES:
        cur = db.execute("INSERT INTO Packages (blob) VALUES (?)", (header(*p),))
        db.execute("INSERT INTO Name VALUES (?, ?, 0)", (p[0], cur.lastrowid))
    db.commit()
    db.execute("VACUUM")
    db.close()


if __name__ == "__main__":
    main()
