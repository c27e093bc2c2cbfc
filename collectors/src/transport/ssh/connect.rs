//! Opening one SSH connection: name lookup and TCP with a deadline (or a
//! `direct-tcpip` channel of a jump host), the handshake, host-key
//! verification, then login.

use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ssh2::{MethodType, Session};

use super::auth;
use super::errors::{self, Context};
use super::forward::{self, Forwarder, LocalStream, Source};
use super::hostkey::{self, HostKeyPolicy};
use super::known_hosts::host_name_for;
use super::resolve::Hop;
use crate::transport::TransportError;

/// What every connection of a transport shares.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub policy: HostKeyPolicy,
    pub agent_socket: Option<PathBuf>,
    pub connect_timeout: Duration,
    pub operation_timeout: Duration,
    pub keepalive: Duration,
}

/// One logged-in SSH connection.
pub(crate) struct Connection {
    pub session: Session,
    /// Carries this connection over a jump host; stopped after the session
    /// is closed.
    via: Option<Forwarder>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("via_jump_host", &self.via.is_some())
            .finish_non_exhaustive()
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let _ = self.session.disconnect(
            Some(ssh2::DisconnectCode::ByApplication),
            "drift is done",
            None,
        );
        // The jump link (if any) goes after the session: `via` is dropped
        // after this function returns, in field order.
    }
}

fn millis(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX).max(1)
}

/// Connects and logs in to `hop` (through its jump hosts).
pub(crate) fn connect(hop: &Hop, settings: &Settings) -> Result<Connection, TransportError> {
    let deadline = Instant::now() + settings.connect_timeout;
    let ctx = Context {
        target: &hop.target_id,
        timeout: settings.connect_timeout,
    };
    let mut session = Session::new().map_err(|e| TransportError::Connect {
        target: hop.target_id.clone(),
        message: format!("cannot start an ssh session: {}", errors::message(&e)),
    })?;
    let via = match &hop.jump {
        None => {
            let tcp = tcp_connect(&hop.host, hop.port, deadline, &ctx)?;
            session.set_tcp_stream(tcp);
            None
        }
        Some(jump) => {
            let (local, remote) = jump_link(hop, jump, settings)?;
            session.set_tcp_stream(local);
            Some(remote)
        }
    };
    let host_name = host_name_for(&hop.host, hop.port);
    let known = settings.policy.load(&hop.target_id)?;
    hostkey::prefer_known_types(&session, &known, &host_name);
    prefer_fast_ciphers(&session);
    session.set_timeout(millis(remaining(deadline)));
    session.handshake().map_err(|e| {
        if errors::is_timeout(&e) {
            ctx.timeout_error("the ssh handshake".into())
        } else {
            TransportError::Connect {
                target: hop.target_id.clone(),
                message: format!(
                    "the ssh handshake with `{}:{}` failed: {} (is it an ssh server?)",
                    hop.host,
                    hop.port,
                    errors::message(&e)
                ),
            }
        }
    })?;
    hostkey::verify(
        &session,
        &known,
        &settings.policy,
        &host_name,
        &hop.target_id,
    )?;
    session.set_timeout(millis(remaining(deadline)));
    auth::authenticate(
        &session,
        &hop.user,
        settings.agent_socket.as_deref(),
        &hop.identities,
        &ctx,
    )?;
    session.set_timeout(millis(settings.operation_timeout));
    let keepalive = u32::try_from(settings.keepalive.as_secs()).unwrap_or(u32::MAX);
    session.set_keepalive(false, keepalive);
    Ok(Connection { session, via })
}

/// AES-GCM first (hardware-accelerated almost everywhere, and no separate
/// MAC), then libssh2's defaults; the server picks from the list.
fn prefer_fast_ciphers(session: &Session) {
    for method in [MethodType::CryptCs, MethodType::CryptSc] {
        let Ok(supported) = session.supported_algs(method) else {
            continue;
        };
        let mut prefs: Vec<&str> = ["aes128-gcm@openssh.com", "aes256-gcm@openssh.com"]
            .into_iter()
            .filter(|p| supported.contains(p))
            .collect();
        let rest: Vec<&str> = supported
            .iter()
            .copied()
            .filter(|s| !prefs.contains(s))
            .collect();
        prefs.extend(rest);
        let _ = session.method_pref(method, &prefs.join(","));
    }
}

fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// Connects to the jump host and opens a channel from it to `hop`; the
/// returned socket carries the new session.
fn jump_link(
    hop: &Hop,
    jump: &Hop,
    settings: &Settings,
) -> Result<(UnixStream, Forwarder), TransportError> {
    let jc = connect(jump, settings)?;
    let channel = jc
        .session
        .channel_direct_tcpip(&hop.host, hop.port, None)
        .map_err(|e| {
            if errors::is_timeout(&e) {
                TransportError::Timeout {
                    target: hop.target_id.clone(),
                    operation: format!("connecting through jump host `{}`", jump.target_id),
                    seconds: settings.operation_timeout.as_secs(),
                }
            } else {
                TransportError::Connect {
                    target: hop.target_id.clone(),
                    message: format!(
                        "jump host `{}` cannot reach `{}:{}`: {}",
                        jump.target_id,
                        hop.host,
                        hop.port,
                        errors::message(&e)
                    ),
                }
            }
        })?;
    let io_fail = |e: std::io::Error| TransportError::Connect {
        target: hop.target_id.clone(),
        message: format!("cannot set up the link through the jump host: {e}"),
    };
    let (local, remote) = UnixStream::pair().map_err(io_fail)?;
    let session = jc.session.clone();
    let fwd = forward::spawn(
        session,
        Box::new(jc),
        Source::Single,
        vec![(LocalStream::Unix(remote), channel)],
        settings.operation_timeout,
    )
    .map_err(io_fail)?;
    Ok((local, fwd))
}

/// Looks `host` up and connects to the first address that answers, all
/// before `deadline`.
fn tcp_connect(
    host: &str,
    port: u16,
    deadline: Instant,
    ctx: &Context<'_>,
) -> Result<TcpStream, TransportError> {
    let fail = |message: String| TransportError::Connect {
        target: ctx.target.to_owned(),
        message,
    };
    let addrs = lookup(host, port, remaining(deadline), ctx)?;
    let mut last: Option<std::io::Error> = None;
    for addr in addrs {
        let left = remaining(deadline);
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => last = Some(e),
        }
    }
    match last {
        Some(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => Err(fail(format!(
            "connection refused by `{host}:{port}` (is sshd running and listening on port {port}?)"
        ))),
        Some(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            Err(ctx.timeout_error(format!("connecting to `{host}:{port}`")))
        }
        Some(e) => Err(fail(format!("cannot connect to `{host}:{port}`: {e}"))),
        None => Err(ctx.timeout_error(format!("connecting to `{host}:{port}`"))),
    }
}

/// Resolves `host`, giving up after `timeout` (the system resolver has no
/// timeout of its own, so it runs on a helper thread).
fn lookup(
    host: &str,
    port: u16,
    timeout: Duration,
    ctx: &Context<'_>,
) -> Result<Vec<SocketAddr>, TransportError> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = mpsc::channel();
    let name = host.to_owned();
    std::thread::Builder::new()
        .name("drift-ssh-lookup".into())
        .spawn(move || {
            let result = (name.as_str(), port)
                .to_socket_addrs()
                .map(Iterator::collect::<Vec<_>>);
            let _ = tx.send(result);
        })
        .map_err(|e| TransportError::Connect {
            target: ctx.target.to_owned(),
            message: format!("cannot look up `{host}`: {e}"),
        })?;
    match rx.recv_timeout(timeout) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) | Ok(Err(_)) => Err(TransportError::Connect {
            target: ctx.target.to_owned(),
            message: format!(
                "cannot resolve the host name `{host}` (a typo, or missing from DNS?)"
            ),
        }),
        Err(_) => Err(ctx.timeout_error(format!("looking up `{host}`"))),
    }
}
