//! Kubernetes Secrets, hidden by their kind: every value under `data` and
//! `stringData` of a document whose `kind` is `Secret`, whatever the file
//! is called and whatever each value's name says (`data.LOG_LEVEL` of a
//! Secret is as secret as `data.password`).

use crate::value::Value;

/// The prefixes of the Secret documents among a piece's entries: the key
/// text before `kind` of every `…kind = "Secret"` entry at a document's
/// root (`config:FILE:` for a file of one document,
/// `config:FILE:[Secret=NS/NAME].` for one of many).
pub(crate) fn secret_documents<'k>(
    entries: impl Iterator<Item = (&'k str, &'k Value)>,
) -> Vec<String> {
    let mut prefixes = Vec::new();
    for (key, value) in entries {
        let Some(prefix) = key.strip_suffix("kind") else {
            continue;
        };
        if value.as_str() != Some("Secret") || !is_document_root(prefix) {
            continue;
        }
        prefixes.push(prefix.to_owned());
    }
    prefixes
}

/// Whether a prefix ends where a document's fields begin: right after the
/// file (`config:FILE:`) or after a document's identity (`[KIND=NAME].`).
fn is_document_root(prefix: &str) -> bool {
    if !prefix.starts_with("config:") {
        return false;
    }
    if let Some(before) = prefix.strip_suffix(':') {
        // `config:FILE:` — the only `:` after the layer's ends the file.
        let body = &before["config:".len()..];
        return super::own_name::file_part_end(body) == body.len();
    }
    prefix.ends_with("].") && {
        let without = &prefix[..prefix.len() - 1];
        let open = without.rfind('[').unwrap_or(0);
        // The identity is the whole field path: `config:FILE:[…]`.
        without[..open].ends_with(':')
    }
}

/// Whether `key` is a value of a Secret's `data` or `stringData`, given the
/// prefixes of the piece's Secret documents.
pub(crate) fn is_secret_data(prefixes: &[String], key: &str) -> bool {
    prefixes.iter().any(|p| {
        key.strip_prefix(p.as_str()).is_some_and(|rest| {
            ["data", "stringData"].iter().any(|field| {
                rest.strip_prefix(field)
                    .is_some_and(|r| r.is_empty() || r.starts_with('.') || r.starts_with('['))
            })
        })
    })
}

/// Whether `key` is a value of a Secret read by the Kubernetes collector:
/// `k8s:NAMESPACE/Secret/NAME:data…` (the collector writes `stringData`
/// under `data`, decoded). Such a value is hidden whatever a drift.toml
/// says of its name.
pub(crate) fn is_kube_secret_value(key: &str) -> bool {
    let Some(body) = key.strip_prefix("k8s:") else {
        return false;
    };
    let Some((object, fields)) = body.split_once(':') else {
        return false;
    };
    let mut parts = object.splitn(3, '/');
    let (_, kind) = (parts.next(), parts.next());
    if kind != Some("Secret") {
        return false;
    }
    ["data", "stringData"].iter().any(|field| {
        fields
            .strip_prefix(field)
            .is_some_and(|r| r.is_empty() || r.starts_with('.') || r.starts_with('['))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kube_secret_values_are_found_by_key() {
        for (key, hidden) in [
            ("k8s:shop/Secret/db:data.password", true),
            ("k8s:shop/Secret/db:data.LOG_LEVEL", true),
            ("k8s:shop/Secret/db:data", true),
            ("k8s:shop/Secret/db:stringData.x", true),
            ("k8s:shop/Secret/db:type", false),
            ("k8s:shop/Secret/db:metadata.labels.app", false),
            ("k8s:shop/Secret/db:dataset", false),
            ("k8s:shop/ConfigMap/db:data.password", false),
            ("config:x.yaml:data.x", false),
        ] {
            assert_eq!(is_kube_secret_value(key), hidden, "{key}");
        }
    }

    #[test]
    fn secrets_are_found_by_kind() {
        let secret = Value::from("Secret");
        let config_map = Value::from("ConfigMap");
        let entries = [
            ("config:one.yaml:kind", &secret),
            ("config:s.yaml:[Secret=shop/db].kind", &secret),
            ("config:s.yaml:[ConfigMap=cfg].kind", &config_map),
            ("config:x.yaml:spec.kind", &secret),
            ("config:x.yaml:items[0].kind", &secret),
        ];
        let prefixes = secret_documents(entries.into_iter());
        assert_eq!(
            prefixes,
            ["config:one.yaml:", "config:s.yaml:[Secret=shop/db]."]
        );
        for (key, hidden) in [
            ("config:one.yaml:data.token", true),
            ("config:one.yaml:stringData.\"app.yaml\"", true),
            ("config:one.yaml:data", true),
            ("config:one.yaml:metadata.name", false),
            ("config:one.yaml:dataset", false),
            ("config:s.yaml:[Secret=shop/db].data.LOG_LEVEL", true),
            ("config:s.yaml:[ConfigMap=cfg].data.LOG", false),
            ("config:x.yaml:spec.data.x", false),
        ] {
            assert_eq!(is_secret_data(&prefixes, key), hidden, "{key}");
        }
    }
}
