//! Names mapped across environments, configuration files inside
//! ConfigMaps, and list items keyed by identity without a redundant entry.

use super::*;
use crate::transport::Local;

fn keys(c: &Collection) -> Vec<&str> {
    c.entries.iter().map(|(k, _)| k.as_str()).collect()
}

fn value<'c>(c: &'c Collection, key: &str) -> Option<&'c Value> {
    c.entries
        .iter()
        .find(|(k, _)| k.as_str() == key)
        .map(|(_, v)| v)
}

/// The shop app as rendered for `env`, every name carrying it.
fn rendered(env: &str, replicas: u32) -> String {
    format!(
        "\
apiVersion: v1
kind: ConfigMap
metadata: {{name: web-config-{env}, namespace: shop-{env}, labels: {{app: web-{env}}}}}
data: {{LOG_LEVEL: info}}
---
apiVersion: v1
kind: Secret
metadata: {{name: {env}-web-secrets, namespace: shop-{env}}}
stringData: {{DB_PASSWORD: pw-{env}}}
---
apiVersion: v1
kind: Service
metadata: {{name: web-{env}, namespace: shop-{env}}}
spec:
  selector: {{app: web-{env}, tier: frontend}}
  ports: [{{port: 80, targetPort: 8080}}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{env}
  namespace: shop-{env}
  labels: {{app.kubernetes.io/instance: web-{env}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web-{env}}}}}
  template:
    metadata: {{labels: {{app: web-{env}}}}}
    spec:
      serviceAccountName: web-{env}
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
            labelSelector:
              matchExpressions: [{{key: app, operator: In, values: [web-{env}]}}]
      containers:
      - name: app
        image: web:1
        envFrom: [{{configMapRef: {{name: web-config-{env}}}}}]
        env:
        - name: DB_PASSWORD
          valueFrom: {{secretKeyRef: {{name: {env}-web-secrets, key: DB_PASSWORD}}}}
        volumeMounts: [{{name: data, mountPath: /data}}]
      volumes:
      - name: data
        persistentVolumeClaim: {{claimName: data-{env}}}
      - name: certs
        secret: {{secretName: {env}-web-secrets}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: web-{env}, namespace: shop-{env}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web-{env}}}
  minReplicas: 2
  maxReplicas: 5
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: web-{env}, namespace: shop-{env}}}
spec:
  tls: [{{hosts: [shop.example.com], secretName: {env}-web-secrets}}]
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {{service: {{name: web-{env}, port: {{number: 80}}}}}}
"
    )
}

fn mapped(env: &str, yaml: &str) -> Collection {
    KubeCollector::new()
        .map_namespace(format!("shop-{env}"), "shop")
        .strip_prefix("staging-")
        .strip_prefix("prod-")
        .strip_suffix("-staging")
        .strip_suffix("-prod")
        .bytes("-", yaml.as_bytes().to_vec())
        .collect(&Local::new())
}

#[test]
fn names_carrying_the_environment_compare_equal_but_for_real_changes() {
    let staging = mapped("staging", &rendered("staging", 2));
    let prod = mapped("prod", &rendered("prod", 3));
    assert!(staging.errors.is_empty(), "{:?}", staging.errors);
    assert!(prod.errors.is_empty(), "{:?}", prod.errors);
    let differing: Vec<&str> = {
        let mut all: Vec<&str> = keys(&staging);
        all.extend(keys(&prod));
        all.sort_unstable();
        all.dedup();
        all.into_iter()
            .filter(|k| value(&staging, k) != value(&prod, k))
            .collect()
    };
    // The replicas differ for real, and the Secret's value (hidden later).
    assert_eq!(
        differing,
        [
            "k8s:shop/Deployment/web:spec.replicas",
            "k8s:shop/Secret/web-secrets:data.DB_PASSWORD",
        ]
    );
    let base = "k8s:shop/Deployment/web:spec.template.spec";
    for (key, expected) in [
        (
            format!("{base}.containers[name=app].envFrom[0].configMapRef.name"),
            "web-config",
        ),
        (
            format!(
                "{base}.containers[name=app].env[name=DB_PASSWORD].valueFrom.secretKeyRef.name"
            ),
            "web-secrets",
        ),
        (
            format!("{base}.volumes[name=data].persistentVolumeClaim.claimName"),
            "data",
        ),
        (
            format!("{base}.volumes[name=certs].secret.secretName"),
            "web-secrets",
        ),
        (format!("{base}.serviceAccountName"), "web"),
        (
            "k8s:shop/HorizontalPodAutoscaler/web:spec.scaleTargetRef.name".to_owned(),
            "web",
        ),
        (
            r#"k8s:shop/Ingress/web:spec.rules[0].http.paths[path=/].backend.service.name"#
                .to_owned(),
            "web",
        ),
        (
            "k8s:shop/Ingress/web:spec.tls[0].secretName".to_owned(),
            "web-secrets",
        ),
        ("k8s:shop/Service/web:spec.selector.app".to_owned(), "web"),
        (
            "k8s:shop/Service/web:spec.selector.tier".to_owned(),
            "frontend",
        ),
        (
            "k8s:shop/Deployment/web:spec.selector.matchLabels.app".to_owned(),
            "web",
        ),
        (
            "k8s:shop/Deployment/web:metadata.labels.\"app.kubernetes.io/instance\"".to_owned(),
            "web",
        ),
        (
            "k8s:shop/ConfigMap/web-config:metadata.labels.app".to_owned(),
            "web",
        ),
        (
            format!(
                "{base}.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[key=app].values"
            ),
            "",
        ),
    ] {
        let got = value(&prod, &key);
        if expected.is_empty() {
            assert_eq!(got, Some(&Value::List(vec![Value::from("web")])), "{key}");
        } else {
            assert_eq!(got, Some(&Value::from(expected)), "{key}");
        }
    }
    // Effective environments still resolve through the mapped names.
    let env = format!("{base}.containers[name=app].effectiveEnv");
    assert_eq!(
        value(&prod, &format!("{env}.LOG_LEVEL")),
        Some(&Value::from("info"))
    );
    assert_eq!(
        value(&prod, &format!("{env}.DB_PASSWORD")),
        Some(&Value::from("secret:web-secrets/DB_PASSWORD"))
    );
}

#[test]
fn the_longest_rule_is_stripped_and_a_name_is_never_emptied() {
    let names = rename::Names {
        prefixes: vec!["prod-".into(), "prod-eu-".into()],
        suffixes: vec!["-prod".into(), "".into()],
        ..rename::Names::default()
    };
    assert_eq!(names.name("prod-eu-web"), "web");
    assert_eq!(names.name("prod-web-prod"), "web");
    assert_eq!(names.name("prod-"), "prod-");
    assert_eq!(names.name("-prod"), "-prod");
    assert_eq!(names.name("production"), "production");
    assert_eq!(names.name("web"), "web");
}

#[test]
fn two_names_mapped_to_one_are_an_error_naming_both() {
    let yaml = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: web-prod, namespace: shop}
data: {A: '1'}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: prod-web, namespace: shop}
data: {A: '2'}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-prod, namespace: shop}
data: {A: '3'}
";
    let c = KubeCollector::new()
        .strip_prefix("prod-")
        .strip_suffix("-prod")
        .bytes("-", yaml.as_bytes().to_vec())
        .collect(&Local::new());
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    let message = &c.errors[0].message;
    assert!(message.contains("shop/ConfigMap/web-prod"), "{message}");
    assert!(message.contains("shop/ConfigMap/prod-web"), "{message}");
    assert!(message.contains("shop/ConfigMap/web`"), "{message}");
    // The same object read twice is no conflict: the last one wins.
    assert_eq!(
        value(&c, "k8s:shop/ConfigMap/web:data.A"),
        Some(&Value::from("3"))
    );
}

#[test]
fn a_namespace_mapped_onto_another_present_is_an_error() {
    let yaml = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data: {A: '1'}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop-prod}
data: {A: '2'}
";
    let c = KubeCollector::new()
        .map_namespace("shop-prod", "shop")
        .bytes("-", yaml.as_bytes().to_vec())
        .collect(&Local::new());
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    assert!(c.errors[0].message.contains("shop-prod/ConfigMap/cfg"));
}

#[test]
fn bindings_follow_the_namespace_map_and_names() {
    let yaml = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web-prod, namespace: shop-prod}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader-prod}
subjects:
- {kind: ServiceAccount, name: web-prod, namespace: shop-prod}
- {kind: Group, name: ops-prod}
";
    let c = KubeCollector::new()
        .map_namespace("shop-prod", "shop")
        .strip_suffix("-prod")
        .bytes("-", yaml.as_bytes().to_vec())
        .collect(&Local::new());
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let b = "k8s:shop/RoleBinding/web";
    assert_eq!(
        value(&c, &format!("{b}:roleRef.name")),
        Some(&Value::from("reader"))
    );
    assert_eq!(
        value(&c, &format!("{b}:subjects[name=web].namespace")),
        Some(&Value::from("shop"))
    );
    // A group is no object of the cluster: its name is kept.
    assert_eq!(
        value(&c, &format!("{b}:subjects[name=ops-prod].kind")),
        Some(&Value::from("Group"))
    );
}

#[test]
fn list_items_do_not_repeat_their_identity() {
    let yaml = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
      - name: app
        image: web:1
        env:
        - {name: LOG_LEVEL, value: info}
        - {name: EMPTY}
        ports: [{containerPort: 8080}]
";
    let c = KubeCollector::new()
        .bytes("-", yaml.as_bytes().to_vec())
        .collect(&Local::new());
    let app = "k8s:shop/Deployment/web:spec.template.spec.containers[name=app]";
    assert!(value(&c, &format!("{app}.name")).is_none());
    assert!(value(&c, &format!("{app}.env[name=LOG_LEVEL].name")).is_none());
    assert!(
        value(
            &c,
            &format!("{app}.ports[containerPort=8080].containerPort")
        )
        .is_none()
    );
    assert_eq!(
        value(&c, &format!("{app}.env[name=LOG_LEVEL].value")),
        Some(&Value::from("info"))
    );
    // An item with nothing but its identity keeps it, so it can be missed.
    assert_eq!(
        value(&c, &format!("{app}.env[name=EMPTY].name")),
        Some(&Value::from("EMPTY"))
    );
    assert_eq!(
        value(&c, &format!("{app}.ports[containerPort=8080].protocol")),
        Some(&Value::from("TCP"))
    );
    // A container is still there to be missed, by its fields.
    assert!(
        keys(&c)
            .iter()
            .any(|k| k.starts_with(&format!("{app}.image.")))
    );
}

#[test]
fn properties_env_and_toml_values_are_flattened_by_the_config_parsers() {
    let yaml = r##"
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data:
  application.properties: |
    server.port=8080
    spring.datasource.url = jdbc:postgresql://db/shop
  app.env: |
    export LOG_LEVEL=debug
    TIMEOUT_MS="300"
  .env: "A=1\n"
  config.toml: |
    [pool]
    size = 10
  settings.ini: |
    [main]
    workers = 4
  broken.toml: "[unclosed"
  empty.properties: "# only a comment\n"
  notes.txt: "a = b"
"##;
    let c = KubeCollector::new()
        .bytes("-", yaml.as_bytes().to_vec())
        .collect(&Local::new());
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let d = "k8s:shop/ConfigMap/cfg:data";
    for (key, expected) in [
        (
            format!("{d}.\"application.properties\".\"server.port\""),
            Value::from("8080"),
        ),
        (
            format!("{d}.\"application.properties\".\"spring.datasource.url\""),
            Value::from("jdbc:postgresql://db/shop"),
        ),
        (format!("{d}.\"app.env\".LOG_LEVEL"), Value::from("debug")),
        (format!("{d}.\"app.env\".TIMEOUT_MS"), Value::from("300")),
        (format!("{d}.\".env\".A"), Value::from("1")),
        (format!("{d}.\"config.toml\".pool.size"), Value::Int(10)),
        (
            format!("{d}.\"settings.ini\".main.workers"),
            Value::from("4"),
        ),
        (format!("{d}.\"broken.toml\""), Value::from("[unclosed")),
        (
            format!("{d}.\"empty.properties\""),
            Value::from("# only a comment\n"),
        ),
        (format!("{d}.\"notes.txt\""), Value::from("a = b")),
    ] {
        assert_eq!(value(&c, &key), Some(&expected), "{key}: {:?}", keys(&c));
    }
}
