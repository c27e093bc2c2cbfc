//! `drift snapshot --kube-manifests`: the app of `testdata/kube`, rendered
//! for staging and prod and exported live from prod.

use std::path::{Path, PathBuf};

use crate::support::{Drift, root};

const PROD_SECRET: &str = "prod-Pa55w0rd-kube-7Q";
const STAGING_SECRET: &str = "staging-Pa55w0rd-kube-3X";
const ROTATED: &str = "rotated-Pa55w0rd-kube-9Z";

fn kube(name: &str) -> PathBuf {
    root().join("testdata/kube").join(name)
}

/// Snapshots `file` as environment `env` into `dir`, returning the
/// manifest's path; no plaintext secret may reach it nor standard error.
fn snapshot(dir: &Path, env: &str, file: &Path) -> PathBuf {
    let out = dir.join(format!("{env}.json"));
    let run = Drift::new()
        .args(["snapshot", "--env", env, "--kube-namespace", "shop", "-q"])
        .args(["--kube-manifests"])
        .arg_path(file)
        .args(["-o"])
        .arg_path(&out)
        .status(0);
    let manifest = std::fs::read_to_string(&out).unwrap();
    for secret in [PROD_SECRET, STAGING_SECRET, ROTATED] {
        assert!(!manifest.contains(secret), "{env}: secret in the manifest");
        assert!(!run.stderr().contains(secret), "{env}: secret on stderr");
    }
    out
}

#[test]
fn a_live_export_equals_its_rendered_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let rendered = snapshot(dir.path(), "prod", &kube("prod.yaml"));
    let live = snapshot(dir.path(), "live", &kube("prod-live.yaml"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&live).unwrap()).unwrap();
    let entries = v["entries"].as_object().unwrap();
    assert!(entries.len() > 40, "{}", entries.len());
    for noise in [
        "uid",
        "resourceVersion",
        "managedFields",
        "status",
        "clusterIP",
        "last-applied",
    ] {
        assert!(
            !entries.keys().any(|k| k.contains(noise)),
            "{noise} left in the export's keys"
        );
    }
    // A policy that compares Secret values too: still nothing differs.
    let policy = dir.path().join("drift.toml");
    std::fs::write(
        &policy,
        "[[rules]]\nkeys = \"k8s:*/Secret/*\"\nexpect = \"equal\"\n",
    )
    .unwrap();
    Drift::new()
        .args(["diff", "--policy"])
        .arg_path(&policy)
        .arg_path(&rendered)
        .arg_path(&live)
        .status(0)
        .stdout_has("0 findings");
}

/// The JSON report of `drift diff` of the staging and prod fixtures (exit
/// 1), as text and parsed.
fn staging_vs_prod() -> (String, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let staging = snapshot(dir.path(), "staging", &kube("staging.yaml"));
    let prod = snapshot(dir.path(), "prod", &kube("prod.yaml"));
    let run = Drift::new()
        .args(["diff", "--format", "json"])
        .arg_path(&staging)
        .arg_path(&prod)
        .status(1);
    (run.stdout(), run.json())
}

#[test]
fn staging_and_prod_differ_where_the_overlays_do() {
    let (report, v) = staging_vs_prod();
    let findings = v["findings"].as_array().unwrap();
    let find = |key: &str| {
        findings
            .iter()
            .find(|f| f["key"] == key)
            .unwrap_or_else(|| panic!("no finding on {key}: {report}"))
    };
    let app = "k8s:shop/Deployment/web:spec.template.spec.containers[name=app]";
    // A ConfigMap key missing in prod.
    let missing = find("k8s:shop/ConfigMap/web-config:data.NEW_CHECKOUT_FLOW");
    assert_eq!(missing["kind"], "missing");
    // … reaches the container's effective environment (its `envFrom`).
    let env = find(&format!("{app}.effectiveEnv.NEW_CHECKOUT_FLOW"));
    assert_eq!(env["kind"], "missing");
    // An image tag skew, as versions.
    let tag = find(&format!("{app}.image.tag"));
    assert_eq!(tag["kind"], "changed");
    assert!(report.contains("minor"), "{report}");
    // A limit changed, in bytes.
    let memory = find(&format!("{app}.resources.limits.memory"));
    assert!(memory.to_string().contains("2147483648"), "{memory}");
    assert!(memory.to_string().contains("1073741824"), "{memory}");
    // Sizes differ by design: info unless a rule says otherwise; the tag
    // skew stays a warning.
    assert_eq!(memory["severity"], "info", "{memory}");
    assert_eq!(
        find("k8s:shop/Deployment/web:spec.replicas")["severity"],
        "info"
    );
    assert_eq!(tag["severity"], "warning");
    // The repository is the same: no finding on it.
    assert!(
        !findings
            .iter()
            .any(|f| f["key"] == format!("{app}.image.repository"))
    );
    for secret in [PROD_SECRET, STAGING_SECRET] {
        assert!(!report.contains(secret));
    }
}

#[test]
fn a_rotated_secret_is_reported_by_fingerprint_and_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let rotated = dir.path().join("rotated.yaml");
    let live = std::fs::read_to_string(kube("prod-live.yaml")).unwrap();
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::STANDARD;
    let live = live.replace(&engine.encode(PROD_SECRET), &engine.encode(ROTATED));
    std::fs::write(&rotated, live).unwrap();
    let prod = snapshot(dir.path(), "prod", &kube("prod.yaml"));
    let after = snapshot(dir.path(), "rotated", &rotated);
    let policy = dir.path().join("drift.toml");
    std::fs::write(
        &policy,
        "[[rules]]\nkeys = \"k8s:*/Secret/*\"\nexpect = \"equal\"\nseverity = \"error\"\n",
    )
    .unwrap();
    for format in ["text", "json", "markdown", "html", "sarif"] {
        let run = Drift::new()
            .args(["diff", "--format", format, "--policy"])
            .arg_path(&policy)
            .arg_path(&prod)
            .arg_path(&after)
            .status(1);
        let out = run.stdout();
        assert!(out.contains("web-secrets"), "{format}: {out}");
        assert!(out.contains("blake3:"), "{format}: no fingerprint: {out}");
        for secret in [PROD_SECRET, ROTATED] {
            assert!(!out.contains(secret), "{format}: secret shown");
            assert!(
                !out.contains(&engine.encode(secret)),
                "{format}: base64 shown"
            );
        }
    }
}

#[test]
fn namespaces_that_carry_the_environment_are_mapped() {
    let yaml = std::fs::read_to_string(kube("prod.yaml")).unwrap();
    let run = Drift::new()
        .args([
            "snapshot",
            "--env",
            "prod",
            "-q",
            "--kube-namespace",
            "shop-prod",
        ])
        .args([
            "--kube-namespace-map",
            "shop-prod=shop",
            "--kube-manifests",
            "-",
        ])
        .stdin(yaml)
        .status(0);
    assert_eq!(
        run.json()["entries"]["k8s:shop/Deployment/web:spec.replicas"],
        3
    );
    Drift::new()
        .args([
            "snapshot",
            "--env",
            "prod",
            "--kube-namespace-map",
            "shop-prod",
        ])
        .args(["--kube-manifests", "-"])
        .status(2)
        .stderr_has("FROM=TO");
}

#[test]
fn standard_input_and_folders_are_read() {
    let yaml = std::fs::read_to_string(kube("prod.yaml")).unwrap();
    let run = Drift::new()
        .args([
            "snapshot",
            "--env",
            "prod",
            "--kube-namespace",
            "shop",
            "-q",
        ])
        .args(["--kube-manifests", "-"])
        .stdin(yaml)
        .status(0);
    let v = run.json();
    assert_eq!(
        v["entries"]["k8s:shop/ConfigMap/web-config:data.LOG_LEVEL"],
        "info"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(kube("prod.yaml"), dir.path().join("all.yaml")).unwrap();
    let run = Drift::new()
        .args(["snapshot", "--env", "prod", "-q", "--kube-manifests"])
        .arg_path(dir.path())
        .status(0);
    let v = run.json();
    assert_eq!(v["entries"]["k8s:default/Deployment/web:spec.replicas"], 3);
}

/// The entries of a snapshot of `file`.
fn entries_of(dir: &Path, env: &str, file: &Path) -> serde_json::Map<String, serde_json::Value> {
    let out = snapshot(dir, env, file);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    v["entries"].as_object().unwrap().clone()
}

#[test]
fn a_live_export_skips_generated_objects_and_admission_fields() {
    let dir = tempfile::tempdir().unwrap();
    let live = entries_of(dir.path(), "live", &kube("prod-live.yaml"));
    // The Deployment's ReplicaSet and Pods, and the Job's Pod, are its
    // controllers' work: their owners are recorded, they are not.
    for generated in ["web-7d9f8c6b5", "seed-catalog-q8w2n"] {
        assert!(
            !live.keys().any(|k| k.contains(generated)),
            "{generated} recorded"
        );
    }
    // A Pod of its own is recorded, without what the scheduler and the
    // admission plugins wrote.
    let toolbox = "k8s:shop/Pod/web-toolbox:spec";
    assert_eq!(live[&format!("{toolbox}.serviceAccountName")], "default");
    for noise in [
        "nodeName",
        "priority",
        "preemptionPolicy",
        "kube-api-access",
        "tolerations",
        ".serviceAccount.",
        "restartedAt",
        "ownerReferences",
        "generateName",
        "controller-uid",
        "job-name",
        "pv.kubernetes.io",
        "volume.kubernetes.io",
        "volumeName",
        "finalizers",
        "hostIP",
        "podIP",
    ] {
        assert!(
            !live.keys().any(|k| k.contains(noise)),
            "{noise} left in the export's keys"
        );
    }
    // Requests default to limits, as numbers.
    assert_eq!(
        live[&format!("{toolbox}.containers[name=shell].resources.requests.memory")],
        134_217_728
    );
    // The rendered manifest says none of the defaults the export shows.
    let rendered = entries_of(dir.path(), "prod", &kube("prod.yaml"));
    for (key, value) in [
        (
            "k8s:shop/Job/seed-catalog:spec.backoffLimit",
            serde_json::json!(6),
        ),
        (
            "k8s:shop/Job/seed-catalog:spec.podReplacementPolicy",
            serde_json::json!("TerminatingOrFailed"),
        ),
        (
            "k8s:shop/HorizontalPodAutoscaler/web:spec.behavior.scaleUp.policies[0].value",
            serde_json::json!(4),
        ),
        (
            "k8s:shop/PersistentVolumeClaim/web-uploads:spec.volumeMode",
            serde_json::json!("Filesystem"),
        ),
        (
            "k8s:shop/Ingress/web:spec.ingressClassName",
            serde_json::json!("nginx"),
        ),
    ] {
        assert_eq!(rendered[key], value, "{key}");
        assert_eq!(live[key], value, "{key}");
    }
}

#[test]
fn an_autoscaler_v1_manifest_equals_its_v2_export() {
    let dir = tempfile::tempdir().unwrap();
    let prod = std::fs::read_to_string(kube("prod.yaml")).unwrap();
    let v2 = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n";
    let start = prod.find(v2).unwrap();
    let end = start + prod[start..].find("\n---\n").unwrap();
    let v1 = prod.replace(
        &prod[start..end],
        "apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: web
  labels:
    app: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 3
  maxReplicas: 12
  targetCPUUtilizationPercentage: 70
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300",
    );
    let v1_file = dir.path().join("prod-v1.yaml");
    std::fs::write(&v1_file, v1).unwrap();
    let rendered = snapshot(dir.path(), "rendered", &v1_file);
    let live = snapshot(dir.path(), "live", &kube("prod-live.yaml"));
    Drift::new()
        .args(["diff"])
        .arg_path(&rendered)
        .arg_path(&live)
        .status(0)
        .stdout_has("0 findings");
}

#[test]
fn autoscaler_and_budget_sizes_are_info_and_a_budgets_form_a_warning() {
    let (report, v) = staging_vs_prod();
    let findings = v["findings"].as_array().unwrap();
    let find = |key: &str| {
        findings
            .iter()
            .find(|f| f["key"] == key)
            .unwrap_or_else(|| panic!("no finding on {key}: {report}"))
    };
    let hpa = "k8s:shop/HorizontalPodAutoscaler/web:spec";
    for key in [
        format!("{hpa}.minReplicas"),
        format!("{hpa}.maxReplicas"),
        format!("{hpa}.metrics[metric=resource/cpu].resource.target.averageUtilization"),
        "k8s:shop/PersistentVolumeClaim/web-uploads:spec.resources.requests.storage".to_owned(),
    ] {
        let f = find(&key);
        assert_eq!(f["kind"], "changed", "{f}");
        assert_eq!(f["severity"], "info", "{f}");
    }
    let target = find(&format!(
        "{hpa}.metrics[metric=resource/cpu].resource.target.averageUtilization"
    ));
    assert!(target.to_string().contains("80"), "{target}");
    assert!(target.to_string().contains("70"), "{target}");
    // A count in prod, a percentage in staging: readable, a warning.
    let budget = find("k8s:shop/PodDisruptionBudget/web:spec.minAvailable");
    assert_eq!(budget["kind"], "type_mismatch", "{budget}");
    assert_eq!(budget["severity"], "warning", "{budget}");
    assert!(budget.to_string().contains("50%"), "{budget}");
    // The Ingress class, an annotation in prod and a field in staging,
    // agrees; the host is environment-specific and present in both.
    assert!(
        !findings
            .iter()
            .any(|f| f["key"].as_str().unwrap().starts_with("k8s:shop/Ingress/")),
        "{report}"
    );
}

#[test]
fn owned_objects_are_recorded_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("owned.json");
    Drift::new()
        .args([
            "snapshot",
            "--env",
            "live",
            "--kube-namespace",
            "shop",
            "-q",
        ])
        .args(["--kube-keep-owned", "--kube-manifests"])
        .arg_path(&kube("prod-live.yaml"))
        .args(["-o"])
        .arg_path(&out)
        .status(0);
    let manifest = std::fs::read_to_string(&out).unwrap();
    for generated in ["k8s:shop/ReplicaSet/web-7d9f8c6b5:", "seed-catalog-q8w2n"] {
        assert!(manifest.contains(generated), "{generated} left out");
    }
    // Their server fields are still noise.
    assert!(
        !manifest.contains("ownerReferences"),
        "ownerReferences kept"
    );
    assert!(!manifest.contains(PROD_SECRET), "secret in the manifest");
}
