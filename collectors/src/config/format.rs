//! Which files are parsed, and how a parsed file becomes entries.

use super::error::ParseError;
use super::sink::Sink;
use super::tree::{Node, all_unique, last_wins, list_identity};
use super::{ini, json, json_fast, properties, toml, toml_fast, yaml, yaml_fast};

/// A format the config collector parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Yaml,
    Toml,
    Ini,
    Properties,
    Env,
}

impl Format {
    /// The format of a file, by its name: `.json`, `.yaml`/`.yml`, `.toml`,
    /// `.ini`/`.cnf`, `.properties`, and `.env`, `.env.*`, `*.env`.
    pub(crate) fn detect(file_name: &str) -> Option<Format> {
        // Compared case aside, without a lower-case copy per file.
        let dot_env = file_name
            .get(..5)
            .is_some_and(|p| p.eq_ignore_ascii_case(".env."));
        if file_name.eq_ignore_ascii_case(".env") || dot_env {
            return Some(Format::Env);
        }
        let (_, ext) = file_name.rsplit_once('.')?;
        let is = |e: &str| ext.eq_ignore_ascii_case(e);
        if is("json") {
            Some(Format::Json)
        } else if is("yaml") || is("yml") {
            Some(Format::Yaml)
        } else if is("toml") {
            Some(Format::Toml)
        } else if is("ini") || is("cnf") {
            Some(Format::Ini)
        } else if is("properties") {
            Some(Format::Properties)
        } else if is("env") {
            Some(Format::Env)
        } else {
            None
        }
    }

    /// The name recorded in the file's `file:` entry.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Yaml => "yaml",
            Format::Toml => "toml",
            Format::Ini => "ini",
            Format::Properties => "properties",
            Format::Env => "env",
        }
    }

    /// Decodes a file's bytes: UTF-8 (a BOM is dropped by the parsers), or
    /// for `.properties`, Latin-1 when the file is not UTF-8.
    pub(crate) fn decode(self, bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, ParseError> {
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(std::borrow::Cow::Borrowed(s)),
            Err(_) if self == Format::Properties => Ok(std::borrow::Cow::Owned(
                bytes.iter().map(|&b| char::from(b)).collect(),
            )),
            Err(e) => Err(ParseError {
                line: Some(super::error::line_of_offset(
                    // The valid prefix is text.
                    std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or(""),
                    e.valid_up_to(),
                ) as u64),
                message: "not UTF-8 text; save the file as UTF-8".to_owned(),
            }),
        }
    }

    /// Parses `text` and puts its entries into `sink` (whose key holds
    /// `config:PATH`).
    pub(crate) fn parse_into(self, text: &str, sink: &mut Sink<'_>) -> Result<(), ParseError> {
        match self {
            Format::Json => {
                if !json_fast::parse_into(text, sink) {
                    json::parse_into(text, sink)?;
                }
            }
            Format::Toml => {
                if !toml_fast::parse_into(text, sink) {
                    toml::parse_into(text, sink)?;
                }
            }
            Format::Ini => ini::parse_into(text, sink)?,
            Format::Properties => sink.map(last_wins(properties::parse(text)?)),
            Format::Env => {
                let vars = crate::env::dotenv::parse_vars(text)
                    .map_err(|e| ParseError::at(e.line as usize, e.message))?;
                sink.map(last_wins(vars));
            }
            Format::Yaml => {
                if !yaml_fast::parse_into(text, sink) {
                    yaml_docs_into(yaml::parse_full(text)?, sink);
                }
            }
        }
        Ok(())
    }
}

/// Puts the entries of YAML documents into `sink`: empty ones are dropped;
/// one document has no document segment; several are keyed by identity when
/// every document has a unique one (Kubernetes `[Kind=namespace/name]`, else
/// `[name=…]`, `[id=…]`, `[key=…]`), else by index `[i]`.
pub(crate) fn yaml_docs_into(docs: Vec<Node>, sink: &mut Sink<'_>) {
    let mut docs: Vec<Node> = docs.into_iter().filter(|d| *d != Node::Null).collect();
    if docs.len() <= 1 {
        if let Some(doc) = docs.pop() {
            sink.node(doc);
        }
        return;
    }
    let ids: Vec<(String, String)> = if let Some(ids) = kubernetes_ids(&docs) {
        ids
    } else if let Some((field, ids)) = list_identity(&docs) {
        ids.into_iter().map(|id| (field.to_owned(), id)).collect()
    } else {
        for (i, doc) in docs.into_iter().enumerate() {
            let mark = sink.key.mark();
            sink.key.push_index(i);
            sink.node(doc);
            sink.key.truncate(mark);
        }
        return;
    };
    for (doc, (field, id)) in docs.into_iter().zip(ids) {
        let mark = sink.key.mark();
        sink.key.push_id(&field, &id);
        sink.node(doc);
        sink.key.truncate(mark);
    }
}

/// `(kind, [namespace/]name)` of every document, when all are Kubernetes
/// objects and no two share one.
fn kubernetes_ids(docs: &[Node]) -> Option<Vec<(String, String)>> {
    let mut ids = Vec::with_capacity(docs.len());
    for doc in docs {
        let kind = match doc.get("kind") {
            Some(Node::Str(k)) => k.clone(),
            _ => return None,
        };
        let meta = doc.get("metadata")?;
        let name = match meta.get("name") {
            Some(Node::Str(n)) => n.clone(),
            _ => return None,
        };
        let id = match meta.get("namespace") {
            Some(Node::Str(ns)) => format!("{ns}/{name}"),
            _ => name,
        };
        ids.push((kind, id));
    }
    let joined: Vec<String> = ids.iter().map(|(k, i)| format!("{k}\0{i}")).collect();
    all_unique(&joined).then_some(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use drift_core::key::KeyBuilder;

    #[test]
    fn formats_by_name() {
        assert_eq!(Format::detect("settings.YAML"), Some(Format::Yaml));
        assert_eq!(Format::detect("a.yml"), Some(Format::Yaml));
        assert_eq!(Format::detect(".env"), Some(Format::Env));
        assert_eq!(Format::detect(".env.production"), Some(Format::Env));
        assert_eq!(Format::detect("prod.env"), Some(Format::Env));
        assert_eq!(Format::detect("my.cnf"), Some(Format::Ini));
        assert_eq!(Format::detect(".ENV.Local"), Some(Format::Env));
        assert_eq!(Format::detect("APP.Json"), Some(Format::Json));
        assert_eq!(Format::detect("ééé"), None);
        assert_eq!(Format::detect("é.properties"), Some(Format::Properties));
        assert_eq!(Format::detect("README"), None);
        assert_eq!(Format::detect("x.txt"), None);
    }

    fn keys(format: Format, text: &str) -> Vec<String> {
        let mut b = KeyBuilder::new("config").path("f");
        let mut out = drift_core::__private::KeyedValues::default();
        let mut sink = Sink {
            key: &mut b,
            out: &mut out,
        };
        format.parse_into(text, &mut sink).unwrap();
        let mut k: Vec<String> = out.iter().map(|(k, _)| k.to_owned()).collect();
        k.sort();
        k
    }

    #[test]
    fn kubernetes_documents_are_keyed_by_kind_and_name() {
        let text = "---\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 3\n---\nkind: Service\nmetadata:\n  name: web\n---\n";
        assert_eq!(
            keys(Format::Yaml, text),
            [
                "config:f:[Deployment=shop/web].kind",
                "config:f:[Deployment=shop/web].metadata.name",
                "config:f:[Deployment=shop/web].metadata.namespace",
                "config:f:[Deployment=shop/web].spec.replicas",
                "config:f:[Service=web].kind",
                "config:f:[Service=web].metadata.name",
            ]
        );
    }

    #[test]
    fn other_documents_by_name_or_index_and_single_ones_without_segment() {
        assert_eq!(
            keys(Format::Yaml, "name: a\n---\nname: b\n"),
            ["config:f:[name=a].name", "config:f:[name=b].name"]
        );
        assert_eq!(
            keys(Format::Yaml, "x: 1\n---\nx: 1\n"),
            ["config:f:[0].x", "config:f:[1].x"]
        );
        assert_eq!(keys(Format::Yaml, "---\nx: 1\n---\n"), ["config:f:x"]);
    }
}
