//! PostgreSQL functions and procedures: canonical argument lists and
//! signatures, shared by the file parser and the live reader (which parses
//! `pg_get_function_arguments`).

use drift_core::Value;

use super::cursor::Cursor;
use super::lexer::{Dialect, tokenize};
use super::pgdefs::qualify;
use crate::schema::canon::{pg_default, pg_type, squash};
use crate::schema::model::{Fields, Name, opt};

/// One function argument, canonical: `[mode ]name type[ DEFAULT expr]`,
/// and its type when it is part of the signature (not OUT).
fn canonical_arg(raw: &str) -> (String, Option<String>) {
    let toks = tokenize(raw, Dialect::Postgres);
    let mut c = Cursor::new(raw, &toks, Dialect::Postgres);
    let mut mode = "";
    for m in ["inout", "in", "out", "variadic"] {
        // A mode word followed by something else is a mode, not a name.
        if c.is_kw(m) && c.peek_at(1).is_some_and(|t| !t.is_op(",")) && toks.len() > 1 {
            c.advance();
            mode = m;
            break;
        }
    }
    let body = c.raw_until(|t| t.is_kw("default") || t.is_op("="));
    let default = if c.kw("default") || c.op("=") {
        Some(c.rest_raw())
    } else {
        None
    };
    let whole = pg_type(&body);
    let btoks = tokenize(&body, Dialect::Postgres);
    let (name, ty) =
        if btoks.len() >= 2 && btoks[0].name(Dialect::Postgres).is_some() && !is_known_type(&whole)
        {
            let n = btoks[0].name(Dialect::Postgres).unwrap_or_default();
            (Some(n), pg_type(&body[btoks[0].end..]))
        } else {
            (None, whole)
        };
    let mut out = String::new();
    if !mode.is_empty() && mode != "in" {
        out.push_str(&mode.to_uppercase());
        out.push(' ');
    }
    if let Some(n) = &name {
        out.push_str(n);
        out.push(' ');
    }
    out.push_str(&ty);
    if let Some(d) = default {
        out.push_str(" DEFAULT ");
        out.push_str(&pg_default(&d, &ty));
    }
    let sig = (mode != "out").then_some(ty);
    (out, sig)
}

/// Whether a canonical type text is a built-in multi-word type (so that its
/// first word is not a parameter name).
fn is_known_type(t: &str) -> bool {
    let base = t.split('(').next().unwrap_or(t).trim_end_matches("[]");
    matches!(
        base,
        "double precision"
            | "character varying"
            | "bit varying"
            | "timestamp with time zone"
            | "timestamp without time zone"
            | "time with time zone"
            | "time without time zone"
    ) || t.starts_with("timestamp(")
        || t.starts_with("time(")
        || t.starts_with("character varying(")
        || t.starts_with("interval ")
}

/// Canonical argument list and signature types of a function.
pub(crate) fn canonical_args(raw: &str) -> (String, Vec<String>) {
    let toks = tokenize(raw, Dialect::Postgres);
    let mut c = Cursor::new(raw, &toks, Dialect::Postgres);
    let mut items = Vec::new();
    loop {
        let item = c.raw_until(|t| t.is_op(","));
        if !item.trim().is_empty() {
            items.push(item);
        }
        if !c.op(",") {
            break;
        }
    }
    let mut args = Vec::new();
    let mut sig = Vec::new();
    for i in items {
        let (a, s) = canonical_arg(&i);
        args.push(a);
        sig.extend(s);
    }
    (args.join(", "), sig)
}

/// The key name of a routine: `name(type, type)`.
pub(crate) fn routine_name(schema: &str, name: &str, sig: &[String]) -> Name {
    vec![schema.to_owned(), format!("{name}({})", sig.join(", "))]
}

/// The canonical return type (`SETOF public.orders`, `TABLE(id integer)`).
pub(crate) fn canonical_returns(raw: &str) -> String {
    let s = squash(raw);
    if let Some(rest) = s
        .strip_prefix("SETOF ")
        .or_else(|| s.strip_prefix("setof "))
    {
        return format!("SETOF {}", pg_type(rest));
    }
    if s.len() > 5 && s[..5].eq_ignore_ascii_case("table") {
        let inner = s[5..].trim().trim_start_matches('(').trim_end_matches(')');
        return format!("TABLE({})", canonical_args(inner).0);
    }
    pg_type(&s)
}

/// Function fields as the model keeps them.
pub(crate) struct RoutineParts {
    pub arguments: String,
    pub returns: Option<String>,
    pub language: String,
    pub volatility: Option<String>,
    pub strict: bool,
    pub security_definer: bool,
    pub body: String,
}

impl RoutineParts {
    /// As fields.
    pub(crate) fn fields(&self) -> Fields {
        let mut f = Fields::new();
        f.insert("arguments".into(), Value::String(self.arguments.clone()));
        f.insert("returns".into(), opt(self.returns.as_deref()));
        f.insert("language".into(), Value::String(self.language.clone()));
        f.insert("volatility".into(), opt(self.volatility.as_deref()));
        f.insert("strict".into(), Value::Bool(self.strict));
        f.insert(
            "security_definer".into(),
            Value::Bool(self.security_definer),
        );
        f.insert("body".into(), Value::String(self.body.clone()));
        f
    }
}

/// `CREATE FUNCTION|PROCEDURE name(args) …`, `c` after the kind word.
/// Returns the kind, key name and fields.
pub(crate) fn routine(
    c: &mut Cursor<'_>,
    procedure: bool,
    schema: &str,
) -> Option<(Name, RoutineParts)> {
    let name = qualify(c.qname()?, schema);
    let raw_args = c.paren_raw()?;
    let (arguments, sig) = canonical_args(&raw_args);
    let mut p = RoutineParts {
        arguments,
        returns: None,
        language: "sql".into(),
        volatility: (!procedure).then(|| "volatile".to_owned()),
        strict: false,
        security_definer: false,
        body: String::new(),
    };
    const ATTRS: &[&str] = &[
        "language",
        "immutable",
        "stable",
        "volatile",
        "strict",
        "called",
        "security",
        "external",
        "parallel",
        "cost",
        "rows",
        "support",
        "set",
        "as",
        "return",
        "begin",
        "window",
        "leakproof",
        "not",
        "transform",
    ];
    while !c.at_end() {
        if c.kw("returns") {
            if c.kws(&["null", "on", "null", "input"]) {
                p.strict = true;
                continue;
            }
            let raw = c.raw_until(|t| ATTRS.iter().any(|a| t.is_kw(a)));
            p.returns = Some(canonical_returns(&raw));
        } else if c.kw("language") {
            p.language = c.name().unwrap_or_default().to_lowercase();
        } else if c.kw("immutable") || c.kw("stable") || c.kw("volatile") {
            let prev = ["immutable", "stable", "volatile"]
                .into_iter()
                .find(|k| c.prev_is_kw(k));
            p.volatility = prev.map(str::to_owned);
        } else if c.kw("strict") {
            p.strict = true;
        } else if c.kws(&["called", "on", "null", "input"]) {
            p.strict = false;
        } else if c.kws(&["security", "definer"]) || c.kws(&["external", "security", "definer"]) {
            p.security_definer = true;
        } else if c.kw("as") {
            p.body = c.string().unwrap_or_default().trim().to_owned();
            if c.op(",") {
                c.string();
            }
        } else if c.is_kw("return") || c.is_kw("begin") {
            p.body = squash(&c.rest_raw());
        } else {
            c.skip_one();
        }
    }
    let key = routine_name(&name[0], &name[1], &sig);
    Some((key, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_arguments_are_canonical() {
        let (a, sig) = canonical_args("a int, b varchar DEFAULT 'x', OUT c text, double precision");
        assert_eq!(
            a,
            "a integer, b character varying DEFAULT 'x', OUT c text, double precision"
        );
        assert_eq!(sig, ["integer", "character varying", "double precision"]);
    }
}
