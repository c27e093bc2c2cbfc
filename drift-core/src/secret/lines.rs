//! Judging text kept for line diffs (small text files, multi-line values)
//! line by line: the content rules over the whole text (a key block spans
//! lines), and on each line the name rules of configuration files that no
//! parser has judged key by key (`name = value`, `requirepass …`,
//! `<password>…</password>`, NuGet's `ClearTextPassword`).
#![cfg_attr(not(test), allow(dead_code))] // called by the judge in mod.rs

use std::ops::Range;

use super::content;
use super::names;

/// What replaces each hidden part of a line.
const HIDDEN: &str = "***";

/// Text kept for line diffs, judged line by line with the content rules and
/// name rules: returns the text with secret parts replaced by `***` (keeping
/// the rest of each line, line endings untouched) and whether anything was
/// hidden.
pub(crate) fn scrub_text(text: &str) -> (String, bool) {
    let mut spans: Vec<Range<usize>> = content::find(text).into_iter().map(|s| s.range).collect();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        line_spans(body, start, &mut spans);
        start += line.len();
    }
    if spans.is_empty() {
        return (text.to_owned(), false);
    }
    spans.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for r in spans {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for r in merged {
        out.push_str(&text[last..r.start]);
        hide_keeping_line_ends(&text[r.clone()], &mut out);
        last = r.end;
    }
    out.push_str(&text[last..]);
    (out, true)
}

/// Pushes `***` for each line's part of `hidden`, keeping its line endings.
fn hide_keeping_line_ends(hidden: &str, out: &mut String) {
    let mut rest = hidden;
    while !rest.is_empty() {
        let body = rest.find(['\r', '\n']).unwrap_or(rest.len());
        if body > 0 {
            out.push_str(HIDDEN);
        }
        let ends = rest[body..]
            .bytes()
            .take_while(|&c| c == b'\r' || c == b'\n')
            .count();
        out.push_str(&rest[body..body + ends]);
        rest = &rest[body + ends..];
    }
}

/// The secret parts of one line (without its ending) at `offset`.
fn line_spans(line: &str, offset: usize, out: &mut Vec<Range<usize>>) {
    let b = line.as_bytes();
    let mut add = |r: Range<usize>| {
        if r.start < r.end {
            out.push(offset + r.start..offset + r.end);
        }
    };
    // `name = value`, `name: value`, `export NAME=value`: the rest of the
    // line. Inside a command line (`curl -H "Authorization: Bearer x" …`)
    // only the one token after an auth scheme word.
    if let Some(at) = line.find(['=', ':']) {
        let name = &line[..at];
        if is_secret_name(name) {
            let from = at + 1 + (b.len() - at - 1 - line[at + 1..].trim_start().len());
            let key = name.trim().strip_prefix("export ").unwrap_or(name.trim());
            if key.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
                add(embedded_value(line, from));
            } else {
                add(from..line.trim_end().len().max(from));
            }
        }
    }
    directive(line, &mut add);
    xml(line, &mut add);
}

/// The one token of a value embedded in a command line, from `from`: past
/// an auth scheme word (`Bearer`, `Basic`, `token`), up to a space, quote,
/// `;` or `,`.
fn embedded_value(line: &str, from: usize) -> Range<usize> {
    let token_end = |at: usize| {
        line[at..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ';' | ','))
            .map_or(line.len(), |i| at + i)
    };
    let first = token_end(from);
    let scheme = &line[from..first];
    let is_scheme = ["bearer", "basic", "token", "digest", "bot", "apikey"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s));
    if is_scheme && line[first..].starts_with(' ') {
        let at = first + line[first..].len() - line[first..].trim_start().len();
        at..token_end(at)
    } else {
        from..first
    }
}

/// Whether a name as written in a line is secret.
fn is_secret_name(name: &str) -> bool {
    names::is_secret_word_text(name)
        || names::words(name)
            .last()
            .is_some_and(content::is_extra_secret_word)
}

/// Space-separated directives: redis `requirepass PW`, `masterauth PW`,
/// sentinel `sentinel auth-pass NAME PW`, `.netrc` `… password PW`, and any
/// two-word line `password PW`.
fn directive(line: &str, add: &mut impl FnMut(Range<usize>)) {
    let words: Vec<(usize, &str)> = line
        .split_ascii_whitespace()
        .map(|w| (w.as_ptr() as usize - line.as_ptr() as usize, w))
        .collect();
    let span = |(at, w): (usize, &str)| at..at + w.len();
    match words.as_slice() {
        [(_, first), value] if !first.contains(['=', ':', '#']) && is_secret_name(first) => {
            add(span(*value));
        }
        [(_, "sentinel"), (_, kind), .., last] if kind.eq_ignore_ascii_case("auth-pass") => {
            add(span(*last));
        }
        [(_, "machine" | "default"), ..] => {
            for pair in words.windows(2) {
                if matches!(pair[0].1, "password" | "passwd" | "account") {
                    add(span(pair[1]));
                }
            }
        }
        _ => {}
    }
}

/// XML: `<password>PW</password>` (any secret element name, any prefix),
/// and `<add key="ClearTextPassword" value="PW" />` (a secret name in
/// `key=` or `name=`, its value in `value=`).
fn xml(line: &str, add: &mut impl FnMut(Range<usize>)) {
    if !line.contains('<') {
        return;
    }
    let mut from = 0;
    while let Some(open) = line[from..].find('<').map(|i| from + i) {
        from = open + 1;
        let Some(close) = line[open..].find('>').map(|i| open + i) else {
            break;
        };
        let tag = &line[open + 1..close];
        if tag.starts_with(['/', '!', '?']) || tag.contains(' ') || tag.ends_with('/') {
            continue;
        }
        let local = tag.rsplit(':').next().unwrap_or(tag);
        let end_tag = format!("</{tag}>");
        if let Some(end) = line[close..].find(&end_tag).map(|i| close + i)
            && is_secret_name(local)
        {
            add(close + 1..end);
        }
    }
    for attr in ["key=\"", "name=\""] {
        let Some(at) = line.find(attr) else { continue };
        let name_from = at + attr.len();
        let Some(name_len) = line[name_from..].find('"') else {
            continue;
        };
        if !is_secret_name(&line[name_from..name_from + name_len]) {
            continue;
        }
        if let Some(v) = line.find("value=\"") {
            let v_from = v + "value=\"".len();
            let v_len = line[v_from..].find('"').unwrap_or(line.len() - v_from);
            add(v_from..v_from + v_len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrub(t: &str) -> String {
        scrub_text(t).0
    }

    #[test]
    fn hides_at_least_what_scrub_lines_hides() {
        let cases = [
            (
                "host = db\npassword = hunter2\nurl: http://u:pw@h/\n",
                &["hunter2", "pw@"][..],
            ),
            ("plain line\nsee https://u:pw@h/x here\nsecret\n", &["pw@"]),
            ("line key_0 913330\nline key_1 5\n", &[]),
            (
                "DB_PASSWORD=s3cr3t\r\nAPI_TOKEN: abc123\r\n",
                &["s3cr3t", "abc123"],
            ),
        ];
        for (text, secrets) in cases {
            let old = super::super::scrub_lines(text);
            let (new, hidden) = scrub_text(text);
            for s in secrets {
                assert!(!old.contains(s) && !new.contains(s), "{text:?}: {new:?}");
            }
            assert_eq!(hidden, old != text, "{text:?}");
            assert_eq!(new.lines().count(), text.lines().count());
            // What the old scrub kept, the new keeps too, when neither hid anything.
            if old == text {
                assert_eq!(new, text);
            }
        }
        assert_eq!(
            scrub("host = db\npassword = hunter2\nurl: http://u:pw@h/\n"),
            "host = db\npassword = ***\nurl: http://u:***@h/\n"
        );
    }

    #[test]
    fn hides_package_manager_and_server_secrets() {
        let cases = [
            (
                "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789\n",
                "//registry.npmjs.org/:_authToken=***\n",
            ),
            (
                "_auth=dXNlcjpwYXNzd29yZA==\nregistry=https://r.example.com/\n",
                "_auth=***\nregistry=https://r.example.com/\n",
            ),
            (
                "bind 127.0.0.1\nrequirepass Zx81!pw\nport 6379\n",
                "bind 127.0.0.1\nrequirepass ***\nport 6379\n",
            ),
            ("masterauth Zx81!pw\n", "masterauth ***\n"),
            (
                "sentinel monitor mymaster 10.0.0.1 6379 2\nsentinel auth-pass mymaster Zx81!pw\n",
                "sentinel monitor mymaster 10.0.0.1 6379 2\nsentinel auth-pass mymaster ***\n",
            ),
            (
                "mysqldump -u root -pZx81pw shop > dump.sql\n",
                "mysqldump -u root -p*** shop > dump.sql\n",
            ),
            (
                "curl -H \"Authorization: Bearer abc.def-123456\" https://api/x\n",
                "curl -H \"Authorization: Bearer ***\" https://api/x\n",
            ),
            (
                "    proxy_set_header Authorization \"Basic dXNlcjpwYXNz\";\n",
                "    proxy_set_header Authorization \"Basic ***\";\n",
            ),
            (
                "  <password>Zx81pw</password>\n",
                "  <password>***</password>\n",
            ),
            (
                "<add key=\"ClearTextPassword\" value=\"Zx81pw\" />\n",
                "<add key=\"ClearTextPassword\" value=\"***\" />\n",
            ),
            (
                "machine api.example.com login bot password Zx81pw\n",
                "machine api.example.com login bot password ***\n",
            ),
        ];
        for (text, want) in cases {
            let (got, hidden) = scrub_text(text);
            assert_eq!(got, want, "{text:?}");
            assert!(hidden);
        }
    }

    #[test]
    fn hides_every_line_of_key_blocks() {
        let blocks = [
            "#\n# 2048 bit OpenVPN static key\n#\n-----BEGIN OpenVPN Static key V1-----\n0a1b2c3d4e5f\n6a7b8c9d0e1f\n-----END OpenVPN Static key V1-----\n",
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\r\n\r\nlQOYBF1\r\nabcDEF=\r\n-----END PGP PRIVATE KEY BLOCK-----\r\n",
            "key: |\n  -----BEGIN OPENSSH PRIVATE KEY-----\n  b3BlbnNzaC1rZXktdjE\n  -----END OPENSSH PRIVATE KEY-----\nafter: 1\n",
        ];
        for text in blocks {
            let (got, hidden) = scrub_text(text);
            assert!(hidden);
            for secret in [
                "0a1b2c3d4e5f",
                "6a7b8c9d0e1f",
                "lQOYBF1",
                "abcDEF=",
                "b3BlbnNzaC1rZXktdjE",
                "BEGIN",
            ] {
                assert!(!got.contains(secret), "{got:?}");
            }
            assert_eq!(got.matches('\n').count(), text.matches('\n').count());
            assert_eq!(got.matches('\r').count(), text.matches('\r').count());
        }
        let (got, _) = scrub_text(blocks[2]);
        assert_eq!(got, "key: |\n  ***\n***\n***\nafter: 1\n");
    }

    #[test]
    fn ordinary_lines_stay() {
        let text = "worker_processes auto;\nserver 127.0.0.1:8080;\nmax_connections = 200\n\
                    image: nginx@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n\
                    The password policy is documented elsewhere.\n";
        assert_eq!(scrub_text(text), (text.to_owned(), false));
    }
}
