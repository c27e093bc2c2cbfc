//! Host-key verification of a session against the known_hosts files.
//! There is no way to skip it.

use std::path::{Path, PathBuf};

use ssh2::{MethodType, Session};

use super::known_hosts::{self, HostKey, KnownHosts, Verdict};
use crate::transport::TransportError;

/// The known_hosts files and what to do with unknown keys.
#[derive(Debug, Clone)]
pub(crate) struct HostKeyPolicy {
    /// The user's file: read, and written by `accept_new`.
    pub known_hosts: Option<PathBuf>,
    /// Read-only files (`/etc/ssh/ssh_known_hosts`).
    pub extra: Vec<PathBuf>,
    /// Record keys of hosts not seen before.
    pub accept_new: bool,
}

impl HostKeyPolicy {
    /// Reads every known_hosts file (missing ones count as empty).
    pub(super) fn load(&self, target: &str) -> Result<KnownHosts, TransportError> {
        let mut known = KnownHosts::default();
        for path in self.known_hosts.iter().chain(&self.extra) {
            match std::fs::read_to_string(path) {
                Ok(text) => known.add_text(&text, &path.display().to_string()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(TransportError::Auth {
                        target: target.to_owned(),
                        message: format!("cannot read known_hosts `{}`: {e}", path.display()),
                    });
                }
            }
        }
        Ok(known)
    }
}

/// Asks the server for the key types known for `host_name` first, so that
/// a host with several keys shows the one on record (as `ssh` does).
pub(crate) fn prefer_known_types(session: &Session, known: &KnownHosts, host_name: &str) {
    let types = known.known_types(host_name);
    if types.is_empty() {
        return;
    }
    let Ok(supported) = session.supported_algs(MethodType::HostKey) else {
        return;
    };
    let mut prefs: Vec<&str> = Vec::new();
    for t in &types {
        let algs: &[&str] = match t.as_str() {
            "ssh-rsa" => &["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
            other => &[other][..],
        };
        for a in algs {
            if let Some(s) = supported.iter().find(|s| *s == a)
                && !prefs.contains(s)
            {
                prefs.push(s);
            }
        }
    }
    for s in &supported {
        if !prefs.contains(s) {
            prefs.push(s);
        }
    }
    let _ = session.method_pref(MethodType::HostKey, &prefs.join(","));
}

/// Checks the key the server offered after the handshake.
pub(crate) fn verify(
    session: &Session,
    known: &KnownHosts,
    policy: &HostKeyPolicy,
    host_name: &str,
    target: &str,
) -> Result<(), TransportError> {
    let fail = |message: String| TransportError::Auth {
        target: target.to_owned(),
        message,
    };
    let key = session
        .host_key()
        .and_then(|(blob, _)| HostKey::from_blob(blob))
        .ok_or_else(|| fail("the server sent no readable host key".into()))?;
    let kh = shown(policy.known_hosts.as_deref());
    let fp = key.fingerprint();
    let kt = &key.key_type;
    match known.check(host_name, &key) {
        Verdict::Known => Ok(()),
        Verdict::Unknown if policy.accept_new => {
            let path = policy.known_hosts.as_deref().ok_or_else(|| {
                fail(format!(
                    "cannot accept the new host key {kt} {fp}: no known_hosts file to record it in; give one with `--known-hosts`"
                ))
            })?;
            known_hosts::record(path, host_name, &key).map_err(|e| fail(e.to_string()))
        }
        Verdict::Unknown => Err(fail(format!(
            "the host key of `{host_name}` is not known (it offered {kt} {fp}); if that is the host's key, accept it with `--accept-new-host-keys`, or record it once by logging in with `ssh`, or with `{}` after checking the fingerprint",
            keyscan_hint(host_name, &kh)
        ))),
        Verdict::Changed { locations } => Err(fail(format!(
            "the host key of `{host_name}` has CHANGED: it offered {kt} {fp}, which is not the key recorded at {}; someone may be intercepting the connection (a man-in-the-middle attack), or the host was reinstalled; drift refuses it, also with `--accept-new-host-keys`; if the change is expected, remove the old key with `ssh-keygen -R '{host_name}' -f {kh}` and connect again",
            locations.join(", ")
        ))),
        Verdict::OtherTypes { types, locations } => Err(fail(format!(
            "the host `{host_name}` offered a {kt} key ({fp}) but only {} keys are recorded for it (at {}); this may be an attack; if the host's keys really changed, remove the old ones with `ssh-keygen -R '{host_name}' -f {kh}` and connect again",
            types.join(", "),
            locations.join(", ")
        ))),
        Verdict::Revoked { location } => Err(fail(format!(
            "the host key of `{host_name}` ({kt} {fp}) is marked `@revoked` at {location}; drift refuses it"
        ))),
    }
}

/// `ssh-keyscan -p 2222 host >> file` for `[host]:2222`.
fn keyscan_hint(host_name: &str, kh: &str) -> String {
    let (host, port) = match host_name.strip_prefix('[').and_then(|r| r.split_once("]:")) {
        Some((h, p)) => (h, Some(p)),
        None => (host_name, None),
    };
    match port {
        Some(p) => format!("ssh-keyscan -p {p} {host} >> {kh}"),
        None => format!("ssh-keyscan {host} >> {kh}"),
    }
}

/// The known_hosts file shown in messages.
fn shown(path: Option<&Path>) -> String {
    path.map_or_else(
        || "~/.ssh/known_hosts".to_owned(),
        |p| p.display().to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyscan_hints_name_the_port() {
        assert_eq!(
            keyscan_hint("[h]:2222", "kh"),
            "ssh-keyscan -p 2222 h >> kh"
        );
        assert_eq!(keyscan_hint("h", "kh"), "ssh-keyscan h >> kh");
    }
}
