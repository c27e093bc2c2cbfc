//! Where collectors run: this machine, or a host over SSH.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;

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

/// The variable with which the person running drift turns on trust on
/// first use, as `--accept-new-host-keys` does.
pub const ACCEPT_NEW_ENV: &str = "DRIFT_ACCEPT_NEW_HOST_KEYS";

/// drift.toml's `[ssh]` with the flags added; `env` reads the process
/// environment.
///
/// Trust on first use is the decision of the person running drift, not of
/// a drift.toml (which may come from the change under review): it is on
/// with `--accept-new-host-keys` or `DRIFT_ACCEPT_NEW_HOST_KEYS=1`, and
/// `accept_new_host_keys = true` in drift.toml without either is an error
/// rather than silently on or off.
pub fn merge(
    settings: &SshSettings,
    args: &SshArgs,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> anyhow::Result<SshSettings> {
    let by_env = match env(ACCEPT_NEW_ENV) {
        None => false,
        Some(v) if v == "1" || v == "true" || v == "yes" => true,
        Some(v) if v.is_empty() || v == "0" || v == "false" || v == "no" => false,
        Some(_) => bail!("{ACCEPT_NEW_ENV} must be 1 or 0 (true/false, yes/no)"),
    };
    let by_runner = args.accept_new_host_keys || by_env;
    if settings.accept_new_host_keys && !by_runner {
        bail!(
            "`accept_new_host_keys = true` in drift.toml's [ssh] is not enough on its own: \
             a drift.toml may come from the change under review, and trusting new host keys \
             is for the person running drift to decide; pass `--accept-new-host-keys` or set \
             {ACCEPT_NEW_ENV}=1, or remove the setting"
        );
    }
    let mut s = settings.clone();
    s.identity_files.extend(args.identity.iter().cloned());
    if args.known_hosts.is_some() {
        s.known_hosts.clone_from(&args.known_hosts);
    }
    s.accept_new_host_keys = by_runner;
    if args.ssh_config.is_some() {
        s.config_file.clone_from(&args.ssh_config);
    }
    Ok(s)
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

/// This machine's host name, when it has one.
pub fn local_host_name() -> Option<String> {
    #[cfg(target_os = "linux")]
    let name = rustix::system::uname()
        .nodename()
        .to_str()
        .ok()
        .map(str::to_owned);
    #[cfg(not(target_os = "linux"))]
    let name = std::env::var("HOSTNAME")
        .or_else(|_| std::env::var("COMPUTERNAME"))
        .ok();
    name.filter(|n| valid_host_name(n))
}

/// Whether `name` may name a host in a manifest: 1 to 255 characters, none
/// of them a control, a space or invisible.
pub fn valid_host_name(name: &str) -> bool {
    (1..=255).contains(&name.chars().count())
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || drift_core::display::is_hidden(c))
}

/// The host name a snapshot of `target` (`None`: this machine) records by
/// default: the SSH target's host, or this machine's name.
pub fn default_host_name(target: Option<&str>) -> Option<String> {
    match target {
        Some(t) => Some(host_label(t)),
        None => local_host_name(),
    }
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

    fn args(accept: bool) -> SshArgs {
        SshArgs {
            identity: Vec::new(),
            known_hosts: None,
            accept_new_host_keys: accept,
            ssh_config: None,
        }
    }

    #[test]
    fn only_the_runner_turns_on_trust_on_first_use() {
        let toml_on = SshSettings {
            accept_new_host_keys: true,
            ..SshSettings::default()
        };
        let no_env = |_: &str| None;
        let env_on = |k: &str| (k == ACCEPT_NEW_ENV).then(|| OsString::from("1"));
        let env_off = |k: &str| (k == ACCEPT_NEW_ENV).then(|| OsString::from("0"));
        let on = |s: &SshSettings, a: bool, env: &dyn Fn(&str) -> Option<OsString>| {
            merge(s, &args(a), env).map(|m| m.accept_new_host_keys)
        };
        let toml_off = SshSettings::default();
        assert!(!on(&toml_off, false, &no_env).unwrap());
        assert!(!on(&toml_off, false, &env_off).unwrap());
        assert!(on(&toml_off, true, &no_env).unwrap());
        assert!(on(&toml_off, false, &env_on).unwrap());
        assert!(on(&toml_on, true, &no_env).unwrap());
        assert!(on(&toml_on, false, &env_on).unwrap());
        // A drift.toml alone: an error, not silently on.
        for env in [&no_env as &dyn Fn(&str) -> Option<OsString>, &env_off] {
            let e = on(&toml_on, false, env).unwrap_err().to_string();
            assert!(e.contains("is not enough on its own"), "{e}");
            assert!(e.contains("--accept-new-host-keys"), "{e}");
        }
        let bad = |_: &str| Some(OsString::from("sure"));
        let e = on(&toml_off, false, &bad).unwrap_err().to_string();
        assert_eq!(
            e,
            "DRIFT_ACCEPT_NEW_HOST_KEYS must be 1 or 0 (true/false, yes/no)"
        );
    }

    #[test]
    fn labels() {
        assert_eq!(host_label("ssh://deploy@web-1"), "web-1");
        assert_eq!(host_label("ssh://web-1:2222"), "web-1:2222");
        assert_eq!(host_label("ssh://root@[::1]:22"), "[::1]:22");
    }
}
