//! Settings of SSH connections, filled by the caller (the CLI).
//!
//! The library never reads the process environment: the home directory
//! (for `~`, `~/.ssh/config`, `~/.ssh/known_hosts` and the default identity
//! files), the ssh-agent socket and the local user name are inputs.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A key passphrase. It is never shown by `Debug` and never put into a
/// message.
#[derive(Clone)]
pub struct Passphrase(String);

impl Passphrase {
    /// Wraps a passphrase.
    pub fn new(text: impl Into<String>) -> Passphrase {
        Passphrase(text.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(***)")
    }
}

/// An identity (private key) file, with the passphrase to decrypt it when
/// it is encrypted.
#[derive(Debug, Clone)]
pub struct IdentityFile {
    pub(crate) path: PathBuf,
    pub(crate) passphrase: Option<Passphrase>,
}

/// Which `ssh_config` file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ConfigSource {
    /// `~/.ssh/config` when a home directory is given.
    Default,
    /// This file.
    File(PathBuf),
    /// None.
    Off,
}

/// How to connect to SSH targets: authentication, host-key checking,
/// timeouts. Built with chained setters:
///
/// ```
/// use std::time::Duration;
/// use drift_collectors::transport::SshOptions;
///
/// let options = SshOptions::new()
///     .home_dir("/home/ops")
///     .agent_socket("/run/user/1000/ssh-agent.sock")
///     .identity_file("/home/ops/.ssh/deploy_ed25519")
///     .accept_new_host_keys(false)
///     .connect_timeout(Duration::from_secs(5));
/// assert_eq!(
///     options.known_hosts_path().unwrap().to_str(),
///     Some("/home/ops/.ssh/known_hosts")
/// );
/// ```
///
/// Host keys are always checked against known_hosts; there is no setting
/// to turn that off. [`SshOptions::accept_new_host_keys`] records the keys
/// of hosts not seen before (trust on first use); a changed key is refused
/// even then.
#[derive(Debug, Clone)]
pub struct SshOptions {
    pub(crate) home: Option<PathBuf>,
    pub(crate) local_user: Option<String>,
    pub(crate) agent_socket: Option<PathBuf>,
    pub(crate) identities: Vec<IdentityFile>,
    known_hosts: Option<PathBuf>,
    pub(crate) extra_known_hosts: Vec<PathBuf>,
    pub(crate) accept_new: bool,
    pub(crate) connect_timeout: Duration,
    pub(crate) operation_timeout: Duration,
    pub(crate) keepalive: Duration,
    config: ConfigSource,
    pub(crate) max_sessions: usize,
    pub(crate) parallel_requests: usize,
}

impl Default for SshOptions {
    fn default() -> SshOptions {
        SshOptions {
            home: None,
            local_user: None,
            agent_socket: None,
            identities: Vec::new(),
            known_hosts: None,
            extra_known_hosts: Vec::new(),
            accept_new: false,
            connect_timeout: Duration::from_secs(10),
            operation_timeout: Duration::from_secs(30),
            keepalive: Duration::from_secs(15),
            config: ConfigSource::Default,
            max_sessions: 2,
            parallel_requests: 16,
        }
    }
}

impl SshOptions {
    /// Defaults: no home directory, no agent, no identity file, new host
    /// keys refused, 10 s to connect, 30 s per operation, a keepalive every
    /// 15 s, 16 reads in flight, two connections for commands.
    pub fn new() -> SshOptions {
        SshOptions::default()
    }

    /// The local user's home directory: `~` in `~/.ssh/config`, the default
    /// config file, the default known_hosts file and the default identity
    /// files (`~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`, tried when no
    /// identity file is given here or in the config) are found from it.
    pub fn home_dir(mut self, home: impl Into<PathBuf>) -> SshOptions {
        self.home = Some(home.into());
        self
    }

    /// The local user name, the login name when neither the target nor the
    /// config file gives one (like `ssh`).
    pub fn local_user(mut self, user: impl Into<String>) -> SshOptions {
        self.local_user = Some(user.into());
        self
    }

    /// The ssh-agent socket (`$SSH_AUTH_SOCK`). Agent keys are tried first.
    pub fn agent_socket(mut self, socket: impl Into<PathBuf>) -> SshOptions {
        self.agent_socket = Some(socket.into());
        self
    }

    /// An identity (private key) file to try after the agent, before those
    /// of the config file. May be given several times.
    pub fn identity_file(mut self, path: impl Into<PathBuf>) -> SshOptions {
        self.identities.push(IdentityFile {
            path: path.into(),
            passphrase: None,
        });
        self
    }

    /// An encrypted identity file and its passphrase.
    pub fn identity_file_with_passphrase(
        mut self,
        path: impl Into<PathBuf>,
        passphrase: Passphrase,
    ) -> SshOptions {
        self.identities.push(IdentityFile {
            path: path.into(),
            passphrase: Some(passphrase),
        });
        self
    }

    /// The known_hosts file to check host keys against and to record new
    /// keys into (default `~/.ssh/known_hosts`).
    pub fn known_hosts_file(mut self, path: impl Into<PathBuf>) -> SshOptions {
        self.known_hosts = Some(path.into());
        self
    }

    /// A further known_hosts file that is read but never written, such as
    /// `/etc/ssh/ssh_known_hosts`. May be given several times.
    pub fn global_known_hosts_file(mut self, path: impl Into<PathBuf>) -> SshOptions {
        self.extra_known_hosts.push(path.into());
        self
    }

    /// Records the key of a host not seen before into the known_hosts file
    /// instead of refusing it (trust on first use). A key that differs from
    /// the recorded one is refused all the same.
    pub fn accept_new_host_keys(mut self, accept: bool) -> SshOptions {
        self.accept_new = accept;
        self
    }

    /// How long connecting (name lookup, TCP, SSH handshake, login) may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> SshOptions {
        self.connect_timeout = timeout;
        self
    }

    /// How long any one operation (a read, a listing, a command) may wait
    /// for the server.
    pub fn operation_timeout(mut self, timeout: Duration) -> SshOptions {
        self.operation_timeout = timeout;
        self
    }

    /// How often an idle connection sends a keepalive (zero: never).
    pub fn keepalive_interval(mut self, interval: Duration) -> SshOptions {
        self.keepalive = interval;
        self
    }

    /// Reads this `ssh_config` file instead of `~/.ssh/config`.
    pub fn ssh_config_file(mut self, path: impl Into<PathBuf>) -> SshOptions {
        self.config = ConfigSource::File(path.into());
        self
    }

    /// Reads no `ssh_config` file at all.
    pub fn no_ssh_config(mut self) -> SshOptions {
        self.config = ConfigSource::Off;
        self
    }

    /// How many SSH connections one host may have open at once to run
    /// commands (at least 1). Reads share one connection; tunnels have their
    /// own.
    pub fn max_sessions(mut self, n: usize) -> SshOptions {
        self.max_sessions = n.max(1);
        self
    }

    /// How many reads are worth issuing at once
    /// ([`Transport::parallelism`](crate::transport::Transport::parallelism)):
    /// they are pipelined on the one SFTP channel (at least 1, default 16).
    pub fn parallel_requests(mut self, n: usize) -> SshOptions {
        self.parallel_requests = n.max(1);
        self
    }

    /// The known_hosts file used: the one given, or `~/.ssh/known_hosts`.
    pub fn known_hosts_path(&self) -> Option<PathBuf> {
        self.known_hosts
            .clone()
            .or_else(|| self.home.as_ref().map(|h| h.join(".ssh/known_hosts")))
    }

    /// The `ssh_config` file read, if any.
    pub fn ssh_config_path(&self) -> Option<PathBuf> {
        match &self.config {
            ConfigSource::Default => self.home.as_ref().map(|h| h.join(".ssh/config")),
            ConfigSource::File(p) => Some(p.clone()),
            ConfigSource::Off => None,
        }
    }

    /// Expands a leading `~/` with the home directory.
    pub(crate) fn expand_tilde(&self, path: &str) -> PathBuf {
        match (path.strip_prefix("~/"), &self.home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ if path == "~" => self.home.clone().unwrap_or_else(|| PathBuf::from(path)),
            _ => PathBuf::from(path),
        }
    }

    /// The default identity files, in the order `ssh` tries them.
    pub(crate) fn default_identities(&self) -> Vec<PathBuf> {
        let Some(home) = &self.home else {
            return Vec::new();
        };
        ["id_ed25519", "id_ecdsa", "id_rsa"]
            .iter()
            .map(|n| home.join(".ssh").join(n))
            .collect()
    }

    pub(crate) fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_home_directory() {
        let o = SshOptions::new();
        assert_eq!(o.known_hosts_path(), None);
        assert_eq!(o.ssh_config_path(), None);
        let o = o.home_dir("/h");
        assert_eq!(
            o.known_hosts_path(),
            Some(PathBuf::from("/h/.ssh/known_hosts"))
        );
        assert_eq!(o.ssh_config_path(), Some(PathBuf::from("/h/.ssh/config")));
        assert_eq!(o.expand_tilde("~/.ssh/k"), PathBuf::from("/h/.ssh/k"));
        assert_eq!(o.expand_tilde("/abs"), PathBuf::from("/abs"));
        let o = o.known_hosts_file("/k").no_ssh_config();
        assert_eq!(o.known_hosts_path(), Some(PathBuf::from("/k")));
        assert_eq!(o.ssh_config_path(), None);
    }

    #[test]
    fn passphrases_are_not_shown() {
        let o = SshOptions::new().identity_file_with_passphrase("/k", Passphrase::new("hunter2"));
        assert!(!format!("{o:?}").contains("hunter2"));
    }
}
