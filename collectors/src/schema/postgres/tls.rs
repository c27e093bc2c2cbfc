//! Connecting with the source's TLS mode (see `schema::tls`), through
//! `tokio-postgres-rustls`.
//!
//! The postgres crate's own `prefer` would go on without TLS when the
//! server offers none, password and all; so every mode but `disable` and
//! `allow` connects as `require`, and only when the server said it has no
//! TLS (the handshake was never started) does `prefer` connect again
//! without it, if the password may go in cleartext. The name the
//! certificate is checked against is the URL's host, not the tunnel's
//! local address the socket goes to.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use postgres::config::SslMode;
use postgres::tls::{MakeTlsConnect, TlsConnect};
use postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::map_error;
use crate::schema::error::SchemaError;
use crate::schema::source::{Engine, ServerUrl};
use crate::schema::tls::client::{self, find_rustls, handshake_error, without_tls_error};
use crate::schema::tls::{TlsMode, plaintext_may_carry_password};

/// How a connection was made, so that a second one is made the same way.
#[derive(Debug, Clone)]
pub(crate) enum Way {
    /// Without TLS.
    Plain,
    /// With TLS, with this client.
    Tls(client::Client),
}

/// `MakeRustlsConnect` for a fixed server name, noting whether the
/// handshake was started (the server said yes to TLS).
#[derive(Clone)]
struct Named {
    inner: MakeRustlsConnect,
    name: String,
    started: Arc<AtomicBool>,
}

/// The connector of one connection: notes that it was used.
struct Noting<T> {
    inner: T,
    started: Arc<AtomicBool>,
}

impl<S> MakeTlsConnect<S> for Named
where
    MakeRustlsConnect: MakeTlsConnect<S>,
{
    type Stream = <MakeRustlsConnect as MakeTlsConnect<S>>::Stream;
    type TlsConnect = Noting<<MakeRustlsConnect as MakeTlsConnect<S>>::TlsConnect>;
    type Error = <MakeRustlsConnect as MakeTlsConnect<S>>::Error;

    fn make_tls_connect(&mut self, _socket_host: &str) -> Result<Self::TlsConnect, Self::Error> {
        Ok(Noting {
            inner: self.inner.make_tls_connect(&self.name)?,
            started: self.started.clone(),
        })
    }
}

impl<S, T: TlsConnect<S>> TlsConnect<S> for Noting<T> {
    type Stream = T::Stream;
    type Error = T::Error;
    type Future = T::Future;

    fn connect(self, stream: S) -> T::Future {
        self.started.store(true, Ordering::SeqCst);
        self.inner.connect(stream)
    }
}

/// One connection with TLS; `Ok(None)` when the server offers no TLS.
fn with_tls(
    cfg: &Config,
    c: &client::Client,
    url: &ServerUrl,
    shown: &str,
) -> Result<Option<Client>, SchemaError> {
    let started = Arc::new(AtomicBool::new(false));
    let name = match &c.server_name {
        rustls::pki_types::ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        other => other.to_str().into_owned(),
    };
    let tls = Named {
        inner: MakeRustlsConnect::new((*c.config).clone()),
        name,
        started: started.clone(),
    };
    let mut cfg = cfg.clone();
    cfg.ssl_mode(SslMode::Require);
    match cfg.connect(tls) {
        Ok(client) => Ok(Some(client)),
        Err(e) => {
            if let Some(r) = find_rustls(&e) {
                return Err(handshake_error(r, Engine::Postgres, &url.host, shown));
            }
            if !started.load(Ordering::SeqCst) && e.as_db_error().is_none() && says_no_tls(&e) {
                return Ok(None);
            }
            Err(map_error(&e, shown, "connection"))
        }
    }
}

/// Whether the error is the server's "no" to TLS (the postgres crate has
/// no kind for it: its cause's words).
fn says_no_tls(e: &postgres::Error) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(x) = cur {
        if x.to_string().contains("does not support TLS") {
            return true;
        }
        cur = x.source();
    }
    false
}

fn plain(cfg: &Config, shown: &str) -> Result<Client, SchemaError> {
    let mut cfg = cfg.clone();
    cfg.ssl_mode(SslMode::Disable);
    cfg.connect(NoTls)
        .map_err(|e| map_error(&e, shown, "connection"))
}

/// Connects as `url`'s TLS settings say; `tunnelled`: through an SSH
/// tunnel. Returns the way it went, for [`again`].
pub(crate) fn connect(
    cfg: &Config,
    url: &ServerUrl,
    tunnelled: bool,
    shown: &str,
) -> Result<(Client, Way), SchemaError> {
    let mode = url.tls.effective_mode();
    // libpq uses no TLS over a Unix socket, whatever the mode.
    if mode == TlsMode::Disable || url.host.starts_with('/') {
        return Ok((plain(cfg, shown)?, Way::Plain));
    }
    let c = client::client(&url.tls, Engine::Postgres, &url.host, shown)?;
    if mode == TlsMode::Allow {
        // Plaintext first (the password may go so: the mode asks for it);
        // TLS if the server refuses.
        return match plain(cfg, shown) {
            Ok(client) => Ok((client, Way::Plain)),
            Err(SchemaError::Auth { .. } | SchemaError::Connect { .. }) => {
                match with_tls(cfg, &c, url, shown)? {
                    Some(client) => Ok((client, Way::Tls(c))),
                    None => Err(without_tls_error(TlsMode::Require, Engine::Postgres, shown)),
                }
            }
            Err(e) => Err(e),
        };
    }
    if let Some(client) = with_tls(cfg, &c, url, shown)? {
        return Ok((client, Way::Tls(c)));
    }
    let may = plaintext_may_carry_password(url.password.is_some(), &url.host, mode, tunnelled);
    if mode == TlsMode::Prefer && may {
        return Ok((plain(cfg, shown)?, Way::Plain));
    }
    Err(without_tls_error(mode, Engine::Postgres, shown))
}

/// A second connection made the way the first was.
pub(crate) fn again(
    cfg: &Config,
    way: &Way,
    url: &ServerUrl,
    shown: &str,
) -> Result<Client, SchemaError> {
    match way {
        Way::Plain => plain(cfg, shown),
        Way::Tls(c) => with_tls(cfg, c, url, shown)?
            .ok_or_else(|| without_tls_error(TlsMode::Require, Engine::Postgres, shown)),
    }
}
