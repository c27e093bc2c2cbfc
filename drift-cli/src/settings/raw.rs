//! drift.toml as written: serde types that refuse unknown keys and keep the
//! spans of values that are validated later, so every error names its line.

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use toml::Spanned;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub settings: RawSettings,
    #[serde(default)]
    pub secrets: RawSecrets,
    #[serde(default)]
    pub environments: IndexMap<String, Spanned<RawEnv>>,
    #[serde(default)]
    pub rules: Vec<Spanned<RawRule>>,
    #[serde(default)]
    pub waivers: Vec<Spanned<RawWaiver>>,
    #[serde(default)]
    pub ssh: RawSsh,
    #[serde(default)]
    pub kube: RawKube,
}

/// `[kube]`: name mapping of Kubernetes objects for every environment.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKube {
    #[serde(default)]
    pub namespace_map: std::collections::BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub name_strip_prefixes: Vec<Spanned<String>>,
    #[serde(default)]
    pub name_strip_suffixes: Vec<Spanned<String>>,
    pub keep_owned: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSsh {
    #[serde(default)]
    pub identity_files: Vec<String>,
    pub known_hosts: Option<String>,
    #[serde(default)]
    pub accept_new_host_keys: bool,
    pub config_file: Option<String>,
    pub connect_timeout: Option<Spanned<u64>>,
    pub operation_timeout: Option<Spanned<u64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    pub fail_on: Option<Spanned<String>>,
    pub fingerprint_key_file: Option<Spanned<String>>,
    pub max_file_size: Option<Spanned<u64>>,
    pub jobs: Option<Spanned<u64>>,
    pub follow_symlinks: Option<bool>,
    pub baseline: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSecrets {
    #[serde(default)]
    pub keys: Vec<Spanned<String>>,
    #[serde(default)]
    pub public: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnv {
    #[serde(default)]
    pub dotenv: Vec<String>,
    #[serde(default)]
    pub config_dirs: Vec<RawConfigDir>,
    #[serde(default)]
    pub process_env: bool,
    #[serde(default)]
    pub packages: Vec<String>,
    #[serde(default)]
    pub runtimes: bool,
    #[serde(default)]
    pub host_facts: bool,
    pub image_digest: Option<String>,
    #[serde(default)]
    pub schema: Vec<Spanned<RawSchema>>,
    #[serde(default)]
    pub include_grants: bool,
    pub process_env_of: Option<String>,
    pub process_env_pidfile: Option<String>,
    #[serde(default)]
    pub hosts: Vec<Spanned<String>>,
    /// `"release"` marks the environment as a release (issue 21).
    pub role: Option<Spanned<String>>,
    #[serde(default)]
    pub migrations: Vec<Spanned<RawMigrations>>,
    #[serde(default)]
    pub kube_manifests: Vec<String>,
    pub kube_namespace: Option<String>,
    #[serde(default)]
    pub kube_namespace_map: std::collections::BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub kube_name_strip_prefixes: Vec<Spanned<String>>,
    #[serde(default)]
    pub kube_name_strip_suffixes: Vec<Spanned<String>>,
    pub kube_keep_owned: Option<bool>,
}

/// A release's migrations folder: a path, or a table.
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "a path, or a table with `dir` and optional `tool`, `table` and `name`"
)]
pub enum RawMigrations {
    Dir(String),
    Table {
        dir: String,
        tool: Option<String>,
        table: Option<String>,
        name: Option<String>,
    },
}

/// A schema source: `"postgres://…"` or a table.
#[derive(Debug, Default)]
pub struct RawSchema {
    pub url: Option<String>,
    pub file: Option<String>,
    pub dialect: Option<String>,
    pub name: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<String>,
    pub via: Option<String>,
    pub schema_include: Vec<String>,
    pub schema_exclude: Vec<String>,
    pub tls: Option<String>,
    pub tls_ca: Option<String>,
    pub tls_cert: Option<String>,
    pub tls_key: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchemaTable {
    url: Option<String>,
    file: Option<String>,
    dialect: Option<String>,
    name: Option<String>,
    password_env: Option<String>,
    password_file: Option<String>,
    via: Option<String>,
    #[serde(default)]
    schema_include: Vec<String>,
    #[serde(default)]
    schema_exclude: Vec<String>,
    tls: Option<String>,
    tls_ca: Option<String>,
    tls_cert: Option<String>,
    tls_key: Option<String>,
}

impl<'de> Deserialize<'de> for RawSchema {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawSchema, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawSchema;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a database URL, or a table with `url` or `file`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawSchema, E> {
                Ok(RawSchema {
                    url: Some(v.to_owned()),
                    ..RawSchema::default()
                })
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<RawSchema, A::Error> {
                let t = RawSchemaTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawSchema {
                    url: t.url,
                    file: t.file,
                    dialect: t.dialect,
                    name: t.name,
                    password_env: t.password_env,
                    password_file: t.password_file,
                    via: t.via,
                    schema_include: t.schema_include,
                    schema_exclude: t.schema_exclude,
                    tls: t.tls,
                    tls_ca: t.tls_ca,
                    tls_cert: t.tls_cert,
                    tls_key: t.tls_key,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// A config dir: `"path"` or `{ path = "…", name = "…" }`.
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "a path, or a table with `path` and an optional `name`"
)]
pub enum RawConfigDir {
    Path(String),
    Named { path: String, name: Option<String> },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub keys: Spanned<Globs>,
    pub expect: Option<Spanned<String>>,
    pub severity: Option<Spanned<String>>,
    pub environments: Option<Spanned<Vec<String>>>,
    pub tolerate: Option<Spanned<String>>,
    pub tolerance: Option<Spanned<Number>>,
    pub not_older_than: Option<Spanned<String>>,
    pub ignore_dev: Option<bool>,
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWaiver {
    pub keys: Spanned<Globs>,
    pub reason: Spanned<String>,
    pub expires: Option<Spanned<DateText>>,
    pub environments: Option<Spanned<Vec<String>>>,
}

/// One glob or a list of globs.
#[derive(Debug, Default)]
pub struct Globs(pub Vec<String>);

impl<'de> Deserialize<'de> for Globs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Globs, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Globs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key glob or a list of key globs")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Globs, E> {
                Ok(Globs(vec![v.to_owned()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Globs, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(Globs(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A number, or a string such as `10%`.
#[derive(Debug)]
pub struct Number(pub String);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Number, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number such as 5, or a percentage such as \"10%\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
                Ok(Number(v.to_owned()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A date written as a TOML date (`2026-12-31`) or a string.
#[derive(Debug)]
pub struct DateText(pub String);

impl<'de> Deserialize<'de> for DateText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DateText, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged, expecting = "a date such as 2026-12-31")]
        enum Either {
            Date(toml::value::Datetime),
            Text(String),
        }
        Ok(DateText(match Either::deserialize(d)? {
            Either::Date(dt) => dt.to_string(),
            Either::Text(s) => s,
        }))
    }
}
