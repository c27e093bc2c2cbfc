//! Tests of the content rules: each rule, secrets generated from each
//! provider's documented format in realistic surroundings, a corpus of
//! ordinary values and the repository's fixtures, and a timing.

use super::*;
use crate::secret::lines::scrub_text;
use crate::testing::xorshift;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// The secret parts `find` reports, as text.
fn found(text: &str) -> Vec<&str> {
    find(text).into_iter().map(|s| &text[s.range]).collect()
}

fn kinds(text: &str) -> Vec<ContentKind> {
    find(text).into_iter().map(|s| s.kind).collect()
}

#[test]
fn private_key_blocks_of_every_kind() {
    let blocks = [
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI\n-----END EC PRIVATE KEY-----",
        "-----BEGIN DSA PRIVATE KEY-----\nMIIBuwIBAAKBgQ\n-----END DSA PRIVATE KEY-----",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkq\n-----END ENCRYPTED PRIVATE KEY-----",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF1abc\n=Ab12\n-----END PGP PRIVATE KEY BLOCK-----",
        "-----BEGIN OpenVPN Static key V1-----\n0a1b2c3d\n-----END OpenVPN Static key V1-----",
        "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nP2/56wAAA\n---- END SSH2 ENCRYPTED PRIVATE KEY ----",
    ];
    for block in blocks {
        for text in [
            block.to_owned(),
            format!("key: |\n  {block}\nnext: 1"),
            block.replace('\n', "\\n"),
        ] {
            let spans = find(&text);
            assert_eq!(spans.len(), 1, "{text}");
            assert_eq!(spans[0].kind, ContentKind::PrivateKey);
            let hidden = &text[spans[0].range.clone()];
            assert!(
                hidden.starts_with("----") && hidden.ends_with("----"),
                "{hidden}"
            );
        }
    }
    let putty = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\nAAAAIGq\nPrivate-MAC: 1a2b3c\n";
    assert_eq!(found(putty), [putty.trim_end()]);
    // Public keys and certificates are not secret.
    assert!(find("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----").is_empty());
    assert!(find("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----").is_empty());
    // A block without its end hides to the end of the text.
    assert_eq!(
        found("x -----BEGIN RSA PRIVATE KEY-----\nMIIE"),
        ["-----BEGIN RSA PRIVATE KEY-----\nMIIE"]
    );
}

#[test]
fn jwts() {
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0In0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    assert_eq!(found(jwt), [jwt]);
    assert_eq!(found(&format!("SERVICE_JWT={jwt}")), [jwt]);
    assert_eq!(kinds(&format!("{{\"t\":\"{jwt}\"}}")), [ContentKind::Jwt]);
    assert!(find("eyJustAWord and more").is_empty());
}

#[test]
fn provider_tokens() {
    for t in [
        "AKIAIOSFODNN7EXAMPLE",
        "ASIAY34FZKBOKMUTVV7A",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "gho_16C7e42F292c6912E7710c838347Ae178B4a",
        "github_pat_11ABCDEFG0abcdefghijkl_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVW",
        "glpat-xxxxxxxxxxxxxxxxxxxx",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "xoxp-1234-5678-9012-abcdef",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "rk_live_51H8aBcDeFgHiJkLmNoPqRsT",
        "whsec_abcdefghijklmnopqrstuvwxyz012345",
        "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
        "sk-ant-api03-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAA",
        "sk-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb3dEf6hIj9kLm2n",
        "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI",
        "npm_abcdefghijklmnopqrstuvwxyz0123456789",
        "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAt",
        "SK0123456789abcdef0123456789abcdef",
        "AC0123456789abcdef0123456789abcdef",
        "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",
        "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",
        "hvs.CAESIJbx7xZ2k9vQ3pLm8nRt5wYu",
        "hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh",
        "dp.st.prd.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCd",
    ] {
        assert_eq!(found(t), [t], "{t}");
        assert_eq!(found(&format!("export INNOCENT=\"{t}\"")), [t], "{t}");
        assert!(
            find(t).iter().all(|s| s.kind == ContentKind::ProviderToken),
            "{t}"
        );
    }
    // An AWS secret key next to a key id, and alone.
    let pair = "AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    assert_eq!(
        found(pair),
        [
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        ]
    );
    assert_eq!(
        found("s3.secret: Zq8rT1vW3xY5zA7bC9dE1fG3hI5jK7lM9nO1pQ3r"),
        ["Zq8rT1vW3xY5zA7bC9dE1fG3hI5jK7lM9nO1pQ3r"]
    );
    // Words that merely start like a prefix.
    for t in [
        "task-runner-2",
        "disk-usage",
        "AKIA",
        "ghp_short",
        "npm_config_cache",
        "SG.example",
        "ASIAN",
        "shpat_",
        "hf_hub_cache",
        "hvs.example",
    ] {
        assert!(find(t).is_empty(), "{t}");
    }
}

#[test]
fn webhooks() {
    let slack = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
    assert_eq!(
        found(slack),
        ["T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"]
    );
    let discord = "https://discord.com/api/webhooks/123456789012345678/abcDEF-ghi_jkl";
    assert_eq!(found(discord), ["123456789012345678/abcDEF-ghi_jkl"]);
    assert_eq!(kinds(discord), [ContentKind::Webhook]);
    assert!(find("https://hooks.slack.com/").is_empty());
}

#[test]
fn url_userinfo() {
    let cases = [
        ("postgres://app:hunter2@db:5432/shop", "hunter2"),
        ("jdbc:mysql://app:PW1@db/shop", "PW1"),
        ("redis://:s3cr3t@cache:6379/0", "s3cr3t"),
        ("postgres://app:pa/ss@db/shop", "pa/ss"),
        ("postgres://app:p@ss@db/shop", "p@ss"),
        (
            "https://ghp_16C7e42F292c6912E7710c838347Ae178B4a@github.com/o/r.git",
            "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        ),
        (
            "https://Kx93hT7qLm2Vz8RwPa4Nd1@git.example.com/r",
            "Kx93hT7qLm2Vz8RwPa4Nd1",
        ),
        ("amqp://guest:guest@rabbit", "guest"),
    ];
    for (url, pw) in cases {
        assert_eq!(found(url), [pw], "{url}");
        assert_eq!(found(&format!("url = \"{url}\" # note")), [pw], "{url}");
    }
    assert_eq!(found("redis://:a1@h1,redis://:b2@h2"), ["a1", "b2"]);
    for ok in [
        "https://user@api.example.com/x",
        "ssh://git@github.com/o/r",
        "http://localhost:3000/@vite/client",
        "https://registry.npmjs.org/@types/node/-/node-18.0.0.tgz",
        "https://unpkg.com/react@18.2.0/umd/react.production.min.js",
        "git@github.com:org/repo.git",
    ] {
        assert!(find(ok).is_empty(), "{ok}: {:?}", found(ok));
    }
}

#[test]
fn connection_strings() {
    let cases = [
        (
            "Server=db;Database=shop;User Id=app;Password=my pass!;",
            "my pass!",
        ),
        (
            "Driver={ODBC Driver 18};Server=db;UID=app;PWD={p;w};",
            "p;w",
        ),
        (
            "jdbc:sqlserver://db:1433;databaseName=shop;user=sa;password=Pw0rd;",
            "Pw0rd",
        ),
        (
            "host=db port=5432 user=app password=hunter2 dbname=shop",
            "hunter2",
        ),
        ("host=db password = 'two words' dbname=shop", "two words"),
        ("scott/tiger@db.internal:1521/ORCL", "tiger"),
        ("jdbc:oracle:thin:scott/tiger@10.0.0.5:1521:orcl", "tiger"),
        (
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=bXlrZXk=;EndpointSuffix=core.windows.net",
            "bXlrZXk=",
        ),
        (
            "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=abc+def=",
            "abc+def=",
        ),
    ];
    for (text, pw) in cases {
        assert_eq!(found(text), [pw], "{text}");
    }
    let sas = "BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&sig=abc%2Bdef%3D";
    assert!(!find(sas).is_empty());
    assert!(found(sas).concat().contains("abc%2Bdef%3D"));
    for ok in [
        "Server=db;Database=shop;User Id=app;Password=${DB_PASSWORD};",
        "docker.io/library/nginx@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "golang.org/x/text@v0.3.0",
        "lodash/fp@4.17.21",
        "npm:@scope/pkg@^1.0.0",
        "password_file=/run/secrets/db",
        "token_ttl=3600",
    ] {
        assert!(find(ok).is_empty(), "{ok}: {:?}", found(ok));
    }
}

#[test]
fn query_parameters() {
    let url = "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404&X-Amz-Security-Token=FQoGZXIvYXdzE";
    assert_eq!(
        found(url),
        [
            "AKIAIOSFODNN7EXAMPLE",
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
            "FQoGZXIvYXdzE"
        ]
    );
    assert_eq!(
        found("https://maps.googleapis.com/x?key=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI&z=1"),
        ["AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"]
    );
    for (q, v) in [
        ("token", "t0k"),
        ("access_token", "t0k"),
        ("password", "t0k"),
        ("api_key", "t0k"),
        ("sig", "t0k%3D"),
    ] {
        let url = format!("https://api.example.com/v1?limit=5&{q}={v}#frag");
        assert_eq!(found(&url), [format!("{v}#frag")], "{url}");
        assert_eq!(kinds(&url), [ContentKind::QueryParameter]);
    }
    assert!(find("https://api.example.com/v1?limit=5&page=2&sort=name").is_empty());
}

#[test]
fn authorization_headers() {
    let cases = [
        ("Authorization: Bearer abc.def-123", "abc.def-123"),
        (
            "curl -H 'Authorization: token ghx0123456789' https://x",
            "ghx0123456789",
        ),
        (
            "proxy_set_header Authorization \"Basic dXNlcjpwYXNz\";",
            "dXNlcjpwYXNz",
        ),
        ("{\"authorization\":\"s3cr3t-value\"}", "s3cr3t-value"),
        (
            "headers: Bearer eyJ0eXAiOiJKV1QifQ123",
            "eyJ0eXAiOiJKV1QifQ123",
        ),
        (
            "use Basic dXNlcjpwYXNzd29yZA== here",
            "dXNlcjpwYXNzd29yZA==",
        ),
    ];
    for (text, cred) in cases {
        assert_eq!(found(text), [cred], "{text}");
    }
    for ok in [
        "Authorization failed for user",
        "bearer token",
        "basic auth is used",
        "Basic realm=\"x\"",
    ] {
        assert!(find(ok).is_empty(), "{ok}: {:?}", found(ok));
    }
}

#[test]
fn command_lines() {
    let cases = [
        ("mysql -u root -pS3cret shop", "S3cret"),
        ("mysqldump -h db -u app -p'two words' shop", "two words"),
        ("app --password=hunter2 --port 80", "hunter2"),
        ("app --password hunter2 --port 80", "hunter2"),
        ("app --token abc123 -v", "abc123"),
        ("app --api-key=abc123", "abc123"),
        ("docker run -e PASSWORD=hunter2 img", "hunter2"),
        ("curl -u admin:hunter2 https://x", "hunter2"),
        ("[\"--db-password\", \"hunter2\"]", "hunter2"),
        ("docker login -u ci -p hunter2 registry.example", "hunter2"),
        (
            "echo x | helm registry login r.example -u ci -phunter2",
            "hunter2",
        ),
    ];
    for (text, pw) in cases {
        assert_eq!(found(text), [pw], "{text}");
    }
    for ok in [
        "ls -p /tmp",
        "app --password-file /run/pw",
        "docker login --password-stdin",
        "docker login -u ci --password-stdin registry.example",
        "pg_dump -p 5432 shop",
        "app --port 80 --token-ttl 60",
    ] {
        assert!(find(ok).is_empty(), "{ok}: {:?}", found(ok));
    }
}

#[test]
fn spans_are_sorted_and_disjoint() {
    let text = "Authorization: Bearer ghp_16C7e42F292c6912E7710c838347Ae178B4a postgres://a:b@h password=c";
    let spans = find(text);
    assert!(
        spans.windows(2).all(|w| w[0].range.end <= w[1].range.start),
        "{spans:?}"
    );
    assert_eq!(spans.len(), 3);
}

/// Random text over an alphabet.
fn random(next: &mut impl FnMut(usize) -> usize, alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| char::from(alphabet[next(alphabet.len())]))
        .collect()
}

const DIGITS: &[u8] = b"0123456789";
const HEX: &[u8] = b"0123456789abcdef";
const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A token of each provider, built from the format its documentation gives
/// (prefix, length, alphabet).
fn provider_token(next: &mut impl FnMut(usize) -> usize, which: usize) -> String {
    let mut r = |a: &[u8], n: usize| random(next, a, n);
    match which {
        // AWS: access key ids are AKIA (long-term) or ASIA (temporary) and
        // 16 base32 characters; secret keys 40 base64 characters.
        0 => format!("AKIA{}", r(BASE32, 16)),
        1 => format!("ASIA{}", r(BASE32, 16)),
        // GitHub: a prefix and 36 alphanumerics; fine-grained: 22 and 59.
        2 => format!("ghp_{}", r(ALNUM, 36)),
        3 => format!("ghs_{}", r(ALNUM, 36)),
        4 => format!("github_pat_{}_{}", r(ALNUM, 22), r(ALNUM, 59)),
        // GitLab: glpat- and 20 characters.
        5 => format!("glpat-{}", r(B64URL, 20)),
        // Slack: xoxb-TEAM-BOT-SECRET, xoxp-…
        6 => format!("xoxb-{}-{}-{}", r(DIGITS, 12), r(DIGITS, 13), r(ALNUM, 24)),
        7 => format!(
            "xoxp-{}-{}-{}-{}",
            r(DIGITS, 12),
            r(DIGITS, 12),
            r(DIGITS, 13),
            r(HEX, 32)
        ),
        // Stripe: secret and restricted keys, webhook signing secrets.
        8 => format!("sk_live_{}", r(ALNUM, 24)),
        9 => format!("rk_live_{}", r(ALNUM, 99)),
        10 => format!("whsec_{}", r(ALNUM, 32)),
        // OpenAI: project keys and legacy keys; Anthropic.
        11 => format!("sk-proj-{}", r(B64URL, 156)),
        12 => format!("sk-{}", r(ALNUM, 48)),
        13 => format!("sk-ant-api03-{}AA", r(B64URL, 93)),
        // Google API keys: AIza and 35 characters.
        14 => format!("AIza{}", r(B64URL, 35)),
        // npm: npm_ and 36 alphanumerics; PyPI: pypi- and a macaroon.
        15 => format!("npm_{}", r(ALNUM, 36)),
        16 => format!("pypi-AgEIcHlwaS5vcmc{}", r(B64URL, 120)),
        // Twilio: API keys SK and account SIDs AC, 32 hex digits.
        17 => format!("SK{}", r(HEX, 32)),
        18 => format!("AC{}", r(HEX, 32)),
        // SendGrid: SG.22.43
        19 => format!("SG.{}.{}", r(B64URL, 22), r(B64URL, 43)),
        // A JWT: a JSON header, a JSON payload and a signature.
        20 => {
            let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
            let payload =
                URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"{}","iat":1700000000}}"#, r(DIGITS, 8)));
            let sig: Vec<u8> = (0..32).map(|_| next(256) as u8).collect();
            format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(sig))
        }
        _ => format!("AKIA{} {}", r(BASE32, 16), r(B64, 40)),
    }
}

const PROVIDERS: usize = 22;

/// Surroundings that hold a token whatever its name.
fn token_places(t: &str) -> Vec<String> {
    vec![
        t.to_owned(),
        format!("export INNOCENT={t}"),
        format!("{{\"client\":{{\"value\":\"{t}\"}}}}"),
        format!("deploy --config app.yaml '{t}' --verbose"),
        format!("X-Custom: {t}"),
        format!("Authorization: Bearer {t}"),
        format!("[\"{t}\", \"other\"]"),
        format!("https://api.example.com/v1?mode=fast&x={t}"),
    ]
}

/// Random passwords with the punctuation real ones hold.
const PASSWORD: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%*+,-.^_~()[]{}";

/// Surroundings that make a password secret by their form, and the text of
/// the password as written in each.
fn password_places(pw: &str, next: &mut impl FnMut(usize) -> usize) -> Vec<(String, String)> {
    let slashy = format!("{}/{}", &pw[..pw.len() / 2], &pw[pw.len() / 2..]);
    let braced = pw.replace(['{', '}', '[', ']'], "x");
    // Oracle's unquoted passwords hold neither `/` nor `@`.
    let oracle = pw.replace(['/', '@'], "x");
    let basic = STANDARD.encode(format!("admin:{pw}"));
    let sig = STANDARD.encode((0..32).map(|_| next(256) as u8).collect::<Vec<u8>>());
    let sig = sig
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let account_key = STANDARD.encode((0..64).map(|_| next(256) as u8).collect::<Vec<u8>>());
    let plain = |s: String, p: &str| (s, p.to_owned());
    vec![
        plain(format!("postgres://app:{pw}@db.internal:5432/shop"), pw),
        plain(format!("jdbc:mysql://app:{pw}@db/shop?useSSL=true"), pw),
        plain(format!("postgres://app:{slashy}@db/shop"), &slashy),
        plain(format!("mongodb://app:{pw}@a:1@b/x"), &format!("{pw}@a:1")),
        plain(
            format!("Server=db;Database=shop;User Id=app;Password={pw};"),
            pw,
        ),
        plain(
            format!("Driver={{ODBC}};Server=db;UID=app;PWD={{{braced}}};"),
            &braced,
        ),
        plain(
            format!("jdbc:sqlserver://db:1433;user=sa;password={pw};"),
            pw,
        ),
        plain(
            format!("host=db port=5432 user=app password={pw} dbname=shop"),
            pw,
        ),
        plain(format!("app/{oracle}@db.internal:1521/ORCL"), &oracle),
        plain(format!("mysqldump -u root -p{pw} shop"), pw),
        plain(format!("app --password {pw} --host db"), pw),
        plain(format!("app --api-key={pw}"), pw),
        plain(format!("docker run -e DB_PASSWORD={pw} img"), pw),
        plain(format!("curl -u admin:{pw} https://x"), pw),
        plain(format!("Authorization: Basic {basic}"), &basic),
        plain(
            format!("https://api.example.com/v1/items?token={pw}&limit=5"),
            pw,
        ),
        plain(
            format!("https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sr=b&sig={sig}"),
            &sig,
        ),
        plain(
            format!(
                "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={account_key};EndpointSuffix=core.windows.net"
            ),
            &account_key,
        ),
    ]
}

/// Asserts that `find` covers every byte of `secret` in `text` and that
/// `scrub_text` leaves no 8-byte window of it.
fn assert_hidden(text: &str, secret: &str) {
    let spans = find(text);
    for (at, _) in text.match_indices(secret) {
        for i in at..at + secret.len() {
            assert!(
                spans.iter().any(|s| s.range.contains(&i)),
                "byte {i} of {text:?} shown: {spans:?}"
            );
        }
    }
    let (scrubbed, hidden) = scrub_text(text);
    assert!(hidden, "{text}");
    if secret.len() >= 8 {
        for w in secret.as_bytes().windows(8) {
            let w = std::str::from_utf8(w).unwrap_or("");
            assert!(
                !scrubbed.contains(w),
                "window {w:?} of {text:?} in {scrubbed:?}"
            );
        }
    }
}

#[test]
fn generated_secrets_are_hidden_in_every_place() {
    let mut next = xorshift(0x2545_f491_4f6c_dd1d);
    for round in 0..30 {
        for which in 0..PROVIDERS {
            let token = provider_token(&mut next, which);
            for place in token_places(&token) {
                for part in token.split(' ') {
                    assert_hidden(&place, part);
                }
            }
        }
        let len = 10 + next(15);
        let pw = random(&mut next, PASSWORD, len);
        let pw = if round % 3 == 0 {
            format!("{pw}/@")
        } else {
            pw
        };
        let pw = pw.trim_start_matches(['-', '$', '{', '[', '(']).to_owned();
        for (place, written) in password_places(&pw, &mut next) {
            assert_hidden(&place, &written);
        }
    }
    // Private keys of every label, with random bodies, as files and in strings.
    for label in [
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
        "PGP PRIVATE KEY BLOCK",
        "OpenVPN Static key V1",
    ] {
        let body: Vec<String> = (0..5).map(|_| random(&mut next, B64, 64)).collect();
        let block = format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            body.join("\n")
        );
        for place in [
            block.clone(),
            format!("{{\"key\":\"{}\"}}", block.replace('\n', "\\n")),
            format!("tls:\n  key: |\n    {}", block.replace('\n', "\n    ")),
        ] {
            for line in &body {
                assert_hidden(&place, line);
            }
        }
    }
}

/// Values of configuration that hold no secret.
const ORDINARY: &[&str] = &[
    "1.2.3",
    "v2.14.0-rc.1+build.5",
    "db-primary.prod.shop.internal",
    "db-primary.prod.shop.internal:5432",
    "https://api.payments.example.com/v2",
    "https://user@api.example.com/x",
    "/var/lib/postgresql/data",
    "C:\\Program Files\\App\\app.exe",
    "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "nginx@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "ghcr.io/org/app:1.4.2",
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
    "123e4567-e89b-12d3-a456-426614174000",
    "30s",
    "1h30m",
    "512Mi",
    "2024-01-01T00:00:00Z",
    "PaymentGatewayClientV2Impl",
    "payment_gateway_timeout_ms",
    "ops@example.com",
    "aGVsbG8=",
    "d29ybGQ=",
    "c2VjcmV0",
    "--max-connections=200",
    "-Xmx512m -XX:+UseG1GC",
    "key1=value1;key2=value2",
    "postgres://app@db:5432/shop?sslmode=require",
    "redis://cache:6379/0",
    "en_US.UTF-8",
    "Basic realm=\"api\"",
    "The quick brown fox jumps over the lazy dog",
    "-----BEGIN CERTIFICATE-----",
    "github.com/spf13/cobra@v1.8.0",
    "npm:@types/node@^18.0.0",
    "tcp://0.0.0.0:8080",
    "s3://bucket/prefix/key.json",
    "X-Amz-Credential",
    "token_ttl=3600",
    "password_min_length=12",
];

/// Of [`ORDINARY`], those whose name a line's name rule hides, as
/// `scrub_lines` always did.
const NAMED_IN_LINES: &[&str] = &["token_ttl=3600", "password_min_length=12"];

#[test]
fn ordinary_values_stay_visible() {
    for v in ORDINARY {
        assert!(find(v).is_empty(), "{v}: {:?}", found(v));
        assert!(!shape::is_opaque_token(v), "{v}");
        if !NAMED_IN_LINES.contains(v) {
            assert_eq!(scrub_text(v), ((*v).to_owned(), false), "{v}");
        }
    }
}

/// The text files of the repository's fixtures that hold no real secret.
fn fixture_texts() -> Vec<(std::path::PathBuf, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata");
    let mut stack: Vec<_> = ["config", "demo", "env", "runtime", "host"]
        .iter()
        .map(|d| root.join(d))
        .collect();
    let mut out = Vec::new();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if !p.ends_with("secrets") {
                    stack.push(p);
                }
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                out.push((p, text));
            }
        }
    }
    out.sort();
    out
}

/// Every line of every fixture, and every word of it.
fn fixture_values() -> Vec<String> {
    let mut out = Vec::new();
    for (_, text) in fixture_texts() {
        for line in text.lines() {
            out.push(line.to_owned());
            for w in line.split(|c: char| c.is_whitespace() || "\"',=:;[]{}()".contains(c)) {
                if !w.is_empty() {
                    out.push(w.to_owned());
                }
            }
        }
    }
    out
}

#[test]
fn fixtures_stay_visible() {
    // The fixtures' deliberate secrets: the demo's URL passwords and the
    // password lines of tree-a/b, which the name rules of lines hide.
    let expected = [
        "pr0d-s3cret",
        "st4g-s3cret",
        "dev-s3cret",
        "hunter2",
        "hunter3",
        "dev-password",
        "st4ging-pw",
        "whsec_live_7c2e9b4d1a6f",
        "whsec_sandbox_4f8a1c9e2b7d",
        "whsec_sandbox_91d3e6a0c5f2",
    ];
    let mut hits = Vec::new();
    for v in fixture_values() {
        for s in find(&v) {
            hits.push(v[s.range].to_owned());
        }
        if shape::is_opaque_token(&v) {
            hits.push(v.clone());
        }
    }
    hits.sort();
    hits.dedup();
    let unexpected: Vec<&String> = hits
        .iter()
        .filter(|h| !expected.contains(&h.as_str()))
        .collect();
    assert!(
        unexpected.len() <= 3,
        "{} hidden: {unexpected:#?}",
        unexpected.len()
    );
    for (path, text) in fixture_texts() {
        let (scrubbed, _) = scrub_text(&text);
        let changed: Vec<(&str, &str)> = text
            .lines()
            .zip(scrubbed.lines())
            .filter(|(a, b)| a != b && !expected.iter().any(|e| a.contains(e)))
            .collect();
        assert!(changed.len() <= 2, "{}: {changed:#?}", path.display());
    }
}

/// Ordinary values, generated: names, numbers, hosts, paths, versions.
#[cfg(not(debug_assertions))]
fn ordinary_value(next: &mut impl FnMut(usize) -> usize) -> String {
    const WORDS: &[&str] = &[
        "payment",
        "gateway",
        "timeout",
        "checkout",
        "service",
        "prod",
        "eu-west-1",
        "db",
        "cache",
        "info",
    ];
    let w = |next: &mut dyn FnMut(usize) -> usize| WORDS[next(WORDS.len())];
    match next(8) {
        0 => next(100_000).to_string(),
        1 => format!("{}.{}.{}", next(20), next(50), next(100)),
        2 => format!("{}-{}.{}.internal", w(next), w(next), w(next)),
        3 => format!("/var/lib/{}/{}.conf", w(next), w(next)),
        4 => w(next).to_owned(),
        5 => format!("{}ms", next(10_000)),
        6 => format!("https://{}.example.com/v{}/{}", w(next), next(3), w(next)),
        _ => format!("{} {} {}", w(next), w(next), w(next)),
    }
}

/// Times `may_hold` + `find` per value on the fixtures' values and a million
/// generated ordinary values: `cargo test -p drift-core --release --lib
/// content_timing -- --ignored --nocapture`.
// Release builds only: CI runs every ignored test in a debug build, on a
// machine busy with other work, where a timing means nothing.
#[cfg(not(debug_assertions))]
#[test]
#[ignore = "a timing, run by hand in release mode"]
#[allow(clippy::print_stderr)] // the figure is the point
fn content_timing() {
    let mut next = xorshift(7);
    let mut values = fixture_values();
    values.extend((0..1_000_000).map(|_| ordinary_value(&mut next)));
    let mut total = std::time::Duration::ZERO;
    let mut held = 0usize;
    let mut found_spans = 0usize;
    for _ in 0..3 {
        let start = std::time::Instant::now();
        for v in &values {
            if may_hold(v) {
                held += 1;
                found_spans += find(v).len();
            }
        }
        total += start.elapsed();
    }
    let n = values.len() * 3;
    let ns = total.as_nanos() as f64 / n as f64;
    eprintln!(
        "{} values, {ns:.1} ns/value, {held} candidates, {found_spans} spans",
        values.len()
    );
    assert!(ns < 1_000.0);
}

/// Found by the `config_json` fuzz target (docs/fuzzing.md): a host with
/// a character across byte 4, 5 or 7 panicked in the digest check (the
/// `md5:`, `sha1:`, `sha256:` prefixes sliced the text there).
#[test]
fn hosts_of_any_characters_are_judged_without_a_panic() {
    for host in ["-be\u{4ce}ead", "sha\u{4ce}1", "\u{1f980}\u{1f980}"] {
        assert!(!is_digest_or_version(host), "{host}");
        // As a host of the same length in ASCII is judged.
        let ascii = "x".repeat(host.len());
        for text in ["app:hunter2@", "postgres://app:hunter2@", "node_m@"] {
            assert_eq!(
                found(&format!("{text}{host}")),
                found(&format!("{text}{ascii}")),
                "{text}{host}"
            );
        }
    }
    assert!(is_digest_or_version("SHA256:ab\u{4ce}"));
}

/// Found by the `config_yaml` fuzz target (docs/fuzzing.md): a value
/// ending in `-----BEGIN`, or with a character right after it, panicked
/// ("start byte index 11 is out of bounds").
#[test]
fn a_cut_key_block_header_is_judged_without_a_panic() {
    for text in [
        "-----BEGIN",
        "x -----BEGIN",
        "----BEGIN",
        "-----BEGIN\u{e9}-----",
        "-----BEGINé",
    ] {
        assert!(found(text).is_empty(), "{text}");
    }
    assert!(!found("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----").is_empty());
}
