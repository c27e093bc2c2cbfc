//! What the API server adds to an object, taken away or filled in, so that
//! a live export (`kubectl get -o yaml`) and the manifest it was applied
//! from compare equal. The lists are in `docs/kubernetes.md`.
//!
//! Fields the server fills in for itself (`uid`, `status`, assigned cluster
//! IPs…) are removed; defaults it adds where a manifest leaves a field out
//! are filled in where they are missing, so that a rendered manifest that
//! says nothing and a live object that says the default agree. What only
//! live Pods, Jobs and claims carry (admission plugins, controllers) is in
//! `live`, which also tells which objects a controller generated; the
//! defaults of autoscalers, Jobs, claims, Ingresses and Services by type
//! are in `defaults`.

use crate::config::tree::Node;

mod defaults;
mod live;
#[cfg(test)]
mod tests_live;

pub(crate) use live::is_generated;

/// Metadata fields the server writes.
const SERVER_METADATA: [&str; 8] = [
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

/// Annotations the server or kubectl writes.
const SERVER_ANNOTATIONS: [&str; 3] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deprecated.daemonset.template.generation",
];

/// Labels the controllers write.
const SERVER_LABELS: [&str; 2] = ["pod-template-hash", "controller-revision-hash"];

/// Normalizes one object in place.
pub(crate) fn object(kind: &str, obj: &mut Node) {
    remove(obj, "status");
    if let Some(meta) = field_mut(obj, "metadata") {
        metadata(meta);
    }
    if kind == "Namespace" {
        live::namespace(obj);
    }
    let Some(spec) = field_mut(obj, "spec") else {
        return;
    };
    match kind {
        "Deployment" => {
            default(spec, "replicas", Node::Int(1));
            default(spec, "revisionHistoryLimit", Node::Int(10));
            default(spec, "progressDeadlineSeconds", Node::Int(600));
            if let Some(strategy) = map_field(spec, "strategy") {
                default(strategy, "type", s("RollingUpdate"));
                if str_of(strategy.get("type")) == Some("RollingUpdate")
                    && let Some(rolling) = map_field(strategy, "rollingUpdate")
                {
                    default(rolling, "maxSurge", s("25%"));
                    default(rolling, "maxUnavailable", s("25%"));
                }
            }
            template(spec);
        }
        "StatefulSet" => {
            default(spec, "replicas", Node::Int(1));
            default(spec, "revisionHistoryLimit", Node::Int(10));
            default(spec, "podManagementPolicy", s("OrderedReady"));
            if let Some(strategy) = map_field(spec, "updateStrategy") {
                default(strategy, "type", s("RollingUpdate"));
                if str_of(strategy.get("type")) == Some("RollingUpdate")
                    && let Some(rolling) = map_field(strategy, "rollingUpdate")
                {
                    default(rolling, "partition", Node::Int(0));
                }
            }
            template(spec);
        }
        "DaemonSet" => {
            default(spec, "revisionHistoryLimit", Node::Int(10));
            if let Some(strategy) = map_field(spec, "updateStrategy") {
                default(strategy, "type", s("RollingUpdate"));
                if str_of(strategy.get("type")) == Some("RollingUpdate")
                    && let Some(rolling) = map_field(strategy, "rollingUpdate")
                {
                    default(rolling, "maxSurge", Node::Int(0));
                    default(rolling, "maxUnavailable", Node::Int(1));
                }
            }
            template(spec);
        }
        "ReplicaSet" => template(spec),
        "Job" => {
            template(spec);
            defaults::job(obj);
        }
        "CronJob" => {
            default(spec, "concurrencyPolicy", s("Allow"));
            default(spec, "suspend", Node::Bool(false));
            default(spec, "successfulJobsHistoryLimit", Node::Int(3));
            default(spec, "failedJobsHistoryLimit", Node::Int(1));
            if let Some(job) = field_mut(spec, "jobTemplate") {
                if let Some(meta) = field_mut(job, "metadata") {
                    metadata(meta);
                }
                if let Some(job_spec) = field_mut(job, "spec") {
                    template(job_spec);
                }
            }
        }
        "Pod" => {
            live::pod(spec);
            pod_spec(spec);
        }
        "Service" => service(spec),
        "HorizontalPodAutoscaler" => defaults::autoscaler(obj),
        "PersistentVolumeClaim" => defaults::claim(spec),
        "Ingress" => defaults::ingress(obj),
        _ => {}
    }
}

fn metadata(meta: &mut Node) {
    for f in SERVER_METADATA {
        remove(meta, f);
    }
    live::metadata(meta);
    // Where the object is is in its key.
    remove(meta, "namespace");
    remove(meta, "name");
    if let Some(annotations) = field_mut(meta, "annotations") {
        for a in SERVER_ANNOTATIONS {
            remove(annotations, a);
        }
    }
    if let Some(labels) = field_mut(meta, "labels") {
        for l in SERVER_LABELS {
            remove(labels, l);
        }
    }
}

/// A workload's `spec.template`: its metadata and pod spec; the selector's
/// controller labels.
fn template(spec: &mut Node) {
    if let Some(selector) = field_mut(spec, "selector")
        && let Some(labels) = field_mut(selector, "matchLabels")
    {
        for l in SERVER_LABELS {
            remove(labels, l);
        }
    }
    let Some(template) = field_mut(spec, "template") else {
        return;
    };
    if let Some(meta) = field_mut(template, "metadata") {
        metadata(meta);
    }
    if let Some(pod) = field_mut(template, "spec") {
        pod_spec(pod);
    }
}

fn pod_spec(pod: &mut Node) {
    live::pod_spec(pod);
    default(pod, "restartPolicy", s("Always"));
    default(pod, "dnsPolicy", s("ClusterFirst"));
    default(pod, "schedulerName", s("default-scheduler"));
    default(pod, "terminationGracePeriodSeconds", Node::Int(30));
    default(pod, "securityContext", Node::Map(Vec::new()));
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        if let Some(Node::List(items)) = field_mut(pod, list) {
            items.iter_mut().for_each(container);
        }
    }
    if let Some(Node::List(volumes)) = field_mut(pod, "volumes") {
        for v in volumes {
            for source in ["configMap", "secret"] {
                if let Some(src) = field_mut(v, source) {
                    default(src, "defaultMode", Node::Int(0o644));
                }
            }
        }
    }
}

fn container(c: &mut Node) {
    default(c, "terminationMessagePath", s("/dev/termination-log"));
    default(c, "terminationMessagePolicy", s("File"));
    let policy = match str_of(c.get("image")) {
        Some(image) if image_is_latest(image) => "Always",
        _ => "IfNotPresent",
    };
    default(c, "imagePullPolicy", s(policy));
    if let Some(Node::List(ports)) = field_mut(c, "ports") {
        for p in ports {
            default(p, "protocol", s("TCP"));
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(p) = field_mut(c, probe) {
            default(p, "timeoutSeconds", Node::Int(1));
            default(p, "periodSeconds", Node::Int(10));
            default(p, "successThreshold", Node::Int(1));
            default(p, "failureThreshold", Node::Int(3));
            defaults::handler(p);
        }
    }
    if let Some(lifecycle) = field_mut(c, "lifecycle") {
        for hook in ["postStart", "preStop"] {
            if let Some(h) = field_mut(lifecycle, hook) {
                defaults::handler(h);
            }
        }
    }
    defaults::requests_from_limits(c);
    if let Some(Node::List(env)) = field_mut(c, "env") {
        for e in env {
            if let Some(from) = field_mut(e, "valueFrom")
                && let Some(field_ref) = field_mut(from, "fieldRef")
            {
                default(field_ref, "apiVersion", s("v1"));
            }
        }
    }
}

/// Whether an image is pulled `Always` by default: its tag is `latest` or
/// it has neither tag nor digest.
fn image_is_latest(image: &str) -> bool {
    let reference = super::image::split(image);
    reference.digest.is_none() && reference.tag.is_none_or(|t| t == "latest")
}

fn service(spec: &mut Node) {
    for f in [
        "clusterIP",
        "clusterIPs",
        "ipFamilies",
        "ipFamilyPolicy",
        "healthCheckNodePort",
    ] {
        remove(spec, f);
    }
    defaults::service(spec);
    if let Some(Node::List(ports)) = field_mut(spec, "ports") {
        for p in ports {
            remove(p, "nodePort");
            default(p, "protocol", s("TCP"));
            if let Some(port) = p.get("port").cloned() {
                default(p, "targetPort", port);
            }
        }
    }
}

fn s(text: &str) -> Node {
    Node::Str(text.to_owned())
}

fn str_of(node: Option<&Node>) -> Option<&str> {
    match node {
        Some(Node::Str(s)) => Some(s),
        _ => None,
    }
}

/// The field `name` of a map, mutable.
pub(crate) fn field_mut<'n>(node: &'n mut Node, name: &str) -> Option<&'n mut Node> {
    match node {
        Node::Map(entries) => entries.iter_mut().find(|(k, _)| k == name).map(|(_, v)| v),
        _ => None,
    }
}

/// Removes field `name` of a map, if there.
pub(crate) fn remove(node: &mut Node, name: &str) -> Option<Node> {
    match node {
        Node::Map(entries) => {
            let at = entries.iter().position(|(k, _)| k == name)?;
            Some(entries.remove(at).1)
        }
        _ => None,
    }
}

/// Sets field `name` of a map when it is missing or null.
fn default(node: &mut Node, name: &str, value: Node) {
    let Node::Map(entries) = node else {
        return;
    };
    match entries.iter_mut().find(|(k, _)| k == name) {
        Some((_, v @ Node::Null)) => *v = value,
        Some(_) => {}
        None => entries.push((name.to_owned(), value)),
    }
}

/// The map under field `name`, created when missing (`None` when `node`
/// is no map).
fn map_field<'n>(node: &'n mut Node, name: &str) -> Option<&'n mut Node> {
    default(node, name, Node::Map(Vec::new()));
    field_mut(node, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Node {
        crate::config::yaml::parse_full(text)
            .unwrap()
            .into_iter()
            .next()
            .unwrap()
    }

    #[test]
    fn server_fields_go_and_defaults_come() {
        let mut live = yaml(
            "metadata:\n  name: web\n  uid: 1\n  resourceVersion: '9'\n  annotations:\n    \
             deployment.kubernetes.io/revision: '3'\n    team: shop\n\
             spec:\n  template:\n    spec:\n      containers:\n      - name: app\n        \
             image: web:1.2\nstatus:\n  replicas: 1\n",
        );
        object("Deployment", &mut live);
        assert!(live.get("status").is_none());
        let meta = live.get("metadata").unwrap();
        assert!(meta.get("uid").is_none());
        assert!(meta.get("name").is_none());
        let annotations = meta.get("annotations").unwrap();
        assert!(
            annotations
                .get("deployment.kubernetes.io/revision")
                .is_none()
        );
        assert!(annotations.get("team").is_some());
        let spec = live.get("spec").unwrap();
        assert!(matches!(spec.get("replicas"), Some(Node::Int(1))));
        let rolling = spec.get("strategy").unwrap().get("rollingUpdate").unwrap();
        assert!(matches!(rolling.get("maxSurge"), Some(Node::Str(s)) if s == "25%"));
        let pod = spec.get("template").unwrap().get("spec").unwrap();
        assert!(matches!(pod.get("dnsPolicy"), Some(Node::Str(s)) if s == "ClusterFirst"));
    }

    #[test]
    fn pull_policy_follows_the_tag() {
        for (image, policy) in [
            ("web", "Always"),
            ("web:latest", "Always"),
            ("web:1.2", "IfNotPresent"),
            ("registry:5000/web", "Always"),
            ("web@sha256:abc", "IfNotPresent"),
        ] {
            let mut c = Node::Map(vec![("image".to_owned(), s(image))]);
            container(&mut c);
            assert!(
                matches!(c.get("imagePullPolicy"), Some(Node::Str(p)) if p == policy),
                "{image}"
            );
        }
    }
}
