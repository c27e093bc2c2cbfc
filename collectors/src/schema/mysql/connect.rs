//! Connecting with the source's TLS mode (see `schema::tls`).
//!
//! The mysql crate's rustls support always trusts its bundled roots beside
//! a given CA (so `VERIFY_CA` would take any publicly trusted certificate)
//! and checks the certificate against the address it connects to (a
//! tunnel's 127.0.0.1); drift's patch of it (`vendor/mysql/PATCHED.md`)
//! takes a whole rustls configuration and server name instead. The crate
//! has no `PREFERRED`: with TLS asked for, a server without it is the
//! error `TlsNotSupported`, met before anything is sent, after which
//! `prefer` connects again without TLS if the password may go so.

use mysql::{Conn, DriverError, OptsBuilder, RustlsClientConfig, SslOpts};

use super::map_error;
use crate::schema::error::SchemaError;
use crate::schema::source::{Engine, ServerUrl};
use crate::schema::tls::client::{self, find_rustls, handshake_error, without_tls_error};
use crate::schema::tls::{TlsMode, plaintext_may_carry_password};

/// One connection with TLS; `Ok(None)` when the server offers no TLS.
fn with_tls(
    opts: &OptsBuilder,
    c: &client::Client,
    url: &ServerUrl,
    shown: &str,
) -> Result<Option<Conn>, SchemaError> {
    let ssl = SslOpts::default().with_rustls_client_config(Some(RustlsClientConfig::new(
        c.config.clone(),
        c.server_name.clone(),
    )));
    match Conn::new(opts.clone().ssl_opts(ssl)) {
        Ok(conn) => Ok(Some(conn)),
        Err(mysql::Error::DriverError(DriverError::TlsNotSupported)) => Ok(None),
        Err(e) => {
            let found = match &e {
                mysql::Error::IoError(io) => find_rustls(io),
                mysql::Error::TlsError(mysql::error::tls::TlsError::Tls(r)) => Some(r),
                _ => None,
            };
            match found {
                Some(r) => Err(handshake_error(r, Engine::Mysql, &url.host, shown)),
                None => Err(map_error(&e, shown, "connection")),
            }
        }
    }
}

fn plain(opts: &OptsBuilder, shown: &str) -> Result<Conn, SchemaError> {
    Conn::new(opts.clone().ssl_opts(None::<SslOpts>))
        .map_err(|e| map_error(&e, shown, "connection"))
}

/// Connects as `url`'s TLS settings say; `tunnelled`: through an SSH
/// tunnel.
pub(crate) fn connect(
    opts: &OptsBuilder,
    url: &ServerUrl,
    tunnelled: bool,
    shown: &str,
) -> Result<Conn, SchemaError> {
    let mode = url.tls.effective_mode();
    if mode == TlsMode::Disable {
        return plain(opts, shown);
    }
    let c = client::client(&url.tls, Engine::Mysql, &url.host, shown)?;
    if let Some(conn) = with_tls(opts, &c, url, shown)? {
        return Ok(conn);
    }
    let may = plaintext_may_carry_password(url.password.is_some(), &url.host, mode, tunnelled);
    if mode == TlsMode::Prefer && may {
        return plain(opts, shown);
    }
    Err(without_tls_error(mode, Engine::Mysql, shown))
}
