//! A pipelined SFTP client on one channel.
//!
//! libssh2's own SFTP calls wait for each reply before the next request,
//! and a session serves one call at a time. Here one I/O thread owns the
//! connection and the `sftp` subsystem channel: any number of threads send
//! requests through it, and replies are routed back by request id. Requests
//! of parallel readers (and of a walk's parallel listings) thus travel
//! together, which saves round trips and, on the server, wake-ups of sshd
//! and sftp-server per request.
//!
//! A server may be hostile (a compromised host can replace its
//! sftp-server), so nothing it sends is kept before it is checked: a
//! packet's length is checked against what its request allows as soon as
//! its header arrives (see [`proto::MAX_PACKET`] and
//! [`Request::reply_limit`]), and every operation waits until a deadline
//! that counts from its start ([`Pending::wait`]), not from the last byte
//! received: a reply trickled a byte at a time cannot keep it going.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ssh2::{Channel, ExtendedData};

use super::proto::{self, Request, Response};
use crate::transport::ssh::connect::Connection;
use crate::transport::ssh::errors;

/// Why a request got no reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The connection broke or closed; worth one retry on a new one.
    Lost(String),
    /// The server did not answer within the operation timeout.
    Timeout,
    /// The server broke the protocol (a reply longer than its request
    /// allows, a reply to no request); the connection is dropped and not
    /// tried again.
    Protocol(String),
}

type ReplyTx = Sender<Result<Response, Failure>>;

struct Call {
    request: Request,
    reply: Option<ReplyTx>,
}

/// A request sent and not yet answered.
struct Waiter {
    reply: Option<ReplyTx>,
    /// The longest reply accepted (its length field).
    limit: u32,
}

/// A reply to wait for.
#[derive(Debug)]
pub(crate) struct Pending {
    rx: Receiver<Result<Response, Failure>>,
    abort: Arc<AtomicBool>,
}

impl Pending {
    /// Waits for the reply until `deadline`, the end of the operation it
    /// belongs to. Past it, the connection is dropped (the server holds it
    /// up, and a late reply would come out of step) and this is a
    /// [`Failure::Timeout`].
    pub(crate) fn wait(self, deadline: Instant) -> Result<Response, Failure> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(left) {
            Ok(reply) => reply,
            Err(RecvTimeoutError::Timeout) => {
                self.abort.store(true, Ordering::Relaxed);
                Err(Failure::Timeout)
            }
            Err(RecvTimeoutError::Disconnected) => {
                Err(Failure::Lost("the sftp session ended".into()))
            }
        }
    }
}

/// The client; dropping it closes the channel and the connection.
#[derive(Debug)]
pub(crate) struct SftpClient {
    tx: Option<Sender<Call>>,
    dead: Arc<AtomicBool>,
    /// Set by a caller whose deadline passed: the I/O thread stops.
    abort: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Starts the `sftp` subsystem on `conn` and its I/O thread.
pub(crate) fn start(
    conn: Connection,
    timeout: Duration,
    keepalive: Duration,
) -> Result<SftpClient, ssh2::Error> {
    let mut channel = conn.session.channel_session()?;
    channel.handle_extended_data(ExtendedData::Ignore)?;
    channel.subsystem("sftp")?;
    channel
        .write_all(&proto::init_packet())
        .map_err(|e| io_to_ssh(&e))?;
    // The VERSION reply, within the operation timeout however slowly it
    // comes, and no longer than any packet.
    let deadline = Instant::now() + timeout;
    let mut inbuf = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if proto::header(&inbuf).is_some_and(|(len, _, _)| len > proto::MAX_PACKET) {
            return Err(ssh2::Error::new(
                ssh2::ErrorCode::Session(-31),
                "the server sent an sftp version packet longer than 256 KiB",
            ));
        }
        if Instant::now() > deadline {
            return Err(ssh2::Error::new(
                ssh2::ErrorCode::Session(errors::TIMEOUT),
                "the sftp version reply did not come in time",
            ));
        }
        if let Some((kind, _, _, used)) = proto::split_packet(&inbuf) {
            if kind != proto::VERSION {
                return Err(ssh2::Error::new(
                    ssh2::ErrorCode::Session(-31),
                    "the server did not answer the sftp version request",
                ));
            }
            inbuf.drain(..used);
            break;
        }
        match channel.read(&mut buf) {
            Ok(0) => {
                return Err(ssh2::Error::new(
                    ssh2::ErrorCode::Session(-13),
                    "the sftp subsystem closed at once",
                ));
            }
            Ok(n) => inbuf.extend_from_slice(&buf[..n]),
            Err(e) => return Err(io_to_ssh(&e)),
        }
    }
    let (tx, rx) = mpsc::channel();
    let dead = Arc::new(AtomicBool::new(false));
    let abort = Arc::new(AtomicBool::new(false));
    let io = Io {
        channel,
        conn,
        rx,
        inbuf,
        out: Vec::new(),
        waiting: HashMap::new(),
        next_id: 1,
        timeout,
        keepalive,
        dead: Arc::clone(&dead),
        abort: Arc::clone(&abort),
    };
    let thread = std::thread::Builder::new()
        .name("drift-sftp".into())
        .spawn(move || io.run())
        .map_err(|_| ssh2::Error::new(ssh2::ErrorCode::Session(-6), "cannot start a thread"))?;
    Ok(SftpClient {
        tx: Some(tx),
        dead,
        abort,
        thread: Some(thread),
    })
}

fn io_to_ssh(e: &std::io::Error) -> ssh2::Error {
    let code = if e.kind() == std::io::ErrorKind::TimedOut {
        errors::TIMEOUT
    } else {
        -43
    };
    ssh2::Error::new(ssh2::ErrorCode::Session(code), "sftp i/o failed")
}

impl SftpClient {
    /// Sends a request; its reply comes through the returned handle.
    pub(crate) fn send(&self, request: Request) -> Pending {
        let (tx, rx) = mpsc::channel();
        let call = Call {
            request,
            reply: Some(tx.clone()),
        };
        if self.tx.as_ref().is_none_or(|s| s.send(call).is_err()) {
            let _ = tx.send(Err(Failure::Lost("the sftp session ended".into())));
        }
        Pending {
            rx,
            abort: Arc::clone(&self.abort),
        }
    }

    /// Sends a request whose reply does not matter (closing a handle).
    pub(crate) fn send_and_forget(&self, request: Request) {
        if let Some(s) = &self.tx {
            let _ = s.send(Call {
                request,
                reply: None,
            });
        }
    }

    /// Sends a request and waits for its reply until `deadline`.
    pub(crate) fn call(&self, request: Request, deadline: Instant) -> Result<Response, Failure> {
        self.send(request).wait(deadline)
    }

    /// Whether the I/O thread has stopped (the connection is gone).
    pub(crate) fn is_dead(&self) -> bool {
        self.dead.load(Ordering::Relaxed)
    }
}

impl Drop for SftpClient {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Io {
    // The channel is dropped before the connection it belongs to.
    channel: Channel,
    conn: Connection,
    rx: Receiver<Call>,
    inbuf: Vec<u8>,
    out: Vec<u8>,
    waiting: HashMap<u32, Waiter>,
    next_id: u32,
    timeout: Duration,
    keepalive: Duration,
    dead: Arc<AtomicBool>,
    abort: Arc<AtomicBool>,
}

impl Io {
    fn run(mut self) {
        let failure = self.serve();
        self.dead.store(true, Ordering::Relaxed);
        for (_, waiter) in self.waiting.drain() {
            if let Some(r) = waiter.reply {
                let _ = r.send(Err(failure.clone()));
            }
        }
        while let Ok(call) = self.rx.try_recv() {
            if let Some(r) = call.reply {
                let _ = r.send(Err(failure.clone()));
            }
        }
        // Close in blocking mode with the operation timeout; then the
        // connection (and any jump link) is dropped.
        self.conn
            .session
            .set_timeout(u32::try_from(self.timeout.as_millis()).unwrap_or(u32::MAX));
        let _ = self.channel.close();
    }

    fn enqueue(&mut self, call: Call) {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        call.request.encode(id, &mut self.out);
        self.waiting.insert(
            id,
            Waiter {
                reply: call.reply,
                limit: call.request.reply_limit,
            },
        );
    }

    /// Serves requests until the client is dropped (returns a failure for
    /// anything still queued) or the connection fails.
    fn serve(&mut self) -> Failure {
        // Reads wait at most 1 ms for data, so that new requests are picked
        // up while replies are outstanding.
        self.conn.session.set_timeout(1);
        let mut buf = vec![0u8; 64 * 1024];
        let mut last_progress = Instant::now();
        let idle_wait = if self.keepalive.is_zero() {
            Duration::from_secs(3600)
        } else {
            self.keepalive
        };
        loop {
            if self.abort.load(Ordering::Relaxed) {
                return Failure::Timeout;
            }
            if self.waiting.is_empty() && self.out.is_empty() {
                match self.rx.recv_timeout(idle_wait) {
                    Ok(call) => self.enqueue(call),
                    Err(RecvTimeoutError::Timeout) => {
                        if let Err(e) = self.conn.session.keepalive_send()
                            && !errors::is_timeout(&e)
                        {
                            return Failure::Lost(errors::message(&e));
                        }
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => {
                        return Failure::Lost("the client was closed".into());
                    }
                }
                last_progress = Instant::now();
            }
            loop {
                match self.rx.try_recv() {
                    Ok(call) => self.enqueue(call),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        if self.waiting.is_empty() && self.out.is_empty() {
                            return Failure::Lost("the client was closed".into());
                        }
                        break;
                    }
                }
            }
            if !self.out.is_empty() {
                match self.channel.write(&self.out) {
                    Ok(n) => {
                        self.out.drain(..n);
                        last_progress = Instant::now();
                    }
                    Err(e) if is_wait(&e) => {}
                    Err(e) => return Failure::Lost(format!("sending: {e}")),
                }
            }
            if !self.waiting.is_empty() {
                match self.channel.read(&mut buf) {
                    Ok(0) if self.channel.eof() => {
                        return Failure::Lost("the sftp subsystem closed".into());
                    }
                    Ok(0) => {}
                    Ok(n) => {
                        self.inbuf.extend_from_slice(&buf[..n]);
                        last_progress = Instant::now();
                        if let Err(f) = self.dispatch() {
                            return f;
                        }
                    }
                    Err(e) if is_wait(&e) => {}
                    Err(e) => return Failure::Lost(format!("receiving: {e}")),
                }
            }
            if !(self.waiting.is_empty() && self.out.is_empty())
                && last_progress.elapsed() > self.timeout
            {
                return Failure::Timeout;
            }
        }
    }

    /// Routes the complete packets received to their requests; checks
    /// the length of the next one as soon as its header is there, so that
    /// no more is kept than its request allows.
    fn dispatch(&mut self) -> Result<(), Failure> {
        let mut used_total = 0;
        loop {
            let rest = &self.inbuf[used_total..];
            if let Some((len, _, id)) = proto::header(rest) {
                let Some(waiter) = self.waiting.get(&id) else {
                    return Err(Failure::Protocol(format!(
                        "the server sent a reply to no request (id {id})"
                    )));
                };
                if len > waiter.limit {
                    return Err(Failure::Protocol(format!(
                        "the server sent a {len}-byte reply where the request allows at most {} bytes",
                        waiter.limit
                    )));
                }
            } else if rest.len() >= 4 {
                // Not even the header yet: the length alone is checked.
                let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]);
                if len > proto::MAX_PACKET {
                    return Err(Failure::Protocol(format!(
                        "the server sent a {len}-byte packet (at most {} are accepted)",
                        proto::MAX_PACKET
                    )));
                }
            }
            let Some((kind, id, body, used)) = proto::split_packet(rest) else {
                break;
            };
            let response = Response {
                kind,
                body: body.to_vec(),
            };
            used_total += used;
            if let Some(Waiter {
                reply: Some(reply), ..
            }) = self.waiting.remove(&id)
            {
                let _ = reply.send(Ok(response));
            }
        }
        self.inbuf.drain(..used_total);
        Ok(())
    }
}

/// A 1 ms read or write wait that ended without data.
fn is_wait(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    )
}
