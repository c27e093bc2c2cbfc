//! Kubernetes names that carry the environment's name (`shop-prod`,
//! `web-prod`, `prod-web-secrets`), mapped by `[kube]` in drift.toml and by
//! flags, so that staging and prod compare as the same app.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::{Drift, root};

fn kube(name: &str) -> PathBuf {
    root().join("testdata/kube").join(name)
}

/// The fixture of `env` with every name carrying the environment: the
/// ConfigMap and Service/Deployment suffixed, the Secret prefixed, the
/// `app` labels suffixed.
fn carrying(env: &str) -> String {
    std::fs::read_to_string(kube(&format!("{env}.yaml")))
        .unwrap()
        .replace("web-config", &format!("web-config-{env}"))
        .replace("web-secrets", &format!("{env}-web-secrets"))
        .replace("name: web\n", &format!("name: web-{env}\n"))
        .replace("app: web\n", &format!("app: web-{env}\n"))
}

/// The keys of a diff's findings, with each one's kind.
fn findings(run: &crate::support::Run) -> BTreeSet<(String, String)> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["key"].as_str().unwrap().to_owned(),
                f["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The findings of the fixtures as written (names without environments).
fn plain_findings(dir: &Path) -> BTreeSet<(String, String)> {
    let mut manifests = Vec::new();
    for env in ["staging", "prod"] {
        let out = dir.join(format!("plain-{env}.json"));
        Drift::new()
            .args(["snapshot", "--env", env, "--kube-namespace", "shop", "-q"])
            .args(["--kube-manifests"])
            .arg_path(&kube(&format!("{env}.yaml")))
            .args(["-o"])
            .arg_path(&out)
            .status(0);
        manifests.push(out);
    }
    let run = Drift::new()
        .args(["diff", "--format", "json"])
        .arg_path(&manifests[0])
        .arg_path(&manifests[1])
        .status(1);
    findings(&run)
}

#[test]
fn drift_toml_maps_names_so_only_real_changes_are_found() {
    let dir = tempfile::tempdir().unwrap();
    for env in ["staging", "prod"] {
        std::fs::write(dir.path().join(format!("{env}.yaml")), carrying(env)).unwrap();
    }
    let config = dir.path().join("drift.toml");
    std::fs::write(
        &config,
        "[kube]\n\
         namespace_map = { shop-staging = \"shop\", shop-prod = \"shop\" }\n\
         name_strip_prefixes = [\"staging-\", \"prod-\"]\n\
         name_strip_suffixes = [\"-staging\"]\n\
         [environments.staging]\n\
         kube_manifests = [\"staging.yaml\"]\n\
         kube_namespace = \"shop-staging\"\n\
         [environments.prod]\n\
         kube_manifests = [\"prod.yaml\"]\n\
         kube_namespace = \"shop-prod\"\n\
         kube_name_strip_suffixes = [\"-prod\"]\n",
    )
    .unwrap();
    let run = Drift::new()
        .args(["check", "--format", "json", "-q", "--config"])
        .arg_path(&config)
        .status(1);
    let mapped = findings(&run);
    let plain = plain_findings(dir.path());
    assert!(plain.len() >= 5, "{plain:?}");
    assert_eq!(mapped, plain);
    // The ConfigMap key missing in prod reaches the container through the
    // mapped reference.
    assert!(mapped.contains(&(
        "k8s:shop/Deployment/web:spec.template.spec.containers[name=app].effectiveEnv.NEW_CHECKOUT_FLOW"
            .to_owned(),
        "missing".to_owned()
    )));
}

#[test]
fn flags_map_names_and_show_references_but_never_repeat_identities() {
    let dir = tempfile::tempdir().unwrap();
    let mut manifests = Vec::new();
    for env in ["staging", "prod"] {
        let out = dir.path().join(format!("{env}.json"));
        Drift::new()
            .args(["snapshot", "--env", env, "-q"])
            .args(["--kube-namespace", &format!("shop-{env}")])
            .args(["--kube-namespace-map", &format!("shop-{env}=shop")])
            .args(["--kube-strip-prefix", &format!("{env}-")])
            .args(["--kube-strip-suffix", &format!("-{env}")])
            .args(["--kube-manifests", "-", "-o"])
            .arg_path(&out)
            .stdin(carrying(env))
            .status(0);
        manifests.push(out);
    }
    let prod: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifests[1]).unwrap()).unwrap();
    let entries = &prod["entries"];
    let app = "k8s:shop/Deployment/web:spec.template.spec.containers[name=app]";
    // The reference to a Secret's key is shown, not fingerprinted.
    assert_eq!(
        entries[format!("{app}.env[name=DB_PASSWORD].valueFrom.secretKeyRef.key")],
        "DB_PASSWORD"
    );
    assert_eq!(
        entries[format!("{app}.env[name=DB_PASSWORD].valueFrom.secretKeyRef.name")],
        "web-secrets"
    );
    assert_eq!(
        entries["k8s:shop/Deployment/web:spec.selector.matchLabels.app"],
        "web"
    );
    // No list item repeats the identity already in its key.
    let keys: Vec<&String> = entries.as_object().unwrap().keys().collect();
    assert!(
        !keys.iter().any(|k| k.ends_with("[name=app].name")),
        "{keys:?}"
    );
    assert!(
        !keys.iter().any(|k| k.ends_with("env[name=LOG_LEVEL].name")),
        "{keys:?}"
    );
    let run = Drift::new()
        .args(["diff", "--format", "json"])
        .arg_path(&manifests[0])
        .arg_path(&manifests[1])
        .status(1);
    assert_eq!(findings(&run), plain_findings(dir.path()));
    Drift::new()
        .args(["snapshot", "--env", "prod", "--kube-strip-suffix", ""])
        .args(["--kube-manifests", "-"])
        .status(2)
        .stderr_has("--kube-strip-suffix");
}

#[test]
fn two_objects_mapped_to_one_name_fail_the_snapshot_naming_both() {
    let yaml = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: web-prod}
data: {A: '1'}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: prod-web}
data: {A: '2'}
";
    Drift::new()
        .args([
            "snapshot",
            "--env",
            "prod",
            "-q",
            "--kube-namespace",
            "shop",
        ])
        .args([
            "--kube-strip-prefix",
            "prod-",
            "--kube-strip-suffix",
            "-prod",
        ])
        .args(["--kube-manifests", "-"])
        .stdin(yaml)
        .status(3)
        .stderr_has("shop/ConfigMap/web-prod")
        .stderr_has("shop/ConfigMap/prod-web");
}

#[test]
fn config_files_in_config_maps_are_flattened_and_their_secrets_hidden() {
    let yaml = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  application.properties: |
    spring.datasource.password=Prop-Pa55w0rd-9Q
    server.port=8080
  app.env: |
    API_TOKEN=Env-T0ken-kube-4R
    LOG_LEVEL=info
  config.toml: |
    [pool]
    size = 10
";
    let run = Drift::new()
        .args([
            "snapshot",
            "--env",
            "prod",
            "-q",
            "--kube-namespace",
            "shop",
        ])
        .args(["--kube-manifests", "-"])
        .stdin(yaml)
        .status(0);
    let v = run.json();
    let d = "k8s:shop/ConfigMap/cfg:data";
    let entries = &v["entries"];
    assert_eq!(
        entries[format!("{d}.\"application.properties\".\"server.port\"")],
        "8080"
    );
    assert_eq!(entries[format!("{d}.\"app.env\".LOG_LEVEL")], "info");
    assert_eq!(entries[format!("{d}.\"config.toml\".pool.size")], 10);
    for key in [
        format!("{d}.\"application.properties\".\"spring.datasource.password\""),
        format!("{d}.\"app.env\".API_TOKEN"),
    ] {
        assert!(
            entries[&key]["secret"].is_string(),
            "{key}: {}",
            entries[&key]
        );
    }
    let out = run.stdout();
    for secret in ["Prop-Pa55w0rd-9Q", "Env-T0ken-kube-4R"] {
        assert!(!out.contains(secret), "secret in the manifest");
        assert!(!run.stderr().contains(secret), "secret on stderr");
    }
}
