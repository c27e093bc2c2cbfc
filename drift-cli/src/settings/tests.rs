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
    assert!(e.contains("`warn` is not a valid severity"), "{e}");
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
