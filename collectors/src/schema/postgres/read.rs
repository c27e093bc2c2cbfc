//! Connecting, the snapshot transaction, and the order of the catalog reads:
//! two connections sharing one exported snapshot read the object kinds in
//! two halves at once, so that a large catalog takes half the time; when a
//! second connection cannot be had, one connection reads everything.

use postgres::{Client, Config};

use super::tls::{self, Way};
use super::{Reader, extras, map_error, objects, quote_ident, relations, settings, text};
use crate::schema::SchemaOptions;
use crate::schema::error::SchemaError;
use crate::schema::migrations::{self, ColKind};
use crate::schema::model::Model;
use crate::schema::scope::Scope;
use crate::schema::source::ServerUrl;
use crate::transport::Transport;

type Step = fn(&mut Reader<'_>, &mut Model) -> Result<(), SchemaError>;

/// The first half: tables with their columns (the largest read), settings.
const FIRST: &[Step] = &[relations::tables, settings::settings];

/// The second half: everything else.
const SECOND: &[Step] = &[
    objects::sequences,
    relations::indexes,
    relations::constraints,
    objects::views,
    objects::routines,
    objects::triggers,
    objects::extensions,
    objects::enums,
    objects::domains,
    objects::policies,
    extras::schemas,
    extras::collations,
    extras::comments,
];

/// `BEGIN` of the snapshot transaction, adopting `snapshot` when given.
fn begin(
    client: &mut Client,
    shown: &str,
    options: &SchemaOptions,
    snapshot: Option<&str>,
) -> Result<(), SchemaError> {
    let ms = options.statement_timeout.as_millis().max(1);
    let adopt = snapshot
        .map(|id| format!("SET TRANSACTION SNAPSHOT '{}'; ", id.replace('\'', "''")))
        .unwrap_or_default();
    let sql = format!(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {adopt}\
         SET LOCAL search_path = ''; \
         SET LOCAL statement_timeout = {ms}; \
         SET LOCAL lock_timeout = {ms}"
    );
    client
        .batch_execute(&sql)
        .map_err(|e| map_error(&e, shown, "the snapshot transaction"))
}

fn run(r: &mut Reader<'_>, steps: &[Step], m: &mut Model, errors: &mut Vec<SchemaError>) {
    for step in steps {
        if let Err(e) = step(r, m) {
            errors.push(e);
        }
    }
}

/// Exports the transaction's snapshot for a second connection.
fn export_snapshot(client: &mut Client) -> Option<String> {
    let msgs = client
        .simple_query("SELECT pg_catalog.pg_export_snapshot()")
        .ok()?;
    msgs.into_iter().find_map(|m| match m {
        postgres::SimpleQueryMessage::Row(r) => text(&r, 0),
        _ => None,
    })
}

/// What a read gave: the model, the errors of the parts that could not be
/// read, and the schemas a pushed-down scope left out (sorted).
type Read = (Model, Vec<SchemaError>, Vec<String>);

/// Reads the schema of the database at `url` through `transport`. With a
/// `scope`, only the schemas it keeps are read (the filters are pushed into
/// every catalog query); the model holds only those, and the read returns
/// the names of the others.
pub(crate) fn read(
    url: &ServerUrl,
    shown: &str,
    transport: &dyn Transport,
    options: &SchemaOptions,
    scope: Option<&Scope>,
) -> Result<Read, SchemaError> {
    let tunnel = transport
        .open_tunnel(&url.host, url.port)
        .map_err(|e| SchemaError::Connect {
            source_name: shown.to_owned(),
            message: e.to_string(),
        })?;
    let mut cfg = Config::new();
    cfg.host(tunnel.host())
        .port(tunnel.port())
        .user(url.user.as_deref().unwrap_or("postgres"))
        .dbname(url.database.as_deref().unwrap_or("postgres"))
        .application_name("drift")
        .connect_timeout(options.connect_timeout)
        // A network that stops answering is bounded too, not only queries.
        .tcp_user_timeout(options.statement_timeout + options.connect_timeout)
        .keepalives(true);
    if let Some(p) = &url.password {
        cfg.password(p.0.as_bytes());
    }
    let (mut client, way): (Client, Way) = tls::connect(&cfg, url, tunnel.is_forwarded(), shown)?;
    begin(&mut client, shown, options, None)?;
    // Exported first, outside any savepoint (a subtransaction cannot export).
    let snapshot = export_snapshot(&mut client);
    if snapshot.is_none() {
        // A failed export aborts the transaction: start it again.
        let _ = client.batch_execute("ROLLBACK");
        begin(&mut client, shown, options, None)?;
    }
    let mut m = Model::default();
    let mut errors = Vec::new();
    let mut reader = Reader {
        client: &mut client,
        source: shown,
        version_num: 0,
        kept: None,
    };
    settings::server(&mut reader, &mut m)?;
    let version_num = reader.version_num;
    let mut left_out = Vec::new();
    if let Some(scope) = scope {
        let (kept, left) = extras::scope(&mut reader, scope)?;
        reader.kept = Some(kept);
        left_out = left;
    }
    let kept = reader.kept.clone();
    let second = snapshot.and_then(|id| {
        let mut c = tls::again(&cfg, &way, url, shown).ok()?;
        begin(&mut c, shown, options, Some(&id)).ok()?;
        Some(c)
    });
    match second {
        Some(mut other) => {
            let (m2, e2) = std::thread::scope(|s| {
                let h = s.spawn(|| {
                    let mut r2 = Reader {
                        client: &mut other,
                        source: shown,
                        version_num,
                        kept,
                    };
                    let (mut m2, mut e2) = (Model::default(), Vec::new());
                    run(&mut r2, SECOND, &mut m2, &mut e2);
                    (m2, e2)
                });
                run(&mut reader, FIRST, &mut m, &mut errors);
                h.join().unwrap_or_default()
            });
            m.merge(m2);
            errors.extend(e2);
            let _ = other.batch_execute("ROLLBACK");
        }
        None => {
            run(&mut reader, FIRST, &mut m, &mut errors);
            run(&mut reader, SECOND, &mut m, &mut errors);
        }
    }
    if options.include_grants
        && let Err(e) = settings::grants(&mut reader, &mut m)
    {
        errors.push(e);
    }
    read_migrations(&mut reader, &mut m, &mut errors);
    // Read-only: nothing to keep; end the transaction either way.
    let _ = client.batch_execute("ROLLBACK");
    if let Some(scope) = scope {
        // What was read for the kept schemas' sake (a history table that
        // is no history, a partition of a kept parent) goes.
        left_out.extend(scope.apply(&mut m));
        left_out.sort();
        left_out.dedup();
    }
    Ok((m, errors, left_out))
}

/// Reads the history tables found among the tables, then drops them from
/// the ordinary objects.
fn read_migrations(r: &mut Reader<'_>, m: &mut Model, errors: &mut Vec<SchemaError>) {
    let found = migrations::detect(m);
    for h in &found {
        let table: Vec<String> = h.name.iter().map(|p| quote_ident(p)).collect();
        let (what, sql) = h.select(&table.join("."), |real, kind| {
            let q = quote_ident(real);
            match kind {
                ColKind::Hex => format!("pg_catalog.encode({q}, 'hex')"),
                ColKind::Text => format!("{q}::text"),
            }
        });
        match r.rows(&what, &sql) {
            Ok(rows) => {
                let cells: Vec<Vec<Option<String>>> = rows
                    .iter()
                    .map(|row| (0..row.len()).map(|i| text(row, i)).collect())
                    .collect();
                migrations::record(m, h.tool, &cells);
            }
            Err(e) => errors.push(e),
        }
    }
    migrations::remove_history_tables(m, &found);
}
