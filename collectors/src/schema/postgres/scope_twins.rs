//! The schema filters pushed into the catalog queries against their
//! reference path (the whole catalog read, filtered afterwards), on the real
//! PostgreSQL server: a database with several schemas, objects that cross
//! schemas (a partition of a parent in another schema, a foreign key, a
//! collation, a history table), schemas an extension owns, each filter read
//! both ways into manifests that must be equal, coverage included.

use drift_core::{Manifest, ManifestBuilder, Sanitizer};

use crate::schema::{SchemaCollector, SchemaOptions, SchemaSource};
use crate::transport::Local;

const SETUP: &str = "
CREATE SCHEMA app; CREATE SCHEMA app_tmp; CREATE SCHEMA audit; CREATE SCHEMA billing;
CREATE SCHEMA extsch; CREATE SCHEMA extempty;
CREATE EXTENSION hstore SCHEMA audit;
ALTER EXTENSION hstore ADD SCHEMA extsch;
ALTER EXTENSION hstore ADD SCHEMA extempty;
CREATE TABLE extsch.user_t (id int);
CREATE TYPE app.mood AS ENUM ('a', 'b');
CREATE DOMAIN billing.cents AS bigint CHECK (VALUE >= 0);
CREATE COLLATION audit.c1 FROM \"C\";
CREATE TABLE app.orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, mood app.mood,
  note text COLLATE audit.c1, amount billing.cents, tags audit.hstore);
CREATE TABLE audit.log (id serial PRIMARY KEY, order_id bigint REFERENCES app.orders (id),
  at timestamptz DEFAULT now());
CREATE INDEX log_at ON audit.log (at);
CREATE TABLE app.events (id int, d date) PARTITION BY RANGE (d);
CREATE TABLE audit.events_2026 PARTITION OF app.events
  FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE app_tmp.events_2025 PARTITION OF app.events
  FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE audit.parted (id int) PARTITION BY LIST (id);
CREATE TABLE app.parted_1 PARTITION OF audit.parted FOR VALUES IN (1);
CREATE INDEX parted_1_id ON app.parted_1 (id);
CREATE VIEW billing.v AS SELECT id FROM app.orders;
CREATE MATERIALIZED VIEW audit.mv AS SELECT count(*) AS n FROM audit.log;
CREATE FUNCTION audit.f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';
CREATE FUNCTION app.trg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER t1 BEFORE INSERT ON audit.log FOR EACH ROW EXECUTE FUNCTION app.trg();
ALTER TABLE audit.log ENABLE ROW LEVEL SECURITY;
CREATE POLICY p1 ON audit.log USING (true);
COMMENT ON SCHEMA audit IS 'kept apart';
COMMENT ON TABLE audit.log IS 'who did what';
COMMENT ON COLUMN app.orders.note IS 'free text';
COMMENT ON FUNCTION audit.f(int) IS 'identity';
COMMENT ON CONSTRAINT log_pkey ON audit.log IS 'the key';
CREATE TABLE audit.flyway_schema_history (installed_rank int, version text, script text,
  checksum int, success bool);
INSERT INTO audit.flyway_schema_history VALUES (1, '1', 'V1__init.sql', 123, true);
CREATE TABLE app_tmp.schema_migrations (nothing int);
CREATE TABLE public.t (id int);
GRANT SELECT ON audit.log TO PUBLIC;
";

fn url() -> String {
    std::env::var("DRIFT_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn with_db(url: &str, db: &str) -> String {
    let base = url.split('?').next().unwrap_or(url);
    let head = base.rsplit_once('/').map_or(base, |(h, _)| h);
    format!("{head}/{db}")
}

fn manifest(
    collector: &SchemaCollector,
    source: &SchemaSource,
    push_down: bool,
) -> (Manifest, Vec<String>) {
    let c = collector.collect_source_with(source, &Local::new(), push_down);
    let left: Vec<String> = c
        .coverage
        .iter()
        .filter(|c| c.source.ends_with(": left out"))
        .map(|c| c.source.clone())
        .collect();
    let mut b = ManifestBuilder::new("twin", "local", Sanitizer::default());
    b.add("schema", "1", c);
    (b.finish(None), left)
}

#[test]
#[ignore = "needs PostgreSQL: run scripts/ci-db-setup, then cargo test -- --include-ignored"]
fn pushed_down_schema_filters_read_what_the_reference_path_reads() {
    let name = format!("drift_h_schema3_scope_{}", std::process::id());
    let mut admin = postgres::Client::connect(&url(), postgres::NoTls).expect("PostgreSQL runs");
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        admin.batch_execute(&sql).unwrap();
    }
    let db_url = with_db(&url(), &name);
    postgres::Client::connect(&db_url, postgres::NoTls)
        .unwrap()
        .batch_execute(SETUP)
        .unwrap();
    let filters: &[(&[&str], &[&str], &[&str])] = &[
        (&[], &["audit"], &["audit"]),
        (
            &["app*"],
            &["app_tmp"],
            &["app_tmp", "audit", "billing", "extsch", "public"],
        ),
        (
            &["billing", "extsch"],
            &[],
            &["app", "app_tmp", "audit", "public"],
        ),
        (&[], &["ext*"], &["extsch"]),
        (
            &["nothing"],
            &[],
            &["app", "app_tmp", "audit", "billing", "extsch", "public"],
        ),
        (&["*"], &[], &[]),
    ];
    let mut outcome = Ok(());
    for grants in [false, true] {
        let collector = SchemaCollector::new(Vec::new()).with_options(SchemaOptions {
            include_grants: grants,
            ..Default::default()
        });
        for (include, exclude, expected_left) in filters {
            let source = SchemaSource::url(&db_url)
                .unwrap()
                .with_schema_filter(include, exclude)
                .unwrap();
            let (fast, left) = manifest(&collector, &source, true);
            let (reference, ref_left) = manifest(&collector, &source, false);
            let what = format!("include {include:?} exclude {exclude:?} grants {grants}");
            let shown = source.display();
            let expected: Vec<String> = expected_left
                .iter()
                .map(|s| format!("{shown} schema {s}: left out"))
                .collect();
            if fast != reference || left != expected || ref_left != expected {
                let only = |a: &Manifest, b: &Manifest| -> Vec<String> {
                    a.entries()
                        .iter()
                        .filter(|e| b.get(e.key.as_str()) != Some(&e.value))
                        .map(|e| e.key.as_str().to_owned())
                        .collect()
                };
                outcome = Err(format!(
                    "{what}: left out {left:?}, reference {ref_left:?}, expected {expected:?}; \
                     differing in the pushed-down read {:?}, in the reference {:?}; \
                     errors {:?} / {:?}",
                    only(&fast, &reference),
                    only(&reference, &fast),
                    fast.errors,
                    reference.errors
                ));
                break;
            }
            assert!(fast.errors.is_empty(), "{what}: {:?}", fast.errors);
            assert!(fast.len() > 10, "{what}: {} entries", fast.len());
        }
    }
    drop(admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")));
    outcome.unwrap();
}
