//! Judging key names: the words of a name, and which words make it secret
//! or environment-specific.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::key::{KeyPath, Layer};

/// Single words that make a key name secret, compared case-insensitively.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwords",
    "passwd",
    "pass",
    "pwd",
    "passphrase",
    "passcode",
    "pgpassword",
    "pgpass",
    "htpasswd",
    "secret",
    "secrets",
    "token",
    "tokens",
    "authtoken",
    "credential",
    "credentials",
    "creds",
    "apikey",
    "apikeys",
    "authkey",
    "privatekey",
    "privkey",
    "signingkey",
    "accesskey",
    "secretkey",
    "keystore",
    "auth",
    "authorization",
    "bearer",
    "pat",
    "salt",
    "private",
];

/// Pairs of consecutive words that make a key name secret (`API_KEY`), each
/// also with its second word plural (`API_KEYS`).
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
    ("shared", "key"),
    ("api", "keys"),
    ("private", "keys"),
    ("access", "keys"),
    ("signing", "keys"),
    ("encryption", "keys"),
    ("master", "keys"),
    ("session", "keys"),
    ("auth", "keys"),
    ("license", "keys"),
    ("client", "keys"),
    ("account", "keys"),
    ("ssh", "keys"),
    ("service", "keys"),
    ("secret", "keys"),
    ("shared", "keys"),
];

/// Words after which `pass` is a directive, not a password: nginx's
/// `proxy_pass`, `fastcgi_pass`, `uwsgi_pass`, `scgi_pass`, `grpc_pass`,
/// `memcached_pass`.
const PASS_SHIELDS: &[&str] = &["proxy", "fastcgi", "uwsgi", "scgi", "grpc", "memcached"];

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
pub(super) fn words(name: &str) -> impl Iterator<Item = &str> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let (start, end) = next_word(name.as_bytes(), at)?;
        at = end;
        // Words begin and end at ASCII bytes: character boundaries.
        name.get(start..end)
    })
}

/// The span of the first word of `b` at or after `from`: a run of ASCII
/// letters and digits (every other byte separates words), ended early by a
/// camelCase boundary (`dbPassword`, `APIKey`).
fn next_word(b: &[u8], from: usize) -> Option<(usize, usize)> {
    let class = |c: u8| BYTE_CLASS[usize::from(c)];
    let start = from + b.get(from..)?.iter().position(|&c| class(c) != SEPARATOR)?;
    let mut prev = class(b[start]);
    let mut i = start + 1;
    while let Some(&c) = b.get(i) {
        let c = class(c);
        let boundary = c == UPPER
            && (prev == LOWER
                || (prev == UPPER && b.get(i + 1).is_some_and(|&n| class(n) == LOWER)));
        if c == SEPARATOR || boundary {
            break;
        }
        prev = c;
        i += 1;
    }
    Some((start, i))
}

/// The longest word of the lists.
const MAX_WORD: usize = 13;

/// The words of the lists with one length and first letter, as bit sets
/// of their indices in each list.
#[derive(Clone, Copy)]
struct Candidates {
    secret: u64,
    pair_start: u64,
    pair_end: u64,
    shield: u64,
}

/// For each word length up to [`MAX_WORD`] and first letter `a`–`z`, the
/// words of the lists with that length and first letter: most words of
/// most keys are in no list, and are passed over with one look-up (judging
/// every key of a manifest of millions of entries is otherwise a large part
/// of building it).
static INDEX: [[Candidates; 26]; MAX_WORD + 1] = {
    let none = Candidates {
        secret: 0,
        pair_start: 0,
        pair_end: 0,
        shield: 0,
    };
    let mut t = [[none; 26]; MAX_WORD + 1];
    let mut i = 0;
    while i < PASS_SHIELDS.len() {
        let (len, first) = slot(PASS_SHIELDS[i]);
        t[len][first].shield |= 1 << i;
        i += 1;
    }
    let mut i = 0;
    while i < SECRET_WORDS.len() {
        let (len, first) = slot(SECRET_WORDS[i]);
        t[len][first].secret |= 1 << i;
        i += 1;
    }
    let mut i = 0;
    while i < SECRET_PAIRS.len() {
        let (len, first) = slot(SECRET_PAIRS[i].0);
        t[len][first].pair_start |= 1 << i;
        let (len, first) = slot(SECRET_PAIRS[i].1);
        t[len][first].pair_end |= 1 << i;
        i += 1;
    }
    t
};

// A list's indices are a bit set of a `u64`.
const _: () = assert!(SECRET_WORDS.len() <= 64 && SECRET_PAIRS.len() <= 64);
// A listed word fits a [`packed`] number.
const _: () = assert!(MAX_WORD <= 16);

/// The place of a listed word in [`INDEX`].
const fn slot(word: &str) -> (usize, usize) {
    let w = word.as_bytes();
    assert!(w.len() <= MAX_WORD && w[0].is_ascii_lowercase());
    (w.len(), (w[0] - b'a') as usize)
}

/// A word of ASCII letters and digits, up to 16 bytes, as a number with
/// its letters in lower case: two words are equal, case aside, when their
/// numbers are (bytes past the end are zero).
const fn packed(word: &[u8]) -> u128 {
    let mut buf = [0u8; 16];
    let mut i = 0;
    while i < word.len() && i < 16 {
        buf[i] = word[i];
        i += 1;
    }
    // Setting bit 5 lowers an ASCII letter and keeps a digit.
    let lower = 0x2020_2020_2020_2020_2020_2020_2020_2020_u128;
    let mask = match 8 * i {
        128 => u128::MAX,
        bits => (1u128 << bits) - 1,
    };
    u128::from_le_bytes(buf) | (lower & mask)
}

/// [`packed`] for each word of a list.
const fn packed_list<const N: usize>(list: &[&str]) -> [u128; N] {
    assert!(list.len() == N);
    let mut out = [0u128; N];
    let mut i = 0;
    while i < N {
        out[i] = packed(list[i].as_bytes());
        i += 1;
    }
    out
}

static SECRET_PACKED: [u128; SECRET_WORDS.len()] = packed_list(SECRET_WORDS);
static SHIELD_PACKED: [u128; PASS_SHIELDS.len()] = packed_list(PASS_SHIELDS);
/// `pass`, which a [`PASS_SHIELDS`] word before it makes no secret.
const PASS: u128 = packed(b"pass");
static PAIR_START_PACKED: [u128; SECRET_PAIRS.len()] = packed_list(&pair_words(true));
static PAIR_END_PACKED: [u128; SECRET_PAIRS.len()] = packed_list(&pair_words(false));

const fn pair_words(first: bool) -> [&'static str; SECRET_PAIRS.len()] {
    let mut words = [""; SECRET_PAIRS.len()];
    let mut i = 0;
    while i < words.len() {
        words[i] = if first {
            SECRET_PAIRS[i].0
        } else {
            SECRET_PAIRS[i].1
        };
        i += 1;
    }
    words
}

/// Of the `candidates` (a bit set of indices into `list`, all of the
/// word's length), those equal to the word packed as `word`.
fn matching(mut candidates: u64, word: u128, list: &[u128]) -> u64 {
    let mut found = 0;
    while candidates != 0 {
        let i = candidates.trailing_zeros();
        candidates &= candidates - 1;
        if list[i as usize] == word {
            found |= 1 << i;
        }
    }
    found
}

/// What a byte is to the splitting of names into words.
const SEPARATOR: u8 = 0;
const LOWER: u8 = 1;
const UPPER: u8 = 2;
const DIGIT: u8 = 3;

/// [`SEPARATOR`], [`LOWER`], [`UPPER`] or [`DIGIT`] for each byte: every
/// byte that is not an ASCII letter or digit separates words.
static BYTE_CLASS: [u8; 256] = {
    let mut t = [SEPARATOR; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_lowercase() {
            LOWER
        } else if c.is_ascii_uppercase() {
            UPPER
        } else if c.is_ascii_digit() {
            DIGIT
        } else {
            SEPARATOR
        };
        b += 1;
    }
    t
};

/// What the words of a name said so far: whether one made it secret, and
/// which secret pairs the last word starts.
///
/// A name scanned in two parts is judged as a whole when the first part
/// ends with an ASCII separator (neither letter nor digit): no word spans
/// it, and a pair that does is carried over by the last word.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct NameScan {
    pub(super) secret: bool,
    pairs: u64,
    /// Whether the last word was one of [`PASS_SHIELDS`].
    shielded: bool,
}

impl NameScan {
    /// Goes on with the words of `text`, as [`words`] splits them.
    pub(super) fn feed(mut self, text: &str) -> NameScan {
        let b = text.as_bytes();
        let mut at = 0;
        while !self.secret
            && let Some((start, end)) = next_word(b, at)
        {
            self = self.word(&b[start..end]);
            at = end;
        }
        self
    }

    /// Goes on with one word.
    fn word(mut self, word: &[u8]) -> NameScan {
        let first = word.first().map_or(0, u8::to_ascii_lowercase);
        if word.len() > MAX_WORD || !first.is_ascii_lowercase() {
            self.pairs = 0;
            self.shielded = false;
            return self;
        }
        let c = INDEX[word.len()][usize::from(first - b'a')];
        if c.secret | c.pair_start | c.pair_end | c.shield == 0 {
            self.pairs = 0;
            self.shielded = false;
            return self;
        }
        let w = packed(word);
        let shielded = std::mem::replace(
            &mut self.shielded,
            matching(c.shield, w, &SHIELD_PACKED) != 0,
        );
        let secret_word = matching(c.secret, w, &SECRET_PACKED) != 0 && !(shielded && w == PASS);
        let secret_pair = matching(self.pairs & c.pair_end, w, &PAIR_END_PACKED) != 0;
        self.secret = secret_word || secret_pair;
        self.pairs = matching(c.pair_start, w, &PAIR_START_PACKED);
        self
    }
}

/// Whether a key path's own name marks it as secret: the name of an
/// environment variable, the leaf of a configuration field with its parent
/// where that names it (see the `own_name` module), the base name of
/// a file; never words of a file path (`config:secrets/app.yaml:replicas`).
pub fn is_secret_name(key: &KeyPath) -> bool {
    let body = key.body();
    tail_is_secret(key.layer(), own_tail(key.layer(), body))
}

/// The part of a key's body that holds its own name: the field path of a
/// `config:` key (empty for a file's own entry), the whole body otherwise.
fn own_tail(layer: Layer, body: &str) -> &str {
    match layer {
        Layer::Config | Layer::Kube => {
            let end = super::own_name::file_part_end(body);
            body.get(end + 1..).unwrap_or("")
        }
        _ => body,
    }
}

/// The name layer's judgement of a key's own tail (see [`own_tail`]).
fn tail_is_secret(layer: Layer, tail: &str) -> bool {
    match layer {
        Layer::Config | Layer::Kube => super::own_name::field_path_is_secret(tail),
        Layer::File => {
            NameScan::default()
                .feed(super::own_name::base_name(tail))
                .secret
        }
        _ => NameScan::default().feed(tail).secret,
    }
}

/// Judges the names of many keys, the prefix they share once: consecutive
/// keys of one file share `config:PATH:`. The judgement is that of
/// [`is_secret_name`] and [`names_a_value`] together.
#[derive(Debug)]
pub(super) struct NameJudge {
    /// The text before the tail of the last key that was not under the
    /// previous prefix: `config:PATH:`, or `LAYER:`.
    prefix: String,
    /// The layer of the prefix.
    layer: Layer,
    /// Whether the prefix's layer holds values an application reads.
    names_values: bool,
    /// Whether the tails under the prefix are names that recur (fields of
    /// configuration files), worth remembering.
    recurring: bool,
    /// The length of the text every key judged begins with.
    shared: usize,
    /// This thread's judgements of tails, taken for the judge's life (and
    /// put back when it is dropped) rather than looked up key by key.
    memo: TailMemo,
}

impl NameJudge {
    /// A judge of keys whose first `shared` bytes are the same in all: a
    /// prefix within them is not looked for again in each key.
    pub(super) fn sharing(shared: usize) -> NameJudge {
        let memo = JUDGED.with(|m| m.try_borrow_mut().map(|mut m| std::mem::take(&mut *m)));
        NameJudge {
            prefix: String::new(),
            layer: Layer::Other,
            names_values: false,
            recurring: false,
            shared,
            memo: memo.unwrap_or_default(),
        }
    }

    /// Whether `key` is in a layer of values and its own name says secret.
    pub(super) fn is_secret(&mut self, text: &str) -> bool {
        if self.prefix.is_empty()
            || (self.prefix.len() > self.shared && !text.starts_with(&self.prefix))
        {
            // Key paths have a `:` after their layer.
            let colon = text.find(':').unwrap_or(0);
            self.layer = Layer::from_prefix(&text[..colon]);
            let body = text.get(colon + 1..).unwrap_or("");
            let tail_len = own_tail(self.layer, body).len();
            if matches!(self.layer, Layer::Config | Layer::Kube) && tail_len == 0 {
                // A file's own entry: the next key finds its prefix anew.
                self.prefix.clear();
                return false;
            }
            self.prefix.clear();
            self.prefix.push_str(&text[..text.len() - tail_len]);
            self.names_values = names_a_value(self.layer);
            self.recurring = matches!(self.layer, Layer::Config | Layer::Kube);
        }
        if !self.names_values {
            return false;
        }
        let tail = &text[self.prefix.len()..];
        if !self.recurring || tail.len() > MEMO_TAIL {
            return tail_is_secret(self.layer, tail);
        }
        self.memo.judge(text, tail)
    }
}

impl Drop for NameJudge {
    fn drop(&mut self) {
        let memo = std::mem::take(&mut self.memo);
        JUDGED.with(|m| {
            if let Ok(mut m) = m.try_borrow_mut() {
                *m = memo;
            }
        });
    }
}

/// Whether the words of `text` (a name as written, in no key) say secret.
pub(super) fn is_secret_word_text(text: &str) -> bool {
    NameScan::default().feed(text).secret
}

/// Whether one key is in a layer of values and its own name says secret:
/// the judgement of [`NameJudge::is_secret`], without remembering the prefix.
pub(super) fn is_secret_key(text: &str) -> bool {
    let colon = text.find(':').unwrap_or(0);
    let layer = Layer::from_prefix(&text[..colon]);
    names_a_value(layer)
        && tail_is_secret(layer, own_tail(layer, text.get(colon + 1..).unwrap_or("")))
}

/// Tails longer than this are judged anew each time.
const MEMO_TAIL: usize = 64;

/// Tails remembered on one thread before the memo starts again.
const MEMO_ENTRIES: usize = 1 << 16;

thread_local! {
    /// Tails judged on this thread: the same names recur file after file
    /// (`database.host` in every environment's copy of a tree), and a
    /// look-up costs a fraction of a judgement.
    static JUDGED: RefCell<TailMemo> = RefCell::new(TailMemo::default());
}

/// Judgements of tails that follow a prefix whose words leave nothing open.
#[derive(Debug, Default)]
struct TailMemo {
    /// Tails of up to 16 bytes, in slots picked by their bytes.
    short: Vec<ShortTail>,
    judged: HashMap<Box<str>, bool, BuildHasherDefault<TailHasher>>,
}

/// A tail of up to 16 bytes judged: its bytes as a number (zeros after its
/// end), its length, and the judgement.
#[derive(Debug, Clone, Copy)]
struct ShortTail {
    bytes: u128,
    len: u8,
    secret: bool,
}

/// A slot no tail has come to (no tail is that long).
const NO_TAIL: ShortTail = ShortTail {
    bytes: 0,
    len: u8::MAX,
    secret: false,
};

/// The slots of short tails: 2^12 of them, 128 KiB on each thread.
const SHORT_BITS: u32 = 12;

impl TailMemo {
    /// The judgement of `tail`, the end of `text`.
    fn judge(&mut self, text: &str, tail: &str) -> bool {
        if tail.len() <= 16 && text.len() >= 16 {
            return self.judge_short(last_bytes(text, tail.len()), tail);
        }
        if let Some(&secret) = self.judged.get(tail) {
            return secret;
        }
        let secret = super::own_name::field_path_is_secret(tail);
        if self.judged.len() >= MEMO_ENTRIES {
            self.judged.clear();
        }
        self.judged.insert(tail.into(), secret);
        secret
    }

    /// A short tail, looked up by its bytes as a number: a slot holds the
    /// last tail that came to it (a look-up is a multiplication and a
    /// comparison of numbers, where a hash map would follow a pointer to
    /// compare the names).
    fn judge_short(&mut self, bytes: u128, tail: &str) -> bool {
        if self.short.is_empty() {
            self.short = vec![NO_TAIL; 1 << SHORT_BITS];
        }
        let len = tail.len() as u8;
        let mixed = (bytes as u64) ^ ((bytes >> 64) as u64).rotate_left(29) ^ u64::from(len);
        let at = mixed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - SHORT_BITS);
        let slot = &mut self.short[at as usize];
        if slot.bytes == bytes && slot.len == len {
            return slot.secret;
        }
        let secret = super::own_name::field_path_is_secret(tail);
        *slot = ShortTail { bytes, len, secret };
        secret
    }
}

/// The last `len` bytes of `text` (at least 16 bytes long; `len` at most
/// 16) as a little-endian number: read as one 16-byte word, rather than
/// copied byte by byte.
fn last_bytes(text: &str, len: usize) -> u128 {
    let b = text.as_bytes();
    let Some(word) = b
        .len()
        .checked_sub(16)
        .and_then(|at| b[at..].first_chunk::<16>())
    else {
        return 0;
    };
    match len {
        0 => 0,
        len => u128::from_le_bytes(*word) >> (8 * (16 - len.min(16))),
    }
}

/// FNV-1a over 8-byte words: fast on short names; a collision costs only a
/// comparison.
#[derive(Debug, Default)]
struct TailHasher(u64);

impl Hasher for TailHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        let mut h = self.0 ^ 0xcbf2_9ce4_8422_2325;
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            h = (h ^ u64::from_le_bytes(word)).wrapping_mul(PRIME);
        }
        for &b in words.remainder() {
            h = (h ^ u64::from(b)).wrapping_mul(PRIME);
        }
        self.0 = h;
    }
}

/// Whether names are judged in `layer`: only the layers that
/// hold values an application reads (`env`, `config`, `file`, `k8s`) — a package
/// called `csrf-token` or a column called `password_hash` is a name, not a
/// secret.
fn names_a_value(layer: Layer) -> bool {
    matches!(
        layer,
        Layer::Env | Layer::Config | Layer::File | Layer::Kube | Layer::Other
    )
}

/// Whether a key's last word names a host, URL or endpoint, whose value is
/// expected to differ between environments.
pub(crate) fn is_env_specific_name(key: &KeyPath) -> bool {
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
            "config:a.json:credentials.client_email",
            "env:AWS_SECRET_ACCESS_KEY",
            "env:PGPASSWORD",
            "env:REDISCLI_AUTH",
            "env:API_KEYS",
            "env:GH_PAT",
            "config:a.yaml:auth",
            "config:a.yaml:salt",
            "config:a.yaml:private",
            "file:conf/secrets.txt",
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
            "config:credentials.json:client_email",
            "config:sealed-secrets/values.yaml:replicas",
            "config:api/pass/openapi.yaml:info.title",
            "file:secrets/README.md",
        ] {
            assert!(!is_secret_name(&key(k)), "{k} should not be secret");
        }
    }

    /// The judgement as the lists say it, word by word from [`words`].
    fn judged_by_the_lists(name: &str) -> bool {
        let mut previous: Option<&str> = None;
        for word in words(name) {
            let shielded =
                previous.is_some_and(|p| PASS_SHIELDS.iter().any(|s| p.eq_ignore_ascii_case(s)));
            let secret_word = SECRET_WORDS.iter().any(|w| word.eq_ignore_ascii_case(w))
                && !(shielded && word.eq_ignore_ascii_case("pass"));
            let secret_pair = previous.is_some_and(|p| {
                SECRET_PAIRS
                    .iter()
                    .any(|(a, b)| p.eq_ignore_ascii_case(a) && word.eq_ignore_ascii_case(b))
            });
            if secret_word || secret_pair {
                return true;
            }
            previous = Some(word);
        }
        false
    }

    #[test]
    fn the_one_pass_scan_judges_as_the_lists_say() {
        let parts = [
            "proxy",
            "Fastcgi",
            "api",
            "API",
            "Api",
            "key",
            "KEY",
            "Key",
            "private",
            "PRIVATE",
            "pass",
            "Pass",
            "PASSWORD",
            "word",
            "token",
            "Tokens",
            "x",
            "db",
            "v2",
            "2",
            "é",
            "ß",
            "secret",
            "keystore",
            "sessionKey",
            "APIKey",
            "dbPassword",
            "HTTPServer",
            "aB",
            "Ab",
            "",
            "credentials",
            "fingerprint",
            "encryption",
        ];
        let seps = ["", "", "_", "-", ".", ":", "/", " ", "é", "\\"];
        let mut next = crate::testing::xorshift(0x51_7cc1_b727_220a);
        let mut secret = 0;
        for _ in 0..20_000 {
            let mut name = String::new();
            for _ in 0..1 + next(4) {
                name.push_str(parts[next(parts.len())]);
                name.push_str(seps[next(seps.len())]);
            }
            let expected = judged_by_the_lists(&name);
            assert_eq!(NameScan::default().feed(&name).secret, expected, "{name:?}");
            secret += usize::from(expected);
        }
        assert!(secret > 2_000 && secret < 18_000, "{secret} secret names");
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
        let mut judge = NameJudge::sharing(0);
        for k in keys {
            let key = key(k);
            let alone = names_a_value(key.layer()) && is_secret_name(&key);
            assert_eq!(judge.is_secret(key.as_str()), alone, "{k}");
            assert_eq!(is_secret_key(key.as_str()), alone, "{k}");
        }
        // Many generated names, in generated order.
        let parts = [
            "api", "key", "Key", "private", "x", "token", "PASS", "word", "db", "",
        ];
        let seps = [":", ".", "_", "/", "-", ":\"", "\":"];
        let mut next = crate::testing::xorshift(0x9e37_79b9);
        let mut judge = NameJudge::sharing(0);
        let mut judged = 0;
        for _ in 0..5_000 {
            // A prefix, and a few names under it.
            let mut prefix = String::from(["config:", "env:", "package:"][next(3)]);
            for _ in 0..1 + next(4) {
                prefix.push_str(parts[next(parts.len())]);
                prefix.push_str(seps[next(seps.len())]);
            }
            let mut group = Vec::new();
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
                assert_eq!(is_secret_key(key.as_str()), alone, "{text}");
                judged += usize::from(alone);
                group.push((text, alone));
            }
            // Judged again, told what the group's keys share.
            let shared = group.iter().fold(usize::MAX, |n, (t, _)| {
                let same = t
                    .bytes()
                    .zip(group[0].0.bytes())
                    .take_while(|(a, b)| a == b);
                n.min(same.count())
            });
            let mut sharing = NameJudge::sharing(shared);
            for (text, alone) in &group {
                assert_eq!(sharing.is_secret(text), *alone, "{text} sharing {shared}");
            }
        }
        assert!(judged > 1000, "only {judged} secret names");
    }

    #[test]
    fn remembered_tails_are_judged_as_anew() {
        // Tails of every length around 16 bytes, some of them the same
        // bytes as another but for trailing NULs, more of them than the
        // memo has slots: each judged as a fresh scan judges it, again and
        // again as they come back.
        let parts = ["api", "key", "x", "token", "pass", "Word", "0", "\0"];
        let mut next = crate::testing::xorshift(0x51_7cc1_b727_220a);
        let mut tails: Vec<String> = (0..3 << SHORT_BITS)
            .map(|_| {
                let mut t = String::new();
                while t.len() < next(20) {
                    t.push_str(parts[next(parts.len())]);
                    t.push(['_', '.', '-'][next(3)]);
                }
                t
            })
            .collect();
        tails.extend(["a", "a\0", "", "0123456789abcdef", "0123456789abcdef0"].map(String::from));
        let mut memo = TailMemo::default();
        for round in 0..3 {
            for tail in &tails {
                let text = format!("config:some/file.yaml:{tail}");
                let fresh = super::super::own_name::field_path_is_secret(tail);
                assert_eq!(memo.judge(&text, tail), fresh, "{tail:?}, round {round}");
            }
        }
        assert_eq!(
            last_bytes("0123456789abcdefXY", 2),
            u128::from(u16::from_le_bytes(*b"XY"))
        );
        assert_eq!(last_bytes("0123456789abcdef", 0), 0);
    }
}
