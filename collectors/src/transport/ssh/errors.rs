//! Mapping libssh2 errors to [`TransportError`]s.

use std::time::Duration;

use ssh2::ErrorCode;

use crate::transport::TransportError;

// libssh2's error codes (libssh2.h).
const SOCKET_NONE: i32 = -1;
const BANNER_RECV: i32 = -2;
const BANNER_SEND: i32 = -3;
const INVALID_MAC: i32 = -4;
const KEX_FAILURE: i32 = -5;
const SOCKET_SEND: i32 = -7;
const KEY_EXCHANGE_FAILURE: i32 = -8;
pub(crate) const TIMEOUT: i32 = -9;
const DECRYPT: i32 = -12;
const SOCKET_DISCONNECT: i32 = -13;
const PROTO: i32 = -14;
pub(crate) const FILE: i32 = -16;
pub(crate) const AUTHENTICATION_FAILED: i32 = -18;
pub(crate) const PUBLICKEY_UNVERIFIED: i32 = -19;
const CHANNEL_FAILURE: i32 = -21;
const SOCKET_TIMEOUT: i32 = -30;
const SFTP_PROTOCOL: i32 = -31;
pub(crate) const EAGAIN: i32 = -37;
const SOCKET_RECV: i32 = -43;
const ENCRYPT: i32 = -44;
const BAD_SOCKET: i32 = -45;

/// Whether the error leaves the connection unusable (it timed out, the
/// socket broke, the protocol got out of step): the connection is then
/// dropped rather than reused.
pub(crate) fn is_fatal(e: &ssh2::Error) -> bool {
    matches!(
        e.code(),
        ErrorCode::Session(
            SOCKET_NONE
                | BANNER_RECV
                | BANNER_SEND
                | INVALID_MAC
                | KEX_FAILURE
                | SOCKET_SEND
                | KEY_EXCHANGE_FAILURE
                | TIMEOUT
                | DECRYPT
                | SOCKET_DISCONNECT
                | PROTO
                | SOCKET_TIMEOUT
                | SFTP_PROTOCOL
                | SOCKET_RECV
                | ENCRYPT
                | BAD_SOCKET
        )
    )
}

/// Whether the connection was lost (worth one retry on a new connection),
/// as opposed to timing out (not worth one).
pub(crate) fn is_lost(e: &ssh2::Error) -> bool {
    is_fatal(e) && !is_timeout(e)
}

pub(crate) fn is_timeout(e: &ssh2::Error) -> bool {
    matches!(e.code(), ErrorCode::Session(TIMEOUT | SOCKET_TIMEOUT))
}

pub(crate) fn is_eagain(e: &ssh2::Error) -> bool {
    e.code() == ErrorCode::Session(EAGAIN)
}

/// libssh2's message, lowercased at the start and without a trailing
/// period.
pub(crate) fn message(e: &ssh2::Error) -> String {
    let m = e.message().trim().trim_end_matches('.');
    let mut chars = m.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => format!("error {}", e.code()),
    }
}

/// What an operation was about, to name it in errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub target: &'a str,
    pub timeout: Duration,
}

impl Context<'_> {
    pub(super) fn timeout_error(&self, operation: String) -> TransportError {
        TransportError::Timeout {
            target: self.target.to_owned(),
            operation,
            seconds: self.timeout.as_secs(),
        }
    }

    pub(super) fn lost(&self, what: &str, e: &ssh2::Error) -> TransportError {
        TransportError::Connect {
            target: self.target.to_owned(),
            message: format!("connection lost while {what}: {}", message(e)),
        }
    }

    /// An error of a command or channel operation.
    pub(super) fn command_error(&self, e: &ssh2::Error, command: &str) -> TransportError {
        if is_timeout(e) {
            self.timeout_error(format!("`{command}`"))
        } else if is_fatal(e) {
            self.lost(&format!("running `{command}`"), e)
        } else if e.code() == ErrorCode::Session(CHANNEL_FAILURE) {
            TransportError::Command {
                command: command.to_owned(),
                message:
                    "the server refused to run it (sshd's `ForceCommand` or a restricted shell?)"
                        .into(),
            }
        } else {
            TransportError::Command {
                command: command.to_owned(),
                message: message(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_errors() {
        let ctx = Context {
            target: "ssh://u@h",
            timeout: Duration::from_secs(30),
        };
        let to = ssh2::Error::new(ErrorCode::Session(TIMEOUT), "Timed out waiting");
        assert!(is_fatal(&to) && !is_lost(&to));
        let e = ctx.command_error(&to, "uname -srm").to_string();
        assert_eq!(e, "`ssh://u@h`: `uname -srm` timed out after 30 s");
        let lost = ssh2::Error::new(ErrorCode::Session(SOCKET_RECV), "Failure while reading.");
        assert!(is_lost(&lost));
        let e = ctx.command_error(&lost, "uname -srm").to_string();
        assert!(
            e.ends_with("connection lost while running `uname -srm`: failure while reading"),
            "{e}"
        );
        let refused = ssh2::Error::new(ErrorCode::Session(CHANNEL_FAILURE), "x");
        assert!(!is_fatal(&refused));
    }
}
