use std::path::Path;

use super::*;

fn parse_err(text: &str) -> String {
    parse(Path::new("conf/drift.toml"), text)
        .unwrap_err()
        .to_string()
}

const GOOD: &str = r#"
[settings]
fail_on = "warning"
jobs = 4

[secrets]
keys = ["env:INTERNAL_*"]

[environments.dev]
dotenv = ["dev/.env"]
config_dirs = ["dev/config", { path = "/etc/nginx", name = "nginx" }]

[environments.staging]
dotenv = ["staging/.env"]

[environments.prod]
process_env = true

[[rules]]
keys = ["env:FEATURE_*"]
expect = "equal"
severity = "error"
environments = ["staging", "prod"]
reason = "flags must match before a deploy"

[[waivers]]
keys = "env:LEGACY"
reason = "being removed"
expires = 2026-12-31
"#;

#[test]
fn a_valid_file() {
    let c = parse(Path::new("conf/drift.toml"), GOOD).unwrap();
    let names: Vec<&str> = c.environments.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["dev", "staging", "prod"]);
    let dev = &c.environments[0].sources;
    assert_eq!(dev.dotenv, [Path::new("conf/dev/.env")]);
    assert_eq!(dev.config_dirs[0].path, Path::new("conf/dev/config"));
    assert_eq!(dev.config_dirs[1].path, Path::new("/etc/nginx"));
    assert_eq!(dev.config_dirs[1].name.as_deref(), Some("nginx"));
    assert!(c.environments[2].sources.process_env);
    assert_eq!(c.settings.fail_on, Some(Severity::Warning));
    assert_eq!(c.settings.jobs, Some(4));
    assert_eq!(c.policy.rules.len(), 1);
    assert_eq!(c.policy.rules[0].origin.as_deref(), Some("drift.toml:19"));
    assert_eq!(
        c.policy.waivers[0].expires.unwrap().to_string(),
        "2026-12-31"
    );
}

#[test]
fn unknown_key_names_the_line_and_suggests() {
    let e = parse_err("[environments.dev]\nconfg_dirs = [\"x\"]\n");
    assert!(e.starts_with("`conf/drift.toml` line 2:"), "{e}");
    assert!(e.contains("unknown field `confg_dirs`"), "{e}");
    assert!(e.contains("did you mean `config_dirs`?"), "{e}");
}

#[test]
fn wrong_type_names_the_line() {
    let e = parse_err("[settings]\njobs = \"four\"\n");
    assert!(e.contains("line 2"), "{e}");
    assert!(e.contains("invalid type"), "{e}");
}

#[test]
fn invalid_values_name_the_line_and_suggest() {
    let e = parse_err(
        "[environments.a]\n[environments.b]\n[[rules]]\nkeys = \"env:*\"\nseverity = \"warn\"\n",
    );
    assert!(e.contains("line 5"), "{e}");
    assert!(e.contains("`severity` must be one of"), "{e}");
    assert!(!e.contains("`warn`"), "{e}");
    assert!(e.contains("did you mean `warning`?"), "{e}");
}

#[test]
fn unknown_environment_in_a_rule() {
    let e = parse_err(
        "[environments.staging]\n[environments.prod]\n[[rules]]\nkeys = \"package:*\"\nnot_older_than = \"stagin\"\n",
    );
    assert!(e.contains("there is no environment `stagin`"), "{e}");
    assert!(e.contains("did you mean `staging`?"), "{e}");
}

#[test]
fn waivers_need_a_reason_and_a_real_date() {
    let e = parse_err("[[waivers]]\nkeys = \"env:X\"\nreason = \" \"\n");
    assert!(e.contains("needs a `reason`"), "{e}");
    let e = parse_err("[[waivers]]\nkeys = \"env:X\"\nreason = \"r\"\nexpires = \"2026-02-30\"\n");
    assert!(e.contains("line 4"), "{e}");
    assert!(e.contains("is not a date"), "{e}");
}

#[test]
fn rules_must_set_something() {
    let e = parse_err("[[rules]]\nkeys = \"env:X\"\n");
    assert!(e.contains("sets nothing"), "{e}");
}

#[test]
fn malformed_toml_names_the_line() {
    let e = parse_err("[environments.dev\ndotenv = []\n");
    assert!(e.contains("line 1"), "{e}");
}

#[test]
fn durations_jobs_and_sizes_are_bounded() {
    for (text, field, line) in [
        (
            "[ssh]\nconnect_timeout = 18446744073709551615\n",
            "connect_timeout",
            2,
        ),
        (
            "[ssh]\n\noperation_timeout = 86401\n",
            "operation_timeout",
            3,
        ),
        ("[ssh]\nconnect_timeout = 0\n", "connect_timeout", 2),
        ("[settings]\njobs = 1025\n", "jobs", 2),
        ("[settings]\njobs = 0\n", "jobs", 2),
        (
            "[settings]\nmax_file_size = 1073741825\n",
            "max_file_size",
            2,
        ),
    ] {
        let e = parse(Path::new("conf/drift.toml"), text);
        let e = e.unwrap_err().to_string();
        assert!(e.contains(&format!("line {line}")), "{e}");
        assert!(e.contains(&format!("`{field}` must be from 1 to")), "{e}");
    }
    let c = parse(
        Path::new("conf/drift.toml"),
        "[ssh]\nconnect_timeout = 86400\n[settings]\njobs = 1024\nmax_file_size = 1073741824\n",
    )
    .unwrap();
    assert_eq!(c.ssh.connect_timeout, Some(86_400));
    assert_eq!(c.settings.jobs, Some(1024));
}

/// A secret where a name, path or setting is expected is never shown back.
#[test]
fn values_in_the_wrong_place_are_not_echoed() {
    const PW: &str = "Xk9#mQ2$vL7pZr4w";
    for (text, line) in [
        (format!("[settings]\njobs = \"{PW}\"\n"), 2),
        (format!("[settings]\nfail_on = \"{PW}\"\n"), 2),
        (format!("[environments.a]\nprocess_env = \"{PW}\"\n"), 2),
        (format!("[ssh]\nconnect_timeout = \"{PW}\"\n"), 2),
        (
            format!(
                "[environments.a]\nschema = [{{ url = \"postgres://h/x\", password_env = \"{PW}\" }}]\n"
            ),
            2,
        ),
        (
            format!("[environments.a]\nschema = [\"sqlite://u:{PW}@/x.db\"]\n"),
            2,
        ),
        (format!("[environments.a]\nhosts = [\"{PW}\"]\n"), 2),
        (
            format!("[environments.a]\nhosts = [\"ssh://{PW}@h:x\"]\n"),
            2,
        ),
        (
            format!(
                "[environments.a]\nschema = [{{ url = \"postgres://h/x\", via = \"{PW}\" }}]\n"
            ),
            2,
        ),
        (
            format!(
                "[environments.a]\n[environments.b]\n[[rules]]\nkeys = \"env:*\"\nexpect = \"{PW}\"\n"
            ),
            5,
        ),
        (
            format!("[[waivers]]\nkeys = \"env:*\"\nreason = \"r\"\nexpires = \"{PW}\"\n"),
            4,
        ),
        (
            format!("[[rules]]\nkeys = \"env:{{{PW}\"\nexpect = \"equal\"\n"),
            2,
        ),
        (format!("[environments.\"{PW}\"]\n"), 1),
        (format!("[settings]\n\"{PW}\" = 1\n"), 2),
    ] {
        let e = parse_err(&text);
        assert!(e.contains(&format!("line {line}")), "{e}");
        for w in PW.as_bytes().windows(8) {
            let w = std::str::from_utf8(w).unwrap();
            assert!(!e.contains(w), "{w} in {e}");
        }
    }
    let e = parse_err(&format!(
        "[environments.a]\nschema = [{{ url = \"postgres://h/x\", password_env = \"{PW}\" }}]\n"
    ));
    assert!(e.contains("`password_env` is not a variable name"), "{e}");
}

#[test]
fn schema_tls_fields_are_read_resolved_and_checked() {
    let c = parse(
        Path::new("conf/drift.toml"),
        r#"
[environments.prod]
schema = [{ url = "mysql://drift@db/shop", tls = "VERIFY_IDENTITY", tls_ca = "certs/ca.pem",
            tls_cert = "certs/c.pem", tls_key = "/keys/c.key" },
          { url = "postgres://drift@db/shop", tls = "verify-full", tls_ca = "system" }]
"#,
    )
    .unwrap();
    let s = &c.environments[0].sources.schema;
    assert_eq!(
        s[0].tls.mode,
        Some(drift_collectors::schema::TlsMode::VerifyFull)
    );
    assert_eq!(s[0].tls.ca.as_deref(), Some(Path::new("conf/certs/ca.pem")));
    assert_eq!(
        s[0].tls.client,
        Some(("conf/certs/c.pem".into(), "/keys/c.key".into()))
    );
    // `system` is the system's roots, not a file next to the drift.toml.
    assert_eq!(s[1].tls.ca.as_deref(), Some(Path::new("system")));
    for (text, says) in [
        (
            r#"schema = [{ url = "postgres://h/x", tls = "on" }]"#,
            "`tls` must be",
        ),
        (
            r#"schema = [{ url = "postgres://h/x", tls_cert = "c.pem" }]"#,
            "both `tls_cert` and `tls_key`",
        ),
        (
            r#"schema = [{ file = "s.sql", tls = "require" }]"#,
            "for PostgreSQL and MySQL URLs",
        ),
    ] {
        let e = parse_err(&format!("[environments.a]\n{text}\n"));
        assert!(e.contains("line 2") && e.contains(says), "{e}");
    }
}

#[test]
fn kube_manifests_resolve_beside_the_file_and_stdin_stays_stdin() {
    let text = "[environments.prod]\nkube_manifests = [\"k8s/prod.yaml\", \"-\"]\n\
                kube_namespace = \"shop\"\n\
                kube_namespace_map = { shop-prod = \"shop\" }\n";
    let c = parse(Path::new("conf/drift.toml"), text).unwrap();
    let prod = &c.environments[0].sources;
    assert_eq!(
        prod.kube_manifests,
        [Path::new("conf/k8s/prod.yaml"), Path::new("-")]
    );
    assert_eq!(prod.kube_namespace.as_deref(), Some("shop"));
    assert_eq!(
        prod.kube_namespace_map,
        [("shop-prod".to_owned(), "shop".to_owned())]
    );
    assert!(!prod.is_empty());
}

#[test]
fn kube_keep_owned_is_off_unless_kube_or_the_environment_says_so() {
    let text = "[kube]\nkeep_owned = true\n\
                [environments.live]\nkube_manifests = [\"l.yaml\"]\n\
                [environments.rendered]\nkube_manifests = [\"r.yaml\"]\n\
                kube_keep_owned = false\n";
    let c = parse(Path::new("drift.toml"), text).unwrap();
    assert!(c.environments[0].sources.kube_keep_owned);
    assert!(!c.environments[1].sources.kube_keep_owned);
    let plain = "[environments.live]\nkube_manifests = [\"l.yaml\"]\n";
    let c = parse(Path::new("drift.toml"), plain).unwrap();
    assert!(!c.environments[0].sources.kube_keep_owned);
}

#[test]
fn kube_name_rules_apply_to_every_environment_and_the_own_map_wins() {
    let text = "[kube]\n\
                namespace_map = { shop-prod = \"shop\", shop-staging = \"shop\" }\n\
                name_strip_prefixes = [\"prod-\"]\n\
                name_strip_suffixes = [\"-prod\", \"-staging\"]\n\
                [environments.staging]\nkube_manifests = [\"s.yaml\"]\n\
                [environments.prod]\nkube_manifests = [\"p.yaml\"]\n\
                kube_namespace_map = { shop-prod = \"store\" }\n\
                kube_name_strip_suffixes = [\"-eu\", \"-prod\"]\n";
    let c = parse(Path::new("drift.toml"), text).unwrap();
    let staging = &c.environments[0].sources;
    let prod = &c.environments[1].sources;
    assert_eq!(
        staging.kube_namespace_map,
        [
            ("shop-prod".to_owned(), "shop".to_owned()),
            ("shop-staging".to_owned(), "shop".to_owned())
        ]
    );
    assert_eq!(
        prod.kube_namespace_map,
        [
            ("shop-prod".to_owned(), "store".to_owned()),
            ("shop-staging".to_owned(), "shop".to_owned())
        ]
    );
    assert_eq!(staging.kube_strip_prefixes, ["prod-"]);
    assert_eq!(staging.kube_strip_suffixes, ["-prod", "-staging"]);
    assert_eq!(prod.kube_strip_suffixes, ["-prod", "-staging", "-eu"]);
}

#[test]
fn kube_name_rules_may_not_be_empty() {
    for (text, says) in [
        (
            "[kube]\nname_strip_suffixes = [\"\"]\n",
            "`name_strip_suffixes`",
        ),
        (
            "[environments.a]\nkube_name_strip_prefixes = [\"\"]\n",
            "`name_strip_prefixes`",
        ),
        ("[kube]\nnamespace_map = { a = \"\" }\n", "namespace map"),
        ("[kube]\nnamespace = \"x\"\n", "namespace"),
    ] {
        let text = format!("{text}[environments.b]\nkube_manifests = [\"b.yaml\"]\n");
        let e = parse_err(&text);
        assert!(e.contains("line 2") && e.contains(says), "{e}");
    }
}
