//! Typed entry values.

use std::collections::BTreeMap;
use std::fmt;

use crate::fingerprint::Fingerprint;

/// The value of one manifest entry.
///
/// Rare, large variants are boxed so that a value is 32 bytes: manifests
/// hold millions of them.
///
/// Scalars are stored as parsed. Everything judged secret is a
/// [`Value::Secret`] fingerprint, or a [`Value::Url`] whose password is one:
/// a `Value` never holds a secret in plaintext once it is in a manifest.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Value {
    /// An explicit null (`key: ~` in YAML).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    String(String),
    /// A secret, stored as a fingerprint only.
    Secret(Fingerprint),
    /// A URL that carried a password: the URL without it, and its fingerprint.
    Url(Box<SecretUrl>),
    /// A version string of a known ordering scheme.
    Version(Box<Version>),
    /// A file recorded as a whole.
    File(Box<FileInfo>),
    /// A small object (schema objects, host facts).
    Object(BTreeMap<String, Value>),
    /// A list of values whose order matters.
    List(Vec<Value>),
}

/// A URL whose password was replaced by a fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretUrl {
    /// The URL with the password removed (`postgres://app@db:5432/shop`).
    pub url: String,
    /// The fingerprint of the password.
    pub password: Fingerprint,
}

/// A version, with the scheme that orders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The ordering scheme: `semver`, `pep440`, `deb`, `rpm`, `gem`, `go`,
    /// `generic`.
    pub scheme: String,
    /// The version as the ecosystem writes it.
    pub text: String,
    /// Whether this is a development-only dependency.
    pub dev: bool,
}

/// A file recorded by content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// BLAKE3 of the content, hex.
    pub blake3: String,
    /// Size in bytes.
    pub size: u64,
    /// Unix permission bits, when known.
    pub mode: Option<u32>,
    /// The content of a small UTF-8 text file, kept for line diffs.
    pub text: Option<String>,
}

impl Value {
    /// The type name used in reports and type-mismatch findings.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Secret(_) => "secret",
            Value::Url(_) => "url",
            Value::Version(_) => "version",
            Value::File(_) => "file",
            Value::Object(_) => "object",
            Value::List(_) => "list",
        }
    }

    /// Whether two values are of comparable types (integers and floats are).
    pub fn same_type(&self, other: &Value) -> bool {
        let family = |v: &Value| match v {
            Value::Int(_) | Value::Float(_) => "number",
            Value::Secret(_) | Value::Url(_) => "secret",
            other => other.type_name(),
        };
        family(self) == family(other)
    }

    /// The string, if this is a [`Value::String`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is an integer or a float.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// Whether the value is a fingerprint (a secret or a URL with one).
    pub fn is_secret(&self) -> bool {
        matches!(self, Value::Secret(_) | Value::Url(_))
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Value::Int(i), Value::Float(f)) | (Value::Float(f), Value::Int(i)) => {
                f.fract() == 0.0 && (*i as f64) == *f && (*f as i64) == *i
            }
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Secret(a), Value::Secret(b)) => a == b,
            (Value::Url(a), Value::Url(b)) => a == b,
            (Value::Version(a), Value::Version(b)) => a == b,
            (Value::File(a), Value::File(b)) => {
                a.blake3 == b.blake3 && a.size == b.size && a.mode == b.mode
            }
            (Value::Object(a), Value::Object(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            _ => false,
        }
    }
}

impl From<SecretUrl> for Value {
    fn from(u: SecretUrl) -> Value {
        Value::Url(Box::new(u))
    }
}

impl From<Version> for Value {
    fn from(v: Version) -> Value {
        Value::Version(Box::new(v))
    }
}

impl From<FileInfo> for Value {
    fn from(f: FileInfo) -> Value {
        Value::File(Box::new(f))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

/// How many characters of a fingerprint's hash the short display keeps.
const SHORT_HASH: usize = 12;

/// One-line display for reports: strings quoted, secrets as short
/// fingerprints, files as short hash, size and mode.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::Secret(fp) => write!(f, "secret {}", fp.short()),
            Value::Url(u) => write!(f, "{:?} (password {})", u.url, u.password.short()),
            Value::Version(v) => f.write_str(&v.text),
            Value::File(file) => {
                // A file whose text had a secret hidden has a keyed hash,
                // written as a fingerprint (`blake3k:ID:HEX`).
                match file.blake3.rsplit_once(':') {
                    Some((prefix, hex)) => {
                        let hash = hex.get(..SHORT_HASH).unwrap_or(hex);
                        write!(f, "{prefix}:{hash}… {} bytes", file.size)?;
                    }
                    None => {
                        let hash = file.blake3.get(..SHORT_HASH).unwrap_or(&file.blake3);
                        write!(f, "blake3:{hash}… {} bytes", file.size)?;
                    }
                }
                if let Some(mode) = file.mode {
                    write!(f, " mode {mode:04o}")?;
                }
                Ok(())
            }
            Value::Object(map) => {
                f.write_str("{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
            Value::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_equal_whole_floats() {
        assert_eq!(Value::Int(30), Value::Float(30.0));
        assert_ne!(Value::Int(30), Value::Float(30.5));
        assert_ne!(Value::Int(1), Value::String("1".into()));
        assert!(Value::Int(1).same_type(&Value::Float(2.0)));
        assert!(!Value::Int(1).same_type(&Value::String("1".into())));
    }

    #[test]
    fn nan_equals_nan() {
        assert_eq!(Value::Float(f64::NAN), Value::Float(f64::NAN));
    }

    #[test]
    fn file_text_does_not_take_part_in_equality() {
        let a = FileInfo {
            blake3: "ab".into(),
            size: 1,
            mode: Some(0o644),
            text: Some("x".into()),
        };
        let mut b = a.clone();
        b.text = None;
        assert_eq!(Value::from(a.clone()), Value::from(b));
        let mut c = a.clone();
        c.mode = Some(0o600);
        assert_ne!(Value::from(a), Value::from(c));
    }

    #[test]
    fn values_stay_small() {
        assert_eq!(std::mem::size_of::<Value>(), 32);
        assert_eq!(std::mem::size_of::<Option<Value>>(), 32);
    }
}
