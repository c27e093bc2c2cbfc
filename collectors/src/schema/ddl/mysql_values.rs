//! Values of MySQL objects, built the same way from a live catalog and from
//! a mysqldump.

use drift_core::Value;

use crate::schema::canon::{mysql_type, squash};
use crate::schema::model::{Constraint, Fields, Index, Model, list, opt};

/// Records one key of a table: PRIMARY and UNIQUE keys as constraints, the
/// others as indexes.
pub(crate) fn add_key(
    m: &mut Model,
    table: &str,
    name: &str,
    unique: bool,
    method: &str,
    columns: Vec<String>,
) {
    let key = vec![table.to_owned(), name.to_owned()];
    if name == "PRIMARY" || (unique && method != "fulltext" && method != "spatial") {
        let kind = if name == "PRIMARY" {
            "primary key"
        } else {
            "unique"
        };
        m.constraints.insert(
            key,
            Constraint {
                kind: kind.into(),
                columns,
                validated: true,
                ..Constraint::default()
            },
        );
        return;
    }
    m.indexes.insert(
        key,
        Index {
            table: table.to_owned(),
            method: Some(method.to_owned()),
            columns,
            include: Vec::new(),
            unique,
            predicate: None,
            valid: true,
        },
    );
}

/// A view body without the database's own name in qualified names (it
/// differs between environments; `SHOW CREATE VIEW` leaves it out too).
pub(crate) fn unqualify(body: &str, db: &str) -> String {
    let prefix = format!("`{}`.", db.replace('`', "``"));
    body.replace(&prefix, "")
}

/// The fields of a MySQL trigger.
pub(crate) fn trigger_fields(timing: &str, event: &str, body: &str) -> Fields {
    let mut f = Fields::new();
    f.insert("timing".into(), Value::String(timing.to_uppercase()));
    f.insert("events".into(), list(&[event.to_uppercase()]));
    f.insert("level".into(), Value::String("ROW".into()));
    f.insert("body".into(), Value::String(squash(body)));
    f
}

/// The fields of a MySQL routine.
pub(crate) fn routine_fields(
    arguments: &[String],
    returns: Option<&str>,
    body: &str,
    deterministic: bool,
    security_definer: bool,
) -> Fields {
    let mut f = Fields::new();
    f.insert("arguments".into(), Value::String(arguments.join(", ")));
    f.insert("returns".into(), opt(returns.map(mysql_type).as_deref()));
    f.insert("body".into(), Value::String(squash(body)));
    f.insert("deterministic".into(), Value::Bool(deterministic));
    f.insert("security_definer".into(), Value::Bool(security_definer));
    f
}

/// One canonical parameter: `[MODE ]name type` (IN is left out).
pub(crate) fn parameter(mode: Option<&str>, name: &str, ty: &str) -> String {
    let mode = mode.map(str::to_uppercase).filter(|m| m != "IN");
    let ty = mysql_type(ty);
    match mode {
        Some(m) => format!("{m} {name} {ty}"),
        None => format!("{name} {ty}"),
    }
}
