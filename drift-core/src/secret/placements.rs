//! Generated secrets of every kind in every placement a collector records,
//! through the whole judge ([`Sanitizer`]): what a manifest would hold must
//! keep no 8-character window of the secret.
//!
//! Secrets are generated from each provider's documented format (prefix,
//! alphabet, length), not from the detectors' patterns.

use base64::Engine as _;

use super::Sanitizer;
use crate::key::KeyPath;
use crate::manifest::write_value;
use crate::testing::xorshift;
use crate::value::{FileInfo, Value};

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX: &[u8] = b"0123456789abcdef";

fn random(next: &mut impl FnMut(usize) -> usize, alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| char::from(alphabet[next(alphabet.len())]))
        .collect()
}

/// A secret of kind `which`, as its issuer documents it.
fn secret(next: &mut impl FnMut(usize) -> usize, which: usize) -> String {
    match which % 14 {
        0 => format!("ghp_{}", random(next, ALNUM, 36)),
        1 => format!("glpat-{}", random(next, ALNUM, 20)),
        2 => {
            let len = 24 + next(40);
            format!("sk_live_{}", random(next, ALNUM, len))
        }
        3 => format!(
            "AKIA{}",
            random(next, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
        ),
        4 => format!("AIza{}", random(next, B64URL, 35)),
        5 => format!(
            "xoxb-{}-{}-{}",
            random(next, b"0123456789", 12),
            random(next, b"0123456789", 12),
            random(next, ALNUM, 24)
        ),
        6 => format!("npm_{}", random(next, ALNUM, 36)),
        7 => format!(
            "SG.{}.{}",
            random(next, B64URL, 22),
            random(next, B64URL, 43)
        ),
        8 => format!("SK{}", random(next, HEX, 32)),
        9 => {
            let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(br#"{"alg":"HS256","typ":"JWT"}"#);
            let claims = format!(r#"{{"sub":"{}"}}"#, random(next, b"0123456789", 9));
            let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims);
            format!("{header}.{claims}.{}", random(next, B64URL, 43))
        }
        10 => format!("sk-proj-{}", random(next, B64URL, 64)),
        11 => format!("pypi-AgEIcHlwaS5vcmc{}", random(next, B64URL, 50)),
        // What people type as passwords, and random ones.
        12 => format!(
            "{}{}{}",
            ["Summer", "dragon", "Winter", "monkey"][next(4)],
            random(next, b"0123456789", 4),
            ["!", "#", "%", "*"][next(4)]
        ),
        _ => {
            let len = 32 + next(16);
            random(next, B64URL, len)
        }
    }
}

/// Whether a secret is recognisable by its content alone (a password a
/// person chose is not: it is found by where it sits).
fn has_own_shape(which: usize) -> bool {
    which % 14 != 12
}

/// The places a collector records a secret in: (key, value).
fn placements(s: &str, own_shape: bool) -> Vec<(&'static str, Value)> {
    let mut out = vec![
        (
            "env:DATABASE_URL",
            Value::from(format!("postgres://app:{s}@db:5432/shop")),
        ),
        (
            "env:JDBC",
            Value::from(format!("jdbc:mysql://app:{s}@db/shop")),
        ),
        (
            "env:ADO",
            Value::from(format!("Server=db;Database=shop;User Id=app;Password={s};")),
        ),
        (
            "env:LIBPQ",
            Value::from(format!("host=db user=app password={s} dbname=x")),
        ),
        ("env:DB_PASSWORD", Value::from(s)),
        ("config:app.yaml:db.password", Value::from(s)),
        ("config:app.yaml:env[name=API_TOKEN].value", Value::from(s)),
        (
            "config:app.yaml:environment",
            Value::List(vec![
                Value::from("TZ=UTC"),
                Value::from(format!("POSTGRES_PASSWORD={s}")),
            ]),
        ),
        (
            "config:app.yaml:args",
            Value::List(vec![
                Value::from("--port=80"),
                Value::from("--api-token"),
                Value::from(s),
            ]),
        ),
        (
            "config:app.yaml:settings",
            Value::from(format!(r#"{{"db": {{"password": "{s}"}}}}"#)),
        ),
        (
            "config:app.yaml:blob",
            Value::from(
                base64::engine::general_purpose::STANDARD
                    .encode(format!(r#"{{"auth": {{"password": "{s}"}}}}"#)),
            ),
        ),
        (
            "config:app.yaml:script",
            Value::from(format!("#!/bin/sh\nmysqldump -u root -p{s} shop\n")),
        ),
        (
            "config:app.yaml:header",
            Value::from(format!("Authorization: Bearer {s}")),
        ),
        (
            "file:redis.conf",
            Value::from(FileInfo {
                blake3: "0".repeat(64),
                size: 40,
                mode: Some(0o644),
                text: Some(format!("port 6379\nrequirepass {s}\n")),
            }),
        ),
    ];
    if own_shape {
        // Under innocent names: found by what it is.
        out.extend([
            ("env:SERVICE", Value::from(s)),
            ("config:app.yaml:integrations.stripe", Value::from(s)),
            (
                "config:app.yaml:keys",
                Value::List(vec![Value::from("a"), Value::from(s)]),
            ),
            (
                "config:app.yaml:note",
                Value::from(format!("use {s} for the CI job")),
            ),
            (
                "file:notes.txt",
                Value::from(FileInfo {
                    blake3: "0".repeat(64),
                    size: 40,
                    mode: None,
                    text: Some(format!("deploy\ntoken {s}\n")),
                }),
            ),
        ]);
    }
    out
}

/// Whether `text` holds any 8-character window of `secret`.
fn leaks(text: &str, secret: &str) -> Option<String> {
    let chars: Vec<char> = secret.chars().collect();
    chars
        .windows(8.min(chars.len()))
        .map(|w| w.iter().collect::<String>())
        .find(|w| text.contains(w.as_str()))
}

#[test]
fn generated_secrets_are_hidden_in_every_placement() {
    let mut next = xorshift(0x5eed_5ec2_e75a_11ce);
    let sanitizer = Sanitizer::default();
    let mut judged = 0;
    for round in 0..40 {
        for which in 0..14 {
            let s = secret(&mut next, which + round);
            for (key, value) in placements(&s, has_own_shape(which + round)) {
                let key = KeyPath::new(key).unwrap();
                let hidden = sanitizer.sanitize(&key, value);
                let mut written = Vec::new();
                write_value(&mut written, &hidden).unwrap();
                let written = String::from_utf8(written).unwrap();
                let shown = format!("{hidden} {hidden:?} {written}");
                assert!(
                    leaks(&shown, &s).is_none(),
                    "{key} shows {:?} of its secret: {shown}",
                    leaks(&shown, &s)
                );
                judged += 1;
            }
        }
    }
    assert!(judged > 5_000, "{judged}");
}

#[test]
fn credentials_used_as_key_segments_are_replaced_by_a_digest() {
    let mut next = xorshift(0x07e5_75e9_0000_0001);
    for which in 0..14 {
        if !has_own_shape(which) {
            continue;
        }
        let s = secret(&mut next, which);
        let key = crate::key::KeyBuilder::new("config")
            .path("kong.yaml")
            .field("tokens")
            .field(&s)
            .field("user")
            .finish();
        assert!(leaks(key.as_str(), &s).is_none(), "{key}");
        assert!(key.as_str().contains(".hidden-"), "{key}");
        let again = crate::key::KeyBuilder::new("config")
            .path("kong.yaml")
            .field("tokens")
            .field(&s)
            .field("user")
            .finish();
        assert_eq!(key, again);
        let item = crate::key::KeyBuilder::new("config")
            .path("kong.yaml")
            .field("keyauth_credentials")
            .id("key", &s)
            .field("key")
            .finish();
        assert!(leaks(item.as_str(), &s).is_none(), "{item}");
    }
    // Ordinary long names stay.
    for name in [
        "maximum-pool-size",
        "spring.datasource.hikari",
        "PAYMENT_GATEWAY_TIMEOUT_MS",
    ] {
        let key = crate::key::KeyBuilder::new("config")
            .path("a.yaml")
            .field(name)
            .finish();
        assert!(
            key.as_str().contains(name.split('.').next().unwrap()),
            "{key}"
        );
    }
}

#[test]
fn flags_and_nulls_are_never_hidden_and_numbers_only_by_name() {
    let s = Sanitizer::default();
    for key in [
        "env:DB_PASSWORD",
        "config:a.yaml:auth.token",
        "config:a.yaml:secrets.x",
    ] {
        let key = KeyPath::new(key).unwrap();
        assert_eq!(
            s.sanitize(&key, Value::Bool(true)),
            Value::Bool(true),
            "{key}"
        );
        assert_eq!(s.sanitize(&key, Value::Null), Value::Null, "{key}");
        assert!(s.sanitize(&key, Value::Int(123_456)).is_secret(), "{key}");
    }
    let key = KeyPath::new("config:a.yaml:automountServiceAccountToken").unwrap();
    assert_eq!(s.sanitize(&key, Value::Bool(false)), Value::Bool(false));
    let key = KeyPath::new("config:a.yaml:pool.size").unwrap();
    assert_eq!(
        s.sanitize(&key, Value::Int(123_456_789)),
        Value::Int(123_456_789)
    );
}

#[test]
fn a_file_whose_text_had_a_secret_gets_a_keyed_hash() {
    let text = "port 6379\nrequirepass hunter22\n";
    let file = || {
        Value::from(FileInfo {
            blake3: blake3::hash(text.as_bytes()).to_hex().to_string(),
            size: text.len() as u64,
            mode: None,
            text: Some(text.to_owned()),
        })
    };
    let key = KeyPath::new("file:redis.conf").unwrap();
    let plain_hash = blake3::hash(text.as_bytes()).to_hex().to_string();
    // Keyed: a fingerprint of the content, so a changed secret still shows.
    let keyed = Sanitizer::new(crate::Fingerprinter::keyed(b"a long random key"));
    let Value::File(f) = keyed.sanitize(&key, file()) else {
        panic!("not a file")
    };
    assert!(f.blake3.starts_with("blake3k:"), "{}", f.blake3);
    assert_eq!(f.text.as_deref(), Some("port 6379\nrequirepass ***\n"));
    // Unkeyed: neither the plain hash nor the exact size of the original.
    let Value::File(f) = Sanitizer::default().sanitize(&key, file()) else {
        panic!("not a file")
    };
    assert_ne!(f.blake3, plain_hash);
    assert_ne!(f.size, text.len() as u64);
    assert!(!format!("{f:?}").contains("hunter22"));
}
