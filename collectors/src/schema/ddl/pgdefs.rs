//! Parsers for the index and constraint definitions PostgreSQL prints
//! (`pg_get_indexdef`, `pg_get_constraintdef`), shared by the live reader
//! and the schema-file parser so that both produce the same values.

use super::cursor::Cursor;
use super::lexer::{Dialect, Tok, tokenize};
use crate::schema::canon::squash;
use crate::schema::model::{Constraint, Index, Name};

/// Keywords PostgreSQL prints in upper case inside expressions; hand-written
/// files may not.
const EXPR_KEYWORDS: &[&str] = &[
    "and", "or", "not", "is", "null", "true", "false", "in", "like", "ilike", "between",
    "distinct", "from", "any", "all", "case", "when", "then", "else", "end", "asc", "desc",
    "nulls", "first", "last", "collate", "value",
];

/// The canonical text of an expression: whitespace squashed, redundant outer
/// parentheses removed, SQL keywords upper-cased.
pub(crate) fn norm_expr(text: &str) -> String {
    let toks = tokenize(text, Dialect::Postgres);
    let mut out = String::with_capacity(text.len());
    let mut last_end = None;
    for t in &toks {
        if let Some(e) = last_end
            && text[e..t.start].chars().any(char::is_whitespace)
        {
            out.push(' ');
        }
        match &t.tok {
            Tok::Word(w) if EXPR_KEYWORDS.iter().any(|k| w.eq_ignore_ascii_case(k)) => {
                out.push_str(&w.to_uppercase());
            }
            Tok::Quoted(q) if is_plain_ident(q) => out.push_str(q),
            _ => out.push_str(&text[t.start..t.end]),
        }
        last_end = Some(t.end);
    }
    strip_parens(&out)
}

/// Removes parentheses that enclose a whole expression, every layer of
/// them, in one pass over the tokens (layer by layer was quadratic: a
/// default of 100,000 parentheses took an hour).
pub(crate) fn strip_parens(text: &str) -> String {
    let e = text.trim();
    let toks = tokenize(e, Dialect::Postgres);
    let n = toks.len();
    // The closing partner of each opening parenthesis.
    let mut partner = vec![usize::MAX; n];
    let mut open = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if t.is_op("(") {
            open.push(i);
        } else if t.is_op(")")
            && let Some(o) = open.pop()
        {
            partner[o] = i;
        }
    }
    let layers = (0..n / 2)
        .take_while(|&i| toks[i].is_op("(") && partner[i] == n - 1 - i)
        .count();
    if layers == 0 {
        return e.to_owned();
    }
    e[toks[layers - 1].end..toks[n - layers].start]
        .trim()
        .to_owned()
}

/// Whether a quoted identifier would print unquoted (lower-case word).
fn is_plain_ident(q: &str) -> bool {
    let mut chars = q.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !EXPR_KEYWORDS.contains(&q)
}

/// An index key item as PostgreSQL prints it: default ordering dropped
/// (`ASC`, `NULLS LAST` after ASC, `NULLS FIRST` after DESC).
fn norm_item(item: &str) -> String {
    let mut s = norm_expr(item);
    for (suffix, keep) in [
        (" ASC NULLS LAST", ""),
        (" DESC NULLS FIRST", " DESC"),
        (" ASC", ""),
    ] {
        if let Some(head) = s.strip_suffix(suffix) {
            s = format!("{head}{keep}");
        }
    }
    s
}

/// `[schema, name]`: a one-part name gets `default_schema`.
pub(crate) fn qualify(mut parts: Vec<String>, default_schema: &str) -> Name {
    if parts.len() == 1 {
        parts.insert(0, default_schema.to_owned());
    }
    parts
}

/// A name as one dotted text (`public.orders`).
pub(crate) fn dotted(parts: &[String]) -> String {
    parts.join(".")
}

/// A parsed `CREATE INDEX`: its name (if given), its table, and the index.
#[derive(Debug)]
pub(crate) struct ParsedIndex {
    pub name: Option<String>,
    pub table: Name,
    pub index: Index,
    /// The plain column names of the keys, for generated index names.
    pub key_names: Vec<String>,
    /// Storage parameters (`WITH (fillfactor='70')`), as written.
    pub options: Vec<String>,
}

/// Parses a `CREATE [UNIQUE] INDEX …` statement, `c` placed after `CREATE`.
pub(crate) fn parse_index(c: &mut Cursor<'_>, default_schema: &str) -> Option<ParsedIndex> {
    let unique = c.kw("unique");
    if !c.kw("index") {
        return None;
    }
    c.kw("concurrently");
    c.kws(&["if", "not", "exists"]);
    let name = if c.is_kw("on") {
        None
    } else {
        c.qname().map(|mut q| q.pop().unwrap_or_default())
    };
    if !c.kw("on") {
        return None;
    }
    c.kw("only");
    let table = qualify(c.qname()?, default_schema);
    let method = if c.kw("using") {
        c.name().map(|m| m.to_lowercase())
    } else {
        Some("btree".to_owned())
    };
    let items = c.paren_items()?;
    let key_names = items
        .iter()
        .map(|i| {
            let toks = tokenize(i, Dialect::Postgres);
            match toks.first().map(|t| &t.tok) {
                Some(Tok::Word(w)) if toks.len() == 1 || !toks[1].is_op("(") => w.to_lowercase(),
                Some(Tok::Quoted(q)) => q.clone(),
                _ => "expr".to_owned(),
            }
        })
        .collect();
    let columns = items.iter().map(|i| norm_item(i)).collect();
    let mut include = Vec::new();
    let mut predicate = None;
    let mut options = Vec::new();
    while !c.at_end() {
        if let Some(o) = super::pg_extras::with_options(c) {
            options = o;
        } else if c.kw("include") {
            include = c.name_list().unwrap_or_default();
        } else if c.kw("where") {
            predicate = Some(norm_expr(&c.rest_raw()));
        } else {
            c.skip_one();
        }
    }
    Some(ParsedIndex {
        name,
        table: table.clone(),
        index: Index {
            table: dotted(&table),
            method,
            columns,
            include,
            unique,
            predicate,
            valid: true,
        },
        key_names,
        options,
    })
}

/// Parses a constraint body (`PRIMARY KEY (id)`, `FOREIGN KEY … REFERENCES
/// …`, `CHECK (…)`, …), `c` placed at its first word. Names in REFERENCES get
/// `default_schema`.
pub(crate) fn parse_constraint(c: &mut Cursor<'_>, default_schema: &str) -> Option<Constraint> {
    let mut k = Constraint {
        validated: true,
        ..Constraint::default()
    };
    if c.kws(&["primary", "key"]) {
        k.kind = "primary key".into();
        k.columns = c.name_list()?;
    } else if c.kw("unique") {
        k.kind = "unique".into();
        c.kws(&["nulls", "not", "distinct"]);
        k.columns = c.name_list()?;
    } else if c.kws(&["foreign", "key"]) {
        k.kind = "foreign key".into();
        k.columns = c.name_list()?;
        references(c, &mut k, default_schema)?;
    } else if c.kw("check") {
        k.kind = "check".into();
        k.expression = Some(norm_expr(&c.paren_raw()?));
    } else if c.kw("exclude") {
        k.kind = "exclude".into();
        let method = if c.kw("using") { c.name() } else { None };
        let body = c.paren_raw()?;
        let mut expr = format!(
            "USING {} ({})",
            method.unwrap_or_else(|| "btree".into()),
            squash(&body)
        );
        if c.kw("where") {
            let pred = c.raw_until(|t| t.is_kw("deferrable") || t.is_kw("initially"));
            expr.push_str(&format!(" WHERE ({})", norm_expr(&pred)));
        }
        k.expression = Some(expr);
    } else {
        return None;
    }
    constraint_tail(c, &mut k);
    Some(k)
}

/// `REFERENCES table [(cols)] [MATCH …] [ON DELETE …] [ON UPDATE …]`.
pub(crate) fn references(
    c: &mut Cursor<'_>,
    k: &mut Constraint,
    default_schema: &str,
) -> Option<()> {
    if !c.kw("references") {
        return None;
    }
    k.kind = "foreign key".into();
    k.references = Some(dotted(&qualify(c.qname()?, default_schema)));
    if c.is_op("(") {
        k.ref_columns = c.name_list()?;
    }
    k.on_delete = Some("no action".into());
    k.on_update = Some("no action".into());
    loop {
        if c.kw("match") {
            c.advance();
        } else if c.kws(&["on", "delete"]) {
            k.on_delete = Some(action(c));
        } else if c.kws(&["on", "update"]) {
            k.on_update = Some(action(c));
        } else {
            break;
        }
    }
    Some(())
}

fn action(c: &mut Cursor<'_>) -> String {
    let a = if c.kw("cascade") {
        "cascade"
    } else if c.kw("restrict") {
        "restrict"
    } else if c.kws(&["no", "action"]) {
        "no action"
    } else if c.kws(&["set", "null"]) {
        "set null"
    } else if c.kws(&["set", "default"]) {
        "set default"
    } else {
        "no action"
    };
    if c.is_op("(") {
        c.skip_one();
    }
    a.to_owned()
}

/// One `[NOT] DEFERRABLE` or `INITIALLY DEFERRED | IMMEDIATE` clause;
/// whether there was one.
pub(crate) fn deferral(c: &mut Cursor<'_>, k: &mut Constraint) -> bool {
    if c.kws(&["not", "deferrable"]) {
        k.deferrable = false;
    } else if c.kw("deferrable") {
        k.deferrable = true;
    } else if c.kws(&["initially", "deferred"]) {
        k.initially_deferred = true;
    } else if !c.kws(&["initially", "immediate"]) {
        return false;
    }
    true
}

/// DEFERRABLE, INITIALLY DEFERRED, NOT VALID and what else may follow.
pub(crate) fn constraint_tail(c: &mut Cursor<'_>, k: &mut Constraint) {
    while !c.at_end() && !c.is_op(",") && !c.is_op(")") {
        if deferral(c, k) {
            continue;
        }
        if c.kws(&["not", "valid"]) {
            k.validated = false;
        } else if c.kws(&["no", "inherit"]) {
            k.no_inherit = true;
        } else if c.kws(&["on", "delete"]) {
            k.on_delete = Some(action(c));
        } else if c.kws(&["on", "update"]) {
            k.on_update = Some(action(c));
        } else {
            c.skip_one();
        }
    }
}

/// Parses a definition text on its own (a live catalog's output).
pub(crate) fn constraint_from_text(text: &str, default_schema: &str) -> Option<Constraint> {
    let toks = tokenize(text, Dialect::Postgres);
    let mut c = Cursor::new(text, &toks, Dialect::Postgres);
    parse_constraint(&mut c, default_schema)
}

/// Parses a `CREATE INDEX` text on its own (a live catalog's output).
pub(crate) fn index_from_text(text: &str, default_schema: &str) -> Option<ParsedIndex> {
    let toks = tokenize(text, Dialect::Postgres);
    let mut c = Cursor::new(text, &toks, Dialect::Postgres);
    if !c.kw("create") {
        return None;
    }
    parse_index(&mut c, default_schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enclosing_layer_of_parentheses_goes_in_linear_time() {
        assert_eq!(strip_parens(" ( (a > 1) ) "), "a > 1");
        assert_eq!(strip_parens("(a) OR (b)"), "(a) OR (b)");
        assert_eq!(strip_parens("((a)"), "((a)");
        assert_eq!(strip_parens("(')(')"), "')('");
        let n = 100_000;
        let deep = format!("{}a > 1{}", "(".repeat(n), ")".repeat(n));
        let started = std::time::Instant::now();
        assert_eq!(strip_parens(&deep), "a > 1");
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }

    #[test]
    fn index_definitions_parse_into_fields() {
        let p = index_from_text(
            "CREATE UNIQUE INDEX orders_x ON public.orders USING btree (lower(email), created_at DESC) INCLUDE (id) WHERE (deleted_at IS NULL)",
            "public",
        )
        .unwrap();
        assert_eq!(p.name.as_deref(), Some("orders_x"));
        assert_eq!(p.table, ["public", "orders"]);
        assert!(p.index.unique);
        assert_eq!(p.index.columns, ["lower(email)", "created_at DESC"]);
        assert_eq!(p.index.include, ["id"]);
        assert_eq!(p.index.predicate.as_deref(), Some("deleted_at IS NULL"));
        let hand = index_from_text(
            "create unique index orders_x on orders (lower(email), created_at desc nulls first) include (id) where deleted_at is null",
            "public",
        )
        .unwrap();
        assert_eq!(hand.index, p.index);
    }

    #[test]
    fn foreign_keys_with_actions() {
        let k = constraint_from_text(
            "FOREIGN KEY (customer_id) REFERENCES public.customers(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED NOT VALID",
            "public",
        )
        .unwrap();
        assert_eq!(k.kind, "foreign key");
        assert_eq!(k.columns, ["customer_id"]);
        assert_eq!(k.references.as_deref(), Some("public.customers"));
        assert_eq!(k.ref_columns, ["id"]);
        assert_eq!(k.on_delete.as_deref(), Some("cascade"));
        assert_eq!(k.on_update.as_deref(), Some("no action"));
        assert!(k.deferrable && k.initially_deferred && !k.validated);
    }

    #[test]
    fn checks_keep_their_expression() {
        let k = constraint_from_text("CHECK ((amount > (0)::numeric))", "public").unwrap();
        assert_eq!(k.expression.as_deref(), Some("amount > (0)::numeric"));
        assert!(k.validated);
    }
}
