//! Values of MySQL objects, built the same way from a live catalog and from
//! a mysqldump.

use drift_core::Value;

use super::lexer::{Dialect, Tok, tokenize};
use crate::schema::canon::{mysql_type, squash};
use crate::schema::model::{Constraint, Fields, Index, Model, list, opt};

/// The last name part of a foreign key that shares its name with a UNIQUE
/// or PRIMARY key of the same table (MySQL keeps keys and foreign keys in
/// separate namespaces): `constraint:t.NAME.foreign_key`.
pub(crate) const FK_SUFFIX: &str = "foreign_key";

/// An index or CHECK name as MySQL compares it: without regard to case.
/// `PRIMARY` keeps its spelling.
pub(crate) fn key_name(name: &str) -> String {
    if name.eq_ignore_ascii_case("primary") {
        "PRIMARY".to_owned()
    } else {
        name.to_lowercase()
    }
}

/// Records one key of a table: PRIMARY and UNIQUE keys as constraints, the
/// others as indexes. `extra` holds the key's comment and whether it is
/// ignored (invisible), when they are set.
pub(crate) fn add_key(
    m: &mut Model,
    table: &str,
    name: &str,
    unique: bool,
    method: &str,
    columns: Vec<String>,
    extra: Fields,
) {
    let name = key_name(name);
    let key = vec![table.to_owned(), name.clone()];
    if name == "PRIMARY" || (unique && method != "fulltext" && method != "spatial") {
        let kind = if name == "PRIMARY" {
            "primary key"
        } else {
            "unique"
        };
        // A foreign key of the same name moves aside.
        if let Some(fk) = m.constraints.remove(&key)
            && fk.kind == "foreign key"
        {
            m.constraints
                .insert(vec![table.to_owned(), name, FK_SUFFIX.to_owned()], fk);
        }
        m.add_extras("constraint", &key, extra);
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
    m.add_extras("index", &key, extra);
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

/// Records a foreign key: under `[table, name]`, or beside a UNIQUE or
/// PRIMARY key of that name under `[table, name, foreign_key]`.
pub(crate) fn add_foreign_key(m: &mut Model, table: &str, name: &str, k: Constraint) {
    let mut key = vec![table.to_owned(), name.to_owned()];
    let lower = vec![table.to_owned(), key_name(name)];
    if m.constraints
        .get(&lower)
        .is_some_and(|c| c.kind != "foreign key")
    {
        key = lower;
        key.push(FK_SUFFIX.to_owned());
    }
    m.constraints.insert(key, k);
}

/// The canonical form of a MySQL CHECK expression, the same however it was
/// written: identifiers unquoted and lower-cased (MySQL column names are
/// case-insensitive), keywords lower-cased, no space around operators, `!=`
/// as `<>`, enclosing parentheses dropped. String literals are kept.
pub(crate) fn check_expr(text: &str) -> String {
    check_expr_in(text, Dialect::Mysql)
}

/// [`check_expr`] of a text in `dialect` (SQLite quotes names with `"`).
pub(crate) fn check_expr_in(text: &str, dialect: Dialect) -> String {
    let toks = tokenize(text, dialect);
    // Words that read as operators: a parenthesis after them is spaced.
    const WORD_OPS: &[&str] = &[
        "and", "or", "xor", "not", "in", "like", "regexp", "rlike", "between", "is",
    ];
    let mut out = String::with_capacity(text.len());
    let mut prev = "";
    let mut prev_word = false;
    for t in &toks {
        let (piece, word) = match &t.tok {
            Tok::Word(w) => (w.to_lowercase(), true),
            Tok::Quoted(q) => (q.to_lowercase(), true),
            Tok::Number(_) | Tok::Str(_) => (text[t.start..t.end].to_owned(), true),
            Tok::Op(o) if o == "!=" => ("<>".to_owned(), false),
            Tok::Op(o) => (o.clone(), false),
            Tok::End => continue,
        };
        let spaced = (word && (prev_word || prev == ")"))
            || (piece == "(" && prev_word && WORD_OPS.contains(&prev));
        if spaced {
            out.push(' ');
        }
        out.push_str(&piece);
        prev_word = word;
        prev = if word || piece == ")" {
            // Only what the next token's spacing needs.
            match piece.as_str() {
                ")" => ")",
                p => WORD_OPS.iter().find(|w| **w == p).copied().unwrap_or("w"),
            }
        } else {
            ""
        };
    }
    strip_outer(&out)
}

/// `s` without the parentheses that enclose all of it.
fn strip_outer(s: &str) -> String {
    let mut s = s;
    while s.starts_with('(') && s.ends_with(')') {
        let inner = &s[1..s.len() - 1];
        // The first `(` must close at the very end.
        let mut depth = 0i32;
        let mut quote: Option<char> = None;
        let mut ok = true;
        for c in inner.chars() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    '\'' | '"' => quote = Some(c),
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth < 0 {
                            ok = false;
                            break;
                        }
                    }
                    _ => {}
                },
            }
        }
        if !ok || depth != 0 {
            break;
        }
        s = inner;
    }
    s.to_owned()
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

/// Whether a canonical MySQL type holds characters (and so a collation).
pub(crate) fn is_character_type(ty: &str) -> bool {
    let base = ty.split(['(', ' ']).next().unwrap_or(ty);
    matches!(
        base,
        "char"
            | "varchar"
            | "tinytext"
            | "text"
            | "mediumtext"
            | "longtext"
            | "enum"
            | "set"
            | "nchar"
            | "nvarchar"
    )
}

/// The default collation of a character set, for a schema file that names
/// the set alone (MariaDB's defaults; a mysqldump names the collation).
pub(crate) fn charset_collation(charset: &str) -> String {
    let cs = charset.to_lowercase();
    let cs = if cs == "utf8" {
        "utf8mb3".to_owned()
    } else {
        cs
    };
    match cs.as_str() {
        "binary" => "binary".to_owned(),
        "latin1" => "latin1_swedish_ci".to_owned(),
        "big5" => "big5_chinese_ci".to_owned(),
        "gbk" | "gb2312" => format!("{cs}_chinese_ci"),
        "sjis" | "ujis" | "cp932" | "eucjpms" => format!("{cs}_japanese_ci"),
        "euckr" => "euckr_korean_ci".to_owned(),
        "tis620" => "tis620_thai_ci".to_owned(),
        "hebrew" => "hebrew_general_ci".to_owned(),
        _ => format!("{cs}_general_ci"),
    }
}

/// Declared table options recorded (besides engine, character set,
/// collation, comment and row format), as `SHOW CREATE TABLE` and
/// `information_schema.TABLES.CREATE_OPTIONS` both list them.
const TABLE_OPTIONS: &[&str] = &[
    "page_compressed",
    "page_compression_level",
    "key_block_size",
    "compression",
    "encrypted",
    "encryption",
    "encryption_key_id",
    "stats_persistent",
    "stats_auto_recalc",
    "stats_sample_pages",
    "checksum",
    "delay_key_write",
    "max_rows",
    "min_rows",
    "pack_keys",
    "transactional",
    "page_checksum",
];

/// `name=value` of a recorded table option, canonical (lower case, no
/// quotes); `None` for an option not recorded.
pub(crate) fn table_option(name: &str, value: &str) -> Option<String> {
    let name = name.to_lowercase();
    TABLE_OPTIONS
        .contains(&name.as_str())
        .then(|| format!("{name}={}", value.trim_matches('\'').to_lowercase()))
}

/// The recorded options of `information_schema.TABLES.CREATE_OPTIONS`
/// (`row_format=DYNAMIC `PAGE_COMPRESSED`='1'`): the row format, and the
/// other options sorted.
pub(crate) fn create_options(text: &str) -> (Option<String>, Vec<String>) {
    let toks = tokenize(text, Dialect::Mysql);
    let mut row_format = None;
    let mut options = Vec::new();
    let mut i = 0;
    while i + 2 < toks.len() {
        let (k, eq, v) = (&toks[i], &toks[i + 1], &toks[i + 2]);
        let key = k.name(Dialect::Mysql);
        let value = match &v.tok {
            Tok::Str(x) | Tok::Number(x) | Tok::Word(x) | Tok::Quoted(x) => Some(x.clone()),
            _ => None,
        };
        match (key, eq.is_op("="), value) {
            (Some(key), true, Some(value)) => {
                if key.eq_ignore_ascii_case("row_format") {
                    row_format = Some(value.to_uppercase());
                } else if let Some(o) = table_option(&key, &value) {
                    options.push(o);
                }
                i += 3;
            }
            _ => i += 1,
        }
    }
    options.sort();
    (row_format, options)
}

/// The `ALGORITHM` of a view's `SHOW CREATE VIEW` text (`CREATE
/// ALGORITHM=MERGE DEFINER=… SQL SECURITY … VIEW …`), upper case. MySQL 8
/// writes it always, `UNDEFINED` included (`append_algorithm` in
/// sql/sql_show.cc), while its information_schema.VIEWS has no ALGORITHM
/// column; mysqldump copies this text into its `/*!50001 CREATE
/// ALGORITHM=… */` line.
pub(crate) fn create_view_algorithm(create: &str) -> Option<String> {
    let mut words = create.split_ascii_whitespace();
    if !words.next()?.eq_ignore_ascii_case("create") {
        return None;
    }
    let word = words.next()?;
    let (key, value) = word.split_once('=')?;
    key.eq_ignore_ascii_case("algorithm")
        .then(|| value.to_ascii_uppercase())
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// The fields of a view besides its definition, each only when it is not
/// the default: `algorithm` (not `UNDEFINED`), `security` (`INVOKER`),
/// `check_option` (`CASCADED` or `LOCAL`).
pub(crate) fn view_fields(
    algorithm: Option<&str>,
    security: Option<&str>,
    check_option: Option<&str>,
) -> Fields {
    let mut f = Fields::new();
    let up = |v: Option<&str>| v.map(|v| v.trim().to_uppercase());
    if let Some(a) = up(algorithm).filter(|a| !a.is_empty() && a != "UNDEFINED") {
        f.insert("algorithm".into(), Value::String(a));
    }
    if let Some(s) = up(security).filter(|s| !s.is_empty() && s != "DEFINER") {
        f.insert("security".into(), Value::String(s));
    }
    if let Some(c) = up(check_option).filter(|c| !c.is_empty() && c != "NONE") {
        f.insert("check_option".into(), Value::String(c));
    }
    f
}

/// Sets a trigger's `order` (its place among the triggers of the same
/// table, timing and event), recorded only where there are several.
pub(crate) fn set_trigger_order(fields: &mut Fields, order: usize, of: usize) {
    if of > 1 {
        fields.insert("order".into(), Value::Int(order as i64));
    }
}

/// A routine's SQL data access (when not the default `CONTAINS SQL`) and
/// comment (when not empty).
pub(crate) fn routine_characteristics(
    fields: &mut Fields,
    access: Option<&str>,
    comment: Option<&str>,
) {
    if let Some(a) = access
        .map(|a| a.trim().to_uppercase())
        .filter(|a| !a.is_empty() && a != "CONTAINS SQL")
    {
        fields.insert("data_access".into(), Value::String(a));
    }
    if let Some(c) = comment.filter(|c| !c.is_empty()) {
        fields.insert("comment".into(), Value::String(c.to_owned()));
    }
}

/// The fields of an event: its schedule (`EVERY 1 DAY`, or `AT` for a
/// one-time event, whose time and start are instants of its creation and
/// not recorded), `on_completion`, `enabled`, `comment` and body.
pub(crate) fn event_fields(
    every: Option<(&str, &str)>,
    preserve: bool,
    enabled: bool,
    comment: Option<&str>,
    body: &str,
) -> Fields {
    let mut f = Fields::new();
    let schedule = match every {
        Some((n, unit)) => format!(
            "EVERY {} {}",
            n.trim().trim_matches('\''),
            unit.to_uppercase()
        ),
        None => "AT".to_owned(),
    };
    f.insert("schedule".into(), Value::String(schedule));
    let completion = if preserve { "PRESERVE" } else { "NOT PRESERVE" };
    f.insert("on_completion".into(), Value::String(completion.into()));
    f.insert("enabled".into(), Value::Bool(enabled));
    if let Some(c) = comment.filter(|c| !c.is_empty()) {
        f.insert("comment".into(), Value::String(c.to_owned()));
    }
    f.insert("body".into(), Value::String(squash(body)));
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_algorithm_of_show_create_view_is_read() {
        let of = create_view_algorithm;
        assert_eq!(
            of("CREATE ALGORITHM=MERGE DEFINER=`root`@`%` SQL SECURITY DEFINER VIEW `v` AS select 1")
                .as_deref(),
            Some("MERGE")
        );
        assert_eq!(
            of("CREATE ALGORITHM=UNDEFINED DEFINER=`a`@`b` SQL SECURITY INVOKER VIEW `v` AS select 1")
                .as_deref(),
            Some("UNDEFINED")
        );
        assert_eq!(of("CREATE VIEW `v` AS select 1"), None);
        assert_eq!(of("CREATE TABLE `t` (a int)"), None);
        assert_eq!(of(""), None);
    }

    #[test]
    fn equivalent_checks_have_one_form() {
        let want = "a>0 and b<>2";
        for text in [
            "a>0 AND b != 2",
            "((A > 0 AND `B` <> 2))",
            "`a` > 0 and `b` <> 2",
        ] {
            assert_eq!(check_expr(text), want, "{text}");
        }
        assert_eq!(
            check_expr("(`a` > 0) AND NOT (json_valid(`j`))"),
            "(a>0) and not (json_valid(j))"
        );
        // Strings keep their case and spaces; different checks differ.
        assert_eq!(check_expr("s = 'A  b'"), "s='A  b'");
        assert_ne!(check_expr("a > 0"), check_expr("a >= 0"));
        assert_eq!(check_expr("(a > 0) or (b > 0)"), "(a>0) or (b>0)");
    }

    #[test]
    fn create_options_give_the_row_format_and_the_recorded_options() {
        let (rf, o) = create_options("row_format=DYNAMIC `PAGE_COMPRESSED`='1' partitioned");
        assert_eq!(rf.as_deref(), Some("DYNAMIC"));
        assert_eq!(o, ["page_compressed=1"]);
        assert_eq!(create_options(""), (None, vec![]));
        assert_eq!(
            table_option("KEY_BLOCK_SIZE", "8").as_deref(),
            Some("key_block_size=8")
        );
        assert_eq!(table_option("auto_increment", "5"), None);
    }

    #[test]
    fn a_foreign_key_beside_a_unique_key_of_its_name_keeps_its_own_entry() {
        for fk_first in [false, true] {
            let mut m = Model::default();
            let fk = Constraint {
                kind: "foreign key".into(),
                columns: vec!["p_id".into()],
                references: Some("p".into()),
                ..Constraint::default()
            };
            if fk_first {
                add_foreign_key(&mut m, "c", "c_p", fk.clone());
            }
            add_key(
                &mut m,
                "c",
                "C_P",
                true,
                "btree",
                vec!["p_id".into()],
                Fields::new(),
            );
            if !fk_first {
                add_foreign_key(&mut m, "c", "c_p", fk.clone());
            }
            let keys: Vec<Vec<String>> = m.constraints.keys().cloned().collect();
            assert_eq!(
                keys,
                [
                    vec!["c".to_owned(), "c_p".to_owned()],
                    vec!["c".to_owned(), "c_p".to_owned(), FK_SUFFIX.to_owned()]
                ],
                "fk first: {fk_first}"
            );
            assert_eq!(m.constraints[&keys[1]], fk);
        }
    }

    #[test]
    fn charsets_name_their_default_collation() {
        assert_eq!(charset_collation("latin1"), "latin1_swedish_ci");
        assert_eq!(charset_collation("UTF8"), "utf8mb3_general_ci");
        assert_eq!(charset_collation("utf8mb4"), "utf8mb4_general_ci");
        assert!(is_character_type("varchar(20)"));
        assert!(is_character_type("enum('a')"));
        assert!(!is_character_type("varbinary(20)"));
        assert!(!is_character_type("json"));
    }
}
