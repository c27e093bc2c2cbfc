//! TCP tunnels to services reachable from a target.

use std::fmt;

/// A TCP address to connect to in order to reach a service as seen from a
/// target: the service itself for local targets, a forwarded local port for
/// SSH targets. The tunnel stays open while this value lives.
pub struct Tunnel {
    host: String,
    port: u16,
    _guard: Option<Box<dyn Send + Sync>>,
}

impl Tunnel {
    /// A direct connection (local targets).
    pub fn direct(host: impl Into<String>, port: u16) -> Tunnel {
        Tunnel {
            host: host.into(),
            port,
            _guard: None,
        }
    }

    /// A forwarded port on 127.0.0.1, kept open by `guard` until dropped.
    pub fn forwarded(local_port: u16, guard: Box<dyn Send + Sync>) -> Tunnel {
        Tunnel {
            host: "127.0.0.1".to_owned(),
            port: local_port,
            _guard: Some(guard),
        }
    }

    /// The host to connect to.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port to connect to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the connection is forwarded through an SSH connection
    /// (rather than made directly from this machine).
    pub fn is_forwarded(&self) -> bool {
        self._guard.is_some()
    }
}

impl fmt::Debug for Tunnel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tunnel")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("forwarded", &self._guard.is_some())
            .finish()
    }
}
