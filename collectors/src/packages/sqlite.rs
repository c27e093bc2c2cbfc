//! A minimal, read-only reader of SQLite database files: enough to list the
//! rows of one table (rpm's `Packages`) from the file's bytes, without
//! linking SQLite and without a file on disk (the bytes come through the
//! transport). Only committed content of the main file is read; see
//! `docs/packages.md` for the write-ahead log.
//!
//! Format: <https://www.sqlite.org/fileformat2.html>. Every offset read is
//! bounds-checked and every page visited at most once, so a damaged or
//! hostile file gives an error, never a panic or a loop.

use std::collections::HashSet;

/// Why a database file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SqliteError(pub(super) String);

type Result<T> = std::result::Result<T, SqliteError>;

fn err<T>(message: impl Into<String>) -> Result<T> {
    Err(SqliteError(message.into()))
}

/// A value of a record.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum SqlValue<'a> {
    Null,
    Int(i64),
    Float(f64),
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

/// An open database file.
pub(super) struct Database<'a> {
    bytes: &'a [u8],
    page_size: usize,
    usable: usize,
    pages: usize,
}

impl<'a> Database<'a> {
    pub(super) fn open(bytes: &'a [u8]) -> Result<Database<'a>> {
        if bytes.len() < 100 || &bytes[..16] != b"SQLite format 3\0" {
            return err("not an SQLite 3 database");
        }
        let raw = u16::from_be_bytes([bytes[16], bytes[17]]) as usize;
        let page_size = if raw == 1 { 65536 } else { raw };
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return err("invalid page size in the database header");
        }
        let reserved = bytes[20] as usize;
        let usable = page_size.saturating_sub(reserved);
        if usable < 480 {
            return err("invalid reserved space in the database header");
        }
        if bytes[56..60] != [0, 0, 0, 1] && bytes[56..60] != [0, 0, 0, 0] {
            return err("the database is not UTF-8 encoded");
        }
        Ok(Database {
            bytes,
            page_size,
            usable,
            pages: bytes.len() / page_size,
        })
    }

    fn page(&self, n: u32) -> Result<&'a [u8]> {
        let n = n as usize;
        if n == 0 || n > self.pages {
            return err(format!(
                "page {n} is outside the file; the database is truncated"
            ));
        }
        let start = (n - 1) * self.page_size;
        Ok(&self.bytes[start..start + self.page_size])
    }

    /// The root page of table `name`, from `sqlite_schema`.
    pub(super) fn table_root(&self, name: &str) -> Result<Option<u32>> {
        let mut found = None;
        self.scan_table(1, &mut |_, record| {
            let values = decode_record(record)?;
            let is_table = matches!(values.first(), Some(SqlValue::Text(t)) if *t == b"table");
            let named = matches!(values.get(1), Some(SqlValue::Text(t)) if *t == name.as_bytes());
            if is_table
                && named
                && let Some(SqlValue::Int(root)) = values.get(3)
            {
                found = u32::try_from(*root).ok();
            }
            Ok(())
        })?;
        Ok(found)
    }

    /// Calls `f(rowid, record)` for every row of the table b-tree rooted at
    /// `root`, in rowid order.
    pub(super) fn scan_table(
        &self,
        root: u32,
        f: &mut dyn FnMut(i64, &[u8]) -> Result<()>,
    ) -> Result<()> {
        let mut seen = HashSet::new();
        let mut stack = vec![root];
        let mut payload = Vec::new();
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                return err(format!(
                    "page {n} is reached twice; the database is damaged"
                ));
            }
            let page = self.page(n)?;
            let h = if n == 1 { 100 } else { 0 };
            let kind = *page.get(h).unwrap_or(&0);
            let cells = be16(page, h + 3)? as usize;
            let (header_len, interior) = match kind {
                0x0d => (8, false),
                0x05 => (12, true),
                _ => return err(format!("page {n} is not a table b-tree page")),
            };
            let pointers = h + header_len;
            if interior {
                // Children are pushed in reverse so that rows come in order.
                let right = be32(page, h + 8)?;
                stack.push(right);
                for i in (0..cells).rev() {
                    let at = be16(page, pointers + 2 * i)? as usize;
                    stack.push(be32(page, at)?);
                }
                continue;
            }
            for i in 0..cells {
                let at = be16(page, pointers + 2 * i)? as usize;
                let (size, a) = varint(page, at)?;
                let (rowid, b) = varint(page, at + a)?;
                let start = at + a + b;
                let record = self.payload(page, start, size as usize, &mut payload)?;
                f(rowid as i64, record)?;
            }
        }
        Ok(())
    }

    /// The whole payload of a leaf cell, following overflow pages.
    fn payload<'b>(
        &self,
        page: &'b [u8],
        start: usize,
        size: usize,
        buf: &'b mut Vec<u8>,
    ) -> Result<&'b [u8]>
    where
        'a: 'b,
    {
        let u = self.usable;
        let x = u - 35;
        if size <= x {
            return page
                .get(start..start + size)
                .ok_or_else(|| SqliteError("a cell runs past its page".into()));
        }
        if size > self.bytes.len() {
            return err("a cell is larger than the database file");
        }
        let m = ((u - 12) * 32 / 255) - 23;
        let k = m + ((size - m) % (u - 4));
        let local = if k <= x { k } else { m };
        buf.clear();
        buf.reserve(size);
        let head = page
            .get(start..start + local)
            .ok_or_else(|| SqliteError("a cell runs past its page".into()))?;
        buf.extend_from_slice(head);
        let mut next = be32(page, start + local)?;
        let mut hops = 0;
        while buf.len() < size {
            hops += 1;
            if next == 0 || hops > self.pages {
                return err("an overflow chain ends early or loops; the database is damaged");
            }
            let p = self.page(next)?;
            next = be32(p, 0)?;
            let take = (size - buf.len()).min(u - 4);
            buf.extend_from_slice(&p[4..4 + take]);
        }
        Ok(buf.as_slice())
    }
}

fn be16(b: &[u8], at: usize) -> Result<u16> {
    match b.get(at..at + 2) {
        Some(s) => Ok(u16::from_be_bytes([s[0], s[1]])),
        None => err("a page header runs past its page"),
    }
}

fn be32(b: &[u8], at: usize) -> Result<u32> {
    match b.get(at..at + 4) {
        Some(s) => Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]])),
        None => err("a page pointer runs past its page"),
    }
}

/// A varint and its length in bytes.
fn varint(b: &[u8], at: usize) -> Result<(u64, usize)> {
    let mut v: u64 = 0;
    for i in 0..9 {
        let Some(&c) = b.get(at + i) else {
            return err("a varint runs past its page");
        };
        if i == 8 {
            return Ok(((v << 8) | u64::from(c), 9));
        }
        v = (v << 7) | u64::from(c & 0x7f);
        if c & 0x80 == 0 {
            return Ok((v, i + 1));
        }
    }
    err("a varint is too long")
}

/// The values of a record.
pub(super) fn decode_record(r: &[u8]) -> Result<Vec<SqlValue<'_>>> {
    let (header_len, mut at) = varint(r, 0)?;
    let header_len = header_len as usize;
    if header_len > r.len() {
        return err("a record header runs past the record");
    }
    let mut body = header_len;
    let mut out = Vec::new();
    while at < header_len {
        let (t, n) = varint(r, at)?;
        at += n;
        let len = match t {
            0 | 8 | 9 => 0,
            1..=4 => t as usize,
            5 => 6,
            6 | 7 => 8,
            t if t >= 12 => ((t - 12) / 2) as usize,
            _ => return err("a record uses a reserved type"),
        };
        let Some(v) = r.get(body..body + len) else {
            return err("a record value runs past the record");
        };
        body += len;
        out.push(match t {
            0 => SqlValue::Null,
            8 => SqlValue::Int(0),
            9 => SqlValue::Int(1),
            1..=6 => {
                let mut x: i64 = if v[0] & 0x80 != 0 { -1 } else { 0 };
                for &c in v {
                    x = (x << 8) | i64::from(c);
                }
                SqlValue::Int(x)
            }
            7 => SqlValue::Float(f64::from_be_bytes(v.try_into().unwrap_or([0; 8]))),
            t if t % 2 == 0 => SqlValue::Blob(v),
            _ => SqlValue::Text(v),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        assert_eq!(varint(&[0x05], 0).unwrap(), (5, 1));
        assert_eq!(varint(&[0x81, 0x00], 0).unwrap(), (128, 2));
        assert!(varint(&[0x81], 0).is_err());
    }

    #[test]
    fn rejects_non_databases() {
        assert!(Database::open(b"hello").is_err());
        let mut fake = b"SQLite format 3\0".to_vec();
        fake.resize(100, 0);
        assert!(Database::open(&fake).is_err());
    }
}
