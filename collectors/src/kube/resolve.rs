//! The effective environment of each container: `envFrom` ConfigMaps and
//! Secrets, then `env` entries (values and `valueFrom` references),
//! resolved against the objects of the same input, as
//! `…containers[name=C].effectiveEnv.VAR`.
//!
//! A ConfigMap's value is recorded; a Secret's never is, not even hidden:
//! the entry holds the reference (`secret:NAME/KEY`), present only when the
//! Secret holds the key, so that a key missing in one environment is a
//! `missing` finding on the container. A reference that resolves to
//! nothing (a missing ConfigMap key that is not `optional`) leaves the
//! variable out, as the kubelet refuses to start such a container.

use std::collections::{BTreeMap, BTreeSet};

use drift_core::key::KeyBuilder;
use drift_core::{KeyPath, Value};

use crate::config::tree::Node;

/// ConfigMap values and Secret key names by `NAMESPACE/NAME`.
#[derive(Debug, Default)]
pub(crate) struct Refs {
    config_maps: BTreeMap<String, BTreeMap<String, String>>,
    secrets: BTreeMap<String, BTreeSet<String>>,
}

impl Refs {
    /// Notes what an object offers to others' environments.
    pub(crate) fn add(&mut self, namespace: &str, kind: &str, name: &str, obj: &Node) {
        let id = format!("{namespace}/{name}");
        match kind {
            "ConfigMap" => {
                let mut values = BTreeMap::new();
                if let Some(Node::Map(data)) = obj.get("data") {
                    for (k, v) in data {
                        if let Node::Str(s) = v {
                            values.insert(k.clone(), s.clone());
                        }
                    }
                }
                self.config_maps.insert(id, values);
            }
            "Secret" => {
                let mut keys = BTreeSet::new();
                for field in ["data", "stringData"] {
                    if let Some(Node::Map(data)) = obj.get(field) {
                        keys.extend(data.iter().map(|(k, _)| k.clone()));
                    }
                }
                self.secrets.insert(id, keys);
            }
            _ => {}
        }
    }

    /// The entries of the effective environments of a workload's
    /// containers (`path` is where its pod spec is).
    pub(crate) fn entries(
        &self,
        id: &str,
        namespace: &str,
        pod_path: &[&str],
        pod: &Node,
        out: &mut Vec<(KeyPath, Value)>,
    ) {
        for list in ["containers", "initContainers"] {
            let Some(Node::List(containers)) = pod.get(list) else {
                continue;
            };
            for c in containers {
                let Some(Node::Str(name)) = c.get("name") else {
                    continue;
                };
                let mut b = KeyBuilder::new("k8s").part(id);
                for f in pod_path {
                    b.push_field(f);
                }
                b.push_field(list);
                b.push_id("name", name);
                b.push_field("effectiveEnv");
                for (var, value) in self.environment(namespace, c) {
                    let mark = b.mark();
                    b.push_field(&var);
                    out.push((b.key(), Value::String(value)));
                    b.truncate(mark);
                }
            }
        }
    }

    fn environment(&self, namespace: &str, c: &Node) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        if let Some(Node::List(from)) = c.get("envFrom") {
            for source in from {
                let prefix = text(source.get("prefix")).unwrap_or_default();
                if let Some(r) = source.get("configMapRef")
                    && let Some(data) = text(r.get("name"))
                        .and_then(|n| self.config_maps.get(&format!("{namespace}/{n}")))
                {
                    for (k, v) in data {
                        env.insert(format!("{prefix}{k}"), v.clone());
                    }
                }
                if let Some(r) = source.get("secretRef")
                    && let Some(n) = text(r.get("name"))
                    && let Some(keys) = self.secrets.get(&format!("{namespace}/{n}"))
                {
                    for k in keys {
                        env.insert(format!("{prefix}{k}"), format!("secret:{n}/{k}"));
                    }
                }
            }
        }
        if let Some(Node::List(entries)) = c.get("env") {
            for e in entries {
                let Some(var) = text(e.get("name")) else {
                    continue;
                };
                match self.value_of(namespace, e) {
                    Some(v) => env.insert(var, v),
                    None => env.remove(&var),
                };
            }
        }
        env
    }

    /// One `env` entry's value, or `None` when its reference resolves to
    /// nothing.
    fn value_of(&self, namespace: &str, e: &Node) -> Option<String> {
        let Some(from) = e.get("valueFrom") else {
            return Some(text(e.get("value")).unwrap_or_default());
        };
        if let Some(r) = from.get("configMapKeyRef") {
            let (name, key) = (text(r.get("name"))?, text(r.get("key"))?);
            return self
                .config_maps
                .get(&format!("{namespace}/{name}"))?
                .get(&key)
                .cloned();
        }
        if let Some(r) = from.get("secretKeyRef") {
            let (name, key) = (text(r.get("name"))?, text(r.get("key"))?);
            return self
                .secrets
                .get(&format!("{namespace}/{name}"))?
                .contains(&key)
                .then(|| format!("secret:{name}/{key}"));
        }
        if let Some(r) = from.get("fieldRef") {
            return Some(format!("fieldRef:{}", text(r.get("fieldPath"))?));
        }
        if let Some(r) = from.get("resourceFieldRef") {
            return Some(format!("resourceFieldRef:{}", text(r.get("resource"))?));
        }
        None
    }
}

fn text(node: Option<&Node>) -> Option<String> {
    match node? {
        Node::Str(s) => Some(s.clone()),
        Node::Int(i) => Some(i.to_string()),
        Node::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Where a kind's pod spec is.
pub(crate) fn pod_path(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            Some(&["spec", "template", "spec"])
        }
        "CronJob" => Some(&["spec", "jobTemplate", "spec", "template", "spec"]),
        "Pod" => Some(&["spec"]),
        _ => None,
    }
}

/// The node at `path` under `obj`.
pub(crate) fn at<'n>(obj: &'n Node, path: &[&str]) -> Option<&'n Node> {
    path.iter().try_fold(obj, |node, f| node.get(f))
}
