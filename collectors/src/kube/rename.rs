//! Names that carry an environment's name, mapped so that the same
//! workload is compared across environments: namespaces by a map
//! (`shop-prod` → `shop`), object names by prefixes and suffixes stripped
//! (`web-prod` → `web`), and with them every reference to an object by
//! name and the labels that name the app, so that references still
//! resolve and compare equal.

use std::collections::BTreeMap;

use super::normalize::field_mut as field;
use crate::config::tree::Node;

/// Labels whose values name the app or its release, mapped like object
/// names (`app: web-prod` → `app: web`).
pub(crate) const NAME_LABELS: [&str; 8] = [
    "app",
    "name",
    "release",
    "k8s-app",
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/component",
];

/// The label every namespace carries with its own name.
const NAMESPACE_LABEL: &str = "kubernetes.io/metadata.name";

/// How deep labels and selectors are looked for in an object.
const MAX_DEPTH: usize = 64;

/// The rules: a namespace map, and prefixes and suffixes stripped from
/// names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    /// Namespace FROM recorded as TO.
    pub(crate) namespaces: BTreeMap<String, String>,
    /// Prefixes stripped from names (the longest that matches).
    pub(crate) prefixes: Vec<String>,
    /// Suffixes stripped from names (the longest that matches).
    pub(crate) suffixes: Vec<String>,
}

impl Names {
    /// A namespace as recorded.
    pub(crate) fn namespace(&self, namespace: &str) -> String {
        self.namespaces
            .get(namespace)
            .cloned()
            .unwrap_or_else(|| namespace.to_owned())
    }

    /// A name as recorded: the longest matching prefix and the longest
    /// matching suffix stripped, unless nothing would be left.
    pub(crate) fn name(&self, name: &str) -> String {
        let longest = |rules: &[String], fits: &dyn Fn(&str) -> bool| {
            rules
                .iter()
                .filter(|r| !r.is_empty() && fits(r))
                .map(String::len)
                .max()
                .unwrap_or(0)
        };
        let pre = longest(&self.prefixes, &|p| name.starts_with(p));
        let rest = &name[pre..];
        let suf = longest(&self.suffixes, &|s| {
            rest.ends_with(s) && s.len() < rest.len()
        });
        let stripped = &rest[..rest.len() - suf];
        if stripped.is_empty() {
            name.to_owned()
        } else {
            stripped.to_owned()
        }
    }

    /// Whether names are left as they are.
    fn keeps_names(&self) -> bool {
        self.prefixes.iter().all(String::is_empty) && self.suffixes.iter().all(String::is_empty)
    }

    /// Maps the references an object of `kind` makes to other objects by
    /// name, and its name labels.
    pub(crate) fn references(&self, kind: &str, obj: &mut Node) {
        if self.keeps_names() && self.namespaces.is_empty() {
            return;
        }
        self.labels_in(obj, "", 0);
        if self.keeps_names() {
            self.subjects(obj);
            return;
        }
        if let Some(meta) = field(obj, "metadata") {
            for owner in items(meta, "ownerReferences") {
                self.rename(owner, &["name"]);
            }
        }
        if let Some(path) = super::resolve::pod_path(kind)
            && let Some(pod) = at(obj, path)
        {
            self.pod(pod);
        }
        let Some(spec) = field(obj, "spec") else {
            self.other(kind, obj);
            return;
        };
        match kind {
            "StatefulSet" => self.rename(spec, &["serviceName"]),
            "HorizontalPodAutoscaler" => {
                if let Some(target) = field(spec, "scaleTargetRef") {
                    self.rename(target, &["name"]);
                }
            }
            "Ingress" => self.ingress(spec),
            "PersistentVolumeClaim" => self.rename(spec, &["volumeName", "storageClassName"]),
            _ => {}
        }
        if kind == "StatefulSet" {
            for claim in items(spec, "volumeClaimTemplates") {
                if let Some(s) = field(claim, "spec") {
                    self.rename(s, &["storageClassName"]);
                }
            }
        }
        self.other(kind, obj);
    }

    /// References outside `spec`: roles, service accounts' secrets.
    fn other(&self, kind: &str, obj: &mut Node) {
        match kind {
            "RoleBinding" | "ClusterRoleBinding" => {
                if let Some(role) = field(obj, "roleRef") {
                    self.rename(role, &["name"]);
                }
                self.subjects(obj);
            }
            "ServiceAccount" => {
                for list in ["secrets", "imagePullSecrets"] {
                    for s in items(obj, list) {
                        self.rename(s, &["name"]);
                    }
                }
            }
            _ => {}
        }
    }

    /// A binding's subjects: service accounts by name, and the namespaces
    /// of all.
    fn subjects(&self, obj: &mut Node) {
        for subject in items(obj, "subjects") {
            if let Some(Node::Str(ns)) = field(subject, "namespace") {
                *ns = self.namespace(ns);
            }
            let is_account =
                matches!(subject.get("kind"), Some(Node::Str(k)) if k == "ServiceAccount");
            if is_account && !self.keeps_names() {
                self.rename(subject, &["name"]);
            }
        }
    }

    /// A pod spec's references: service account, pull secrets, classes,
    /// the ConfigMaps, Secrets and claims of volumes and environments.
    fn pod(&self, pod: &mut Node) {
        self.rename(
            pod,
            &[
                "serviceAccountName",
                "serviceAccount",
                "priorityClassName",
                "runtimeClassName",
            ],
        );
        for s in items(pod, "imagePullSecrets") {
            self.rename(s, &["name"]);
        }
        for v in items(pod, "volumes") {
            if let Some(c) = field(v, "configMap") {
                self.rename(c, &["name"]);
            }
            if let Some(s) = field(v, "secret") {
                self.rename(s, &["secretName"]);
            }
            if let Some(c) = field(v, "persistentVolumeClaim") {
                self.rename(c, &["claimName"]);
            }
            if let Some(p) = field(v, "projected") {
                for source in items(p, "sources") {
                    for kind in ["configMap", "secret"] {
                        if let Some(r) = field(source, kind) {
                            self.rename(r, &["name"]);
                        }
                    }
                }
            }
        }
        for list in ["containers", "initContainers", "ephemeralContainers"] {
            for c in items(pod, list) {
                for from in items(c, "envFrom") {
                    for r in ["configMapRef", "secretRef"] {
                        if let Some(r) = field(from, r) {
                            self.rename(r, &["name"]);
                        }
                    }
                }
                for e in items(c, "env") {
                    if let Some(from) = field(e, "valueFrom") {
                        for r in ["configMapKeyRef", "secretKeyRef"] {
                            if let Some(r) = field(from, r) {
                                self.rename(r, &["name"]);
                            }
                        }
                    }
                }
            }
        }
    }

    /// An Ingress's backends (networking.k8s.io/v1 and v1beta1), TLS
    /// secrets and class.
    fn ingress(&self, spec: &mut Node) {
        self.rename(spec, &["ingressClassName"]);
        let backend = |b: &mut Node| {
            self.rename(b, &["serviceName"]);
            if let Some(s) = field(b, "service") {
                self.rename(s, &["name"]);
            }
        };
        for name in ["defaultBackend", "backend"] {
            if let Some(b) = field(spec, name) {
                backend(b);
            }
        }
        for tls in items(spec, "tls") {
            self.rename(tls, &["secretName"]);
        }
        for rule in items(spec, "rules") {
            let Some(http) = field(rule, "http") else {
                continue;
            };
            for path in items(http, "paths") {
                if let Some(b) = field(path, "backend") {
                    backend(b);
                }
            }
        }
    }

    /// Maps the string fields `names` of a map as names.
    fn rename(&self, node: &mut Node, names: &[&str]) {
        let Node::Map(fields) = node else {
            return;
        };
        for (k, v) in fields {
            if names.contains(&k.as_str())
                && let Node::Str(s) = v
            {
                *s = self.name(s);
            }
        }
    }

    /// Maps the name labels of every label map and selector in `node`
    /// (`labels`, `matchLabels`, a Service's `selector`), and the values
    /// of `matchExpressions` on them.
    fn labels_in(&self, node: &mut Node, parent: &str, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match node {
            Node::Map(fields) => {
                for (k, v) in fields.iter_mut() {
                    self.field_in(k, v, parent, depth + 1);
                }
            }
            Node::List(list) => {
                for item in list {
                    self.labels_in(item, parent, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// [`Names::labels_in`] for field `k` of a map at `parent`.
    fn field_in(&self, k: &str, v: &mut Node, parent: &str, depth: usize) {
        let is_labels =
            matches!(k, "labels" | "matchLabels") || (k == "selector" && parent == "spec");
        match v {
            Node::Map(labels) if is_labels => {
                for (label, value) in labels.iter_mut() {
                    match value {
                        Node::Str(s) => *s = self.label(label, s),
                        // A selector's `matchLabels` and `matchExpressions`.
                        other => self.field_in(label, other, k, depth + 1),
                    }
                }
            }
            _ if k == "matchExpressions" => self.expressions(v),
            _ => self.labels_in(v, k, depth),
        }
    }

    /// A label's value as recorded.
    fn label(&self, label: &str, value: &str) -> String {
        if label == NAMESPACE_LABEL {
            self.namespace(value)
        } else if NAME_LABELS.contains(&label) && !self.keeps_names() {
            self.name(value)
        } else {
            value.to_owned()
        }
    }

    /// `matchExpressions` items: the values of those on a mapped label.
    fn expressions(&self, node: &mut Node) {
        let Node::List(list) = node else {
            return;
        };
        for e in list {
            let Some(Node::Str(label)) = e.get("key") else {
                continue;
            };
            let label = label.clone();
            if let Some(Node::List(values)) = field(e, "values") {
                for v in values {
                    if let Node::Str(s) = v {
                        *s = self.label(&label, s);
                    }
                }
            }
        }
    }
}

/// The items of the list at field `name` of a map (none when it is not a
/// list).
fn items<'n>(node: &'n mut Node, name: &str) -> std::slice::IterMut<'n, Node> {
    match field(node, name) {
        Some(Node::List(list)) => list.iter_mut(),
        _ => [].iter_mut(),
    }
}

/// The node at `path` under `obj`, mutable.
fn at<'n>(obj: &'n mut Node, path: &[&str]) -> Option<&'n mut Node> {
    path.iter().try_fold(obj, |node, f| field(node, f))
}
