//! Schemas (namespaces), collations and comments of a live PostgreSQL
//! database, one query per kind.

use super::{Reader, b, json_list, oid, s, text, user_ns};
use crate::schema::ddl::pg_extras::PUBLIC_COMMENT;
use crate::schema::ddl::{canonical_args, collation_fields, routine_name};
use crate::schema::error::SchemaError;
use crate::schema::model::{Fields, Model};
use crate::schema::scope::Scope;

/// `d` (a pg_description row) describes an object not owned by an extension.
const NOT_EXT_DESC: &str = "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x \
     WHERE x.classid = d.classoid AND x.objid = d.objoid AND x.deptype = 'e')";

/// The user's schemas (not those of extensions).
pub(crate) fn schemas(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let ns = r.ns("n");
    let sql = format!(
        "SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE {ns} \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = \
               'pg_catalog.pg_namespace'::pg_catalog.regclass AND x.objid = n.oid \
               AND x.deptype = 'e')"
    );
    for row in r.rows("schemas", &sql)? {
        m.schemas.insert(s(&row, 0), Fields::new());
    }
    Ok(())
}

/// Collations created in the user's schemas.
pub(crate) fn collations(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let ns = r.ns("n");
    // The ICU locale moved between versions: colliculocale (15, 16),
    // colllocale (17 on); before 15 an ICU collation keeps it in collcollate.
    let icu = if r.version_num >= 170_000 {
        "co.colllocale"
    } else if r.version_num >= 150_000 {
        "co.colliculocale"
    } else {
        "co.collcollate"
    };
    let sql = format!(
        "SELECT n.nspname, co.collname, co.collprovider, co.collisdeterministic, \
                co.collcollate, co.collctype, {icu} \
         FROM pg_catalog.pg_collation co \
         JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace \
         WHERE {ns} AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = \
               'pg_catalog.pg_collation'::pg_catalog.regclass AND x.objid = co.oid \
               AND x.deptype = 'e')"
    );
    for row in r.rows("collations", &sql)? {
        let provider = match s(&row, 2).as_str() {
            "i" => "icu",
            "d" => "default",
            _ => "libc",
        };
        let (collate, ctype) = if provider == "icu" {
            let l = text(&row, 6);
            (l.clone(), l)
        } else {
            (text(&row, 4), text(&row, 5))
        };
        m.collations.insert(
            vec![s(&row, 0), s(&row, 1)],
            collation_fields(provider, b(&row, 3), collate, ctype),
        );
    }
    Ok(())
}

/// Comments on tables, partitions, columns, views, materialized views,
/// sequences, indexes, constraints, triggers, policies, functions,
/// procedures, enums, domains, collations and schemas.
pub(crate) fn comments(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let ns = r.ns("n");
    let on = |catalog: &str, alias: &str| {
        format!(
            "FROM pg_catalog.pg_description d JOIN pg_catalog.{catalog} {alias} \
             ON d.classoid = 'pg_catalog.{catalog}'::pg_catalog.regclass \
             AND {alias}.oid = d.objoid"
        )
    };
    let rel_part = |catalog: &str, alias: &str, relcol: &str, namecol: &str, kind: &str| {
        format!(
            "SELECT '{kind}', n.nspname, \
                    pg_catalog.json_build_array(c.relname, {alias}.{namecol})::text, \
                    d.description, NULL::text, {NOT_EXT_DESC} \
             {} JOIN pg_catalog.pg_class c ON c.oid = {alias}.{relcol} \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE {ns}",
            on(catalog, alias)
        )
    };
    let sql = [
        format!(
            "SELECT CASE WHEN d.objsubid <> 0 THEN 'column' \
                         WHEN c.relispartition AND c.relkind IN ('r', 'p') THEN 'partition' \
                         WHEN c.relkind IN ('r', 'p') THEN 'table' \
                         WHEN c.relkind = 'v' THEN 'view' \
                         WHEN c.relkind = 'm' THEN 'materialized_view' \
                         WHEN c.relkind = 'S' THEN 'sequence' ELSE 'index' END, \
                    n.nspname, pg_catalog.json_build_array(c.relname, a.attname)::text, \
                    d.description, NULL::text, {NOT_EXT_DESC} \
             {} JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_catalog.pg_attribute a ON d.objsubid > 0 AND a.attrelid = c.oid \
              AND a.attnum = d.objsubid \
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'I') AND {ns}",
            on("pg_class", "c")
        ),
        rel_part("pg_constraint", "k", "conrelid", "conname", "constraint"),
        rel_part("pg_trigger", "t", "tgrelid", "tgname", "trigger"),
        rel_part("pg_policy", "p", "polrelid", "polname", "policy"),
        format!(
            "SELECT CASE WHEN p.prokind = 'p' THEN 'procedure' ELSE 'function' END, n.nspname, \
                    pg_catalog.json_build_array(p.proname)::text, d.description, \
                    pg_catalog.pg_get_function_arguments(p.oid), {NOT_EXT_DESC} \
             {} JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
             WHERE p.prokind IN ('f', 'p') AND {ns}",
            on("pg_proc", "p")
        ),
        format!(
            "SELECT CASE WHEN t.typtype = 'e' THEN 'enum' ELSE 'domain' END, n.nspname, \
                    pg_catalog.json_build_array(t.typname)::text, d.description, NULL, \
                    {NOT_EXT_DESC} \
             {} JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
             WHERE t.typtype IN ('e', 'd') AND {ns}",
            on("pg_type", "t")
        ),
        format!(
            "SELECT 'collation', n.nspname, pg_catalog.json_build_array(co.collname)::text, \
                    d.description, NULL, {NOT_EXT_DESC} \
             {} JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace WHERE {ns}",
            on("pg_collation", "co")
        ),
        format!(
            "SELECT 'schema', n.nspname, '[]', d.description, NULL, {NOT_EXT_DESC} \
             {} WHERE {ns} AND NOT (n.nspname = 'public' AND d.description = '{PUBLIC_COMMENT}')",
            on("pg_namespace", "n")
        ),
    ]
    .join(" UNION ALL ");
    for row in r.rows("comments", &sql)? {
        if !b(&row, 5) {
            continue;
        }
        let kind = s(&row, 0);
        let schema = s(&row, 1);
        let parts = json_list(&row, 2);
        let name = match kind.as_str() {
            "function" | "procedure" => {
                let (_, sig) = canonical_args(&s(&row, 4));
                routine_name(&schema, parts.first().map_or("", String::as_str), &sig)
            }
            _ => std::iter::once(schema).chain(parts).collect(),
        };
        m.comments.insert((kind, name), s(&row, 3));
    }
    Ok(())
}

/// The schemas `scope` keeps, as an SQL array of their OIDs for
/// [`Reader::ns`], and the names of those it leaves out, sorted: each user
/// schema not owned by an extension, and a schema an extension owns when it
/// holds a table, view, sequence, routine, enum, domain or collation that
/// the extension does not (what a full read would show of it).
pub(crate) fn scope(
    r: &mut Reader<'_>,
    scope: &Scope,
) -> Result<(String, Vec<String>), SchemaError> {
    let owned = |catalog: &str, oid: &str| {
        format!(
            "EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = \
             'pg_catalog.{catalog}'::pg_catalog.regclass AND x.objid = {oid} AND x.deptype = 'e')"
        )
    };
    // Probed only for the (few) schemas an extension owns.
    let sql = format!(
        "SELECT n.oid, n.nspname, CASE WHEN NOT {} THEN true ELSE \
                EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid \
                        AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND NOT {}) \
             OR EXISTS (SELECT 1 FROM pg_catalog.pg_proc p WHERE p.pronamespace = n.oid \
                        AND p.prokind IN ('f', 'p') AND NOT {}) \
             OR EXISTS (SELECT 1 FROM pg_catalog.pg_type t WHERE t.typnamespace = n.oid \
                        AND t.typtype IN ('e', 'd') AND NOT {}) \
             OR EXISTS (SELECT 1 FROM pg_catalog.pg_collation co \
                        WHERE co.collnamespace = n.oid AND NOT {}) END \
         FROM pg_catalog.pg_namespace n WHERE {}",
        owned("pg_namespace", "n.oid"),
        owned("pg_class", "c.oid"),
        owned("pg_proc", "p.oid"),
        owned("pg_type", "t.oid"),
        owned("pg_collation", "co.oid"),
        user_ns("n"),
    );
    let mut kept = Vec::new();
    let mut left_out = Vec::new();
    for row in r.rows("schemas", &sql)? {
        let name = s(&row, 1);
        if scope.keeps(&name) {
            kept.push(oid(&row, 0).to_string());
        } else if b(&row, 2) {
            left_out.push(name);
        }
    }
    left_out.sort();
    Ok((
        format!("'{{{}}}'::pg_catalog.oid[]", kept.join(",")),
        left_out,
    ))
}
