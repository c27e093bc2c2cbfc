//! RPM databases: `rpmdb.sqlite` (read from its bytes) and the output of
//! the allow-listed `rpm -qa --queryformat` for BDB/NDB databases.

use super::sqlite::{Database, SqlValue};
use super::{Ecosystem, Package, ParseError};

const TAG_NAME: i32 = 1000;
const TAG_VERSION: i32 = 1001;
const TAG_RELEASE: i32 = 1002;
const TAG_EPOCH: i32 = 1003;
const TAG_ARCH: i32 = 1022;
const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;

/// The installed packages of an `rpmdb.sqlite`: each row of its `Packages`
/// table is one header blob. The `gpg-pubkey` pseudo-packages (imported
/// signing keys) are left out.
pub(super) fn parse_sqlite(bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let db = Database::open(bytes)
        .map_err(|e| ParseError::new(format!("cannot read rpmdb.sqlite: {}", e.0)))?;
    let root = db
        .table_root("Packages")
        .map_err(|e| ParseError::new(format!("cannot read rpmdb.sqlite: {}", e.0)))?
        .ok_or_else(|| {
            ParseError::new("rpmdb.sqlite has no `Packages` table; is it an rpm database?")
        })?;
    let mut out = Vec::new();
    let mut bad: Option<String> = None;
    db.scan_table(root, &mut |rowid, record| {
        let values = super::sqlite::decode_record(record)?;
        // `hnum INTEGER PRIMARY KEY` is the rowid; the blob is column 1.
        let Some(SqlValue::Blob(blob)) = values.get(1) else {
            return Ok(());
        };
        match header_package(blob) {
            Ok(Some(p)) => out.push(p),
            Ok(None) => {}
            Err(e) => {
                bad.get_or_insert(format!("header {rowid}: {e}"));
            }
        }
        Ok(())
    })
    .map_err(|e| ParseError::new(format!("cannot read rpmdb.sqlite: {}", e.0)))?;
    if let Some(e) = bad {
        return Err(ParseError::new(format!(
            "rpmdb.sqlite holds a damaged package {e}"
        )));
    }
    Ok(out)
}

/// The package described by an rpm header blob (`il`, `dl`, index entries,
/// data store), or `None` for a `gpg-pubkey`.
fn header_package(blob: &[u8]) -> Result<Option<Package>, String> {
    let be32 = |at: usize| -> Result<u32, String> {
        blob.get(at..at + 4)
            .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
            .ok_or_else(|| "the header is truncated".to_owned())
    };
    let il = be32(0)? as usize;
    let dl = be32(4)? as usize;
    let data = 8usize
        .checked_add(il.checked_mul(16).ok_or("the header index is too large")?)
        .ok_or("the header index is too large")?;
    if data.checked_add(dl).is_none_or(|end| end > blob.len()) {
        return Err("the header is truncated".into());
    }
    let store = &blob[data..data + dl];
    let (mut name, mut version, mut release, mut arch, mut epoch) = (None, None, None, None, None);
    for i in 0..il {
        let e = 8 + i * 16;
        let tag = be32(e)? as i32;
        let ty = be32(e + 4)?;
        let offset = be32(e + 8)? as usize;
        let string = || -> Result<String, String> {
            let s = store
                .get(offset..)
                .ok_or("a header string is out of range")?;
            let end = s
                .iter()
                .position(|&b| b == 0)
                .ok_or("a header string is not terminated")?;
            Ok(String::from_utf8_lossy(&s[..end]).into_owned())
        };
        match (tag, ty) {
            (TAG_NAME, TYPE_STRING) => name = Some(string()?),
            (TAG_VERSION, TYPE_STRING) => version = Some(string()?),
            (TAG_RELEASE, TYPE_STRING) => release = Some(string()?),
            (TAG_ARCH, TYPE_STRING) => arch = Some(string()?),
            (TAG_EPOCH, TYPE_INT32) => {
                let s = store
                    .get(offset..offset + 4)
                    .ok_or("the epoch is out of range")?;
                epoch = Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]));
            }
            _ => {}
        }
    }
    let (Some(name), Some(version)) = (name, version) else {
        return Err("the header has no name or version".into());
    };
    if name == "gpg-pubkey" {
        return Ok(None);
    }
    let text = evr(epoch.unwrap_or(0), &version, release.as_deref());
    let mut p = Package::new(Ecosystem::Rpm, name, text);
    p.arch = arch.filter(|a| !a.is_empty() && a != "(none)");
    Ok(Some(p))
}

/// `[E:]V-R`, the epoch written only when it is not zero, so that both
/// sources (sqlite and `rpm -qa`) give the same text.
fn evr(epoch: u32, version: &str, release: Option<&str>) -> String {
    let mut s = String::new();
    if epoch != 0 {
        s.push_str(&epoch.to_string());
        s.push(':');
    }
    s.push_str(version);
    if let Some(r) = release {
        s.push('-');
        s.push_str(r);
    }
    s
}

/// The packages printed by `rpm -qa --queryformat
/// '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{ARCH}\n'`
/// ([`AllowedCommand::RpmQueryAll`](crate::transport::AllowedCommand)).
pub fn parse_rpm_query(text: &str) -> Result<Vec<Package>, ParseError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut f = line.split('\t');
        let (Some(name), Some(evr_text), Some(arch), None) =
            (f.next(), f.next(), f.next(), f.next())
        else {
            return Err(ParseError::at(
                i + 1,
                "expected `NAME<tab>EPOCH:VERSION-RELEASE<tab>ARCH` from rpm",
            ));
        };
        if name == "gpg-pubkey" {
            continue;
        }
        let (epoch, vr) = evr_text.split_once(':').unwrap_or(("0", evr_text));
        let epoch: u32 = epoch.parse().map_err(|_| {
            ParseError::at(i + 1, format!("package `{name}` has a non-numeric epoch"))
        })?;
        let (version, release) = match vr.rsplit_once('-') {
            Some((v, r)) => (v, Some(r)),
            None => (vr, None),
        };
        let mut p = Package::new(Ecosystem::Rpm, name, evr(epoch, version, release));
        if arch != "(none)" && !arch.is_empty() {
            p.arch = Some(arch.to_owned());
        }
        out.push(p);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header blob with the given string tags and epoch.
    fn blob(tags: &[(i32, &str)], epoch: Option<u32>) -> Vec<u8> {
        let mut index = Vec::new();
        let mut store = Vec::new();
        for (tag, s) in tags {
            index.push((*tag, TYPE_STRING, store.len() as u32, 1u32));
            store.extend_from_slice(s.as_bytes());
            store.push(0);
        }
        if let Some(e) = epoch {
            while store.len() % 4 != 0 {
                store.push(0);
            }
            index.push((TAG_EPOCH, TYPE_INT32, store.len() as u32, 1));
            store.extend_from_slice(&e.to_be_bytes());
        }
        let mut out = Vec::new();
        out.extend_from_slice(&(index.len() as u32).to_be_bytes());
        out.extend_from_slice(&(store.len() as u32).to_be_bytes());
        for (tag, ty, off, count) in index {
            out.extend_from_slice(&tag.to_be_bytes());
            out.extend_from_slice(&ty.to_be_bytes());
            out.extend_from_slice(&off.to_be_bytes());
            out.extend_from_slice(&count.to_be_bytes());
        }
        out.extend_from_slice(&store);
        out
    }

    #[test]
    fn header_blobs() {
        let b = blob(
            &[
                (TAG_NAME, "openssl-libs"),
                (TAG_VERSION, "3.0.7"),
                (TAG_RELEASE, "27.el9"),
                (TAG_ARCH, "x86_64"),
            ],
            Some(1),
        );
        let p = header_package(&b).unwrap().unwrap();
        assert_eq!(p.version, "1:3.0.7-27.el9");
        assert_eq!(p.key().as_str(), "package:rpm:openssl-libs:x86_64");
        let key = blob(&[(TAG_NAME, "gpg-pubkey"), (TAG_VERSION, "fd431d51")], None);
        assert_eq!(header_package(&key).unwrap(), None);
        assert!(header_package(&b[..20]).is_err());
        let mut huge = b.clone();
        huge[0..4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(header_package(&huge).is_err());
    }

    #[test]
    fn query_output_matches_sqlite_text() {
        let p = parse_rpm_query("openssl-libs\t1:3.0.7-27.el9\tx86_64\nbash\t0:5.1.8-6.el9\tx86_64\ngpg-pubkey\t0:fd431d51-4ae0493b\t(none)\n").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].version, "1:3.0.7-27.el9");
        assert_eq!(p[1].version, "5.1.8-6.el9");
        assert_eq!(parse_rpm_query("bad line\n").unwrap_err().line, Some(1));
    }
}
