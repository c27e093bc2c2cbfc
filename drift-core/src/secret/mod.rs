//! Judging what is secret, and hiding it before it reaches a manifest.
//!
//! One judge decides for every collector, erring toward hiding, in layers
//! ([`HiddenBy`]): a policy glob; the entry's own name (`DB_PASSWORD`,
//! `stripe.apiKey`, never words of a file path); content, whatever the
//! name (private key blocks, JWTs, provider token formats, URL userinfo,
//! connection strings, `Authorization` headers, command-line options —
//! `content`); shape (opaque high-entropy tokens — `shape`); structure
//! (list items and command lines, documents and base64 inside strings,
//! Kubernetes Secrets — `judge`, `kube`). Text kept for line diffs is
//! judged line by line (`lines`). The [`Sanitizer`] applies the layers to
//! every entry a collector records and counts what each hid; [`scrub`]
//! hides URL passwords in free text such as error messages. docs/secrets.md
//! is the user's account of all this.

mod content;
mod judge;
mod kube;
mod lines;
mod names;
mod own_name;
#[cfg(test)]
mod placements;
mod shape;

use crate::fingerprint::Fingerprinter;
use crate::key::KeyPath;
use crate::pattern::{KeyPattern, PatternError};
use crate::value::{SecretUrl, Value};

pub use judge::{HiddenBy, UnknownLayer};
use names::NameJudge;
pub(crate) use names::is_env_specific_name;
pub use names::is_secret_name;

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

/// Hides URL passwords, secret query parameters and whatever the content
/// rules find (tokens of known formats, key blocks, connection-string
/// passwords) in free text, for error messages, sources and logs:
/// `postgres://app:hunter2@db/x` → `postgres://app:***@db/x`.
pub fn scrub(text: &str) -> String {
    let text = hide_url_secrets(text, Some("***")).map_or_else(|| text.to_owned(), |(s, _)| s);
    let spans = content::find(&text);
    if spans.is_empty() {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for span in spans {
        out.push_str(&text[last..span.range.start]);
        out.push_str("***");
        last = span.range.end;
    }
    out.push_str(&text[last..]);
    out
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
///
/// The layers, in order: policy globs (`with_secret_globs`), the entry's own
/// name, then — whatever the name — the value's content, structure and
/// shape (see [`HiddenBy`]). Booleans and null are never hidden; a number
/// only by name or glob. Globs given with [`Sanitizer::with_public_globs`]
/// (a drift.toml's `[secrets] public`, which may come from an untrusted
/// change) un-hide only what the name layer hid; those given with
/// [`Sanitizer::with_overriding_public_globs`] (the command line) win over
/// every judgement.
#[derive(Debug, Clone, Default)]
pub struct Sanitizer {
    fingerprinter: Fingerprinter,
    extra: Vec<KeyPattern>,
    public: Vec<KeyPattern>,
    overriding_public: Vec<KeyPattern>,
    counts: std::sync::Arc<HiddenCounts>,
}

/// The collector name under which a manifest's coverage counts what the
/// secret judge hid, by layer.
pub const HIDDEN_COVERAGE: &str = "secrets";

/// How many values each layer hid, counted across the clones of one
/// sanitizer (collectors run on many threads).
#[derive(Debug, Default)]
struct HiddenCounts([std::sync::atomic::AtomicU64; HiddenBy::ALL.len()]);

impl HiddenCounts {
    fn add(&self, by: HiddenBy) {
        self.0[by as usize].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Sanitizer {
    /// A sanitizer with the built-in judgements and the given fingerprinter.
    pub fn new(fingerprinter: Fingerprinter) -> Sanitizer {
        Sanitizer {
            fingerprinter,
            ..Sanitizer::default()
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
    /// their name says so (`env:TOKEN_TTL_SECONDS`). What the content,
    /// structure or shape of a value shows to be secret stays hidden: a
    /// drift.toml may come from an untrusted change.
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

    /// Treats keys matching these globs as not secret at all, whatever any
    /// judgement says: for the person running drift (`--public`), never
    /// for a file that may come from someone else. Secret globs still win.
    pub fn with_overriding_public_globs<I, S>(mut self, globs: I) -> Result<Sanitizer, PatternError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for g in globs {
            self.overriding_public.push(KeyPattern::new(g.as_ref())?);
        }
        Ok(self)
    }

    /// The fingerprinter in use.
    pub fn fingerprinter(&self) -> &Fingerprinter {
        &self.fingerprinter
    }

    /// How many values each layer has hidden so far, in this sanitizer and
    /// its clones: for a report's counts (never the values).
    pub fn hidden_counts(&self) -> Vec<(HiddenBy, u64)> {
        HiddenBy::ALL
            .iter()
            .map(|&by| {
                let n = self.counts.0[by as usize].load(std::sync::atomic::Ordering::Relaxed);
                (by, n)
            })
            .collect()
    }

    /// The same judgements with counts of their own: a manifest records
    /// how many values it had hidden, not those of other manifests judged
    /// by clones of one sanitizer.
    pub(crate) fn counting_apart(mut self) -> Sanitizer {
        self.counts = std::sync::Arc::default();
        self
    }

    /// The counts as a manifest's coverage: `secrets` hid N values by a
    /// layer (`name`, `content`…), for each layer that hid any.
    pub(crate) fn hidden_coverage(&self) -> Vec<crate::manifest::Coverage> {
        self.hidden_counts()
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(by, n)| crate::manifest::Coverage {
                collector: HIDDEN_COVERAGE.to_owned(),
                source: by.as_str().to_owned(),
                items: n,
            })
            .collect()
    }

    /// Whether `key` is secret by its own name or a policy glob.
    ///
    /// Names are judged only in the layers that hold values an application
    /// reads (`env`, `config`, `file`): a package called `csrf-token` or a
    /// column called `password_hash` is a name, not a secret.
    pub fn is_secret_key(&self, key: &KeyPath) -> bool {
        self.judge_key(key.as_str(), None).is_some()
    }

    /// The layer that hides every value of `key` whatever it holds: a
    /// policy glob ([`HiddenBy::Policy`]) or the key's own name
    /// ([`HiddenBy::Name`]); `None` when only what a value holds (content,
    /// shape, structure) could hide it. Manifests record how many values
    /// each layer hid, not which: `drift explain` judges the key again.
    /// A Kubernetes reference by name (`…secretKeyRef.key`) is hidden only
    /// by policy: its values are names, never secrets.
    pub fn key_judgement(&self, key: &KeyPath) -> Option<HiddenBy> {
        if kube::is_reference_field(key.as_str()) {
            return self.by_policy(key.as_str());
        }
        self.judge_key(key.as_str(), None)
    }

    /// [`HiddenBy::Policy`] when a secret glob names `key`.
    fn by_policy(&self, key: &str) -> Option<HiddenBy> {
        self.extra
            .iter()
            .any(|p| p.matches(key))
            .then_some(HiddenBy::Policy)
    }

    /// The layer that hides every value of `key` whatever it holds, if any.
    fn judge_key(&self, key: &str, names: Option<&mut NameJudge>) -> Option<HiddenBy> {
        if self.extra.iter().any(|p| p.matches(key)) {
            return Some(HiddenBy::Policy);
        }
        if self.is_overridden(key) {
            return None;
        }
        let by_name = match names {
            Some(names) => names.is_secret(key),
            None => names::is_secret_key(key),
        };
        (by_name && !self.public.iter().any(|p| p.matches(key))).then_some(HiddenBy::Name)
    }

    /// Whether the command line said this key is not secret.
    fn is_overridden(&self, key: &str) -> bool {
        !self.overriding_public.is_empty() && self.overriding_public.iter().any(|p| p.matches(key))
    }

    /// The value to store for `key`: a fingerprint when secret, the text
    /// with its secret parts hidden, or the value unchanged.
    pub fn sanitize(&self, key: &KeyPath, mut value: Value) -> Value {
        self.sanitize_in_place(key.as_str(), &mut value, None);
        value
    }

    /// [`Sanitizer::sanitize`] for each entry, in place. Keys that share a
    /// prefix with the key before them (the keys of one file, in order) are
    /// judged faster.
    pub fn sanitize_entries(&self, entries: &mut [(KeyPath, Value)]) {
        let secret_docs = secret_documents(entries);
        self.sanitize_entries_in(entries, &secret_docs);
    }

    /// [`Sanitizer::sanitize_entries`] for a part of the entries, given the
    /// Kubernetes Secrets found among all of them ([`secret_documents`]).
    pub(crate) fn sanitize_entries_in(
        &self,
        entries: &mut [(KeyPath, Value)],
        secret_docs: &[String],
    ) {
        self.sanitize_each(
            0,
            secret_docs,
            entries.iter_mut().map(|(k, v)| (k.as_str(), v)),
        );
    }

    /// [`Sanitizer::sanitize_entries`] for keys held as text (which must be
    /// valid key paths), whose first `shared` bytes are the same in all;
    /// `secret_docs` are the prefixes of Kubernetes Secrets among them
    /// ([`kube::secret_documents`]).
    pub(crate) fn sanitize_each<'k>(
        &self,
        shared: usize,
        secret_docs: &[String],
        entries: impl Iterator<Item = (&'k str, &'k mut Value)>,
    ) {
        let mut names = NameJudge::sharing(shared);
        for (key, value) in entries {
            if !secret_docs.is_empty() && kube::is_secret_data(secret_docs, key) {
                self.hide_in_place(key, value, HiddenBy::Structure);
                continue;
            }
            self.sanitize_in_place(key, value, Some(&mut names));
        }
    }

    /// Hides what is secret in `value`, in place: most values (numbers,
    /// flags, plain words under names that are not secret) are left as
    /// they are without being moved.
    fn sanitize_in_place(&self, key: &str, value: &mut Value, names: Option<&mut NameJudge>) {
        if key.starts_with("k8s:") && kube::is_kube_secret_value(key) {
            self.hide_in_place(key, value, HiddenBy::Structure);
            return;
        }
        match value {
            Value::Secret(_) | Value::Url(_) | Value::Null | Value::Bool(_) => return,
            Value::Int(_) | Value::Float(_) | Value::Version(_) => {
                if let Some(by) = self.judge_key(key, names) {
                    self.hide_in_place(key, value, by);
                }
                return;
            }
            _ => {}
        }
        let by = match value {
            // A Kubernetes reference names a Secret or its key: not hidden
            // by its own name (`secretKeyRef.key`), only by policy.
            Value::String(s) if key.starts_with("k8s:") && kube::is_reference(key, s) => {
                self.by_policy(key)
            }
            _ => self.judge_key(key, names),
        };
        if let Some(by) = by {
            self.hide_in_place(key, value, by);
            return;
        }
        if self.is_overridden(key) {
            return;
        }
        match value {
            Value::String(s) => {
                if let Some(v) = self.judged_string(key, s) {
                    *value = v;
                }
            }
            Value::List(items) => self.judge_list(key, items),
            Value::File(f) => self.judge_file(key, f),
            Value::Object(map) => {
                for v in map.values_mut() {
                    if let Value::String(s) = v
                        && let Some(judged) = self.judged_string(key, s)
                    {
                        *v = judged;
                    }
                }
            }
            _ => {}
        }
    }

    /// Replaces a value by its fingerprint, counting the layer that hid it.
    fn hide_in_place(&self, key: &str, value: &mut Value, by: HiddenBy) {
        if matches!(value, Value::Null | Value::Secret(_)) {
            return;
        }
        let plain = std::mem::replace(value, Value::Null);
        *value = self.hide_whole(key, plain);
        self.counts.add(by);
    }

    /// The value a string becomes when anything in it is secret.
    fn judged_string(&self, key: &str, s: &str) -> Option<Value> {
        if is_plain_word(s) {
            return None;
        }
        if may_hide_text(s) && looks_like_private_key(s) {
            self.counts.add(HiddenBy::Content);
            return Some(Value::Secret(
                self.fingerprinter.fingerprint_text(key, s.as_bytes()),
            ));
        }
        // A URL's password alone is hidden, the URL kept: the form
        // manifests have always had.
        let (text, mut hidden) = match hide_url_secrets(s, None) {
            Some((url, hidden)) if may_hide_text(s) => (url, hidden),
            _ => (s.to_owned(), Vec::new()),
        };
        let by = match judge::judge_string(&text) {
            judge::Verdict::Plain if hidden.is_empty() => return None,
            judge::Verdict::Plain => HiddenBy::Content,
            judge::Verdict::Whole(by) => {
                self.counts.add(by);
                return Some(Value::Secret(
                    self.fingerprinter.fingerprint_text(key, s.as_bytes()),
                ));
            }
            judge::Verdict::Parts {
                shown,
                hidden: parts,
                by,
            } => {
                hidden.extend(parts);
                return Some(self.partly_hidden(key, shown, &hidden, by));
            }
        };
        Some(self.partly_hidden(key, text, &hidden, by))
    }

    /// A text with its secret parts removed, and their fingerprint.
    fn partly_hidden(&self, key: &str, shown: String, hidden: &[String], by: HiddenBy) -> Value {
        self.counts.add(by);
        let password = self
            .fingerprinter
            .fingerprint_text(key, hidden.join("\0").as_bytes());
        Value::from(SecretUrl {
            url: shown,
            password,
        })
    }

    /// Judges each item of a list: strings by content, `NAME=value` and
    /// `--flag=value` items by their name, and the item after a secret
    /// `--flag` (`["--token", "…"]`).
    fn judge_list(&self, key: &str, items: &mut [Value]) {
        self.judge_list_as_command(key, items);
        let mut after_secret_flag = false;
        for item in items.iter_mut() {
            let flag_before = std::mem::take(&mut after_secret_flag);
            let Value::String(s) = item else {
                if let Value::List(inner) = item {
                    self.judge_list(key, inner);
                }
                continue;
            };
            if flag_before && !s.starts_with('-') {
                self.hide_in_place(key, item, HiddenBy::Structure);
                continue;
            }
            if is_option(s) {
                after_secret_flag = names::is_secret_word_text(s.trim_start_matches('-'));
                continue;
            }
            if let Some(v) = self.judged_string(key, s) {
                // A list item partly hidden is hidden whole: lists are
                // compared as wholes.
                *item = match v {
                    Value::Url(_) => self.hide_whole(key, std::mem::replace(item, Value::Null)),
                    other => other,
                };
            }
        }
    }

    /// Judges a list of strings read as one command line (`["curl", "-u",
    /// "probe:PW", …]`): an item holding any part of what the content
    /// rules find in the joined words is hidden whole.
    fn judge_list_as_command(&self, key: &str, items: &mut [Value]) {
        let words = items
            .iter()
            .filter(|v| matches!(v, Value::String(_)))
            .count();
        if words < 2 {
            return;
        }
        let mut joined = String::new();
        let mut ranges = Vec::with_capacity(items.len());
        for item in items.iter() {
            match item {
                Value::String(s) if !s.contains('\n') => {
                    if !joined.is_empty() {
                        joined.push(' ');
                    }
                    ranges.push(Some(joined.len()..joined.len() + s.len()));
                    joined.push_str(s);
                }
                _ => ranges.push(None),
            }
        }
        let spans = content::find(&joined);
        if spans.is_empty() {
            return;
        }
        for (item, range) in items.iter_mut().zip(ranges) {
            let Some(range) = range else { continue };
            if spans
                .iter()
                .any(|s| s.range.start < range.end && range.start < s.range.end)
            {
                self.hide_in_place(key, item, HiddenBy::Structure);
            }
        }
    }

    /// Judges the text a file keeps for line diffs. When anything was
    /// hidden, the file's hash is no longer the plain BLAKE3 of its
    /// content, from which a short secret could be guessed offline: it is
    /// keyed when a fingerprint key is configured (`blake3k:ID:HEX`, so
    /// changes still show), else the hash and size of the text as shown.
    fn judge_file(&self, key: &str, f: &mut crate::value::FileInfo) {
        if f.text.as_deref().is_some_and(looks_like_private_key) {
            let fp = self
                .fingerprinter
                .fingerprint_text(key, f.blake3.as_bytes());
            self.counts.add(HiddenBy::Content);
            f.text = None;
            f.blake3 = fp.as_str().to_owned();
            return;
        }
        let Some(text) = f.text.take() else {
            return;
        };
        let (shown, hid) = lines::scrub_text(&text);
        if hid {
            self.counts.add(HiddenBy::Content);
            if self.fingerprinter.key_id().is_some() {
                let fp = self.fingerprinter.fingerprint_text(key, text.as_bytes());
                f.blake3 = fp.as_str().to_owned();
            } else {
                f.blake3 = blake3::hash(shown.as_bytes()).to_hex().to_string();
                f.size = shown.len() as u64;
            }
            f.text = Some(shown);
        } else {
            f.text = Some(text);
        }
    }

    /// Whether [`Sanitizer::sanitize`] leaves an object of these strings
    /// at `key` as it is: the key is not secret, and no string can hide
    /// one.
    pub(crate) fn leaves_strings<'s>(
        &self,
        key: &KeyPath,
        mut strings: impl Iterator<Item = &'s str>,
    ) -> bool {
        !self.is_secret_key(key) && !strings.any(|s| self.judged_string(key.as_str(), s).is_some())
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

/// The shortest key segment judged as a possible credential: tokens are
/// long, names mostly short.
pub(crate) const MIN_CREDENTIAL_SEGMENT: usize = 16;

/// Whether a key segment (a map's key, a list item's identity) is itself a
/// credential, by its content or shape: such a segment would print the
/// credential in every finding on its key.
pub(crate) fn is_credential_segment(text: &str) -> bool {
    if is_plain_identifier(text) {
        return false;
    }
    (content::may_hold(text) && !content::find(text).is_empty()) || shape::is_opaque_token(text)
}

/// The common long key segment (`section_2_key_10`, `max_idle_connections`):
/// lower-case letters and digits in `_`-separated parts shorter than 10.
/// No content rule matches one (their prefixes take a run of 10 or more
/// after them, or punctuation, or upper case; `github_pat_` aside), and the
/// shape layer wants a part of 16 in one-case text: such a segment is no
/// credential, without running either.
fn is_plain_identifier(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && text.split('_').all(|part| part.len() < 10)
        && !text.contains("github_pat")
}

/// The segment written instead of a credential: `hidden-` and 16 hex digits
/// of a digest of it (the same credential gives the same segment, so
/// environments still compare; a high-entropy token cannot be guessed back
/// from it).
pub(crate) fn hidden_segment(text: &str) -> String {
    let digest = blake3::derive_key(
        "drift-manifest/1 2026-12 hidden key segment",
        text.as_bytes(),
    );
    let mut out = String::from("hidden-");
    for b in &digest[..8] {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Whether a key's own name says secret in a layer of values an
/// application reads: such values need only be present by default (they
/// differ between environments by design).
pub(crate) fn is_secret_by_name(key: &KeyPath) -> bool {
    names::is_secret_key(key.as_str())
}

/// The prefixes of the Kubernetes Secret documents among `entries`, whose
/// `data` and `stringData` are hidden whatever their names.
pub(crate) fn secret_documents(entries: &[(KeyPath, Value)]) -> Vec<String> {
    kube::secret_documents(entries.iter().map(|(k, v)| (k.as_str(), v)))
}

/// [`secret_documents`] for entries with their keys as text.
pub(crate) fn kube_secret_documents<'k>(
    entries: impl Iterator<Item = (&'k str, &'k Value)>,
) -> Vec<String> {
    kube::secret_documents(entries)
}

/// Whether text may hold a private key or a URL with a password: both are
/// written with `-` or `:`, and most values have neither.
/// The most common values by far (numbers, short words, `true`) hold no
/// secret by any layer: every content rule needs punctuation or at least
/// 20 characters, and shape and base64 need 16. Shorter than that and
/// letters and digits only, a string is plain without further judgement.
fn is_plain_word(s: &str) -> bool {
    s.len() < shape::MIN_LEN && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Whether a list item is a command-line option name (`--token`, `-p`),
/// not a value that starts with a dash (a key block's `-----BEGIN`).
fn is_option(s: &str) -> bool {
    let name = s.strip_prefix("--").or_else(|| s.strip_prefix('-'));
    name.is_some_and(|n| {
        n.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && !n.contains('=')
            && !n.bytes().any(|c| c.is_ascii_whitespace())
    })
}

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
    fn plain_words_are_plain_by_the_full_judgement_too() {
        // The shortcut in judged_string must agree with the judge it skips:
        // every short word of letters and digits, including the start of
        // every provider prefix and high-entropy ones, is plain there too.
        let mut next = 0x2545_f491_4f6c_dd1du64;
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut words: Vec<String> = ["AKIAIOSFODNN7EX", "SK0123456789abc", "mysql", "ghp", "xoxb"]
            .map(String::from)
            .to_vec();
        for _ in 0..20_000 {
            next ^= next << 13;
            next ^= next >> 7;
            next ^= next << 17;
            let len = 1 + (next % 15) as usize;
            let word: String = (0..len)
                .map(|i| alphabet[((next >> (i * 4)) as usize + i * 7) % alphabet.len()] as char)
                .collect();
            words.push(word);
        }
        for w in words {
            assert!(is_plain_word(&w), "{w}");
            assert_eq!(judge::judge_string(&w), judge::Verdict::Plain, "{w}");
        }
        assert!(!is_plain_word("sixteen_chars_xx"));
        assert!(!is_plain_word("a-b"));
    }

    #[test]
    fn plain_identifiers_are_no_credentials_by_the_full_judgement_either() {
        let mut next = 0x9e37_79b9_7f4a_7c15u64;
        let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789_";
        let mut segments: Vec<String> = [
            "section_2_key_10",
            "sk_live_abcdefgh_x",
            "ghp_abcdefghi_jklmnopqr_stuvwxyz0_123456",
            "npm_abcdefghi_jklmnopqr_stuvwxyz0_1234",
            "whsec_abcdefghi_jklmnopq_rstuvwx",
            "xoxb_123456789_123456789_abcdefghi",
        ]
        .map(String::from)
        .to_vec();
        for _ in 0..50_000 {
            next ^= next << 13;
            next ^= next >> 7;
            next ^= next << 17;
            let len = 16 + (next % 48) as usize;
            let mut n = next;
            let mut segment = String::new();
            while segment.len() < len {
                n = n.rotate_left(5) ^ 0x5851_f42d_4c95_7f2d;
                // Parts of 1 to 11 letters and digits: most under 10.
                let part = 1 + (n % 11) as usize;
                if !segment.is_empty() {
                    segment.push('_');
                }
                for _ in 0..part {
                    n = n.rotate_left(7) ^ 0x2545_f491_4f6c_dd1d;
                    segment.push(alphabet[(n % (alphabet.len() as u64 - 1)) as usize] as char);
                }
            }
            segments.push(segment);
        }
        let mut plain = 0;
        for s in &segments {
            if is_plain_identifier(s) {
                plain += 1;
                let full = (content::may_hold(s) && !content::find(s).is_empty())
                    || shape::is_opaque_token(s);
                assert!(!full, "{s}");
            }
        }
        assert!(plain > 1_000, "{plain}");
        assert!(!is_plain_identifier("github_pat_11abc_def"));
        assert!(!is_plain_identifier("sk_live_abcdefghij"));
    }

    #[test]
    fn a_drift_toml_can_only_unhide_names_the_command_line_anything() {
        let token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
        let name_only = "plain-value";
        let toml = Sanitizer::default().with_public_globs(["env:*"]).unwrap();
        let cli = Sanitizer::default()
            .with_overriding_public_globs(["env:*"])
            .unwrap();
        // A drift.toml's public glob un-hides what the name layer hid…
        let v = toml.sanitize(&key("env:API_TOKEN"), Value::from(name_only));
        assert_eq!(v, Value::from(name_only));
        // …never what the content layer found, under any name.
        for k in ["env:API_TOKEN", "env:GREETING"] {
            assert!(
                toml.sanitize(&key(k), Value::from(token)).is_secret(),
                "{k}"
            );
            // The command line wins over every judgement.
            assert_eq!(
                cli.sanitize(&key(k), Value::from(token)),
                Value::from(token)
            );
        }
        // And --secret hides what no layer would.
        let hide = Sanitizer::default()
            .with_overriding_public_globs(["env:*"])
            .unwrap()
            .with_secret_globs(["env:GREETING"])
            .unwrap();
        assert!(
            hide.sanitize(&key("env:GREETING"), Value::from("hello"))
                .is_secret()
        );
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
        let token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
        for text in [
            format!("`/srv/{token}/x` does not exist"),
            format!("`https://{token}@npm.example/l.json` does not exist"),
        ] {
            let m = scrub(&text);
            assert!(!m.contains("16C7e42F"), "{m}");
            assert!(m.contains("does not exist"), "{m}");
        }
    }
}
