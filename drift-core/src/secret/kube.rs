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

/// The fields of Kubernetes objects whose values are names of other
/// objects or of a Secret's or ConfigMap's keys, never values: the tail of
/// a `k8s:` key's field path.
/// (`secretName` is a secret volume's, `secret.secretName`, and an Ingress
/// TLS entry's, `tls[…].secretName`.)
const REFERENCES: [&str; 7] = [
    "secretKeyRef.key",
    "secretKeyRef.name",
    "configMapKeyRef.key",
    "configMapKeyRef.name",
    "secretRef.name",
    "configMapRef.name",
    "secretName",
];

/// Whether `key` is a field that references by name (see
/// [`is_reference`]) in an object read by the Kubernetes collector, not in
/// a Secret's data.
pub(crate) fn is_reference_field(key: &str) -> bool {
    let Some(body) = key.strip_prefix("k8s:") else {
        return false;
    };
    let Some((_, fields)) = body.split_once(':') else {
        return false;
    };
    REFERENCES.iter().any(|r| {
        fields
            .strip_suffix(r)
            .is_some_and(|before| before.is_empty() || before.ends_with('.'))
    }) && !is_kube_secret_value(key)
}

/// Whether `key`'s value is a reference by name (`…secretKeyRef.key`,
/// `…secret.secretName`, an Ingress's `tls[…].secretName`) in an object
/// read by the Kubernetes collector, and `value` has the syntax the API
/// server allows such names (letters, digits, `-`, `_`, `.`; at most 253
/// bytes): the name of a Secret or of its key, which says where a value
/// is and is never one. Such a value is not hidden by its name; what it
/// holds is still judged.
pub(crate) fn is_reference(key: &str, value: &str) -> bool {
    is_reference_field(key)
        && !value.is_empty()
        && value.len() <= 253
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_by_name_are_told_by_field_and_syntax() {
        let env =
            "k8s:shop/Deployment/web:spec.template.spec.containers[name=app].env[name=DB_PASSWORD]";
        for (key, value, reference) in [
            (
                format!("{env}.valueFrom.secretKeyRef.key"),
                "DB_PASSWORD",
                true,
            ),
            (format!("{env}.valueFrom.secretKeyRef.name"), "db", true),
            (
                format!("{env}.valueFrom.configMapKeyRef.key"),
                "db.password",
                true,
            ),
            (
                "k8s:shop/Deployment/web:spec.template.spec.volumes[name=c].secret.secretName"
                    .to_owned(),
                "tls-web",
                true,
            ),
            (
                "k8s:shop/Ingress/web:spec.tls[0].secretName".to_owned(),
                "tls",
                true,
            ),
            // Not a name's syntax: judged as any value.
            (format!("{env}.valueFrom.secretKeyRef.key"), "a b", false),
            (format!("{env}.valueFrom.secretKeyRef.key"), "", false),
            (format!("{env}.valueFrom.secretKeyRef.key"), "x/y", false),
            (format!("{env}.value"), "DB_PASSWORD", false),
            (format!("{env}.valueFrom.mySecretName"), "x", false),
            ("k8s:shop/Secret/db:data.secretName".to_owned(), "x", false),
            ("config:x.yaml:secretKeyRef.key".to_owned(), "x", false),
        ] {
            assert_eq!(is_reference(&key, value), reference, "{key} = {value}");
        }
    }

    #[test]
    fn references_are_shown_but_values_by_their_names_are_not() {
        use crate::{KeyPath, Sanitizer};
        let env =
            "k8s:shop/Deployment/web:spec.template.spec.containers[name=app].env[name=DB_PASSWORD]";
        let judged = |s: &Sanitizer, key: &str, value: &str| {
            let mut entries = vec![(KeyPath::new(key).unwrap(), Value::from(value))];
            s.sanitize_entries(&mut entries);
            entries.pop().unwrap().1
        };
        let s = Sanitizer::default();
        let key_ref = format!("{env}.valueFrom.secretKeyRef.key");
        assert_eq!(
            judged(&s, &key_ref, "DB_PASSWORD"),
            Value::from("DB_PASSWORD")
        );
        let volume = "k8s:shop/Deployment/web:spec.template.spec.volumes[name=c].secret.secretName";
        assert_eq!(judged(&s, volume, "tls-web"), Value::from("tls-web"));
        // Not a name's syntax: hidden by the name, as before.
        assert!(matches!(
            judged(&s, &key_ref, "hunter2 hunter2"),
            Value::Secret(_)
        ));
        // The value of a variable named secret is hidden.
        assert!(matches!(
            judged(&s, &format!("{env}.value"), "hunter2"),
            Value::Secret(_)
        ));
        // A Secret's data, whatever its name.
        assert!(matches!(
            judged(&s, "k8s:shop/Secret/db:data.secretName", "x"),
            Value::Secret(_)
        ));
        // `drift explain` says so too.
        let as_key = KeyPath::new(&key_ref).unwrap();
        assert_eq!(s.key_judgement(&as_key), None);
        // A policy glob still hides a reference.
        let glob = Sanitizer::default()
            .with_secret_globs(["k8s:*.secretKeyRef.*"])
            .unwrap();
        assert!(matches!(
            judged(&glob, &key_ref, "DB_PASSWORD"),
            Value::Secret(_)
        ));
        assert_eq!(
            glob.key_judgement(&as_key),
            Some(crate::secret::HiddenBy::Policy)
        );
    }

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
