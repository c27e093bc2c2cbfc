//! The HTML report in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`; `.ci/run` installs them): driven through
//! chromedriver's WebDriver protocol on a loopback port, with real key
//! presses in the filter box and the browser's console read back.
//!
//! The WebDriver client is a few plain HTTP/1.1 requests over a loopback
//! `TcpStream` (chromedriver answers with a `Content-Length`): no crate of
//! an HTTP client, a WebDriver client or an async runtime for four verbs.

use std::io::{BufRead, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Drift, root};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A chromedriver on a free loopback port, ended when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start() -> Driver {
        for binary in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                Path::new(binary).exists(),
                "{binary} is missing: `apt-get install chromium chromium-driver` (.ci/run does)"
            );
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let driver = Driver { child, port };
        let start = Instant::now();
        loop {
            if let Ok(status) = driver.try_request("GET", "/status", None)
                && status["value"]["ready"] == true
            {
                return driver;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn try_request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> std::io::Result<Value> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        let body = body.map(Value::to_string).unwrap_or_default();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        )?;
        // chromedriver keeps the connection open: read the head, then as
        // many bytes as it says.
        let mut reader = std::io::BufReader::new(stream);
        let mut length = 0;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 {
                return Err(std::io::Error::other("no HTTP body"));
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().map_err(std::io::Error::other)?;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        serde_json::from_slice(&body).map_err(std::io::Error::other)
    }

    /// A WebDriver command; fails the test on a WebDriver error (an alert
    /// a hostile value opened would be one: "unexpected alert open").
    fn request(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let v = self.try_request(method, path, body.as_ref()).unwrap();
        assert!(
            v["value"].get("error").is_none(),
            "{method} {path}: {}",
            v["value"]
        );
        v["value"].clone()
    }

    fn session(&self) -> Session<'_> {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--no-first-run"],
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        }}});
        let v = self.request("POST", "/session", Some(caps));
        Session {
            driver: self,
            id: v["sessionId"].as_str().unwrap().to_owned(),
        }
    }
}

struct Session<'d> {
    driver: &'d Driver,
    id: String,
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = self
            .driver
            .try_request("DELETE", &format!("/session/{}", self.id), None);
    }
}

impl Session<'_> {
    fn post(&self, path: &str, body: Value) -> Value {
        self.driver
            .request("POST", &format!("/session/{}{path}", self.id), Some(body))
    }

    fn open(&self, file: &Path) {
        self.post("/url", json!({"url": format!("file://{}", file.display())}));
    }

    fn script(&self, js: &str) -> Value {
        self.post("/execute/sync", json!({"script": js, "args": []}))
    }

    /// Types into the element `selector` as a person would (key events,
    /// so `input` events).
    fn type_into(&self, selector: &str, text: &str) {
        let el = self.post(
            "/element",
            json!({"using": "css selector", "value": selector}),
        );
        let id = el["element-6066-11e4-a52e-4f735466cecf"]
            .as_str()
            .unwrap_or_else(|| panic!("no element `{selector}`: {el}"));
        self.post(&format!("/element/{id}/value"), json!({"text": text}));
    }

    /// The browser console's entries since the last call.
    fn console(&self) -> Vec<Value> {
        self.post("/se/log", json!({"type": "browser"}))
            .as_array()
            .unwrap()
            .clone()
    }

    /// The keys of the findings rows the page shows (not hidden).
    fn shown_rows(&self) -> Vec<String> {
        let v = self.script(
            "return Array.from(document.querySelectorAll('tr.finding'))\
             .filter(r => r.getClientRects().length > 0)\
             .map(r => r.querySelector('th').textContent);",
        );
        v.as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap().to_owned())
            .collect()
    }
}

fn errors_in(console: &[Value]) -> Vec<String> {
    console
        .iter()
        .filter(|e| e["level"] != "INFO" && e["level"] != "DEBUG")
        .map(|e| format!("{}: {}", e["level"], e["message"]))
        .collect()
}

fn html_report(config: &Path, out: &Path) -> String {
    let run = Drift::new()
        .args([
            "check",
            "--format",
            "html",
            "--fail-on",
            "warning",
            "--config",
        ])
        .arg_path(config)
        .status(1);
    let html = run.stdout();
    std::fs::write(out, &html).unwrap();
    html
}

/// The value of the ignored key in the hostile environment.
const IGNORED_ATTACK: &str = "<img src=x onerror=alert(5)><b>bold</b>";

/// Environments whose values are each an attack on the page.
const HOSTILE: &[(&str, &str)] = &[
    ("XSS_IMG", "<img src=x onerror=alert(1)>"),
    ("XSS_SCRIPT", "</script><script>alert(2)</script>"),
    ("XSS_STYLE", "</style><style>body{display:none}</style>"),
    ("XSS_ATTR", "x\" onmouseover=\"alert(3)\" data-x='"),
    ("XSS_ENTITY", "&lt;img src=x onerror=alert(4)&gt;"),
    (
        "TERMINAL",
        "\x1b[31mred\x1b]8;;https://evil.example\x07link",
    ),
    ("BIDI", "abc\u{202e}fed.exe"),
];

#[test]
fn the_html_report_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let session = driver.session();

    // The demo: every finding in the DOM, the odd one out highlighted, the
    // waived finding apart, no secret.
    let demo = dir.path().join("demo.html");
    let html = html_report(&root().join("testdata/demo/drift.toml"), &demo);
    for secret in ["whsec_", "dev-password", "st4ging-pw", "pr0d-s3cret"] {
        assert!(!html.contains(secret), "{secret} leaked");
    }
    session.open(&demo);
    let all = session.shown_rows();
    assert_eq!(all.len(), 10, "{all:?}");
    assert!(all.contains(&"env:PAYMENT_GATEWAY_TIMEOUT_MS".to_owned()));
    let page = session.script(
        "const odd = document.querySelector('td.odd');\
         return {\
           odd: document.querySelectorAll('td.odd').length,\
           oddText: odd.textContent,\
           oddBackground: getComputedStyle(odd).backgroundColor,\
           plainBackground: getComputedStyle(document.querySelector('td.value:not(.odd)')).backgroundColor,\
           waived: Array.from(document.querySelectorAll('#waived tr.waived th')).map(t => t.textContent),\
           secret: document.body.textContent.includes('secret blake3:'),\
         };",
    );
    assert!(page["odd"].as_u64().unwrap() >= 7, "{page}");
    assert_eq!(page["oddText"], "(absent)odd one out", "{page}");
    // The style applied (the CSP allowed it): the odd one out stands out.
    assert_ne!(page["oddBackground"], page["plainBackground"], "{page}");
    assert_eq!(page["waived"], json!(["config:app.yaml:cache.ttl_seconds"]));
    assert_eq!(page["secret"], true);

    // The filter, typed: one finding left, the layers without a match
    // hidden; erased: all of them again.
    session.type_into("#filter", "TIMEOUT_MS");
    assert_eq!(session.shown_rows(), ["env:PAYMENT_GATEWAY_TIMEOUT_MS"]);
    let hidden = session.script(
        "return Array.from(document.querySelectorAll('section.findings'))\
         .filter(s => s.hidden).map(s => s.id);",
    );
    assert_eq!(
        hidden,
        json!([
            "layer-schema",
            "layer-config",
            "layer-file",
            "layer-package"
        ])
    );
    assert_eq!(
        session.script("return document.getElementById('shown').textContent;"),
        "1 of 10 findings shown"
    );
    session.type_into("#filter", &"\u{e003}".repeat("TIMEOUT_MS".len()));
    assert_eq!(session.shown_rows().len(), 10);
    // A value in a detail (nginx's diff) finds its finding too.
    session.type_into("#filter", "proxy_read");
    assert_eq!(session.shown_rows(), ["file:nginx.conf"]);
    let console = session.console();
    assert!(errors_in(&console).is_empty(), "{console:?}");

    // Hostile values: shown as text, no element, script or style of theirs.
    let config = dir.path().join("drift.toml");
    for (env, safe) in [("a", true), ("b", false)] {
        let mut dotenv = String::new();
        for (name, attack) in HOSTILE {
            let value = if safe { "safe" } else { attack };
            dotenv.push_str(&format!("{name}={value}\n"));
        }
        // A key an ignore rule leaves out: kept apart, as text too.
        let ignored = if safe { "safe" } else { IGNORED_ATTACK };
        dotenv.push_str(&format!("IGNORED={ignored}\n"));
        std::fs::write(dir.path().join(format!("{env}.env")), dotenv).unwrap();
    }
    std::fs::write(
        &config,
        "[secrets]\npublic = [\"env:*\"]\n\
         [environments.a]\ndotenv = [\"a.env\"]\n[environments.b]\ndotenv = [\"b.env\"]\n\
         [[rules]]\nkeys = \"env:IGNORED\"\nexpect = \"ignore\"\nreason = \"per <b>host</b>\"\n",
    )
    .unwrap();
    let hostile = dir.path().join("hostile.html");
    let html = html_report(&config, &hostile);
    assert!(!html.contains("<img") && !html.contains('\x1b') && !html.contains('\u{202e}'));
    session.open(&hostile);
    let page = session.script(
        "return {\
           images: document.images.length,\
           scripts: document.scripts.length,\
           styles: document.querySelectorAll('style').length,\
           handlers: document.querySelectorAll('[onmouseover], [onerror]').length,\
           shown: getComputedStyle(document.body).display,\
           cells: Object.fromEntries(Array.from(document.querySelectorAll('tr.finding'))\
             .map(r => [r.querySelector('th').textContent, r.querySelectorAll('td')[2].textContent])),\
           body: document.body.textContent,\
           ignored: Array.from(document.querySelectorAll('#ignored tr.ignored'))\
             .map(r => [r.querySelector('th').textContent]\
               .concat(Array.from(r.querySelectorAll('td')).map(c => c.textContent))),\
         };",
    );
    let attack = drift_core::display::escape(&format!("{IGNORED_ATTACK:?}")).into_owned();
    assert_eq!(
        page["ignored"],
        json!([[
            "env:IGNORED",
            "warning changed",
            format!("a: \"safe\"b: {attack}"),
            "drift.toml:7",
            "per <b>host</b>"
        ]]),
        "{page}"
    );
    assert!(
        !page["cells"]
            .as_object()
            .unwrap()
            .contains_key("env:IGNORED")
    );
    assert_eq!(page["images"], 0, "{page}");
    assert_eq!(page["scripts"], 1, "{page}");
    assert_eq!(page["styles"], 1, "{page}");
    assert_eq!(page["handlers"], 0, "{page}");
    assert_eq!(page["shown"], "block", "{page}");
    let cells = &page["cells"];
    for (name, attack) in HOSTILE {
        let shown = drift_core::display::escape(&format!("{attack:?}")).into_owned();
        assert_eq!(
            cells[format!("env:{name}")],
            shown.as_str(),
            "{name}: {page}"
        );
    }
    let body = page["body"].as_str().unwrap();
    assert!(
        !body.contains('\x1b') && !body.contains('\u{202e}'),
        "{body}"
    );
    assert!(body.contains("\\u{1b}[31mred") && body.contains("abc\\u{202e}fed.exe"));
    let console = session.console();
    assert!(errors_in(&console).is_empty(), "{console:?}");

    // The console check itself: a page whose style no longer matches its
    // hash is refused, and the console says so.
    let tampered = dir.path().join("tampered.html");
    std::fs::write(&tampered, html.replacen("<style>", "<style>b{}", 1)).unwrap();
    session.open(&tampered);
    let errors = errors_in(&session.console());
    assert!(
        errors.iter().any(|e| e.contains("Content Security Policy")),
        "{errors:?}"
    );
}
