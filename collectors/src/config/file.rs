//! Files recorded as a whole: content hash, size, mode and (for small text
//! files) the text; secret files by fingerprint alone.

use std::borrow::Cow;

use drift_core::value::FileInfo;
use drift_core::{Fingerprinter, KeyPath, Value};

/// Whether a file's name says it holds a secret: private keys (`*.key`,
/// `id_rsa`…, PuTTY `*.ppk`), keystores (`*.jks`, `*.p12`, `*.pfx`,
/// `*.keystore`, `*.jceks`, `*.bcfks`), and credential files (`.netrc`,
/// `.pgpass`, `htpasswd`, `credentials`, `.git-credentials`), and the
/// password hash files `shadow` and `gshadow` (with their `-` backups).
pub(crate) fn is_secret_name(file_name: &str) -> bool {
    // Compared case aside, without a lower-case copy per file.
    const NAMES: &[&str] = &[
        ".netrc",
        "_netrc",
        ".pgpass",
        "htpasswd",
        ".htpasswd",
        "credentials",
        ".git-credentials",
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        "id_ecdsa_sk",
        "id_ed25519_sk",
        "shadow",
        "shadow-",
        "gshadow",
        "gshadow-",
    ];
    const EXTENSIONS: &[&str] = &[
        "key", "ppk", "jks", "p12", "pfx", "keystore", "jceks", "bcfks",
    ];
    if NAMES.iter().any(|n| file_name.eq_ignore_ascii_case(n)) {
        return true;
    }
    file_name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e))
    })
}

/// Whether a text holds a private key (PEM, OpenSSH, PuTTY, PGP).
pub(crate) fn holds_private_key(text: &str) -> bool {
    drift_core::secret::looks_like_private_key(text) || text.contains("PRIVATE KEY BLOCK-----")
}

/// A file's content as compared: UTF-8 text without NUL bytes has its line
/// ends normalized to `\n`; anything else is binary and kept as is.
pub(crate) enum Content<'a> {
    /// Text with `\n` line ends.
    Text(Cow<'a, str>),
    /// Raw bytes.
    Binary(&'a [u8]),
}

impl<'a> Content<'a> {
    /// Classifies and normalizes `bytes`.
    pub(crate) fn of(bytes: &'a [u8]) -> Content<'a> {
        match std::str::from_utf8(bytes) {
            Ok(text) if !bytes.contains(&0) => Content::Text(normalize_newlines(text)),
            _ => Content::Binary(bytes),
        }
    }

    /// The bytes that are hashed and fingerprinted.
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Content::Text(t) => t.as_bytes(),
            Content::Binary(b) => b,
        }
    }
}

/// `\r\n` (and a lone `\r`) become `\n`; text without `\r` is not copied.
pub(crate) fn normalize_newlines(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The value of a file recorded as a whole: a fingerprint for a secret file
/// (by name or by a private key in it), else hash, size, mode and, for a
/// text of at most `max_text` bytes, the text.
pub(crate) fn file_value(
    key: &KeyPath,
    file_name: &str,
    bytes: &[u8],
    mode: Option<u32>,
    max_text: u64,
    fingerprinter: &Fingerprinter,
) -> Value {
    let content = Content::of(bytes);
    let secret = is_secret_name(file_name)
        || match &content {
            Content::Text(t) => holds_private_key(t),
            Content::Binary(_) => false,
        };
    if secret {
        return Value::Secret(fingerprinter.fingerprint(key, content.bytes()));
    }
    let data = content.bytes();
    let info = FileInfo {
        blake3: blake3::hash(data).to_hex().to_string(),
        size: data.len() as u64,
        mode,
        text: match content {
            Content::Text(t) if t.len() as u64 <= max_text => Some(t.into_owned()),
            _ => None,
        },
    };
    Value::from(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for n in [
            "server.key",
            "id_rsa",
            "ID_ED25519",
            "keystore.jks",
            "cert.p12",
            ".netrc",
            ".pgpass",
            "htpasswd",
            "credentials",
            "a.pfx",
            "app.keystore",
            "shadow",
            "gshadow",
            "shadow-",
            "GSHADOW-",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "id_rsa.pub",
            "keys.yaml",
            "server.crt",
            ".key",
            "monkey",
            "shadow.css",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn crlf_is_not_a_difference() {
        let k = KeyPath::file("a.txt");
        let f = Fingerprinter::unkeyed();
        let lf = file_value(&k, "a.txt", b"a\nb\n", Some(0o644), 100, &f);
        let crlf = file_value(&k, "a.txt", b"a\r\nb\r\n", Some(0o644), 100, &f);
        assert_eq!(lf, crlf);
        let Value::File(info) = lf else { panic!() };
        assert_eq!(info.text.as_deref(), Some("a\nb\n"));
        assert_eq!(info.size, 4);
    }

    #[test]
    fn binary_and_large_text_have_no_text() {
        let k = KeyPath::file("a.bin");
        let f = Fingerprinter::unkeyed();
        let Value::File(bin) = file_value(&k, "a.bin", b"\0\x01\xff", None, 100, &f) else {
            panic!()
        };
        assert_eq!(bin.text, None);
        assert_eq!(bin.size, 3);
        let Value::File(big) = file_value(&k, "a.txt", b"0123456789", None, 5, &f) else {
            panic!()
        };
        assert_eq!(big.text, None);
    }

    #[test]
    fn private_keys_are_fingerprints_whatever_the_name() {
        let k = KeyPath::file("tls/server.pem");
        let pem = b"-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n";
        let v = file_value(&k, "server.pem", pem, None, 100, &Fingerprinter::unkeyed());
        assert!(matches!(v, Value::Secret(_)));
        let text = format!("{v:?}");
        assert!(!text.contains("MHcC"));
    }
}
