//! Judging a whole value by its shape: an opaque high-entropy token (a
//! random API key under an innocent name) rather than a word, name, number,
//! version, host, path, digest or id.
//!
//! A random token breaks into many short pieces where its character class
//! changes (`k9Xq2Lm` → `k`, `9`, `Xq`, `2`, `Lm`), where an identifier
//! breaks only at its words (`paymentGatewayV2` → `payment`, `Gateway`, `V`,
//! `2`): the share of pieces, with the variety of its characters, tells
//! them apart without a dictionary. Hexadecimal (commit ids, hashes, UUIDs)
//! and base64 of text are recognised and kept visible first.
#![cfg_attr(not(test), allow(dead_code))] // called by the judge in mod.rs

use base64::Engine;

/// The shortest token judged opaque.
pub(crate) const MIN_LEN: usize = 16;
/// The longest value judged (longer ones are documents, not tokens).
const MAX_LEN: usize = 2048;

/// Whether a whole value (trimmed, one token, no whitespace) is an opaque
/// high-entropy token.
pub(crate) fn is_opaque_token(text: &str) -> bool {
    let t = text.trim();
    let b = t.as_bytes();
    if b.len() < MIN_LEN || b.len() > MAX_LEN {
        return false;
    }
    if !b
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || b"+/=_-.~".contains(&c))
    {
        return false;
    }
    let padding = b.iter().rev().take_while(|&&c| c == b'=').count();
    if b[..b.len() - padding].contains(&b'=') || padding > 2 {
        return false;
    }
    if matches!(b[0], b'/' | b'.' | b'~' | b'-') || t.contains("//") || t.contains("..") {
        return false;
    }
    if is_hex_id(b) || is_version(b) || is_hostname(b) || is_integrity(t) {
        return false;
    }
    // Dotted names are judged by their parts: a token split by dots (a
    // JWT's parts are judged by content) is opaque when a part is.
    if b.contains(&b'.') {
        return t
            .split('.')
            .any(|part| part.len() >= MIN_LEN && looks_random(part.as_bytes()));
    }
    looks_random(b) && !is_base64_text(t)
}

/// Whether a dot-free token reads as random rather than as words.
fn looks_random(b: &[u8]) -> bool {
    let (mut upper, mut lower, mut digit) = (0usize, 0usize, 0usize);
    for &c in b {
        if c.is_ascii_uppercase() {
            upper += 1;
        } else if c.is_ascii_lowercase() {
            lower += 1;
        } else if c.is_ascii_digit() {
            digit += 1;
        }
    }
    let alnum = upper + lower + digit;
    let classes = usize::from(upper > 0) + usize::from(lower > 0) + usize::from(digit > 0);
    if classes < 2 || alnum < MIN_LEN {
        return false;
    }
    let longest = b
        .split(|c| matches!(c, b'-' | b'_' | b'.' | b'~'))
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0);
    let one_case = upper == 0 || lower == 0;
    if one_case && (alnum < 24 || longest < 16) || longest < 8 {
        return false;
    }
    if entropy(b) < 0.75 * (alnum.min(64) as f64).log2() {
        return false;
    }
    // Digits between letters, again and again, are random too (an
    // identifier holds a version or two: `V2`, `x86`).
    let switches = b
        .windows(2)
        .filter(|w| {
            w[0].is_ascii_digit() != w[1].is_ascii_digit()
                && w.iter().all(u8::is_ascii_alphanumeric)
        })
        .count();
    let share = wordy_share(b);
    share < 0.45 || (share < 0.6 && switches >= 4)
}

/// The most common letter pairs of English text (most of the pairs of
/// ordinary words; about a fifth of those of random letters).
const COMMON_PAIRS: &str = "th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng \
     se ha as ou io le ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns di \
     fo ho pe ec pr no ct us ac ot il tr ly nc et ut ss so rs un lo wa ge ie wh ee wi em ad ol rt po \
     we na ul ni ts mo ow pa im mi ai sh ir su id os iv ia am fi ci vi pl ig tu ev ld ry mp fe bl ab \
     ty op ex ke oo ap ag gr ck ey qu ue ay";

/// [`COMMON_PAIRS`] as one bit per pair of letters.
fn common_pairs() -> &'static [u32; 26] {
    static TABLE: std::sync::OnceLock<[u32; 26]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0u32; 26];
        for pair in COMMON_PAIRS.split_ascii_whitespace() {
            let p = pair.as_bytes();
            t[usize::from(p[0] - b'a')] |= 1 << (p[1] - b'a');
        }
        t
    })
}

/// The share of the letter pairs of a token (within its words: not across
/// digits, separators or a camelCase boundary) that are common in English:
/// words and names of ordinary values score high, random tokens low.
fn wordy_share(b: &[u8]) -> f64 {
    let table = common_pairs();
    let (mut pairs, mut common) = (0usize, 0usize);
    for w in b.windows(2) {
        let (x, y) = (w[0], w[1]);
        if !(x.is_ascii_alphabetic() && y.is_ascii_alphabetic())
            || (x.is_ascii_lowercase() && y.is_ascii_uppercase())
        {
            continue;
        }
        pairs += 1;
        let (x, y) = (x.to_ascii_lowercase() - b'a', y.to_ascii_lowercase() - b'a');
        if table[usize::from(x)] & (1 << y) != 0 {
            common += 1;
        }
    }
    if pairs == 0 {
        return 0.0;
    }
    common as f64 / pairs as f64
}

/// Shannon entropy of the alphanumeric bytes, in bits per byte.
fn entropy(b: &[u8]) -> f64 {
    let mut counts = [0u32; 128];
    let mut n = 0u32;
    for &c in b.iter().filter(|c| c.is_ascii_alphanumeric()) {
        counts[usize::from(c)] += 1;
        n += 1;
    }
    let n = f64::from(n);
    counts
        .iter()
        .filter(|&&k| k > 0)
        .map(|&k| {
            let p = f64::from(k) / n;
            -p * p.log2()
        })
        .sum()
}

/// Hexadecimal ids: commit ids, hashes, UUIDs (one case, dashes allowed).
fn is_hex_id(b: &[u8]) -> bool {
    let digits = |c: &u8| c.is_ascii_digit() || *c == b'-';
    b.iter().all(|c| digits(c) || (b'a'..=b'f').contains(c))
        || b.iter().all(|c| digits(c) || (b'A'..=b'F').contains(c))
}

/// Versions: `1.2.3`, `v2.0.0-rc.1+build.5`, `20240101.1`.
fn is_version(b: &[u8]) -> bool {
    let body = b
        .strip_prefix(b"v")
        .or_else(|| b.strip_prefix(b"V"))
        .unwrap_or(b);
    body.first().is_some_and(u8::is_ascii_digit) && body.contains(&b'.')
}

/// Host names: lower-case labels of letters, digits and dashes, dotted.
fn is_hostname(b: &[u8]) -> bool {
    b.contains(&b'.')
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.')
}

/// Subresource integrity and Go module sums: `sha512-…`, `h1:…` (the colon
/// form never reaches here).
fn is_integrity(t: &str) -> bool {
    ["sha1-", "sha256-", "sha384-", "sha512-", "md5-"]
        .iter()
        .any(|p| t.starts_with(p))
}

/// Whether a token is base64 of mostly printable text (left for the
/// structure layer to decode and judge).
fn is_base64_text(t: &str) -> bool {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let decoded = STANDARD
        .decode(t)
        .or_else(|_| STANDARD_NO_PAD.decode(t))
        .or_else(|_| URL_SAFE.decode(t))
        .or_else(|_| URL_SAFE_NO_PAD.decode(t));
    let Ok(d) = decoded else { return false };
    let printable = d
        .iter()
        .filter(|&&c| (0x20..0x7f).contains(&c) || matches!(c, b'\n' | b'\r' | b'\t'))
        .count();
    d.len() >= 6 && printable * 10 >= d.len() * 9
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::xorshift;

    const BASE62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    fn random(next: &mut impl FnMut(usize) -> usize, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| char::from(alphabet[next(alphabet.len())]))
            .collect()
    }

    #[test]
    fn random_tokens_are_opaque() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let mut missed = Vec::new();
        for len in [20, 24, 32, 40, 64] {
            for _ in 0..200 {
                let t = random(&mut next, BASE62, len);
                if !is_opaque_token(&t) {
                    missed.push(t);
                }
            }
        }
        // Lower case and digits only, long.
        for _ in 0..200 {
            let t = random(&mut next, b"abcdefghijklmnopqrstuvwxyz0123456789", 32);
            if !is_opaque_token(&t) {
                missed.push(t);
            }
        }
        assert!(missed.len() <= 12, "{} missed: {missed:?}", missed.len());
    }

    #[test]
    fn ordinary_values_are_not_opaque() {
        for v in [
            "1.2.3",
            "v2.14.0-rc.1+build.5",
            "db-primary.prod.shop.internal",
            "/var/lib/postgresql/data",
            "./config/settings.yaml",
            "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "123e4567-e89b-12d3-a456-426614174000",
            "PaymentGatewayClientV2Impl",
            "PAYMENT_GATEWAY_TIMEOUT_MS",
            "payment_gateway_timeout_ms",
            "com.example.payments.GatewayClient",
            "app-2.3.1-linux-x86_64.tar.gz",
            "aGVsbG8gd29ybGQgZnJvbSBkcmlmdA==",
            "ops@example.com",
            "12345678901234567890",
            "2024-01-01T00:00:00Z",
            "eu-west-1a.compute.internal",
            "release20240101build",
            "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
            "org.springframework.boot:spring-boot-starter-web",
            "kubernetes.io/service-account-token",
            "ThisIsAVeryLongCamelCaseIdentifierName",
            "getUserAccountSettings2FAHandler",
        ] {
            assert!(!is_opaque_token(v), "{v}");
        }
    }

    #[test]
    fn provider_shaped_tokens_are_opaque() {
        for v in [
            "q3Zt8Wm/K7xDbN2vLp+Rj5HcY9sFgT1kVw4eXnUo",
            "Kx93hT7qLm2Vz8RwPa4N",
            "ghp_Z3b9XqLm2Vz8RwPa4NhT7qKx93aBcDeFgHiJ",
        ] {
            assert!(is_opaque_token(v), "{v}");
        }
    }
}
