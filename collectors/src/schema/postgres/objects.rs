//! Sequences, views, routines, triggers, extensions, enums, domains and
//! policies of a live PostgreSQL database.

use drift_core::Value;

use super::{NOT_EXT_REL, Reader, b, int, json_list, s, text};
use crate::schema::canon::{pg_default, squash};
use crate::schema::ddl::pgdefs::{constraint_from_text, norm_expr};
use crate::schema::ddl::{
    Cursor, Dialect, RoutineParts, canonical_args, canonical_returns, domain_fields, policy_entry,
    reloptions, routine_name, sequence_fields, tokenize, trigger, view_definition, view_extra,
};
use crate::schema::error::SchemaError;
use crate::schema::model::{Fields, Model, Routine, View};

/// `x` (a pg_depend probe) for objects of `catalog` not owned by extensions.
fn not_ext(catalog: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = \
         'pg_catalog.{catalog}'::pg_catalog.regclass AND x.objid = {oid} AND x.deptype = 'e')"
    )
}

/// Sequences, those of identity columns too (`owned_by` names the column).
pub(crate) fn sequences(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let ns = r.ns("n");
    let sql = format!(
        "SELECT n.nspname, c.relname, pg_catalog.format_type(q.seqtypid, NULL), q.seqstart, \
                q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle, \
                (SELECT tn.nspname || '.' || tc.relname || '.' || a.attname \
                 FROM pg_catalog.pg_depend d \
                 JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid \
                 JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace \
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid \
                  AND a.attnum = d.refobjsubid \
                 WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass \
                   AND d.objid = c.oid AND d.deptype IN ('a', 'i') \
                   AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass LIMIT 1) \
         FROM pg_catalog.pg_sequence q \
         JOIN pg_catalog.pg_class c ON c.oid = q.seqrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE {ns} AND {NOT_EXT_REL}"
    );
    for row in r.rows("sequences", &sql)? {
        let f = sequence_fields(
            &s(&row, 2),
            int(&row, 3),
            int(&row, 4),
            int(&row, 5),
            int(&row, 6),
            int(&row, 7),
            b(&row, 8),
            text(&row, 9),
        );
        m.sequences.insert(vec![s(&row, 0), s(&row, 1)], f);
    }
    Ok(())
}

/// Views and materialized views.
pub(crate) fn views(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let ns = r.ns("n");
    let sql = format!(
        "SELECT n.nspname, c.relname, c.relkind = 'm', pg_catalog.pg_get_viewdef(c.oid), \
                pg_catalog.array_to_json(c.reloptions)::text \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('v', 'm') AND {ns} AND {NOT_EXT_REL}"
    );
    for row in r.rows("views", &sql)? {
        let name = vec![s(&row, 0), s(&row, 1)];
        let raw = json_list(&row, 4);
        let check = raw
            .iter()
            .find_map(|o| o.strip_prefix("check_option="))
            .map(str::to_owned);
        let kind = if b(&row, 2) {
            "materialized_view"
        } else {
            "view"
        };
        if let Some(f) = view_extra(reloptions(&raw), check) {
            m.extras.insert((kind.into(), name.clone()), f);
        }
        m.views.insert(
            name,
            View {
                materialized: b(&row, 2),
                definition: view_definition(&s(&row, 3)),
            },
        );
    }
    Ok(())
}

/// Functions and procedures (not aggregates), keyed by their signature.
pub(crate) fn routines(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let ns = r.ns("n");
    let sqlbody = if r.version_num >= 140_000 {
        "CASE WHEN p.prosqlbody IS NOT NULL THEN pg_catalog.pg_get_function_sqlbody(p.oid) END"
    } else {
        "NULL"
    };
    let sql = format!(
        "SELECT n.nspname, p.proname, p.prokind, pg_catalog.pg_get_function_arguments(p.oid), \
                CASE WHEN p.prokind = 'f' THEN pg_catalog.pg_get_function_result(p.oid) END, \
                l.lanname, p.provolatile, p.proisstrict, p.prosecdef, p.prosrc, {sqlbody} \
         FROM pg_catalog.pg_proc p \
         JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
         JOIN pg_catalog.pg_language l ON l.oid = p.prolang \
         WHERE p.prokind IN ('f', 'p') AND {ns} AND {}",
        not_ext("pg_proc", "p.oid")
    );
    for row in r.rows("functions and procedures", &sql)? {
        let procedure = s(&row, 2) == "p";
        let (arguments, sig) = canonical_args(&s(&row, 3));
        let body = match text(&row, 10) {
            Some(sqlbody) => squash(&sqlbody),
            None => s(&row, 9).trim().to_owned(),
        };
        let parts = RoutineParts {
            arguments,
            returns: text(&row, 4).map(|t| canonical_returns(&t)),
            language: s(&row, 5),
            volatility: (!procedure).then(|| {
                match s(&row, 6).as_str() {
                    "i" => "immutable",
                    "s" => "stable",
                    _ => "volatile",
                }
                .to_owned()
            }),
            strict: b(&row, 7),
            security_definer: b(&row, 8),
            body,
        };
        let kind = if procedure { "procedure" } else { "function" };
        m.routines.insert(
            routine_name(&s(&row, 0), &s(&row, 1), &sig),
            Routine {
                kind: kind.into(),
                fields: parts.fields(),
            },
        );
    }
    Ok(())
}

/// User triggers (not internal ones, not clones on partitions; before
/// PostgreSQL 13, which does not tell clones apart, none on partitions).
pub(crate) fn triggers(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let ns = r.ns("n");
    let clone = if r.version_num >= 130_000 {
        "t.tgparentid = 0"
    } else {
        "NOT c.relispartition"
    };
    let sql = format!(
        "SELECT pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled <> 'D' \
         FROM pg_catalog.pg_trigger t \
         JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE NOT t.tgisinternal AND {clone} AND {ns} AND {NOT_EXT_REL}"
    );
    for row in r.rows("triggers", &sql)? {
        let def = s(&row, 0);
        let toks = tokenize(&def, Dialect::Postgres);
        let mut c = Cursor::new(&def, &toks, Dialect::Postgres);
        c.kw("create");
        let constraint = c.kw("constraint");
        c.kw("trigger");
        if let Some((key, mut f)) = trigger(&mut c, "public", constraint) {
            f.insert("enabled".into(), Value::Bool(b(&row, 1)));
            m.triggers.insert(key, f);
        }
    }
    Ok(())
}

/// Extensions and their versions (plpgsql, always there, left out).
pub(crate) fn extensions(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let sql = "SELECT e.extname, n.nspname, e.extversion FROM pg_catalog.pg_extension e \
               JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace \
               WHERE e.extname <> 'plpgsql'";
    for row in r.rows("extensions", sql)? {
        m.extensions
            .insert(s(&row, 0), (text(&row, 1), text(&row, 2)));
    }
    Ok(())
}

/// Enum types with their labels in order.
pub(crate) fn enums(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let ns = r.ns("n");
    let sql = format!(
        "SELECT n.nspname, t.typname, \
                pg_catalog.json_agg(e.enumlabel ORDER BY e.enumsortorder)::text \
         FROM pg_catalog.pg_type t \
         JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid \
         JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         WHERE {ns} AND {} GROUP BY 1, 2",
        not_ext("pg_type", "t.oid")
    );
    for row in r.rows("enum types", &sql)? {
        m.enums
            .insert(vec![s(&row, 0), s(&row, 1)], json_list(&row, 2));
    }
    Ok(())
}

/// Domains with their checks.
pub(crate) fn domains(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let ns = r.ns("n");
    let sql = format!(
        "SELECT n.nspname, t.typname, pg_catalog.format_type(t.typbasetype, t.typtypmod), \
                t.typnotnull, t.typdefault, \
                (SELECT pg_catalog.json_object_agg(k.conname, \
                        pg_catalog.pg_get_constraintdef(k.oid))::text \
                 FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c') \
         FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         WHERE t.typtype = 'd' AND {ns} AND {}",
        not_ext("pg_type", "t.oid")
    );
    for row in r.rows("domains", &sql)? {
        let ty = s(&row, 2);
        let default = text(&row, 4).map(|d| pg_default(&d, &ty));
        let mut checks = Fields::new();
        let defs: std::collections::BTreeMap<String, String> = row
            .get(5)
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default();
        for (name, def) in defs {
            if let Some(k) = constraint_from_text(&def, "public") {
                checks.insert(name, k.expression.map_or(Value::Null, Value::String));
            }
        }
        m.domains.insert(
            vec![s(&row, 0), s(&row, 1)],
            domain_fields(&ty, !b(&row, 3), default, checks),
        );
    }
    Ok(())
}

/// Row-level security policies.
pub(crate) fn policies(r: &mut Reader<'_>, m: &mut Model) -> Result<(), SchemaError> {
    let ns = r.ns("n");
    let sql = format!(
        "SELECT n.nspname, c.relname, p.polname, p.polpermissive, p.polcmd, \
                (SELECT pg_catalog.json_agg(CASE WHEN o = 0 THEN 'public' ELSE ro.rolname END)::text \
                 FROM pg_catalog.unnest(p.polroles) o \
                 LEFT JOIN pg_catalog.pg_roles ro ON ro.oid = o), \
                pg_catalog.pg_get_expr(p.polqual, p.polrelid), \
                pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) \
         FROM pg_catalog.pg_policy p \
         JOIN pg_catalog.pg_class c ON c.oid = p.polrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE {ns} AND {NOT_EXT_REL}"
    );
    for row in r.rows("row-level security policies", &sql)? {
        let command = match s(&row, 4).as_str() {
            "r" => "SELECT",
            "a" => "INSERT",
            "w" => "UPDATE",
            "d" => "DELETE",
            _ => "ALL",
        };
        let (key, f) = policy_entry(
            vec![s(&row, 0), s(&row, 1)],
            s(&row, 2),
            b(&row, 3),
            command,
            json_list(&row, 5),
            text(&row, 6).map(|e| norm_expr(&e)),
            text(&row, 7).map(|e| norm_expr(&e)),
        );
        m.policies.insert(key, f);
    }
    Ok(())
}
