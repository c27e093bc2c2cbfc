//! PostgreSQL over TLS: the modes against a cluster with TLS of its own
//! (scripts/ci-db-tls-setup), and fake servers for a server without TLS
//! and an expired certificate.

use super::schema_pg_support::Tunnelled;
use super::schema_tls_support::{
    Answer, Fake, Protocol, assert_read, collect_url, collect_url_with, only_error, pg_tls_port,
    tls_file,
};

fn url(user: &str, host: &str, query: &str) -> String {
    format!(
        "postgres://{user}@{host}:{}/postgres?{query}",
        pg_tls_port()
    )
}

#[test]
#[ignore = "needs the PostgreSQL cluster with TLS: run scripts/ci-db-setup"]
fn verify_full_passes_with_the_right_ca_and_name() {
    let q = format!("sslmode=verify-full&sslrootcert={}", tls_file("ca.crt"));
    // drift_tls_only is refused without TLS: reading proves TLS.
    assert_read(&collect_url(&url("drift_tls_only", "localhost", &q)));
}

#[test]
#[ignore = "needs the PostgreSQL cluster with TLS: run scripts/ci-db-setup"]
fn verify_full_fails_with_another_ca_naming_it() {
    let q = format!(
        "sslmode=verify-full&sslrootcert={}",
        tls_file("other-ca.crt")
    );
    let e = only_error(&collect_url(&url("postgres", "localhost", &q)));
    assert!(
        e.contains("(unknown CA)") && e.contains("sslrootcert"),
        "{e}"
    );
}

#[test]
#[ignore = "needs the PostgreSQL cluster with TLS: run scripts/ci-db-setup"]
fn verify_full_fails_with_another_name_naming_it() {
    // The certificate names localhost only.
    let q = format!("sslmode=verify-full&sslrootcert={}", tls_file("ca.crt"));
    let e = only_error(&collect_url(&url("postgres", "127.0.0.1", &q)));
    assert!(
        e.contains("(wrong host name)") && e.contains("`127.0.0.1`"),
        "{e}"
    );
}

#[test]
#[ignore = "needs the PostgreSQL cluster with TLS: run scripts/ci-db-setup"]
fn verify_ca_checks_the_chain_but_not_the_name() {
    let good = format!("sslmode=verify-ca&sslrootcert={}", tls_file("ca.crt"));
    assert_read(&collect_url(&url("drift_tls_only", "127.0.0.1", &good)));
    let other = format!("sslmode=verify-ca&sslrootcert={}", tls_file("other-ca.crt"));
    let e = only_error(&collect_url(&url("postgres", "127.0.0.1", &other)));
    assert!(e.contains("(unknown CA)"), "{e}");
}

#[test]
#[ignore = "needs the PostgreSQL cluster with TLS: run scripts/ci-db-setup"]
fn require_passes_without_a_ca_and_checks_one_when_given() {
    assert_read(&collect_url(&url(
        "drift_tls_only",
        "127.0.0.1",
        "sslmode=require",
    )));
    // As libpq: a CA given to require is checked.
    let q = format!("sslmode=require&sslrootcert={}", tls_file("other-ca.crt"));
    let e = only_error(&collect_url(&url("postgres", "127.0.0.1", &q)));
    assert!(e.contains("(unknown CA)"), "{e}");
}

#[test]
#[ignore = "needs the PostgreSQL cluster with TLS: run scripts/ci-db-setup"]
fn prefer_the_default_uses_tls_and_disable_does_not() {
    assert_read(&collect_url(&url("drift_tls_only", "127.0.0.1", "")));
    assert_read(&collect_url(&url(
        "drift_tls_only",
        "127.0.0.1",
        "sslmode=prefer",
    )));
    // The server refuses drift_tls_only without TLS: disable sends none.
    let e = only_error(&collect_url(&url(
        "drift_tls_only",
        "127.0.0.1",
        "sslmode=disable",
    )));
    assert!(e.contains("no encryption"), "{e}");
    assert_read(&collect_url(&url(
        "postgres",
        "127.0.0.1",
        "sslmode=disable",
    )));
    // allow: plaintext first, TLS when the server refuses plaintext.
    assert_read(&collect_url(&url("postgres", "127.0.0.1", "sslmode=allow")));
    assert_read(&collect_url(&url(
        "drift_tls_only",
        "127.0.0.1",
        "sslmode=allow",
    )));
}

#[test]
#[ignore = "needs the PostgreSQL cluster with TLS: run scripts/ci-db-setup"]
fn a_client_certificate_is_shown_where_the_server_asks_for_one() {
    let with = format!(
        "sslmode=verify-full&sslrootcert={}&sslcert={}&sslkey={}",
        tls_file("ca.crt"),
        tls_file("client.crt"),
        tls_file("client.key")
    );
    assert_read(&collect_url(&url("drift_tls_cert", "localhost", &with)));
    let without = format!("sslmode=verify-full&sslrootcert={}", tls_file("ca.crt"));
    let e = only_error(&collect_url(&url("drift_tls_cert", "localhost", &without)));
    assert!(e.contains("client certificate"), "{e}");
    // A missing key file is named.
    let missing = format!(
        "sslmode=require&sslcert={}&sslkey={}",
        tls_file("client.crt"),
        tls_file("no-such.key")
    );
    let e = only_error(&collect_url(&url("drift_tls_cert", "localhost", &missing)));
    assert!(
        e.contains("(certificate file)") && e.contains("no-such.key"),
        "{e}"
    );
}

#[test]
#[ignore = "needs the PostgreSQL cluster with TLS: run scripts/ci-db-setup"]
fn through_a_tunnel_verify_full_checks_the_url_host_not_the_tunnel() {
    let q = format!("sslmode=verify-full&sslrootcert={}", tls_file("ca.crt"));
    // The socket goes to 127.0.0.1, which the certificate does not name;
    // the URL's host is localhost, which it does.
    let t = Tunnelled::new(pg_tls_port());
    let c = collect_url_with(
        &format!("postgres://drift_tls_only@localhost:6543/postgres?{q}"),
        &t,
    );
    assert_read(&c);
    assert_eq!(*t.opened.lock().unwrap(), [("localhost".to_owned(), 6543)]);
    let t = Tunnelled::new(pg_tls_port());
    let e = only_error(&collect_url_with(
        &format!("postgres://postgres@db.internal:6543/postgres?{q}"),
        &t,
    ));
    assert!(
        e.contains("(wrong host name)") && e.contains("`db.internal`"),
        "{e}"
    );
}

#[test]
#[ignore = "needs the test CA: run scripts/ci-db-setup"]
fn an_expired_certificate_fails_naming_expiry() {
    let fake = Fake::start(Protocol::Postgres, Answer::Expired, 1);
    let e = only_error(&collect_url(&format!(
        "postgres://postgres@localhost:{}/postgres?sslmode=verify-full&sslrootcert={}",
        fake.port,
        tls_file("ca.crt")
    )));
    assert!(e.contains("(expired certificate)"), "{e}");
}

#[test]
#[ignore = "needs the test CA: run scripts/ci-db-setup"]
fn a_server_without_tls_fails_under_require() {
    for mode in ["require", "verify-ca", "verify-full"] {
        let fake = Fake::start(Protocol::Postgres, Answer::Refuse, 2);
        let e = only_error(&collect_url(&format!(
            "postgres://postgres:pw@localhost:{}/postgres?sslmode={mode}&sslrootcert={}",
            fake.port,
            tls_file("ca.crt")
        )));
        assert!(
            e.contains("(server without TLS)") && e.contains(&format!("sslmode={mode}")),
            "{e}"
        );
        assert_eq!(fake.connections(), 1, "{mode}: tried again without TLS");
    }
}

#[test]
#[ignore = "needs the test CA: run scripts/ci-db-setup"]
fn prefer_keeps_a_password_from_a_server_without_tls_off_this_machine() {
    // db.internal through a transport that is not an SSH tunnel: the
    // password would go in cleartext off this machine.
    let fake = Fake::start(Protocol::Postgres, Answer::Refuse, 2);
    let t = Tunnelled::new(fake.port);
    let e = only_error(&collect_url_with(
        "postgres://app:Sup3rS3cret@db.internal:5432/postgres",
        &t,
    ));
    assert!(e.contains("(server without TLS, password kept)"), "{e}");
    assert!(
        e.contains("sslmode=disable") && !e.contains("Sup3rS3cret"),
        "{e}"
    );
    assert_eq!(fake.after_request(1), [Vec::<u8>::new()]);
    assert_eq!(fake.connections(), 1, "connected again without TLS");
    // Without a password, prefer goes on without TLS (the fake then
    // answers nothing, so the read fails later, but a second connection
    // was made).
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
    assert_eq!(c.errors.len(), 1);
    assert!(
        !c.errors[0].message.contains("without TLS"),
        "{:?}",
        c.errors
    );
    assert_eq!(fake.connections(), 2);
}
