//! Schemas (namespaces), collations and comments of a live PostgreSQL
//! database, one query per kind.

use super::{Reader, USER_NS, b, json_list, s, text};
use crate::schema::ddl::pg_extras::PUBLIC_COMMENT;
use crate::schema::ddl::{canonical_args, collation_fields, routine_name};
use crate::schema::error::SchemaError;
use crate::schema::model::{Fields, Model};

/// `d` (a pg_description row) describes an object not owned by an extension.
const NOT_EXT_DESC: &str = "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x \
     WHERE x.classid = d.classoid AND x.objid = d.objoid AND x.deptype = 'e')";

/// The user's schemas (not those of extensions).
pub(crate) fn schemas(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let sql = format!(
        "SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE {USER_NS} \
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
         WHERE {USER_NS} AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = \
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
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE {USER_NS}",
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
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'I') AND {USER_NS}",
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
             WHERE p.prokind IN ('f', 'p') AND {USER_NS}",
            on("pg_proc", "p")
        ),
        format!(
            "SELECT CASE WHEN t.typtype = 'e' THEN 'enum' ELSE 'domain' END, n.nspname, \
                    pg_catalog.json_build_array(t.typname)::text, d.description, NULL, \
                    {NOT_EXT_DESC} \
             {} JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
             WHERE t.typtype IN ('e', 'd') AND {USER_NS}",
            on("pg_type", "t")
        ),
        format!(
            "SELECT 'collation', n.nspname, pg_catalog.json_build_array(co.collname)::text, \
                    d.description, NULL, {NOT_EXT_DESC} \
             {} JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace WHERE {USER_NS}",
            on("pg_collation", "co")
        ),
        format!(
            "SELECT 'schema', n.nspname, '[]', d.description, NULL, {NOT_EXT_DESC} \
             {} WHERE {USER_NS} AND NOT (n.nspname = 'public' AND d.description = '{PUBLIC_COMMENT}')",
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
