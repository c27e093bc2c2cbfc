use super::*;
use crate::transport::Local;

fn collect(yaml: &str, namespace: Option<&str>) -> Collection {
    let mut kube = KubeCollector::new().bytes("-", yaml.as_bytes().to_vec());
    if let Some(ns) = namespace {
        kube = kube.namespace(ns);
    }
    kube.collect(&Local::new())
}

fn value<'c>(c: &'c Collection, key: &str) -> Option<&'c Value> {
    c.entries
        .iter()
        .find(|(k, _)| k.as_str() == key)
        .map(|(_, v)| v)
}

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: registry.example.com/shop/web:1.4.2
        ports:
        - name: http
          containerPort: 8080
        env:
        - name: LOG_LEVEL
          value: info
        - name: DB_PASSWORD
          value: hunter2-but-longer
        resources:
          limits:
            cpu: 500m
            memory: 1Gi
      - name: sidecar
        image: envoy
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
";

#[test]
fn objects_are_keyed_by_namespace_kind_name_and_list_items_by_name() {
    let c = collect(DEPLOYMENT, Some("shop"));
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let base = "k8s:shop/Deployment/web:spec.template.spec.containers[name=app]";
    assert_eq!(
        value(&c, &format!("{base}.env[name=LOG_LEVEL].value")),
        Some(&Value::from("info"))
    );
    assert_eq!(
        value(&c, &format!("{base}.ports[name=http].containerPort")),
        Some(&Value::Int(8080))
    );
    assert_eq!(
        value(&c, &format!("{base}.resources.limits.cpu")),
        Some(&Value::Float(0.5))
    );
    assert_eq!(
        value(&c, &format!("{base}.resources.limits.memory")),
        Some(&Value::Int(1_073_741_824))
    );
    assert_eq!(
        value(&c, &format!("{base}.image.repository")),
        Some(&Value::from("registry.example.com/shop/web"))
    );
    assert!(matches!(
        value(&c, &format!("{base}.image.tag")),
        Some(Value::Version(v)) if v.text == "1.4.2"
    ));
    assert_eq!(
        value(
            &c,
            "k8s:shop/Deployment/web:spec.template.spec.containers[name=sidecar].imagePullPolicy"
        ),
        Some(&Value::from("Always"))
    );
    assert_eq!(
        value(&c, "k8s:_cluster/Namespace/shop:apiVersion"),
        Some(&Value::from("v1"))
    );
    assert!(value(&c, "k8s:shop/Deployment/web:spec.replicas").is_some());
    assert_eq!(c.coverage[0].items, 2);
}

#[test]
fn without_a_namespace_objects_go_to_default() {
    let c = collect(DEPLOYMENT, None);
    assert!(value(&c, "k8s:default/Deployment/web:spec.replicas").is_some());
}

#[test]
fn lists_and_json_are_read() {
    let list = r#"{"apiVersion":"v1","kind":"List","items":[
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"shop"},
         "data":{"A":"1"}}]}"#;
    let c = collect(list, None);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(
        value(&c, "k8s:shop/ConfigMap/cfg:data.A"),
        Some(&Value::from("1"))
    );
}

#[test]
fn secret_data_and_string_data_meet_under_one_key() {
    let both = "\
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
data:
  password: c2VjcmV0LXZhbHVl
---
apiVersion: v1
kind: Secret
metadata: {name: db2, namespace: shop}
stringData:
  password: secret-value
";
    let c = collect(both, None);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(
        value(&c, "k8s:shop/Secret/db:data.password"),
        value(&c, "k8s:shop/Secret/db2:data.password")
    );
    assert_eq!(
        value(&c, "k8s:shop/Secret/db:data.password"),
        Some(&Value::from("secret-value"))
    );
}

#[test]
fn bad_base64_is_an_error_that_does_not_show_the_value() {
    let bad = "\
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
data:
  password: not*base64*plaintext
";
    let c = collect(bad, None);
    assert_eq!(c.errors.len(), 1);
    let message = format!("{:?}", c.errors[0]);
    assert!(message.contains("data.password"), "{message}");
    assert!(!message.contains("plaintext"), "{message}");
}

#[test]
fn a_document_without_kind_is_a_parse_error() {
    let c = collect("metadata: {name: x}\n", None);
    assert_eq!(c.errors.len(), 1);
    assert_eq!(c.errors[0].kind, ErrorKind::Parse);
}

#[test]
fn a_folder_reads_its_manifests() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), DEPLOYMENT).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "kind: nonsense").unwrap();
    let c = KubeCollector::new().path(dir.path()).collect(&Local::new());
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(c.coverage[0].items, 2);
}

#[test]
fn effective_environments_resolve_config_maps_and_name_secret_keys() {
    let yaml = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data: {LOG_LEVEL: info, TIMEOUT: '30'}
---
apiVersion: v1
kind: Secret
metadata: {name: sec, namespace: shop}
stringData: {DB_PASSWORD: plaintext-never-shown}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
      - name: app
        image: web:1
        envFrom:
        - configMapRef: {name: cfg}
          prefix: APP_
        env:
        - name: LEVEL
          valueFrom: {configMapKeyRef: {name: cfg, key: LOG_LEVEL}}
        - name: GONE
          valueFrom: {configMapKeyRef: {name: cfg, key: NOT_THERE}}
        - name: DB_PASSWORD
          valueFrom: {secretKeyRef: {name: sec, key: DB_PASSWORD}}
        - name: PLAIN
          value: x
";
    let c = collect(yaml, None);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let env = "k8s:shop/Deployment/web:spec.template.spec.containers[name=app].effectiveEnv";
    for (var, expected) in [
        ("APP_LOG_LEVEL", Some("info")),
        ("APP_TIMEOUT", Some("30")),
        ("LEVEL", Some("info")),
        ("GONE", None),
        ("DB_PASSWORD", Some("secret:sec/DB_PASSWORD")),
        ("PLAIN", Some("x")),
    ] {
        assert_eq!(
            value(&c, &format!("{env}.{var}")),
            expected.map(Value::from).as_ref(),
            "{var}"
        );
    }
    let effective: Vec<_> = c
        .entries
        .iter()
        .filter(|(k, _)| k.as_str().contains("effectiveEnv"))
        .collect();
    assert!(!format!("{effective:?}").contains("plaintext-never-shown"));
}

#[test]
fn config_map_files_are_flattened() {
    let yaml = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data:
  application.yaml: |
    server:
      port: 8080
  settings.json: '{\"pool\": {\"size\": 10}}'
  broken.yaml: '{unclosed'
  LOG_LEVEL: info
";
    let c = collect(yaml, None);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let cfg = "k8s:shop/ConfigMap/cfg:data";
    assert_eq!(
        value(&c, &format!("{cfg}.\"application.yaml\".server.port")),
        Some(&Value::Int(8080))
    );
    assert_eq!(
        value(&c, &format!("{cfg}.\"settings.json\".pool.size")),
        Some(&Value::Int(10))
    );
    assert_eq!(
        value(&c, &format!("{cfg}.\"broken.yaml\"")),
        Some(&Value::from("{unclosed"))
    );
    assert_eq!(
        value(&c, &format!("{cfg}.LOG_LEVEL")),
        Some(&Value::from("info"))
    );
}

#[test]
fn namespaces_are_mapped() {
    let yaml = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop-prod}
data: {A: '1'}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop-prod}
";
    let c = KubeCollector::new()
        .map_namespace("shop-prod", "shop")
        .bytes("-", yaml.as_bytes().to_vec())
        .collect(&Local::new());
    assert_eq!(
        value(&c, "k8s:shop/ConfigMap/cfg:data.A"),
        Some(&Value::from("1"))
    );
    assert!(value(&c, "k8s:_cluster/Namespace/shop:apiVersion").is_some());
}

#[test]
fn autoscaler_metrics_and_ingress_paths_are_keyed_by_what_they_name() {
    let yaml = "\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: memory, target: {type: Utilization, averageUtilization: 60}}
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
  - type: ContainerResource
    containerResource: {name: cpu, container: app, target: {type: Utilization, averageUtilization: 50}}
  - type: Object
    object:
      metric: {name: hits}
      describedObject: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: main}
      target: {type: Value, value: 2k}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
";
    let c = collect(yaml, Some("shop"));
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let hpa = "k8s:shop/HorizontalPodAutoscaler/web:spec.metrics";
    for (metric, utilization) in [
        ("resource/cpu", 70),
        ("resource/memory", 60),
        ("container-resource/cpu/app", 50),
    ] {
        let field = match metric.split('/').next() {
            Some("resource") => "resource",
            _ => "containerResource",
        };
        assert_eq!(
            value(
                &c,
                &format!("{hpa}[metric={metric}].{field}.target.averageUtilization")
            ),
            Some(&Value::Int(utilization)),
            "{metric}"
        );
    }
    assert_eq!(
        value(
            &c,
            &format!("{hpa}[metric=object/hits/ingress/main].object.target.value")
        ),
        Some(&Value::Int(2000))
    );
    let ingress = r#"k8s:shop/Ingress/web:spec.rules[0].http.paths"#;
    for (path, service) in [("/api", "api"), ("/", "web")] {
        assert_eq!(
            value(&c, &format!("{ingress}[path={path}].backend.service.name")),
            Some(&Value::from(service)),
            "{path}"
        );
    }
    // Same-named metrics are told apart by position, never merged.
    let twice = yaml.replace("name: memory", "name: cpu");
    let c = collect(&twice, Some("shop"));
    assert!(value(&c, &format!("{hpa}[0].resource.name")).is_some());
}
