//! The class of a schema difference between a release and an environment:
//! whether the version running now keeps working after the change.

use std::fmt;

use crate::policy::Severity;
use crate::value::Value;

/// How a schema difference between a release and an environment is to be
/// deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ChangeClass {
    /// The running version keeps working after it (new table, nullable
    /// column or one with a default, new index, new enum label, widened
    /// type, dropped NOT NULL): migrate, then deploy.
    Expand,
    /// The running version breaks after it (dropped or renamed table or
    /// column, narrowed type, NOT NULL without a default, dropped enum
    /// label): it belongs to a later release.
    Contract,
    /// The release expects something the environment lacks and no pending
    /// migration creates it.
    Unmet,
}

impl ChangeClass {
    /// `expand`, `contract` or `unmet`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeClass::Expand => "expand",
            ChangeClass::Contract => "contract",
            ChangeClass::Unmet => "unmet",
        }
    }

    /// The default severity: expand is info, contract and unmet are errors.
    pub fn severity(self) -> Severity {
        match self {
            ChangeClass::Expand => Severity::Info,
            ChangeClass::Contract | ChangeClass::Unmet => Severity::Error,
        }
    }
}

impl fmt::Display for ChangeClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub(crate) fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    match v {
        Value::Object(f) => f.get(name),
        _ => None,
    }
}

fn text<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    match field(v, name) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// The class of an object of `kind` that is `now` in the environment and
/// `next` in the release.
pub(crate) fn of_change(kind: &str, now: &Value, next: &Value) -> ChangeClass {
    match kind {
        "column" => column(now, next),
        "enum" => match (now, next) {
            // Labels only added (at any place) keep the running version.
            (Value::List(a), Value::List(b)) if a.iter().all(|l| b.contains(l)) => {
                ChangeClass::Expand
            }
            _ => ChangeClass::Contract,
        },
        "index" | "column_order" => ChangeClass::Expand,
        _ => ChangeClass::Contract,
    }
}

fn column(now: &Value, next: &Value) -> ChangeClass {
    let mut class = ChangeClass::Expand;
    let (Value::Object(a), Value::Object(b)) = (now, next) else {
        return ChangeClass::Contract;
    };
    for (name, after) in b {
        let before = a.get(name).unwrap_or(&Value::Null);
        if before == after {
            continue;
        }
        let c = match name.as_str() {
            "nullable" => {
                // NOT NULL on an existing column: writers of the running
                // version may insert NULL, unless a default fills it.
                let to_not_null = *after == Value::Bool(false);
                let has_default = !matches!(field(next, "default"), None | Some(Value::Null));
                if to_not_null && !has_default {
                    ChangeClass::Contract
                } else {
                    ChangeClass::Expand
                }
            }
            "default" => ChangeClass::Expand,
            "type" => match (text(now, "type"), text(next, "type")) {
                (Some(x), Some(y)) if widened(x, y) => ChangeClass::Expand,
                _ => ChangeClass::Contract,
            },
            _ => ChangeClass::Contract,
        };
        class = class.max(c);
    }
    class
}

/// Whether `to` holds every value `from` does.
fn widened(from: &str, to: &str) -> bool {
    const INTS: &[&str] = &["smallint", "integer", "bigint"];
    const MY_INTS: &[&str] = &["tinyint", "smallint", "mediumint", "int", "bigint"];
    for ladder in [INTS, MY_INTS] {
        if let (Some(i), Some(j)) = (
            ladder.iter().position(|t| *t == from),
            ladder.iter().position(|t| *t == to),
        ) {
            return j >= i;
        }
    }
    let length = |t: &str, base: &str| -> Option<u64> {
        t.strip_prefix(base)?
            .strip_prefix('(')?
            .strip_suffix(')')?
            .parse()
            .ok()
    };
    for base in ["character varying", "varchar", "character", "char"] {
        if let Some(n) = length(from, base) {
            if to == "text" || to == base {
                return true;
            }
            if let Some(m) = length(to, base) {
                return m >= n;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn col(ty: &str, nullable: bool, default: Option<&str>) -> Value {
        let mut f = BTreeMap::new();
        f.insert("type".to_owned(), Value::from(ty));
        f.insert("nullable".to_owned(), Value::Bool(nullable));
        f.insert(
            "default".to_owned(),
            default.map_or(Value::Null, Value::from),
        );
        Value::Object(f)
    }

    #[test]
    fn columns() {
        let c = |a, b| of_change("column", &a, &b);
        assert_eq!(
            c(col("integer", true, None), col("bigint", true, None)),
            ChangeClass::Expand
        );
        assert_eq!(
            c(col("bigint", true, None), col("integer", true, None)),
            ChangeClass::Contract
        );
        assert_eq!(
            c(
                col("character varying(64)", true, None),
                col("character varying(255)", true, None)
            ),
            ChangeClass::Expand
        );
        assert_eq!(
            c(
                col("character varying(64)", true, None),
                col("character varying(8)", true, None)
            ),
            ChangeClass::Contract
        );
        assert_eq!(
            c(col("text", false, None), col("text", true, None)),
            ChangeClass::Expand
        );
        assert_eq!(
            c(col("text", true, None), col("text", false, None)),
            ChangeClass::Contract
        );
        assert_eq!(
            c(col("text", true, None), col("text", false, Some("'new'"))),
            ChangeClass::Expand
        );
    }

    #[test]
    fn enums() {
        let l = |v: &[&str]| Value::List(v.iter().map(|s| Value::from(*s)).collect());
        assert_eq!(
            of_change("enum", &l(&["a"]), &l(&["a", "b"])),
            ChangeClass::Expand
        );
        assert_eq!(
            of_change("enum", &l(&["a", "b"]), &l(&["a"])),
            ChangeClass::Contract
        );
    }
}
