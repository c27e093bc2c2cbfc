//! A small pool of connections to one host, for running commands. A libssh2
//! session serves one call at a time, so commands run at once each lease a
//! connection of their own; connections are opened on demand up to the
//! pool's size (`SshOptions::max_sessions`), kept for reuse, and kept alive
//! while idle. Reads do not lease: they are pipelined on one SFTP channel
//! over a connection of its own (`sftp::client`), and each tunnel opens its
//! own connection.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use super::connect::{self, Connection, Settings};
use super::resolve::Hop;
use crate::transport::TransportError;

/// Outcome of an operation on a leased connection: its result, and
/// whether the connection must be dropped (it broke or timed out).
pub(crate) struct Outcome<T> {
    pub result: Result<T, TransportError>,
    pub fatal: bool,
    /// The connection was lost (not timed out): worth one retry.
    pub lost: bool,
}

#[derive(Debug)]
struct State {
    idle: Vec<Connection>,
    /// Connections in existence (idle, leased or being opened).
    open: usize,
}

/// The connections of one host.
#[derive(Debug)]
pub(crate) struct Pool {
    pub hop: Hop,
    pub settings: Settings,
    max: usize,
    state: Mutex<State>,
    available: Condvar,
}

/// A connection leased from the pool; it goes back when dropped, unless
/// marked broken.
#[derive(Debug)]
pub(crate) struct Lease<'a> {
    pool: &'a Pool,
    conn: Option<Connection>,
    broken: bool,
}

impl Pool {
    /// A pool holding `first`, if given.
    pub(super) fn new(hop: Hop, settings: Settings, first: Option<Connection>, max: usize) -> Pool {
        let open = usize::from(first.is_some());
        Pool {
            hop,
            settings,
            max: max.max(1),
            state: Mutex::new(State {
                idle: first.into_iter().collect(),
                open,
            }),
            available: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An idle connection, a new one when none is idle and the pool is not
    /// full, or the next one given back.
    pub(super) fn lease(&self) -> Result<Lease<'_>, TransportError> {
        let mut state = self.lock();
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(Lease {
                    pool: self,
                    conn: Some(conn),
                    broken: false,
                });
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                return match connect::connect(&self.hop, &self.settings) {
                    Ok(conn) => Ok(Lease {
                        pool: self,
                        conn: Some(conn),
                        broken: false,
                    }),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.available.notify_one();
                        Err(e)
                    }
                };
            }
            state = self
                .available
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Sends a keepalive on every idle connection and drops those that
    /// fail.
    fn keepalive_idle(&self) {
        let mut state = self.lock();
        let before = state.idle.len();
        state.idle.retain(|c| c.session.keepalive_send().is_ok());
        let dropped = before - state.idle.len();
        state.open -= dropped;
        if dropped > 0 {
            self.available.notify_all();
        }
    }
}

impl Lease<'_> {
    /// The leased connection.
    pub(super) fn conn(&mut self) -> Result<&mut Connection, TransportError> {
        self.conn.as_mut().ok_or_else(|| TransportError::Connect {
            target: self.pool.hop.target_id.clone(),
            message: "the connection was closed".into(),
        })
    }

    /// Do not give the connection back: it timed out or broke.
    pub(super) fn mark_broken(&mut self) {
        self.broken = true;
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let conn = self.conn.take();
        let mut state = self.pool.lock();
        match conn {
            Some(c) if !self.broken => state.idle.push(c),
            other => {
                state.open -= 1;
                drop(state);
                // Closing may wait for the server; not under the lock.
                drop(other);
                self.pool.available.notify_one();
                return;
            }
        }
        drop(state);
        self.pool.available.notify_one();
    }
}

/// Stops the keepalive thread when dropped.
#[derive(Debug)]
pub(crate) struct Keepalive {
    _stop: Sender<()>,
}

/// Starts a thread that keeps the pool's idle connections alive every
/// `interval`, until the returned handle or the pool is dropped.
pub(crate) fn keepalive(pool: &Arc<Pool>, interval: Duration) -> Option<Keepalive> {
    if interval.is_zero() {
        return None;
    }
    let (tx, rx) = mpsc::channel::<()>();
    let weak: Weak<Pool> = Arc::downgrade(pool);
    std::thread::Builder::new()
        .name("drift-ssh-keepalive".into())
        .spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(interval) {
                match weak.upgrade() {
                    Some(pool) => pool.keepalive_idle(),
                    None => break,
                }
            }
        })
        .ok()?;
    Some(Keepalive { _stop: tx })
}
