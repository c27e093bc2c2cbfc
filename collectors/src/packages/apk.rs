//! apk's `installed` database: blank-line separated blocks of `X:value`.

use super::{Ecosystem, Package, ParseError};

/// Every package block of an apk `installed` database (all listed packages
/// are installed).
pub(super) fn parse(text: &str) -> Result<Vec<Package>, ParseError> {
    let mut out = Vec::new();
    let (mut start, mut name, mut version, mut arch) = (0, None, None, None);
    let mut flush = |start: &mut usize,
                     name: &mut Option<&str>,
                     version: &mut Option<&str>,
                     arch: &mut Option<&str>|
     -> Result<(), ParseError> {
        if *start == 0 {
            return Ok(());
        }
        let line = std::mem::take(start);
        let (Some(n), Some(v)) = (name.take(), version.take()) else {
            return Err(ParseError::at(
                line,
                "package block without `P:` name or `V:` version",
            ));
        };
        let mut p = Package::new(Ecosystem::Apk, n, v);
        p.arch = arch.take().map(str::to_owned);
        out.push(p);
        Ok(())
    };
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            flush(&mut start, &mut name, &mut version, &mut arch)?;
            continue;
        }
        let b = line.as_bytes();
        if b.len() < 2 || b[1] != b':' {
            return Err(ParseError::at(
                i + 1,
                "expected an `X:value` line; the apk database is damaged",
            ));
        }
        if start == 0 {
            start = i + 1;
        }
        let value = &line[2..];
        match b[0] {
            b'P' => name = Some(value),
            b'V' => version = Some(value),
            b'A' => arch = Some(value),
            _ => {}
        }
    }
    flush(&mut start, &mut name, &mut version, &mut arch)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks() {
        let text = "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nS:383152\n\nP:busybox\nV:1.36.1-r5\nA:x86_64\n";
        let p = parse(text).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].key().as_str(), "package:apk:musl:x86_64");
        assert_eq!(parse("P:x\n\nbad\n").unwrap_err().line, Some(1));
        assert_eq!(parse("P:x\nV:1\n\nbad line\n").unwrap_err().line, Some(4));
    }
}
