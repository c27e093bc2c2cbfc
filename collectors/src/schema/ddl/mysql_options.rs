//! The options after a MySQL `CREATE TABLE`'s columns: engine, character
//! set and collation, comment, row format, the other declared options, and
//! partitioning.

use drift_core::Value;

use super::cursor::Cursor;
use super::lexer::Tok;
use super::mysql::MyFile;
use super::mysql_values::{charset_collation, table_option};
use crate::schema::canon::squash;
use crate::schema::model::Fields;

/// Reads the table options of `table` and fills in what its columns wait
/// for (the table's collation).
pub(crate) fn table_options(f: &mut MyFile, c: &mut Cursor<'_>, table: &str) {
    let mut fields = Fields::new();
    let mut partition_key = None;
    let mut partitions = Vec::new();
    let mut charset = None;
    let mut options = Vec::new();
    while !c.at_end() {
        if c.kw("engine") {
            c.op("=");
            let e = c.name().unwrap_or_default().to_lowercase();
            fields.insert("engine".into(), Value::String(e));
        } else if c.kw("collate") {
            c.op("=");
            fields.insert(
                "collation".into(),
                Value::String(c.name().unwrap_or_default().to_lowercase()),
            );
        } else if c.kws(&["character", "set"]) || c.kw("charset") {
            c.op("=");
            charset = c.name();
        } else if c.kw("comment") {
            c.op("=");
            if let Some(text) = c.string().filter(|t| !t.is_empty()) {
                fields.insert("comment".into(), Value::String(text));
            }
        } else if c.kw("row_format") {
            c.op("=");
            let v = c.name().unwrap_or_default().to_uppercase();
            fields.insert("row_format".into(), Value::String(v));
        } else if c.kws(&["partition", "by"]) {
            let linear = c.kw("linear");
            let method = c.name().unwrap_or_default().to_uppercase();
            let method = if c.kw("columns") {
                format!("{method} COLUMNS")
            } else {
                method
            };
            let method = if linear {
                format!("LINEAR {method}")
            } else {
                method
            };
            if c.kw("algorithm") {
                c.op("=");
                c.advance();
            }
            let expr = c.paren_raw().unwrap_or_default();
            partition_key = Some(format!("{method} ({})", squash(&expr).replace('`', "")));
            let mut count = None;
            while !c.at_end() && !c.is_op("(") {
                if c.kw("partitions") {
                    count = c.advance().and_then(|t| match &t.tok {
                        Tok::Number(n) => n.parse::<usize>().ok(),
                        _ => None,
                    });
                } else {
                    c.skip_one();
                }
            }
            if c.op("(") {
                while c.kw("partition") {
                    let pname = c.name().unwrap_or_default();
                    c.kw("values");
                    let desc = if c.kws(&["less", "than"]) {
                        if c.kw("maxvalue") {
                            "MAXVALUE".to_owned()
                        } else {
                            squash(&c.paren_raw().unwrap_or_default())
                        }
                    } else if c.kw("in") {
                        squash(&c.paren_raw().unwrap_or_default())
                    } else {
                        String::new()
                    };
                    partitions.push(format!("{pname}: {desc}"));
                    while !c.at_end() && !c.is_op(",") && !c.is_op(")") {
                        c.skip_one();
                    }
                    c.op(",");
                }
            } else if let Some(n) = count {
                // `PARTITIONS n` without a list: MySQL names them p0, p1, ….
                partitions.extend((0..n.min(8192)).map(|i| format!("p{i}: ")));
            }
        } else if let Some(name) = c.peek().and_then(|t| t.name(super::lexer::Dialect::Mysql)) {
            c.advance();
            if c.op("=") {
                let value = match c.advance().map(|t| &t.tok) {
                    Some(Tok::Str(v) | Tok::Number(v) | Tok::Word(v) | Tok::Quoted(v)) => v.clone(),
                    _ => String::new(),
                };
                if let Some(o) = table_option(&name, &value) {
                    options.push(o);
                }
            }
        } else {
            c.skip_one();
        }
    }
    if !fields.contains_key("collation") {
        // A table without a character set or collation of its own has its
        // database's, when the file declares it.
        let own = charset.map(|cs| charset_collation(&cs));
        if let Some(collation) = own.or_else(|| f.database_collation.clone()) {
            fields.insert("collation".into(), Value::String(collation));
        }
    }
    // A dump always names the engine; a hand-written file means the default.
    fields
        .entry("engine".into())
        .or_insert_with(|| Value::String("innodb".into()));
    if !options.is_empty() {
        options.sort();
        fields.insert("options".into(), crate::schema::model::list(&options));
    }
    let table_collation = match fields.get("collation") {
        Some(Value::String(tc)) => Some(tc.clone()),
        _ => None,
    };
    if let Some(t) = f.model.tables.get_mut(&vec![table.to_owned()]) {
        for col in &mut t.columns {
            if col.collation.as_deref() == Some("") {
                col.collation = table_collation.clone();
            }
        }
        t.fields = fields;
        t.partition_key = partition_key;
        t.partitions = partitions;
    }
}
