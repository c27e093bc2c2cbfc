//! Checksums computed as each migration tool computes the one it writes into
//! its history table, so that a release's files and a live history compare.
//!
//! Written from each tool's source, facts only:
//! - Flyway (`flyway-core`, `internal/resolver/ChecksumCalculator.java`):
//!   CRC-32 over the UTF-8 bytes of each line *without* its terminator
//!   (Java's `BufferedReader.readLine`: `\n`, `\r` or `\r\n`), a leading
//!   byte-order mark dropped from the first line; stored as a signed 32-bit
//!   integer. So the checksum does not depend on line endings.
//! - sqlx (`sqlx-core`, `migrate/migration.rs`): SHA-384 of the file's
//!   bytes, stored as bytes (drift reads them as lower-case hex).
//! - Atlas (`sql/migrate/dir.go`, `NewHashFile`; `migrate.go`, `Execute`):
//!   one SHA-256 runs over the files in name order, fed each file's name and
//!   then its bytes; after each file the running sum, base64, is that file's
//!   hash — the one `atlas.sum` lists and the revision row stores.

use base64::Engine as _;
use sha2::{Digest, Sha256, Sha384};

/// Flyway's checksum of a script, as Flyway stores it (signed).
pub(crate) fn flyway(bytes: &[u8]) -> i32 {
    let mut crc = crc32fast::Hasher::new();
    let mut text = bytes;
    if let Some(rest) = text.strip_prefix("\u{feff}".as_bytes()) {
        text = rest;
    }
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\n' => {
                crc.update(&text[start..i]);
                i += 1;
                start = i;
            }
            b'\r' => {
                crc.update(&text[start..i]);
                i += 1;
                if text.get(i) == Some(&b'\n') {
                    i += 1;
                }
                start = i;
            }
            _ => i += 1,
        }
    }
    crc.update(&text[start..]);
    // Flyway keeps the CRC's 32 bits in a Java `int`.
    crc.finalize() as i32
}

/// sqlx's checksum of a migration, lower-case hex.
pub(crate) fn sqlx(bytes: &[u8]) -> String {
    hex(&Sha384::digest(bytes))
}

/// Atlas's hashes of the files of a directory, given in name order:
/// `(name, base64 hash)`.
pub(crate) fn atlas<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<String> {
    let mut h = Sha256::new();
    let mut out = Vec::new();
    for (name, bytes) in files {
        h.update(name.as_bytes());
        h.update(bytes);
        out.push(base64::engine::general_purpose::STANDARD.encode(h.clone().finalize()));
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flyway_ignores_line_endings_and_a_bom() {
        let unix = flyway(b"CREATE TABLE a (id int);\nSELECT 1;\n");
        assert_eq!(unix, flyway(b"CREATE TABLE a (id int);\r\nSELECT 1;\r\n"));
        assert_eq!(
            unix,
            flyway(b"\xef\xbb\xbfCREATE TABLE a (id int);\rSELECT 1;")
        );
        assert_ne!(unix, flyway(b"CREATE TABLE a (id bigint);\nSELECT 1;\n"));
    }

    #[test]
    fn flyway_is_the_crc_of_the_lines_joined() {
        // The lines without terminators, fed one after the other, are the
        // CRC-32 of their concatenation: "ab" for "a\nb\n".
        let mut c = crc32fast::Hasher::new();
        c.update(b"ab");
        assert_eq!(flyway(b"a\nb\n"), c.finalize() as i32);
    }

    #[test]
    fn sqlx_is_sha384_hex() {
        // SHA-384 of the empty string (FIPS 180-4 test vector).
        assert_eq!(
            sqlx(b""),
            "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b"
        );
    }

    #[test]
    fn atlas_hashes_are_chained() {
        let one = atlas([("1_a.sql", b"x".as_slice())]);
        let two = atlas([("1_a.sql", b"x".as_slice()), ("2_b.sql", b"y".as_slice())]);
        assert_eq!(one[0], two[0]);
        assert_ne!(two[0], two[1]);
        let other = atlas([("1_a.sql", b"z".as_slice()), ("2_b.sql", b"y".as_slice())]);
        assert_ne!(two[1], other[1], "an earlier file changes every later hash");
    }
}
