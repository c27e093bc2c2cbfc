//! The Kubernetes collector: objects read from manifests (`kubectl get -o
//! yaml` exports, `helm template` and `kustomize build` output) as
//! `k8s:NAMESPACE/KIND/NAME:FIELD…` entries.
//!
//! A source is a file, a folder (its `*.yaml`, `*.yml` and `*.json` files,
//! not its subfolders) or bytes handed in (standard input, read by the
//! caller). Each file may hold many YAML documents, JSON, and `kind: List`
//! documents whose `items` are objects. Objects without a namespace go
//! under the default namespace given ([`KubeCollector::namespace`], else
//! `default`); cluster-scoped kinds under [`CLUSTER`]. Namespaces and
//! names that carry the environment's name are mapped
//! ([`KubeCollector::map_namespace`], [`KubeCollector::strip_prefix`],
//! [`KubeCollector::strip_suffix`]) with every reference to them
//! (`rename`); two objects mapped to one name are an error naming both.
//!
//! What the server fills in is removed and the defaults it adds are filled
//! in (`normalize`), so a live export and its rendered manifest compare
//! equal. A Secret's values are recorded decoded under `data.KEY` and are
//! always hidden by the sanitizer (`k8s:NS/Secret/NAME:data.*`). Each
//! container's effective environment is resolved against the objects of
//! the same input (`resolve`).
//!
//! ```
//! use drift_collectors::kube::KubeCollector;
//! use drift_collectors::transport::Local;
//! use drift_collectors::Collector;
//!
//! let yaml = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  LOG_LEVEL: info\n";
//! let kube = KubeCollector::new().namespace("shop").bytes("stdin", yaml.to_vec());
//! let collection = kube.collect(&Local::new());
//! let keys: Vec<&str> = collection.entries.iter().map(|(k, _)| k.as_str()).collect();
//! assert!(keys.contains(&"k8s:shop/ConfigMap/web:data.LOG_LEVEL"));
//! ```

mod emit;
mod image;
mod normalize;
mod quantity;
mod rename;
mod resolve;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use drift_core::manifest::Coverage;
use drift_core::{Collection, CollectionError, ErrorKind, KeyPath, Value};

use crate::collector::Collector;
use crate::config::tree::Node;
use crate::transport::{FileKind, Transport};

/// The namespace written for cluster-scoped objects (`k8s:_cluster/Namespace/shop`).
pub const CLUSTER: &str = "_cluster";

/// The namespace of objects that name none, when no default is given.
pub const DEFAULT_NAMESPACE: &str = "default";

const NAME: &str = "kube";

/// The largest manifest file read.
const MAX_FILE: u64 = 64 << 20;

/// Kinds that live outside namespaces.
const CLUSTER_KINDS: [&str; 16] = [
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "IngressClass",
    "RuntimeClass",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "CSIDriver",
    "VolumeSnapshotClass",
    "ClusterIssuer",
];

#[derive(Clone)]
enum Source {
    Path(PathBuf),
    Bytes { name: String, bytes: Vec<u8> },
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Path(p) => f.debug_tuple("Path").field(p).finish(),
            Source::Bytes { name, bytes } => f
                .debug_struct("Bytes")
                .field("name", name)
                .field("len", &bytes.len())
                .finish(),
        }
    }
}

/// Reads Kubernetes objects from manifest files, folders and bytes.
#[derive(Debug, Clone, Default)]
pub struct KubeCollector {
    sources: Vec<Source>,
    namespace: Option<String>,
    names: rename::Names,
    keep_owned: bool,
}

impl KubeCollector {
    /// A collector with no sources.
    pub fn new() -> KubeCollector {
        KubeCollector::default()
    }

    /// Adds a manifest file or a folder of them.
    pub fn path(mut self, path: impl Into<PathBuf>) -> KubeCollector {
        self.sources.push(Source::Path(path.into()));
        self
    }

    /// Adds manifests already read (standard input), named `name` in
    /// coverage and errors.
    pub fn bytes(mut self, name: impl Into<String>, bytes: Vec<u8>) -> KubeCollector {
        self.sources.push(Source::Bytes {
            name: name.into(),
            bytes,
        });
        self
    }

    /// The namespace of objects that name none (`--kube-namespace`).
    pub fn namespace(mut self, namespace: impl Into<String>) -> KubeCollector {
        self.namespace = Some(namespace.into());
        self
    }

    /// Records the objects of namespace `from` under `to` (`shop-prod` as
    /// `shop`), so that the same workload is compared across environments
    /// whose namespaces carry their names; a `Namespace` object named
    /// `from` is renamed too.
    pub fn map_namespace(
        mut self,
        from: impl Into<String>,
        to: impl Into<String>,
    ) -> KubeCollector {
        self.names.namespaces.insert(from.into(), to.into());
        self
    }

    /// Strips `prefix` from the names of objects (`prod-web` as `web`),
    /// and from every reference to one by name and the values of the
    /// labels that name the app (`app`, `app.kubernetes.io/instance`, …),
    /// so that workloads whose names carry their environment's name are
    /// compared. Of several prefixes that fit a name, the longest is
    /// stripped; a name that would be left empty is kept.
    pub fn strip_prefix(mut self, prefix: impl Into<String>) -> KubeCollector {
        self.names.prefixes.push(prefix.into());
        self
    }

    /// Strips `suffix` from names (`web-prod` as `web`), after the prefix,
    /// like [`KubeCollector::strip_prefix`].
    pub fn strip_suffix(mut self, suffix: impl Into<String>) -> KubeCollector {
        self.names.suffixes.push(suffix.into());
        self
    }

    /// Records the Pods, ReplicaSets, Jobs, ControllerRevisions and
    /// EndpointSlices a controller owns too (left out by default: their
    /// owner is recorded, and their generated names differ everywhere).
    pub fn keep_owned(mut self, keep: bool) -> KubeCollector {
        self.keep_owned = keep;
        self
    }

    /// The files of a path source: itself, or a folder's manifests.
    fn files(
        &self,
        transport: &dyn Transport,
        path: &Path,
    ) -> Result<Vec<PathBuf>, CollectionError> {
        let meta = transport
            .metadata(path, true)
            .map_err(|e| e.to_collection_error(NAME))?;
        if meta.kind != FileKind::Dir {
            return Ok(vec![path.to_owned()]);
        }
        let entries = transport
            .read_dir(path)
            .map_err(|e| e.to_collection_error(NAME))?;
        Ok(entries
            .into_iter()
            .filter(|e| e.meta.kind == FileKind::File)
            .filter(|e| {
                let name = e.name.to_string_lossy();
                [".yaml", ".yml", ".json"].iter().any(|x| name.ends_with(x))
            })
            .map(|e| path.join(e.name))
            .collect())
    }

    /// Reads one file's (or input's) objects into `objects`.
    fn read(
        &self,
        source: &str,
        bytes: &[u8],
        objects: &mut Objects,
        errors: &mut Vec<CollectionError>,
    ) -> u64 {
        let parse_error = |line: Option<u64>, what: &str| {
            let at = line.map(|l| format!(" line {l}")).unwrap_or_default();
            let e = CollectionError::new(
                NAME,
                source,
                ErrorKind::Parse,
                format!("failed to parse `{source}`{at}: {what}"),
            );
            match line {
                Some(l) => e.at_line(l),
                None => e,
            }
        };
        let Ok(text) = std::str::from_utf8(bytes) else {
            errors.push(parse_error(None, "not UTF-8 text"));
            return 0;
        };
        let docs = match parse(text) {
            Ok(docs) => docs,
            Err(e) => {
                errors.push(parse_error(e.line, &e.message));
                return 0;
            }
        };
        let mut count = 0;
        let mut work: Vec<Node> = docs;
        work.reverse();
        while let Some(doc) = work.pop() {
            if matches!(doc, Node::Null) {
                continue;
            }
            let kind = match doc.get("kind") {
                Some(Node::Str(k)) => k.clone(),
                _ => {
                    errors.push(parse_error(None, "a document has no `kind`"));
                    doc.dispose();
                    continue;
                }
            };
            if kind == "List" || kind.ends_with("List") && doc.get("items").is_some() {
                if let Node::Map(fields) = doc {
                    for (name, value) in fields {
                        if name == "items"
                            && let Node::List(mut items) = value
                        {
                            items.reverse();
                            work.extend(items);
                        }
                    }
                }
                continue;
            }
            let meta = doc.get("metadata");
            let name = match meta.and_then(|m| m.get("name")) {
                Some(Node::Str(n)) => n.clone(),
                _ => {
                    errors.push(parse_error(
                        None,
                        &format!("a `{kind}` has no `metadata.name`"),
                    ));
                    doc.dispose();
                    continue;
                }
            };
            let namespace = if CLUSTER_KINDS.contains(&kind.as_str()) {
                CLUSTER.to_owned()
            } else {
                match meta.and_then(|m| m.get("namespace")) {
                    Some(Node::Str(ns)) if !ns.is_empty() => ns.clone(),
                    _ => self
                        .namespace
                        .clone()
                        .unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned()),
                }
            };
            let written = format!("{namespace}/{kind}/{name}");
            let namespace = self.names.namespace(&namespace);
            let name = match kind.as_str() {
                "Namespace" => self.names.namespace(&name),
                _ => self.names.name(&name),
            };
            let id = format!("{namespace}/{kind}/{name}");
            if let Some(other) = objects.written.get(&id)
                && *other != written
            {
                // Two objects would be recorded as one: never merged.
                errors.push(CollectionError::new(
                    NAME,
                    source,
                    ErrorKind::Other,
                    format!(
                        "objects `{other}` and `{written}` are both recorded as `{id}` by the namespace map and name rules; the second is left out: change the rules so that each object keeps a name of its own"
                    ),
                ));
                doc.dispose();
                continue;
            }
            let mut doc = doc;
            self.names.references(&kind, &mut doc);
            objects.written.insert(id.clone(), written);
            if let Some((_, old)) = objects.by_id.insert(id, (kind, doc)) {
                // The same object twice: the last one read wins, as
                // `kubectl apply` of both would leave it.
                old.dispose();
            }
            count += 1;
        }
        count
    }
}

/// The objects read, by `NAMESPACE/KIND/NAME` as recorded, and the
/// `NAMESPACE/KIND/NAME` each was written with.
#[derive(Default)]
struct Objects {
    by_id: BTreeMap<String, (String, Node)>,
    written: BTreeMap<String, String>,
}

/// Parses YAML documents, or one JSON document.
fn parse(text: &str) -> Result<Vec<Node>, crate::config::error::ParseError> {
    let trimmed = text.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && let Ok(json) = serde_json::from_str::<serde_json::Value>(text)
    {
        return Ok(vec![from_json(json)]);
    }
    crate::config::yaml::parse_full(text)
}

/// A JSON value as a tree (serde_json bounds the depth at 128).
fn from_json(value: serde_json::Value) -> Node {
    match value {
        serde_json::Value::Null => Node::Null,
        serde_json::Value::Bool(b) => Node::Bool(b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Node::Int(i),
            None => Node::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Node::Str(s),
        serde_json::Value::Array(items) => Node::List(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(map) => {
            Node::Map(map.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
    }
}

impl Collector for KubeCollector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn collect(&self, transport: &dyn Transport) -> Collection {
        let mut collection = Collection::new();
        let mut objects = Objects::default();
        for source in &self.sources {
            let mut items = 0;
            let source_name = match source {
                Source::Bytes { name, bytes } => {
                    items += self.read(name, bytes, &mut objects, &mut collection.errors);
                    name.clone()
                }
                Source::Path(path) => {
                    let name = path.display().to_string();
                    match self.files(transport, path) {
                        Err(e) => collection.errors.push(e),
                        Ok(files) => {
                            for file in files {
                                let file_name = file.display().to_string();
                                match transport.read_source_file(&file, MAX_FILE) {
                                    Ok(bytes) => {
                                        items += self.read(
                                            &file_name,
                                            &bytes,
                                            &mut objects,
                                            &mut collection.errors,
                                        );
                                    }
                                    Err(e) => {
                                        collection.errors.push(e.to_collection_error(NAME));
                                    }
                                }
                            }
                        }
                    }
                    name
                }
            };
            collection.coverage.push(Coverage {
                collector: NAME.to_owned(),
                source: source_name,
                items,
            });
        }
        let mut entries: Vec<(KeyPath, Value)> = Vec::new();
        let mut refs = resolve::Refs::default();
        let objects = objects.by_id;
        for (id, (kind, obj)) in &objects {
            let mut parts = id.splitn(3, '/');
            if let (Some(ns), _, Some(name)) = (parts.next(), parts.next(), parts.next()) {
                refs.add(ns, kind, name, obj);
            }
        }
        for (id, (kind, mut obj)) in objects {
            if !self.keep_owned && normalize::is_generated(&kind, &obj) {
                // Its owner (a Deployment, a CronJob) is recorded.
                obj.dispose();
                continue;
            }
            normalize::object(&kind, &mut obj);
            if let Some(path) = resolve::pod_path(&kind)
                && let Some(pod) = resolve::at(&obj, path)
            {
                let namespace = id.split('/').next().unwrap_or_default();
                refs.entries(&id, namespace, path, pod, &mut entries);
            }
            for e in emit::object(&id, &kind, obj, &mut entries) {
                collection.errors.push(CollectionError::new(
                    NAME,
                    &id,
                    ErrorKind::Parse,
                    format!("object `{id}`: {}", e.0),
                ));
            }
        }
        collection.entries = entries;
        collection
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_map;
