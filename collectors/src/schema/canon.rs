//! Canonical forms: type aliases folded, expression text normalised, so that
//! a schema file and a live database describe the same object the same way.

/// Collapses runs of whitespace outside quotes into one space and trims.
pub(crate) fn squash(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut pending_space = false;
    for c in text.chars() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        if matches!(c, '\'' | '"' | '`') {
            quote = Some(c);
        }
        out.push(c);
    }
    out
}

/// Lower-cases a text outside quotes.
fn lower_unquoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
                out.push(c);
            }
            None => {
                if matches!(c, '\'' | '"' | '`') {
                    quote = Some(c);
                }
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

/// Splits `base(args) rest[]` into its parts: the base name, the modifier
/// inside the first parentheses, what follows them, and the array suffix.
fn split_type(text: &str) -> (String, Option<String>, String, String) {
    let mut t = text.trim().to_owned();
    let mut array = String::new();
    while t.ends_with(']') {
        match t.rfind('[') {
            Some(p) => {
                array.insert_str(0, "[]");
                t.truncate(p);
                t = t.trim_end().to_owned();
            }
            None => break,
        }
    }
    match (t.find('('), t.rfind(')')) {
        (Some(open), Some(close)) if close > open && !t.starts_with('"') => {
            let base = t[..open].trim().to_owned();
            let args: String = t[open + 1..close]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let rest = t[close + 1..].trim().to_owned();
            (base, Some(args), rest, array)
        }
        _ => (t, None, String::new(), array),
    }
}

/// The canonical PostgreSQL spelling of a type, as `format_type` writes it:
/// `int4` → `integer`, `varchar(255)` → `character varying(255)`,
/// `timestamptz` → `timestamp with time zone`.
pub(crate) fn pg_type(raw: &str) -> String {
    let text = lower_unquoted(&squash(raw));
    let (base, args, rest, array) = split_type(&text);
    let base = base.strip_prefix("pg_catalog.").unwrap_or(&base).to_owned();
    let full = if rest.is_empty() {
        base.clone()
    } else {
        format!("{base} {rest}")
    };
    let with = |name: &str, a: Option<String>| match a {
        Some(a) => format!("{name}({a})"),
        None => name.to_owned(),
    };
    let tz = |name: &str, zone: bool, a: Option<String>| {
        let head = with(name, a);
        if zone {
            format!("{head} with time zone")
        } else {
            format!("{head} without time zone")
        }
    };
    let canonical = match full.as_str() {
        "int" | "int4" | "integer" | "serial" | "serial4" => "integer".to_owned(),
        "int2" | "smallint" | "smallserial" | "serial2" => "smallint".to_owned(),
        "int8" | "bigint" | "bigserial" | "serial8" => "bigint".to_owned(),
        "float8" | "double precision" => "double precision".to_owned(),
        "float4" | "real" => "real".to_owned(),
        "float" => match args.as_deref().and_then(|a| a.parse::<u32>().ok()) {
            Some(p) if p <= 24 => "real".to_owned(),
            _ => "double precision".to_owned(),
        },
        "bool" | "boolean" => "boolean".to_owned(),
        "varchar" | "character varying" => with("character varying", args),
        "char" | "character" | "bpchar" => {
            with("character", Some(args.unwrap_or_else(|| "1".to_owned())))
        }
        "decimal" | "numeric" => with("numeric", args),
        "varbit" | "bit varying" => with("bit varying", args),
        "bit" => with("bit", Some(args.unwrap_or_else(|| "1".to_owned()))),
        "timestamptz" | "timestamp with time zone" => tz("timestamp", true, args),
        "timestamp" | "timestamp without time zone" => tz("timestamp", false, args),
        "timetz" | "time with time zone" => tz("time", true, args),
        "time" | "time without time zone" => tz("time", false, args),
        _ => with(&full, args),
    };
    format!("{canonical}{array}")
}

/// Whether a declared PostgreSQL type is a serial pseudo-type, and the
/// integer type it stands for.
pub(crate) fn pg_serial(raw: &str) -> Option<&'static str> {
    match raw.trim().to_lowercase().as_str() {
        "serial" | "serial4" => Some("integer"),
        "smallserial" | "serial2" => Some("smallint"),
        "bigserial" | "serial8" => Some("bigint"),
        _ => None,
    }
}

/// SQL value functions PostgreSQL deparses in upper case.
const PG_VALUE_FUNCTIONS: &[&str] = &[
    "current_timestamp",
    "current_date",
    "current_time",
    "localtimestamp",
    "localtime",
    "current_user",
    "session_user",
    "current_role",
    "current_catalog",
    "current_schema",
];

/// The canonical form of a PostgreSQL column default: whitespace squashed,
/// SQL value functions upper-cased, and a literal cast to the column's own
/// type dropped (`'new'::text` on a `text` column is `'new'`).
pub(crate) fn pg_default(expr: &str, column_type: &str) -> String {
    let squashed = squash(expr);
    let e = without_outer_parens(&squashed).to_owned();
    if PG_VALUE_FUNCTIONS.iter().any(|f| e.eq_ignore_ascii_case(f)) {
        return e.to_uppercase();
    }
    if let Some((lit, cast)) = split_literal_cast(&e) {
        let col_base = split_type(column_type).0;
        let cast_type = pg_type(cast);
        let cast_base = split_type(&cast_type).0;
        if cast_type == column_type || cast_base == col_base {
            return lit.to_owned();
        }
    }
    e
}

/// `'…'::type` → (`'…'`, `type`).
fn split_literal_cast(e: &str) -> Option<(&str, &str)> {
    if !e.starts_with('\'') {
        return None;
    }
    let bytes = e.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            break;
        }
        i += 1;
    }
    let lit = e.get(..=i)?;
    let cast = e.get(i + 1..)?.strip_prefix("::")?;
    (!cast.contains("::")).then_some((lit, cast))
}

/// `e` without the parentheses that enclose all of it, every layer, in one
/// pass (layer by layer was quadratic).
fn without_outer_parens(e: &str) -> &str {
    let b = e.as_bytes();
    // The closing partner of each opening parenthesis outside quotes.
    let mut partner = vec![usize::MAX; b.len()];
    let mut open = Vec::new();
    let mut quote = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'\'' => quote = !quote,
            b'(' if !quote => open.push(i),
            b')' if !quote => {
                if let Some(o) = open.pop() {
                    partner[o] = i;
                }
            }
            _ => {}
        }
    }
    // Layer `k` opens at `start` and closes at `end`, spaces aside.
    let (mut start, mut end) = (0, b.len());
    loop {
        while start < end && b[start] == b' ' {
            start += 1;
        }
        while end > start && b[end - 1] == b' ' {
            end -= 1;
        }
        if end - start >= 2 && b[start] == b'(' && partner[start] == end - 1 {
            start += 1;
            end -= 1;
        } else {
            return &e[start..end];
        }
    }
}

/// The canonical MySQL/MariaDB spelling of a column type: lower case,
/// integer display widths dropped (MySQL 8 no longer shows them; `tinyint(1)`
/// is kept), aliases folded.
pub(crate) fn mysql_type(raw: &str) -> String {
    let text = lower_unquoted(&squash(raw));
    let (base, args, rest, _) = split_type(&text);
    let (base, flags) = match base.split_once(' ') {
        Some((b, f)) => (b.to_owned(), f.to_owned()),
        None => (base, String::new()),
    };
    let mut tail = [flags, rest]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if base == "double" && tail.starts_with("precision") {
        tail = tail.trim_start_matches("precision").trim().to_owned();
    }
    let with = |name: &str, a: Option<String>| match a {
        Some(a) => format!("{name}({a})"),
        None => name.to_owned(),
    };
    let head = match base.as_str() {
        "bool" | "boolean" => "tinyint(1)".to_owned(),
        "tinyint" if args.as_deref() == Some("1") => "tinyint(1)".to_owned(),
        "tinyint" | "smallint" | "mediumint" | "bigint" => base.clone(),
        "int" | "integer" | "int4" => "int".to_owned(),
        "int1" => "tinyint".to_owned(),
        "int2" => "smallint".to_owned(),
        "int3" | "middleint" => "mediumint".to_owned(),
        "int8" => "bigint".to_owned(),
        "dec" | "numeric" | "decimal" | "fixed" => {
            with("decimal", Some(args.unwrap_or_else(|| "10,0".to_owned())))
        }
        "real" | "double" => with("double", args),
        "float4" => "float".to_owned(),
        "float8" => "double".to_owned(),
        "character" | "char" => with("char", Some(args.unwrap_or_else(|| "1".to_owned()))),
        _ => with(&base, args),
    };
    if tail.is_empty() {
        head
    } else {
        format!("{head} {tail}")
    }
}

/// Whether a canonical MySQL type is numeric (its defaults are numbers).
fn mysql_numeric(ty: &str) -> bool {
    let base = ty.split(['(', ' ']).next().unwrap_or(ty);
    matches!(
        base,
        "tinyint"
            | "smallint"
            | "mediumint"
            | "int"
            | "bigint"
            | "decimal"
            | "float"
            | "double"
            | "bit"
            | "year"
    )
}

/// The canonical form of a MySQL/MariaDB default, as MariaDB's
/// `information_schema` and `SHOW CREATE TABLE` write it: literals quoted
/// (numbers bare), functions in lower case with parentheses
/// (`current_timestamp()`), `NULL` as no default. `expression` tells a MySQL
/// 8 literal (unquoted in its catalog) from an expression
/// (`DEFAULT_GENERATED`).
pub(crate) fn mysql_default(raw: &str, ty: &str, expression: bool) -> Option<String> {
    let t = raw.trim();
    if t.is_empty() && !expression {
        return Some("''".to_owned());
    }
    if t.eq_ignore_ascii_case("null") {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    for f in ["current_timestamp", "now", "localtimestamp", "localtime"] {
        if let Some(rest) = lower.strip_prefix(f) {
            let args = rest
                .trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .trim();
            return Some(if args.is_empty() {
                "current_timestamp()".to_owned()
            } else {
                format!("current_timestamp({args})")
            });
        }
    }
    if t.starts_with('\'') {
        // A quoted number on a numeric column is the number.
        let inner = &t[1..t.len().saturating_sub(1).max(1)];
        if mysql_numeric(ty) && inner.parse::<f64>().is_ok() {
            return Some(inner.to_owned());
        }
        return Some(t.to_owned());
    }
    if expression || mysql_numeric(ty) && t.parse::<f64>().is_ok() {
        return Some(squash(t));
    }
    if t.starts_with("b'") || t.starts_with("0x") {
        return Some(t.to_owned());
    }
    // MySQL 8 lists literal defaults unquoted.
    Some(format!("'{}'", t.replace('\'', "''")))
}

/// The canonical SQLite declared type: squashed and lower-cased (SQLite
/// compares type names without regard to case).
pub(crate) fn sqlite_type(raw: &str) -> String {
    lower_unquoted(&squash(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_lose_every_enclosing_layer_of_parentheses_in_linear_time() {
        assert_eq!(pg_default("( (1) )", "integer"), "1");
        assert_eq!(pg_default("(1) + (2)", "integer"), "(1) + (2)");
        assert_eq!(pg_default("(')(')", "text"), "')('");
        assert_eq!(pg_default("((a)", "text"), "((a)");
        let n = 200_000;
        let deep = format!("{}1{}", "(".repeat(n), ")".repeat(n));
        let started = std::time::Instant::now();
        assert_eq!(pg_default(&deep, "integer"), "1");
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }

    #[test]
    fn postgres_aliases_fold_to_format_type_names() {
        for (raw, want) in [
            ("int4", "integer"),
            ("INT", "integer"),
            ("varchar(255)", "character varying(255)"),
            ("VARCHAR ( 255 )", "character varying(255)"),
            ("character varying", "character varying"),
            ("timestamptz", "timestamp with time zone"),
            ("timestamp(3) with time zone", "timestamp(3) with time zone"),
            ("timestamp", "timestamp without time zone"),
            ("bool", "boolean"),
            ("decimal(12,2)", "numeric(12, 2)".replace(' ', "").as_str()),
            ("float", "double precision"),
            ("float(10)", "real"),
            ("int8[]", "bigint[]"),
            ("text [ ]", "text[]"),
            ("char", "character(1)"),
            ("public.\"Status\"", "public.\"Status\""),
            ("pg_catalog.int2", "smallint"),
            ("jsonb", "jsonb"),
        ] {
            assert_eq!(pg_type(raw), want, "{raw}");
        }
    }

    #[test]
    fn postgres_defaults_drop_casts_to_the_column_type() {
        assert_eq!(pg_default("'new'::text", "text"), "'new'");
        assert_eq!(
            pg_default("'x'::character varying", "character varying(20)"),
            "'x'"
        );
        assert_eq!(
            pg_default("'pending'::public.order_status", "public.order_status"),
            "'pending'"
        );
        assert_eq!(pg_default("'1'::integer", "text"), "'1'::integer");
        assert_eq!(
            pg_default("current_timestamp", "timestamp"),
            "CURRENT_TIMESTAMP"
        );
        assert_eq!(pg_default("now()", "x"), "now()");
        assert_eq!(pg_default("('a''b'::text)", "text"), "'a''b'");
    }

    #[test]
    fn mysql_types_drop_display_widths() {
        assert_eq!(mysql_type("int(11)"), "int");
        assert_eq!(mysql_type("INT(10) UNSIGNED"), "int unsigned");
        assert_eq!(mysql_type("tinyint(1)"), "tinyint(1)");
        assert_eq!(mysql_type("boolean"), "tinyint(1)");
        assert_eq!(mysql_type("bigint(20)"), "bigint");
        assert_eq!(mysql_type("DECIMAL"), "decimal(10,0)");
        assert_eq!(mysql_type("enum('A','b')"), "enum('A','b')");
        assert_eq!(mysql_type("varchar(255)"), "varchar(255)");
        assert_eq!(mysql_type("double precision"), "double");
    }

    #[test]
    fn mysql_defaults_are_canonical() {
        assert_eq!(mysql_default("NULL", "int", true), None);
        assert_eq!(
            mysql_default("'pending'", "enum('pending')", true).as_deref(),
            Some("'pending'")
        );
        assert_eq!(
            mysql_default("pending", "varchar(20)", false).as_deref(),
            Some("'pending'")
        );
        assert_eq!(mysql_default("0", "int", false).as_deref(), Some("0"));
        assert_eq!(mysql_default("'0'", "int", true).as_deref(), Some("0"));
        assert_eq!(
            mysql_default("CURRENT_TIMESTAMP", "timestamp", true).as_deref(),
            Some("current_timestamp()")
        );
        assert_eq!(
            mysql_default("current_timestamp(6)", "datetime(6)", true).as_deref(),
            Some("current_timestamp(6)")
        );
    }

    #[test]
    fn squash_keeps_quoted_whitespace() {
        assert_eq!(squash("  a \n  b 'x  y'  "), "a b 'x  y'");
    }
}
