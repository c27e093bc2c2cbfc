//! Fingerprints: how secrets are compared without being stored.
//!
//! A fingerprint is BLAKE3 over the key path and the value, so that equal
//! secrets under the same key in two environments give equal fingerprints and
//! nothing else can be read from them. With a fingerprint key (from
//! `DRIFT_FINGERPRINT_KEY` or a key file), BLAKE3 runs in keyed mode, so that a
//! weak password cannot be guessed offline from a manifest. The key's short id
//! is part of the fingerprint, so that fingerprints made with different keys
//! are never compared as if they were made with the same one.

use std::fmt;

use crate::key::KeyPath;

const KEY_CONTEXT: &str = "drift-manifest/1 2026-11 secret fingerprint key";
const UNKEYED_CONTEXT: &str = "drift-manifest/1 2026-11 unkeyed secret fingerprint";
const ID_CONTEXT: &str = "drift-manifest/1 2026-11 fingerprint key id";

/// The fingerprint of a secret: `blake3:HEX` when unkeyed, `blake3k:ID:HEX`
/// when made with a fingerprint key whose id is `ID`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint(String);

/// A fingerprint text that is not of the documented form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a fingerprint: expected `blake3:HEX` or `blake3k:ID:HEX`")]
pub struct FingerprintError(String);

impl Fingerprint {
    /// Parses a fingerprint as written in manifests.
    pub fn parse(text: &str) -> Result<Fingerprint, FingerprintError> {
        let hex_ok = |h: &str| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit());
        let ok = if let Some(h) = text.strip_prefix("blake3:") {
            hex_ok(h)
        } else if let Some(rest) = text.strip_prefix("blake3k:") {
            match rest.split_once(':') {
                Some((id, h)) => id.len() == 8 && hex_ok(h),
                None => false,
            }
        } else {
            false
        };
        if ok {
            Ok(Fingerprint(text.to_owned()))
        } else {
            // Never echo the text: it may be a secret written where a
            // fingerprint belongs.
            Err(FingerprintError(format!("<{} characters>", text.len())))
        }
    }

    /// The fingerprint as written in manifests.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id of the fingerprint key, or `None` when unkeyed.
    pub fn key_id(&self) -> Option<&str> {
        self.0
            .strip_prefix("blake3k:")
            .and_then(|r| r.split_once(':'))
            .map(|(id, _)| id)
    }

    /// A short form for reports: `blake3:3fa9c1d2e4b5…`.
    pub fn short(&self) -> String {
        let (prefix, hex) = self.0.rsplit_once(':').unwrap_or(("blake3", &self.0));
        let end = hex.len().min(12);
        format!("{prefix}:{}…", &hex[..end])
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({})", self.0)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Makes fingerprints, keyed or not.
#[derive(Clone)]
pub struct Fingerprinter {
    key: Option<([u8; 32], String)>,
}

impl fmt::Debug for Fingerprinter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the key.
        f.debug_struct("Fingerprinter")
            .field("key_id", &self.key_id())
            .finish()
    }
}

impl Default for Fingerprinter {
    fn default() -> Self {
        Fingerprinter::unkeyed()
    }
}

impl Fingerprinter {
    /// Fingerprints without a key: equal secrets stay comparable, but a weak
    /// secret could be guessed offline by whoever holds the manifest.
    pub fn unkeyed() -> Fingerprinter {
        Fingerprinter { key: None }
    }

    /// Fingerprints keyed by `secret_key` (any length; it is stretched with
    /// BLAKE3's key derivation). Surrounding whitespace is ignored, so a key
    /// file with a trailing newline gives the same key as the variable.
    pub fn keyed(secret_key: &[u8]) -> Fingerprinter {
        let trimmed = secret_key.trim_ascii();
        let key = blake3::derive_key(KEY_CONTEXT, trimmed);
        let id_hash = blake3::derive_key(ID_CONTEXT, &key);
        let id: String = id_hash[..4].iter().map(|b| format!("{b:02x}")).collect();
        Fingerprinter {
            key: Some((key, id)),
        }
    }

    /// The short id of the key in use, `None` when unkeyed.
    pub fn key_id(&self) -> Option<&str> {
        self.key.as_ref().map(|(_, id)| id.as_str())
    }

    /// The fingerprint of `secret` held under `key`.
    pub fn fingerprint(&self, key: &KeyPath, secret: &[u8]) -> Fingerprint {
        self.fingerprint_text(key.as_str(), secret)
    }

    /// [`Fingerprinter::fingerprint`] for a key path held as text.
    pub(crate) fn fingerprint_text(&self, key: &str, secret: &[u8]) -> Fingerprint {
        let mut hasher = match &self.key {
            Some((k, _)) => blake3::Hasher::new_keyed(k),
            None => blake3::Hasher::new_derive_key(UNKEYED_CONTEXT),
        };
        let path = key.as_bytes();
        hasher.update(&(path.len() as u64).to_le_bytes());
        hasher.update(path);
        hasher.update(secret);
        let hex = hasher.finalize().to_hex();
        match &self.key {
            Some((_, id)) => Fingerprint(format!("blake3k:{id}:{hex}")),
            None => Fingerprint(format!("blake3:{hex}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> KeyPath {
        KeyPath::new(s).unwrap()
    }

    #[test]
    fn equal_secrets_under_one_key_give_equal_fingerprints() {
        let f = Fingerprinter::unkeyed();
        let a = f.fingerprint(&key("env:DB_PASSWORD"), b"hunter2");
        let b = f.fingerprint(&key("env:DB_PASSWORD"), b"hunter2");
        let c = f.fingerprint(&key("env:DB_PASSWORD"), b"hunter3");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(!a.as_str().contains("hunter2"));
        assert!(Fingerprint::parse(a.as_str()).is_ok());
    }

    #[test]
    fn fingerprints_are_salted_by_key_path() {
        let f = Fingerprinter::unkeyed();
        assert_ne!(
            f.fingerprint(&key("env:A_TOKEN"), b"x"),
            f.fingerprint(&key("env:B_TOKEN"), b"x")
        );
    }

    #[test]
    fn keyed_fingerprints_differ_from_unkeyed_and_carry_the_key_id() {
        let k = Fingerprinter::keyed(b"correct horse\n");
        let k2 = Fingerprinter::keyed(b"correct horse");
        let other = Fingerprinter::keyed(b"battery staple");
        let u = Fingerprinter::unkeyed();
        let path = key("env:API_TOKEN");
        let fk = k.fingerprint(&path, b"s3cret");
        assert_eq!(fk, k2.fingerprint(&path, b"s3cret"));
        assert_ne!(fk, u.fingerprint(&path, b"s3cret"));
        assert_ne!(fk, other.fingerprint(&path, b"s3cret"));
        assert_eq!(fk.key_id(), k.key_id());
        assert_eq!(fk.key_id().unwrap().len(), 8);
        assert!(Fingerprint::parse(fk.as_str()).is_ok());
        assert!(!format!("{k:?}").contains("horse"));
    }

    #[test]
    fn parse_rejects_other_text_without_echoing_it() {
        let err = Fingerprint::parse("hunter2").unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
    }

    #[test]
    fn short_form() {
        let f = Fingerprinter::unkeyed().fingerprint(&key("env:X"), b"y");
        let s = f.short();
        assert!(s.starts_with("blake3:"));
        assert!(s.ends_with('…'));
        assert_eq!(s.chars().count(), "blake3:".len() + 12 + 1);
    }
}
