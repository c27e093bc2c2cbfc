//! TCP tunnels through the target (`via = "ssh://…"` on a database
//! source): a listener on `127.0.0.1:0` whose connections are carried to
//! `host:port` over `direct-tcpip` channels of a connection of their own.

use std::net::TcpListener;

use super::connect::{self, Settings};
use super::errors;
use super::forward::{self, Source};
use super::resolve::Hop;
use crate::transport::{TransportError, Tunnel};

pub(crate) fn open(
    hop: &Hop,
    settings: &Settings,
    host: &str,
    port: u16,
) -> Result<Tunnel, TransportError> {
    let conn = connect::connect(hop, settings)?;
    // Open the first channel now: a target that cannot reach `host:port`
    // is an error here rather than a closed connection later.
    let spare = conn
        .session
        .channel_direct_tcpip(host, port, None)
        .map_err(|e| {
            if errors::is_timeout(&e) {
                TransportError::Timeout {
                    target: hop.target_id.clone(),
                    operation: format!("opening a tunnel to `{host}:{port}`"),
                    seconds: settings.operation_timeout.as_secs(),
                }
            } else {
                TransportError::Connect {
                    target: hop.target_id.clone(),
                    message: format!(
                        "cannot open a tunnel to `{host}:{port}` from the host: {} (is the service listening there, and does sshd allow `AllowTcpForwarding`?)",
                        errors::message(&e)
                    ),
                }
            }
        })?;
    let io_fail = |e: std::io::Error| TransportError::Connect {
        target: hop.target_id.clone(),
        message: format!("cannot listen on 127.0.0.1 for the tunnel to `{host}:{port}`: {e}"),
    };
    let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(io_fail)?;
    listener.set_nonblocking(true).map_err(io_fail)?;
    let local_port = listener.local_addr().map_err(io_fail)?.port();
    let session = conn.session.clone();
    let fwd = forward::spawn(
        session,
        Box::new(conn),
        Source::Listener {
            listener,
            host: host.to_owned(),
            port,
            spare: Some(spare),
        },
        Vec::new(),
        settings.operation_timeout,
    )
    .map_err(io_fail)?;
    Ok(Tunnel::forwarded(local_port, Box::new(fwd)))
}
