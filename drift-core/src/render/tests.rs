use super::*;
use crate::diff::{DiffOptions, diff_manifests};
use crate::key::KeyPath;
use crate::manifest::{Collection, Manifest, ManifestBuilder};
use crate::pattern::KeyPattern;
use crate::policy::{Expect, Policy, Rule, Severity, Waiver};
use crate::secret::Sanitizer;
use crate::value::{FileInfo, Value, Version};
use std::io::Write;

mod markdown;

fn manifest(env: &str, entries: Vec<(&str, Value)>) -> Manifest {
    let mut c = Collection::new();
    for (k, v) in entries {
        c.insert(KeyPath::new(k).unwrap(), v);
    }
    if env == "prod" {
        c.error(
            crate::CollectionError::new(
                "config",
                "config/broken.yaml",
                crate::ErrorKind::Parse,
                "did not find expected key",
            )
            .at_line(3),
        );
    }
    let mut b = ManifestBuilder::new(env, "local", Sanitizer::default());
    b.add("test", "1", c);
    b.finish(Some("2026-11-26T00:00:00Z".into()))
}

fn file(text: &str) -> Value {
    Value::from(FileInfo {
        blake3: blake3::hash(text.as_bytes()).to_hex().to_string(),
        size: text.len() as u64,
        mode: Some(0o644),
        text: Some(text.to_owned()),
    })
}

pub(crate) fn sample() -> crate::report::Report {
    let ver = |t: &str| {
        Value::from(Version {
            scheme: "generic".into(),
            text: t.into(),
            dev: false,
        })
    };
    let env = |name: &str, timeout: bool, flag: bool, secret: &str, nginx: &str, openssl: &str| {
        let mut e = vec![
            ("env:FEATURE_NEW_CHECKOUT", Value::Bool(flag)),
            ("env:PAYMENT_GATEWAY_SECRET", Value::from(secret)),
            (
                "env:DATABASE_URL",
                Value::from(format!("postgres://app:{secret}@db.{name}:5432/shop")),
            ),
            ("file:nginx.conf", file(nginx)),
            ("package:deb:openssl", ver(openssl)),
            (
                "env:OLD_FLAG",
                Value::from(if name == "prod" { "y" } else { "x" }),
            ),
        ];
        if timeout {
            e.push(("env:PAYMENT_GATEWAY_TIMEOUT_MS", Value::from("2500")));
        }
        manifest(name, e)
    };
    let ms = [
        env(
            "dev",
            true,
            true,
            "sandbox-secret-1",
            "worker_processes 2;\n",
            "3.0.19",
        ),
        env(
            "staging",
            true,
            true,
            "sandbox-secret-2",
            "worker_processes 2;\n",
            "3.0.19",
        ),
        env(
            "prod",
            false,
            false,
            "live-secret",
            "worker_processes 8;\n",
            "3.0.11",
        ),
    ];
    let mut secret_rule = Rule::new("env:PAYMENT_GATEWAY_SECRET").unwrap();
    secret_rule.expect = Some(Expect::Equal);
    secret_rule.environments = Some(vec!["dev".into(), "staging".into()]);
    secret_rule.reason = Some("dev and staging share the gateway sandbox".into());
    secret_rule.origin = Some("drift.toml:14".into());
    let policy = Policy {
        rules: vec![secret_rule],
        waivers: vec![Waiver {
            keys: vec![KeyPattern::new("env:OLD_FLAG").unwrap()],
            reason: "unused".into(),
            expires: Some("2026-12-31".parse().unwrap()),
            environments: None,
            origin: Some("drift.toml:20".into()),
        }],
    };
    let opts = DiffOptions {
        today: Some("2026-11-26".parse().unwrap()),
        ..DiffOptions::default()
    };
    diff_manifests(&ms, &policy, &opts).unwrap()
}

fn render(r: &dyn Renderer) -> String {
    let mut out = Vec::new();
    r.render(&sample(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn text_report() {
    let text = render(&TextRenderer::default());
    insta::assert_snapshot!(text);
}

#[test]
fn json_report() {
    let text = render(&JsonRenderer::default());
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["format"], "drift-report/1");
    assert_eq!(v["outcome"], "incomplete");
    let f = &v["findings"][0];
    assert!(f["key"].is_string() && f["kind"].is_string() && f["severity"].is_string());
    assert!(f["values"].is_object());
    insta::assert_snapshot!(text);
}

#[test]
fn secrets_never_appear_in_any_renderer() {
    for text in [
        render(&TextRenderer::default()),
        render(&TextRenderer {
            color: true,
            fail_on: Severity::Info,
        }),
        render(&JsonRenderer::default()),
        render(&HtmlRenderer::default()),
    ] {
        for secret in ["sandbox-secret-1", "sandbox-secret-2", "live-secret"] {
            assert!(!text.contains(secret), "{secret} leaked:\n{text}");
        }
    }
}

#[test]
fn color_only_when_asked() {
    assert!(!render(&TextRenderer::default()).contains('\x1b'));
    assert!(
        render(&TextRenderer {
            color: true,
            fail_on: Severity::Error
        })
        .contains("\x1b[")
    );
}

#[test]
fn thousands_separators() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(1_234_567), "1,234,567");
}

#[test]
fn many_environments_share_a_value_line() {
    // Six environments agree, one differs; a long name caps the width.
    let names = ["e1", "e2", "e3", "e4", "e5", "e6", "e7"];
    let mut ms: Vec<Manifest> = names
        .iter()
        .map(|n| {
            let a = Value::Int(if *n == "e7" { 2 } else { 1 });
            manifest(n, vec![("env:A", a), ("env:B", Value::Bool(*n == "e1"))])
        })
        .collect();
    let long = "an-environment-with-a-very-long-name";
    ms.push(manifest(long, vec![("env:A", Value::Int(1))]));
    let report = diff_manifests(&ms, &Policy::default(), &DiffOptions::default()).unwrap();
    let mut out = Vec::new();
    TextRenderer::default().render(&report, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let line = |names: &str, width: usize, value: &str, odd: bool| {
        let mark = if odd { "  ← odd one out" } else { "" };
        format!("\n           {names:<width$}  {value}{mark}\n")
    };
    // `env:A`: e7 is the odd one out; the rest are listed four at most.
    let rest = "e1, e2, e3 and 4 more";
    assert!(text.contains(&line("e7", rest.len(), "2", true)), "{text}");
    assert!(text.contains(&line(rest, rest.len(), "1", false)), "{text}");
    // `env:B`: e1 differs and the long name lacks it (past the width of
    // 32, unpadded): both odd ones out.
    assert!(text.contains(&line(long, 32, "(absent)", true)), "{text}");
    assert!(text.contains(&line("e1", 32, "true", true)), "{text}");
    assert!(
        text.contains(&line("e2, e3, e4 and 3 more", 32, "false", false)),
        "{text}"
    );
}

#[test]
fn parallel_writing_keeps_the_order_across_groups() {
    // Several groups of batches, the last one partial, on pools of one and
    // of three threads: the same bytes as a loop would write.
    let items: Vec<usize> = (0..BATCH * 40 + 17).collect();
    let expected: String = items.iter().map(|i| format!("{i}:{i}\n")).collect();
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut out = Vec::new();
        pool.install(|| {
            write_parallel(&items, &mut out, |at, item, buf| {
                writeln!(buf, "{at}:{item}")
            })
        })
        .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), expected, "{threads}");
    }
    let mut out = Vec::new();
    write_parallel(&[] as &[usize], &mut out, |_, _, _| Ok(())).unwrap();
    assert!(out.is_empty());
}

#[test]
fn parallel_writing_stops_at_the_first_error() {
    struct Full(usize);
    impl io::Write for Full {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.0 < buf.len() {
                return Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"));
            }
            self.0 -= buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let items: Vec<usize> = (0..BATCH * 20).collect();
    let err = write_parallel(&items, &mut Full(100_000), |_, item, buf| {
        writeln!(buf, "{item}")
    })
    .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::StorageFull);
    // A formatting error is returned as well.
    let err = write_parallel(&items, &mut io::sink(), |at, _, _| {
        if at == BATCH * 17 {
            Err(io::Error::other("cannot format"))
        } else {
            Ok(())
        }
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "cannot format");
}

/// Terminal controls planted in every field a report shows: a prod
/// `nginx.conf` line that erases the finding above it and draws a fake
/// clean result, OSC 52 (clipboard) in an environment's name, OSC 8 (a
/// link) in a package version, a CSI as one C1 character in a value, bidi
/// overrides and zero-width characters in a key and a reason, a title
/// sequence in a collection error.
pub(crate) fn hostile_report() -> crate::report::Report {
    let ver = |t: &str| {
        Value::from(Version {
            scheme: "generic".into(),
            text: t.into(),
            dev: false,
        })
    };
    let fake = "worker_processes 8;\n\x1b[1A\x1b[2K\r\x1b[32m0 findings · result: clean\x1b[0m\n";
    let build = |env: &str, nginx: &str, version: &str, value: &str| {
        let mut c = Collection::new();
        c.insert(KeyPath::new("file:nginx.conf").unwrap(), file(nginx));
        c.insert(KeyPath::new("package:deb:openssl").unwrap(), ver(version));
        c.insert(
            KeyPath::new("env:ADMIN\u{202e}NIMDA\u{200b}").unwrap(),
            Value::from(value),
        );
        c.error(crate::CollectionError::new(
            "config",
            "config/\x1b]0;owned\x07.yaml",
            crate::ErrorKind::Parse,
            "bad \x1b[31mthing\u{9b}2J",
        ));
        let mut b = ManifestBuilder::new(env, "local", Sanitizer::default());
        b.add("test", "1", c);
        b.finish(None)
    };
    let ms = [
        build("dev", "worker_processes 2;\n", "3.0.19", "a"),
        build(
            "prod\x1b]52;c;ZWNobyBwd25lZA==\x07",
            fake,
            "3.0.11\x1b]8;;https://evil.example\x1b\\x\x1b]8;;\x1b\\",
            "b\u{9b}2J",
        ),
    ];
    let mut rule = Rule::new("env:*").unwrap();
    rule.reason = Some("trusted\x1b[8m hidden \u{2066}text\u{2069}".into());
    let policy = Policy {
        rules: vec![rule],
        waivers: vec![],
    };
    diff_manifests(&ms, &policy, &DiffOptions::default()).unwrap()
}

/// `text` without drift's own colours (`ESC [ digits ; m`).
fn without_colours(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\x1b[") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let end = after
            .find(|c: char| !c.is_ascii_digit() && c != ';')
            .unwrap_or(after.len());
        assert_eq!(
            after.get(end..end + 1),
            Some("m"),
            "not a colour: {after:?}"
        );
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Asserts that `text` holds nothing a terminal would obey or hide but
/// line ends.
pub(crate) fn assert_inert(text: &str) {
    for (i, c) in text.char_indices() {
        assert!(
            c == '\n' || !crate::display::is_hidden(c),
            "U+{:04X} at {i} in:\n{text}",
            u32::from(c)
        );
    }
}

#[test]
fn the_text_report_escapes_every_text_from_outside() {
    let report = hostile_report();
    for color in [false, true] {
        let mut out = Vec::new();
        TextRenderer {
            color,
            fail_on: Severity::Error,
        }
        .render(&report, &mut out)
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\x07') && !text.contains('\u{9b}'), "{text}");
        let plain = if color {
            without_colours(&text)
        } else {
            assert!(!text.contains('\x1b'), "{text}");
            text.clone()
        };
        assert_inert(&plain);
        for shown in [
            // The fake result, shown for what it is, in the diff.
            "+\\u{1b}[1A\\u{1b}[2K\\r+\\u{1b}[32m0 findings · result: clean\\u{1b}[0m",
            "prod\\u{1b}]52;c;ZWNobyBwd25lZA==\\u{7}",
            "3.0.11\\u{1b}]8;;https://evil.example\\u{1b}\\x\\u{1b}]8;;\\u{1b}\\",
            "env:ADMIN\\u{202e}NIMDA\\u{200b}",
            "\"b\\u{9b}2J\"",
            "why: trusted\\u{1b}[8m hidden \\u{2066}text\\u{2069}",
            "config: `config/\\u{1b}]0;owned\\u{7}.yaml`: bad \\u{1b}[31mthing\\u{9b}2J",
        ] {
            assert!(plain.contains(shown), "`{shown}` not in:\n{plain}");
        }
        // The fake result stays inside its diff line; the real one ends
        // the report.
        for l in plain.lines().filter(|l| l.contains("0 findings")) {
            assert!(l.starts_with("           +"), "{l}");
        }
        assert!(
            plain
                .trim_end()
                .ends_with("result: incomplete: 2 sources could not be read")
        );
    }
}

#[test]
fn the_json_report_escapes_them_and_keeps_them_whole() {
    let report = hostile_report();
    let mut out = Vec::new();
    JsonRenderer::default().render(&report, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_inert(&text);
    assert!(!text.contains('\x1b') && !text.contains('\u{202e}'));
    assert!(text.contains(r"\u001b]52;c;") && text.contains(r"\u202e") && text.contains(r"\u009b"));
    // Read back, every text is the one collected.
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let envs = &v["environments"];
    assert_eq!(envs[1]["name"], "prod\x1b]52;c;ZWNobyBwd25lZA==\x07");
    let keys: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"env:ADMIN\u{202e}NIMDA\u{200b}"), "{keys:?}");
    assert_eq!(v["errors"][0]["message"], "bad \x1b[31mthing\u{9b}2J");
    assert_eq!(v["errors"][0]["source"], "config/\x1b]0;owned\x07.yaml");
}

#[test]
fn long_keys_and_values_are_cut_in_text_and_whole_in_json() {
    // A key of a mebibyte (the issue's was 64 MiB), a value as long, a
    // diff line and a reason as long.
    let long = "k".repeat(1 << 20);
    let key = format!("config:app.yaml:{long}");
    let value = "v".repeat(1 << 20);
    let ms: Vec<Manifest> = ["dev", "prod"]
        .iter()
        .map(|env| {
            manifest(
                env,
                vec![
                    (key.as_str(), Value::from(format!("{env}{value}"))),
                    ("file:big.txt", file(&format!("{env}{value}\n"))),
                ],
            )
        })
        .collect();
    let mut rule = Rule::new("config:*").unwrap();
    rule.reason = Some("r".repeat(1 << 20));
    let policy = Policy {
        rules: vec![rule],
        waivers: vec![],
    };
    let report = diff_manifests(&ms, &policy, &DiffOptions::default()).unwrap();
    let mut out = Vec::new();
    TextRenderer::default().render(&report, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.len() < 20_000, "{} bytes of text", text.len());
    for l in text.lines() {
        assert!(l.chars().count() < 1100, "a line of {}", l.len());
    }
    // The key: 200 characters, then what was cut.
    let cut = format!("{}… [1,048,392 bytes cut]", &key[..200]);
    assert!(text.contains(&cut), "{text}");
    // A value: 100 characters, the bytes cut counted on the value as shown
    // (quoted).
    assert!(
        text.contains(&format!("\"dev{}… [", &value[..96])),
        "{text}"
    );
    assert!(text.contains("bytes cut]"));
    // JSON is data: whole.
    let mut out = Vec::new();
    JsonRenderer::default().render(&report, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"].as_str().is_some_and(|k| k.starts_with("config:")))
        .unwrap();
    assert_eq!(f["key"], key.as_str());
    assert_eq!(f["values"]["prod"], format!("prod{value}").as_str());
}

#[test]
fn html_report() {
    let html = render(&HtmlRenderer::default());
    assert!(html.starts_with("<!DOCTYPE html>\n"));
    assert!(html.ends_with("</html>\n"));
    // The body only: the style and script are checked by their hashes.
    let body = &html[html.find("<body>").unwrap()..html.find("<script>").unwrap()];
    insta::assert_snapshot!(body);
}

#[test]
fn the_html_report_escapes_every_text_from_outside() {
    let mut out = Vec::new();
    HtmlRenderer::default()
        .render(&hostile_report(), &mut out)
        .unwrap();
    let html = String::from_utf8(out).unwrap();
    assert_inert(&html);
    assert!(!html.contains('\x1b') && !html.contains('\u{202e}') && !html.contains('\u{9b}'));
    for shown in [
        "prod\\u{1b}]52;c;ZWNobyBwd25lZA==\\u{7}",
        "env:ADMIN\\u{202e}NIMDA\\u{200b}",
        "why: trusted\\u{1b}[8m hidden \\u{2066}text\\u{2069}",
    ] {
        assert!(html.contains(shown), "`{shown}` not in:\n{html}");
    }
    // Markup in a value is text.
    let ms = ["a", "b"].map(|env| {
        manifest(
            env,
            vec![(
                "env:X",
                Value::from(format!("{env}<img src=x onerror=alert(1)></td>\"'&")),
            )],
        )
    });
    let report = diff_manifests(&ms, &Policy::default(), &DiffOptions::default()).unwrap();
    let mut out = Vec::new();
    HtmlRenderer::default().render(&report, &mut out).unwrap();
    let html = String::from_utf8(out).unwrap();
    assert!(!html.contains("<img"), "{html}");
    assert!(
        html.contains(
            "&quot;b&lt;img src=x onerror=alert(1)&gt;&lt;/td&gt;\\&quot;&#39;&amp;&quot;"
        ),
        "{html}"
    );
    // Exactly one style and one script: drift's.
    assert_eq!(html.matches("<script").count(), 1);
    assert_eq!(html.matches("<style").count(), 1);
}

#[test]
fn the_html_report_keeps_ignored_findings_apart() {
    let ms = [("a", "1"), ("b", "<i>2</i>")].map(|(env, v)| {
        let mut entries = vec![
            ("env:SHOWN", Value::from(env)),
            ("env:HOST_ID", Value::from(v)),
        ];
        // Secrets differ by design; one that is missing is a finding.
        if env == "a" {
            entries.push(("env:API_TOKEN", Value::from("tok-a-s3cret")));
        }
        manifest(env, entries)
    });
    let mut rule = Rule::new("env:{HOST_ID,API_TOKEN}").unwrap();
    rule.expect = Some(Expect::Ignore);
    rule.origin = Some("drift.toml:4".into());
    let policy = Policy {
        rules: vec![rule],
        waivers: vec![],
    };
    let opts = DiffOptions {
        keep_ignored: true,
        ..DiffOptions::default()
    };
    let report = diff_manifests(&ms, &policy, &opts).unwrap();
    assert_eq!(report.summary.findings, 1);
    let html = render_report(&HtmlRenderer::default(), &report);
    let ignored = &html[html.find("<section id=\"ignored\">").expect(&html)..];
    let ignored = &ignored[..ignored.find("</section>").unwrap()];
    assert!(
        ignored.contains("2 findings an ignore rule hid"),
        "{ignored}"
    );
    assert!(ignored.contains("env:HOST_ID") && ignored.contains("env:API_TOKEN"));
    assert!(ignored.contains("&lt;i&gt;2&lt;/i&gt;") && !ignored.contains("<i>"));
    assert!(ignored.contains("drift.toml:4"), "{ignored}");
    // A secret stays a fingerprint there too.
    assert!(!html.contains("s3cret") && ignored.contains("secret blake3:"));
    assert!(!html[..html.find("<section id=\"ignored\">").unwrap()].contains("HOST_ID"));
    // Without the option, no section.
    let plain = diff_manifests(&ms, &policy, &DiffOptions::default()).unwrap();
    assert!(!render_report(&HtmlRenderer::default(), &plain).contains("id=\"ignored\""));
}

/// The CI formats' context of [`sample`]: a place for the first finding,
/// the drift.toml for the others, and the layers compared.
fn sample_context() -> Context {
    Context {
        locations: vec![Location::new("config/app.yaml", Some(4))],
        fallback: Location::new("drift.toml", None),
        layers: vec![
            crate::key::Layer::Env,
            crate::key::Layer::File,
            crate::key::Layer::Package,
            crate::key::Layer::Runtime,
        ],
    }
}

use drift_test_support::sarif::assert_valid_sarif;

fn render_report(r: &dyn Renderer, report: &crate::report::Report) -> String {
    let mut out = Vec::new();
    r.render(report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn sarif_report() {
    let ctx = sample_context();
    let report = sample();
    let text = render_report(&SarifRenderer { context: &ctx }, &report);
    assert_valid_sarif(&text);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let run = &v["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "drift/dev+staging+prod/");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), report.findings.len());
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for (r, f) in results.iter().zip(&report.findings) {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert_eq!(
            r["ruleId"],
            format!("drift/{}/{}", f.key.layer(), f.kind).as_str()
        );
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            _ => "note",
        };
        assert_eq!(r["level"], level);
        assert_eq!(r["properties"]["key"], f.key.as_str());
        assert_eq!(
            r["partialFingerprints"]["driftFinding/v1"]
                .as_str()
                .unwrap()
                .len(),
            32
        );
        let uri = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert!(uri == "config/app.yaml" || uri == "drift.toml", "{uri}");
    }
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );
    // Rule ids are unique.
    let mut ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.dedup();
    assert_eq!(ids.len(), rules.len());
    // The invocation failed: a source could not be read.
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    insta::assert_snapshot!(text);
}

#[test]
fn sarif_fingerprints_survive_a_change_of_values() {
    let ctx = Context::default();
    let a = render_report(&SarifRenderer { context: &ctx }, &sample());
    let mut changed = sample();
    for f in &mut changed.findings {
        for (_, v) in &mut f.values {
            if v.is_some() {
                *v = Some(Value::from("something else"));
            }
        }
    }
    let b = render_report(&SarifRenderer { context: &ctx }, &changed);
    let prints = |t: &str| -> Vec<serde_json::Value> {
        let v: serde_json::Value = serde_json::from_str(t).unwrap();
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect()
    };
    assert_ne!(a, b);
    assert_eq!(prints(&a), prints(&b));
    let mut unique = prints(&a);
    unique.sort_by_key(|p| p.to_string());
    unique.dedup();
    assert_eq!(unique.len(), prints(&a).len());
}

#[test]
fn junit_report() {
    let ctx = sample_context();
    let report = sample();
    let text = render_report(
        &JunitRenderer {
            fail_on: Severity::Error,
            context: &ctx,
        },
        &report,
    );
    insta::assert_snapshot!(text);
}

#[test]
fn github_report() {
    let ctx = sample_context();
    let text = render_report(
        &GithubRenderer {
            fail_on: Severity::Error,
            context: &ctx,
        },
        &sample(),
    );
    assert!(text.starts_with("::"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn github_annotations_stop_at_ten_a_level() {
    let mut report = sample();
    let first = report.findings[0].clone();
    report.findings = (0..25)
        .map(|i| {
            let mut f = first.clone();
            f.key = KeyPath::new(format!("env:K{i:02}")).unwrap();
            f.severity = if i < 15 {
                Severity::Error
            } else {
                Severity::Warning
            };
            f.waived = None;
            f
        })
        .collect();
    let ctx = Context::default();
    let text = render_report(
        &GithubRenderer {
            fail_on: Severity::Error,
            context: &ctx,
        },
        &report,
    );
    let count = |p: &str| text.lines().filter(|l| l.starts_with(p)).count();
    assert_eq!(count("::error "), 10 + report.errors.len());
    assert_eq!(count("::warning "), 10);
    assert_eq!(count("::notice "), 1);
    assert!(
        text.contains("5 more finding(s) are not annotated"),
        "{text}"
    );
    assert!(
        text.contains(": 5 error(s), 0 warning(s), 0 info"),
        "{text}"
    );
}

#[test]
fn gitlab_report() {
    let ctx = sample_context();
    let report = sample();
    let text = render_report(&GitlabRenderer { context: &ctx }, &report);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let issues = v.as_array().unwrap();
    let active = report.findings.iter().filter(|f| f.is_active()).count();
    assert_eq!(issues.len(), active + report.errors.len());
    let mut prints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    prints.sort_unstable();
    prints.dedup();
    assert_eq!(prints.len(), issues.len(), "fingerprints are unique");
    for i in issues {
        assert!(["info", "minor", "major", "critical"].contains(&i["severity"].as_str().unwrap()));
        assert!(i["description"].is_string() && i["check_name"].is_string());
        assert!(i["location"]["path"].is_string());
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
    }
    insta::assert_snapshot!(text);
}

/// The texts of every element and attribute of an XML document, read with
/// `quick-xml` (not the writer's own reader).
fn xml_texts(xml: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                for a in e.attributes() {
                    let a = a.unwrap();
                    out.push(
                        a.normalized_value(quick_xml::XmlVersion::default())
                            .unwrap()
                            .into_owned(),
                    );
                }
            }
            Event::Text(t) => out.push(t.decode().unwrap().into_owned()),
            _ => {}
        }
    }
    out
}

#[test]
fn every_ci_format_escapes_every_text_from_outside() {
    let report = hostile_report();
    let ctx = Context {
        locations: Vec::new(),
        fallback: Location::new("drift.toml", Some(1)),
        layers: Vec::new(),
    };
    let sarif = render_report(&SarifRenderer { context: &ctx }, &report);
    assert_valid_sarif(&sarif);
    let v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_inert(&v.to_string());
    fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
                out.push(k.clone());
                strings(x, out);
            }),
            _ => {}
        }
    }
    let mut decoded = Vec::new();
    strings(&v, &mut decoded);
    for s in &decoded {
        // Decoded, the message keeps its own line breaks and nothing else.
        assert_inert(s);
    }

    let gitlab = render_report(&GitlabRenderer { context: &ctx }, &report);
    let v: serde_json::Value = serde_json::from_str(&gitlab).unwrap();
    let mut decoded = Vec::new();
    strings(&v, &mut decoded);
    decoded.iter().for_each(|s| assert_inert(s));

    let github = render_report(
        &GithubRenderer {
            fail_on: Severity::Error,
            context: &ctx,
        },
        &report,
    );
    assert_inert(&github);
    for line in github.lines() {
        // Every line is a command drift wrote, or a plain line that starts
        // no command.
        assert!(
            !line.starts_with("::")
                || line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
        if let Some(rest) = line.strip_prefix("::") {
            // One `::` ends the properties; the message holds no other
            // command.
            let (props, message) = rest.split_once("::").unwrap();
            assert!(!props.contains('\u{1b}'), "{line}");
            let _ = message;
        }
    }

    let junit = render_report(
        &JunitRenderer {
            fail_on: Severity::Info,
            context: &ctx,
        },
        &report,
    );
    for t in xml_texts(&junit) {
        assert_inert(&t);
    }
    assert!(!junit.contains('\u{1b}') && !junit.contains('\u{202e}'));
}

#[test]
fn junit_reads_back_with_an_independent_reader() {
    #[derive(serde::Deserialize)]
    struct Suites {
        #[serde(rename = "@tests")]
        tests: usize,
        #[serde(rename = "@failures")]
        failures: usize,
        #[serde(rename = "testsuite", default)]
        suites: Vec<Suite>,
    }
    #[derive(serde::Deserialize)]
    struct Suite {
        #[serde(rename = "@name")]
        name: String,
        #[serde(rename = "@tests")]
        tests: usize,
        #[serde(rename = "@failures")]
        failures: usize,
        #[serde(rename = "@skipped", default)]
        skipped: usize,
        #[serde(rename = "testcase", default)]
        cases: Vec<Case>,
    }
    #[derive(serde::Deserialize)]
    struct Case {
        #[serde(rename = "@name")]
        name: String,
        failure: Option<Failure>,
    }
    #[derive(serde::Deserialize)]
    struct Failure {
        #[serde(rename = "@message")]
        message: String,
    }
    let report = sample();
    let ctx = sample_context();
    for fail_on in [Severity::Info, Severity::Warning, Severity::Error] {
        let text = render_report(
            &JunitRenderer {
                fail_on,
                context: &ctx,
            },
            &report,
        );
        let parsed: Suites = quick_xml::de::from_str(&text).unwrap();
        let failing = report
            .findings
            .iter()
            .filter(|f| f.is_active() && f.severity >= fail_on)
            .count();
        let failures: usize = parsed.suites.iter().map(|s| s.failures).sum();
        assert_eq!(failures, failing, "{text}");
        assert_eq!(parsed.failures, failing);
        let tests: usize = parsed.suites.iter().map(|s| s.tests).sum();
        assert_eq!(parsed.tests, tests);
        let skipped: usize = parsed.suites.iter().map(|s| s.skipped).sum();
        assert_eq!(
            skipped,
            report.findings.iter().filter(|f| !f.is_active()).count()
        );
        // Every finding is a case; every compared layer without failures
        // has its passing case.
        for f in &report.findings {
            let suite = parsed
                .suites
                .iter()
                .find(|s| s.name == f.key.layer().as_str())
                .unwrap();
            assert!(suite.cases.iter().any(|c| c.name == f.key.as_str()));
        }
        for s in parsed.suites.iter().filter(|s| s.name != "collection") {
            let clean = s.cases.iter().any(|c| c.name.contains("compared clean"));
            assert_eq!(clean, s.failures == 0, "{}", s.name);
            for c in &s.cases {
                if let Some(f) = &c.failure {
                    assert!(f.message.contains(&c.name), "{}", f.message);
                }
            }
        }
        // The runtime layer was compared and is clean.
        assert!(parsed.suites.iter().any(|s| s.name == "runtime"));
        // The collection error is an error case of its own suite.
        assert!(parsed.suites.iter().any(|s| s.name == "collection"));
    }
}

#[test]
fn secrets_never_appear_in_any_ci_format() {
    let ctx = sample_context();
    let report = sample();
    for text in [
        render_report(&SarifRenderer { context: &ctx }, &report),
        render_report(
            &JunitRenderer {
                fail_on: Severity::Info,
                context: &ctx,
            },
            &report,
        ),
        render_report(
            &GithubRenderer {
                fail_on: Severity::Info,
                context: &ctx,
            },
            &report,
        ),
        render_report(&GitlabRenderer { context: &ctx }, &report),
    ] {
        for secret in ["sandbox-secret-1", "sandbox-secret-2", "live-secret"] {
            assert!(!text.contains(secret), "{secret} leaked:\n{text}");
        }
    }
}
