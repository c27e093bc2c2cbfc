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
mod hostkey;
mod known_hosts;
mod options;
mod pool;
mod resolve;
mod sftp;
mod target;
mod tunnel;

use std::path::Path;
use std::sync::Arc;

pub use options::{IdentityFile, Passphrase, SshOptions};
pub use target::{SshTarget, SshTargetError};

use self::connect::Settings;
use self::errors::Context;
use self::hostkey::HostKeyPolicy;
use self::pool::{Keepalive, Pool};
use self::sftp::Outcome;
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
#[derive(Debug)]
pub struct Ssh {
    pool: Arc<Pool>,
    _keepalive: Option<Keepalive>,
}

impl Ssh {
    /// Connects to `target`: resolves it through the ssh config, connects
    /// (within the connect timeout), verifies the host key and logs in.
    /// Further connections (up to [`SshOptions::max_sessions`]) are opened
    /// when reads are issued in parallel.
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
        let pool = Arc::new(Pool::new(hop, settings, first, options.max_sessions));
        let keepalive = pool::keepalive(&pool, options.keepalive);
        Ok(Ssh {
            pool,
            _keepalive: keepalive,
        })
    }

    fn ctx(&self) -> Context<'_> {
        Context {
            target: &self.pool.hop.target_id,
            timeout: self.pool.settings.operation_timeout,
        }
    }

    /// Runs `op` on a leased connection. A connection that broke or timed
    /// out is dropped; when it was lost (not timed out), `op` is tried once
    /// more on a new connection: every operation is a read.
    fn with_conn<T>(
        &self,
        op: impl Fn(&mut connect::Connection, &Context<'_>) -> Outcome<T>,
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

    fn with_sftp<T>(
        &self,
        op: impl Fn(&ssh2::Sftp, &Context<'_>) -> Outcome<T>,
    ) -> Result<T, TransportError> {
        self.with_conn(|conn, ctx| match conn.sftp() {
            Ok(sftp) => op(sftp, ctx),
            Err(e) => Outcome {
                result: Err(if errors::is_timeout(&e) {
                    ctx.timeout_error("starting sftp".into())
                } else {
                    TransportError::Connect {
                        target: ctx.target.to_owned(),
                        message: format!(
                            "cannot start sftp: {} (does sshd have an sftp `Subsystem`?)",
                            errors::message(&e)
                        ),
                    }
                }),
                fatal: errors::is_fatal(&e),
                lost: errors::is_lost(&e),
            },
        })
    }
}

impl Transport for Ssh {
    fn target(&self) -> &str {
        &self.pool.hop.target_id
    }

    fn read_file(&self, path: &Path, limit: u64) -> Result<Vec<u8>, TransportError> {
        self.with_sftp(|sftp, ctx| sftp::read_file(sftp, path, limit, ctx))
    }

    fn metadata(&self, path: &Path, follow_symlinks: bool) -> Result<FileMeta, TransportError> {
        self.with_sftp(|sftp, ctx| sftp::metadata(sftp, path, follow_symlinks, ctx))
    }

    fn read_dir(&self, path: &Path) -> Result<Vec<DirEntry>, TransportError> {
        self.with_sftp(|sftp, ctx| sftp::read_dir(sftp, path, ctx))
    }

    fn walk(&self, root: &Path, options: &WalkOptions) -> Result<Walk, TransportError> {
        self.with_sftp(|sftp, ctx| sftp::walk(sftp, root, options, ctx))
    }

    fn run(&self, command: &AllowedCommand) -> Result<CommandOutput, TransportError> {
        self.with_conn(|conn, ctx| exec::run(&conn.session, command, ctx))
    }

    fn open_tunnel(&self, host: &str, port: u16) -> Result<Tunnel, TransportError> {
        tunnel::open(&self.pool.hop, &self.pool.settings, host, port)
    }

    fn parallelism(&self) -> usize {
        self.pool.size()
    }
}
