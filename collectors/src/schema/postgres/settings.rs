//! Server version, the settings a deploy depends on, and (when asked)
//! owners and grants.

use drift_core::Value;

use super::{NOT_EXT_REL, Reader, json_list, s, text};
use crate::schema::ddl::{canonical_args, routine_name};
use crate::schema::emit::version;
use crate::schema::error::SchemaError;
use crate::schema::model::Model;

/// Settings always recorded, default or not: what deploys depend on.
const ALWAYS: &[&str] = &[
    "max_connections",
    "statement_timeout",
    "lock_timeout",
    "idle_in_transaction_session_timeout",
    "work_mem",
    "maintenance_work_mem",
    "shared_buffers",
    "effective_cache_size",
    "max_wal_size",
    "wal_level",
    "max_prepared_transactions",
    "default_transaction_isolation",
    "default_transaction_read_only",
    "TimeZone",
    "DateStyle",
    "IntervalStyle",
    "standard_conforming_strings",
    "server_encoding",
    "lc_collate",
    "lc_ctype",
    "default_text_search_config",
    "search_path",
    "timezone_abbreviations",
    "extra_float_digits",
    "jit",
    "random_page_cost",
    "row_security",
];

/// Settings never recorded: paths, addresses and per-session or per-host
/// values that differ between environments by design.
const NEVER: &[&str] = &[
    "application_name",
    "client_encoding",
    "config_file",
    "data_directory",
    "external_pid_file",
    "hba_file",
    "ident_file",
    "cluster_name",
    "listen_addresses",
    "port",
    "unix_socket_directories",
    "unix_socket_group",
    "unix_socket_permissions",
    "krb_server_keyfile",
    "ssl_cert_file",
    "ssl_key_file",
    "ssl_ca_file",
    "ssl_crl_file",
    "ssl_crl_dir",
    "log_directory",
    "log_filename",
    "in_hot_standby",
    "transaction_isolation",
    "transaction_read_only",
    "transaction_deferrable",
    "is_superuser",
    "session_authorization",
    "role",
    "server_version",
    "server_version_num",
    "lc_messages",
    "shared_memory_size",
    "shared_memory_size_in_huge_pages",
    "data_directory_mode",
    "archive_command",
    "restore_command",
    "primary_conninfo",
    "primary_slot_name",
];

/// `server:version` and `server:engine`.
pub(crate) fn server(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let rows = r.rows(
        "the server version",
        "SELECT pg_catalog.current_setting('server_version'), \
                pg_catalog.current_setting('server_version_num')",
    )?;
    if let Some(row) = rows.first() {
        let v = s(row, 0);
        let short = v.split_whitespace().next().unwrap_or(&v).to_owned();
        m.server.insert("version".into(), version(&short));
        m.server
            .insert("engine".into(), Value::String("PostgreSQL".into()));
        r.version_num = s(row, 1).parse().unwrap_or(0);
    }
    Ok(())
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("'{}'", i.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The value as a deploy reads it: numbers as numbers, sizes and durations
/// with their unit (`8192kB`, `30000ms`), booleans as booleans.
fn setting_value(val: &str, unit: Option<&str>, vartype: &str) -> Value {
    match (vartype, unit) {
        ("bool", _) => Value::Bool(val == "on"),
        ("integer" | "real", Some(u)) if !u.is_empty() => {
            // `8kB` units: fold the multiplier in (shared_buffers 16384 × 8kB).
            let digits: String = u.chars().take_while(char::is_ascii_digit).collect();
            let base = &u[digits.len()..];
            match (digits.parse::<i64>(), val.parse::<i64>()) {
                (Ok(mul), Ok(n)) if n >= 0 => Value::String(format!("{}{base}", n * mul)),
                _ => Value::String(format!("{val}{u}")),
            }
        }
        ("integer", _) => val
            .parse::<i64>()
            .map_or_else(|_| Value::String(val.to_owned()), Value::Int),
        ("real", _) => val
            .parse::<f64>()
            .map_or_else(|_| Value::String(val.to_owned()), Value::Float),
        _ => Value::String(val.to_owned()),
    }
}

/// The settings of [`ALWAYS`] and every other non-default one, as the
/// server starts a session with them (`reset_val`: our own SETs aside).
pub(crate) fn settings(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let sql = format!(
        "SELECT name, reset_val, unit, vartype FROM pg_catalog.pg_settings \
         WHERE name NOT IN ({never}) \
           AND (name IN ({always}) \
                OR (reset_val IS DISTINCT FROM boot_val AND context <> 'internal'))",
        never = quoted_list(NEVER),
        always = quoted_list(ALWAYS),
    );
    for row in r.rows("settings", &sql)? {
        let v = setting_value(&s(&row, 1), text(&row, 2).as_deref(), &s(&row, 3));
        m.settings.insert(s(&row, 0), v);
    }
    Ok(())
}

/// Owners and grants of relations, functions, procedures and schemas.
pub(crate) fn grants(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let ns = r.ns("n");
    let acl = |col: &str| {
        format!(
            "(SELECT pg_catalog.json_agg(DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' \
                     ELSE ro.rolname END || ':' || a.privilege_type \
                     || CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)::text \
              FROM pg_catalog.aclexplode({col}) a \
              LEFT JOIN pg_catalog.pg_roles ro ON ro.oid = a.grantee)"
        )
    };
    let sql = format!(
        "SELECT c.relkind, n.nspname, c.relname, o.rolname, {} \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_roles o ON o.oid = c.relowner \
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND NOT c.relispartition \
           AND {ns} AND {NOT_EXT_REL}",
        acl("c.relacl")
    );
    for row in r.rows("owners and grants", &sql)? {
        let kind = match s(&row, 0).as_str() {
            "v" => "view",
            "m" => "materialized_view",
            "S" => "sequence",
            _ => "table",
        };
        record(
            m,
            kind,
            vec![s(&row, 1), s(&row, 2)],
            text(&row, 3),
            json_list(&row, 4),
        );
    }
    let sql = format!(
        "SELECT n.nspname, p.proname, p.prokind, pg_catalog.pg_get_function_arguments(p.oid), \
                o.rolname, {} \
         FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
         LEFT JOIN pg_catalog.pg_roles o ON o.oid = p.proowner \
         WHERE p.prokind IN ('f', 'p') AND {ns} \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = \
               'pg_catalog.pg_proc'::pg_catalog.regclass AND x.objid = p.oid AND x.deptype = 'e')",
        acl("p.proacl")
    );
    for row in r.rows("routine owners and grants", &sql)? {
        let kind = if s(&row, 2) == "p" {
            "procedure"
        } else {
            "function"
        };
        let (_, sig) = canonical_args(&s(&row, 3));
        let name = routine_name(&s(&row, 0), &s(&row, 1), &sig);
        record(m, kind, name, text(&row, 4), json_list(&row, 5));
    }
    let sql = format!(
        "SELECT n.nspname, o.rolname, {} FROM pg_catalog.pg_namespace n \
         LEFT JOIN pg_catalog.pg_roles o ON o.oid = n.nspowner WHERE {ns}",
        acl("n.nspacl")
    );
    for row in r.rows("schema owners and grants", &sql)? {
        record(
            m,
            "schema",
            vec![s(&row, 0)],
            text(&row, 1),
            json_list(&row, 2),
        );
    }
    Ok(())
}

fn record(
    m: &mut Model,
    kind: &str,
    name: Vec<String>,
    owner: Option<String>,
    mut acl: Vec<String>,
) {
    let key = (kind.to_owned(), name);
    if let Some(o) = owner {
        m.owners.insert(key.clone(), o);
    }
    acl.sort();
    m.grants.insert(key, acl);
}
