//! `ssh://[user@]host[:port]` targets.

use std::fmt;
use std::str::FromStr;

/// A remote host as given by the user: `ssh://[user@]host[:port]`.
///
/// The host may be an alias of `~/.ssh/config`; the user and port, when
/// given here, win over the config file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SshTarget {
    user: Option<String>,
    host: String,
    port: Option<u16>,
}

/// A target that is not `ssh://[user@]host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid ssh target `{text}`: {reason}; expected `ssh://[user@]host[:port]`")]
pub struct SshTargetError {
    /// The target as given, with any password removed.
    text: String,
    /// What is wrong.
    reason: String,
}

impl SshTargetError {
    fn new(text: &str, reason: impl Into<String>) -> SshTargetError {
        SshTargetError {
            text: hide_password(text),
            reason: reason.into(),
        }
    }
}

/// `ssh://user:secret@host` → `ssh://user:***@host`, so that an error
/// message never shows a password.
fn hide_password(text: &str) -> String {
    let Some(rest) = text.strip_prefix("ssh://") else {
        return text.to_owned();
    };
    match rest.rfind('@') {
        Some(at) => match rest[..at].find(':') {
            Some(colon) => format!("ssh://{}:***{}", &rest[..colon], &rest[at..]),
            None => text.to_owned(),
        },
        None => text.to_owned(),
    }
}

impl SshTarget {
    /// A target for `host` with no user or port (both then come from
    /// `~/.ssh/config` or the defaults).
    pub fn new(host: impl Into<String>) -> SshTarget {
        SshTarget {
            user: None,
            host: host.into(),
            port: None,
        }
    }

    /// Sets the user.
    pub fn with_user(mut self, user: impl Into<String>) -> SshTarget {
        self.user = Some(user.into());
        self
    }

    /// Sets the port.
    pub fn with_port(mut self, port: u16) -> SshTarget {
        self.port = Some(port);
        self
    }

    /// Parses `ssh://[user@]host[:port]` (an IPv6 address in brackets:
    /// `ssh://[::1]:2222`). A trailing `/` is allowed; a password, a path or
    /// a query is not.
    pub fn parse(text: &str) -> Result<SshTarget, SshTargetError> {
        let err = |reason: &str| SshTargetError::new(text, reason);
        let rest = text
            .strip_prefix("ssh://")
            .ok_or_else(|| err("it must start with `ssh://`"))?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#']) {
            return Err(err("a path, query or fragment is not allowed"));
        }
        let (user, hostport) = match rest.rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        if let Some(user) = user {
            if user.contains(':') {
                return Err(err(
                    "passwords are not supported; use ssh-agent or an identity file",
                ));
            }
            check_name(user).map_err(|why| err(&format!("the user {why}")))?;
        }
        let (host, port) = split_host_port(hostport).map_err(|why| err(&why))?;
        check_name(host).map_err(|why| err(&format!("the host {why}")))?;
        Ok(SshTarget {
            user: user.map(str::to_owned),
            host: host.to_owned(),
            port,
        })
    }

    /// The user, when given.
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The host (or `~/.ssh/config` alias) as given.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, when given.
    pub fn port(&self) -> Option<u16> {
        self.port
    }
}

fn split_host_port(text: &str) -> Result<(&str, Option<u16>), String> {
    let (host, port) = if let Some(inner) = text.strip_prefix('[') {
        let close = inner
            .find(']')
            .ok_or_else(|| "an unclosed `[` in the host".to_owned())?;
        let after = &inner[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err("unexpected text after `]`".to_owned()),
        };
        (&inner[..close], port)
    } else {
        match text.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (text, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => Some(n),
            _ => return Err(format!("the port `{p}` is not a number from 1 to 65535")),
        },
    };
    Ok((host, port))
}

/// A user or host name must be non-empty, printable, and not look like an
/// option (it ends up in messages and in the SSH protocol, never in a
/// shell).
fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("is empty");
    }
    if name.starts_with('-') {
        return Err("must not start with `-`");
    }
    if name
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "'\"`\\;,".contains(c))
    {
        return Err("holds a space, quote or control character");
    }
    Ok(())
}

impl FromStr for SshTarget {
    type Err = SshTargetError;

    fn from_str(s: &str) -> Result<SshTarget, SshTargetError> {
        SshTarget::parse(s)
    }
}

impl fmt::Display for SshTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ssh://")?;
        if let Some(user) = &self.user {
            write!(f, "{user}@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms() {
        let t = SshTarget::parse("ssh://deploy@web-1:2222").unwrap();
        assert_eq!(
            (t.user(), t.host(), t.port()),
            (Some("deploy"), "web-1", Some(2222))
        );
        let t = SshTarget::parse("ssh://web-1/").unwrap();
        assert_eq!((t.user(), t.host(), t.port()), (None, "web-1", None));
        let t = SshTarget::parse("ssh://root@[::1]:22").unwrap();
        assert_eq!((t.host(), t.port()), ("::1", Some(22)));
        assert_eq!(t.to_string(), "ssh://root@[::1]:22");
        assert_eq!(
            SshTarget::new("h").with_user("u").with_port(2).to_string(),
            "ssh://u@h:2"
        );
    }

    #[test]
    fn refuses_bad_targets_without_showing_passwords() {
        for (text, needle) in [
            ("web-1", "must start with `ssh://`"),
            ("ssh://", "host is empty"),
            ("ssh://h:0", "port `0`"),
            ("ssh://h:ssh", "port `ssh`"),
            ("ssh://h/etc", "path"),
            ("ssh://-oProxyCommand=x", "must not start with `-`"),
            ("ssh://a b", "space"),
            ("ssh://[::1", "unclosed"),
        ] {
            let e = SshTarget::parse(text).unwrap_err().to_string();
            assert!(e.contains(needle), "{text}: {e}");
        }
        let e = SshTarget::parse("ssh://u:hunter2@h")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("hunter2"), "{e}");
        assert!(e.contains("passwords are not supported"), "{e}");
    }
}
