//! Where collectors run: this machine, or a host over SSH.

use std::path::PathBuf;
use std::time::Duration;

use drift_collectors::transport::{Local, Ssh, SshOptions, SshTarget, Transport, TransportError};

use crate::cli::SshArgs;
use crate::settings::SshSettings;

/// What SSH needs from the process environment (read once, by the binary).
#[derive(Debug, Clone, Default)]
pub struct LoginEnv {
    /// `HOME`.
    pub home: Option<PathBuf>,
    /// `USER` or `LOGNAME`.
    pub user: Option<String>,
    /// `SSH_AUTH_SOCK`.
    pub agent: Option<PathBuf>,
}

impl LoginEnv {
    /// Reads the variables.
    pub fn from_process() -> LoginEnv {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        LoginEnv {
            home: var("HOME").map(PathBuf::from),
            user: var("USER")
                .or_else(|| var("LOGNAME"))
                .and_then(|u| u.into_string().ok()),
            agent: var("SSH_AUTH_SOCK").map(PathBuf::from),
        }
    }
}

/// drift.toml's `[ssh]` with the flags added.
pub fn merge(settings: &SshSettings, args: &SshArgs) -> SshSettings {
    let mut s = settings.clone();
    s.identity_files.extend(args.identity.iter().cloned());
    if args.known_hosts.is_some() {
        s.known_hosts.clone_from(&args.known_hosts);
    }
    s.accept_new_host_keys |= args.accept_new_host_keys;
    if args.ssh_config.is_some() {
        s.config_file.clone_from(&args.ssh_config);
    }
    s
}

/// The SSH options of the library from settings and the login environment.
pub fn ssh_options(settings: &SshSettings, login: &LoginEnv) -> SshOptions {
    let mut o = SshOptions::new().accept_new_host_keys(settings.accept_new_host_keys);
    if let Some(home) = &login.home {
        o = o.home_dir(home.clone());
    }
    if let Some(user) = &login.user {
        o = o.local_user(user.clone());
    }
    if let Some(agent) = &login.agent {
        o = o.agent_socket(agent.clone());
    }
    for id in &settings.identity_files {
        o = o.identity_file(id.clone());
    }
    if let Some(k) = &settings.known_hosts {
        o = o.known_hosts_file(k.clone());
    }
    if let Some(c) = &settings.config_file {
        o = o.ssh_config_file(c.clone());
    }
    if let Some(t) = settings.connect_timeout {
        o = o.connect_timeout(Duration::from_secs(t));
    }
    if let Some(t) = settings.operation_timeout {
        o = o.operation_timeout(Duration::from_secs(t));
    }
    o
}

/// Checks a host target (`ssh://[user@]host[:port]`).
pub fn check_target(target: &str) -> anyhow::Result<()> {
    SshTarget::parse(target)?;
    Ok(())
}

/// Connects to a host target.
pub fn connect(target: &str, options: &SshOptions) -> Result<Box<dyn Transport>, TransportError> {
    let t = SshTarget::parse(target).map_err(|e| TransportError::Connect {
        target: target.to_owned(),
        message: e.to_string(),
    })?;
    Ok(Box::new(Ssh::connect(&t, options)?))
}

/// This machine.
pub fn local() -> Box<dyn Transport> {
    Box::new(Local::new())
}

/// The name of a host in reports: the target without `ssh://` and user.
pub fn host_label(target: &str) -> String {
    let rest = target.strip_prefix("ssh://").unwrap_or(target);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    rest.trim_end_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(host_label("ssh://deploy@web-1"), "web-1");
        assert_eq!(host_label("ssh://web-1:2222"), "web-1:2222");
        assert_eq!(host_label("ssh://root@[::1]:22"), "[::1]:22");
    }
}
