//! MariaDB over TLS: the modes against an instance with TLS of its own
//! (scripts/ci-db-tls-setup), and fake servers for a server without TLS
//! and an expired certificate.

use super::schema_pg_support::Tunnelled;
use super::schema_tls_support::{
    Answer, Fake, Protocol, assert_read, collect_url, collect_url_with, mysql_tls_port, only_error,
    tls_file,
};

fn url(user: &str, host: &str, query: &str) -> String {
    format!("mysql://{user}@{host}:{}/mysql?{query}", mysql_tls_port())
}

#[test]
#[ignore = "needs the MariaDB instance with TLS: run scripts/ci-db-setup"]
fn verify_identity_passes_with_the_right_ca_and_name() {
    let q = format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={}", tls_file("ca.crt"));
    // drift_tls_only is REQUIRE SSL: reading proves TLS.
    assert_read(&collect_url(&url("drift_tls_only", "localhost", &q)));
}

#[test]
#[ignore = "needs the MariaDB instance with TLS: run scripts/ci-db-setup"]
fn verify_identity_fails_with_another_ca_or_name_naming_it() {
    let other = format!(
        "ssl-mode=VERIFY_IDENTITY&ssl-ca={}",
        tls_file("other-ca.crt")
    );
    let e = only_error(&collect_url(&url("root", "localhost", &other)));
    assert!(e.contains("(unknown CA)") && e.contains("ssl-ca"), "{e}");
    let good = format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={}", tls_file("ca.crt"));
    let e = only_error(&collect_url(&url("root", "127.0.0.1", &good)));
    assert!(
        e.contains("(wrong host name)") && e.contains("ssl-mode=VERIFY_CA"),
        "{e}"
    );
}

#[test]
#[ignore = "needs the MariaDB instance with TLS: run scripts/ci-db-setup"]
fn verify_ca_checks_the_chain_against_the_given_ca_only() {
    let good = format!("ssl-mode=VERIFY_CA&ssl-ca={}", tls_file("ca.crt"));
    assert_read(&collect_url(&url("drift_tls_only", "127.0.0.1", &good)));
    let other = format!("ssl-mode=VERIFY_CA&ssl-ca={}", tls_file("other-ca.crt"));
    let e = only_error(&collect_url(&url("root", "127.0.0.1", &other)));
    assert!(e.contains("(unknown CA)"), "{e}");
}

#[test]
#[ignore = "needs the MariaDB instance with TLS: run scripts/ci-db-setup"]
fn required_and_preferred_use_tls_and_disabled_does_not() {
    assert_read(&collect_url(&url(
        "drift_tls_only",
        "127.0.0.1",
        "ssl-mode=REQUIRED",
    )));
    assert_read(&collect_url(&url("drift_tls_only", "127.0.0.1", "")));
    assert_read(&collect_url(&url(
        "drift_tls_only",
        "127.0.0.1",
        "ssl_mode=preferred",
    )));
    let e = only_error(&collect_url(&url(
        "drift_tls_only",
        "127.0.0.1",
        "ssl-mode=DISABLED",
    )));
    assert!(e.contains("cannot log in"), "{e}");
    assert_read(&collect_url(&url("root", "127.0.0.1", "ssl-mode=DISABLED")));
}

#[test]
#[ignore = "needs the MariaDB instance with TLS: run scripts/ci-db-setup"]
fn a_client_certificate_is_shown_where_the_server_asks_for_one() {
    let with = format!(
        "ssl-mode=VERIFY_IDENTITY&ssl-ca={}&ssl-cert={}&ssl-key={}",
        tls_file("ca.crt"),
        tls_file("client.crt"),
        tls_file("client.key")
    );
    assert_read(&collect_url(&url("drift_tls_cert", "localhost", &with)));
    let without = format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={}", tls_file("ca.crt"));
    let e = only_error(&collect_url(&url("drift_tls_cert", "localhost", &without)));
    assert!(e.contains("cannot log in"), "{e}");
}

#[test]
#[ignore = "needs the MariaDB instance with TLS: run scripts/ci-db-setup"]
fn through_a_tunnel_verify_identity_checks_the_url_host_not_the_tunnel() {
    let q = format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={}", tls_file("ca.crt"));
    let t = Tunnelled::new(mysql_tls_port());
    assert_read(&collect_url_with(
        &format!("mysql://drift_tls_only@localhost:6543/mysql?{q}"),
        &t,
    ));
    let t = Tunnelled::new(mysql_tls_port());
    let e = only_error(&collect_url_with(
        &format!("mysql://root@db.internal:6543/mysql?{q}"),
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
    let fake = Fake::start(Protocol::Mysql, Answer::Expired, 1);
    let e = only_error(&collect_url(&format!(
        "mysql://root@localhost:{}/mysql?ssl-mode=VERIFY_IDENTITY&ssl-ca={}",
        fake.port,
        tls_file("ca.crt")
    )));
    assert!(e.contains("(expired certificate)"), "{e}");
}

#[test]
#[ignore = "needs the test CA: run scripts/ci-db-setup"]
fn a_server_without_tls_fails_under_required_and_keeps_a_password_under_preferred() {
    let fake = Fake::start(Protocol::Mysql, Answer::Refuse, 2);
    let e = only_error(&collect_url(&format!(
        "mysql://root:pw@localhost:{}/mysql?ssl-mode=REQUIRED",
        fake.port
    )));
    assert!(
        e.contains("(server without TLS)") && e.contains("ssl-mode=REQUIRED"),
        "{e}"
    );
    assert_eq!(fake.connections(), 1);
    let fake = Fake::start(Protocol::Mysql, Answer::Refuse, 2);
    let t = Tunnelled::new(fake.port);
    let e = only_error(&collect_url_with(
        "mysql://app:Sup3rS3cret@db.internal:3306/mysql",
        &t,
    ));
    assert!(e.contains("(server without TLS, password kept)"), "{e}");
    assert!(
        e.contains("ssl-mode=DISABLED") && !e.contains("Sup3rS3cret"),
        "{e}"
    );
    // Nothing but, at most, the driver's COM_QUIT: no login packet.
    let after = fake.after_request(1);
    assert_eq!(after.len(), 1);
    assert!(
        after[0].is_empty() || after[0] == [1, 0, 0, 0, 1],
        "{:?}",
        after[0]
    );
    assert_eq!(fake.connections(), 1, "connected again without TLS");
}
