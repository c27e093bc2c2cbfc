//! The Markdown report: its snapshot, its size limit, and every way a text
//! from outside could become Markdown, read back as GitHub would (GFM).

use super::*;

/// The report as GitHub would show it: GitHub-flavoured Markdown with
/// tables, autolinks and strikethrough, raw HTML passed through (the
/// worst case: GitHub filters some of it, a self-hosted viewer may not).
fn to_html(markdown: &str) -> String {
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.autolink = true;
    options.extension.strikethrough = true;
    options.render.r#unsafe = true;
    comrak::markdown_to_html(markdown, &options)
}

/// `html` without its `<code>` elements: what GitHub would still read for
/// links, mentions and references (it leaves code alone).
fn outside_code(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find("<code") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let end = after.find("</code>").expect("a code element is closed");
        rest = &after[end + "</code>".len()..];
    }
    out.push_str(rest);
    out
}

fn markdown(report: &crate::report::Report, max_bytes: usize) -> String {
    let mut out = Vec::new();
    MarkdownRenderer {
        fail_on: Severity::Error,
        max_bytes,
    }
    .render(report, &mut out)
    .unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn markdown_report() {
    let text = render(&MarkdownRenderer::default());
    assert!(text.starts_with("## ⚠️ drift: incomplete: 1 source could not be read\n"));
    insta::assert_snapshot!(text);
}

/// What a host's config or a drift.toml may hold to take over a comment:
/// each is shown as text, whole, in a code element.
const ATTACKS: &[&str] = &[
    "[click](https://evil.example/a)",
    "![pixel](https://evil.example/p.png)",
    "https://evil.example/b",
    "www.evil.example",
    "mail evil@evil.example",
    "<https://evil.example/c>",
    "<img src=x onerror=alert(1)>",
    "</td></tr></table><script>alert(1)</script>",
    "<details open><summary>x</summary>",
    "@octocat please merge",
    "fixes #1234 and org/repo#56 GH-78",
    "**bold** _em_ ~~gone~~ :smile:",
    "a|b\\|c | d",
    "``` ` `` fenced",
    "line one\nline two\r\n# heading\n| x | y |",
    "bidi \u{202e}txt.exe and \x1b[31mred",
    "&amp; &#64;octocat",
];

fn attack_report() -> crate::report::Report {
    let mut ms = Vec::new();
    for env in ["dev", "prod @octocat <b>x</b> | y"] {
        let mut c = Collection::new();
        for (i, attack) in ATTACKS.iter().enumerate() {
            let value = if env == "dev" {
                format!("ok {i}")
            } else {
                (*attack).to_owned()
            };
            c.insert(
                KeyPath::new(format!("env:V{i}")).unwrap(),
                Value::from(value),
            );
            // The attack in a key too, present in one environment only.
            if env == "dev" {
                let key = format!(
                    "env:K{i} {}",
                    attack.replace(|c: char| c.is_ascii_control(), " ")
                );
                c.insert(KeyPath::new(key).unwrap(), Value::from("1"));
            }
        }
        // The file differs: a text diff of every attack.
        let text = if env == "dev" {
            "changed\n".to_owned()
        } else {
            format!("{}\n", ATTACKS.join("\n"))
        };
        c.insert(KeyPath::new("file:app.conf").unwrap(), file(&text));
        c.error(crate::CollectionError::new(
            "config",
            "config/[x](https://evil.example/e).yaml",
            crate::ErrorKind::Parse,
            "@octocat <img src=x onerror=alert(1)> | #99",
        ));
        let mut b = ManifestBuilder::new(env, "local", Sanitizer::default());
        b.add("test", "1", c);
        ms.push(b.finish(None));
    }
    let mut rule = Rule::new("env:*").unwrap();
    rule.reason = Some("see [docs](https://evil.example/r) @octocat #7 <b>".into());
    rule.origin = Some("drift.toml:1 <i>".into());
    let policy = Policy {
        rules: vec![rule],
        waivers: vec![Waiver {
            keys: vec![KeyPattern::new("env:NOTHING").unwrap()],
            reason: "unused <img src=x onerror=alert(1)> @octocat".into(),
            expires: None,
            environments: None,
            origin: None,
        }],
    };
    diff_manifests(&ms, &policy, &DiffOptions::default()).unwrap()
}

#[test]
fn no_text_from_outside_becomes_markdown() {
    let report = attack_report();
    let md = markdown(&report, MAX_MARKDOWN_BYTES);
    assert_inert(&md);
    let html = to_html(&md);
    // Nothing outside code elements comes from outside: no link, image,
    // raw HTML, mention, reference or emphasis of theirs.
    let outside = outside_code(&html);
    for found in [
        "evil",
        "octocat",
        "1234",
        "#56",
        "GH-78",
        "#99",
        "<a ",
        "<img",
        "<script",
        "<b>",
        "<i>",
        "<strong>bold",
        "<em>em",
        "<del>",
        "heading",
        "alert",
    ] {
        assert!(
            !outside.contains(found),
            "`{found}` outside code in:\n{outside}\n\n{md}"
        );
    }
    // Each attack is there, whole, as text in a code element: HTML
    // escaped by the reader, never cut across cells or lines.
    let escaped = |s: &str| {
        let s = crate::display::escape(s);
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    for attack in ATTACKS {
        let value = escaped(&format!("{attack:?}"));
        assert!(
            html.contains(&value),
            "`{value}` not shown whole in:\n{html}"
        );
    }
    assert!(
        html.contains(&escaped("prod @octocat <b>x</b> | y")),
        "{html}"
    );
    assert!(html.contains(&escaped(
        "see [docs](https://evil.example/r) @octocat #7 <b>"
    )));
    // One table per layer, every row of six cells: no `|` or line end of
    // theirs split a row.
    for table in html.split("<table>").skip(1) {
        let table = &table[..table.find("</table>").unwrap()];
        let cells = if table.contains("<th>Until</th>") {
            5
        } else {
            6
        };
        for row in table.split("<tr>").skip(1) {
            assert_eq!(
                row.matches("<td").count() + row.matches("<th").count(),
                cells,
                "{row}"
            );
        }
    }
}

#[test]
fn the_markdown_report_is_cut_to_its_limit_with_a_note() {
    // 20,000 findings with long values: about 6 MiB uncut.
    let build = |env: &str| {
        let entries = (0..20_000)
            .map(|i| {
                (
                    format!("env:KEY_{i:05}"),
                    Value::from(format!("{env}-{}", "v".repeat(90))),
                )
            })
            .collect::<Vec<_>>();
        let entries: Vec<(&str, Value)> = entries
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        manifest(env, entries)
    };
    let report = diff_manifests(
        &[build("dev"), build("staging")],
        &Policy::default(),
        &DiffOptions::default(),
    )
    .unwrap();
    for limit in [MAX_MARKDOWN_BYTES, 64 << 10] {
        let md = markdown(&report, limit);
        assert!(md.len() <= limit, "{} bytes over {limit}", md.len());
        assert!(
            md.len() > limit - 8192,
            "only {} bytes of {limit}",
            md.len()
        );
        let shown = md.matches("| 🟡 warning | changed |").count();
        assert!(shown > 100, "{shown}");
        let note = format!("{} findings left out;", thousands(20_000 - shown));
        assert!(
            md.contains(&format!(
                "> **Cut to {} KiB:** {note}",
                thousands(limit / 1024)
            )),
            "{note}: {}",
            &md[md.len() - 600..]
        );
        // The table ends whole, and the verdict comes first.
        assert!(
            md.starts_with("## ❌ drift: drift at or above `error`") || md.starts_with("## ✅"),
            "{}",
            &md[..80]
        );
        let html = to_html(&md);
        assert_eq!(
            html.matches("<table>").count(),
            html.matches("</table>").count()
        );
    }
    // Uncut, no note.
    let small = markdown(&sample(), MAX_MARKDOWN_BYTES);
    assert!(!small.contains("Cut to"));
}

#[test]
fn markdown_shows_no_secret() {
    let text = render(&MarkdownRenderer::default());
    for secret in ["sandbox-secret-1", "sandbox-secret-2", "live-secret"] {
        assert!(!text.contains(secret), "{secret} leaked:\n{text}");
    }
    assert!(text.contains("secret blake3:"), "{text}");
}
