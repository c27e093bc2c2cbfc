//! Entry points for the fuzz targets in `fuzz/` (the `fuzzing` and `ssh`
//! features; test support only, see `docs/fuzzing.md`): the known_hosts
//! and ssh_config readers and the SFTP reply decoder, which are private to
//! this module's parent.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::config::{SshConfig, glob};
use super::known_hosts::{HostKey, KnownHosts, host_name_for};
use super::sftp::proto::{Response, split_packet};

/// Reads `text` as a known_hosts file and checks, for the host field of
/// every line and a few fixed names, the key written on each line and a
/// key of no line. Must neither panic nor hang.
pub fn known_hosts(text: &str) {
    let mut hosts = KnownHosts::default();
    hosts.add_text(text, "known_hosts");
    let mut names = vec![
        host_name_for("Example.COM", 22),
        host_name_for("example.com", 2222),
        "*".to_owned(),
    ];
    let mut keys = vec![HostKey {
        key_type: "ssh-ed25519".to_owned(),
        blob: b"\0\0\0\x0bssh-ed25519\0\0\0\x01\x01".to_vec(),
    }];
    for line in text.lines().take(64) {
        let mut fields = line.split_whitespace();
        let first = fields.next().unwrap_or_default();
        let (host, rest) = if first.starts_with('@') {
            (fields.next().unwrap_or_default(), fields)
        } else {
            (first, fields)
        };
        names.extend(host.split(',').take(4).map(str::to_owned));
        if let Some(blob) = rest.clone().nth(1).and_then(|b| STANDARD.decode(b).ok())
            && let Some(key) = HostKey::from_blob(&blob)
        {
            let _ = key.fingerprint();
            let _ = key.line(host);
            keys.push(key);
        }
    }
    for name in names.iter().take(64) {
        let _ = hosts.known_types(name);
        for key in keys.iter().take(8) {
            let _ = hosts.check(name, key);
        }
    }
}

/// `*` and `?` matching by the textbook dynamic programme: the reference
/// for [`glob`]'s backtracking matcher.
fn glob_reference(pattern: &[u8], text: &[u8]) -> bool {
    // matches[j]: whether pattern[..i] matches text[..j].
    let mut matches = vec![false; text.len() + 1];
    matches[0] = true;
    for &p in pattern {
        let mut next = vec![false; text.len() + 1];
        match p {
            b'*' => {
                let mut any = false;
                for j in 0..=text.len() {
                    any |= matches[j];
                    next[j] = any;
                }
            }
            _ => {
                for j in 1..=text.len() {
                    next[j] = matches[j - 1] && (p == b'?' || p == text[j - 1]);
                }
            }
        }
        matches = next;
    }
    matches[text.len()]
}

/// Reads `text` as an ssh_config file and resolves the patterns of its
/// `Host` lines and a few fixed aliases; checks the glob matcher against
/// a dynamic-programming reference on the patterns and aliases. Must neither panic nor
/// hang.
pub fn ssh_config(text: &str) {
    let mut patterns: Vec<&str> = Vec::new();
    for line in text.lines().take(64) {
        let mut words = line.split_whitespace();
        if words.next().is_some_and(|w| w.eq_ignore_ascii_case("host")) {
            patterns.extend(words.take(8));
        }
    }
    let mut aliases: Vec<String> = vec!["web-1".into(), "db".into(), String::new()];
    aliases.extend(patterns.iter().map(|p| p.replace(['*', '?', '!'], "x")));
    for p in &patterns {
        for a in &aliases {
            let (p, a) = (p.as_bytes(), a.as_bytes());
            if p.len() * a.len() <= 1 << 16 {
                assert_eq!(
                    glob(p, a),
                    glob_reference(p, a),
                    "glob differs from its reference"
                );
            }
        }
    }
    if let Ok(config) = SshConfig::parse(text) {
        for a in aliases.iter().take(32) {
            let _ = config.resolve(a);
        }
    }
}

/// Reads `bytes` as the SFTP server's side of a channel, delivered in
/// reads of `chunk` bytes (at least 1), as the client buffers it: every
/// whole packet is split off and decoded as each reply type. Must neither
/// panic nor hang.
pub fn sftp_replies(bytes: &[u8], chunk: usize) {
    let chunk = chunk.max(1);
    let mut buf: Vec<u8> = Vec::new();
    for piece in bytes.chunks(chunk) {
        buf.extend_from_slice(piece);
        while let Some((kind, _id, body, used)) = split_packet(&buf) {
            assert!(used > 4 && used <= buf.len(), "a packet of a wrong length");
            let r = Response {
                kind,
                body: body.to_vec(),
            };
            // Data is bounded by what was asked: a reply longer than that
            // must be refused, never kept.
            let asked = u32::from(bytes.first().copied().unwrap_or(0));
            if let Ok(Some(data)) = r.data(asked) {
                assert!(data.len() <= asked as usize, "more data than asked");
            }
            let _ = (r.handle(), r.attrs(), r.names());
            buf.drain(..used);
        }
    }
}
