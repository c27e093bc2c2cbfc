//! Views, triggers, routines, partitions, server facts, globals and grants
//! of a live MySQL/MariaDB database.

use std::collections::BTreeMap;

use drift_core::Value;

use super::{Reader, lit, quote, s, text};
use crate::schema::canon::squash;
use crate::schema::ddl::mysql_values::{
    create_view_algorithm, event_fields, parameter, routine_characteristics, routine_fields,
    set_trigger_order, trigger_fields, unqualify, view_fields,
};
use crate::schema::ddl::view_definition;
use crate::schema::emit::version;
use crate::schema::error::SchemaError;
use crate::schema::model::{Model, Routine, View};

/// The globals a deploy depends on.
const GLOBALS: &[&str] = &[
    "sql_mode",
    "lower_case_table_names",
    "max_connections",
    "character_set_server",
    "collation_server",
    "time_zone",
    "default_storage_engine",
    "innodb_strict_mode",
    "innodb_file_per_table",
    "innodb_lock_wait_timeout",
    "innodb_default_row_format",
    "explicit_defaults_for_timestamp",
    "max_allowed_packet",
    "wait_timeout",
    "interactive_timeout",
    "transaction_isolation",
    "tx_isolation",
    "group_concat_max_len",
    "event_scheduler",
    "log_bin_trust_function_creators",
    "sql_require_primary_key",
    "default_authentication_plugin",
    "max_statement_time",
    "max_execution_time",
    "foreign_key_checks",
    "autocommit",
];

/// `server:version` and `server:engine`.
pub(crate) fn server(m: &mut Model, full: &str, mariadb: bool) {
    let short: String = full
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    m.server.insert("version".into(), version(&short));
    let engine = if mariadb { "MariaDB" } else { "MySQL" };
    m.server
        .insert("engine".into(), Value::String(engine.into()));
}

/// Global variables of [`GLOBALS`], and the database's own character set
/// and collation.
pub(crate) fn settings(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let names: Vec<String> = GLOBALS.iter().map(|g| lit(g)).collect();
    let sql = format!(
        "SHOW GLOBAL VARIABLES WHERE Variable_name IN ({})",
        names.join(", ")
    );
    for row in r.rows("global variables", &sql)? {
        let v = s(&row, 1);
        let value = v.parse::<i64>().map_or(Value::String(v), Value::Int);
        m.settings.insert(s(&row, 0), value);
    }
    let sql = format!(
        "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME \
         FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = {}",
        r.db_lit()
    );
    if let Some(row) = r.rows("the database's character set", &sql)?.first() {
        m.settings
            .insert("database_character_set".into(), Value::String(s(row, 0)));
        m.settings
            .insert("database_collation".into(), Value::String(s(row, 1)));
    }
    Ok(())
}

/// Views.
pub(crate) fn views(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    // MySQL 8's information_schema.VIEWS has no ALGORITHM column: its
    // SHOW CREATE VIEW has it (and mysqldump writes it from there).
    let algorithm = if r.mariadb { "ALGORITHM" } else { "NULL" };
    let sql = format!(
        "SELECT TABLE_NAME, VIEW_DEFINITION, {algorithm}, SECURITY_TYPE, CHECK_OPTION \
         FROM information_schema.VIEWS WHERE TABLE_SCHEMA = {}",
        r.db_lit()
    );
    for row in r.rows("views", &sql)? {
        let key = vec![s(&row, 0)];
        let algorithm = match text(&row, 2) {
            Some(a) => Some(a),
            None if !r.mariadb => {
                let show = format!("SHOW CREATE VIEW {}.{}", quote(&r.db), quote(&key[0]));
                let shown = r.rows("view algorithms (SHOW CREATE VIEW needs SHOW VIEW)", &show)?;
                shown
                    .first()
                    .and_then(|c| text(c, 1))
                    .and_then(|c| create_view_algorithm(&c))
            }
            None => None,
        };
        let fields = view_fields(
            algorithm.as_deref(),
            text(&row, 3).as_deref(),
            text(&row, 4).as_deref(),
        );
        m.add_extras("view", &key, fields);
        m.views.insert(
            key,
            View {
                materialized: false,
                definition: view_definition(&unqualify(&s(&row, 1), &r.db)),
            },
        );
    }
    Ok(())
}

/// Triggers.
pub(crate) fn triggers(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let sql = format!(
        "SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, \
                ACTION_STATEMENT, ACTION_ORDER \
         FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = {}",
        r.db_lit()
    );
    let rows = r.rows("triggers", &sql)?;
    let mut group_size: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for row in &rows {
        *group_size
            .entry((s(row, 0), s(row, 2), s(row, 3)))
            .or_default() += 1;
    }
    for row in rows {
        let body = unqualify(&s(&row, 4), &r.db);
        let mut fields = trigger_fields(&s(&row, 2), &s(&row, 3), &body);
        let of = group_size
            .get(&(s(&row, 0), s(&row, 2), s(&row, 3)))
            .copied()
            .unwrap_or(1);
        set_trigger_order(&mut fields, s(&row, 5).parse().unwrap_or(1), of);
        m.triggers.insert(vec![s(&row, 0), s(&row, 1)], fields);
    }
    Ok(())
}

/// Functions and procedures, keyed by name (MySQL has no overloading).
pub(crate) fn routines(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let sql = format!(
        "SELECT SPECIFIC_NAME, ORDINAL_POSITION, PARAMETER_MODE, PARAMETER_NAME, DTD_IDENTIFIER \
         FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = {} AND ORDINAL_POSITION > 0",
        r.db_lit()
    );
    let mut params: BTreeMap<String, Vec<(u32, String)>> = BTreeMap::new();
    for row in r.rows("routine parameters", &sql)? {
        let p = parameter(text(&row, 2).as_deref(), &s(&row, 3), &s(&row, 4));
        params
            .entry(s(&row, 0))
            .or_default()
            .push((s(&row, 1).parse().unwrap_or(0), p));
    }
    let sql = format!(
        "SELECT ROUTINE_NAME, ROUTINE_TYPE, DTD_IDENTIFIER, ROUTINE_DEFINITION, \
                IS_DETERMINISTIC, SECURITY_TYPE, SQL_DATA_ACCESS, ROUTINE_COMMENT \
         FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = {}",
        r.db_lit()
    );
    for row in r.rows("routines", &sql)? {
        let name = s(&row, 0);
        let mut ps = params.remove(&name).unwrap_or_default();
        ps.sort();
        let args: Vec<String> = ps.into_iter().map(|p| p.1).collect();
        let procedure = s(&row, 1).eq_ignore_ascii_case("procedure");
        let body = unqualify(&s(&row, 3), &r.db);
        let mut fields = routine_fields(
            &args,
            if procedure { None } else { text(&row, 2) }.as_deref(),
            &body,
            s(&row, 4) == "YES",
            s(&row, 5) == "DEFINER",
        );
        routine_characteristics(
            &mut fields,
            text(&row, 6).as_deref(),
            text(&row, 7).as_deref(),
        );
        let kind = if procedure { "procedure" } else { "function" };
        m.routines.insert(
            vec![name],
            Routine {
                kind: kind.into(),
                fields,
            },
        );
    }
    Ok(())
}

/// Events of the event scheduler.
pub(crate) fn events(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let sql = format!(
        "SELECT EVENT_NAME, EVENT_TYPE, INTERVAL_VALUE, INTERVAL_FIELD, ON_COMPLETION, STATUS, \
                EVENT_COMMENT, EVENT_DEFINITION \
         FROM information_schema.EVENTS WHERE EVENT_SCHEMA = {}",
        r.db_lit()
    );
    for row in r.rows("events", &sql)? {
        let recurring = s(&row, 1).eq_ignore_ascii_case("recurring");
        let (n, unit) = (s(&row, 2), s(&row, 3));
        let every = recurring.then_some((n.as_str(), unit.as_str()));
        let body = unqualify(&s(&row, 7), &r.db);
        let fields = event_fields(
            every,
            s(&row, 4).eq_ignore_ascii_case("preserve"),
            s(&row, 5).eq_ignore_ascii_case("enabled"),
            text(&row, 6).as_deref(),
            &body,
        );
        m.others.insert(("event".into(), vec![s(&row, 0)]), fields);
    }
    Ok(())
}

/// Partitioning of tables: method and expression, and the partitions'
/// bounds (folded into the table's entry).
pub(crate) fn partitions(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let sql = format!(
        "SELECT TABLE_NAME, PARTITION_METHOD, PARTITION_EXPRESSION, PARTITION_NAME, \
                PARTITION_DESCRIPTION FROM information_schema.PARTITIONS \
         WHERE TABLE_SCHEMA = {} AND PARTITION_NAME IS NOT NULL",
        r.db_lit()
    );
    for row in r.rows("partitions", &sql)? {
        if let Some(t) = m.tables.get_mut(&vec![s(&row, 0)]) {
            let expr = squash(&s(&row, 2)).replace('`', "");
            t.partition_key = Some(format!("{} ({expr})", s(&row, 1).to_uppercase()));
            t.partitions
                .push(format!("{}: {}", s(&row, 3), squash(&s(&row, 4))));
        }
    }
    Ok(())
}

/// Privileges on the database and its tables.
pub(crate) fn grants(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let sql = format!(
        "SELECT GRANTEE, PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES \
         WHERE TABLE_SCHEMA = {}",
        r.db_lit()
    );
    let mut db_acl: Vec<String> = r
        .rows("database privileges", &sql)?
        .iter()
        .map(|row| format!("{}:{}", s(row, 0), s(row, 1)))
        .collect();
    db_acl.sort();
    m.grants
        .insert(("database".into(), vec!["database".into()]), db_acl);
    let sql = format!(
        "SELECT TABLE_NAME, GRANTEE, PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES \
         WHERE TABLE_SCHEMA = {}",
        r.db_lit()
    );
    for row in r.rows("table privileges", &sql)? {
        let e = m
            .grants
            .entry(("table".into(), vec![s(&row, 0)]))
            .or_default();
        e.push(format!("{}:{}", s(&row, 1), s(&row, 2)));
        e.sort();
    }
    Ok(())
}
