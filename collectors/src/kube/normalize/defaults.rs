//! The API server's defaults for autoscalers, Jobs, volume claims, Ingresses
//! and Services beyond their type (API v1.30: `autoscaling/v2`, `batch/v1`,
//! `core/v1`, `networking.k8s.io/v1`), and the defaults of probes and
//! lifecycle handlers. Written from the API reference and the server's
//! defaulting rules; the list is in `docs/kubernetes.md`.

use super::{default, field_mut, live, map_field, remove, s, str_of};
use crate::config::tree::Node;
use crate::kube::quantity;

/// The CPU utilization an autoscaler without metrics aims at.
const DEFAULT_CPU_UTILIZATION: i64 = 80;

/// A Job's `backoffLimit` when it sets `backoffLimitPerIndex` (int32 max).
const NO_BACKOFF_LIMIT: i64 = 2_147_483_647;

/// A `HorizontalPodAutoscaler`, recorded in its `autoscaling/v2` form: an
/// `autoscaling/v1` object's `targetCPUUtilizationPercentage` becomes the
/// CPU metric it stands for, so that a v1 manifest and a v2 export agree.
pub(super) fn autoscaler(obj: &mut Node) {
    let version = str_of(obj.get("apiVersion")).map(str::to_owned);
    let converted = matches!(
        version.as_deref(),
        Some("autoscaling/v1" | "autoscaling/v2beta2")
    );
    if !converted && version.as_deref() != Some("autoscaling/v2") {
        // v2beta1 has another shape: recorded as written.
        return;
    }
    if converted && let Some(version) = field_mut(obj, "apiVersion") {
        *version = s("autoscaling/v2");
    }
    let Some(spec) = field_mut(obj, "spec") else {
        return;
    };
    if version.as_deref() == Some("autoscaling/v1")
        && let Some(target) = remove(spec, "targetCPUUtilizationPercentage")
        && !matches!(target, Node::Null)
    {
        default(spec, "metrics", Node::List(vec![cpu_metric(target)]));
    }
    default(spec, "minReplicas", Node::Int(1));
    if matches!(spec.get("metrics"), None | Some(Node::Null))
        || matches!(spec.get("metrics"), Some(Node::List(m)) if m.is_empty())
    {
        remove(spec, "metrics");
        default(
            spec,
            "metrics",
            Node::List(vec![cpu_metric(Node::Int(DEFAULT_CPU_UTILIZATION))]),
        );
    }
    if let Some(Node::List(metrics)) = field_mut(spec, "metrics") {
        metrics.iter_mut().for_each(metric_quantities);
    }
    if let Some(behavior) = field_mut(spec, "behavior")
        && matches!(behavior, Node::Map(_))
    {
        if let Some(up) = map_field(behavior, "scaleUp") {
            default(up, "stabilizationWindowSeconds", Node::Int(0));
            default(up, "selectPolicy", s("Max"));
            default(
                up,
                "policies",
                Node::List(vec![policy("Pods", 4), policy("Percent", 100)]),
            );
        }
        if let Some(down) = map_field(behavior, "scaleDown") {
            // Its stabilization window is the controller's flag (300 s by
            // default), not an API default: left as written.
            default(down, "selectPolicy", s("Max"));
            default(down, "policies", Node::List(vec![policy("Percent", 100)]));
        }
    }
}

/// A `Resource` metric on CPU utilization.
fn cpu_metric(utilization: Node) -> Node {
    let target = Node::Map(vec![
        ("type".to_owned(), s("Utilization")),
        ("averageUtilization".to_owned(), utilization),
    ]);
    let resource = Node::Map(vec![
        ("name".to_owned(), s("cpu")),
        ("target".to_owned(), target),
    ]);
    Node::Map(vec![
        ("type".to_owned(), s("Resource")),
        ("resource".to_owned(), resource),
    ])
}

/// A scaling policy of `kind` allowing `value` per 15 s.
fn policy(kind: &str, value: i64) -> Node {
    Node::Map(vec![
        ("type".to_owned(), s(kind)),
        ("value".to_owned(), Node::Int(value)),
        ("periodSeconds".to_owned(), Node::Int(15)),
    ])
}

/// A metric's target `averageValue` and `value` are quantities (`500m`):
/// recorded as numbers, as resource requests are.
fn metric_quantities(metric: &mut Node) {
    let Node::Map(sources) = metric else {
        return;
    };
    for (_, source) in sources.iter_mut() {
        if let Some(target) = field_mut(source, "target") {
            for field in ["averageValue", "value"] {
                if let Some(v @ Node::Str(_)) = field_mut(target, field)
                    && let Some(n) = str_of(Some(v)).and_then(quantity_node)
                {
                    *v = n;
                }
            }
        }
    }
}

fn quantity_node(text: &str) -> Option<Node> {
    match quantity::parse(text)? {
        drift_core::Value::Int(i) => Some(Node::Int(i)),
        drift_core::Value::Float(f) => Some(Node::Float(f)),
        _ => None,
    }
}

/// A `Job`'s spec defaults and the labels and selector its controller
/// generates (`controller-uid`, `job-name`) taken away; a Job without
/// labels gets its template's, as the server gives them.
pub(super) fn job(obj: &mut Node) {
    let template_labels = {
        let Some(spec) = field_mut(obj, "spec") else {
            return;
        };
        if spec.get("completions").is_none() && spec.get("parallelism").is_none() {
            default(spec, "completions", Node::Int(1));
        }
        default(spec, "parallelism", Node::Int(1));
        let backoff = if spec.get("backoffLimitPerIndex").is_some() {
            NO_BACKOFF_LIMIT
        } else {
            6
        };
        default(spec, "backoffLimit", Node::Int(backoff));
        default(spec, "completionMode", s("NonIndexed"));
        default(spec, "suspend", Node::Bool(false));
        // Unset means the server generates the selector, as `false` does.
        default(spec, "manualSelector", Node::Bool(false));
        let replacement = if spec.get("podFailurePolicy").is_some() {
            "Failed"
        } else {
            "TerminatingOrFailed"
        };
        default(spec, "podReplacementPolicy", s(replacement));
        if let Some(policy) = field_mut(spec, "podFailurePolicy")
            && let Some(Node::List(rules)) = field_mut(policy, "rules")
        {
            for rule in rules {
                if let Some(Node::List(patterns)) = field_mut(rule, "onPodConditions") {
                    for p in patterns {
                        default(p, "status", s("True"));
                    }
                }
            }
        }
        if let Some(selector) = field_mut(spec, "selector")
            && let Some(labels) = field_mut(selector, "matchLabels")
        {
            live::remove_job_labels(labels);
        }
        let labels = field_mut(spec, "template")
            .and_then(|t| field_mut(t, "metadata"))
            .and_then(|m| field_mut(m, "labels"));
        match labels {
            Some(labels) => {
                live::remove_job_labels(labels);
                labels.clone()
            }
            None => Node::Null,
        }
    };
    let Some(meta) = map_field(obj, "metadata") else {
        return;
    };
    if let Some(labels) = field_mut(meta, "labels") {
        live::remove_job_labels(labels);
    }
    let empty = match meta.get("labels") {
        None | Some(Node::Null) => true,
        Some(Node::Map(l)) => l.is_empty(),
        Some(_) => false,
    };
    if empty && matches!(&template_labels, Node::Map(l) if !l.is_empty()) {
        remove(meta, "labels");
        default(meta, "labels", template_labels);
    }
}

/// A `PersistentVolumeClaim`'s spec: `volumeMode` defaults to
/// `Filesystem`; `volumeName` names the volume bound to it (`pvc-UID` when
/// provisioned), live-only noise.
pub(super) fn claim(spec: &mut Node) {
    default(spec, "volumeMode", s("Filesystem"));
    remove(spec, "volumeName");
}

/// An `Ingress`: the deprecated `kubernetes.io/ingress.class` annotation
/// recorded as `spec.ingressClassName` when the spec names no class, so
/// that moving from one to the other is no finding.
pub(super) fn ingress(obj: &mut Node) {
    const CLASS: &str = "kubernetes.io/ingress.class";
    let has_class = obj
        .get("spec")
        .and_then(|s| s.get("ingressClassName"))
        .is_some_and(|c| !matches!(c, Node::Null));
    if has_class {
        return;
    }
    let class = field_mut(obj, "metadata")
        .and_then(|m| field_mut(m, "annotations"))
        .and_then(|a| remove(a, CLASS));
    if let Some(class @ Node::Str(_)) = class
        && let Some(spec) = map_field(obj, "spec")
    {
        default(spec, "ingressClassName", class);
    }
}

/// A `Service`'s defaults that depend on its type.
pub(super) fn service(spec: &mut Node) {
    default(spec, "type", s("ClusterIP"));
    let kind = str_of(spec.get("type")).unwrap_or_default().to_owned();
    let external_ips = matches!(spec.get("externalIPs"), Some(Node::List(ips)) if !ips.is_empty());
    if kind != "ExternalName" {
        default(spec, "internalTrafficPolicy", s("Cluster"));
    }
    if matches!(kind.as_str(), "NodePort" | "LoadBalancer") || external_ips {
        default(spec, "externalTrafficPolicy", s("Cluster"));
    }
    if kind == "LoadBalancer" {
        default(spec, "allocateLoadBalancerNodePorts", Node::Bool(true));
    }
    default(spec, "sessionAffinity", s("None"));
    if str_of(spec.get("sessionAffinity")) == Some("None") {
        remove(spec, "sessionAffinityConfig");
    }
    if str_of(spec.get("sessionAffinity")) == Some("ClientIP")
        && let Some(config) = map_field(spec, "sessionAffinityConfig")
        && let Some(client) = map_field(config, "clientIP")
    {
        default(client, "timeoutSeconds", Node::Int(10_800));
    }
}

/// A probe's or lifecycle handler's actions: `httpGet.path` `/` and
/// `scheme` `HTTP`, `grpc.service` empty.
pub(super) fn handler(h: &mut Node) {
    if let Some(get) = field_mut(h, "httpGet") {
        default(get, "path", s("/"));
        default(get, "scheme", s("HTTP"));
    }
    if let Some(grpc) = field_mut(h, "grpc") {
        default(grpc, "service", s(""));
    }
}

/// A container's requests default to its limits, resource by resource.
pub(super) fn requests_from_limits(c: &mut Node) {
    let Some(resources) = field_mut(c, "resources") else {
        return;
    };
    let limits = match resources.get("limits") {
        Some(Node::Map(limits)) if !limits.is_empty() => limits.clone(),
        _ => return,
    };
    let Some(requests) = map_field(resources, "requests") else {
        return;
    };
    for (name, value) in limits {
        default(requests, &name, value);
    }
}
