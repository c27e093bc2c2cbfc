//! Carrying local sockets over `direct-tcpip` channels: the TCP tunnels of
//! [`Transport::open_tunnel`](crate::transport::Transport::open_tunnel) and
//! the link to a host behind a `ProxyJump` host.
//!
//! One thread per forwarder owns a dedicated session in non-blocking mode
//! (libssh2 sessions are not concurrent, so nothing else uses it) and moves
//! bytes both ways, polling with a short backoff when idle: about 25 µs
//! after traffic, at most 2 ms after a while of silence.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ssh2::{Channel, Session};

use super::errors;

/// The local end of a link.
#[derive(Debug)]
pub(crate) enum LocalStream {
    /// A connection accepted on a tunnel's listener.
    Tcp(TcpStream),
    /// The socket an inner session runs over (ProxyJump).
    Unix(UnixStream),
}

impl LocalStream {
    fn set_nonblocking(&self) -> io::Result<()> {
        match self {
            LocalStream::Tcp(s) => s.set_nonblocking(true),
            LocalStream::Unix(s) => s.set_nonblocking(true),
        }
    }

    fn shutdown_write(&self) {
        let _ = match self {
            LocalStream::Tcp(s) => s.shutdown(Shutdown::Write),
            LocalStream::Unix(s) => s.shutdown(Shutdown::Write),
        };
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            LocalStream::Tcp(s) => s.read(buf),
            LocalStream::Unix(s) => s.read(buf),
        }
    }

    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            LocalStream::Tcp(s) => s.write(buf),
            LocalStream::Unix(s) => s.write(buf),
        }
    }
}

/// Where new links come from.
pub(crate) enum Source {
    /// Accepted connections of a listener, each carried to `host:port`.
    /// `spare` is a channel opened up front (to fail early when the target
    /// cannot reach `host:port`), used by the first connection.
    Listener {
        listener: TcpListener,
        host: String,
        port: u16,
        spare: Option<Channel>,
    },
    /// One link, made up front; the forwarder ends when it closes.
    Single,
}

/// A running forwarder; dropping it stops the thread and closes its
/// channels and session.
pub(crate) struct Forwarder {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Forwarder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forwarder").finish_non_exhaustive()
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts a forwarder on `session`; `owner` (the connection the session
/// belongs to) is kept alive, and dropped, by the thread.
pub(crate) fn spawn(
    session: Session,
    owner: Box<dyn Send>,
    source: Source,
    links: Vec<(LocalStream, Channel)>,
    timeout: Duration,
) -> io::Result<Forwarder> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let mut pump = Pump {
        session,
        source,
        links: Vec::new(),
        timeout,
    };
    for (local, channel) in links {
        local.set_nonblocking()?;
        pump.links.push(Link::new(local, channel));
    }
    let thread = std::thread::Builder::new()
        .name("drift-ssh-forward".into())
        .spawn(move || {
            pump.run(&flag);
            drop(pump);
            drop(owner);
        })?;
    Ok(Forwarder {
        stop,
        thread: Some(thread),
    })
}

struct Pump {
    session: Session,
    source: Source,
    links: Vec<Link>,
    timeout: Duration,
}

impl Pump {
    fn run(&mut self, stop: &AtomicBool) {
        self.session.set_blocking(false);
        let mut buf = vec![0u8; 32 * 1024];
        let mut idle: u32 = 0;
        let mut next_keepalive = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            let mut progress = self.accept();
            self.links.retain_mut(|link| {
                let (moved, open) = link.pump(&mut buf);
                progress |= moved;
                open
            });
            if matches!(self.source, Source::Single) && self.links.is_empty() {
                break;
            }
            if Instant::now() >= next_keepalive {
                let wait = self.session.keepalive_send().unwrap_or(5).clamp(1, 60);
                next_keepalive = Instant::now() + Duration::from_secs(u64::from(wait));
            }
            if progress {
                idle = 0;
            } else {
                idle = idle.saturating_add(1);
                let micros = 25u64 << idle.min(7);
                std::thread::sleep(Duration::from_micros(micros.min(2_000)));
            }
        }
        // Close channels in blocking mode (with the operation timeout), so
        // that libssh2 frees them cleanly.
        self.session
            .set_timeout(u32::try_from(self.timeout.as_millis()).unwrap_or(u32::MAX));
        self.session.set_blocking(true);
        for link in &mut self.links {
            let _ = link.channel.close();
        }
        self.links.clear();
    }

    /// Accepts pending connections; true when one was accepted.
    fn accept(&mut self) -> bool {
        let Source::Listener {
            listener,
            host,
            port,
            spare,
        } = &mut self.source
        else {
            return false;
        };
        let mut accepted = false;
        loop {
            let stream = match listener.accept() {
                Ok((s, _)) => s,
                Err(_) => return accepted,
            };
            accepted = true;
            let _ = stream.set_nodelay(true);
            let channel = match spare.take() {
                Some(c) => Ok(c),
                None => {
                    self.session.set_blocking(true);
                    let c = self.session.channel_direct_tcpip(host, *port, None);
                    self.session.set_blocking(false);
                    c
                }
            };
            // A channel that cannot be opened closes the local connection:
            // the client sees the refusal.
            if let Ok(channel) = channel {
                let local = LocalStream::Tcp(stream);
                if local.set_nonblocking().is_ok() {
                    self.links.push(Link::new(local, channel));
                }
            }
        }
    }
}

struct Link {
    local: LocalStream,
    channel: Channel,
    up: Vec<u8>,
    down: Vec<u8>,
    local_eof: bool,
    eof_sent: bool,
    remote_eof: bool,
    local_shut: bool,
}

impl Link {
    fn new(local: LocalStream, channel: Channel) -> Link {
        Link {
            local,
            channel,
            up: Vec::new(),
            down: Vec::new(),
            local_eof: false,
            eof_sent: false,
            remote_eof: false,
            local_shut: false,
        }
    }

    /// Moves what can be moved without blocking. Returns (progress, still
    /// open).
    fn pump(&mut self, buf: &mut [u8]) -> (bool, bool) {
        let mut progress = false;
        for _ in 0..8 {
            match self.step(buf) {
                Ok(true) => progress = true,
                Ok(false) => break,
                Err(()) => return (true, false),
            }
        }
        let done = self.local_eof
            && self.eof_sent
            && self.remote_eof
            && self.up.is_empty()
            && self.down.is_empty();
        (progress, !done)
    }

    fn step(&mut self, buf: &mut [u8]) -> Result<bool, ()> {
        let mut progress = false;
        // Local → remote.
        if self.up.is_empty() && !self.local_eof {
            match self.local.read(buf) {
                Ok(0) => {
                    self.local_eof = true;
                    progress = true;
                }
                Ok(n) => {
                    self.up.extend_from_slice(&buf[..n]);
                    progress = true;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Err(()),
            }
        }
        while !self.up.is_empty() {
            match self.channel.write(&self.up) {
                Ok(n) => {
                    self.up.drain(..n);
                    progress = true;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) => return Err(()),
            }
        }
        if self.local_eof && self.up.is_empty() && !self.eof_sent {
            match self.channel.send_eof() {
                Ok(()) => {
                    self.eof_sent = true;
                    progress = true;
                }
                Err(e) if errors::is_eagain(&e) => {}
                Err(_) => return Err(()),
            }
        }
        // Remote → local.
        if self.down.is_empty() && !self.remote_eof {
            match self.channel.read(buf) {
                Ok(0) => {
                    if self.channel.eof() {
                        self.remote_eof = true;
                        progress = true;
                    }
                }
                Ok(n) => {
                    self.down.extend_from_slice(&buf[..n]);
                    progress = true;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => return Err(()),
            }
        }
        while !self.down.is_empty() {
            match self.local.write(&self.down) {
                Ok(n) => {
                    self.down.drain(..n);
                    progress = true;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) => return Err(()),
            }
        }
        if self.remote_eof && self.down.is_empty() && !self.local_shut {
            self.local.shutdown_write();
            self.local_shut = true;
            progress = true;
        }
        Ok(progress)
    }
}
