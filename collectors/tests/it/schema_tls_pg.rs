//! PostgreSQL over TLS: the shared cases (schema_tls_cases.rs) against a
//! cluster with TLS of its own (scripts/ci-db-tls-setup) and fake servers,
//! and what only libpq's modes have (`allow`, `prefer` without a password).

use super::schema_pg_support::Tunnelled;
use super::schema_tls_cases::{Engine, shared_tls_cases};
use super::schema_tls_support::{
    Answer, Fake, Protocol, assert_read, collect_url, only_error, pg_tls_port,
};

const PG: Engine = Engine {
    scheme: "postgres",
    port: pg_tls_port,
    database: "postgres",
    admin: "postgres",
    protocol: Protocol::Postgres,
    mode: "sslmode",
    ca: "sslrootcert",
    cert: "sslcert",
    key: "sslkey",
    disable: "disable",
    prefer: "prefer",
    require: "require",
    verify_ca: "verify-ca",
    verify_full: "verify-full",
    prefer_query: "sslmode=prefer",
    // The server refuses drift_tls_only without TLS.
    refused_without_tls: "no encryption",
    refused_without_cert: "client certificate",
    quit: &[],
};

shared_tls_cases!(
    PG,
    "needs the PostgreSQL cluster with TLS: run scripts/ci-db-setup",
    "needs the test CA: run scripts/ci-db-setup"
);

fn url(user: &str, host: &str, query: &str) -> String {
    format!(
        "postgres://{user}@{host}:{}/postgres?{query}",
        pg_tls_port()
    )
}

#[test]
#[ignore = "needs the PostgreSQL cluster with TLS: run scripts/ci-db-setup"]
fn allow_tries_plaintext_first_and_tls_when_the_server_refuses_it() {
    assert_read(&collect_url(&url("postgres", "127.0.0.1", "sslmode=allow")));
    assert_read(&collect_url(&url(
        "drift_tls_only",
        "127.0.0.1",
        "sslmode=allow",
    )));
}

#[test]
#[ignore = "needs the test CA: run scripts/ci-db-setup"]
fn prefer_without_a_password_goes_on_without_tls() {
    // The fake then answers nothing, so the read fails later, but a second
    // connection, without TLS, was made.
    let fake = Fake::start(Protocol::Postgres, Answer::Refuse, 2);
    let t = Tunnelled::new(fake.port);
    let opts = drift_collectors::schema::SchemaOptions {
        connect_timeout: std::time::Duration::from_secs(2),
        statement_timeout: std::time::Duration::from_secs(2),
        ..Default::default()
    };
    use drift_collectors::Collector;
    let c = drift_collectors::schema::SchemaCollector::new(vec![
        drift_collectors::schema::SchemaSource::url("postgres://app@db.internal:5432/postgres")
            .unwrap(),
    ])
    .with_options(opts)
    .collect(&t);
    let e = only_error(&c);
    assert!(!e.contains("without TLS"), "{e}");
    assert_eq!(fake.connections(), 2);
}
