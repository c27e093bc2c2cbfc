//! Turning a target and the options into the hops to connect: the host
//! name, port, user and identity files of the target and of its
//! `ProxyJump` hosts, from the target, `~/.ssh/config` and the defaults.

use std::path::PathBuf;

use super::auth::Identity;
use super::config::{SshConfig, expand_tokens};
use super::options::SshOptions;
use super::target::SshTarget;
use crate::transport::TransportError;

/// Most hops of a `ProxyJump` chain (a longer one is most likely a loop).
const MAX_HOPS: usize = 8;

/// One SSH server to connect to, with everything resolved.
#[derive(Debug, Clone)]
pub(crate) struct Hop {
    /// The id used in messages and manifests: `ssh://user@alias[:port]`.
    pub target_id: String,
    /// The host name or address to connect to (`HostName`).
    pub host: String,
    /// The port.
    pub port: u16,
    /// The login user.
    pub user: String,
    /// Identity files to try, in order.
    pub identities: Vec<Identity>,
    /// The jump host this hop is reached through.
    pub jump: Option<Box<Hop>>,
}

/// Resolves `target` with `options` (reading the ssh config file, if any).
pub(crate) fn resolve(target: &SshTarget, options: &SshOptions) -> Result<Hop, TransportError> {
    let config = load_config(target, options)?;
    resolve_hop(
        target.host(),
        target.user(),
        target.port(),
        None,
        &config,
        options,
        0,
    )
}

fn load_config(target: &SshTarget, options: &SshOptions) -> Result<SshConfig, TransportError> {
    let Some(path) = options.ssh_config_path() else {
        return Ok(SshConfig::default());
    };
    let fail = |message: String| TransportError::Connect {
        target: target.to_string(),
        message,
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SshConfig::default()),
        Err(e) => {
            return Err(fail(format!(
                "cannot read the ssh config `{}`: {e}",
                path.display()
            )));
        }
    };
    SshConfig::parse(&text).map_err(|e| {
        fail(format!(
            "failed to parse the ssh config `{}` {e}; fix the line or give another file",
            path.display()
        ))
    })
}

/// The id of a target in messages and manifests.
pub(crate) fn target_id(user: &str, alias: &str, port: u16) -> String {
    let host = if alias.contains(':') {
        format!("[{alias}]")
    } else {
        alias.to_owned()
    };
    if port == 22 {
        format!("ssh://{user}@{host}")
    } else {
        format!("ssh://{user}@{host}:{port}")
    }
}

fn resolve_hop(
    alias: &str,
    user: Option<&str>,
    port: Option<u16>,
    jump_override: Option<&[String]>,
    config: &SshConfig,
    options: &SshOptions,
    depth: usize,
) -> Result<Hop, TransportError> {
    let hc = config.resolve(alias);
    let port = port.or(hc.port).unwrap_or(22);
    let given_id = || SshTarget::new(alias).to_string();
    if depth >= MAX_HOPS {
        return Err(TransportError::Connect {
            target: given_id(),
            message: format!(
                "`ProxyJump` goes through more than {MAX_HOPS} hosts (a loop in the ssh config?)"
            ),
        });
    }
    let user = match user
        .map(str::to_owned)
        .or(hc.user)
        .or_else(|| options.local_user.clone())
    {
        Some(u) => u,
        None => {
            return Err(TransportError::Connect {
                target: given_id(),
                message: "no user to log in as: give it in the target (`ssh://user@host`) or as `User` in the ssh config".into(),
            });
        }
    };
    let host = hc.host_name.unwrap_or_else(|| alias.to_owned());
    let identities = identities(options, &hc.identity_files, &host, &user, port);
    let hops: Vec<String> = jump_override.map_or(hc.proxy_jump, <[String]>::to_vec);
    let jump = match hops.split_last() {
        None => None,
        Some((last, before)) => {
            let jt = parse_jump(last).map_err(|message| TransportError::Connect {
                target: given_id(),
                message,
            })?;
            // `ProxyJump a,b`: b is reached through a; a single jump host
            // keeps its own `ProxyJump`, as in `ssh`.
            let over = (!before.is_empty()).then_some(before);
            Some(Box::new(resolve_hop(
                jt.host(),
                jt.user(),
                jt.port(),
                over,
                config,
                options,
                depth + 1,
            )?))
        }
    };
    Ok(Hop {
        target_id: target_id(&user, alias, port),
        host,
        port,
        user,
        identities,
        jump,
    })
}

/// A `ProxyJump` element: `[user@]host[:port]` or `ssh://…`.
fn parse_jump(text: &str) -> Result<SshTarget, String> {
    let url = if text.starts_with("ssh://") {
        text.to_owned()
    } else {
        format!("ssh://{text}")
    };
    SshTarget::parse(&url).map_err(|e| format!("bad `ProxyJump` host: {e}"))
}

/// The identity files to try: those of the options, then those of the
/// config; the defaults (`~/.ssh/id_ed25519`, …) when neither gives any.
fn identities(
    options: &SshOptions,
    from_config: &[String],
    host: &str,
    user: &str,
    port: u16,
) -> Vec<Identity> {
    let mut out: Vec<Identity> = options
        .identities
        .iter()
        .map(|i| Identity {
            path: i.path.clone(),
            passphrase: i.passphrase.clone(),
            explicit: true,
        })
        .collect();
    let home = options
        .home()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    let port = port.to_string();
    let local_user = options.local_user.clone().unwrap_or_default();
    for raw in from_config {
        let expanded = expand_tokens(
            raw,
            &[
                ('d', &home),
                ('h', host),
                ('r', user),
                ('p', &port),
                ('u', &local_user),
            ],
        );
        let path = options.expand_tilde(&expanded);
        if !out.iter().any(|i| i.path == path) {
            out.push(Identity {
                path,
                passphrase: None,
                explicit: false,
            });
        }
    }
    if out.is_empty() {
        out = options
            .default_identities()
            .into_iter()
            .map(|path: PathBuf| Identity {
                path,
                passphrase: None,
                explicit: false,
            })
            .collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(config: &str) -> (tempfile::TempDir, SshOptions) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".ssh")).unwrap();
        std::fs::write(dir.path().join(".ssh/config"), config).unwrap();
        let o = SshOptions::new().home_dir(dir.path()).local_user("me");
        (dir, o)
    }

    #[test]
    fn target_wins_over_config_and_defaults_fill_in() {
        let (dir, o) = opts(
            "Host web\n HostName 10.1.1.1\n User deploy\n Port 2200\n IdentityFile %d/.ssh/%r_key\n",
        );
        let hop = resolve(&SshTarget::parse("ssh://web").unwrap(), &o).unwrap();
        assert_eq!(
            (hop.host.as_str(), hop.port, hop.user.as_str()),
            ("10.1.1.1", 2200, "deploy")
        );
        assert_eq!(hop.target_id, "ssh://deploy@web:2200");
        assert_eq!(hop.identities.len(), 1);
        assert_eq!(hop.identities[0].path, dir.path().join(".ssh/deploy_key"));
        let hop = resolve(&SshTarget::parse("ssh://root@web:22").unwrap(), &o).unwrap();
        assert_eq!((hop.port, hop.user.as_str()), (22, "root"));
        assert_eq!(hop.target_id, "ssh://root@web");
        let hop = resolve(&SshTarget::parse("ssh://other").unwrap(), &o).unwrap();
        assert_eq!((hop.host.as_str(), hop.user.as_str()), ("other", "me"));
        // No identity file anywhere: the defaults.
        assert_eq!(hop.identities.len(), 3);
        assert!(hop.identities[0].path.ends_with(".ssh/id_ed25519"));
    }

    #[test]
    fn proxy_jump_chains() {
        let (_dir, o) = opts(
            "Host db\n ProxyJump ops@bastion:2222,inner\nHost inner\n ProxyJump ignored\nHost solo\n ProxyJump bastion\nHost bastion\n User b\n",
        );
        let hop = resolve(&SshTarget::parse("ssh://db").unwrap(), &o).unwrap();
        let inner = hop.jump.as_deref().unwrap();
        assert_eq!(inner.host, "inner");
        let first = inner.jump.as_deref().unwrap();
        assert_eq!(
            (first.host.as_str(), first.port, first.user.as_str()),
            ("bastion", 2222, "ops")
        );
        assert!(first.jump.is_none());
        let hop = resolve(&SshTarget::parse("ssh://solo").unwrap(), &o).unwrap();
        assert_eq!(hop.jump.as_deref().unwrap().user, "b");
    }

    #[test]
    fn loops_and_missing_users_are_errors() {
        let (_dir, o) = opts("Host a\n ProxyJump b\nHost b\n ProxyJump a\n");
        let e = resolve(&SshTarget::parse("ssh://a").unwrap(), &o).unwrap_err();
        assert!(e.to_string().contains("loop"), "{e}");
        let e = resolve(&SshTarget::parse("ssh://x").unwrap(), &SshOptions::new()).unwrap_err();
        assert!(e.to_string().contains("no user"), "{e}");
        let (_dir, o) = opts("Host x\n Port none\n");
        let e = resolve(&SshTarget::parse("ssh://x").unwrap(), &o).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }
}
