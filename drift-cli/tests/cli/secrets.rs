//! The secrets corpus (`testdata/secrets`, written by
//! `scripts/gen-secrets-corpus`): realistic placements in two environments,
//! snapshotted and compared in every report format. No secret, no 8-character
//! window of one and no base64 form of one may appear in a manifest, a
//! report, or what drift prints to stderr.

use base64::Engine as _;

use crate::support::{Drift, root};

/// The secrets of the corpus, one a line.
fn secrets() -> Vec<String> {
    let list = std::fs::read_to_string(root().join("testdata/secrets/secrets.txt")).unwrap();
    list.lines().map(str::to_owned).collect()
}

/// Every 8-character window of a secret, and of its base64 forms at each
/// alignment (a secret inside a base64 value starts at any byte of a
/// 3-byte group).
fn windows(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_owned()];
    for pad in 0..3 {
        let mut bytes = vec![b'\0'; pad];
        bytes.extend_from_slice(secret.as_bytes());
        let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
        // The first group holds the padding, the last may hold `=`.
        let start = if pad > 0 { 4 } else { 0 };
        let end = encoded.len().saturating_sub(4);
        if end > start {
            forms.push(encoded[start..end].to_owned());
        }
    }
    let mut out = Vec::new();
    for form in forms {
        let chars: Vec<char> = form.chars().collect();
        if chars.len() < 8 {
            out.push(form);
            continue;
        }
        out.extend(chars.windows(8).map(|w| w.iter().collect::<String>()));
    }
    out
}

/// The single-line `NAME=value` variables of a dotenv file, for the
/// process environment.
fn simple_variables(dotenv: &str) -> Vec<(String, String)> {
    dotenv
        .lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(n, v)| !n.starts_with('#') && !v.starts_with(['"', '\'']) && !n.contains(' '))
        .map(|(n, v)| (format!("CORPUS_{n}"), v.to_owned()))
        .collect()
}

#[test]
fn no_secret_of_the_corpus_reaches_a_manifest_a_report_or_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = root().join("testdata/secrets");
    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut placements = 0;
    for env in ["a", "b"] {
        let output = dir.path().join(format!("{env}.json"));
        let dotenv = corpus.join(env).join("env/.env");
        let variables = simple_variables(&std::fs::read_to_string(&dotenv).unwrap());
        placements += variables.len();
        let mut drift = Drift::new().args(["snapshot", "--env", env, "--dotenv"]);
        drift = drift
            .arg_path(&dotenv)
            .args(["--config-dir"])
            .arg_path(&corpus.join(env).join("config"))
            .args(["--packages"])
            .arg_path(&corpus.join(env).join("packages/package-lock.json"))
            .args(["--packages"])
            .arg_path(&corpus.join(env).join("packages/requirements.txt"))
            .args(["--process-env", "--output"])
            .arg_path(&output);
        for (name, value) in &variables {
            drift = drift.env(name, value);
        }
        let run = drift.status(0);
        outputs.push((format!("{env} snapshot stderr"), run.stderr()));
        outputs.push((format!("{env} snapshot stdout"), run.stdout()));
        let manifest = std::fs::read_to_string(&output).unwrap();
        let entries = serde_json::from_str::<serde_json::Value>(&manifest).unwrap()["entries"]
            .as_object()
            .unwrap()
            .len();
        assert!(entries > 100, "{env}: only {entries} entries");
        outputs.push((format!("{env} manifest"), manifest));
    }
    // A schema source whose URL holds a password, at a loopback port where
    // no server listens: the collection error must not show it.
    let url = std::fs::read_to_string(corpus.join("a/schema-url.txt")).unwrap();
    let schema_out = dir.path().join("schema.json");
    let run = Drift::new()
        .args(["snapshot", "--env", "a", "--schema", url.trim(), "--output"])
        .arg_path(&schema_out)
        .status(3);
    outputs.push(("schema snapshot stderr".into(), run.stderr()));
    outputs.push((
        "schema manifest".into(),
        std::fs::read_to_string(&schema_out).unwrap(),
    ));
    // Secrets in drift.toml fields and flags, one run each: refused or
    // failed, never echoed.
    for env in ["a", "b"] {
        let tomls = std::fs::read_dir(corpus.join(env).join("drift")).unwrap();
        for toml in tomls {
            let toml = toml.unwrap().path();
            let run = Drift::new()
                .args(["check", "--format", "json", "--config"])
                .arg_path(&toml)
                .run();
            assert!(
                matches!(run.code(), Some(2 | 3)),
                "{}: {:?}",
                toml.display(),
                run.code()
            );
            placements += 1;
            outputs.push((format!("{} stderr", toml.display()), run.stderr()));
            outputs.push((format!("{} stdout", toml.display()), run.stdout()));
        }
        let flags = std::fs::read_to_string(corpus.join(env).join("flags.txt")).unwrap();
        for line in flags.lines() {
            let run = Drift::new().args(line.split('\t')).run();
            assert!(
                matches!(run.code(), Some(2 | 3)),
                "{line:?}: {:?}",
                run.code()
            );
            placements += 1;
            outputs.push((format!("flags {line:.20}… stderr"), run.stderr()));
            outputs.push((format!("flags {line:.20}… stdout"), run.stdout()));
        }
    }
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    for format in [
        "text", "json", "markdown", "html", "sarif", "junit", "github", "gitlab",
    ] {
        let run = Drift::new()
            .args(["diff", "--fail-on", "warning", "--format", format])
            .arg_path(&a)
            .arg_path(&b)
            .status(1);
        if format == "json" {
            // Each snapshot says how many values each layer hid.
            let report: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
            for env in report["environments"].as_array().unwrap() {
                let hidden = &env["hosts"][0]["hidden"];
                for layer in ["name", "content", "shape", "structure"] {
                    assert!(
                        hidden[layer].as_u64().is_some_and(|n| n > 0),
                        "{}: {hidden}",
                        env["name"]
                    );
                }
                assert!(hidden.get("policy").is_none(), "{hidden}");
            }
        } else if format == "text" {
            assert!(
                run.stdout().contains("secrets hidden: a "),
                "{}",
                run.stdout()
            );
        }
        outputs.push((format!("diff --format {format}"), run.stdout()));
        outputs.push((format!("diff --format {format} stderr"), run.stderr()));
    }
    // The corpus's files are placements too (the variables above are the
    // process environment's).
    let files = walkdir::WalkDir::new(corpus.join("a"))
        .into_iter()
        .filter(|e| e.as_ref().is_ok_and(|e| e.file_type().is_file()))
        .count();
    let secrets = secrets();
    let in_files: usize = std::fs::read_to_string(corpus.join("placements.txt"))
        .unwrap()
        .lines()
        .map(|l| l.split(' ').nth(1).unwrap().parse::<usize>().unwrap())
        .sum();
    assert!(
        in_files / 2 + placements / 2 >= 150,
        "{in_files} placements in files, {placements} in variables, drift.toml and flags"
    );
    assert!(files >= 15, "{files} files");
    // Every 8-character window of every output, to look secrets up in.
    let mut seen: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    for (name, text) in &outputs {
        let chars: Vec<char> = text.chars().collect();
        for w in chars.windows(8) {
            seen.entry(w.iter().collect()).or_insert(name);
        }
    }
    let mut leaks = Vec::new();
    for secret in &secrets {
        let found = windows(secret).into_iter().find_map(|window| {
            let hit = if window.chars().count() < 8 {
                outputs
                    .iter()
                    .find(|(_, t)| t.contains(&window))
                    .map(|(n, _)| n.as_str())
            } else {
                seen.get(&window).copied()
            };
            hit.map(|name| format!("{name}: {window:?}"))
        });
        leaks.extend(found);
    }
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}

#[test]
fn ordinary_values_of_the_corpus_stay_visible() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = root().join("testdata/secrets/a");
    let output = dir.path().join("a.json");
    Drift::new()
        .args(["snapshot", "--env", "a", "--dotenv"])
        .arg_path(&corpus.join("env/.env"))
        .args(["--config-dir"])
        .arg_path(&corpus.join("config"))
        .args(["--output"])
        .arg_path(&output)
        .status(0);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    let entries = manifest["entries"].as_object().unwrap();
    for (key, value) in [
        ("env:LOG_LEVEL", serde_json::json!("info")),
        (
            "config:app.yaml:image",
            serde_json::json!("registry.example/shop:1.4.2"),
        ),
        ("config:app.yaml:replicas", serde_json::json!(3)),
        (
            "config:app.yaml:s3.bucket",
            serde_json::json!("shop-assets"),
        ),
        ("config:k8s/db.yaml:metadata.name", serde_json::json!("db")),
        ("config:k8s/db.yaml:kind", serde_json::json!("Secret")),
        ("config:db.ini:db.host", serde_json::json!("db")),
        (
            "config:app.yaml:containers[name=web].env[name=LOG_LEVEL].value",
            serde_json::json!("info"),
        ),
    ] {
        assert_eq!(entries.get(key), Some(&value), "{key}");
    }
    // A Kubernetes Secret's data is hidden by its kind, whatever its name.
    assert!(entries["config:k8s/db.yaml:data.LOG_LEVEL"]["secret"].is_string());
    // Only the secret part of a line is hidden.
    let nginx = entries["file:nginx.conf"]["file"]["text"].as_str().unwrap();
    assert!(nginx.contains("proxy_pass http://app:8080;"), "{nginx}");
    let url = entries["env:DATABASE_URL"]["url"]["url"].as_str().unwrap();
    assert_eq!(url, "postgres://app@db:5432/shop");
    let ado = entries["env:ADO"]["url"]["url"].as_str().unwrap();
    assert!(
        ado.starts_with("Server=db;Database=shop;User Id=app;"),
        "{ado}"
    );
}

/// The keys whose values are hidden when the repository's own fixtures are
/// snapshotted.
fn hidden_keys(args: &[&str], path: &std::path::Path) -> Vec<String> {
    let run = Drift::new()
        .args(["snapshot", "--env", "x"])
        .args(args)
        .arg_path(path)
        .status(0);
    let manifest = run.json();
    manifest["entries"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v.get("secret").is_some() || v.get("url").is_some())
        .map(|(k, _)| k.clone())
        .collect()
}

#[test]
fn the_repository_fixtures_are_not_masked_beyond_their_secrets() {
    let root = root();
    let mut hidden = Vec::new();
    for dir in [
        "testdata/demo/dev/config",
        "testdata/demo/staging/config",
        "testdata/demo/prod/config",
        "testdata/config/tree-a",
        "testdata/config/tree-b",
    ] {
        hidden.extend(hidden_keys(&["--config-dir"], &root.join(dir)));
    }
    for file in ["app.env", "crlf.env", "override.env"] {
        hidden.extend(hidden_keys(
            &["--dotenv"],
            &root.join("testdata/env").join(file),
        ));
    }
    hidden.sort();
    hidden.dedup();
    assert_eq!(
        hidden,
        [
            "config:app/settings.yaml:database.password",
            "env:DATABASE_URL",
        ]
    );
}

#[test]
fn only_the_command_line_unhides_what_content_found() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = [
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "ghp_27D8f53A303d7023F8821d949458Bf289C5b",
    ];
    for (env, token) in ["a", "b"].iter().zip(tokens) {
        std::fs::write(
            dir.path().join(format!("{env}.env")),
            format!("GREETING={token}\nAPI_TOKEN=plain-{env}\n"),
        )
        .unwrap();
    }
    let config = dir.path().join("drift.toml");
    std::fs::write(
        &config,
        "[secrets]\npublic = [\"env:*\"]\n[environments.a]\ndotenv = [\"a.env\"]\n[environments.b]\ndotenv = [\"b.env\"]\n",
    )
    .unwrap();
    let check = |extra: &[&str]| {
        Drift::new()
            .args([
                "check",
                "--format",
                "json",
                "--fail-on",
                "warning",
                "--config",
            ])
            .arg_path(&config)
            .args(extra)
            .status(1)
            .stdout()
    };
    // The drift.toml un-hides what the name layer hid, not the tokens.
    let out = check(&[]);
    assert!(out.contains("plain-a"), "{out}");
    for token in tokens {
        assert!(!out.contains(&token[..12]), "{out}");
    }
    // The person running drift decides over every judgement.
    let out = check(&["--public", "env:GREETING"]);
    for token in tokens {
        assert!(out.contains(token), "{out}");
    }
    let out = check(&["--secret", "env:API_TOKEN"]);
    assert!(!out.contains("plain-a"), "{out}");
}
