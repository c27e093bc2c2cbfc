//! Judging text by what it holds, whatever its key's name: private key
//! blocks, JWTs, provider token formats, credentials in URLs, connection
//! strings, query parameters, `Authorization` headers and command lines.
//!
//! [`may_hold`] is the cheap prefilter run on every string value: one
//! Aho-Corasick pass over the trigger words and token prefixes, a `memchr`
//! for `=` and `@`, and, on texts long enough to hold one, a byte scan for
//! runs of exactly the length of an AWS secret key or a Twilio key. [`find`]
//! then looks only where a trigger matched, and reads each candidate by hand.
//!
//! Why no regex crate: the formats are prefixes followed by a run of one
//! alphabet (a few lines of byte scanning each), while the context rules
//! (a URL password holding an unencoded `/` or `@`, a `key=value;` value
//! ended by `;` only in `;`-separated strings, a `-p` that is a password only
//! after `mysql`) need look-behind and state that regexes express badly; one
//! automaton over all triggers keeps the hot path at one pass per value,
//! where a set of regexes would cost one pass each.
#![cfg_attr(not(test), allow(dead_code))] // called by the judge in mod.rs

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use base64::Engine;

use super::names;
use super::shape;

/// What kind of content made a span secret (for per-layer counts and docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContentKind {
    /// A PEM, OpenSSH, PuTTY, PGP or OpenVPN private key block.
    PrivateKey,
    /// A JSON Web Token.
    Jwt,
    /// A token in a provider's documented format (GitHub, Stripe, AWS…).
    ProviderToken,
    /// The password (or token user) of a URL.
    UrlUserinfo,
    /// The value of a secret-named URL query parameter.
    QueryParameter,
    /// A password in a `key=value;` string, libpq string or Oracle `user/pass@`.
    ConnectionString,
    /// The credential of an `Authorization` header, `Bearer` or `Basic`.
    Authorization,
    /// The value of a secret option on a command line.
    CommandLine,
    /// The secret path of a Slack or Discord webhook URL.
    Webhook,
}

/// A byte range of a text that is secret material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    /// The secret bytes.
    pub(crate) range: Range<usize>,
    /// What made them secret.
    pub(crate) kind: ContentKind,
}

/// What a trigger of the automaton starts.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// `-----BEGIN …-----` (or the four-dash SSH2 form).
    KeyBlock,
    /// `PuTTY-User-Key-File-N:` up to its `Private-MAC:` line.
    Putty,
    /// `eyJ…` three base64url parts.
    Jwt,
    /// `AKIA`/`ASIA` and 16 upper-case letters or digits.
    AwsKeyId,
    /// A prefix followed by at least `min` bytes of `set`.
    Prefixed { min: usize, set: Set },
    /// OpenAI/Anthropic `sk-…`: mixed case and digits.
    DashSk,
    /// SendGrid `SG.x.y`.
    SendGrid,
    /// Slack webhook host: the path after `services/` and its kin.
    SlackHook,
    /// Discord webhook path: the id and token.
    DiscordHook,
    /// The word `authorization` (any case of its first letter).
    Authorization,
    /// `Bearer ` followed by a token.
    Bearer,
    /// `Basic ` followed by base64 of `user:password`.
    Basic,
    /// `--name value` on a command line.
    LongOption,
    /// `-u user:password` (curl).
    UserOption,
    /// `mysql`/`mariadb`: what follows may hold `-pPASSWORD`.
    Mysql,
    /// `docker login` and its kin: what follows may hold `-p PASSWORD`.
    Login,
}

/// An alphabet of token bytes.
#[derive(Debug, Clone, Copy)]
enum Set {
    /// `A-Za-z0-9`
    Alnum,
    /// `A-Za-z0-9_-`
    Base64Url,
    /// `A-Za-z0-9-`
    AlnumDash,
    /// `A-Za-z0-9_`
    AlnumUnderscore,
    /// `A-Za-z0-9_.-`
    Dotted,
}

impl Set {
    fn has(self, c: u8) -> bool {
        c.is_ascii_alphanumeric()
            || match self {
                Set::Alnum => false,
                Set::Base64Url => c == b'-' || c == b'_',
                Set::AlnumDash => c == b'-',
                Set::AlnumUnderscore => c == b'_',
                Set::Dotted => c == b'-' || c == b'_' || c == b'.',
            }
    }
}

/// The triggers, each with the rule it starts.
const TRIGGERS: &[(&str, Rule)] = &[
    ("-----BEGIN", Rule::KeyBlock),
    ("---- BEGIN", Rule::KeyBlock),
    ("PuTTY-User-Key-File", Rule::Putty),
    ("eyJ", Rule::Jwt),
    ("AKIA", Rule::AwsKeyId),
    ("ASIA", Rule::AwsKeyId),
    ("ghp_", prefixed(30, Set::Alnum)),
    ("gho_", prefixed(30, Set::Alnum)),
    ("ghu_", prefixed(30, Set::Alnum)),
    ("ghs_", prefixed(30, Set::Alnum)),
    ("ghr_", prefixed(30, Set::Alnum)),
    ("github_pat_", prefixed(22, Set::AlnumUnderscore)),
    ("glpat-", prefixed(20, Set::Dotted)),
    ("gldt-", prefixed(20, Set::Dotted)),
    ("glrt-", prefixed(20, Set::Dotted)),
    ("xoxa-", prefixed(10, Set::AlnumDash)),
    ("xoxb-", prefixed(10, Set::AlnumDash)),
    ("xoxp-", prefixed(10, Set::AlnumDash)),
    ("xoxo-", prefixed(10, Set::AlnumDash)),
    ("xoxr-", prefixed(10, Set::AlnumDash)),
    ("xoxs-", prefixed(10, Set::AlnumDash)),
    ("xoxe-", prefixed(10, Set::AlnumDash)),
    ("xoxe.", prefixed(10, Set::Dotted)),
    ("xapp-", prefixed(10, Set::AlnumDash)),
    ("sk_live_", prefixed(10, Set::Alnum)),
    ("sk_test_", prefixed(10, Set::Alnum)),
    ("rk_live_", prefixed(10, Set::Alnum)),
    ("rk_test_", prefixed(10, Set::Alnum)),
    ("whsec_", prefixed(24, Set::Alnum)),
    ("sk-", Rule::DashSk),
    ("AIza", prefixed(30, Set::Base64Url)),
    ("npm_", prefixed(30, Set::Alnum)),
    ("pypi-", prefixed(16, Set::Base64Url)),
    ("SG.", Rule::SendGrid),
    ("shpat_", prefixed(32, Set::Alnum)),
    ("shpss_", prefixed(32, Set::Alnum)),
    ("shpca_", prefixed(32, Set::Alnum)),
    ("shppa_", prefixed(32, Set::Alnum)),
    ("hvs.", prefixed(24, Set::Base64Url)),
    ("hvb.", prefixed(24, Set::Base64Url)),
    ("hf_", prefixed(30, Set::Alnum)),
    ("dp.st.", prefixed(30, Set::Dotted)),
    ("dp.pt.", prefixed(30, Set::Dotted)),
    ("lin_api_", prefixed(30, Set::Alnum)),
    ("hooks.slack.com/", Rule::SlackHook),
    ("discord.com/api/webhooks/", Rule::DiscordHook),
    ("discordapp.com/api/webhooks/", Rule::DiscordHook),
    ("uthorization", Rule::Authorization),
    ("UTHORIZATION", Rule::Authorization),
    ("Bearer ", Rule::Bearer),
    ("bearer ", Rule::Bearer),
    ("BEARER ", Rule::Bearer),
    ("Basic ", Rule::Basic),
    ("basic ", Rule::Basic),
    ("BASIC ", Rule::Basic),
    ("--", Rule::LongOption),
    ("-u ", Rule::UserOption),
    ("mysql", Rule::Mysql),
    ("mariadb", Rule::Mysql),
    ("login ", Rule::Login),
];

const fn prefixed(min: usize, set: Set) -> Rule {
    Rule::Prefixed { min, set }
}

/// The automaton over [`TRIGGERS`], built once.
fn automaton() -> Option<&'static AhoCorasick> {
    static AC: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    AC.get_or_init(|| AhoCorasick::new(TRIGGERS.iter().map(|(p, _)| p)).ok())
        .as_ref()
}

/// Cheap prefilter: false means [`find`] would find nothing.
pub(crate) fn may_hold(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() < 4 {
        return false;
    }
    if memchr::memchr2(b'=', b'@', b).is_some() {
        return true;
    }
    // Without the automaton every text is a candidate: erring toward hiding.
    let Some(ac) = automaton() else { return true };
    ac.is_match(text) || (b.len() >= TWILIO_LEN && fixed_runs(b).next().is_some())
}

/// The secret spans of `text` judged by content alone, whatever its key's
/// name: sorted, non-overlapping, each the secret material only.
pub(crate) fn find(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    if !may_hold(text) {
        return out;
    }
    let b = text.as_bytes();
    let mut aws_id_seen = false;
    if let Some(ac) = automaton() {
        for m in ac.find_overlapping_iter(text) {
            let (_, rule) = TRIGGERS[m.pattern().as_usize()];
            if matches!(rule, Rule::AwsKeyId) {
                aws_id_seen |= aws_key_id(b, m.start(), &mut out);
            } else {
                apply(rule, text, m.start(), m.end(), &mut out);
            }
        }
    }
    assignments(text, &mut out);
    urls(text, &mut out);
    oracle(text, &mut out);
    if b.len() >= TWILIO_LEN {
        for run in fixed_runs(b) {
            let t = &text[run.clone()];
            let secret = if run.len() == AWS_SECRET_LEN {
                aws_id_seen || shape::is_opaque_token(t)
            } else {
                true
            };
            if secret {
                out.push(Span {
                    range: run,
                    kind: ContentKind::ProviderToken,
                });
            }
        }
    }
    merge(out)
}

/// Sorts spans and unites those that overlap, keeping the kind of the first.
pub(crate) fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|s| s.range.start < s.range.end);
    spans.sort_by_key(|s| (s.range.start, std::cmp::Reverse(s.range.end)));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.range.start < last.range.end => {
                last.range.end = last.range.end.max(s.range.end);
            }
            _ => out.push(s),
        }
    }
    out
}

fn push(out: &mut Vec<Span>, range: Range<usize>, kind: ContentKind) {
    if range.start < range.end {
        out.push(Span { range, kind });
    }
}

/// The end of the run of `set` bytes starting at `from`.
fn run_end(b: &[u8], from: usize, set: impl Fn(u8) -> bool) -> usize {
    let mut i = from;
    while i < b.len() && set(b[i]) {
        i += 1;
    }
    i
}

/// Whether the byte before `at` ends a word (or there is none).
fn starts_word(b: &[u8], at: usize) -> bool {
    at == 0 || !b[at - 1].is_ascii_alphanumeric()
}

fn is_b64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

fn is_quote(c: u8) -> bool {
    matches!(c, b'"' | b'\'' | b'`')
}

fn apply(rule: Rule, text: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    let b = text.as_bytes();
    match rule {
        Rule::KeyBlock => key_block(text, start, out),
        Rule::Putty => {
            let rest = &text[start..];
            let stop = rest
                .find("Private-MAC:")
                .map(|mac| {
                    let line = &rest[mac..];
                    start + mac + line.find(['\n', '\r']).unwrap_or(line.len())
                })
                .unwrap_or(text.len());
            push(out, start..stop, ContentKind::PrivateKey);
        }
        Rule::Jwt => jwt(b, start, out),
        Rule::AwsKeyId => {}
        Rule::Prefixed { min, set } => {
            if !starts_word(b, start) {
                return;
            }
            let stop = run_end(b, end, |c| set.has(c));
            if stop - end >= min {
                push(out, start..stop, ContentKind::ProviderToken);
            }
        }
        Rule::DashSk => {
            if !starts_word(b, start) {
                return;
            }
            let stop = run_end(b, end, is_b64url);
            let body = &b[end..stop];
            let mixed = body.iter().any(u8::is_ascii_uppercase)
                && body.iter().any(u8::is_ascii_digit)
                && body.iter().any(u8::is_ascii_lowercase);
            if body.len() >= 20 && mixed {
                push(out, start..stop, ContentKind::ProviderToken);
            }
        }
        Rule::SendGrid => {
            if !starts_word(b, start) {
                return;
            }
            let first = run_end(b, end, is_b64url);
            if first - end >= 16 && b.get(first) == Some(&b'.') {
                let second = run_end(b, first + 1, is_b64url);
                if second - first > 16 {
                    push(out, start..second, ContentKind::ProviderToken);
                }
            }
        }
        Rule::SlackHook => {
            let rest = &text[end..];
            for kind in ["services/", "workflows/", "triggers/"] {
                if rest.starts_with(kind) {
                    let from = end + kind.len();
                    push(out, from..url_path_end(b, from), ContentKind::Webhook);
                }
            }
        }
        Rule::DiscordHook => push(out, end..url_path_end(b, end), ContentKind::Webhook),
        Rule::Authorization => authorization(b, end, out),
        Rule::Bearer => {
            if !starts_word(b, start) {
                return;
            }
            let from = run_end(b, end, |c| c == b' ');
            let stop = run_end(b, from, |c| {
                c.is_ascii_alphanumeric() || b"._~+/=-".contains(&c)
            });
            let tok = &b[from..stop];
            if tok.len() >= 8 && tok.iter().any(|c| !c.is_ascii_alphabetic()) {
                push(out, from..stop, ContentKind::Authorization);
            }
        }
        Rule::Basic => {
            if !starts_word(b, start) {
                return;
            }
            let from = run_end(b, end, |c| c == b' ');
            let stop = run_end(b, from, |c| {
                c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'='
            });
            if stop - from >= 8 && decodes_to_user_password(&text[from..stop]) {
                push(out, from..stop, ContentKind::Authorization);
            }
        }
        Rule::LongOption => long_option(text, start, end, out),
        Rule::UserOption => {
            if start > 0 && !b[start - 1].is_ascii_whitespace() && !is_quote(b[start - 1]) {
                return;
            }
            user_password_arg(b, end, out);
        }
        Rule::Mysql => mysql_password(b, end, out),
        Rule::Login => login_password(b, end, out),
    }
}

/// A key block from its `BEGIN` line through its `END` line (or the end of
/// the text), when its label names a private, secret or static key.
fn key_block(text: &str, start: usize, out: &mut Vec<Span>) {
    let dashes = if text[start..].starts_with("-----") {
        "-----"
    } else {
        "----"
    };
    let label_from = start + dashes.len() + " BEGIN".len();
    // The text may end, or a character begin, within `BEGIN` and the byte
    // after it.
    let Some(label_len) = text.get(label_from..).and_then(|t| t.find(dashes)) else {
        return;
    };
    let label = &text[label_from..label_from + label_len];
    let private = ["PRIVATE", "SECRET", "Static key", "STATIC KEY"]
        .iter()
        .any(|w| label.contains(w));
    if !private {
        return;
    }
    let body = label_from + label_len + dashes.len();
    let end_marker = format!("{dashes}END");
    let end_marker_alt = format!("{dashes} END");
    let stop = [end_marker.as_str(), end_marker_alt.as_str()]
        .iter()
        .filter_map(|m| text[body..].find(m).map(|i| body + i + m.len()))
        .min()
        .and_then(|e| text[e..].find(dashes).map(|i| e + i + dashes.len()))
        .map(|e| run_end(text.as_bytes(), e, |c| c == b'-'))
        .unwrap_or(text.len());
    push(out, start..stop, ContentKind::PrivateKey);
}

/// A JWT (or JWE) at `start`: base64url parts joined by dots, the first a
/// JSON header.
fn jwt(b: &[u8], start: usize, out: &mut Vec<Span>) {
    if start > 0 && (is_b64url(b[start - 1]) || b[start - 1] == b'.') {
        return;
    }
    let header = run_end(b, start, is_b64url);
    if header - start < 10 || b.get(header) != Some(&b'.') {
        return;
    }
    let payload = run_end(b, header + 1, is_b64url);
    if payload - header - 1 < 2 || b.get(payload) != Some(&b'.') {
        return;
    }
    let mut stop = run_end(b, payload + 1, is_b64url);
    // A JWE has five parts.
    for _ in 0..2 {
        if b.get(stop) == Some(&b'.') && b.get(stop + 1).is_some_and(|&c| is_b64url(c)) {
            stop = run_end(b, stop + 1, is_b64url);
        }
    }
    push(out, start..stop, ContentKind::Jwt);
}

/// An AWS access key id at `start`; returns whether there was one.
fn aws_key_id(b: &[u8], start: usize, out: &mut Vec<Span>) -> bool {
    let stop = run_end(b, start + 4, |c| {
        c.is_ascii_uppercase() || c.is_ascii_digit()
    });
    let ok = starts_word(b, start)
        && stop - start == 20
        && !b.get(stop).is_some_and(u8::is_ascii_alphanumeric);
    if ok {
        push(out, start..stop, ContentKind::ProviderToken);
    }
    ok
}

/// The end of a URL path starting at `from`: at whitespace, a quote, `?`,
/// `#` or an angle bracket.
fn url_path_end(b: &[u8], from: usize) -> usize {
    run_end(b, from, |c| {
        !(c.is_ascii_whitespace() || is_quote(c) || matches!(c, b'?' | b'#' | b'<' | b'>'))
    })
}

/// The credential after the word `authorization` (`end` is past it): the
/// part after a scheme word (`Bearer x`, `Basic x`, `token x`), or the whole
/// value after a `:`, `=` or quote.
fn authorization(b: &[u8], end: usize, out: &mut Vec<Span>) {
    let mut i = end;
    let mut separated = false;
    while let Some(&c) = b.get(i) {
        match c {
            b' ' | b'\t' => {}
            b':' | b'=' | b'"' | b'\'' => separated = true,
            _ => break,
        }
        i += 1;
        if i - end > 8 {
            return;
        }
    }
    let value_end = run_end(b, i, |c| {
        !(is_quote(c) || c == b'\n' || c == b'\r' || c == b';')
    });
    let word = run_end(b, i, |c| c.is_ascii_alphanumeric() || c == b'-');
    let after_word = run_end(b, word, |c| c == b' ');
    let scheme = std::str::from_utf8(&b[i..word]).unwrap_or("");
    let known = [
        "bearer", "basic", "token", "bot", "apikey", "key", "sso-key",
    ]
    .iter()
    .any(|s| scheme.eq_ignore_ascii_case(s));
    let followed = word > i && after_word > word && after_word < value_end;
    let (from, to) = if known && followed {
        // One token: `Bearer x`, `Basic x`, `token x`.
        (
            after_word,
            run_end(b, after_word, |c| {
                !(c.is_ascii_whitespace() || is_quote(c) || c == b';' || c == b',')
            }),
        )
    } else if separated && followed {
        // Another scheme (`Digest username=…, response=…`): all after it.
        (after_word, value_end)
    } else if separated {
        (i, value_end)
    } else {
        return;
    };
    // Trailing spaces are not the credential.
    let mut stop = to;
    while stop > from && b[stop - 1] == b' ' {
        stop -= 1;
    }
    push(out, from..stop, ContentKind::Authorization);
}

/// Whether `text` is base64 of `user:password`.
fn decodes_to_user_password(text: &str) -> bool {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()
        .is_some_and(|d| {
            d.contains(&b':') && d.iter().all(|&c| c >= 0x20 && c != 0x7f || c >= 0x80)
        })
}

/// `--name value` where the name says secret (`--password x`, `--token x`);
/// `--name=value` is judged as an assignment, `--user u:p` as curl's.
fn long_option(text: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    let b = text.as_bytes();
    if start > 0
        && !(b[start - 1].is_ascii_whitespace()
            || is_quote(b[start - 1])
            || matches!(b[start - 1], b'[' | b','))
    {
        return;
    }
    let name_end = run_end(b, end, |c| {
        c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
    });
    let name = &text[end..name_end];
    // `--name value`, or in a list `"--name", "value"`.
    let gap = run_end(b, name_end, |c| {
        matches!(c, b' ' | b'\t' | b',') || is_quote(c)
    });
    let gap_bytes = &b[name_end..gap];
    let listed = gap_bytes.contains(&b',') && gap_bytes.first().is_some_and(|&c| is_quote(c));
    let spaced = gap_bytes.first().is_some_and(|&c| c == b' ' || c == b'\t');
    if name.is_empty() || !(spaced || listed) {
        return;
    }
    if name.eq_ignore_ascii_case("user") {
        user_password_arg(b, name_end, out);
        return;
    }
    if !is_secret_param(name) {
        return;
    }
    let from = if listed {
        // Back to the value's opening quote.
        gap - usize::from(gap > name_end && is_quote(b[gap - 1]))
    } else {
        run_end(b, name_end, |c| c == b' ' || c == b'\t')
    };
    if let Some(value) = arg_value(b, from) {
        push(out, value, ContentKind::CommandLine);
    }
}

/// The command-line argument starting at `from` (unquoted), unless it is
/// another option.
fn arg_value(b: &[u8], from: usize) -> Option<Range<usize>> {
    let &first = b.get(from)?;
    if first == b'-' {
        return None;
    }
    if is_quote(first) {
        let stop = run_end(b, from + 1, |c| c != first && c != b'\n');
        return Some(from + 1..stop);
    }
    Some(from..run_end(b, from, |c| !(c.is_ascii_whitespace() || is_quote(c))))
}

/// `user:password` as the argument at `from` (after spaces): the password.
fn user_password_arg(b: &[u8], from: usize, out: &mut Vec<Span>) {
    let from = run_end(b, from, |c| c == b' ');
    let Some(arg) = arg_value(b, from) else {
        return;
    };
    if let Some(colon) = b[arg.clone()].iter().position(|&c| c == b':') {
        push(
            out,
            arg.start + colon + 1..arg.end,
            ContentKind::CommandLine,
        );
    }
}

/// `-pPASSWORD` arguments after a `mysql`-like command (`-p` alone prompts).
fn mysql_password(b: &[u8], from: usize, out: &mut Vec<Span>) {
    let line_end = from + memchr::memchr(b'\n', &b[from..]).unwrap_or(b.len() - from);
    for at in memchr::memmem::find_iter(&b[from..line_end], b"-p") {
        let at = from + at;
        let boundary = b[at - 1].is_ascii_whitespace() || is_quote(b[at - 1]);
        if boundary && let Some(value) = arg_value(b, at + 2) {
            push(out, value, ContentKind::CommandLine);
        }
    }
}

/// `-p PASSWORD` or `-pPASSWORD` after a `login` command (`docker login -u
/// ci -p …`, `helm registry login`), where `-p` always takes the password.
fn login_password(b: &[u8], from: usize, out: &mut Vec<Span>) {
    let line_end = from + memchr::memchr(b'\n', &b[from..]).unwrap_or(b.len() - from);
    for at in memchr::memmem::find_iter(&b[from..line_end], b"-p") {
        let at = from + at;
        let boundary = b[at - 1].is_ascii_whitespace() || is_quote(b[at - 1]);
        if !boundary {
            continue;
        }
        let value_from = match b.get(at + 2) {
            Some(b' ' | b'\t') => run_end(b, at + 2, |c| c == b' ' || c == b'\t'),
            _ => at + 2,
        };
        if let Some(value) = arg_value(b, value_from) {
            push(out, value, ContentKind::CommandLine);
        }
    }
}

/// Name words that end a name whose value is not the secret itself (a path
/// to it, its lifetime, its kind).
const NOT_THE_SECRET: &[&str] = &[
    "file",
    "files",
    "path",
    "dir",
    "env",
    "stdin",
    "fd",
    "cmd",
    "command",
    "url",
    "uri",
    "endpoint",
    "length",
    "len",
    "ttl",
    "timeout",
    "type",
    "mode",
    "algorithm",
    "policy",
    "expiry",
    "expires",
    "header",
    "enabled",
    "required",
    "prompt",
    "name",
    "names",
    "id",
    "ids",
    "user",
    "username",
    "size",
    "bits",
    "version",
    "rotation",
];

/// Last words that make a name secret besides the name layer's vocabulary.
const EXTRA_SECRET_WORDS: &[&str] = &[
    "auth",
    "authtoken",
    "sig",
    "signature",
    "sas",
    "requirepass",
    "masterauth",
    "pgpassword",
    "pwd",
];

/// Whether a parameter or option name (`password`, `--api-key`,
/// `AccountKey`, `sig`, `_authToken`) names a secret value.
pub(crate) fn is_secret_param(name: &str) -> bool {
    let mut last = None;
    for w in names::words(name) {
        last = Some(w);
    }
    let Some(last) = last else { return false };
    if NOT_THE_SECRET.iter().any(|w| last.eq_ignore_ascii_case(w))
        || name.eq_ignore_ascii_case("x-amz-credential")
    {
        return false;
    }
    names::is_secret_word_text(name) || is_extra_secret_word(last)
}

/// Whether `word` is in [`EXTRA_SECRET_WORDS`], case aside.
pub(crate) fn is_extra_secret_word(word: &str) -> bool {
    EXTRA_SECRET_WORDS
        .iter()
        .any(|w| word.eq_ignore_ascii_case(w))
}

/// Bytes of a name in `name=value`.
fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}

/// `name=value` pairs anywhere in the text whose name says secret: ADO.NET,
/// ODBC, JDBC and Azure `key=value;` strings, libpq `key=value` strings, URL
/// query parameters, `--name=value` and `-e NAME=value` arguments.
fn assignments(text: &str, out: &mut Vec<Span>) {
    let b = text.as_bytes();
    for eq in memchr::memchr_iter(b'=', b) {
        let mut j = eq;
        while j > 0 && eq - j < 4 && matches!(b[j - 1], b' ' | b'\t') {
            j -= 1;
        }
        let name_end = j;
        while j > 0 && is_name_byte(b[j - 1]) && name_end - j <= 64 {
            j -= 1;
        }
        if j == name_end || name_end - j > 64 {
            continue;
        }
        let name = &text[j..name_end];
        if !is_secret_param(name) {
            continue;
        }
        let kind = match j.checked_sub(1).map(|p| b[p]) {
            Some(b'?' | b'&') => ContentKind::QueryParameter,
            _ if name.starts_with('-') => ContentKind::CommandLine,
            _ => ContentKind::ConnectionString,
        };
        let from = run_end(b, eq + 1, |c| c == b' ' || c == b'\t');
        let Some(value) = assigned_value(b, from, kind) else {
            continue;
        };
        if !is_reference(&text[value.clone()]) {
            push(out, value, kind);
        }
    }
}

/// The value of `name=value` starting at `from`: quoted, braced (ODBC), up
/// to `;` in `;`-separated strings (where a password may hold spaces), else
/// up to whitespace, `&`, `;` or a quote.
fn assigned_value(b: &[u8], from: usize, kind: ContentKind) -> Option<Range<usize>> {
    let &first = b.get(from)?;
    if is_quote(first) {
        let stop = run_end(b, from + 1, |c| c != first && c != b'\n');
        return Some(from + 1..stop);
    }
    if first == b'{' {
        let stop = run_end(b, from + 1, |c| c != b'}' && c != b'\n');
        return Some(from + 1..stop);
    }
    let line_end = from + memchr::memchr(b'\n', &b[from..]).unwrap_or(b.len() - from);
    let semicolons =
        kind == ContentKind::ConnectionString && memchr::memchr(b';', &b[from..line_end]).is_some();
    let stop = if semicolons {
        run_end(b, from, |c| {
            !(c == b';' || c == b'\r' || c == b'\n' || is_quote(c))
        })
    } else {
        // A `#` ends a query, but an unencoded one may be the secret's.
        run_end(b, from, |c| {
            !(c.is_ascii_whitespace() || is_quote(c) || matches!(c, b'&' | b';'))
        })
    };
    Some(from..stop)
}

/// Whether a value only names where the secret comes from: `${NAME}`,
/// `$NAME`, `%NAME%`, or an already hidden `***`.
fn is_reference(value: &str) -> bool {
    let ident =
        |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
    value.is_empty()
        || value.bytes().all(|c| c == b'*')
        || value
            .strip_prefix("${")
            .and_then(|v| v.strip_suffix('}'))
            .is_some_and(ident)
        || value.strip_prefix('$').is_some_and(ident)
        || value
            .strip_prefix('%')
            .and_then(|v| v.strip_suffix('%'))
            .is_some_and(ident)
}

/// Bytes that end a URL in running text.
fn ends_url(c: u8) -> bool {
    c.is_ascii_whitespace() || is_quote(c) || matches!(c, b'<' | b'>')
}

/// The userinfo of every URL (`scheme://user:password@host`, any scheme,
/// `jdbc:mysql://` included): the password, which may hold an unencoded `/`,
/// `?`, `#` or `@`; or a user that is a token rather than a name.
fn urls(text: &str, out: &mut Vec<Span>) {
    let b = text.as_bytes();
    if memchr::memchr(b'@', b).is_none() {
        return;
    }
    for sep in memchr::memmem::find_iter(b, b"://") {
        let auth = sep + 3;
        let mut url_end = run_end(b, auth, |c| !ends_url(c));
        // A list of URLs joined by commas: this one ends at the next.
        if let Some(next) = memchr::memmem::find(&b[auth..url_end], b"://") {
            url_end = b[..auth + next]
                .iter()
                .rposition(|&c| c == b',')
                .filter(|&c| c > auth)
                .unwrap_or(url_end);
        }
        let a = &b[auth..url_end];
        let seg_end = a
            .iter()
            .position(|&c| matches!(c, b'/' | b'?' | b'#'))
            .unwrap_or(a.len());
        let userinfo_end = match a[..seg_end].iter().rposition(|&c| c == b'@') {
            Some(at) => at,
            None => {
                // A password holding `/`, `?` or `#`: `user:pa/ss@host`,
                // where the part after the colon is no port.
                let Some(colon) = a[..seg_end].iter().position(|&c| c == b':') else {
                    continue;
                };
                // A port before the path, or before a query that holds
                // an `@` in a value (`:80?email=a@b`).
                let digits = a[colon + 1..seg_end].iter().all(u8::is_ascii_digit);
                let port = digits
                    && (a.get(seg_end).is_none_or(|&c| c == b'/')
                        || a[seg_end..]
                            .iter()
                            .take_while(|&&c| c != b'@')
                            .any(|&c| c == b'='));
                // The host follows the last `@` before the path.
                let at = a[seg_end..]
                    .iter()
                    .position(|&c| c == b'@')
                    .map(|p| seg_end + p)
                    .map(|first| {
                        let path = a[first..]
                            .iter()
                            .position(|&c| matches!(c, b'/' | b'?' | b'#'))
                            .map_or(a.len(), |p| first + p);
                        first + a[first..path].iter().rposition(|&c| c == b'@').unwrap_or(0)
                    });
                match at {
                    Some(at)
                        if !port
                            && a.get(at + 1)
                                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'[') =>
                    {
                        at
                    }
                    _ => continue,
                }
            }
        };
        let userinfo = &a[..userinfo_end];
        match userinfo.iter().position(|&c| c == b':') {
            Some(colon) => push(
                out,
                auth + colon + 1..auth + userinfo_end,
                ContentKind::UrlUserinfo,
            ),
            None => {
                let user = &text[auth..auth + userinfo_end];
                if is_token_user(user) {
                    push(out, auth..auth + userinfo_end, ContentKind::UrlUserinfo);
                }
            }
        }
    }
}

/// Whether a URL user is a token rather than a plain user name.
fn is_token_user(user: &str) -> bool {
    shape::is_opaque_token(user)
        || (user.len() >= 20 && user.bytes().any(|c| c.is_ascii_digit()) && !user.contains('.'))
}

/// Oracle `user/password@host` (also after `jdbc:oracle:thin:`): the password.
fn oracle(text: &str, out: &mut Vec<Span>) {
    let b = text.as_bytes();
    for at in memchr::memchr_iter(b'@', b) {
        let pw_start = at
            - b[..at]
                .iter()
                .rev()
                .take_while(|&&c| {
                    !(c == b'/'
                        || c == b'@'
                        || c == b':'
                        || c == b'='
                        || c.is_ascii_whitespace()
                        || is_quote(c))
                })
                .count();
        if pw_start == at || pw_start == 0 || b[pw_start - 1] != b'/' {
            continue;
        }
        let slash = pw_start - 1;
        let user_start = slash
            - b[..slash]
                .iter()
                .rev()
                .take_while(|&&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b'#'))
                .count();
        let user_ok = user_start < slash
            && b[user_start].is_ascii_alphabetic()
            && (user_start == 0
                || b[user_start - 1].is_ascii_whitespace()
                || is_quote(b[user_start - 1])
                || matches!(b[user_start - 1], b'=' | b':' | b'(' | b',' | b';'));
        if !user_ok {
            continue;
        }
        let host_end = run_end(b, at + 1, |c| !(c.is_ascii_whitespace() || is_quote(c)));
        let host = &text[at + 1..host_end];
        if host.is_empty() || is_digest_or_version(host) {
            continue;
        }
        push(out, pw_start..at, ContentKind::ConnectionString);
    }
}

/// Whether what follows `name@` is a digest (`sha256:…`) or a version
/// (`1.2.3`, `v2`, `^1.0`) rather than a host: image and module references.
fn is_digest_or_version(host: &str) -> bool {
    // Compared as bytes: the host may hold any character, and a prefix's
    // length need not fall on a character boundary of it.
    let lower_starts = |p: &str| {
        host.as_bytes()
            .get(..p.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(p.as_bytes()))
    };
    if ["sha256:", "sha384:", "sha512:", "sha1:", "md5:", "blake3:"]
        .iter()
        .any(|p| lower_starts(p))
    {
        return true;
    }
    let h = host.trim_start_matches(['^', '~', '=', 'v', 'V']);
    let digits_and_dots = h
        .bytes()
        .take_while(|c| c.is_ascii_digit() || *c == b'.')
        .count();
    if digits_and_dots == 0 {
        return host.starts_with(['^', '~']) || host == "latest";
    }
    // An IPv4 address is a host, `1.2.3` a version.
    let dotted = &h[..digits_and_dots];
    dotted.split('.').count() <= 3 || host.starts_with(['v', 'V', '^', '~'])
}

/// Length of a Twilio API key or account SID (`SK`/`AC` and 32 hex digits).
const TWILIO_LEN: usize = 34;
/// Length of an AWS secret access key.
const AWS_SECRET_LEN: usize = 40;

/// Bytes of a standalone key run: base64 without padding.
fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
}

/// Runs of key bytes that may be a Twilio key (34 bytes, `SK`/`AC` and
/// lower-case hex) or an AWS secret key (40 bytes, upper and lower case),
/// standing alone: not part of a longer token or of base64 with padding.
fn fixed_runs(b: &[u8]) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            if !is_key_byte(b[i]) {
                i += 1;
                continue;
            }
            let start = i;
            i = run_end(b, i, is_key_byte);
            let run = &b[start..i];
            let before_ok = start == 0 || !matches!(b[start - 1], b'-' | b'_' | b'.');
            let after_ok = !b
                .get(i)
                .is_some_and(|c| matches!(c, b'-' | b'_' | b'=' | b'.'));
            if !(before_ok && after_ok) {
                continue;
            }
            let twilio = run.len() == TWILIO_LEN
                && (run.starts_with(b"SK") || run.starts_with(b"AC"))
                && run[2..]
                    .iter()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c));
            let aws = run.len() == AWS_SECRET_LEN
                && run.iter().any(u8::is_ascii_uppercase)
                && run.iter().any(u8::is_ascii_lowercase);
            if twilio || aws {
                return Some(start..i);
            }
        }
        None
    })
}

#[cfg(test)]
mod tests;
