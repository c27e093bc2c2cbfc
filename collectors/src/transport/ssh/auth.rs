//! Public-key login: the ssh-agent's keys first (when a socket is given),
//! then identity files, in order. A failure lists what was tried.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ssh2::{ErrorCode, Session};

use super::errors::{self, AUTHENTICATION_FAILED, Context, FILE, PUBLICKEY_UNVERIFIED};
use super::options::Passphrase;
use crate::transport::TransportError;

/// One identity file to try.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub path: PathBuf,
    pub passphrase: Option<Passphrase>,
    /// Given explicitly (a missing file is then worth a note), rather than
    /// one of the defaults tried when they exist.
    pub explicit: bool,
}

/// Logs `user` in on a session whose host key has been verified.
pub(crate) fn authenticate(
    session: &Session,
    user: &str,
    agent_socket: Option<&Path>,
    identities: &[Identity],
    ctx: &Context<'_>,
) -> Result<(), TransportError> {
    let fail = |message: String| TransportError::Auth {
        target: ctx.target.to_owned(),
        message,
    };
    let methods = match session.auth_methods(user) {
        Ok(m) => m.to_owned(),
        Err(e) if errors::is_timeout(&e) => return Err(ctx.timeout_error("login".into())),
        Err(e) => {
            return Err(fail(format!(
                "the server ended the login: {}",
                errors::message(&e)
            )));
        }
    };
    if session.authenticated() {
        return Ok(());
    }
    if !methods.split(',').any(|m| m == "publickey") {
        return Err(fail(format!(
            "the server does not accept public keys for user `{user}` (it offers: {}); drift logs in with ssh-agent or identity files only",
            if methods.is_empty() {
                "nothing"
            } else {
                &methods
            }
        )));
    }
    let mut tried: Vec<String> = Vec::new();
    if let Some(socket) = agent_socket {
        match try_agent(session, user, socket, ctx)? {
            AgentResult::LoggedIn => return Ok(()),
            AgentResult::Tried(note) => tried.push(note),
        }
    }
    for id in identities {
        if !id.path.exists() {
            if id.explicit {
                tried.push(format!(
                    "identity file `{}` (does not exist)",
                    id.path.display()
                ));
            }
            continue;
        }
        match try_identity(session, user, id, ctx)? {
            None => return Ok(()),
            Some(note) => tried.push(note),
        }
    }
    if tried.is_empty() {
        return Err(fail(format!(
            "no key to log in as `{user}`: no ssh-agent socket and no identity file; give one with `--identity`, or start ssh-agent"
        )));
    }
    Err(fail(format!(
        "no key was accepted for user `{user}`; tried {}; add the public key to the user's `~/.ssh/authorized_keys` on the host, or give the right one with `--identity`",
        tried.join(", ")
    )))
}

enum AgentResult {
    LoggedIn,
    Tried(String),
}

fn try_agent(
    session: &Session,
    user: &str,
    socket: &Path,
    ctx: &Context<'_>,
) -> Result<AgentResult, TransportError> {
    let shown = socket.display();
    let mut agent = match session.agent() {
        Ok(a) => a,
        Err(e) => {
            return Ok(AgentResult::Tried(format!(
                "ssh-agent (unusable: {})",
                errors::message(&e)
            )));
        }
    };
    if agent.set_identity_path(socket).is_err() || agent.connect().is_err() {
        return Ok(AgentResult::Tried(format!(
            "ssh-agent at `{shown}` (cannot connect; is the agent running?)"
        )));
    }
    let identities = match agent.list_identities().and_then(|()| agent.identities()) {
        Ok(ids) => ids,
        Err(e) => {
            let _ = agent.disconnect();
            return Ok(AgentResult::Tried(format!(
                "ssh-agent at `{shown}` (cannot list keys: {})",
                errors::message(&e)
            )));
        }
    };
    let count = identities.len();
    for identity in &identities {
        match agent.userauth(user, identity) {
            Ok(()) => {
                let _ = agent.disconnect();
                return Ok(AgentResult::LoggedIn);
            }
            Err(e) if errors::is_timeout(&e) => {
                let _ = agent.disconnect();
                return Err(ctx.timeout_error("login".into()));
            }
            Err(e) if errors::is_fatal(&e) => {
                let _ = agent.disconnect();
                return Err(TransportError::Auth {
                    target: ctx.target.to_owned(),
                    message: format!(
                        "the server closed the connection after trying ssh-agent keys (too many keys? sshd's `MaxAuthTries`): {}",
                        errors::message(&e)
                    ),
                });
            }
            Err(_) => {}
        }
    }
    let _ = agent.disconnect();
    Ok(AgentResult::Tried(match count {
        0 => format!("ssh-agent at `{shown}` (it holds no key)"),
        1 => format!("ssh-agent at `{shown}` (1 key, not accepted)"),
        n => format!("ssh-agent at `{shown}` ({n} keys, none accepted)"),
    }))
}

/// `None` when logged in, or a note on why this identity did not work.
fn try_identity(
    session: &Session,
    user: &str,
    id: &Identity,
    ctx: &Context<'_>,
) -> Result<Option<String>, TransportError> {
    let shown = id.path.display();
    let text = match std::fs::read(&id.path) {
        Ok(t) => t,
        Err(e) => {
            return Ok(Some(format!(
                "identity file `{shown}` (cannot read it: {e})"
            )));
        }
    };
    let encrypted = is_encrypted(&text);
    if encrypted == Some(true) && id.passphrase.is_none() {
        return Ok(Some(format!(
            "identity file `{shown}` (encrypted, and no passphrase was given: load it into ssh-agent with `ssh-add {shown}`)"
        )));
    }
    let pubkey = {
        let mut p = id.path.clone().into_os_string();
        p.push(".pub");
        PathBuf::from(p)
    };
    let pubkey = pubkey.exists().then_some(pubkey);
    let result = session.userauth_pubkey_file(
        user,
        pubkey.as_deref(),
        &id.path,
        id.passphrase.as_ref().map(Passphrase::expose),
    );
    match result {
        Ok(()) => Ok(None),
        Err(e) if errors::is_timeout(&e) => Err(ctx.timeout_error("login".into())),
        Err(e) if errors::is_fatal(&e) => Err(TransportError::Auth {
            target: ctx.target.to_owned(),
            message: format!(
                "the server closed the connection while trying identity file `{shown}`: {}",
                errors::message(&e)
            ),
        }),
        Err(e) => Ok(Some(match e.code() {
            ErrorCode::Session(AUTHENTICATION_FAILED | PUBLICKEY_UNVERIFIED) => {
                format!("identity file `{shown}` (not accepted)")
            }
            ErrorCode::Session(FILE) if id.passphrase.is_some() => {
                format!(
                    "identity file `{shown}` (cannot decrypt it: wrong passphrase, or a key format libssh2 cannot read)"
                )
            }
            ErrorCode::Session(FILE) => {
                format!(
                    "identity file `{shown}` (cannot read the key: a format libssh2 cannot read?)"
                )
            }
            _ => format!("identity file `{shown}` ({})", errors::message(&e)),
        })),
    }
}

/// Whether a private key file is encrypted: OpenSSH's own format names its
/// cipher (`none` when not encrypted), PEM says `Proc-Type: 4,ENCRYPTED` or
/// `BEGIN ENCRYPTED PRIVATE KEY`. `None` when the format is not recognized.
pub(crate) fn is_encrypted(key: &[u8]) -> Option<bool> {
    let text = std::str::from_utf8(key).ok()?;
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        || text.contains("Proc-Type: 4,ENCRYPTED")
    {
        return Some(true);
    }
    let begin = "-----BEGIN OPENSSH PRIVATE KEY-----";
    if let Some(start) = text.find(begin) {
        let body = &text[start + begin.len()..];
        let end = body.find("-----END")?;
        let b64: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
        let blob = STANDARD.decode(b64).ok()?;
        let rest = blob.strip_prefix(b"openssh-key-v1\0")?;
        let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let cipher = rest.get(4..4 + len)?;
        return Some(cipher != b"none");
    }
    if text.contains("-----BEGIN") {
        return Some(false);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_encrypted_keys() {
        let dir = tempfile::tempdir().unwrap();
        for (name, pass, expect) in [("plain", "", false), ("secret", "pw", true)] {
            let path = dir.path().join(name);
            let status = std::process::Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", pass, "-f"])
                .arg(&path)
                .status()
                .expect("ssh-keygen (openssh-client) is needed by this test");
            assert!(status.success());
            let text = std::fs::read(&path).unwrap();
            assert_eq!(is_encrypted(&text), Some(expect), "{name}");
        }
        assert_eq!(
            is_encrypted(b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"),
            Some(true)
        );
        assert_eq!(
            is_encrypted(b"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n"),
            Some(false)
        );
        assert_eq!(is_encrypted(b"not a key"), None);
    }
}
