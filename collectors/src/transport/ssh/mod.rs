//! Remote hosts over SSH (libssh2), with nothing installed on them.
//!
//! - Files, metadata, listings and walks are read over SFTP.
//! - [`Transport::run`] runs an [`AllowedCommand`] on an exec channel: its
//!   fixed, quoted command line and nothing else.
//! - [`Transport::open_tunnel`] forwards a local port over `direct-tcpip`.
//! - Host keys are always verified against known_hosts; new keys are
//!   recorded only with [`SshOptions::accept_new_host_keys`]; a changed key
//!   is always refused.
//! - Login with the ssh-agent's keys, then identity files.
//! - `~/.ssh/config` basics: `Host`, `HostName`, `User`, `Port`,
//!   `IdentityFile`, `ProxyJump`.
//!
//! `docs/ssh.md` has the details and the threat model.

mod auth;
mod config;
mod connect;
mod errors;
mod exec;
mod forward;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod hostkey;
mod known_hosts;
mod options;
mod pool;
mod resolve;
mod sftp;
mod target;
mod tunnel;

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

pub use options::{IdentityFile, Passphrase, SshOptions};
pub use target::{SshTarget, SshTargetError};

use self::connect::{Connection, Settings};
use self::errors::Context;
use self::hostkey::HostKeyPolicy;
use self::pool::{Keepalive, Outcome, Pool};
use self::sftp::client::{self as sftp_client, SftpClient};
use super::{
    AllowedCommand, CommandOutput, DirEntry, FileMeta, Transport, TransportError, Tunnel, Walk,
    WalkOptions,
};

/// A remote host reached over SSH.
///
/// ```no_run
/// use std::path::Path;
/// use drift_collectors::transport::{Ssh, SshOptions, SshTarget, Transport};
///
/// let target = SshTarget::parse("ssh://deploy@web-1")?;
/// let options = SshOptions::new()
///     .home_dir("/home/ops")
///     .agent_socket("/run/user/1000/ssh-agent.sock");
/// let web1 = Ssh::connect(&target, &options)?;
/// let nginx = web1.read_file(Path::new("/etc/nginx/nginx.conf"), 1 << 20)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Reads go over one SFTP channel whose requests are pipelined: issue them
/// from up to [`Transport::parallelism`] threads at once. Commands run on
/// connections of their own (up to [`SshOptions::max_sessions`]), and each
/// tunnel has its own connection.
#[derive(Debug)]
pub struct Ssh {
    pool: Arc<Pool>,
    sftp: Mutex<Option<Arc<SftpClient>>>,
    parallel: usize,
    _keepalive: Option<Keepalive>,
}

impl Ssh {
    /// Connects to `target`: resolves it through the ssh config, connects
    /// (within the connect timeout), verifies the host key, logs in and
    /// starts SFTP.
    pub fn connect(target: &SshTarget, options: &SshOptions) -> Result<Ssh, TransportError> {
        let hop = resolve::resolve(target, options)?;
        let settings = Settings {
            policy: HostKeyPolicy {
                known_hosts: options.known_hosts_path(),
                extra: options.extra_known_hosts.clone(),
                accept_new: options.accept_new,
            },
            agent_socket: options.agent_socket.clone(),
            connect_timeout: options.connect_timeout,
            operation_timeout: options.operation_timeout,
            keepalive: options.keepalive,
        };
        let first = connect::connect(&hop, &settings)?;
        let pool = Arc::new(Pool::new(hop, settings, None, options.max_sessions));
        let keepalive = pool::keepalive(&pool, options.keepalive);
        let ssh = Ssh {
            pool,
            sftp: Mutex::new(None),
            parallel: options.parallel_requests,
            _keepalive: keepalive,
        };
        // A host without SFTP can still run commands: the error comes with
        // the first read.
        if let Ok(client) = ssh.start_sftp(first) {
            *ssh.sftp.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(client));
        }
        Ok(ssh)
    }

    fn ctx(&self) -> Context<'_> {
        Context {
            target: &self.pool.hop.target_id,
            timeout: self.pool.settings.operation_timeout,
        }
    }

    fn start_sftp(&self, conn: Connection) -> Result<SftpClient, TransportError> {
        let ctx = self.ctx();
        sftp_client::start(
            conn,
            self.pool.settings.operation_timeout,
            self.pool.settings.keepalive,
        )
        .map_err(|e| {
            if errors::is_timeout(&e) {
                ctx.timeout_error("starting sftp".into())
            } else {
                TransportError::Connect {
                    target: ctx.target.to_owned(),
                    message: format!(
                        "cannot start sftp: {} (does sshd have an sftp `Subsystem`?)",
                        errors::message(&e)
                    ),
                }
            }
        })
    }

    /// The SFTP client, (re)connected when there is none or it died.
    fn sftp_client(&self) -> Result<Arc<SftpClient>, TransportError> {
        let mut slot = self.sftp.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(c) = slot.as_ref().filter(|c| !c.is_dead()) {
            return Ok(Arc::clone(c));
        }
        let conn = connect::connect(&self.pool.hop, &self.pool.settings)?;
        let client = Arc::new(self.start_sftp(conn)?);
        *slot = Some(Arc::clone(&client));
        Ok(client)
    }

    /// Runs a read over SFTP; when the connection was lost (not timed out)
    /// it is tried once more on a new one: every operation is a read.
    fn with_sftp<T>(
        &self,
        op: impl Fn(&SftpClient, &Context<'_>) -> Result<T, TransportError>,
    ) -> Result<T, TransportError> {
        let ctx = self.ctx();
        let mut retried = false;
        loop {
            let client = self.sftp_client()?;
            match op(&client, &ctx) {
                Err(TransportError::Connect { .. }) if client.is_dead() && !retried => {
                    retried = true;
                }
                result => return result,
            }
        }
    }

    /// Runs `op` on a leased connection (commands). A connection that broke
    /// or timed out is dropped; when it was lost, `op` is tried once more.
    fn with_conn<T>(
        &self,
        op: impl Fn(&mut Connection, &Context<'_>) -> Outcome<T>,
    ) -> Result<T, TransportError> {
        let ctx = self.ctx();
        let mut retried = false;
        loop {
            let mut lease = self.pool.lease()?;
            let outcome = op(lease.conn()?, &ctx);
            if outcome.fatal {
                lease.mark_broken();
            }
            if outcome.lost && !retried {
                retried = true;
                continue;
            }
            return outcome.result;
        }
    }
}

impl Transport for Ssh {
    fn target(&self) -> &str {
        &self.pool.hop.target_id
    }

    fn read_file(&self, path: &Path, limit: u64) -> Result<Vec<u8>, TransportError> {
        self.with_sftp(|c, ctx| sftp::read_file(c, path, limit, ctx))
    }

    fn read_source_file(&self, path: &Path, limit: u64) -> Result<Vec<u8>, TransportError> {
        self.with_sftp(|c, ctx| sftp::read_source_file(c, path, limit, ctx))
    }

    fn metadata(&self, path: &Path, follow_symlinks: bool) -> Result<FileMeta, TransportError> {
        self.with_sftp(|c, ctx| sftp::metadata(c, path, follow_symlinks, ctx))
    }

    fn read_dir(&self, path: &Path) -> Result<Vec<DirEntry>, TransportError> {
        self.with_sftp(|c, ctx| sftp::read_dir(c, path, ctx))
    }

    fn walk(&self, root: &Path, options: &WalkOptions) -> Result<Walk, TransportError> {
        self.with_sftp(|c, ctx| sftp::walk(c, root, options, ctx))
    }

    fn run(&self, command: &AllowedCommand) -> Result<CommandOutput, TransportError> {
        self.with_conn(|conn, ctx| exec::run(&conn.session, command, ctx))
    }

    fn open_tunnel(&self, host: &str, port: u16) -> Result<Tunnel, TransportError> {
        tunnel::open(&self.pool.hop, &self.pool.settings, host, port)
    }

    fn parallelism(&self) -> usize {
        self.parallel
    }
}
