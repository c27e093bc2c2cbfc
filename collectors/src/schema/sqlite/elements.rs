//! What SQLite's pragmas do not tell, read from a CREATE TABLE text: a
//! column's COLLATE and a foreign key's deferral.

use crate::schema::ddl::{Cursor, Dialect, tokenize};

/// `text` lower-cased outside quotes and brackets.
pub(super) fn lower_unquoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut close: Option<char> = None;
    for c in text.chars() {
        match close {
            Some(q) => {
                if c == q {
                    close = None;
                }
                out.push(c);
            }
            None => {
                close = match c {
                    '\'' | '"' | '`' => Some(c),
                    '[' => Some(']'),
                    _ => None,
                };
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

/// What one element of a CREATE TABLE's list declares that SQLite's
/// pragmas do not tell: a column's COLLATE, a foreign key's deferral.
#[derive(Debug, Default)]
pub(super) struct Element {
    /// The column it defines (`None` for a table constraint).
    pub(super) column: Option<String>,
    /// `COLLATE name`, lower-cased (SQLite's collation names are without
    /// case).
    pub(super) collate: Option<String>,
    /// Whether it holds REFERENCES.
    pub(super) references: bool,
    /// The referencing columns (the column itself, or FOREIGN KEY's list).
    pub(super) fk_columns: Vec<String>,
    pub(super) deferrable: bool,
    pub(super) initially_deferred: bool,
}

/// The elements of a CREATE TABLE text.
pub(super) fn table_elements(sql: &str) -> Vec<Element> {
    let toks = tokenize(sql, Dialect::Sqlite);
    let mut c = Cursor::new(sql, &toks, Dialect::Sqlite);
    while !c.at_end() && !c.is_op("(") {
        c.advance();
    }
    if !c.op("(") {
        return Vec::new();
    }
    let mut out = Vec::new();
    loop {
        let text = c.raw_until(|t| t.is_op(","));
        out.push(element(&text));
        if !c.op(",") {
            break;
        }
    }
    out
}

fn element(text: &str) -> Element {
    let toks = tokenize(text, Dialect::Sqlite);
    let mut c = Cursor::new(text, &toks, Dialect::Sqlite);
    let mut e = Element::default();
    if c.kw("constraint") {
        c.name();
    }
    let table_level = ["primary", "unique", "check", "foreign"]
        .iter()
        .any(|k| c.is_kw(k));
    if !table_level {
        e.column = c.name();
        e.fk_columns = e.column.iter().cloned().collect();
    } else if c.kws(&["foreign", "key"]) {
        e.fk_columns = c.name_list().unwrap_or_default();
    }
    while !c.at_end() {
        if c.kw("collate") {
            e.collate = c.name().map(|n| n.to_lowercase());
        } else if c.kw("references") {
            e.references = true;
        } else if c.kws(&["not", "deferrable"]) {
            e.deferrable = false;
        } else if c.kw("deferrable") {
            e.deferrable = true;
        } else if c.kws(&["initially", "deferred"]) {
            e.initially_deferred = e.deferrable;
        } else {
            c.skip_one();
        }
    }
    e
}
