//! Live-only fields and the defaults of more kinds.

use super::*;

fn yaml(text: &str) -> Node {
    crate::config::yaml::parse_full(text)
        .unwrap()
        .into_iter()
        .next()
        .unwrap()
}

fn at<'n>(node: &'n Node, path: &str) -> Option<&'n Node> {
    path.split('.')
        .try_fold(node, |n, f| match f.parse::<usize>() {
            Ok(i) => match n {
                Node::List(items) => items.get(i),
                _ => None,
            },
            Err(_) => n.get(f),
        })
}

fn text<'n>(node: &'n Node, path: &str) -> Option<&'n str> {
    str_of(at(node, path))
}

fn int(node: &Node, path: &str) -> Option<i64> {
    match at(node, path) {
        Some(Node::Int(i)) => Some(*i),
        _ => None,
    }
}

/// The object normalized, its maps in name order (so objects compare as
/// their entries do, whatever order their fields were written in).
fn normalized(kind: &str, text: &str) -> Node {
    let mut obj = yaml(text);
    object(kind, &mut obj);
    sorted(obj)
}

fn sorted(node: Node) -> Node {
    match node {
        Node::Map(mut entries) => {
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Node::Map(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Node::List(items) => Node::List(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[test]
fn owned_pods_replica_sets_and_jobs_are_generated() {
    let owned = yaml(
        "metadata:\n  name: web-7d9f8c6b5\n  ownerReferences:\n  - apiVersion: apps/v1\n    \
         kind: Deployment\n    name: web\n    uid: 1\n    controller: true\n",
    );
    for kind in ["Pod", "ReplicaSet", "Job"] {
        assert!(is_generated(kind, &owned), "{kind}");
    }
    // A ConfigMap an operator owns is configuration: kept.
    assert!(!is_generated("ConfigMap", &owned));
    // An owner that is no controller (garbage collection only): kept.
    let gc = yaml("metadata:\n  ownerReferences:\n  - kind: Deployment\n    name: web\n");
    assert!(!is_generated("Pod", &gc));
    let bare = yaml("metadata:\n  name: debug\n");
    assert!(!is_generated("Pod", &bare));
}

const LIVE_POD: &str = "\
metadata:
  name: debug
  generateName: debug-
  annotations:
    kubectl.kubernetes.io/restartedAt: '2026-12-01T10:00:00Z'
    team: shop
  ownerReferences:
  - kind: Node
    name: n1
spec:
  nodeName: worker-3
  priority: 0
  preemptionPolicy: PreemptLowerPriority
  serviceAccount: default
  serviceAccountName: default
  enableServiceLinks: true
  tolerations:
  - key: node.kubernetes.io/not-ready
    operator: Exists
    effect: NoExecute
    tolerationSeconds: 300
  - key: node.kubernetes.io/unreachable
    operator: Exists
    effect: NoExecute
    tolerationSeconds: 300
  - key: dedicated
    operator: Equal
    value: shop
    effect: NoSchedule
  volumes:
  - name: kube-api-access-x7k2p
    projected:
      sources:
      - serviceAccountToken: {expirationSeconds: 3607, path: token}
  - name: data
    emptyDir: {}
  containers:
  - name: app
    image: busybox:1.36
    volumeMounts:
    - name: kube-api-access-x7k2p
      mountPath: /var/run/secrets/kubernetes.io/serviceaccount
      readOnly: true
    - name: data
      mountPath: /data
status:
  hostIP: 10.0.0.3
  podIP: 10.244.1.9
";

#[test]
fn a_live_pod_loses_what_the_scheduler_and_admission_wrote() {
    let pod = normalized("Pod", LIVE_POD);
    assert!(pod.get("status").is_none());
    let meta = pod.get("metadata").unwrap();
    assert!(meta.get("generateName").is_none());
    assert!(meta.get("ownerReferences").is_none());
    let annotations = meta.get("annotations").unwrap();
    assert!(
        annotations
            .get("kubectl.kubernetes.io/restartedAt")
            .is_none()
    );
    assert_eq!(text(annotations, "team"), Some("shop"));
    let spec = pod.get("spec").unwrap();
    for gone in ["nodeName", "priority", "preemptionPolicy", "serviceAccount"] {
        assert!(spec.get(gone).is_none(), "{gone}");
    }
    assert_eq!(text(spec, "serviceAccountName"), Some("default"));
    let Some(Node::List(tolerations)) = spec.get("tolerations") else {
        panic!("no tolerations left");
    };
    assert_eq!(tolerations.len(), 1);
    assert_eq!(text(&tolerations[0], "key"), Some("dedicated"));
    let Some(Node::List(volumes)) = spec.get("volumes") else {
        panic!("no volumes left");
    };
    assert_eq!(volumes.len(), 1);
    assert_eq!(text(&volumes[0], "name"), Some("data"));
    let Some(Node::List(mounts)) = at(spec, "containers.0.volumeMounts") else {
        panic!("no mounts left");
    };
    assert_eq!(mounts.len(), 1);
    assert_eq!(text(&mounts[0], "name"), Some("data"));
}

#[test]
fn a_manifest_pod_gets_the_admission_defaults() {
    let rendered = normalized(
        "Pod",
        "metadata:\n  name: debug\nspec:\n  containers:\n  - name: app\n    image: busybox:1.36\n    \
         resources:\n      limits:\n        cpu: 250m\n      requests:\n        memory: 64Mi\n",
    );
    let spec = rendered.get("spec").unwrap();
    assert_eq!(text(spec, "serviceAccountName"), Some("default"));
    assert!(matches!(
        spec.get("enableServiceLinks"),
        Some(Node::Bool(true))
    ));
    // Requests default to limits, resource by resource.
    let requests = at(spec, "containers.0.resources.requests").unwrap();
    assert_eq!(text(requests, "cpu"), Some("250m"));
    assert_eq!(text(requests, "memory"), Some("64Mi"));
}

#[test]
fn the_old_service_account_alias_is_the_name() {
    let spec = normalized(
        "Deployment",
        "spec:\n  template:\n    spec:\n      serviceAccount: shop-web\n      containers: []\n",
    );
    let pod = at(&spec, "spec.template.spec").unwrap();
    assert_eq!(text(pod, "serviceAccountName"), Some("shop-web"));
    assert!(pod.get("serviceAccount").is_none());
}

#[test]
fn a_jobs_controller_labels_go_and_its_defaults_come() {
    let live = normalized(
        "Job",
        "metadata:\n  name: migrate\nspec:\n  selector:\n    matchLabels:\n      \
         batch.kubernetes.io/controller-uid: 5f1c\n  template:\n    metadata:\n      labels:\n        \
         app: migrate\n        controller-uid: 5f1c\n        job-name: migrate\n        \
         batch.kubernetes.io/controller-uid: 5f1c\n        batch.kubernetes.io/job-name: migrate\n    \
         spec:\n      restartPolicy: Never\n      containers: []\n",
    );
    let spec = live.get("spec").unwrap();
    assert!(matches!(at(spec, "selector.matchLabels"), Some(Node::Map(m)) if m.is_empty()));
    let labels = at(spec, "template.metadata.labels").unwrap();
    assert!(matches!(labels, Node::Map(m) if m.len() == 1));
    // The Job had no labels: it has its template's.
    assert_eq!(text(&live, "metadata.labels.app"), Some("migrate"));
    for (field, value) in [("completions", 1), ("parallelism", 1), ("backoffLimit", 6)] {
        assert_eq!(int(spec, field), Some(value), "{field}");
    }
    assert_eq!(text(spec, "completionMode"), Some("NonIndexed"));
    assert_eq!(
        text(spec, "podReplacementPolicy"),
        Some("TerminatingOrFailed")
    );
    assert!(matches!(spec.get("suspend"), Some(Node::Bool(false))));
    assert!(matches!(
        spec.get("manualSelector"),
        Some(Node::Bool(false))
    ));

    let indexed = normalized(
        "Job",
        "spec:\n  parallelism: 4\n  backoffLimitPerIndex: 1\n  podFailurePolicy:\n    rules:\n    \
         - action: Ignore\n      onPodConditions:\n      - type: DisruptionTarget\n",
    );
    let spec = indexed.get("spec").unwrap();
    assert!(spec.get("completions").is_none());
    assert_eq!(int(spec, "parallelism"), Some(4));
    assert_eq!(int(spec, "backoffLimit"), Some(2_147_483_647));
    assert_eq!(text(spec, "podReplacementPolicy"), Some("Failed"));
    assert_eq!(
        text(spec, "podFailurePolicy.rules.0.onPodConditions.0.status"),
        Some("True")
    );
}

#[test]
fn an_autoscaler_v1_reads_as_v2() {
    let v1 = normalized(
        "HorizontalPodAutoscaler",
        "apiVersion: autoscaling/v1\nspec:\n  maxReplicas: 10\n  targetCPUUtilizationPercentage: 70\n",
    );
    let v2 = normalized(
        "HorizontalPodAutoscaler",
        "apiVersion: autoscaling/v2\nspec:\n  maxReplicas: 10\n  minReplicas: 1\n  metrics:\n  \
         - type: Resource\n    resource:\n      name: cpu\n      target:\n        \
         type: Utilization\n        averageUtilization: 70\n",
    );
    assert_eq!(v1, v2);
    assert_eq!(text(&v1, "apiVersion"), Some("autoscaling/v2"));
    // Without metrics: 80 % CPU, in either version.
    let bare = normalized(
        "HorizontalPodAutoscaler",
        "apiVersion: autoscaling/v1\nspec:\n  maxReplicas: 3\n",
    );
    assert_eq!(
        int(&bare, "spec.metrics.0.resource.target.averageUtilization"),
        Some(80)
    );
    assert_eq!(int(&bare, "spec.minReplicas"), Some(1));
}

#[test]
fn an_autoscalers_behavior_is_filled_and_its_quantities_are_numbers() {
    let hpa = normalized(
        "HorizontalPodAutoscaler",
        "apiVersion: autoscaling/v2\nspec:\n  maxReplicas: 5\n  metrics:\n  - type: Pods\n    \
         pods:\n      metric: {name: rps}\n      target: {type: AverageValue, averageValue: 500m}\n  \
         behavior:\n    scaleDown:\n      stabilizationWindowSeconds: 120\n",
    );
    let spec = hpa.get("spec").unwrap();
    assert!(matches!(
        at(spec, "metrics.0.pods.target.averageValue"),
        Some(Node::Float(f)) if (*f - 0.5).abs() < 1e-12
    ));
    let up = at(spec, "behavior.scaleUp").unwrap();
    assert_eq!(int(up, "stabilizationWindowSeconds"), Some(0));
    assert_eq!(text(up, "selectPolicy"), Some("Max"));
    assert_eq!(text(up, "policies.0.type"), Some("Pods"));
    assert_eq!(int(up, "policies.0.value"), Some(4));
    assert_eq!(int(up, "policies.1.value"), Some(100));
    let down = at(spec, "behavior.scaleDown").unwrap();
    assert_eq!(int(down, "stabilizationWindowSeconds"), Some(120));
    assert_eq!(text(down, "policies.0.type"), Some("Percent"));
    assert_eq!(int(down, "policies.0.periodSeconds"), Some(15));
    // Without `behavior`, none is made up.
    let plain = normalized(
        "HorizontalPodAutoscaler",
        "apiVersion: autoscaling/v2\nspec:\n  maxReplicas: 5\n",
    );
    assert!(at(&plain, "spec.behavior").is_none());
}

#[test]
fn a_claims_binding_is_noise_and_its_mode_a_default() {
    let live = normalized(
        "PersistentVolumeClaim",
        "metadata:\n  annotations:\n    pv.kubernetes.io/bind-completed: 'yes'\n    \
         pv.kubernetes.io/bound-by-controller: 'yes'\n    \
         volume.beta.kubernetes.io/storage-provisioner: ebs.csi.aws.com\n    \
         volume.kubernetes.io/storage-provisioner: ebs.csi.aws.com\n    \
         volume.kubernetes.io/selected-node: worker-3\n    backup: daily\n  \
         finalizers:\n  - kubernetes.io/pvc-protection\n\
         spec:\n  storageClassName: gp3\n  volumeName: pvc-0b6d1f2a\n  volumeMode: Filesystem\n",
    );
    let rendered = normalized(
        "PersistentVolumeClaim",
        "metadata:\n  annotations:\n    backup: daily\n  finalizers: []\nspec:\n  storageClassName: gp3\n",
    );
    assert_eq!(live, rendered);
    assert_eq!(text(&live, "spec.volumeMode"), Some("Filesystem"));
    assert_eq!(text(&live, "spec.storageClassName"), Some("gp3"));
}

#[test]
fn an_ingress_class_annotation_is_the_class_name() {
    let annotated = normalized(
        "Ingress",
        "metadata:\n  annotations:\n    kubernetes.io/ingress.class: nginx\nspec:\n  rules: []\n",
    );
    let named = normalized(
        "Ingress",
        "metadata:\n  annotations: {}\nspec:\n  ingressClassName: nginx\n  rules: []\n",
    );
    assert_eq!(annotated, named);
    // Both given: both kept as written.
    let both = normalized(
        "Ingress",
        "metadata:\n  annotations:\n    kubernetes.io/ingress.class: old\nspec:\n  ingressClassName: nginx\n",
    );
    assert_eq!(text(&both, "spec.ingressClassName"), Some("nginx"));
    assert!(
        at(&both, "metadata.annotations")
            .unwrap()
            .get("kubernetes.io/ingress.class")
            .is_some()
    );
}

#[test]
fn service_defaults_follow_the_type() {
    let lb = normalized(
        "Service",
        "spec:\n  type: LoadBalancer\n  sessionAffinity: ClientIP\n  ports:\n  - port: 443\n",
    );
    let spec = lb.get("spec").unwrap();
    assert_eq!(text(spec, "externalTrafficPolicy"), Some("Cluster"));
    assert!(matches!(
        spec.get("allocateLoadBalancerNodePorts"),
        Some(Node::Bool(true))
    ));
    assert_eq!(
        int(spec, "sessionAffinityConfig.clientIP.timeoutSeconds"),
        Some(10_800)
    );
    let plain = normalized("Service", "spec:\n  ports:\n  - port: 80\n");
    let spec = plain.get("spec").unwrap();
    assert!(spec.get("externalTrafficPolicy").is_none());
    assert!(spec.get("allocateLoadBalancerNodePorts").is_none());
    assert_eq!(text(spec, "internalTrafficPolicy"), Some("Cluster"));
    let external = normalized(
        "Service",
        "spec:\n  type: ExternalName\n  externalName: db.example.com\n",
    );
    assert!(at(&external, "spec.internalTrafficPolicy").is_none());
}

#[test]
fn probe_and_hook_actions_get_their_defaults() {
    let d = normalized(
        "Deployment",
        "spec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: a:1\n        \
         livenessProbe:\n          grpc: {port: 9090}\n        readinessProbe:\n          \
         httpGet: {port: 8080}\n        lifecycle:\n          preStop:\n            \
         httpGet: {port: 8080, path: /drain}\n",
    );
    let c = at(&d, "spec.template.spec.containers.0").unwrap();
    assert_eq!(text(c, "livenessProbe.grpc.service"), Some(""));
    assert_eq!(int(c, "livenessProbe.failureThreshold"), Some(3));
    assert_eq!(text(c, "readinessProbe.httpGet.path"), Some("/"));
    assert_eq!(text(c, "readinessProbe.httpGet.scheme"), Some("HTTP"));
    assert_eq!(text(c, "lifecycle.preStop.httpGet.path"), Some("/drain"));
    assert_eq!(text(c, "lifecycle.preStop.httpGet.scheme"), Some("HTTP"));
}

#[test]
fn a_namespaces_name_label_and_finalizer_are_noise() {
    let ns = normalized(
        "Namespace",
        "metadata:\n  name: shop-prod\n  labels:\n    kubernetes.io/metadata.name: shop-prod\n    \
         team: shop\nspec:\n  finalizers:\n  - kubernetes\n",
    );
    let labels = at(&ns, "metadata.labels").unwrap();
    assert!(labels.get("kubernetes.io/metadata.name").is_none());
    assert_eq!(text(labels, "team"), Some("shop"));
    assert!(matches!(at(&ns, "spec.finalizers"), Some(Node::List(f)) if f.is_empty()));
}

#[test]
fn a_collection_skips_what_controllers_generated() {
    use crate::Collector as _;
    let yaml = "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-7d9f8c6b5-x2kq9
    namespace: shop
    ownerReferences:
    - {apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9f8c6b5, uid: '1', controller: true}
  spec:
    containers: [{name: app, image: 'web:1'}]
- apiVersion: v1
  kind: Pod
  metadata: {name: debug, namespace: shop}
  spec:
    nodeName: worker-1
    containers: [{name: app, image: 'busybox:1.36'}]
";
    let c = crate::kube::KubeCollector::new()
        .bytes("-", yaml.as_bytes().to_vec())
        .collect(&crate::transport::Local::new());
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let keys: Vec<&str> = c.entries.iter().map(|(k, _)| k.as_str()).collect();
    assert!(
        !keys.iter().any(|k| k.contains("web-7d9f8c6b5")),
        "{keys:?}"
    );
    assert!(keys.contains(&"k8s:shop/Pod/debug:spec.serviceAccountName"));
    assert!(!keys.iter().any(|k| k.contains("nodeName")), "{keys:?}");
}
