//! What a SQL migration does, read with the schema-file lexer and cursor
//! (`ddl`): one `OPERATION OBJECT` string per schema change, with objects
//! named as the schema keys name them (`add_column public.orders.note`,
//! `create_index public.orders_note_idx`, `drop_table public.legacy`), so
//! that readiness can tell which pending migration creates, drops or
//! narrows which object. Statements that change no schema (`INSERT`,
//! `UPDATE`, …) and forms it does not know are passed over.

use super::super::ddl::{Cursor, Dialect, statements, tokenize};

/// The operations of `sql`.
pub(crate) fn operations(sql: &str, dialect: Dialect) -> Vec<String> {
    let toks = tokenize(sql, dialect);
    let mut out = Vec::new();
    for stmt in statements(&toks) {
        let mut c = Cursor::new(sql, stmt, dialect);
        statement(&mut c, dialect, &mut out);
    }
    out
}

/// `[table]` → `public.table` on PostgreSQL; as written elsewhere.
fn qualified(name: Vec<String>, dialect: Dialect) -> String {
    let mut name = name;
    if dialect == Dialect::Postgres && name.len() == 1 {
        name.insert(0, "public".to_owned());
    }
    if dialect != Dialect::Postgres && name.len() > 1 {
        name.remove(0);
    }
    name.join(".")
}

fn if_exists(c: &mut Cursor<'_>) {
    let _ = c.kws(&["if", "not", "exists"]) || c.kws(&["if", "exists"]);
}

fn statement(c: &mut Cursor<'_>, d: Dialect, out: &mut Vec<String>) {
    if c.kw("create") {
        let _ = c.kws(&["or", "replace"]);
        let unique = c.kw("unique");
        if c.kw("table") {
            if_exists(c);
            if let Some(t) = c.qname() {
                out.push(format!("create_table {}", qualified(t, d)));
            }
        } else if c.kw("index") {
            let concurrently = c.kw("concurrently");
            if_exists(c);
            let name = if c.is_kw("on") { None } else { c.qname() };
            if !c.kw("on") {
                return;
            }
            let _ = c.kw("only");
            let Some(table) = c.qname() else { return };
            let table = qualified(table, d);
            let index = match (name, d) {
                (Some(n), Dialect::Postgres) => qualified(n, d),
                (Some(n), _) => format!("{table}.{}", n.join(".")),
                (None, _) => return,
            };
            let how = if concurrently || d != Dialect::Postgres {
                ""
            } else {
                " not_concurrently"
            };
            let _ = unique;
            out.push(format!("create_index {index}{how}"));
        } else if c.kw("type") {
            if let Some(t) = c.qname() {
                out.push(format!("create_type {}", qualified(t, d)));
            }
        } else if (c.kw("view") || c.kws(&["materialized", "view"]))
            && let Some(v) = c.qname()
        {
            out.push(format!("create_view {}", qualified(v, d)));
        }
    } else if c.kw("drop") {
        for kind in ["table", "index", "view", "type"] {
            if c.kw(kind) {
                let _ = c.kw("concurrently");
                if_exists(c);
                while let Some(n) = c.qname() {
                    out.push(format!("drop_{kind} {}", qualified(n, d)));
                    if !c.op(",") {
                        break;
                    }
                }
                return;
            }
        }
    } else if c.kws(&["alter", "table"]) {
        if_exists(c);
        let _ = c.kw("only");
        let Some(t) = c.qname() else { return };
        let table = qualified(t, d);
        loop {
            action(c, &table, out);
            // The next action, after the comma that ends this one.
            let _ = c.raw_until(|t| t.is_op(","));
            if !c.op(",") {
                break;
            }
        }
    } else if c.kws(&["alter", "type"]) {
        let Some(t) = c.qname() else { return };
        if c.kws(&["add", "value"]) {
            out.push(format!("add_enum_value {}", qualified(t, d)));
        } else if c.kws(&["rename", "value"]) {
            out.push(format!("rename_enum_value {}", qualified(t, d)));
        }
    }
}

fn action(c: &mut Cursor<'_>, table: &str, out: &mut Vec<String>) {
    if c.kw("add") {
        if c.is_kw("constraint")
            || c.is_kw("primary")
            || c.is_kw("unique")
            || c.is_kw("foreign")
            || c.is_kw("check")
            || c.is_kw("index")
            || c.is_kw("key")
        {
            out.push(format!("add_constraint {table}"));
            return;
        }
        let _ = c.kw("column");
        if_exists(c);
        let Some(col) = c.name() else { return };
        // NOT NULL without a default on a new column fails on a non-empty
        // table, but the running version keeps working: still an expand.
        out.push(format!("add_column {table}.{col}"));
    } else if c.kw("drop") {
        if c.kw("constraint") {
            if_exists(c);
            if let Some(n) = c.name() {
                out.push(format!("drop_constraint {table}.{n}"));
            }
            return;
        }
        let _ = c.kw("column");
        if_exists(c);
        if let Some(col) = c.name() {
            out.push(format!("drop_column {table}.{col}"));
        }
    } else if c.kw("rename") {
        if c.kw("to") {
            out.push(format!("rename_table {table}"));
            return;
        }
        let _ = c.kw("column");
        if let Some(col) = c.name() {
            out.push(format!("rename_column {table}.{col}"));
        }
    } else if c.kw("alter") || c.kw("modify") || c.kw("change") {
        let _ = c.kw("column");
        let Some(col) = c.name() else { return };
        let what = if c.kws(&["set", "not", "null"]) {
            "set_not_null"
        } else if c.kws(&["drop", "not", "null"]) {
            "drop_not_null"
        } else if c.kws(&["set", "default"]) || c.kws(&["drop", "default"]) {
            "set_default"
        } else {
            // `TYPE …`, or MySQL's MODIFY/CHANGE with a whole definition.
            "alter_type"
        };
        out.push(format!("{what} {table}.{col}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_operations() {
        let sql = "CREATE TABLE IF NOT EXISTS orders (id bigint);\n\
                   ALTER TABLE orders ADD COLUMN note text, DROP COLUMN legacy;\n\
                   ALTER TABLE public.orders ALTER COLUMN total SET NOT NULL;\n\
                   CREATE INDEX orders_note_idx ON orders (note);\n\
                   CREATE INDEX CONCURRENTLY orders_b_idx ON orders (b);\n\
                   ALTER TYPE order_status ADD VALUE 'refunded';\n\
                   UPDATE orders SET note = '';\n\
                   DROP TABLE old_a, old_b;";
        assert_eq!(
            operations(sql, Dialect::Postgres),
            [
                "create_table public.orders",
                "add_column public.orders.note",
                "drop_column public.orders.legacy",
                "set_not_null public.orders.total",
                "create_index public.orders_note_idx not_concurrently",
                "create_index public.orders_b_idx",
                "add_enum_value public.order_status",
                "drop_table public.old_a",
                "drop_table public.old_b",
            ]
        );
    }

    #[test]
    fn mysql_operations() {
        let sql = "ALTER TABLE `orders` ADD COLUMN `note` text;\n\
                   ALTER TABLE orders MODIFY total int NOT NULL;\n\
                   CREATE INDEX idx_note ON orders (note);";
        assert_eq!(
            operations(sql, Dialect::Mysql),
            [
                "add_column orders.note",
                "alter_type orders.total",
                "create_index orders.idx_note",
            ]
        );
    }
}
