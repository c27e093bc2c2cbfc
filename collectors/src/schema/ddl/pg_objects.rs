//! PostgreSQL objects other than tables, shared by the file parser and the
//! live reader where PostgreSQL prints a definition (`pg_get_triggerdef`,
//! `pg_get_function_arguments`): sequences, views, functions, triggers,
//! domains, policies.

use drift_core::Value;

use super::cursor::Cursor;
use super::lexer::{Dialect, Tok};
use super::pgdefs::{dotted, norm_expr, qualify};
use crate::schema::canon::{pg_default, pg_type, squash};
use crate::schema::model::{Fields, Name, list, opt};

/// Storage parameters as compared: `name=value`, the name lower-cased and
/// the value unquoted (a dump writes `fillfactor='70'`), a boolean word as
/// `true` or `false`, sorted; a view's
/// `check_option` is left out (it is a field of its own).
pub(crate) fn reloptions(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = items
        .iter()
        .map(|o| match o.split_once('=') {
            Some((k, v)) => {
                let v = v.trim();
                let v = v
                    .strip_prefix('\'')
                    .and_then(|x| x.strip_suffix('\''))
                    .map_or_else(|| v.to_owned(), |x| x.replace("''", "'"));
                // The server keeps a boolean as written (`on`, `yes`).
                let v = match v.to_ascii_lowercase().as_str() {
                    "on" | "yes" | "true" => "true".to_owned(),
                    "off" | "no" | "false" => "false".to_owned(),
                    _ => v,
                };
                format!("{}={v}", k.trim().to_lowercase())
            }
            None => format!("{}=true", o.trim().to_lowercase()),
        })
        .filter(|o| !o.starts_with("check_option="))
        .collect();
    out.sort();
    out
}

/// `REPLICA IDENTITY` as recorded: `full`, `nothing`, `index NAME`; `None`
/// for the default (the primary key).
pub(crate) fn replica_identity(code: &str, index: Option<&str>) -> Option<String> {
    match code {
        "f" => Some("full".into()),
        "n" => Some("nothing".into()),
        "i" => Some(format!("index {}", index.unwrap_or_default())),
        _ => None,
    }
}

/// Adds a table's storage parameters, replica identity and parents, each
/// only when not the default, so that a table without them has the value
/// it always had.
pub(crate) fn table_extras(
    fields: &mut Fields,
    options: Vec<String>,
    replica: Option<String>,
    inherits: Vec<String>,
) {
    if !options.is_empty() {
        fields.insert("options".into(), list(&options));
    }
    if let Some(r) = replica {
        fields.insert("replica_identity".into(), Value::String(r));
    }
    if !inherits.is_empty() {
        fields.insert("inherits".into(), list(&inherits));
    }
}

/// The fields of a `partition:` entry.
pub(crate) fn partition_fields(
    parent: String,
    bound: String,
    row_security: bool,
    force_row_security: bool,
    key: Option<String>,
) -> Fields {
    let mut f = Fields::new();
    f.insert("parent".into(), Value::String(parent));
    f.insert("bound".into(), Value::String(bound));
    f.insert("row_security".into(), Value::Bool(row_security));
    f.insert("force_row_security".into(), Value::Bool(force_row_security));
    if let Some(k) = key {
        f.insert("partition_key".into(), Value::String(k));
    }
    f
}

/// The fields a view or materialized view adds to its value: storage
/// parameters (`security_barrier=true`) and `check_option` (`local`,
/// `cascaded`), each only when set.
pub(crate) fn view_extra(options: Vec<String>, check: Option<String>) -> Option<Fields> {
    let mut f = Fields::new();
    if !options.is_empty() {
        f.insert("options".into(), list(&options));
    }
    if let Some(c) = check {
        f.insert("check_option".into(), Value::String(c.to_lowercase()));
    }
    (!f.is_empty()).then_some(f)
}

/// A collation's fields: `provider` (`libc`, `icu`), `deterministic`, and
/// `locale` when collate and ctype agree (always for ICU), else
/// `lc_collate` and `lc_ctype`.
pub(crate) fn collation_fields(
    provider: &str,
    deterministic: bool,
    collate: Option<String>,
    ctype: Option<String>,
) -> Fields {
    let mut f = Fields::new();
    f.insert("provider".into(), Value::String(provider.to_owned()));
    f.insert("deterministic".into(), Value::Bool(deterministic));
    if collate == ctype {
        f.insert("locale".into(), opt(collate.as_deref()));
    } else {
        f.insert("lc_collate".into(), opt(collate.as_deref()));
        f.insert("lc_ctype".into(), opt(ctype.as_deref()));
    }
    f
}

/// The limits of an integer type, for sequence defaults.
pub(crate) fn int_limits(ty: &str) -> (i64, i64) {
    match ty {
        "smallint" => (i16::MIN.into(), i16::MAX.into()),
        "integer" => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN, i64::MAX),
    }
}

/// The fields of a sequence.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sequence_fields(
    ty: &str,
    start: i64,
    increment: i64,
    min: i64,
    max: i64,
    cache: i64,
    cycle: bool,
    owned_by: Option<String>,
) -> Fields {
    let mut f = Fields::new();
    f.insert("type".into(), Value::String(ty.to_owned()));
    f.insert("start".into(), Value::Int(start));
    f.insert("increment".into(), Value::Int(increment));
    f.insert("min".into(), Value::Int(min));
    f.insert("max".into(), Value::Int(max));
    f.insert("cache".into(), Value::Int(cache));
    f.insert("cycle".into(), Value::Bool(cycle));
    f.insert("owned_by".into(), opt(owned_by.as_deref()));
    f
}

/// `CREATE SEQUENCE` options, `c` after the name.
/// `default_type` when no `AS type` is written (`bigint` for `CREATE
/// SEQUENCE`, the column's type for an identity).
pub(crate) fn sequence_options(c: &mut Cursor<'_>, default_type: &str) -> Fields {
    let mut ty = default_type.to_owned();
    let (mut inc, mut min, mut max, mut start, mut cache, mut cycle) =
        (1i64, None, None, None, 1i64, false);
    let num = |c: &mut Cursor<'_>| -> Option<i64> {
        let neg = c.op("-");
        let n = match &c.advance()?.tok {
            Tok::Number(n) => n.parse::<i64>().ok()?,
            _ => return None,
        };
        Some(if neg { -n } else { n })
    };
    while !c.at_end() {
        if c.kw("as") {
            ty = pg_type(&c.raw_until(|t| matches!(t.tok, Tok::Word(_)) && !t.is_kw("precision")));
            if ty.is_empty()
                && let Some(n) = c.name()
            {
                ty = pg_type(&n);
            }
        } else if c.kw("increment") {
            c.kw("by");
            inc = num(c).unwrap_or(1);
        } else if c.kws(&["no", "minvalue"]) || c.kws(&["no", "maxvalue"]) {
        } else if c.kw("minvalue") {
            min = num(c);
        } else if c.kw("maxvalue") {
            max = num(c);
        } else if c.kw("start") {
            c.kw("with");
            start = num(c);
        } else if c.kw("cache") {
            cache = num(c).unwrap_or(1);
        } else if c.kws(&["no", "cycle"]) {
            cycle = false;
        } else if c.kw("cycle") {
            cycle = true;
        } else {
            c.skip_one();
        }
    }
    let (lo, hi) = int_limits(&ty);
    let min = min.unwrap_or(if inc > 0 { 1 } else { lo });
    let max = max.unwrap_or(if inc > 0 { hi } else { -1 });
    let start = start.unwrap_or(if inc > 0 { min } else { max });
    sequence_fields(&ty, start, inc, min, max, cache, cycle, None)
}

/// A trigger's table, name and fields, from `CREATE [CONSTRAINT] TRIGGER …`
/// text (file statement or `pg_get_triggerdef`), `c` after `TRIGGER`;
/// `constraint` when it was `CONSTRAINT TRIGGER` (then `constraint`,
/// `deferrable` and `initially_deferred` are fields too).
pub(crate) fn trigger(
    c: &mut Cursor<'_>,
    schema: &str,
    constraint: bool,
) -> Option<(Name, Fields)> {
    let name = c.name()?;
    let timing = if c.kws(&["instead", "of"]) {
        "INSTEAD OF".to_owned()
    } else {
        c.advance()?.name(Dialect::Postgres)?.to_uppercase()
    };
    let mut events = Vec::new();
    loop {
        let ev = c.name()?.to_uppercase();
        if ev == "UPDATE" && c.kw("of") {
            let mut cols = Vec::new();
            while let Some(n) = c.name() {
                cols.push(n);
                if !c.op(",") {
                    break;
                }
            }
            events.push(format!("UPDATE OF {}", cols.join(", ")));
        } else {
            events.push(ev);
        }
        if !c.kw("or") {
            break;
        }
    }
    events.sort();
    if !c.kw("on") {
        return None;
    }
    let table = qualify(c.qname()?, schema);
    let mut level = "STATEMENT";
    let mut when = None;
    let mut function = None;
    let (mut deferrable, mut deferred) = (false, false);
    while !c.at_end() {
        if c.kws(&["not", "deferrable"]) {
            deferrable = false;
        } else if c.kw("deferrable") {
            deferrable = true;
        } else if c.kws(&["initially", "deferred"]) {
            deferred = true;
        } else if c.kws(&["initially", "immediate"]) {
            deferred = false;
        } else if c.kw("for") {
            c.kw("each");
            if c.kw("row") {
                level = "ROW";
            } else {
                c.kw("statement");
            }
        } else if c.kw("when") {
            when = c.paren_raw().map(|w| norm_expr(&w));
        } else if c.kw("execute") {
            c.advance();
            let f = qualify(c.qname()?, schema);
            let args = c.paren_raw().unwrap_or_default();
            function = Some(format!("{}({})", dotted(&f), squash(&args)));
        } else {
            c.skip_one();
        }
    }
    let mut f = Fields::new();
    f.insert("timing".into(), Value::String(timing));
    f.insert("events".into(), list(&events));
    f.insert("level".into(), Value::String(level.into()));
    f.insert("when".into(), opt(when.as_deref()));
    f.insert("function".into(), opt(function.as_deref()));
    f.insert("enabled".into(), Value::Bool(true));
    if constraint {
        f.insert("constraint".into(), Value::Bool(true));
        f.insert("deferrable".into(), Value::Bool(deferrable));
        f.insert("initially_deferred".into(), Value::Bool(deferred));
    }
    let mut key = table;
    key.push(name);
    Some((key, f))
}

/// `CREATE POLICY name ON table …`, `c` after `POLICY`.
pub(crate) fn policy(c: &mut Cursor<'_>, schema: &str) -> Option<(Name, Fields)> {
    let name = c.name()?;
    if !c.kw("on") {
        return None;
    }
    let table = qualify(c.qname()?, schema);
    let mut permissive = true;
    let mut command = "ALL".to_owned();
    let mut roles = Vec::new();
    let mut using = None;
    let mut check = None;
    while !c.at_end() {
        if c.kw("as") {
            permissive = !c.kw("restrictive");
            c.kw("permissive");
        } else if c.kw("for") {
            command = c.name().unwrap_or_default().to_uppercase();
        } else if c.kw("to") {
            while let Some(r) = c.name() {
                roles.push(r);
                if !c.op(",") {
                    break;
                }
            }
        } else if c.kw("using") {
            using = c.paren_raw().map(|e| norm_expr(&e));
        } else if c.kws(&["with", "check"]) {
            check = c.paren_raw().map(|e| norm_expr(&e));
        } else {
            c.skip_one();
        }
    }
    Some(policy_entry(
        table, name, permissive, &command, roles, using, check,
    ))
}

/// A policy's key and fields.
pub(crate) fn policy_entry(
    table: Name,
    name: String,
    permissive: bool,
    command: &str,
    mut roles: Vec<String>,
    using: Option<String>,
    check: Option<String>,
) -> (Name, Fields) {
    if roles.is_empty() {
        roles.push("public".into());
    }
    roles.sort();
    let mut f = Fields::new();
    f.insert("permissive".into(), Value::Bool(permissive));
    f.insert("command".into(), Value::String(command.to_uppercase()));
    f.insert("roles".into(), list(&roles));
    f.insert("using".into(), opt(using.as_deref()));
    f.insert("check".into(), opt(check.as_deref()));
    let mut key = table;
    key.push(name);
    (key, f)
}

/// `CREATE DOMAIN name [AS] type …`, `c` after `DOMAIN`.
pub(crate) fn domain(c: &mut Cursor<'_>, schema: &str) -> Option<(Name, Fields)> {
    let name = qualify(c.qname()?, schema);
    c.kw("as");
    let ty = pg_type(&c.raw_until(|t| {
        ["collate", "default", "constraint", "not", "null", "check"]
            .iter()
            .any(|k| t.is_kw(k))
    }));
    let mut nullable = true;
    let mut default = None;
    let mut checks = Fields::new();
    let mut cname: Option<String> = None;
    while !c.at_end() {
        if c.kw("constraint") {
            cname = c.name();
        } else if c.kws(&["not", "null"]) {
            nullable = false;
        } else if c.kw("null") {
            nullable = true;
        } else if c.kw("default") {
            let raw = c.raw_until(|t| t.is_kw("constraint") || t.is_kw("check") || t.is_kw("not"));
            default = Some(pg_default(&raw, &ty));
        } else if c.kw("check") {
            let expr = c.paren_raw().unwrap_or_default();
            let n = cname.take().unwrap_or_else(|| format!("{}_check", name[1]));
            checks.insert(n, Value::String(norm_expr(&expr)));
            c.kws(&["not", "valid"]);
        } else {
            c.skip_one();
        }
    }
    Some((name, domain_fields(&ty, nullable, default, checks)))
}

/// A domain's fields.
pub(crate) fn domain_fields(
    ty: &str,
    nullable: bool,
    default: Option<String>,
    checks: Fields,
) -> Fields {
    let mut f = Fields::new();
    f.insert("type".into(), Value::String(ty.to_owned()));
    f.insert("nullable".into(), Value::Bool(nullable));
    f.insert("default".into(), opt(default.as_deref()));
    f.insert("checks".into(), Value::Object(checks));
    f
}

/// A view definition as compared: squashed, without a trailing `;` or
/// `WITH [NO] DATA`.
pub(crate) fn view_definition(raw: &str) -> String {
    let mut s = squash(raw);
    loop {
        let before = s.len();
        s = s.trim_end_matches(';').trim_end().to_owned();
        for tail in [" WITH NO DATA", " WITH DATA"] {
            if s.len() >= tail.len() && s[s.len() - tail.len()..].eq_ignore_ascii_case(tail) {
                s.truncate(s.len() - tail.len());
            }
        }
        if s.len() == before {
            return s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    #[test]
    fn triggers_parse_into_fields() {
        for text in [
            "CREATE TRIGGER trg BEFORE INSERT OR UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()",
            "create trigger trg before update or insert on orders for each row execute procedure touch()",
        ] {
            let toks = tokenize(text, Dialect::Postgres);
            let mut c = Cursor::new(text, &toks, Dialect::Postgres);
            c.kw("create");
            c.kw("trigger");
            let (k, f) = trigger(&mut c, "public", false).unwrap();
            assert_eq!(k, ["public", "orders", "trg"]);
            assert_eq!(f["events"], list(&["INSERT", "UPDATE"]));
            assert_eq!(f["function"], Value::from("public.touch()"));
            assert_eq!(f["level"], Value::from("ROW"));
        }
    }
}
