//! Judging what is secret, and hiding it before it reaches a manifest.
//!
//! A value is secret when its key's name says so (`DB_PASSWORD`,
//! `stripe.apiKey`, `credentials.json:…`), when it is a URL with a password
//! (only the password is hidden), when it looks like a private key, or when a
//! policy glob names it. The [`Sanitizer`] applies these judgements to every
//! entry a collector records; [`scrub`] hides URL passwords in free text such
//! as error messages.

mod names;
mod own_name;

use crate::fingerprint::Fingerprinter;
use crate::key::KeyPath;
use crate::pattern::{KeyPattern, PatternError};
use crate::value::{SecretUrl, Value};

use names::NameJudge;
pub use names::{is_env_specific_name, is_secret_name, words};

/// Whether a text holds a PEM private key or a PuTTY/OpenSSH one.
pub fn looks_like_private_key(text: &str) -> bool {
    text.contains("PRIVATE KEY-----") || text.contains("PuTTY-User-Key-File")
}

/// A URL split around its password: `(before, password, after)` such that
/// `before + password + after` is the URL, and `before` ends with `:`.
fn split_url_password(text: &str) -> Option<(&str, &str, &str)> {
    let scheme_end = text.find("://")?;
    let scheme = &text[..scheme_end];
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
    {
        return None;
    }
    let rest_start = scheme_end + 3;
    let rest = &text[rest_start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let at = authority.rfind('@')?;
    let userinfo = &authority[..at];
    let colon = userinfo.find(':')?;
    let pw_start = rest_start + colon + 1;
    let pw_end = rest_start + at;
    Some((&text[..pw_start], &text[pw_start..pw_end], &text[pw_end..]))
}

/// Query parameters that carry secrets in connection strings.
fn is_secret_query_param(name: &str) -> bool {
    let key = KeyPath::env(name);
    is_secret_name(&key)
}

/// Hides the password of every URL in `text`, and secret-looking query
/// parameters. A userinfo password is replaced by `userinfo_replacement`, or
/// removed with its `:` when that is `None`; query values become `***`.
/// Returns the new text and the hidden parts, or `None` when nothing was hidden.
fn hide_url_secrets(
    text: &str,
    userinfo_replacement: Option<&str>,
) -> Option<(String, Vec<String>)> {
    if !text.contains("://") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut hidden = Vec::new();
    // URLs hold no spaces or quotes: look at each token on its own.
    let mut last = 0;
    for (start, token) in token_spans(text) {
        out.push_str(&text[last..start]);
        last = start + token.len();
        let mut tok = match split_url_password(token) {
            Some((before, pw, after)) if !pw.is_empty() => {
                hidden.push(pw.to_owned());
                match userinfo_replacement {
                    Some(r) => format!("{before}{r}{after}"),
                    None => format!("{}{after}", &before[..before.len() - 1]),
                }
            }
            _ => token.to_owned(),
        };
        if tok.contains("://")
            && let Some(q) = tok.find('?')
        {
            let (head, query) = tok.split_at(q + 1);
            let mut new_query = String::with_capacity(query.len());
            for (i, pair) in query.split('&').enumerate() {
                if i > 0 {
                    new_query.push('&');
                }
                match pair.split_once('=') {
                    Some((k, v)) if !v.is_empty() && is_secret_query_param(k) => {
                        hidden.push(v.to_owned());
                        new_query.push_str(k);
                        new_query.push_str("=***");
                    }
                    _ => new_query.push_str(pair),
                }
            }
            tok = format!("{head}{new_query}");
        }
        out.push_str(&tok);
    }
    out.push_str(&text[last..]);
    (!hidden.is_empty()).then_some((out, hidden))
}

fn token_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(|c: char| c.is_whitespace() || c == '\'' || c == '"' || c == '`')
        .scan(0usize, move |pos, tok| {
            let start = *pos;
            *pos += tok.len() + 1;
            Some((start, tok))
        })
        .filter(|(_, t)| !t.is_empty())
}

/// Hides URL passwords and secret query parameters in free text, for error
/// messages and logs: `postgres://app:hunter2@db/x` → `postgres://app:***@db/x`.
pub fn scrub(text: &str) -> String {
    hide_url_secrets(text, Some("***")).map_or_else(|| text.to_owned(), |(s, _)| s)
}

/// Hides, line by line, what follows `NAME=` or `NAME:` when NAME is a
/// secret word (`password = hunter2` → `password = ***`), and URL passwords:
/// for texts kept for line diffs, which no parser has judged key by key.
pub fn scrub_lines(text: &str) -> String {
    // A name is followed by `=` or `:`, and a URL holds `:`: a text with
    // neither (a plain list, prose) has nothing to hide.
    if !text.bytes().any(|b| b == b'=' || b == b':') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let Some(at) = line.find(['=', ':']) else {
            out.push_str(line);
            continue;
        };
        // The name as it is written: its words are the name's.
        if names::is_secret_word_text(&line[..at]) && !line[at + 1..].trim().is_empty() {
            out.push_str(&line[..=at]);
            out.push_str(" ***");
            if line.ends_with('\n') {
                out.push('\n');
            }
        } else if line.contains("://") {
            out.push_str(&scrub(line));
        } else {
            // Most lines hold no URL.
            out.push_str(line);
        }
    }
    out
}

/// Applies the secret judgements to entries before they enter a manifest.
#[derive(Debug, Clone, Default)]
pub struct Sanitizer {
    fingerprinter: Fingerprinter,
    extra: Vec<KeyPattern>,
    public: Vec<KeyPattern>,
}

impl Sanitizer {
    /// A sanitizer with the built-in judgements and the given fingerprinter.
    pub fn new(fingerprinter: Fingerprinter) -> Sanitizer {
        Sanitizer {
            fingerprinter,
            extra: Vec::new(),
            public: Vec::new(),
        }
    }

    /// Also treats keys matching these globs as secret.
    pub fn with_secret_globs<I, S>(mut self, globs: I) -> Result<Sanitizer, PatternError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for g in globs {
            self.extra.push(KeyPattern::new(g.as_ref())?);
        }
        Ok(self)
    }

    /// Treats keys matching these globs as not secret by name, even when
    /// their name says so (`env:TOKEN_TTL_SECONDS`). URL passwords and private
    /// keys are hidden regardless.
    pub fn with_public_globs<I, S>(mut self, globs: I) -> Result<Sanitizer, PatternError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for g in globs {
            self.public.push(KeyPattern::new(g.as_ref())?);
        }
        Ok(self)
    }

    /// The fingerprinter in use.
    pub fn fingerprinter(&self) -> &Fingerprinter {
        &self.fingerprinter
    }

    /// Whether `key` is secret by its name or a policy glob.
    ///
    /// Names are judged only in the layers that hold values an application
    /// reads (`env`, `config`, `file`): a package called `csrf-token` or a
    /// column called `password_hash` is a name, not a secret.
    pub fn is_secret_key(&self, key: &KeyPath) -> bool {
        self.is_secret_key_with(key.as_str(), None)
    }

    /// Names judged by `names` when keys come in runs, else one by one.
    fn is_secret_key_with(&self, key: &str, names: Option<&mut NameJudge>) -> bool {
        if self.extra.iter().any(|p| p.matches(key)) {
            return true;
        }
        let by_name = match names {
            Some(names) => names.is_secret(key),
            None => names::is_secret_key(key),
        };
        by_name && !self.public.iter().any(|p| p.matches(key))
    }

    /// The value to store for `key`: a fingerprint when secret, the URL
    /// without its password, or the value unchanged.
    pub fn sanitize(&self, key: &KeyPath, mut value: Value) -> Value {
        self.sanitize_in_place(key.as_str(), &mut value, None);
        value
    }

    /// [`Sanitizer::sanitize`] for each entry, in place. Keys that share a
    /// prefix with the key before them (the keys of one file, in order) are
    /// judged faster.
    pub fn sanitize_entries(&self, entries: &mut [(KeyPath, Value)]) {
        self.sanitize_each(0, entries.iter_mut().map(|(k, v)| (k.as_str(), v)));
    }

    /// [`Sanitizer::sanitize_entries`] for keys held as text (which must be
    /// valid key paths), whose first `shared` bytes are the same in all.
    pub(crate) fn sanitize_each<'k>(
        &self,
        shared: usize,
        entries: impl Iterator<Item = (&'k str, &'k mut Value)>,
    ) {
        let mut names = NameJudge::sharing(shared);
        for (key, value) in entries {
            self.sanitize_in_place(key, value, Some(&mut names));
        }
    }

    /// Hides what is secret in `value`, in place: most values (numbers,
    /// flags, plain words under names that are not secret) are left as
    /// they are without being moved.
    fn sanitize_in_place(&self, key: &str, value: &mut Value, names: Option<&mut NameJudge>) {
        if matches!(value, Value::Secret(_) | Value::Url(_)) {
            return;
        }
        if self.is_secret_key_with(key, names) {
            let plain = std::mem::replace(value, Value::Null);
            *value = self.hide_whole(key, plain);
            return;
        }
        let holds_text = match value {
            Value::String(s) => may_hide_text(s),
            Value::File(_) | Value::Object(_) => true,
            _ => false,
        };
        if holds_text {
            let plain = std::mem::replace(value, Value::Null);
            *value = self.sanitize_text_of(key, plain);
        }
    }

    /// The text of a value judged: private keys, URL passwords, secret
    /// lines of a file.
    fn sanitize_text_of(&self, key: &str, value: Value) -> Value {
        match value {
            Value::String(s) => self.sanitize_text(key, s),
            Value::File(mut f) => {
                if f.text.as_deref().is_some_and(looks_like_private_key) {
                    let fp = self
                        .fingerprinter
                        .fingerprint_text(key, f.blake3.as_bytes());
                    return Value::Secret(fp);
                }
                if let Some(t) = f.text.take() {
                    f.text = Some(scrub_lines(&t));
                }
                Value::File(f)
            }
            Value::Object(mut map) => {
                for v in map.values_mut() {
                    if let Value::String(s) = v {
                        let s = std::mem::take(s);
                        *v = self.sanitize_text(key, s);
                    }
                }
                Value::Object(map)
            }
            other => other,
        }
    }

    fn sanitize_text(&self, key: &str, s: String) -> Value {
        if !may_hide_text(&s) {
            return Value::String(s);
        }
        if looks_like_private_key(&s) {
            return Value::Secret(self.fingerprinter.fingerprint_text(key, s.as_bytes()));
        }
        if let Some((url, hidden)) = hide_url_secrets(&s, None) {
            let password = self
                .fingerprinter
                .fingerprint_text(key, hidden.join("\0").as_bytes());
            return Value::from(SecretUrl { url, password });
        }
        Value::String(s)
    }

    /// Whether [`Sanitizer::sanitize`] leaves an object of these strings
    /// at `key` as it is: the key is not secret, and no string can hide
    /// one.
    pub(crate) fn leaves_strings<'s>(
        &self,
        key: &KeyPath,
        mut strings: impl Iterator<Item = &'s str>,
    ) -> bool {
        !self.is_secret_key(key) && !strings.any(may_hide_text)
    }

    fn hide_whole(&self, key: &str, value: Value) -> Value {
        let bytes: Vec<u8> = match &value {
            Value::Null => return Value::Null,
            Value::String(s) => s.as_bytes().to_vec(),
            Value::File(f) => f.blake3.as_bytes().to_vec(),
            other => canonical_bytes(other),
        };
        Value::Secret(self.fingerprinter.fingerprint_text(key, &bytes))
    }
}

/// Whether text may hold a private key or a URL with a password: both are
/// written with `-` or `:`, and most values have neither.
fn may_hide_text(s: &str) -> bool {
    s.bytes().any(|b| b == b'-' || b == b':')
}

/// A stable byte form of a non-string value, for fingerprinting.
fn canonical_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    crate::manifest::write_value(&mut out, value).unwrap_or_default();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> KeyPath {
        KeyPath::new(s).unwrap()
    }

    #[test]
    fn entries_are_sanitized_as_one_by_one() {
        let s = Sanitizer::default()
            .with_secret_globs(["config:a.yaml:x.*"])
            .unwrap();
        let entries = [
            ("config:a.yaml:api", Value::from("v")),
            ("config:a.yaml:api.key", Value::from("v")),
            ("config:a.yaml:x.y", Value::Int(1)),
            ("config:a.yaml:url", Value::from("https://u:pw@h/")),
            (
                "config:a.yaml:pem",
                Value::from("-----BEGIN PRIVATE KEY-----"),
            ),
            ("config:b.yaml:name", Value::from("a-b:c")),
            ("package:npm:token", Value::from("1.0")),
        ];
        let mut batch: Vec<(KeyPath, Value)> =
            entries.iter().map(|(k, v)| (key(k), v.clone())).collect();
        s.sanitize_entries(&mut batch);
        for ((k, v), (_, got)) in entries.iter().zip(&batch) {
            assert_eq!(got, &s.sanitize(&key(k), v.clone()), "{k}");
        }
        assert!(batch[1].1.is_secret() && batch[2].1.is_secret() && batch[4].1.is_secret());
        assert_eq!(batch[5].1, Value::from("a-b:c"));
    }

    #[test]
    fn url_passwords_are_fingerprinted_and_the_rest_kept() {
        let s = Sanitizer::default();
        let k = key("env:DATABASE_URL");
        let v = s.sanitize(&k, Value::from("postgres://app:hunter2@db.prod:5432/shop"));
        let Value::Url(u) = &v else {
            panic!("expected a url, got {v:?}")
        };
        assert_eq!(u.url, "postgres://app@db.prod:5432/shop");
        assert!(!format!("{v:?} {v}").contains("hunter2"));
        let again = s.sanitize(&k, Value::from("postgres://app:hunter2@db.prod:5432/shop"));
        assert_eq!(v, again);
        let other = s.sanitize(&k, Value::from("postgres://app:hunter3@db.prod:5432/shop"));
        assert_ne!(v, other);
    }

    #[test]
    fn urls_without_password_stay_strings() {
        let s = Sanitizer::default();
        let v = s.sanitize(
            &key("env:API_URL"),
            Value::from("https://user@api.example.com/x"),
        );
        assert_eq!(v, Value::from("https://user@api.example.com/x"));
    }

    #[test]
    fn secret_query_parameters_hide_the_value() {
        let s = Sanitizer::default();
        let v = s.sanitize(
            &key("env:CACHE_URL"),
            Value::from("redis://cache:6379/0?password=hunter2&timeout=5"),
        );
        assert!(v.is_secret());
        assert!(!format!("{v}").contains("hunter2"));
    }

    #[test]
    fn secret_keys_of_any_type_become_fingerprints() {
        let s = Sanitizer::default();
        let v = s.sanitize(&key("config:a.yaml:db.password"), Value::Int(123456));
        assert!(matches!(v, Value::Secret(_)));
        let v = s.sanitize(&key("env:DB_PASSWORD"), Value::from("hunter2"));
        assert!(matches!(v, Value::Secret(_)));
    }

    #[test]
    fn private_key_values_are_hidden_whatever_the_key() {
        let s = Sanitizer::default();
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n";
        let v = s.sanitize(&key("env:TLS"), Value::from(pem));
        assert!(matches!(v, Value::Secret(_)));
    }

    #[test]
    fn names_of_packages_runtimes_and_schema_objects_are_not_secrets() {
        let s = Sanitizer::default();
        assert!(!s.is_secret_key(&key("package:npm:csrf-token")));
        assert!(!s.is_secret_key(&key("schema:postgres:column:public.users.password_hash")));
        assert!(s.is_secret_key(&key("env:DRIFT_FINGERPRINT_KEY")));
        let v = s.sanitize(
            &key("package:npm:secret-handshake"),
            Value::from(crate::value::Version {
                scheme: "semver".into(),
                text: "1.0.0".into(),
                dev: false,
            }),
        );
        assert!(matches!(v, Value::Version(_)));
    }

    #[test]
    fn policy_globs_add_and_remove_secrets() {
        let s = Sanitizer::default()
            .with_secret_globs(["env:INTERNAL_*"])
            .unwrap()
            .with_public_globs(["env:TOKEN_TTL*"])
            .unwrap();
        assert!(s.is_secret_key(&key("env:INTERNAL_SALT")));
        assert!(!s.is_secret_key(&key("env:TOKEN_TTL_SECONDS")));
        assert!(s.is_secret_key(&key("env:GITHUB_TOKEN")));
    }

    #[test]
    fn scrub_lines_hides_secret_assignments() {
        let t = "host = db\npassword = hunter2\nurl: http://u:pw@h/\n";
        let s = scrub_lines(t);
        assert_eq!(s, "host = db\npassword = ***\nurl: http://u:***@h/\n");
        // Lines without a separator, a URL in prose, a text with neither.
        let t = "plain line\nsee https://u:pw@h/x here\nsecret\n";
        assert_eq!(
            scrub_lines(t),
            "plain line\nsee https://u:***@h/x here\nsecret\n"
        );
        let t = "line key_0 913330\nline key_1 5\n";
        assert_eq!(scrub_lines(t), t);
    }

    #[test]
    fn scrub_hides_passwords_in_messages() {
        let m = scrub("could not connect to `mysql://root:s3cr3t@10.0.0.1:3306/app`: refused");
        assert_eq!(
            m,
            "could not connect to `mysql://root:***@10.0.0.1:3306/app`: refused"
        );
        assert_eq!(scrub("nothing to hide"), "nothing to hide");
    }
}
