//! MariaDB over TLS: the shared cases (schema_tls_cases.rs) against an
//! instance with TLS of its own (scripts/ci-db-tls-setup) and fake servers.

use super::schema_tls_cases::{Engine, shared_tls_cases};
use super::schema_tls_support::{Protocol, mysql_tls_port};

const MY: Engine = Engine {
    scheme: "mysql",
    port: mysql_tls_port,
    database: "mysql",
    admin: "root",
    protocol: Protocol::Mysql,
    mode: "ssl-mode",
    ca: "ssl-ca",
    cert: "ssl-cert",
    key: "ssl-key",
    disable: "DISABLED",
    prefer: "PREFERRED",
    require: "REQUIRED",
    verify_ca: "VERIFY_CA",
    verify_full: "VERIFY_IDENTITY",
    // Underscore and lower case, as MySQL's own clients take it.
    prefer_query: "ssl_mode=preferred",
    // drift_tls_only is REQUIRE SSL, drift_tls_cert REQUIRE X509.
    refused_without_tls: "cannot log in",
    refused_without_cert: "cannot log in",
    // COM_QUIT.
    quit: &[1, 0, 0, 0, 1],
};

shared_tls_cases!(
    MY,
    "needs the MariaDB instance with TLS: run scripts/ci-db-setup",
    "needs the test CA: run scripts/ci-db-setup"
);
