//! The TLS cases PostgreSQL and MySQL/MariaDB share, written once and run
//! per engine with its words ([`Engine`]): schema_tls_pg.rs and
//! schema_tls_my.rs each hold one table row and the cases only it has.

#![allow(dead_code)]

use super::schema_pg_support::Tunnelled;
use super::schema_tls_support::{
    Answer, Fake, Protocol, assert_read, collect_url, collect_url_with, only_error, tls_file,
};

/// One engine's words for the shared cases.
pub struct Engine {
    /// The URL scheme.
    pub scheme: &'static str,
    /// The port of the server with TLS.
    pub port: fn() -> u16,
    /// The database read.
    pub database: &'static str,
    /// The superuser, who may log in without TLS.
    pub admin: &'static str,
    /// The fake servers' protocol.
    pub protocol: Protocol,
    /// The parameters: mode, CA, client certificate and key.
    pub mode: &'static str,
    pub ca: &'static str,
    pub cert: &'static str,
    pub key: &'static str,
    /// The modes: disable, prefer, require, verify-ca, verify-full.
    pub disable: &'static str,
    pub prefer: &'static str,
    pub require: &'static str,
    pub verify_ca: &'static str,
    pub verify_full: &'static str,
    /// A query asking for `prefer` as the engine's own clients spell it.
    pub prefer_query: &'static str,
    /// What the server answers a user who must use TLS and does not.
    pub refused_without_tls: &'static str,
    /// What the server answers a user who must show a certificate and
    /// does not.
    pub refused_without_cert: &'static str,
    /// What the driver may still send a server that offered no TLS, once
    /// drift refused to log in (MySQL's COM_QUIT).
    pub quit: &'static [u8],
}

impl Engine {
    fn url(&self, user: &str, host: &str, query: &str) -> String {
        format!(
            "{}://{user}@{host}:{}/{}?{query}",
            self.scheme,
            (self.port)(),
            self.database
        )
    }

    fn with_ca(&self, mode: &str, ca: &str) -> String {
        format!("{}={mode}&{}={}", self.mode, self.ca, tls_file(ca))
    }

    /// `verify-full` reads with the right CA and name (as a user the server
    /// refuses without TLS: reading proves TLS).
    pub fn verify_full_passes_with_the_right_ca_and_name(&self) {
        let q = self.with_ca(self.verify_full, "ca.crt");
        assert_read(&collect_url(&self.url("drift_tls_only", "localhost", &q)));
    }

    /// Another CA fails as `unknown CA`, naming the CA parameter.
    pub fn verify_full_fails_with_another_ca_naming_it(&self) {
        let q = self.with_ca(self.verify_full, "other-ca.crt");
        let e = only_error(&collect_url(&self.url(self.admin, "localhost", &q)));
        assert!(e.contains("(unknown CA)") && e.contains(self.ca), "{e}");
    }

    /// Another name (the certificate names localhost only) fails as `wrong
    /// host name`, naming the host and the mode that does not check it.
    pub fn verify_full_fails_with_another_name_naming_it(&self) {
        let q = self.with_ca(self.verify_full, "ca.crt");
        let e = only_error(&collect_url(&self.url(self.admin, "127.0.0.1", &q)));
        let weaker = format!("{}={}", self.mode, self.verify_ca);
        assert!(
            e.contains("(wrong host name)") && e.contains("`127.0.0.1`") && e.contains(&weaker),
            "{e}"
        );
    }

    /// `verify-ca` checks the chain against the given CA, not the name.
    pub fn verify_ca_checks_the_chain_but_not_the_name(&self) {
        let good = self.with_ca(self.verify_ca, "ca.crt");
        assert_read(&collect_url(&self.url(
            "drift_tls_only",
            "127.0.0.1",
            &good,
        )));
        let other = self.with_ca(self.verify_ca, "other-ca.crt");
        let e = only_error(&collect_url(&self.url(self.admin, "127.0.0.1", &other)));
        assert!(e.contains("(unknown CA)"), "{e}");
    }

    /// `require` reads without a CA and, as libpq, checks one when given.
    pub fn require_passes_without_a_ca_and_checks_one_when_given(&self) {
        let q = format!("{}={}", self.mode, self.require);
        assert_read(&collect_url(&self.url("drift_tls_only", "127.0.0.1", &q)));
        let q = self.with_ca(self.require, "other-ca.crt");
        let e = only_error(&collect_url(&self.url(self.admin, "127.0.0.1", &q)));
        assert!(e.contains("(unknown CA)"), "{e}");
    }

    /// `prefer`, the default, uses TLS; `disable` sends none.
    pub fn prefer_the_default_uses_tls_and_disable_does_not(&self) {
        assert_read(&collect_url(&self.url("drift_tls_only", "127.0.0.1", "")));
        let q = format!("{}={}", self.mode, self.prefer);
        assert_read(&collect_url(&self.url("drift_tls_only", "127.0.0.1", &q)));
        assert_read(&collect_url(&self.url(
            "drift_tls_only",
            "127.0.0.1",
            self.prefer_query,
        )));
        let q = format!("{}={}", self.mode, self.disable);
        let e = only_error(&collect_url(&self.url("drift_tls_only", "127.0.0.1", &q)));
        assert!(e.contains(self.refused_without_tls), "{e}");
        assert_read(&collect_url(&self.url(self.admin, "127.0.0.1", &q)));
    }

    /// A client certificate is shown where the server asks for one; a
    /// missing key file is named.
    pub fn a_client_certificate_is_shown_where_the_server_asks_for_one(&self) {
        let with = format!(
            "{}&{}={}&{}={}",
            self.with_ca(self.verify_full, "ca.crt"),
            self.cert,
            tls_file("client.crt"),
            self.key,
            tls_file("client.key")
        );
        assert_read(&collect_url(&self.url(
            "drift_tls_cert",
            "localhost",
            &with,
        )));
        let without = self.with_ca(self.verify_full, "ca.crt");
        let e = only_error(&collect_url(&self.url(
            "drift_tls_cert",
            "localhost",
            &without,
        )));
        assert!(e.contains(self.refused_without_cert), "{e}");
        let missing = format!(
            "{}={}&{}={}&{}={}",
            self.mode,
            self.require,
            self.cert,
            tls_file("client.crt"),
            self.key,
            tls_file("no-such.key")
        );
        let e = only_error(&collect_url(&self.url(
            "drift_tls_cert",
            "localhost",
            &missing,
        )));
        assert!(
            e.contains("(certificate file)") && e.contains("no-such.key"),
            "{e}"
        );
    }

    /// Through a tunnel, `verify-full` checks the URL's host (which the
    /// certificate names, or not), not the tunnel's 127.0.0.1.
    pub fn through_a_tunnel_verify_full_checks_the_url_host_not_the_tunnel(&self) {
        let q = self.with_ca(self.verify_full, "ca.crt");
        let t = Tunnelled::new((self.port)());
        let url = format!(
            "{}://drift_tls_only@localhost:6543/{}?{q}",
            self.scheme, self.database
        );
        assert_read(&collect_url_with(&url, &t));
        assert_eq!(*t.opened.lock().unwrap(), [("localhost".to_owned(), 6543)]);
        let t = Tunnelled::new((self.port)());
        let url = format!(
            "{}://{}@db.internal:6543/{}?{q}",
            self.scheme, self.admin, self.database
        );
        let e = only_error(&collect_url_with(&url, &t));
        assert!(
            e.contains("(wrong host name)") && e.contains("`db.internal`"),
            "{e}"
        );
    }

    /// An expired certificate fails as such (a fake server).
    pub fn an_expired_certificate_fails_naming_expiry(&self) {
        let fake = Fake::start(self.protocol, Answer::Expired, 1);
        let e = only_error(&collect_url(&format!(
            "{}://{}@localhost:{}/{}?{}",
            self.scheme,
            self.admin,
            fake.port,
            self.database,
            self.with_ca(self.verify_full, "ca.crt")
        )));
        assert!(e.contains("(expired certificate)"), "{e}");
    }

    /// A server without TLS fails every mode from `require` up, naming the
    /// mode, without a second try in plaintext (a fake server).
    pub fn a_server_without_tls_fails_under_require(&self) {
        for mode in [self.require, self.verify_ca, self.verify_full] {
            let fake = Fake::start(self.protocol, Answer::Refuse, 2);
            let e = only_error(&collect_url(&format!(
                "{}://{}:pw@localhost:{}/{}?{}",
                self.scheme,
                self.admin,
                fake.port,
                self.database,
                self.with_ca(mode, "ca.crt")
            )));
            assert!(
                e.contains("(server without TLS)") && e.contains(&format!("{}={mode}", self.mode)),
                "{e}"
            );
            assert_eq!(fake.connections(), 1, "{mode}: tried again without TLS");
        }
    }

    /// Under `prefer`, a password is never sent in plaintext to a server
    /// without TLS off this machine (db.internal through a transport that is
    /// not an SSH tunnel): nothing but, at most, the driver's goodbye.
    pub fn prefer_keeps_a_password_from_a_server_without_tls_off_this_machine(&self) {
        let fake = Fake::start(self.protocol, Answer::Refuse, 2);
        let t = Tunnelled::new(fake.port);
        let url = format!(
            "{}://app:Sup3rS3cret@db.internal:5432/{}",
            self.scheme, self.database
        );
        let e = only_error(&collect_url_with(&url, &t));
        assert!(e.contains("(server without TLS, password kept)"), "{e}");
        let weaker = format!("{}={}", self.mode, self.disable);
        assert!(e.contains(&weaker) && !e.contains("Sup3rS3cret"), "{e}");
        let after = fake.after_request(1);
        assert_eq!(after.len(), 1);
        assert!(
            after[0].is_empty() || after[0] == self.quit,
            "{:?}",
            after[0]
        );
        assert_eq!(fake.connections(), 1, "connected again without TLS");
    }
}

/// The shared cases as tests of one engine: `$row` is its [`Engine`],
/// `$server` and `$ca` the reasons of the tests that need its server with
/// TLS and only the test CA.
macro_rules! shared_tls_cases {
    ($row:expr, $server:literal, $ca:literal) => {
        shared_tls_cases!(@each $row, $server;
            verify_full_passes_with_the_right_ca_and_name,
            verify_full_fails_with_another_ca_naming_it,
            verify_full_fails_with_another_name_naming_it,
            verify_ca_checks_the_chain_but_not_the_name,
            require_passes_without_a_ca_and_checks_one_when_given,
            prefer_the_default_uses_tls_and_disable_does_not,
            a_client_certificate_is_shown_where_the_server_asks_for_one,
            through_a_tunnel_verify_full_checks_the_url_host_not_the_tunnel);
        shared_tls_cases!(@each $row, $ca;
            an_expired_certificate_fails_naming_expiry,
            a_server_without_tls_fails_under_require,
            prefer_keeps_a_password_from_a_server_without_tls_off_this_machine);
    };
    (@each $row:expr, $reason:literal; $($case:ident),+) => {
        $(
            #[test]
            #[ignore = $reason]
            fn $case() {
                $row.$case()
            }
        )+
    };
}
pub(crate) use shared_tls_cases;
