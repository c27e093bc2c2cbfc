//! Judging key names: the words of a name, and which words make it secret
//! or environment-specific.

use crate::key::{KeyPath, Layer};

/// Single words that make a key name secret, compared case-insensitively.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "tokens",
    "credential",
    "credentials",
    "creds",
    "apikey",
    "privatekey",
    "keystore",
    "truststore",
];

/// Pairs of consecutive words that make a key name secret (`API_KEY`).
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("private", "key"),
    ("access", "key"),
    ("signing", "key"),
    ("encryption", "key"),
    ("master", "key"),
    ("session", "key"),
    ("auth", "key"),
    ("license", "key"),
    ("client", "key"),
    ("account", "key"),
    ("ssh", "key"),
    ("service", "key"),
    ("secret", "key"),
    ("fingerprint", "key"),
];

/// Last words that make a key environment-specific (hosts, addresses).
const ENV_SPECIFIC_WORDS: &[&str] = &[
    "host",
    "hosts",
    "hostname",
    "url",
    "urls",
    "uri",
    "uris",
    "endpoint",
    "endpoints",
    "addr",
    "address",
    "domain",
    "dsn",
];

/// Splits a name into words at non-alphanumerics and camelCase boundaries,
/// without allocating: `dbPassword` → `db`, `Password`; `APIKey` → `API`, `Key`.
pub fn words(name: &str) -> impl Iterator<Item = &str> {
    let bytes = name.as_bytes();
    let mut start = 0usize;
    let mut i = 0usize;
    std::iter::from_fn(move || {
        while i <= bytes.len() {
            // Lower-case letters and digits neither end a word nor start
            // one: skip them in a tight loop.
            while bytes
                .get(i)
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                i += 1;
            }
            let at_end = i == bytes.len();
            let b = if at_end { 0 } else { bytes[i] };
            if at_end || !b.is_ascii_alphanumeric() {
                let word = &name[start..i];
                // A separator: skip the whole character, so that the next
                // word starts on a character boundary (`é` is two bytes).
                i += 1;
                while bytes.get(i).is_some_and(|b| b & 0xc0 == 0x80) {
                    i += 1;
                }
                start = i;
                if !word.is_empty() {
                    return Some(word);
                }
                continue;
            }
            // A boundary inside an alphanumeric run.
            if i > start {
                let prev = bytes[i - 1];
                let next_lower = bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase);
                let boundary = (prev.is_ascii_lowercase() && b.is_ascii_uppercase())
                    || (prev.is_ascii_uppercase() && b.is_ascii_uppercase() && next_lower);
                if boundary {
                    let word = &name[start..i];
                    start = i;
                    i += 1;
                    return Some(word);
                }
            }
            i += 1;
        }
        None
    })
}

/// For each first letter `a`–`z`, bit `n` is set when a word of length `n`
/// starting with that letter is in the list: a quick reject, since most
/// words of most keys are not secret (judging every key of a manifest of
/// millions of entries is otherwise a large part of building it).
type WordFilter = [u32; 26];

const WORD_FILTER: WordFilter = filter_of(SECRET_WORDS);

/// The same for the second words of [`SECRET_PAIRS`].
const PAIR_FILTER: WordFilter = pair_filter(true);

/// The same for the first words of [`SECRET_PAIRS`].
const PAIR_START_FILTER: WordFilter = pair_filter(false);

// Which pairs a word starts is a bit set of a `u32`.
const _: () = assert!(SECRET_PAIRS.len() <= 32);

const fn filter_of(list: &[&str]) -> WordFilter {
    let mut t = [0u32; 26];
    let mut i = 0;
    while i < list.len() {
        let w = list[i].as_bytes();
        t[(w[0] - b'a') as usize] |= 1 << w.len();
        i += 1;
    }
    t
}

const fn pair_filter(second: bool) -> WordFilter {
    let mut t = [0u32; 26];
    let mut i = 0;
    while i < SECRET_PAIRS.len() {
        let w = if second {
            SECRET_PAIRS[i].1
        } else {
            SECRET_PAIRS[i].0
        }
        .as_bytes();
        t[(w[0] - b'a') as usize] |= 1 << w.len();
        i += 1;
    }
    t
}

/// Whether `word` may be in the list `filter` was made from.
fn may_be(filter: &WordFilter, word: &str) -> bool {
    let bytes = word.as_bytes();
    let first = bytes.first().map_or(0, u8::to_ascii_lowercase);
    first.is_ascii_lowercase()
        && bytes.len() < 32
        && filter[usize::from(first - b'a')] & (1 << bytes.len()) != 0
}

/// Which of [`SECRET_PAIRS`] start with `word` (bit `i` for pair `i`).
fn pair_starts(word: &str) -> u32 {
    if !may_be(&PAIR_START_FILTER, word) {
        return 0;
    }
    SECRET_PAIRS
        .iter()
        .enumerate()
        .filter(|(_, (a, _))| word.eq_ignore_ascii_case(a))
        .fold(0, |bits, (i, _)| bits | 1 << i)
}

/// What the words of a name said so far: whether one made it secret, and
/// which secret pairs the last word starts.
///
/// A name scanned in two parts is judged as a whole when the first part
/// ends with an ASCII separator (neither letter nor digit): no word spans
/// it, and a pair that does is carried over by the last word.
#[derive(Debug, Clone, Copy, Default)]
struct NameScan {
    secret: bool,
    pairs: u32,
}

impl NameScan {
    /// Goes on with the words of `text`.
    fn feed(mut self, text: &str) -> NameScan {
        if self.secret {
            return self;
        }
        for word in words(text) {
            let secret_word = may_be(&WORD_FILTER, word)
                && SECRET_WORDS.iter().any(|w| word.eq_ignore_ascii_case(w));
            let secret_pair = self.pairs != 0
                && may_be(&PAIR_FILTER, word)
                && SECRET_PAIRS
                    .iter()
                    .enumerate()
                    .any(|(i, (_, b))| self.pairs & 1 << i != 0 && word.eq_ignore_ascii_case(b));
            if secret_word || secret_pair {
                self.secret = true;
                return self;
            }
            self.pairs = pair_starts(word);
        }
        self
    }
}

/// Whether a key path's name marks it as secret, by its words anywhere in
/// the body (`env:DB_PASSWORD`, `config:credentials.json:client_email`).
pub fn is_secret_name(key: &KeyPath) -> bool {
    NameScan::default().feed(key.body()).secret
}

/// Judges the names of many keys, the prefix they share once: consecutive
/// keys of one file share `config:PATH:`. The judgement is that of
/// [`is_secret_name`] and [`names_a_value`] together.
#[derive(Debug, Default)]
pub(super) struct NameJudge {
    /// The text up to and including the last `:` of the last key that was
    /// not under the previous prefix.
    prefix: String,
    /// The words of the prefix's body.
    scan: NameScan,
    /// Whether the prefix's layer holds values an application reads.
    names_values: bool,
}

impl NameJudge {
    /// Whether `key` is in a layer of values and its name says secret.
    pub(super) fn is_secret(&mut self, text: &str) -> bool {
        if self.prefix.is_empty() || !text.starts_with(&self.prefix) {
            // Key paths have a `:` after their layer; the prefix ends with
            // one, a separator.
            let colon = text.find(':').unwrap_or(0);
            let end = text.rfind(':').map_or(0, |i| i + 1);
            self.prefix.clear();
            self.prefix.push_str(&text[..end]);
            self.scan = NameScan::default().feed(text.get(colon + 1..end).unwrap_or(""));
            self.names_values = names_a_value(Layer::from_prefix(&text[..colon]));
        }
        self.names_values && self.scan.feed(&text[self.prefix.len()..]).secret
    }
}

/// Whether names are judged in `layer`: only the layers that
/// hold values an application reads (`env`, `config`, `file`) — a package
/// called `csrf-token` or a column called `password_hash` is a name, not a
/// secret.
fn names_a_value(layer: Layer) -> bool {
    matches!(
        layer,
        Layer::Env | Layer::Config | Layer::File | Layer::Other
    )
}

/// Whether a key's last word names a host, URL or endpoint, whose value is
/// expected to differ between environments.
pub fn is_env_specific_name(key: &KeyPath) -> bool {
    let w = last_word(key.body());
    ENV_SPECIFIC_WORDS.iter().any(|e| w.eq_ignore_ascii_case(e))
}

/// The last word of a name (see [`words`]), found from the end.
fn last_word(text: &str) -> &str {
    let b = text.as_bytes();
    let mut end = b.len();
    while end > 0 && !b[end - 1].is_ascii_alphanumeric() {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && b[start - 1].is_ascii_alphanumeric() {
        start -= 1;
    }
    words(&text[start..end]).last().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> KeyPath {
        KeyPath::new(s).unwrap()
    }

    #[test]
    fn words_split_snake_kebab_and_camel_case() {
        let w: Vec<&str> = words("dbPassword").collect();
        assert_eq!(w, ["db", "Password"]);
        let w: Vec<&str> = words("APIKey_value-x.y").collect();
        assert_eq!(w, ["API", "Key", "value", "x", "y"]);
        let w: Vec<&str> = words("").collect();
        assert!(w.is_empty());
        // Non-ASCII characters separate words, whole.
        let w: Vec<&str> = words("é0_ünter.Straße").collect();
        assert_eq!(w, ["0", "nter", "Stra", "e"]);
    }

    #[test]
    fn a_name_that_starts_with_a_non_ascii_letter_is_judged_without_panic() {
        assert!(!is_secret_name(&key("config:a.yaml:é0")));
        assert!(is_secret_name(&key("config:a.yaml:é_password")));
    }

    #[test]
    fn secret_names() {
        for k in [
            "env:DB_PASSWORD",
            "env:STRIPE_API_KEY",
            "env:GITHUB_TOKEN",
            "config:app.yaml:stripe.apiKey",
            "config:credentials.json:client_email",
            "env:AWS_SECRET_ACCESS_KEY",
            "env:DB_PASS",
            "config:x.yaml:tls.privateKey",
        ] {
            assert!(is_secret_name(&key(k)), "{k} should be secret");
        }
        for k in [
            "env:PAYMENT_GATEWAY_TIMEOUT_MS",
            "env:BYPASS_CACHE",
            "config:app.yaml:section_0_key_1",
            "config:app.yaml:tokenizer.model",
            "env:PRIMARY_KEY_COLUMN",
        ] {
            assert!(!is_secret_name(&key(k)), "{k} should not be secret");
        }
    }

    #[test]
    fn env_specific_names() {
        assert!(is_env_specific_name(&key("env:DATABASE_HOST")));
        assert!(is_env_specific_name(&key("config:a.yaml:api.baseUrl")));
        assert!(is_env_specific_name(&key("env:SENTRY_DSN")));
        assert!(!is_env_specific_name(&key("env:HOST_COUNT_LIMIT")));
        assert!(!is_env_specific_name(&key("env:PAYMENT_TIMEOUT_MS")));
    }

    #[test]
    fn names_under_a_shared_prefix_are_judged_as_a_whole() {
        // Words and pairs that span the prefix (`config:PATH:`) and the rest.
        let keys = [
            "config:a/api:key",
            "config:a/api:x",
            "config:a/api:keys",
            "config:svc/Private:Key.x",
            "config:a.yaml:db.password",
            "config:a.yaml:db.pass_word",
            "config:a.yaml:apiKey",
            "config:api.yaml:key",
            "config:api.yaml:x",
            "config:secret/x.yaml:a",
            "config:secret/x.yaml:b",
            "package:npm:token",
            "package:npm:x",
            "env:API_KEY",
            "env:X",
            "file:secrets.txt",
            "file:a",
            "config:x.yaml:\"a:password\"",
            "config:x.yaml:\"a:b\".c",
            "config:x.yaml:\"a:api\".key",
            "config:é:token",
            "config:x:é0",
            "other:api:key",
        ];
        let mut judge = NameJudge::default();
        for k in keys {
            let key = key(k);
            let alone = names_a_value(key.layer()) && is_secret_name(&key);
            assert_eq!(judge.is_secret(key.as_str()), alone, "{k}");
        }
        // Many generated names, in generated order.
        let parts = [
            "api", "key", "Key", "private", "x", "token", "PASS", "word", "db", "",
        ];
        let seps = [":", ".", "_", "/", "-", ":\"", "\":"];
        let mut seed = 0x9e37_79b9_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut judge = NameJudge::default();
        let mut judged = 0;
        for _ in 0..5_000 {
            // A prefix, and a few names under it.
            let mut prefix = String::from(["config:", "env:", "package:"][next(3)]);
            for _ in 0..1 + next(4) {
                prefix.push_str(parts[next(parts.len())]);
                prefix.push_str(seps[next(seps.len())]);
            }
            for _ in 0..1 + next(4) {
                let mut text = prefix.clone();
                for _ in 0..next(3) {
                    text.push_str(parts[next(parts.len())]);
                    text.push_str(seps[next(seps.len())]);
                }
                text.push_str(parts[next(parts.len())]);
                let Ok(key) = KeyPath::new(text.clone()) else {
                    continue;
                };
                let alone = names_a_value(key.layer()) && is_secret_name(&key);
                assert_eq!(judge.is_secret(key.as_str()), alone, "{text}");
                judged += usize::from(alone);
            }
        }
        assert!(judged > 1000, "only {judged} secret names");
    }
}
